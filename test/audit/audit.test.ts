import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import { redact } from '../../src/audit/redact.js';

// Fake secrets in the real formats (none of them valid).
const SECRETS: [string, string][] = [
  ['aws-access-key', 'aws s3 ls --profile x AKIAIOSFODNN7EXAMPLE'],
  ['github-token', 'git clone https://x:ghp_abcdefghijklmnopqrstuvwxyz0123456789@github.com/o/r'],
  ['github-token', 'export GH=github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJ'],
  ['slack-token', 'curl -H "x: xoxb-1234567890-abcdefghijkl" https://slack.example'],
  ['stripe-key', 'STRIPE=sk_live_4eC39HqLyjWDarjtT1zdp7dc node app.js'],
  ['anthropic-key', 'ANTHROPIC_API_KEY=sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345 claude'],
  ['openai-key', 'curl -H "Authorization: Bearer sk-proj-abcdefghijklmnopqrstuvwxyz0123" https://api.example'],
  ['google-api-key', 'curl "https://maps.example/api?key=AIzaSyA-abcdefghijklmnopqrstuvwxyz01234"'],
  ['npm-token', '//registry.npmjs.org/:_authToken=npm_abcdefghijklmnopqrstuvwxyz0123456789'],
  ['jwt', 'curl -H "x-token: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U" x'],
  ['url-password', 'psql postgres://admin:hunter2secret@db.internal:5432/app'],
  ['secret-assignment', 'DB_PASSWORD=correct-horse-battery npm start'],
  ['secret-assignment', 'export MY_SERVICE_TOKEN="abc123def456ghi789"'],
  ['password-flag', 'mysql --password=s3cr3tpass -u root'],
  ['private-key', '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----'],
];

describe('redaction', () => {
  it.each(SECRETS)('%s: %s', (kind, text) => {
    const out = redact(text);
    expect(out).toContain(`[REDACTED:`);
    expect(out).toMatch(new RegExp(`REDACTED:(${kind}|[a-z-]+)`));
    // the secret part is gone, the context stays
    const secretish = text.match(
      /(AKIA\w+|ghp_\w+|github_pat_\w+|xoxb-[\w-]+|sk_live_\w+|sk-ant-[\w-]+|sk-proj-\w+|AIza[\w-]+|npm_\w+|eyJ[\w.-]+|hunter2secret|correct-horse-battery|abc123def456ghi789|s3cr3tpass|b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ)/,
    )?.[0];
    expect(secretish).toBeTruthy();
    expect(out).not.toContain(secretish!);
  });

  it.each(['git status', 'npm test -- --coverage', 'echo $GITHUB_TOKEN', 'TOKEN_FILE=./token.txt', 'export API_KEY="${API_KEY}"', 'ls -la ~/.ssh'])(
    'leaves ordinary text alone: %s',
    (text) => {
      expect(redact(text)).toBe(text);
    },
  );

  it('bounds the work on huge input', () => {
    const out = redact('x'.repeat(2_000_000));
    expect(out.length).toBeLessThan(300_000);
  });
});

function tempLog(): { log: AuditLog; path: string } {
  const path = join(mkdtempSync(join(tmpdir(), 'harness-audit-')), 'audit.db');
  return { log: AuditLog.open(path), path };
}

