import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { constants, userInfo } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { findExecutable } from '../executable.js';
import { homeOf, requestedBinary, type AgentConfig, type HookTransport, type Launch } from '../agents/adapter.js';
import { adapterFor, AGENT_NAMES } from '../agents/index.js';
import { AuditLog } from '../audit/store.js';
import { asStateError, describeStateProblem, HarnessError, oneLine, StateError, stateProblem, UsageError, type StateProblem } from '../errors.js';
import { HookServer } from '../hooks/server.js';
import { CONFIG_FILE } from '../config/load.js';
import { auditPathFor, findWorkspace, runtimeDirFor, stateDirFor } from '../workspace.js';
import { ApprovalBus } from './approvals.js';
import { createHookHandler } from './hook-handler.js';
import { CheckpointStore } from '../checkpoints/store.js';
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
import { Lifecycle } from './lifecycle.js';
import { freezeTree } from './freeze.js';
import { closeInterrupted } from './interrupted.js';
import { processIdentity } from './liveness.js';
import { Watchdog } from './watchdog.js';
import type { UnloggedRecord } from '../audit/store.js';
import { openSandbox, sandboxDecision, type Sandbox } from '../sandbox/index.js';
import { NetworkGate } from './network-gate.js';
import { gitRemoteHosts, hostPolicyFor } from '../config/network.js';
import type { HostPolicy } from '../policy/network.js';
import type { LoadedConfig } from '../config/load.js';
import { trace } from '../trace.js';

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
  /** `--no-sandbox`: run the agent without the OS sandbox. */
  noSandbox?: boolean;
  /** `--autonomous`: the agent's own prompts off, harness's decisions final; needs the sandbox. */
  autonomous?: boolean;
  version: string;
  /** Tests: called before each step of the start; throwing there makes that step fail. */
  fault?: (step: string) => void;
}

