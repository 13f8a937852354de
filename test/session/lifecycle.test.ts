import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import { Lifecycle } from '../../src/session/lifecycle.js';
import { runSession } from '../../src/session/supervisor.js';
import { auditPathFor, stateDirFor } from '../../src/workspace.js';

describe('Lifecycle', () => {
  it('releases in reverse order, every release runs though one throws, and failures are returned', async () => {
    const order: string[] = [];
    const life = new Lifecycle();
    await life.acquire(
      'a',
      () => 1,
      () => order.push('a'),
    );
    life.defer('b', () => {
      order.push('b');
      throw new Error('b broke');
    });
    await life.acquire(
      'c',
      async () => 3,
      async () => void order.push('c'),
    );
    const failed = await life.close();
    expect(order).toEqual(['c', 'b', 'a']);
    expect(failed.map((f) => f.name)).toEqual(['b']);
    expect(await life.close()).toEqual([]);
  });

  it('a step that fails is not held; the ones before it are', async () => {
    const order: string[] = [];
    const life = new Lifecycle((step) => {
      if (step === 'two') throw new Error('injected');
    });
    await life.acquire(
      'one',
      () => 1,
      () => order.push('one'),
    );
    await expect(
      life.acquire(
        'two',
        () => 2,
        () => order.push('two'),
      ),
    ).rejects.toThrow('injected');
    await life.close();
    expect(order).toEqual(['one']);
  });
});

const root = mkdtempSync(join(homedir(), '.harness-lifecycle-'));
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }));

// stdin, stdout and stderr open their handles on first use: open them before counting
void [process.stdin.isTTY, process.stdout.writable, process.stderr.writable];
const servers = (): number => process.getActiveResourcesInfo().filter((r) => /Server|TCPWrap|PipeWrap/.test(r)).length;

/** A fresh repository, harness's state and temp dirs of its own (the process environment points at them). */
function workspace(name: string): { repo: string; tmp: string } {
  const repo = join(root, name, 'repo');
  const tmp = join(root, name, 'tmp');
  mkdirSync(repo, { recursive: true });
  mkdirSync(tmp);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  process.env.HARNESS_STATE_DIR = join(root, name, 'state');
  process.env.TMPDIR = tmp;
  return { repo, tmp };
}

const AGENT_STEPS = [
  'watchdog',
  'runtime directory',
  'audit log',
  'checkpoint store',
  'hook server',
  'trusted hook socket',
  'control server',
  'agent wiring',
  'sandbox',
  'watcher',
  'agent',
];
const COMMAND_STEPS = [
  'watchdog',
  'runtime directory',
  'audit log',
  'checkpoint store',
  'control server',
  'agent wiring',
  'periodic checkpoints',
  'sandbox',
  'watcher',
  'agent',
];

describe('a start that fails at any step leaves nothing running or open', () => {
  it.each([...AGENT_STEPS.map((step) => ['claude', step] as const), ...COMMAND_STEPS.map((step) => ['-- true', step] as const)])(
    'run %s, failing at "%s"',
    async (what, step) => {
      const { repo, tmp } = workspace(`${what.replace(/\W/g, '')}-${step.replace(/\W/g, '-')}`);
      const before = servers();
      const steps: string[] = [];
      const run = runSession({
        agent: what === 'claude' ? 'claude' : 'true',
        mode: what === 'claude' ? 'agent' : 'command',
        args: [],
        cwd: repo,
        binary: what === 'claude' ? '/bin/true' : undefined,
        version: 'test',
        fault: (s) => {
          steps.push(s);
          if (s === step) throw new Error(`injected at ${s}`);
        },
      });
      await expect(run).rejects.toThrow(`injected at ${step}`);
      expect(steps).toContain(step);
      // no runtime directory (tokens, generated settings), no sandbox doors, no servers
      const runDir = join(stateDirFor(repo), 'run');
      expect(existsSync(runDir) ? readdirSync(runDir) : []).toEqual([]);
      expect(readdirSync(tmp).filter((f) => f.startsWith('harness-sbx-'))).toEqual([]);
      // sockets and child processes close asynchronously: wait for it, bounded
      const deadline = Date.now() + 10_000;
      while (servers() > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(servers(), JSON.stringify(process.getActiveResourcesInfo())).toBeLessThanOrEqual(before);
      // the session, if it was logged, is closed
      const auditPath = auditPathFor(repo);
      if (existsSync(auditPath)) {
        const log = AuditLog.open(auditPath);
        try {
          expect(log.openSessions()).toEqual([]);
        } finally {
          log.close();
        }
      }
    },
    60_000,
  );

  it('without a fault the same start runs the program and passes its exit code', async () => {
    const { repo } = workspace('ok');
    const r = await runSession({ agent: 'false', mode: 'command', args: [], cwd: repo, version: 'test' });
    expect(r.exitCode).toBe(1);
  }, 60_000);
});
