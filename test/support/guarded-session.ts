import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { claudeAdapter } from '../../src/agents/claude.js';
import { AuditLog } from '../../src/audit/store.js';
import { CheckpointStore } from '../../src/checkpoints/store.js';
import { ApprovalBus } from '../../src/session/hook/approvals.js';
import { SessionGuard, type RestorePolicy } from '../../src/session/guard/guard.js';
import { createHookHandler } from '../../src/session/hook/hook-handler.js';
import { LivePolicy, sessionProcessRules } from '../../src/session/live-policy.js';
import { ProtectedFiles } from '../../src/session/guard/protected-files.js';
import { ToolGate } from '../../src/session/tool-gate.js';
import { auditPathFor, stateDirFor } from '../../src/workspace.js';

/** Run these after each test (afterEach(runCleanup)). */
export const cleanup: (() => void)[] = [];
export function runCleanup(): void {
  for (const c of cleanup.splice(0).reverse()) c();
}

/**
 * A session on a real repo with the guard on, the way the supervisor wires it (state directory,
 * audit database and injected settings where harness keeps them); tool calls run `effect` between
 * PreToolUse and PostToolUse.
 */
export async function guardedSession(options: { restore?: RestorePolicy; config?: unknown; confirm?: boolean } = {}) {
  const root = mkdtempSync(join(tmpdir(), 'harness-guard-'));
  const repo = join(root, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  writeFileSync(join(repo, '.gitignore'), '*.log\n');
  const configPath = join(repo, 'harness.config.json');
  writeFileSync(configPath, JSON.stringify(options.config ?? {}));
  // the policy's {state} and {audit} are where this session keeps them
  const previousStateDir = process.env.HARNESS_STATE_DIR;
  process.env.HARNESS_STATE_DIR = join(root, 'state');
  cleanup.push(() => {
    if (previousStateDir === undefined) delete process.env.HARNESS_STATE_DIR;
    else process.env.HARNESS_STATE_DIR = previousStateDir;
  });
  const state = stateDirFor(repo);
  const settingsPath = join(state, 'run', 'session', 'claude-settings.json');
  mkdirSync(dirname(settingsPath), { recursive: true });
  writeFileSync(settingsPath, '{"hooks":{}}');
  const auditPath = auditPathFor(repo);
  const audit = AuditLog.open(auditPath);
  const checkpoints = CheckpointStore.open(repo, state);
  await checkpoints.track();
  const sessionId = 'guard-session';
  audit.startSession({ id: sessionId, agent: 'claude', workspace: repo, argv: [], configPath, version: 'test' });
  const gate = new ToolGate();
  const live = new LivePolicy(repo);
  live.addRules(sessionProcessRules([process.pid]));
  const alerts: string[] = [];
  const files = new ProtectedFiles([
    { path: configPath, kind: 'harness-config' },
    { path: settingsPath, kind: 'harness-settings' },
    { path: join(repo, '.claude', 'settings.json'), kind: 'agent-settings' },
    { path: join(repo, '.git', 'config'), kind: 'git' },
    { path: join(repo, '.git', 'hooks'), kind: 'git', directory: true },
  ]);
  let agentPid: number | null = null;
  const guard = new SessionGuard({
    sessionId,
    workspace: repo,
    audit,
    gate,
    live,
    files,
    checkpoints,
    restore: options.restore ?? 'harness',
    alert: (t) => alerts.push(t),
    confirm: options.confirm === undefined ? undefined : async () => options.confirm!,
    agentPid: () => agentPid,
  });
  guard.start();
  cleanup.push(() => {
    guard.stop();
    checkpoints.close();
    audit.close();
    rmSync(root, { recursive: true, force: true });
  });
  const handle = createHookHandler({
    adapter: claudeAdapter,
    policy: () => live.policy,
    audit,
    approvals: new ApprovalBus('deny'),
    sessionId,
    workspace: repo,
    approvalTimeoutSeconds: 5,
    checkpoints,
    gate,
    guard,
  });
  let n = 0;
  const call = async (command: string, effect: () => void | Promise<void> = () => {}) => {
    const payload = { session_id: 's', tool_use_id: `t${++n}`, tool_name: 'Bash', tool_input: { command }, cwd: repo, hook_event_name: 'PreToolUse' };
    const reply = await handle('claude', 'pre', payload);
    if (reply.verdict === 'allow') await effect();
    await handle('claude', 'post', { ...payload, hook_event_name: 'PostToolUse', tool_response: {} });
    return { verdict: reply.verdict, body: reply.body, id: payload.tool_use_id };
  };
  const events = () => audit.eventsOf(sessionId);
  const kinds = () => events().map((e) => e.kind);
  return {
    repo,
    root,
    state,
    auditPath,
    configPath,
    settingsPath,
    audit,
    sessionId,
    handle,
    call,
    events,
    kinds,
    alerts,
    guard,
    gate,
    setAgent: (pid: number) => (agentPid = pid),
  };
}
