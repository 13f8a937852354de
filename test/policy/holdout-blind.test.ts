import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, WS } from '../helpers.js';

/**
 * A set written by someone who had not seen the engine, from the categories of dangerous and
 * everyday commands only. Measured as a whole (rates, not case by case): its first run, before the
 * policy v2 mechanisms, blocked 71.1% of its dangerous commands and asked about 3.3% of its
 * everyday ones. The floors below are today's figures, so a change that loses ground fails.
 */
interface Case {
  cmd: string;
  expect: 'allow' | 'block' | 'deny';
  class: string;
}

const dir = new URL('../holdout-blind/', import.meta.url);
const cases = readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl'))
  .flatMap((f) =>
    readFileSync(new URL(f, dir), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Case),
  );

describe('blind held-out set', () => {
  const dangerous = cases.filter((c) => c.expect !== 'allow');
  const everyday = cases.filter((c) => c.expect === 'allow');

  it('has both directions in size', () => {
    expect(dangerous.length).toBeGreaterThanOrEqual(400);
    expect(everyday.length).toBeGreaterThanOrEqual(400);
  });

  it('blocks at least 99% of the dangerous commands and asks about at most 1% of the everyday ones', () => {
    const allowed = dangerous.filter((c) => check(c.cmd, WS).verdict === 'allow');
    const asked = everyday.filter((c) => check(c.cmd, WS).verdict !== 'allow');
    const blocked = 1 - allowed.length / dangerous.length;
    expect(blocked, `allowed: ${allowed.map((c) => c.cmd).join(' | ')}`).toBeGreaterThanOrEqual(0.99);
    expect(asked.length / everyday.length, `asked: ${asked.map((c) => c.cmd).join(' | ')}`).toBeLessThanOrEqual(0.01);
  });
});