export interface SessionResult {
  exitCode: number;
  sessionId: string;
  auditPath: string;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** A worktree's or a submodule's `.git`: a file naming the git directory, which sends git elsewhere. */
function gitFileOf(workspace: string): string | null {
  const path = join(workspace, '.git');
  try {
    return statSync(path).isFile() ? path : null;
  } catch {
    return null;
  }
}

/** Files in .git that send git to another directory's config, objects and refs. */
const GIT_REDIRECTS = ['commondir', 'config.worktree'];

/** What the agent may not change behind harness's back. */
function protectedSpecs(workspace: string, configPath: string | null, injected: string[], agentSettings: string[], agentConfig: AgentConfig, gitFile: string | null): ProtectedSpec[] {
  const specs: ProtectedSpec[] = [
    { path: configPath ?? join(workspace, CONFIG_FILE), kind: 'harness-config' },
    ...injected.map((path) => ({ path, kind: 'harness-settings' as const })),
    ...agentSettings.map((path) => ({ path, kind: 'agent-settings' as const })),
    // the agent's own hooks, MCP servers and instructions in its home: the files (directories of them are read-only in the sandbox)
    ...agentConfig.files.map((path) => ({ path, kind: 'runs-code' as const })),
  ];
  const gitDir = join(workspace, '.git');
  if (gitFile) specs.push({ path: gitFile, kind: 'runs-code' });
  if (existsSync(join(gitDir, 'config'))) {
    specs.push({ path: join(gitDir, 'config'), kind: 'git' }, { path: join(gitDir, 'hooks'), kind: 'git', directory: true });
    specs.push(...GIT_REDIRECTS.map((name) => ({ path: join(gitDir, name), kind: 'runs-code' as const })));
  }
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

const STOP_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Supervises one agent run: hooks → policy → approvals → audit; the agent's exit code is returned. */
export async function runSession(opts: RunOptions): Promise<SessionResult> {
  trace('runSession');
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
  trace('workspace found');
  const live = new LivePolicy(workspace, opts.configPath);
  const loaded = live.loaded;
  trace('config loaded');
  const requested = adapter ? requestedBinary(adapter, process.env, opts.binary) : opts.agent;
  if (requested.trim() === '') throw new UsageError(adapter ? `${adapter.binaryEnv} or --agent-bin is empty: name the ${adapter.title} binary, or leave it unset` : 'no program given: harness run -- <program> [args…]');
  const found = findExecutable(requested);
  // a directory (or anything else that is not a file) is not a program
  const binary = found && isFile(found) ? found : null;
  if (!binary) {
    throw new HarnessError(
      adapter ? `${adapter.title} was not found ("${requested}"). Install it (${adapter.installHint}) or point ${adapter.binaryEnv} at the binary.` : `"${requested}" was not found on PATH.`,
    );
  }
  const agentBinary: string = binary;
  const agentName = adapter ? adapter.name : basename(requested);
  const sandboxing = sandboxDecision(loaded.sandbox, opts.noSandbox === true);
  trace('sandbox decided');
  if (opts.autonomous && !sandboxing.active) {
    throw new UsageError(`--autonomous needs the sandbox, and it is ${sandboxing.why}: without it nothing would hold the agent to harness's rules.`);
  }
  if (opts.autonomous && !adapter) throw new UsageError('--autonomous is for agents harness supervises through their hooks (claude, codex, gemini).');
  if (!sandboxing.active && sandboxing.warn) {
    process.stderr.write(`harness: the agent runs WITHOUT the OS sandbox: ${sandboxing.why}. Scripts it runs can reach anything you can.\n`);
  }

  const sessionId = randomUUID();
  const auditPath = auditPathFor(workspace, process.env, loaded.config.audit?.path);
  const life = new Lifecycle(opts.fault);
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  // the agent's exit code, once it has one; a start that failed ends the session without one
  let exitCode: number | null = null;
  let result: number;
  // what the audit log could not take during the session: told to the person once the screen is theirs again
  let unlogged: { records: UnloggedRecord[]; count: number } | null = null;
  try {
    result = exitCode = await supervise();
  } finally {
    const failed = await life.close();
    reportUnlogged(failed);
  }
  return { exitCode: result, sessionId, auditPath };

  /** On stderr, after the agent's screen is released: what could not be released, what could not be logged. */
  function reportUnlogged(failed: { name: string; error: unknown }[]): void {
    const lines: string[] = [];
    const records = unlogged?.records ?? [];
    if (unlogged && unlogged.count > 0) {
      const problem = records.find((r) => r.problem)?.problem;
      lines.push(problem ? describeStateProblem('the audit log', auditPath, problem) : `cannot write the audit log at ${auditPath}: ${records[0]?.error ?? 'unknown error'}`);
      lines.push(`${unlogged.count} record(s) of session ${sessionId} could not be logged:`);
      for (const r of records) lines.push(`  ${new Date(r.at).toISOString().replace('T', ' ').slice(0, 19)} ${r.what}`);
      if (unlogged.count > records.length) lines.push(`  … and ${unlogged.count - records.length} more`);
    }
    // what could not be cleaned up because the state cannot be written: one line per cause, with the fix
    const byProblem = new Map<StateProblem, string[]>();
    for (const f of failed) {
      const problem = f.error instanceof StateError ? f.error.problem : stateProblem(f.error);
      // the audit log's own failure is the line above
      if (f.name === 'audit log' && problem && lines.length > 0) continue;
      if (problem) byProblem.set(problem, [...(byProblem.get(problem) ?? []), f.name]);
      else lines.push(`could not release ${f.name}: ${oneLine(f.error)}`);
    }
    for (const [problem, names] of byProblem) {
      lines.push(`could not clean up the session's ${names.join(', ')}: ${describeStateProblem("harness's state", stateDirFor(workspace), problem)}`);
    }
    for (const line of lines) process.stderr.write(`harness: ${line}\n`);
  }

  /** Acquires what the session needs, step by step, runs the agent and returns its exit code. */
  async function supervise(): Promise<number> {
    // the TUI once it loads (interactive sessions): what harness tells the person goes over the agent's screen
    let tuiLoading: Promise<import('../tui/tui.js').Tui> | null = null;
    const tellPerson = (text: string): void => (tuiLoading ? void tuiLoading.then((tui) => tui.notify(text)) : void process.stderr.write(`\n${text}\n`));
    // first in, last out: if the supervisor dies, the agent's tree ends and the session's files go
    const watchdog = await life.acquire(
      'watchdog',
      () => Watchdog.start({ marker: `HARNESS_SESSION_ID=${sessionId}`, audit: { workspace, path: auditPath }, tty: interactive }),
      (w) => w?.close(),
    );
    const runtimeDir = await life.acquire(
      'runtime directory',
      () => {
        const dir = runtimeDirFor(workspace, sessionId);
        watchdog?.remove(dir);
        try {
          mkdirSync(dir, { recursive: true, mode: 0o700 });
        } catch (e) {
          throw asStateError(e, 'the runtime directory', dir);
        }
        return dir;
      },
      (dir) => rmSync(dir, { recursive: true, force: true }),
    );
    const audit = await life.acquire(
      'audit log',
      () => {
        const log = AuditLog.open(auditPath);
        try {
          closeInterrupted(log, workspace);
          log.startSession({
            id: sessionId,
            agent: agentName,
            workspace,
            argv: hooked ? opts.args : [requested, ...opts.args],
            configPath: loaded.path,
            version: opts.version,
            supervisor: processIdentity(process.pid),
          });
        } catch (e) {
          log.close();
          throw e;
        }
        // from now on a record that cannot be written is reported, and only a tool call waits for one
        log.keepGoing();
        let told = false;
        log.onUnlogged((r) => {
          if (told) return;
          told = true;
          const why = r.problem ? describeStateProblem('the audit log', auditPath, r.problem) : `cannot write the audit log at ${auditPath}: ${r.error}`;
          tellPerson(`harness: ${why}. Tool calls are blocked until it can be written; the records not logged are listed when the session ends.`);
        });
        return log;
      },
      (log) => {
        try {
          log.endSession(sessionId, exitCode);
        } finally {
          unlogged = log.unlogged();
          log.close();
        }
      },
    );

    const approvals = new ApprovalBus(loaded.approvals.whenNoTty);
    const checkpoints = loaded.checkpoints.enabled
      ? await life.acquire(
          'checkpoint store',
          () => {
            try {
              return CheckpointStore.open(workspace, stateDirFor(workspace), { maxFileBytes: loaded.checkpoints.maxFileBytes });
            } catch (e) {
              throw asStateError(e, 'checkpoints', stateDirFor(workspace));
            }
          },
          (store) => store.close(),
        )
      : undefined;
    // why a checkpoint read the whole tree instead of the watcher's changes (a tracker error, an
    // overflow, a rule edit) and what the full scan before a rollback found: never silent
    checkpoints?.onNotice((n) => audit.event({ sessionId, kind: n.kind === 'reconcile' ? 'checkpoint-reconcile' : 'checkpoint-full-scan', detail: n.message }));
    // the first full scan runs while the agent starts, begun once it is spawned (with hooks) so that
    // nothing of it stands between harness's start and the agent's; the first checkpoint waits for it
    let tracking: Promise<boolean> | undefined;
    const startTracking = (): Promise<boolean> | undefined => {
      trace('first scan: start');
      tracking ??= checkpoints?.track().then(
        (ok) => (trace('first scan done'), ok),
        () => false,
      );
      return tracking;
    };
    if (checkpoints) life.defer('first scan', () => tracking);
    const gate = new ToolGate();
    const rules = new SessionRules(workspace);
    const actor = currentUser();
    const hookContext: HookContext | undefined = adapter && { adapter, policy: () => live.policy, audit, approvals, sessionId, workspace, approvalTimeoutSeconds: loaded.approvals.timeoutSeconds, checkpoints, gate, rules, actor, sandboxed: sandboxing.active };
    const hookHandler = hookContext ? createHookHandler(hookContext) : null;
    // the change lists of the last calls, worked out after their PostToolUse was answered, are recorded
    // once the hook server has stopped, before the checkpoint store and the log close
    if (hookHandler) life.defer('change records', () => hookHandler.settled());
    const server = hookHandler ? await life.acquire('hook server', () => new HookServer(hookHandler), (s) => s.stop()) : null;
    const listening = await server?.start();
    // In the sandbox the hook door (which admits the agent alone) leads to a socket of harness's that
    // needs no token: the agent's settings name none its processes could read and use. It sits in a
    // private directory under /tmp, which the sandbox replaces with an empty one of its own.
    const trustedHooks =
      sandboxing.active && server
        ? await life.acquire(
            'trusted hook socket',
            () => {
              const dir = mkdtempSync('/tmp/harness-hooks-');
              watchdog?.remove(dir);
              return join(dir, 'hooks.sock');
            },
            (path) => rmSync(dirname(path), { recursive: true, force: true }),
          )
        : null;
    if (trustedHooks && server) await server.listenTrusted(trustedHooks);
    const endpoint = listening && trustedHooks ? { ...listening, token: 'none' } : listening;
    // before the hook server goes: whoever still waits for a person is answered no
    life.defer('approvals', () => {
      approvals.denyAll();
      approvals.detach();
    });
    let agentPid: number | null = null;
    // the agent's processes are stopped while a rollback restores the tree, so none can race it: all at
    // once by the sandbox's launcher, else (no sandbox, or its Node launcher) by walking the process tree
    let sandbox: Sandbox | null = null;
    const freeze = async (): Promise<() => Promise<void> | void> => (await sandbox?.freeze()) ?? (agentPid ? freezeTree(agentPid) : () => undefined);
    const rollback = checkpoints ? new SessionRollback(checkpoints, audit, gate, sessionId, freeze) : undefined;
    const control = await life.acquire(
      'control server',
      () =>
        new ControlServer({
          rollback: async (to) => {
            if (!checkpoints || !rollback) throw new Error('checkpoints are switched off in this session');
            const done = await rollback.to(await checkpoints.resolve(to), "at the person's request (harness rollback)");
            return { saved: done.saved, changes: done.changes, notRestored: done.notRestored };
          },
        }),
      (c) => c.stop(),
    );
    await control.start(runtimeDir);
    const baseEnv = { ...process.env, HARNESS_SESSION_ID: sessionId };
    const launch = await life.acquire(
      'agent wiring',
      (): Launch =>
        adapter && endpoint
          ? adapter.launch(opts.autonomous ? [...adapter.autonomousArgs.filter((a) => !opts.args.includes(a)), ...opts.args] : opts.args, {
              runtimeDir,
              endpoint,
              transport,
              timeoutSeconds: loaded.approvals.timeoutSeconds + 30,
              env: baseEnv,
              sandboxed: sandboxing.active,
            })
          : { args: opts.args, env: {}, injected: [] },
      (l) => l.finish?.(),
    );
    if (launch.note) process.stderr.write(`harness: ${launch.note}\n`);
    // without hooks: nothing is decided before it happens, so the tree is checkpointed as it changes
    const periodic = !hooked && checkpoints ? await life.acquire('periodic checkpoints', () => new PeriodicCheckpoints(checkpoints, audit, sessionId, gate), (p) => p.stop()) : null;
    if (!hooked) {
      process.stderr.write(
        `harness: ${agentName} has no hooks harness can use, so nothing it does is decided before it happens.\n` +
          `harness watches the workspace, ${periodic ? 'checkpoints it as it changes (roll back with Ctrl-] or harness rollback), ' : ''}protects its own files and logs every change.\n`,
      );
    }
    // the first checkpoint is the tree before the program touches it
    if (periodic) await periodic.start(startTracking() ?? Promise.resolve(false));
    const agentSettings = adapter?.settingsFiles(workspace, baseEnv) ?? [];
    const gitFile = gitFileOf(workspace);
    const needs = adapter?.sandboxNeeds(opts.args, baseEnv) ?? { state: [], config: { files: [], dirs: [] }, endpoints: [] };
    // the network rules follow the config when the person changes it during the session
    // read before the agent starts: nothing it plants in the repository can add a host
    const gitHosts = sandboxing.active ? gitRemoteHosts(workspace) : [];
    let hostRules: { from: LoadedConfig; policy: HostPolicy } | null = null;
    const hostPolicy = (): HostPolicy => {
      if (hostRules?.from !== live.loaded) hostRules = { from: live.loaded, policy: hostPolicyFor(live.loaded.sandbox, [{ agent: agentName, endpoints: needs.endpoints }], gitHosts) };
      return hostRules.policy;
    };
    const network = new NetworkGate({
      sessionId,
      agent: agentName,
      audit,
      policy: hostPolicy,
      asker: interactive
        ? { ask: (view) => tuiReady.then((tui) => tui.ask(view)), withdraw: (id, why) => void tuiReady.then((tui) => tui.withdraw(id, why)) }
        : null,
      whenNoTty: loaded.approvals.whenNoTty,
      timeoutMs: loaded.approvals.timeoutSeconds * 1000,
      actor,
      running: () => gate.runningCalls(),
      toolCalls: hooked,
      workspace,
    });
    sandbox = sandboxing.active
      ? await life.acquire(
          'sandbox',
          () =>
            openSandbox({
              settings: loaded.sandbox,
              binary: agentBinary,
              workspace,
              home: homeOf(baseEnv),
              stateDir: stateDirFor(workspace),
              configPath: loaded.path,
              rules: loaded.sources,
              env: { ...baseEnv, ...launch.env },
              agentState: needs.state,
              endpoints: needs.endpoints,
              injected: launch.injected,
              protectedFiles: [...agentSettings, ...(gitFile ? [gitFile] : [])],
              agentConfig: needs.config,
              writableState: launch.writable ?? [],
              // Claude Code's http hooks come from its own process; command hooks from harness's hook client
              ports: endpoint ? [{ port: endpoint.port, peer: adapter?.name === 'claude' && transport === 'http' ? 'agent' : 'hook-client', ...(trustedHooks ? { target: trustedHooks } : {}) }] : [],
              interactive,
              decideEgress: network.decide,
              onMismatch: network.mismatch,
              onRefused: (r) => audit.event({ sessionId, kind: 'sandbox-refused', detail: `port ${r.port}: pid ${r.pid} ${r.exe}` }),
            }),
          (sb: Sandbox) => sb.close(),
        )
      : null;
    // before the sandbox's doors close: a connection still waiting for a person is refused
    if (sandbox) life.defer('network questions', () => network.close());
    if (sandbox) {
      for (const note of sandbox.notes) process.stderr.write(`harness: ${note}\n`);
      audit.event({ sessionId, kind: 'sandbox', detail: `bubblewrap: writable ${sandbox.profile.writable.length} trees, ${sandbox.profile.hidden.length} paths hidden, ports ${sandbox.profile.localPorts.join(', ')}` });
    }
    const env: NodeJS.ProcessEnv = { ...baseEnv, ...launch.env, ...(opts.autonomous ? adapter?.autonomousEnv : {}), ...(sandbox?.env() ?? {}) };
    const spawnTarget = sandbox ? sandbox.wrap(agentBinary, launch.args) : { file: agentBinary, args: launch.args };

    const spawned = (pid: number): void => {
      trace('agent spawned');
      agentPid = pid;
      watchdog?.agent(pid);
      live.addRules(sessionProcessRules([process.pid, pid]));
      // before any hook call can arrive (they come through the event loop): the first checkpoint finds the scan begun
      startTracking();
    };
    let tuiLoaded!: (tui: import('../tui/tui.js').Tui) => void;
    const tuiReady = new Promise<import('../tui/tui.js').Tui>((resolve) => (tuiLoaded = resolve));
    const guard = await life.acquire(
      'watcher',
      () =>
        new SessionGuard({
          sessionId,
          workspace,
          audit,
          gate,
          live,
          files: new ProtectedFiles(protectedSpecs(workspace, loaded.path, launch.injected, agentSettings, needs.config, gitFile)),
          checkpoints,
          restore: loaded.watcher.restore,
          agentPid: () => agentPid,
          alert: (text) => tellPerson(text),
          confirm: interactive
            ? (view) =>
                withTimeout(tuiLoading!.then((tui) => tui.confirm(view)), view, () => void tuiLoading!.then((tui) => tui.withdraw(view.id, 'no answer in time, so harness put the config back')))
            : undefined,
        }),
      (g) => g.stop(),
    );
    if (hookContext) hookContext.guard = guard;
    guard.start();

    await life.acquire('agent', () => undefined);
    if (interactive) {
      // the pty and the agent's virtual screen (xterm): only a session with a terminal loads them
      const { PtyTerminal } = await import('./terminal.js');
      const terminal = new PtyTerminal(process.stdin, process.stdout, parseHotkey(loaded.tui.panelKey));
      // Ink and React take a while to load: the agent starts meanwhile, the first dialog waits for them
      const loading = import('../tui/tui.js').then(({ Tui }) => {
        const tui = new Tui(terminal.surface, panelSource({ sessionId, workspace, agent: agentName, audit, checkpoints, rollback, rules }), loaded.tui.panelKey);
        terminal.attach(tui);
        return tui;
      });
      tuiLoading = loading;
      void loading.then(tuiLoaded);
      approvals.attach(
        (request) =>
          void loading
            .then((tui) => tui.ask(approvalView(request, workspace, rules.describe(request.event))))
            .then((choice) =>
              approvals.answer(request.id, choice.verdict === 'allow' ? { verdict: 'allow', by: 'human', remember: choice.remember } : { verdict: 'deny', by: 'human', message: choice.message }),
            ),
        (id, answer) => {
          if (answer.by !== 'human') void loading.then((tui) => tui.withdraw(id, answer.by === 'timeout' ? `${answer.message ?? `no answer in ${loaded.approvals.timeoutSeconds}s`}, so harness denied` : 'denied'));
        },
      );
      const stop = (): void => terminal.kill('SIGTERM');
      STOP_SIGNALS.forEach((s) => process.on(s, stop));
      try {
        return await terminal.run(spawnTarget.file, spawnTarget.args, env, opts.cwd, spawned);
      } finally {
        STOP_SIGNALS.forEach((s) => process.off(s, stop));
      }
    }
    // its own session (as in a pty), so processes its tool calls leave behind can be told apart
    const child = spawn(spawnTarget.file, spawnTarget.args, { stdio: 'inherit', env, cwd: opts.cwd, detached: true });
    if (child.pid) spawned(child.pid);
    const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
    FORWARDED_SIGNALS.forEach((s) => process.on(s, forward));
    try {
      return await new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 1) : 1)));
      });
    } finally {
      FORWARDED_SIGNALS.forEach((s) => process.off(s, forward));
    }
  }
}
