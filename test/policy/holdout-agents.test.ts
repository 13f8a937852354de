import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, HOME, WS } from '../helpers.js';

/**
 * Everyday commands the way coding agents issue them (Claude Code, Codex CLI, Gemini CLI and
 * SWE-bench-style agents: `cd … && … 2>&1 | tail`, heredoc snippets run at once, `sed -n` ranges,
 * `sed -i` edits, read loops), written by someone who had not seen the engine. Measured as a
 * whole: its first run asked about 12 of 628 (1.9%); the ceiling below is today's figure, so a
 * change that asks more fails. What it still asks, and why, is in docs/policy.md.
 */
interface Case {
  cmd: string;
  agent: 'claude' | 'codex' | 'gemini' | 'swe';
  class: string;
}

const cases = readFileSync(new URL('../holdout-agents/everyday.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as Case);

describe('everyday commands of coding agents (held out)', () => {
  it('is written for the example machine, in size', () => {
    expect(cases.length).toBeGreaterThanOrEqual(600);
    expect(WS).toBe('/home/dev/project');
    expect(HOME).toBe('/home/dev');
  });

  it('asks about at most 1.5% of them', () => {
    const asked = cases.filter((c) => check(c.cmd, WS).verdict !== 'allow');
    expect(asked.length / cases.length, `asked: ${asked.map((c) => c.cmd).join(' | ')}`).toBeLessThanOrEqual(0.015);
  });
});
