import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import { auditPathFor, runtimeDirFor } from '../../src/workspace.js';
import { HARNESS_BIN, runHarness } from '../support/agent-env.js';
import { PtyDriver } from '../support/pty-driver.js';
import { until } from '../support/until.js';

/**
 * The supervisor dies (SIGKILL: no handler, no cleanup of its own) while its agent runs, without
 * the OS sandbox (which ends the agent by itself: see sandbox.test.ts). The agent's whole tree must
 * end, its runtime directory (tokens, generated settings) go, and the session be closed in the log.
 */
const root = mkdtempSync(join(tmpdir(), 'harness-faults-sup-'));
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }));

const leftovers: string[] = [];
afterEach(() => {
  // whatever a failed test left running
  for (const id of leftovers.splice(0)) for (const pid of processesOf(id)) signal(pid, 'SIGKILL');
});

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone
  }
}

/** Live (not zombie) processes carrying the session's marker in their environment. */
function processesOf(sessionId: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) continue;
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`HARNESS_SESSION_ID=${sessionId}`)) out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

/** The watchdog process of a supervisor. */
function watchdogOf(supervisor: number): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === supervisor && readFileSync(`/proc/${name}/cmdline`, 'utf8').includes('watchdog-main.js')) return Number(name);
    } catch {
      // gone
    }
  }
  return null;
}

function workspace(name: string) {
  const dir = join(root, name);
  const repo = join(dir, 'repo');
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  // background jobs of every kind: plain, setsid (another session), nohup, and one that ignores SIGTERM and SIGHUP
  writeFileSync(
    join(repo, 'agent.sh'),
    [
      "trap '' TERM HUP",
      "(trap '' TERM HUP; exec sleep 600) &",
      '( setsid sleep 601 & )',
      'nohup sleep 602 >/dev/null 2>&1 &',
      'sleep 603 &',
      'echo started > started.txt',
      'sleep 604',
      '',
    ].join('\n'),
  );
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: join(dir, 'home'),
    HARNESS_STATE_DIR: join(dir, 'state'),
    NO_COLOR: '1',
    TERM: 'xterm-256color',
    LANG: 'C.UTF-8',
  };
  mkdirSync(env.HOME!, { recursive: true });
  return { repo, env };
}

function withLog<T>(repo: string, env: NodeJS.ProcessEnv, read: (log: AuditLog) => T): T {
  const log = AuditLog.open(auditPathFor(repo, env));
  try {
    return read(log);
  } finally {
    log.close();
  }
}

/** The session the supervisor started, once it is in the log with its agent's processes running. */
async function started(repo: string, env: NodeJS.ProcessEnv, processes = 6): Promise<string> {
  await until('the agent to start', () => existsSync(join(repo, 'started.txt')));
  const id = await until('the session in the log', () => existsSync(auditPathFor(repo, env)) && withLog(repo, env, (log) => log.latestSessionId()));
  leftovers.push(id);
  // the agent, its shell's jobs and the sleeps
  await until("the agent's processes", () => processesOf(id).length >= processes);
  return id;
}

/** The runtime directory of a session (the same computation harness makes, with the test's state dir). */
function runtimeDir(repo: string, env: NodeJS.ProcessEnv, id: string): string {
  const saved = process.env.HARNESS_STATE_DIR;
  process.env.HARNESS_STATE_DIR = env.HARNESS_STATE_DIR;
  try {
    return runtimeDirFor(repo, id);
  } finally {
    if (saved === undefined) delete process.env.HARNESS_STATE_DIR;
    else process.env.HARNESS_STATE_DIR = saved;
  }
}

