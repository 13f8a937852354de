import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HARNESS_BIN } from '../support/agent-env.js';
import { fakeClaude } from '../support/fake-claude.js';

/**
 * harness's state directory on a small file system of its own that is full or read-only: at the
 * start, during a session, at its end. Tests run as root, and root ignores file modes, so the
 * faults are real ones: a tmpfs mounted read-only or filled up, in a private mount namespace (as
 * root: `unshare --mount`; otherwise a user namespace) that ends with the test, so no mount is left
 * behind and nothing outside the tmpfs can fill up.
 */
const root = mkdtempSync(join(tmpdir(), 'harness-faults-state-'));
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }));

/** How to get a mount namespace in which a tmpfs can be mounted, found by trying. */
let unshare: string[] = [];
beforeAll(() => {
  const tries = [
    ['--mount', '--propagation', 'private'],
    ['--user', '--map-root-user', '--mount', '--propagation', 'private'],
  ];
  const probe = join(root, 'probe');
  mkdirSync(probe);
  const errors: string[] = [];
  for (const flags of tries) {
    const r = spawnSync('unshare', [...flags, 'sh', '-c', `mount -t tmpfs -o size=64k tmpfs '${probe}' && mountpoint -q '${probe}'`], { encoding: 'utf8' });
    if (r.status === 0) {
      unshare = flags;
      return;
    }
    errors.push(`unshare ${flags.join(' ')}: ${r.stderr || r.error?.message}`);
  }
  throw new Error(`these tests need a mount namespace to mount a small tmpfs in (root with CAP_SYS_ADMIN, or user namespaces):\n${errors.join('\n')}`);
});

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `script` (sh) in a fresh mount namespace where $STATE is a tmpfs of `sizeKb` (mounted with
 * `options`), with harness at $HARNESS. The script refuses to run unless $STATE really is that
 * tmpfs, so a fill can never reach another file system. Outcomes written to $OUT/<name>.{code,out,err}
 * by `h <name> <harness args…>` are returned by name.
 */
function inTinyState(name: string, script: string, opts: { sizeKb?: number; options?: string; env?: NodeJS.ProcessEnv; repo?: string } = {}) {
  const dir = join(root, name);
  const repo = opts.repo ?? join(dir, 'repo');
  const state = join(dir, 'state');
  const out = join(dir, 'out');
  for (const d of [repo, state, out, join(dir, 'home')]) mkdirSync(d, { recursive: true });
  if (!existsSync(join(repo, '.git'))) execFileSync('git', ['init', '-q'], { cwd: repo });
  const size = opts.sizeKb ?? 2048;
  const prelude = [
    'set -u',
    `mount -t tmpfs -o size=${size}k${opts.options ? `,${opts.options}` : ''} tmpfs "$STATE" || exit 90`,
    'mountpoint -q "$STATE" || exit 91',
    // fills $STATE and nothing else: bounded by its size, and only when it is the tmpfs
    `fill() { mountpoint -q "$STATE" && dd if=/dev/zero of="$STATE/fill" bs=4k count=${Math.ceil(size / 4) + 8} 2>/dev/null; true; }`,
    'h() { n=$1; shift; node "$HARNESS" "$@" >"$OUT/$n.out" 2>"$OUT/$n.err" </dev/null; echo $? >"$OUT/$n.code"; }',
  ].join('\n');
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    LANG: 'C.UTF-8',
    NO_COLOR: '1',
    STATE: state,
    OUT: out,
    HARNESS: HARNESS_BIN,
    HARNESS_STATE_DIR: state,
    ...opts.env,
  };
  return new Promise<{ result: (n: string) => Outcome; repo: string; state: string; dir: string; code: number | null; stderr: string }>((resolve) => {
    const child = spawn('unshare', [...unshare, 'sh', '-c', `${prelude}\n${script}`], { cwd: repo, env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) =>
      resolve({
        code,
        stderr,
        repo,
        state,
        dir,
        result: (n) => {
          const read = (ext: string) => (existsSync(join(out, `${n}.${ext}`)) ? readFileSync(join(out, `${n}.${ext}`), 'utf8') : '');
          return { code: read('code') ? Number(read('code')) : null, stdout: read('out'), stderr: read('err') };
        },
      }),
    );
  });
}

