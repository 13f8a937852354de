import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { constants, userInfo } from 'node:os';
import { basename, join } from 'node:path';
import { findExecutable } from '../executable.js';
import { requestedBinary, type HookTransport } from '../agents/adapter.js';
import { adapterFor, AGENT_NAMES } from '../agents/index.js';
import { AuditLog } from '../audit/store.js';
import { HarnessError, UsageError } from '../errors.js';
import { HookServer } from '../hooks/server.js';
import { CONFIG_FILE } from '../config/load.js';
import { auditPathFor, findWorkspace, runtimeDirFor, stateDirFor } from '../workspace.js';
import { ApprovalBus } from './approvals.js';
import { createHookHandler } from './hook-handler.js';
import { CheckpointStore } from '../checkpoints/store.js';
import { PtyTerminal } from './terminal.js';
import { ControlServer } from './control.js';
import { ToolGate } from './tool-gate.js';
import { SessionRollback } from './rollback.js';
import { SessionRules } from './session-rules.js';
import { panelSource } from './panel-source.js';
import { approvalView } from './approval-view.js';
import { parseHotkey } from '../tui/keys.js';
import type { ApprovalView } from '../tui/types.js';
import { LivePolicy, sessionProcessRules } from './live-policy.js';
import { SessionGuard } from './guard.js';
import { PeriodicCheckpoints } from './periodic.js';
import { ProtectedFiles, type ProtectedSpec } from './protected-files.js';
import type { HookContext } from './hook-handler.js';

export interface RunOptions {
  /** The agent (claude, codex, gemini), or with `mode: 'command'` any program. */
  agent: string;
  /** `agent`: a supported agent, supervised through its hooks; `command`: any program, watched only. */
  mode?: 'agent' | 'command';
  args: string[];
  cwd: string;
  configPath?: string;
  /** How hooks reach harness; default: the agent's preferred one. */
  transport?: HookTransport;
  /** The agent binary; default from the agent's variable (HARNESS_CLAUDE_BIN…), else its name on PATH. */
  binary?: string;
  version: string;
}

export interface SessionResult {
  exitCode: number;
  sessionId: string;
  auditPath: string;
}

/** What the agent may not change behind harness's back. */
function protectedSpecs(workspace: string, configPath: string | null, injected: string[], agentSettings: string[]): ProtectedSpec[] {
  const specs: ProtectedSpec[] = [
    { path: configPath ?? join(workspace, CONFIG_FILE), kind: 'harness-config' },
    ...injected.map((path) => ({ path, kind: 'harness-settings' as const })),
    ...agentSettings.map((path) => ({ path, kind: 'agent-settings' as const })),
  ];
  const gitDir = join(workspace, '.git');
  if (existsSync(join(gitDir, 'config'))) specs.push({ path: join(gitDir, 'config'), kind: 'git' }, { path: join(gitDir, 'hooks'), kind: 'git', directory: true });
  return specs;
}

/** A confirmation nobody answers in time is a no. */
function withTimeout(answer: Promise<boolean>, view: ApprovalView, onTimeout: () => void): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      onTimeout();
      resolve(false);
    }, Math.max(0, view.deadline - Date.now()));
    void answer.then((yes) => {
      clearTimeout(timer);
      resolve(yes);
    });
  });
}

function currentUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/** Supervises one agent run: hooks → policy → approvals → audit; the agent's exit code is returned. */
export async function runSession(opts: RunOptions): Promise<SessionResult> {
  const hooked = opts.mode !== 'command';
  const adapter = hooked ? adapterFor(opts.agent) : undefined;
  if (hooked && !adapter) {
    throw new HarnessError(`unknown agent "${opts.agent}": harness can run ${AGENT_NAMES.join(', ')}, or any program without hooks with: harness run -- ${opts.agent}`, 2);
  }
  const transport = opts.transport ?? adapter?.transports[0] ?? 'command';
  if (adapter && !adapter.transports.includes(transport)) {
    throw new UsageError(`${adapter.title} has no ${transport} hooks; use --hook-transport ${adapter.transports.join(' or ')}.`);
  }
  adapter?.preflight(opts.args, opts.cwd, process.env);
  const workspace = findWorkspace(opts.cwd);
  const live = new LivePolicy(workspace, opts.configPath);
  const loaded = live.loaded;
  const requested = adapter ? requestedBinary(adapter, process.env, opts.binary) : opts.agent;
  const binary = findExecutable(requested);
  if (!binary) {
    throw new HarnessError(
      adapter ? `${adapter.title} was not found ("${requested}"). Install it (${adapter.installHint}) or point ${adapter.binaryEnv} at the binary.` : `"${requested}" was not found on PATH.`,
    );
  }
  const agentName = adapter ? adapter.name : basename(requested);

  const sessionId = randomUUID();
  const runtimeDir = runtimeDirFor(workspace, sessionId);
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  const auditPath = auditPathFor(workspace, process.env, loaded.config.audit?.path);
  const audit = AuditLog.open(auditPath);
  audit.startSession({ id: sessionId, agent: agentName, workspace, argv: hooked ? opts.args : [requested, ...opts.args], configPath: loaded.path, version: opts.version });

  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const approvals = new ApprovalBus(loaded.approvals.whenNoTty);

  const checkpoints = loaded.checkpoints.enabled ? CheckpointStore.open(workspace, stateDirFor(workspace), { maxFileBytes: loaded.checkpoints.maxFileBytes }) : undefined;
  // the first full scan runs while the agent starts; the first checkpoint waits for it
  const tracking = checkpoints?.track().catch(() => false);
  const gate = new ToolGate();
  const rules = new SessionRules(workspace);
  const actor = currentUser();
  const hookContext: HookContext | undefined = adapter && { adapter, policy: () => live.policy, audit, approvals, sessionId, workspace, approvalTimeoutSeconds: loaded.approvals.timeoutSeconds, checkpoints, gate, rules, actor };
  const server = hookContext ? new HookServer(createHookHandler(hookContext)) : null;
  const endpoint = await server?.start();
  const rollback = checkpoints ? new SessionRollback(checkpoints, audit, gate, sessionId) : undefined;
  const control = new ControlServer({
    rollback: async (to) => {
      if (!checkpoints || !rollback) throw new Error('checkpoints are switched off in this session');
      const done = await rollback.to(await checkpoints.resolve(to), "at the person's request (harness rollback)");
      return { saved: done.saved, changes: done.changes };
    },
  });
  await control.start(runtimeDir);
  const baseEnv = { ...process.env, HARNESS_SESSION_ID: sessionId };
  const launch =
    adapter && endpoint
      ? adapter.launch(opts.args, { runtimeDir, endpoint, transport, timeoutSeconds: loaded.approvals.timeoutSeconds + 30, env: baseEnv })
      : { args: opts.args, env: {}, injected: [] };
  if (launch.note) process.stderr.write(`harness: ${launch.note}\n`);
  // without hooks: nothing is decided before it happens, so the tree is checkpointed as it changes
  const periodic = !hooked && checkpoints ? new PeriodicCheckpoints(checkpoints, audit, sessionId, gate) : null;
  if (!hooked) {
    process.stderr.write(
      `harness: ${agentName} has no hooks harness can use, so nothing it does is decided before it happens.\n` +
        `harness watches the workspace, ${periodic ? 'checkpoints it as it changes (roll back with Ctrl-] or harness rollback), ' : ''}protects its own files and logs every change.\n`,
    );
  }
  // the first checkpoint is the tree before the program touches it
  await periodic?.start(tracking ?? Promise.resolve(false));
  const env = { ...baseEnv, ...launch.env };
  const args = launch.args;

  let agentPid: number | null = null;
  const spawned = (pid: number): void => {
    agentPid = pid;
    live.addRules(sessionProcessRules([process.pid, pid]));
  };
  let tuiLoading: Promise<import('../tui/tui.js').Tui> | null = null;
  const guard = new SessionGuard({
    sessionId,
    workspace,
    audit,
    gate,
    live,
    files: new ProtectedFiles(protectedSpecs(workspace, loaded.path, launch.injected, adapter?.settingsFiles(workspace, baseEnv) ?? [])),
    checkpoints,
    restore: loaded.watcher.restore,
    agentPid: () => agentPid,
    alert: (text) => (tuiLoading ? void tuiLoading.then((tui) => tui.notify(text)) : void process.stderr.write(`\n${text}\n`)),
    confirm: interactive
      ? (view) =>
          withTimeout(tuiLoading!.then((tui) => tui.confirm(view)), view, () => void tuiLoading!.then((tui) => tui.withdraw(view.id, 'no answer in time, so harness put the config back')))
      : undefined,
  });
  if (hookContext) hookContext.guard = guard;
  guard.start();

  let exitCode: number;
  const stopSignals = ['SIGTERM', 'SIGHUP'] as const;
  try {
    if (interactive) {
      const terminal = new PtyTerminal(process.stdin, process.stdout, parseHotkey(loaded.tui.panelKey));
      // Ink and React take a while to load: the agent starts meanwhile, the first dialog waits for them
      const loading = import('../tui/tui.js').then(({ Tui }) => {
        const tui = new Tui(terminal.surface, panelSource({ sessionId, workspace, agent: agentName, audit, checkpoints, rollback, rules }), loaded.tui.panelKey);
        terminal.attach(tui);
        return tui;
      });
      tuiLoading = loading;
      approvals.attach(
        (request) =>
          void loading
            .then((tui) => tui.ask(approvalView(request, workspace, rules.describe(request.event))))
            .then((choice) =>
              approvals.answer(request.id, choice.verdict === 'allow' ? { verdict: 'allow', by: 'human', remember: choice.remember } : { verdict: 'deny', by: 'human', message: choice.message }),
            ),
        (id, answer) => {
          if (answer.by !== 'human') void loading.then((tui) => tui.withdraw(id, answer.by === 'timeout' ? `no answer in ${loaded.approvals.timeoutSeconds}s, so harness denied` : 'denied'));
        },
      );
      const stop = (): void => terminal.kill('SIGTERM');
      stopSignals.forEach((s) => process.on(s, stop));
      try {
        exitCode = await terminal.run(binary, args, env, opts.cwd, spawned);
      } finally {
        stopSignals.forEach((s) => process.off(s, stop));
      }
    } else {
      // its own session (as in a pty), so processes its tool calls leave behind can be told apart
      const child = spawn(binary, args, { stdio: 'inherit', env, cwd: opts.cwd, detached: true });
      if (child.pid) spawned(child.pid);
      const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
      const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      forwarded.forEach((s) => process.on(s, forward));
      try {
        exitCode = await new Promise<number>((resolve, reject) => {
          child.once('error', reject);
          child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 1) : 1)));
        });
      } finally {
        forwarded.forEach((s) => process.off(s, forward));
      }
    }
  } finally {
    launch.finish?.();
    guard.stop();
    approvals.denyAll();
    approvals.detach();
    await server?.stop();
    await periodic?.stop();
    await control.stop();
    await tracking;
    checkpoints?.close();
    rmSync(runtimeDir, { recursive: true, force: true });
  }
  audit.endSession(sessionId, exitCode);
  audit.close();
  return { exitCode, sessionId, auditPath };
}
