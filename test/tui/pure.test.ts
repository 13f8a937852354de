import { describe, expect, it } from 'vitest';
import { findHotkey, parseHotkey } from '../../src/keys.js';
import { highlightShell, type TokenStyle } from '../../src/tui/highlight.js';
import { lineDiff, parseUnifiedDiff, type DiffLine } from '../../src/line-diff.js';
import { splitKeys } from '../../src/tui/ink-host.js';

describe('panel hotkey', () => {
  it.each([
    ['ctrl-]', '\x1d', '\x1b[93;5u'],
    ['Ctrl-G', '\x07', '\x1b[103;5u'],
    ['ctrl-\\', '\x1c', '\x1b[92;5u'],
    ['ctrl-_', '\x1f', '\x1b[95;5u'],
    [' ctrl-o ', '\x0f', '\x1b[111;5u'],
  ])('%s → legacy and CSI-u bytes', (spec, legacy, csiU) => {
    const key = parseHotkey(spec);
    expect(key.sequences).toContain(legacy);
    expect(key.sequences).toContain(csiU);
  });

  it.each([
    ['ctrl-c', /interrupt/],
    ['ctrl-d', /end of input/],
    ['ctrl-m', /enter/],
    ['ctrl-[', /escape/],
    ['ctrl-s', /flow control/],
    ['alt-x', /ctrl-<letter>/],
    ['ctrl-1', /ctrl-<letter>/],
    ['', /ctrl-<letter>/],
  ])('%s is refused with a reason', (spec, why) => {
    expect(() => parseHotkey(spec)).toThrow(why);
  });

  it.each([
    ['abc', null],
    ['\x1d', { index: 0, length: 1 }],
    ['ls\x1dq', { index: 2, length: 1 }],
    ['x\x1b[93;5uy', { index: 1, length: 7 }],
    ['\x1b[27;5;93~', { index: 0, length: 10 }],
  ])('finds the hotkey in %j', (chunk, found) => {
    expect(findHotkey(chunk, parseHotkey('ctrl-]'))).toEqual(found);
  });
});

describe('shell highlighting', () => {
  const styled = (cmd: string) =>
    highlightShell(cmd)
      .filter((t) => t.style !== 'plain')
      .map((t) => `${t.style}:${t.text}`);
  it.each([
    ['git reset --hard', ['command:git', 'flag:--hard']],
    ['rm -rf "$HOME/x" && echo done', ['command:rm', 'flag:-rf', 'string:"$HOME/x"', 'operator:&&', 'command:echo']],
    ['FOO=1 npm test | tee log.txt', ['command:npm', 'operator:|', 'command:tee']],
    ["echo $(whoami) 'a b' # note", ['command:echo', 'variable:$(', 'command:whoami', 'operator:)', "string:'a b'", 'comment:# note']],
    ['cat <<EOF > out', ['command:cat', 'operator:<<', 'operator:>']],
    ['ls ${DIR:-.}; pwd', ['command:ls', 'variable:${DIR:-.}', 'operator:;', 'command:pwd']],
  ])('%s', (cmd, expected) => {
    expect(styled(cmd)).toEqual(expected);
  });

  it('keeps every character, in order, whatever the input', () => {
    for (const cmd of ['', '"unterminated', "'", '\\', '$', 'a\\ b', '$((1+2))', 'x'.repeat(9000), 'a;;b||c&&d|&e', '`date`', '\n\n']) {
      expect(
        highlightShell(cmd)
          .map((t) => t.text)
          .join(''),
      ).toBe(cmd);
    }
  });

  it('styles are from the known set', () => {
    const known: TokenStyle[] = ['command', 'flag', 'string', 'variable', 'operator', 'comment', 'plain'];
    for (const t of highlightShell('a -b "c" $d | e # f')) expect(known).toContain(t.style);
  });
});