/** No stack trace, no error class names, no Node internals: what a person reads. */
function expectNoStack(text: string): void {
  expect(text).not.toMatch(/^\s+at\s/m);
  expect(text).not.toMatch(/\b[A-Z]\w*Error\b:|^Error:/m);
  expect(text).not.toMatch(/node:internal|\.js:\d+/);
}

/** The lines harness wrote to say something went wrong (the sandbox warning and the no-hooks note aside). */
function errorLines(stderr: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => l.startsWith('harness: '))
    .filter((l) => !/WITHOUT the OS sandbox|has no hooks harness can use|^harness watches the workspace/.test(l));
}

const FULL = /the disk is full; free some space on it, or point HARNESS_STATE_DIR/;
const READ_ONLY = /the file system is read-only; make it writable, or point HARNESS_STATE_DIR/;

describe('the state directory is full or read-only before a session starts', () => {
  it('full: `run` stops with one line naming the path and the fix; so do `log` and `checkpoint`', async () => {
    const r = await inTinyState('full-at-start', ['fill', 'h run run --no-sandbox -- true', 'h log log', 'h checkpoint checkpoint'].join('\n'));
    expect(r.code, r.stderr).toBe(0);
    for (const n of ['run', 'log', 'checkpoint']) {
      const o = r.result(n);
      expectNoStack(o.stderr);
      expect(o.code, `${n}: ${o.stderr}`).toBe(1);
      const lines = errorLines(o.stderr);
      expect(lines, o.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(FULL);
      expect(lines[0]).toContain(r.state);
    }
  }, 180_000);

  it('read-only: `run` stops with one line naming the path and the fix; `log` says there is no log yet', async () => {
    const r = await inTinyState('ro-at-start', ['h run run --no-sandbox -- true', 'h log log', 'h checkpoint checkpoint'].join('\n'), { options: 'ro' });
    expect(r.code, r.stderr).toBe(0);
    for (const n of ['run', 'checkpoint']) {
      const o = r.result(n);
      expectNoStack(o.stderr);
      expect(o.code, `${n}: ${o.stderr}`).toBe(1);
      const lines = errorLines(o.stderr);
      expect(lines, o.stderr).toHaveLength(1);
      expect(lines[0]).toMatch(READ_ONLY);
      expect(lines[0]).toContain(r.state);
    }
    expect(r.result('log')).toMatchObject({ code: 0, stderr: '' });
    expect(r.result('log').stdout).toMatch(/No audit log yet/);
  }, 180_000);
});

describe('the state directory fills up during a session (a Claude Code stand-in on the real hooks)', () => {
  it('calls are blocked with the reason, the person is told once, what was not logged is listed at the end, the exit code is kept, and calls go through again once there is room', async () => {
    const dir = join(root, 'full-during');
    const agent = fakeClaude(dir, [
      { tool: 'Bash', id: 'before', input: { command: 'touch a.txt', description: 'x' }, run: 'touch a.txt' },
      { sh: 'mountpoint -q "$STATE" && dd if=/dev/zero of="$STATE/fill" bs=4k count=1100 2>/dev/null' },
      { tool: 'Bash', id: 'full-1', input: { command: 'touch b.txt', description: 'x' }, run: 'touch b.txt' },
      { tool: 'Write', id: 'full-2', input: { file_path: join(dir, 'repo', 'c.txt'), content: 'x' }, run: 'touch c.txt' },
      { sh: 'rm -f "$STATE/fill"' },
      { tool: 'Bash', id: 'after', input: { command: 'touch d.txt', description: 'x' }, run: 'touch d.txt' },
      { exit: 5 },
    ]);
    const r = await inTinyState('full-during', ['h run run --no-sandbox --hook-transport command claude', 'h log log --json'].join('\n'), {
      sizeKb: 4096,
      env: agent.env,
    });
    expect(r.code, r.stderr).toBe(0);
    const run = r.result('run');
    expectNoStack(run.stderr);
    // the agent's exit code is harness's
    expect(run.code, run.stderr).toBe(5);

    const pre = (id: string) => agent.answers().find((a) => a.id === id && a.event === 'pre')!;
    expect(pre('before')).toMatchObject({ allowed: true });
    expect(pre('after')).toMatchObject({ allowed: true });
    for (const id of ['full-1', 'full-2']) {
      expect(pre(id)).toMatchObject({ allowed: false });
      // the agent is told why, with the path and the fix, so it can tell the person
      expect(JSON.parse(pre(id).stdout!).hookSpecificOutput.permissionDecisionReason).toMatch(FULL);
    }
    expect(existsSync(join(r.repo, 'b.txt'))).toBe(false);
    expect(existsSync(join(r.repo, 'c.txt'))).toBe(false);
    expect(existsSync(join(r.repo, 'd.txt'))).toBe(true);

    // told once while it happens, then the records that could not be logged, after the agent is done
    const lines = errorLines(run.stderr);
    expect(lines.filter((l) => /Tool calls are blocked until it can be written/.test(l))).toHaveLength(1);
    expect(lines.filter((l) => FULL.test(l)).length).toBeGreaterThanOrEqual(2);
    const report = run.stderr.slice(run.stderr.indexOf('could not be logged:'));
    expect(run.stderr).toMatch(/harness: \d+ record\(s\) of session [0-9a-f-]+ could not be logged:/);
    expect(report).toMatch(/tool call Bash touch b\.txt/);
    expect(report).toMatch(/decision deny \(core\.fault\) by fault for Bash touch b\.txt/);
    expect(report).toMatch(/decision deny \(core\.fault\) by fault for Write /);
    expect(report).not.toMatch(/touch d\.txt/);

    // the log has what could be written, the session's end and exit code included (there was room again)
    const log = JSON.parse(r.result('log').stdout);
    expect(log.calls.map((c: { toolUseId: string; verdict: string }) => `${c.toolUseId}:${c.verdict}`)).toEqual(['before:allow', 'after:allow']);
    expect(log.session).toMatchObject({ exitCode: 5 });
  }, 180_000);
});

describe('the state directory turns read-only while a session runs', () => {
  it("harness ends with the agent's exit code, one line naming the path and the fix for what it could not clean up, and no stack trace; later commands say the same", async () => {
    const dir = join(root, 'ro-during');
    const agent = fakeClaude(dir, [
      { tool: 'Bash', id: 'before', input: { command: 'touch a.txt', description: 'x' }, run: 'touch a.txt' },
      // a read-only view of the state from now on (what is open stays open, as when a disk goes read-only under a process)
      { sh: 'mount --bind "$STATE" "$STATE" && mount -o remount,bind,ro "$STATE"' },
      { exit: 6 },
    ]);
    const r = await inTinyState(
      'ro-during',
      ['h run run --no-sandbox --hook-transport command claude', 'h again run --no-sandbox -- true', 'h log log --json'].join('\n'),
      { env: agent.env },
    );
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(agent.log, 'utf8')).toMatch(/"code":0/);
    const run = r.result('run');
    expectNoStack(run.stderr);
    expect(run.code, run.stderr).toBe(6);
    const lines = errorLines(run.stderr);
    expect(lines, run.stderr).toHaveLength(1);
    expect(lines[0]).toMatch(READ_ONLY);
    expect(lines[0]).toContain(r.state);

    const again = r.result('again');
    expectNoStack(again.stderr);
    expect(again.code).toBe(1);
    expect(errorLines(again.stderr)).toEqual([expect.stringMatching(READ_ONLY)]);
    // reading still works
    const log = r.result('log');
    expect(log.code, log.stderr).toBe(0);
    expect(JSON.parse(log.stdout).session).toMatchObject({ exitCode: 6 });
  }, 180_000);
});
