import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeAdapter } from '../../src/agents/claude.js';
import { approvalView, previewChange } from '../../src/session/view/approval-view.js';
import { SessionRules } from '../../src/session/hook/session-rules.js';
import { decideEvent } from '../../src/session/hook/decide-event.js';
import { recommended } from '../helpers.js';

const ws = mkdtempSync(join(tmpdir(), 'harness-view-'));
writeFileSync(join(ws, 'app.ts'), 'const a = 1;\nconst b = 2;\nconst c = 3;\n');
writeFileSync(join(ws, 'blob.bin'), Buffer.from([1, 0, 2]));
const event = (tool: string, input: Record<string, unknown>, cwd = ws) =>
  claudeAdapter.toToolEvent({ tool_name: tool, tool_input: input, cwd, tool_use_id: 't' }, ws);
const texts = (lines: { kind: string; text: string }[]) =>
  lines.filter((l) => l.kind !== 'hunk').map((l) => `${l.kind === 'added' ? '+' : l.kind === 'removed' ? '-' : ' '}${l.text}`);

describe('approval preview of writes and edits', () => {
  it.each([
    [
      'Write over a file',
      event('Write', { file_path: join(ws, 'app.ts'), content: 'const a = 1;\nconst b = 20;\nconst c = 3;\n' }),
      [' const a = 1;', '-const b = 2;', '+const b = 20;', ' const c = 3;'],
      null,
    ],
    ['Write a new file', event('Write', { file_path: join(ws, 'new.ts'), content: 'x\n' }), ['+x'], 'new file'],
    [
      'Edit',
      event('Edit', { file_path: join(ws, 'app.ts'), old_string: 'const c = 3;', new_string: 'const c = 4;' }),
      [' const a = 1;', ' const b = 2;', '-const c = 3;', '+const c = 4;'],
      null,
    ],
    [
      'Edit, replace_all',
      event('Edit', { file_path: join(ws, 'app.ts'), old_string: 'const', new_string: 'let', replace_all: true }),
      ['-const a = 1;', '-const b = 2;', '-const c = 3;', '+let a = 1;', '+let b = 2;', '+let c = 3;'],
      null,
    ],
    [
      'MultiEdit',
      event('MultiEdit', {
        file_path: join(ws, 'app.ts'),
        edits: [
          { old_string: 'a = 1', new_string: 'a = 10' },
          { old_string: 'c = 3', new_string: 'c = 30' },
        ],
      }),
      ['-const a = 1;', '+const a = 10;', ' const b = 2;', '-const c = 3;', '+const c = 30;'],
      null,
    ],
    [
      'Edit whose old text is gone',
      event('Edit', { file_path: join(ws, 'app.ts'), old_string: 'nope', new_string: 'yes' }),
      ['-nope', '+yes'],
      'the text to replace is not in the file as it is now; showing the edit itself',
    ],
    ['binary file', event('Write', { file_path: join(ws, 'blob.bin'), content: 'x' }), [], 'binary file: no preview'],
    [
      'a write that changes nothing',
      event('Write', { file_path: join(ws, 'app.ts'), content: 'const a = 1;\nconst b = 2;\nconst c = 3;\n' }),
      [],
      'the file would not change',
    ],
  ])('%s', (_, e, lines, note) => {
    const p = previewChange(e, ws);
    expect(texts(p.lines)).toEqual(lines);
    expect(p.note).toBe(note);
  });

  it('secrets in the preview are masked', () => {
    const p = previewChange(event('Write', { file_path: join(ws, '.env'), content: 'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n' }), ws);
    expect(JSON.stringify(p)).not.toContain('wJalrXUtnFEMI');
  });
});

