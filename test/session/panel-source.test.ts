import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeAdapter } from '../../src/agents/claude.js';
import { AuditLog } from '../../src/audit/store.js';
import { CheckpointStore } from '../../src/checkpoints/store.js';
import { ApprovalBus } from '../../src/session/hook/approvals.js';
import { createHookHandler } from '../../src/session/hook/hook-handler.js';
import { panelSource } from '../../src/session/view/panel-source.js';
import { SessionRollback } from '../../src/session/rollback/rollback.js';
import { SessionRules } from '../../src/session/hook/session-rules.js';
import { ToolGate } from '../../src/session/tool-gate.js';
import { policyFor } from '../../src/config/policy.js';

const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A real session without an agent: the hook handler on a real repo, store and audit log; tool calls are simulated by writing files between PreToolUse and PostToolUse. */
async function session(answer?: { verdict: 'allow' | 'deny'; remember?: boolean }) {
  const root = mkdtempSync(join(tmpdir(), 'harness-panel-'));
  const repo = join(root, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  writeFileSync(join(repo, 'keep.txt'), 'keep\n');
  const audit = AuditLog.open(join(root, 'audit.db'));
  const checkpoints = CheckpointStore.open(repo, join(root, 'state'));
  await checkpoints.track();
  cleanup.push(() => {
    checkpoints.close();
    audit.close();
    rmSync(root, { recursive: true, force: true });
  });
  const sessionId = 'panel-session';
  audit.startSession({ id: sessionId, agent: 'claude', workspace: repo, argv: [], configPath: null, version: 'test' });
  const gate = new ToolGate();
  const rules = new SessionRules(repo);
  const approvals = new ApprovalBus('deny');
  if (answer) approvals.attach((request) => queueMicrotask(() => approvals.answer(request.id, { ...answer, by: 'human' })));
  const handle = createHookHandler({
    adapter: claudeAdapter,
    policy: policyFor(repo).policy,
    audit,
    approvals,
    sessionId,
    workspace: repo,
    approvalTimeoutSeconds: 5,
    checkpoints,
    gate,
    rules,
    actor: 'tester',
  });
  let n = 0;
  /** One Bash call that runs `effect` on the tree when allowed. */
  const call = async (command: string, effect: () => void = () => {}) => {
    const payload = { session_id: 's', tool_use_id: `t${++n}`, tool_name: 'Bash', tool_input: { command }, cwd: repo, hook_event_name: 'PreToolUse' };
    const reply = await handle('claude', 'pre', payload);
    if (reply.verdict === 'allow') effect();
    await handle('claude', 'post', { ...payload, hook_event_name: 'PostToolUse', tool_response: { stdout: '' } });
    return reply.verdict;
  };
  const source = panelSource({
    sessionId,
    workspace: repo,
    agent: 'claude',
    audit,
    checkpoints,
    rollback: new SessionRollback(checkpoints, audit, gate, sessionId),
    rules,
  });
  return { repo, call, source, audit, sessionId };
}

describe('the panel over a real session', () => {
  it('timeline, per-step diffs, rollback to before a step, undo and redo', async () => {
    const { repo, call, source, audit, sessionId } = await session();
    expect(await call('echo one > a.txt', () => writeFileSync(join(repo, 'a.txt'), 'one\n'))).toBe('allow');
    expect(await call('ls')).toBe('allow');
    expect(await call('echo two >> a.txt && rm keep.txt', () => (writeFileSync(join(repo, 'a.txt'), 'one\ntwo\n'), rmSync(join(repo, 'keep.txt'))))).toBe(
      'allow',
    );
    expect(await call('rm -rf ~')).toBe('deny');

    const steps = source.timeline();
    expect(steps.map((s) => s.kind === 'call' && [s.summary, s.verdict, Boolean(s.checkpoint), s.filesChanged])).toEqual([
      ['echo one > a.txt', 'allow', true, 1],
      ['ls', 'allow', false, 0],
      ['echo two >> a.txt && rm keep.txt', 'allow', true, 2],
      ['rm -rf ~', 'deny', false, 0],
    ]);
    expect(source.status()).toMatchObject({ allowed: 3, denied: 1, asked: 0, lastCheckpoint: { id: steps[2]!.checkpoint } });

    // each step's diff is what that step did
    const first = await source.diff(steps[0]!.id);
    expect(first.filter((l) => l.kind === 'added').map((l) => l.text)).toEqual(['one']);
    const third = await source.diff(steps[2]!.id);
    expect(third.find((l) => l.kind === 'note')?.text).toMatch(/compared with the working tree/);
    expect(third.filter((l) => l.kind === 'file').map((l) => l.text)).toEqual(['a.txt', 'keep.txt']);
    expect(await source.diff(steps[3]!.id)).toEqual([{ kind: 'note', text: 'denied: it did not run' }]);

    // roll back to just before the third step: the plan lists the files first
    const plan = await source.planRollback(steps[2]!.id);
    expect(plan.changes).toEqual(
      expect.arrayContaining([
        { status: 'modified', path: 'a.txt' },
        { status: 'added', path: 'keep.txt' },
      ]),
    );
    expect(existsSync(join(repo, 'keep.txt'))).toBe(false);
    const done = await source.rollback(steps[2]!.id);
    expect(done.changes).toHaveLength(2);
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('one\n');
    expect(readFileSync(join(repo, 'keep.txt'), 'utf8')).toBe('keep\n');
    // the agent is told with its next call
    expect(await call('ls')).toBe('deny');

    // the rollback is on the timeline; undo puts the present back, undo again redoes the rollback
    expect(source.timeline().filter((s) => s.kind === 'rollback')).toHaveLength(1);
    expect(source.canUndo()).toBe(true);
    await source.undo();
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('one\ntwo\n');
    expect(existsSync(join(repo, 'keep.txt'))).toBe(false);
    await source.undo();
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('one\n');

    // r on a rollback entry goes back to the state that rollback saved
    const rollbackEntry = source.timeline().find((s) => s.kind === 'rollback')!;
    await source.rollback(rollbackEntry.id);
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('one\ntwo\n');

    // each one is in the audit log: by the panel, from and to which checkpoint, the call, the files
    const logged = audit.rollbacksOf(sessionId);
    expect(logged.map((r) => [r.kind, r.by, r.step, r.fileCount])).toEqual([
      ['rollback', 'panel', steps[2]!.id, 2],
      ['undo', 'panel', null, 2],
      ['undo', 'panel', null, 2],
      ['rollback', 'panel', null, 2],
    ]);
    expect(logged[0]!.to).toBe(steps[2]!.checkpoint);
    expect(logged[1]!.to).toBe(logged[0]!.from);
    expect(logged[3]!.to).toBe(logged[0]!.from);
    expect(
      source
        .timeline()
        .filter((s) => s.kind === 'rollback')
        .map((s) => s.summary),
    ).toEqual([
      expect.stringMatching(/^rollback by panel to [0-9a-f]{12}: 2 file\(s\) changed$/),
      expect.stringMatching(/^undo by panel/),
      expect.stringMatching(/^undo by panel/),
      expect.stringMatching(/^rollback by panel/),
    ]);
    expect(audit.summary(sessionId)!.rollbacks).toEqual({ rollbacks: 2, undos: 2, failed: 0 });
  });

  it('a step without a checkpoint cannot be rolled back to, with a reason', async () => {
    const { call, source } = await session();
    await call('ls');
    const [step] = source.timeline();
    await expect(source.planRollback(step!.id)).rejects.toThrow(/no checkpoint before it/);
    await expect(source.rollback(step!.id)).rejects.toThrow(/no checkpoint before it/);
    expect(source.canUndo()).toBe(false);
    expect(await source.undo()).toBeNull();
  });

  it('"a" adds a session rule the next identical call uses; revoking it asks again; the log records both', async () => {
    const { source, audit, sessionId, call } = await session({ verdict: 'allow', remember: true });
    expect(await call('git reset --hard')).toBe('allow');
    expect(source.sessionRules().map((r) => r.description)).toEqual(['allow `git reset --hard` in the workspace root']);
    expect(await call('git reset --hard')).toBe('allow');
    const [rule] = source.sessionRules();
    source.revokeRule(rule!.id);
    expect(source.sessionRules()).toEqual([]);
    expect(await call('git reset --hard')).toBe('allow');
    const rows = audit.query({ sessionId });
    expect(rows.map((r) => [r.decidedBy, r.actor])).toEqual([
      ['human', 'tester'],
      ['session', 'tester'],
      ['human', 'tester'],
    ]);
    expect(rows[1]!.reason).toMatch(/allowed for this session by the person \(session\.1/);
    expect(audit.eventsOf(sessionId).map((e) => e.kind)).toEqual(['session-rule-added', 'session-rule-revoked', 'session-rule-added']);
    expect(
      source
        .timeline()
        .filter((s) => s.kind === 'call')
        .map((s) => s.decidedBy),
    ).toEqual(['human', 'session', 'human']);
  });
});