describe('the supervisor is killed (SIGKILL) while the agent runs, no sandbox', () => {
  it('without a terminal: every process of the agent ends (background, setsid, nohup, SIGTERM-proof), the runtime directory goes, the session is closed as interrupted', async () => {
    const { repo, env } = workspace('plain');
    const harness = spawn(process.execPath, [HARNESS_BIN, 'run', '--no-sandbox', '--no-summary', '--', 'bash', 'agent.sh'], {
      cwd: repo,
      env,
      stdio: 'ignore',
    });
    const id = await started(repo, env);
    const dir = runtimeDir(repo, env, id);
    expect(existsSync(dir)).toBe(true);
    const exited = new Promise((r) => harness.once('exit', r));
    harness.kill('SIGKILL');
    await exited;
    await until('every process of the session to end', () => processesOf(id).length === 0);
    await until('the runtime directory to go', () => !existsSync(dir));
    // closed at once by the watchdog, or at the latest by the next command
    const r = await runHarness(['log', '--json'], env, repo);
    expect(r.code, r.stderr).toBe(0);
    expect(withLog(repo, env, (log) => log.openSessions().map((s) => s.id))).not.toContain(id);
    expect(withLog(repo, env, (log) => log.eventsOf(id).map((e) => e.kind))).toContain('interrupted');
    expect(JSON.parse(r.stdout).session).toMatchObject({ id, exitCode: null });
  }, 120_000);

  it('in a terminal: the same, and the terminal is handed back usable (cooked mode, echo) with a line saying what happened', async () => {
    const { repo, env } = workspace('pty');
    // as from a person's shell: the shell leads the terminal's session and outlives harness
    const driver = new PtyDriver(
      'bash',
      [
        '-c',
        '"$@"; echo "harness ended: $?"; exec sleep 600',
        'shell',
        process.execPath,
        HARNESS_BIN,
        'run',
        '--no-sandbox',
        '--no-summary',
        '--',
        'bash',
        'agent.sh',
      ],
      { cwd: repo, env },
    );
    const id = await started(repo, env);
    const supervisor = withLog(repo, env, (log) => log.openSessions().find((s) => s.id === id)!.pid);
    const slave = (driver.pty as unknown as { ptsName?: string }).ptsName;
    // harness has the terminal in raw mode while the agent runs
    expect(slave).toMatch(/^\/dev\/pts\//);
    if (slave) await until('harness to put the terminal in raw mode', () => /-icanon/.test(execFileSync('stty', ['-F', slave, '-a'], { encoding: 'utf8' })));
    const mark = driver.mark();
    signal(supervisor, 'SIGKILL');
    await driver.waitFor('harness ended: 137', 30_000, mark);
    await until('every process of the session to end', () => processesOf(id).length === 0);
    await driver.waitFor(/the supervisor \(pid \d+\) died; \d+ of its agent's processes were ended/, 30_000, mark);
    if (slave) {
      const modes = execFileSync('stty', ['-F', slave, '-a'], { encoding: 'utf8' });
      expect(modes).toMatch(/(^|\s)icanon(\s|$)/);
      expect(modes).toMatch(/(^|\s)echo(\s|$)/);
    }
    expect(existsSync(runtimeDir(repo, env, id))).toBe(false);
    await until('the session closed', () => !withLog(repo, env, (log) => log.openSessions().some((s) => s.id === id)));
    driver.pty.kill();
  }, 120_000);

  it('the watchdog killed too: the next harness command (checkpoints) closes the session as interrupted and removes its runtime directory', async () => {
    const { repo, env } = workspace('no-watchdog');
    const harness = spawn(process.execPath, [HARNESS_BIN, 'run', '--no-sandbox', '--no-summary', '--', 'bash', 'agent.sh'], {
      cwd: repo,
      env,
      stdio: 'ignore',
    });
    const id = await started(repo, env);
    const dir = runtimeDir(repo, env, id);
    const dog = await until('the watchdog', () => watchdogOf(harness.pid!));
    signal(dog, 'SIGKILL');
    await until('the watchdog to end', () => watchdogOf(harness.pid!) === null);
    const exited = new Promise((r) => harness.once('exit', r));
    harness.kill('SIGKILL');
    await exited;
    // nothing cleaned up: the session is still open, its tokens still there
    expect(withLog(repo, env, (log) => log.openSessions().map((s) => s.id))).toContain(id);
    expect(existsSync(dir)).toBe(true);
    const r = await runHarness(['checkpoints'], env, repo);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(dir)).toBe(false);
    expect(withLog(repo, env, (log) => log.openSessions().map((s) => s.id))).not.toContain(id);
    expect(withLog(repo, env, (log) => log.eventsOf(id).map((e) => e.kind))).toContain('interrupted');
    // the agent itself outlived both (nothing watched it): the test ends it
    for (const pid of processesOf(id)) signal(pid, 'SIGKILL');
  }, 120_000);

  it('a session whose supervisor still runs is left alone by the next command', async () => {
    const { repo, env } = workspace('alive');
    writeFileSync(join(repo, 'agent.sh'), 'echo started > started.txt; exec sleep 600\n');
    const harness = spawn(process.execPath, [HARNESS_BIN, 'run', '--no-sandbox', '--no-summary', '--', 'bash', 'agent.sh'], {
      cwd: repo,
      env,
      stdio: 'ignore',
    });
    const id = await started(repo, env, 1);
    const r = await runHarness(['log', '--json'], env, repo);
    expect(r.code, r.stderr).toBe(0);
    expect(withLog(repo, env, (log) => log.openSessions().map((s) => s.id))).toContain(id);
    expect(existsSync(runtimeDir(repo, env, id))).toBe(true);
    // a normal end: the watchdog leaves without touching anything, the session closes with the agent's code
    const exited = new Promise<number | null>((r) => harness.once('exit', (code) => r(code)));
    harness.kill('SIGTERM');
    expect(await exited).toBe(143);
    await until('every process of the session to end', () => processesOf(id).length === 0);
    expect(withLog(repo, env, (log) => log.eventsOf(id).map((e) => e.kind))).not.toContain('interrupted');
  }, 120_000);
});
