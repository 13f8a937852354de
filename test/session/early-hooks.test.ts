import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import type { runSession as RunSession } from '../../src/session/supervisor.js';
import { auditPathFor } from '../../src/workspace.js';
import { FAKE_CLAUDE, fakeClaude } from '../support/fake-claude.js';
import { until } from '../support/until.js';

/**
 * The agent starts before harness has finished setting up (the log, the checkpoint store, the rules,
 * the watcher): a hook call it makes meanwhile waits. It is decided by the rules once set-up is
 * done, and refused, never allowed, when set-up fails. The call is made to arrive while set-up is
 * held at its last step (the watcher), by a Claude Code stand-in on the real hook client.
 */
const root = mkdtempSync(join(homedir(), '.harness-early-hooks-'));
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }));

// the hook server says, with HARNESS_TRACE, when a request has come in: the test waits for that
let received = 0;
let runSession: typeof RunSession;
beforeAll(async () => {
  process.env.HARNESS_TRACE = '1';
  const write = process.stderr.write.bind(process.stderr);
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array, ...rest: unknown[]) => {
    const text = String(chunk);
    if (text.includes('hook pre: received')) received++;
    return text.startsWith('harness-trace') ? true : write(chunk, ...(rest as []));
  });
  ({ runSession } = await import('../../src/session/supervisor.js'));
});
afterEach(() => {
  received = 0;
});

function workspace(name: string) {
  const dir = join(root, name);
  const repo = join(dir, 'repo');
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const agent = fakeClaude(dir, [{ tool: 'Bash', id: 'early', input: { command: 'touch early.txt', description: 'x' }, run: 'touch early.txt' }, { exit: 0 }]);
  Object.assign(process.env, agent.env, { HARNESS_STATE_DIR: join(dir, 'state') });
  return { repo, agent };
}

const run = (repo: string, fault: (step: string) => void | Promise<void>) =>
  runSession({ agent: 'claude', args: [], cwd: repo, binary: FAKE_CLAUDE, transport: 'command', noSandbox: true, version: 'test', fault });

/** Holds set-up at the watcher until the agent's first hook call has reached harness. */
const heldUntilTheCall = (then: () => void) => async (step: string) => {
  if (step !== 'watcher') return;
  await until("the agent's first hook call to reach harness", () => received > 0);
  then();
};

const decisions = (repo: string) => {
  const log = AuditLog.open(auditPathFor(repo));
  try {
    return { rows: log.query({ sessionId: log.latestSessionId()! }), open: log.openSessions() };
  } finally {
    log.close();
  }
};

describe('a hook call that arrives before set-up is done', () => {
  it('waits, and is decided by the rules once set-up is done', async () => {
    const { repo, agent } = workspace('ok');
    const r = await run(
      repo,
      heldUntilTheCall(() => undefined),
    );
    expect(r.exitCode).toBe(0);
    expect(agent.answers().find((a) => a.id === 'early' && a.event === 'pre')).toMatchObject({ allowed: true });
    expect(existsSync(join(repo, 'early.txt'))).toBe(true);
    expect(decisions(repo).rows.find((row) => row.toolUseId === 'early')).toMatchObject({ verdict: 'allow', decidedBy: 'rule' });
  }, 60_000);

  it('is refused, never allowed, when set-up fails: the agent is stopped and the session closed', async () => {
    const { repo, agent } = workspace('fails');
    await expect(
      run(
        repo,
        heldUntilTheCall(() => {
          throw new Error('injected at the watcher');
        }),
      ),
    ).rejects.toThrow('injected at the watcher');
    // the tool never ran; if the agent lived to hear the answer, it was a no
    expect(existsSync(join(repo, 'early.txt'))).toBe(false);
    expect(agent.answers().filter((a) => a.allowed)).toEqual([]);
    const { rows, open } = decisions(repo);
    expect(rows.filter((row) => row.verdict === 'allow')).toEqual([]);
    expect(open).toEqual([]);
  }, 60_000);
});