describe('audit log (real SQLite file)', () => {
  it('records sessions, calls, decisions and results, and summarizes them', () => {
    const { log } = tempLog();
    log.startSession({ id: 's1', agent: 'claude', workspace: '/w', argv: ['claude'], configPath: null, version: '0.1.0' });
    const call = (id: string, summary: string) =>
      log.toolCall({ sessionId: 's1', toolUseId: id, agent: 'claude', tool: 'Bash', kind: 'shell', summary, cwd: '/w', input: { command: summary } });
    call('t1', 'ls');
    log.decision({ sessionId: 's1', toolUseId: 't1', verdict: 'allow', ruleId: null, reason: 'ok', decidedBy: 'rule', latencyMs: 0.2, mutates: false });
    log.result({ sessionId: 's1', toolUseId: 't1', ok: true, summary: 'exit 0' });
    call('t2', 'rm -rf ~');
    log.decision({
      sessionId: 's1',
      toolUseId: 't2',
      verdict: 'deny',
      ruleId: 'fs.delete-home',
      reason: 'no',
      decidedBy: 'rule',
      latencyMs: 0.3,
      mutates: true,
    });
    call('t3', 'git reset --hard');
    log.decision({
      sessionId: 's1',
      toolUseId: 't3',
      verdict: 'ask',
      ruleId: 'git.reset-hard',
      reason: 'sure?',
      decidedBy: 'rule',
      latencyMs: 0.3,
      mutates: true,
    });
    log.decision({
      sessionId: 's1',
      toolUseId: 't3',
      verdict: 'allow',
      ruleId: 'git.reset-hard',
      reason: 'approved',
      decidedBy: 'human',
      latencyMs: 1500,
      mutates: true,
    });
    call('t4', 'git clean -fd');
    log.decision({
      sessionId: 's1',
      toolUseId: 't4',
      verdict: 'ask',
      ruleId: 'git.clean-force',
      reason: 'sure?',
      decidedBy: 'rule',
      latencyMs: 0.3,
      mutates: true,
    });
    log.decision({
      sessionId: 's1',
      toolUseId: 't4',
      verdict: 'deny',
      ruleId: 'git.clean-force',
      reason: 'timed out',
      decidedBy: 'timeout',
      latencyMs: 60000,
      mutates: true,
    });
    log.endSession('s1', 0);
    expect(log.summary('s1')).toMatchObject({ calls: 4, allowed: 2, denied: 2, asked: 2, approved: 1, timedOut: 1, exitCode: 0 });
    expect(log.query({ sessionId: 's1', verdict: 'deny' }).map((r) => r.toolUseId)).toEqual(['t2', 't4']);
    expect(log.latestSessionId()).toBe('s1');
  });

  it('is append-only: updates and deletes are refused by the database itself', () => {
    const { log, path } = tempLog();
    log.startSession({ id: 's1', agent: 'claude', workspace: '/w', argv: [], configPath: null, version: '0' });
    log.toolCall({ sessionId: 's1', toolUseId: 't1', agent: 'claude', tool: 'Bash', kind: 'shell', summary: 'ls', cwd: null, input: {} });
    log.changes({ sessionId: 's1', toolUseId: 't1', changes: [{ status: 'modified', path: 'a.txt' }] });
    log.close();
    const db = new Database(path);
    for (const sql of [
      "UPDATE tool_calls SET summary = 'x'",
      'DELETE FROM tool_calls',
      "UPDATE sessions SET agent = 'x'",
      'DELETE FROM sessions',
      "UPDATE changes SET path = 'x'",
      'DELETE FROM changes',
    ]) {
      expect(() => db.exec(sql), sql).toThrow(/append-only/);
    }
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
  });

  it('records what each tool call changed, capped per call', () => {
    const { log } = tempLog();
    log.startSession({ id: 's1', agent: 'claude', workspace: '/w', argv: [], configPath: null, version: '0' });
    log.changes({
      sessionId: 's1',
      toolUseId: 't1',
      changes: [
        { status: 'deleted', path: 'old.txt' },
        { status: 'added', path: 'new.txt' },
      ],
    });
    log.changes({ sessionId: 's1', toolUseId: 't2', changes: Array.from({ length: 1005 }, (_, i) => ({ status: 'added', path: `f${i}` })) });
    expect(log.changesOf('s1', 't1')).toEqual([
      { toolUseId: 't1', status: 'deleted', path: 'old.txt' },
      { toolUseId: 't1', status: 'added', path: 'new.txt' },
    ]);
    const many = log.changesOf('s1', 't2');
    expect(many).toHaveLength(1001);
    expect(many.at(-1)).toEqual({ toolUseId: 't2', status: 'more', path: '5 more files' });
  });

  it('records every rollback and undo (who, from, to, the call, the files), counts them, and keeps them append-only', () => {
    const { log, path } = tempLog();
    log.startSession({ id: 's1', agent: 'claude', workspace: '/w', argv: [], configPath: null, version: '0' });
    const base = { sessionId: 's1', actor: 'alice', notRestored: [] };
    log.rollback({
      ...base,
      kind: 'rollback',
      by: 'panel',
      from: 'a'.repeat(40),
      to: 'b'.repeat(40),
      step: 't1',
      files: [{ status: 'deleted', path: 'junk.txt' }],
    });
    log.rollback({
      ...base,
      kind: 'undo',
      by: 'cli',
      from: 'c'.repeat(40),
      to: 'a'.repeat(40),
      step: null,
      files: Array.from({ length: 1002 }, (_, i) => ({ status: 'added', path: `f${i}` })),
      notRestored: ['x: a nested repository'],
    });
    log.rollback({ ...base, kind: 'rollback', by: 'cli-forced', from: null, to: 'b'.repeat(40), step: null, files: [], error: 'disk full' });
    const rows = log.rollbacksOf('s1');
    expect(rows.map((r) => [r.kind, r.by, r.actor, r.step, r.fileCount, r.error])).toEqual([
      ['rollback', 'panel', 'alice', 't1', 1, null],
      ['undo', 'cli', 'alice', null, 1002, null],
      ['rollback', 'cli-forced', 'alice', null, 0, 'disk full'],
    ]);
    expect(rows[1]!.files).toHaveLength(1001);
    expect(rows[1]!.files.at(-1)).toEqual({ status: 'more', path: '2 more files' });
    expect(rows[1]!.notRestored).toEqual(['x: a nested repository']);
    expect(log.summary('s1')!.rollbacks).toEqual({ rollbacks: 1, undos: 1, failed: 1 });
    log.close();
    const db = new Database(path);
    for (const sql of ["UPDATE rollbacks SET by = 'x'", 'DELETE FROM rollbacks']) expect(() => db.exec(sql), sql).toThrow(/append-only/);
    db.close();
  });

  it('stores inputs redacted', () => {
    const { log, path } = tempLog();
    log.startSession({ id: 's1', agent: 'claude', workspace: '/w', argv: ['--token', 'x'], configPath: null, version: '0' });
    log.toolCall({
      sessionId: 's1',
      toolUseId: 't1',
      agent: 'claude',
      tool: 'Bash',
      kind: 'shell',
      summary: 'DB_PASSWORD=hunter2hunter2 npm start',
      cwd: null,
      input: { command: 'DB_PASSWORD=hunter2hunter2 npm start' },
    });
    log.close();
    const raw = new Database(path).prepare('SELECT summary, input FROM tool_calls').get() as { summary: string; input: string };
    expect(raw.summary + raw.input).not.toContain('hunter2hunter2');
  });

  it('processes opening a new log at the same moment each find it whole (the migrations run once)', async () => {
    const { log, path } = tempLog();
    log.close();
    rmSync(path, { force: true });
    const store = new URL('../../dist/audit/store.js', import.meta.url).href;
    const code = `const { AuditLog } = await import(${JSON.stringify(store)}); const l = AuditLog.open(process.argv[1]); console.log(l.schemaVersion); l.close();`;
    const runs = Array.from(
      { length: 6 },
      () =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(process.execPath, ['--input-type=module', '-e', code, path], { stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
          child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
          child.on('close', (c) => resolve({ code: c, out }));
        }),
    );
    const results = await Promise.all(runs);
    expect(results.map((r) => [r.code, r.out.trim()])).toEqual(results.map(() => [0, '7']));
  });

  it('migrates by user_version and refuses a newer schema', () => {
    const { log, path } = tempLog();
    expect(log.schemaVersion).toBe(7);
    log.close();
    const db = new Database(path);
    db.pragma('user_version = 99');
    db.close();
    expect(() => AuditLog.open(path)).toThrow(/newer than this harness/);
  });
});