describe('approval view', () => {
  it('shows what harness read only when it differs from what the agent wrote', () => {
    const plain = event('Bash', { command: 'git reset --hard' });
    expect(approvalView({ id: '1', event: plain, decision: decideEvent(plain, recommended()), deadline: 0 }, ws, null)).toMatchObject({
      kind: 'shell',
      normalized: [],
    });
    const hidden = event('Bash', { command: "$'\\x67it' reset --hard" });
    const view = approvalView({ id: '2', event: hidden, decision: decideEvent(hidden, recommended()), deadline: 0 }, ws, 'x');
    expect(view).toMatchObject({ kind: 'shell', normalized: ['git reset --hard'] });
    expect(view.ruleId).toBe('git.reset-hard');
    expect(view.sessionScope).toBe('x');
  });

  it("escape sequences and control characters in the agent's command, its file and its content are shown, never sent to the terminal", () => {
    const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;
    const evil = '\x1b]0;owned\x07\x1b[2J\r\x9b31m';
    const shell = event('Bash', { command: `git reset --hard # ${evil}\necho done` });
    const view = approvalView({ id: '4', event: shell, decision: { ...decideEvent(shell, recommended()), reason: `why${evil}` }, deadline: 0 }, ws, null);
    expect(view.kind === 'shell' && view.command).toBe('git reset --hard # \\x1b]0;owned\\x07\\x1b[2J\\x0d\\x9b31m\necho done');
    const write = event('Write', { file_path: join(ws, `f${evil}.txt`), content: `line ${evil}\n` });
    const file = approvalView({ id: '5', event: write, decision: { ruleId: null, reason: 'r' }, deadline: 0 }, ws, null);
    // every string of the view the dialog draws
    const strings = (value: unknown): string[] =>
      typeof value === 'string' ? [value] : value && typeof value === 'object' ? Object.values(value).flatMap(strings) : [];
    for (const text of [...strings(view), ...strings(file)]) expect(text).not.toMatch(raw);
    expect(file.kind === 'write' && file.preview.lines.map((l) => l.text)).toContain('line \\x1b]0;owned\\x07\\x1b[2J\\x0d\\x9b31m');
  });

  it('file targets are shown relative to the workspace', () => {
    const e = event('Write', { file_path: join(ws, 'src', 'a.ts'), content: '' });
    expect(approvalView({ id: '3', event: e, decision: { ruleId: null, reason: 'r' }, deadline: 0 }, ws, null)).toMatchObject({
      kind: 'write',
      target: 'src/a.ts',
    });
  });
});

describe('session rules', () => {
  it('remember the exact command in its directory, or the exact file for the same tool', () => {
    const rules = new SessionRules(ws);
    const cmd = event('Bash', { command: 'npm publish' });
    expect(rules.describe(cmd)).toBe('the command exactly as written, run in the workspace root');
    const rule = rules.add(cmd, 1000)!;
    expect(rule).toMatchObject({ id: 'session.1', description: 'allow `npm publish` in the workspace root' });
    expect(rules.find(event('Bash', { command: 'npm publish' }))?.id).toBe('session.1');
    for (const other of [
      event('Bash', { command: 'npm publish --tag next' }),
      event('Bash', { command: 'npm  publish' }),
      event('Bash', { command: 'npm publish' }, join(ws, 'sub')),
    ]) {
      expect(rules.find(other)).toBeNull();
    }
    expect(rules.add(cmd)).toBe(rule);
    const write = event('Write', { file_path: 'src/a.ts', content: 'x' });
    expect(rules.add(write)?.description).toBe('allow Write on src/a.ts');
    expect(rules.find(event('Write', { file_path: join(ws, 'src/a.ts'), content: 'other' }))?.id).toBe('session.2');
    expect(rules.find(event('Edit', { file_path: join(ws, 'src/a.ts'), old_string: 'a', new_string: 'b' }))).toBeNull();
    expect(rules.revoke('session.1')?.id).toBe('session.1');
    expect(rules.find(cmd)).toBeNull();
    expect(rules.list().map((r) => r.id)).toEqual(['session.2']);
  });
});
