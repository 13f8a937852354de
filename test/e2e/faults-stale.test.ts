import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import { auditPathFor } from '../../src/workspace.js';
import { HARNESS_BIN, runHarness } from '../support/agent-env.js';
import { fakeClaude } from '../support/fake-claude.js';
import { until } from '../support/until.js';

const root = mkdtempSync(join(tmpdir(), 'harness-faults-stale-'));
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }));

describe('the supervisor is stopped (SIGSTOP) while a hook call waits, and continued after the hook client gave up', () => {
  it('the call is logged as what it was (stale: blocked, never run), with no checkpoint; the next call is decided as usual', async () => {
    const dir = join(root, 'stop');
    const repo = join(dir, 'repo');
    mkdirSync(repo, { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    const flag = (name: string) => join(dir, name);
    // a Claude Code stand-in driving the real hook client (waiting 1 s instead of the configured time)
    const agent = fakeClaude(dir, [
      { touch: flag('ready') },
      { waitFor: flag('go') },
      { tool: 'Bash', id: 'stale-call', input: { command: 'touch stale.txt', description: 'x' }, run: 'touch stale.txt', clientTimeout: 1 },
      { touch: flag('hooked') },
      { waitFor: flag('go-on') },
      { tool: 'Bash', id: 'next-call', input: { command: 'touch next.txt', description: 'x' }, run: 'touch next.txt' },
      { exit: 0 },
    ]);
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: join(dir, 'home'), HARNESS_STATE_DIR: join(dir, 'state'), NO_COLOR: '1', ...agent.env };
    mkdirSync(env.HOME!, { recursive: true });
    const harness = spawn(process.execPath, [HARNESS_BIN, 'run', '--no-sandbox', '--no-summary', '--hook-transport', 'command', 'claude'], {
      cwd: repo,
      env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    harness.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => harness.once('exit', (code) => r(code)));
    await until('the agent to start', () => existsSync(flag('ready')));

    harness.kill('SIGSTOP');
    try {
      writeFileSync(flag('go'), '');
      // the hook client connects (the kernel accepts for the stopped process), waits, gives up, fails closed
      await until('the hook client to give up', () => existsSync(flag('hooked')));
    } finally {
      harness.kill('SIGCONT');
    }
    const pre = agent.answers();
    expect(pre[0]).toMatchObject({ id: 'stale-call', event: 'pre', allowed: false, code: 2 });
    expect(pre[0]!.stderr).toMatch(/did not answer in time/);

    // harness, continued, reads the request the client no longer waits for
    const log = () => AuditLog.open(auditPathFor(repo, env));
    const decided = await until('harness to decide the stale call', () => {
      const l = log();
      try {
        const row = l.query({ sessionId: l.latestSessionId()! }).find((r) => r.toolUseId === 'stale-call');
        return row?.verdict ? row : null;
      } finally {
        l.close();
      }
    });
    writeFileSync(flag('go-on'), '');
    expect(await exited, stderr).toBe(0);

    expect(decided).toMatchObject({ verdict: 'deny', decidedBy: 'stale', ruleId: 'core.stale' });
    expect(decided.reason).toMatch(/stopped waiting before harness answered.*did not run/);
    const l = log();
    const id = l.latestSessionId()!;
    const checkpoints = l.checkpointsOf(id);
    const rows = l.query({ sessionId: id });
    const summary = l.summary(id)!;
    l.close();
    // no checkpoint is attributed to the call that never ran, and it is not counted as allowed
    expect(checkpoints.filter((c) => c.toolUseId === 'stale-call')).toEqual([]);
    expect(existsSync(join(repo, 'stale.txt'))).toBe(false);
    expect(summary).toMatchObject({ stale: 1, allowed: 1 });
    // the session goes on as usual: the next call is allowed, with its checkpoint, and ran
    expect(rows.find((r) => r.toolUseId === 'next-call')).toMatchObject({ verdict: 'allow', decidedBy: 'rule', ok: true });
    expect(checkpoints.filter((c) => c.toolUseId === 'next-call')).toHaveLength(1);
    expect(existsSync(join(repo, 'next.txt'))).toBe(true);

    const shown = await runHarness(['log'], env, repo);
    expect(shown.stdout).toMatch(/1 abandoned by a hook client that stopped waiting/);
    expect(shown.stdout).toMatch(/deny\s+\[stale\] Bash touch stale\.txt/);
  }, 120_000);
});