/** Applies a full-context diff: context + removed lines give the old text, context + added the new. */
function sides(lines: DiffLine[]): { old: string[]; new: string[] } {
  const body = lines.filter((l) => l.kind === 'context' || l.kind === 'added' || l.kind === 'removed');
  return { old: body.filter((l) => l.kind !== 'added').map((l) => l.text), new: body.filter((l) => l.kind !== 'removed').map((l) => l.text) };
}

describe('line diff', () => {
  it.each([
    ['same', 'a\nb\n', 'a\nb\n', []],
    ['one line changed', 'a\nb\nc\n', 'a\nB\nc\n', ['@@ -1,3 +1,3 @@', ' a', '-b', '+B', ' c']],
    ['new file', '', 'x\ny\n', ['@@ -1,0 +1,2 @@', '+x', '+y']],
    ['deleted content', 'x\n', '', ['@@ -1,1 +1,0 @@', '-x']],
  ])('%s', (_, a, b, expected) => {
    const text = lineDiff(a, b).map((l) => (l.kind === 'hunk' ? l.text : `${l.kind === 'added' ? '+' : l.kind === 'removed' ? '-' : ' '}${l.text}`));
    expect(text).toEqual(expected);
  });

  it('separate changes get separate hunks with 3 lines of context', () => {
    const a = Array.from({ length: 30 }, (_, i) => `l${i}`);
    const b = [...a];
    b[2] = 'X';
    b[25] = 'Y';
    const hunks = lineDiff(a.join('\n'), b.join('\n')).filter((l) => l.kind === 'hunk');
    expect(hunks.map((h) => h.text)).toEqual(['@@ -1,6 +1,6 @@', '@@ -23,7 +23,7 @@']);
  });

  it('reconstructs both sides on random edits (full context)', () => {
    let seed = 7;
    const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
    for (let round = 0; round < 200; round++) {
      const a = Array.from({ length: rand(30) }, () => `v${rand(6)}`);
      const b = a.filter(() => rand(4) > 0).flatMap((l) => (rand(5) === 0 ? [l, `n${rand(6)}`] : [l]));
      const d = lineDiff(a.join('\n'), b.join('\n'), { context: 1e9, maxLines: 1e9 });
      if (a.join('\n') === b.join('\n')) expect(d).toEqual([]);
      else expect(sides(d)).toEqual({ old: a, new: b });
    }
  });

  it('gives up on the shortest edit for huge differences and still shows both sides', () => {
    const a = Array.from({ length: 5000 }, (_, i) => `a${i}`).join('\n');
    const b = Array.from({ length: 5000 }, (_, i) => `b${i}`).join('\n');
    const d = lineDiff(a, b, { context: 3, maxLines: 1e9 });
    expect(sides(d)).toEqual({ old: a.split('\n'), new: b.split('\n') });
    expect(lineDiff(a, b).at(-1)).toMatchObject({ kind: 'note' });
  });

  it('reads git diff output', () => {
    const git = 'diff --git a/x.txt b/x.txt\nindex 1..2 100644\n--- a/x.txt\n+++ b/x.txt\n@@ -1 +1 @@\n-old\n+new\n';
    expect(parseUnifiedDiff(git)).toEqual([
      { kind: 'file', text: 'x.txt' },
      { kind: 'hunk', text: '@@ -1 +1 @@' },
      { kind: 'removed', text: 'old' },
      { kind: 'added', text: 'new' },
    ]);
  });
});

describe('splitting input into keys', () => {
  it.each([
    ['jq', ['j', 'q']],
    ['\x1b[A\x1b[B', ['\x1b[A', '\x1b[B']],
    ['\x1bOA', ['\x1bOA']],
    ['\x1b', ['\x1b']],
    ['\x1b\x1b', ['\x1b', '\x1b']],
    ['\x1bx', ['\x1bx']],
    ['é😀\r', ['é', '😀', '\r']],
    ['\x1b[93;5u', ['\x1b[93;5u']],
  ])('%j', (text, keys) => {
    expect(splitKeys(text)).toEqual(keys);
  });
});
