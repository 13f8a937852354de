import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { check, WS } from '../helpers.js';

interface Case {
  cmd: string;
  expect: 'allow' | 'block' | 'deny';
  cwd?: string;
  note?: string;
}

const corpusDir = new URL('../corpus/', import.meta.url);
const holdoutDir = new URL('../holdout/', import.meta.url);
const gaps = JSON.parse(readFileSync(new URL('known-gaps.json', corpusDir), 'utf8')) as { cmd: string; verdict: string; why: string }[];
const gapByCmd = new Map(gaps.map((g) => [g.cmd, g]));
const files = [corpusDir, holdoutDir].flatMap((dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .sort()
    .map((f) => new URL(f, dir)),
);

function passes(expected: Case['expect'], verdict: string): boolean {
  if (expected === 'allow') return verdict === 'allow';
  if (expected === 'deny') return verdict === 'deny';
  return verdict !== 'allow';
}

describe('policy corpus (organized by evasion class) and held-out sets', () => {
  for (const file of files) {
    const cases = readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Case);
    describe(file.pathname.split('/test/')[1]!, () => {
      it.each(cases.map((c) => [c.expect, c.cmd, c] as const))('%s: %s', (_expect, _cmd, c) => {
        const decision = check(c.cmd, c.cwd ?? WS);
        const gap = gapByCmd.get(c.cmd);
        if (gap) {
          // A documented gap: when the engine starts getting it right, the entry must go.
          expect(decision.verdict, `known gap fixed? remove it from known-gaps.json: ${c.cmd}`).toBe(gap.verdict);
          expect(passes(c.expect, decision.verdict)).toBe(false);
        } else {
          expect(decision.verdict, `${c.note ?? ''} [${decision.ruleId}: ${decision.reason}]`).toSatisfy((v: string) => passes(c.expect, v));
        }
      });
    });
  }

  it('covers both directions in every class', () => {
    for (const file of files) {
      const kinds = new Set(
        readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => (JSON.parse(l) as Case).expect === 'allow'),
      );
      expect(kinds.size, file.pathname).toBe(2);
    }
  });
});
