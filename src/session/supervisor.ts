import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { findExecutable } from '../executable.js';
import { homeOf, requestedBinary, type AgentConfig, type HookTransport, type Launch } from '../agents/adapter.js';
import { adapterFor, AGENT_NAMES } from '../agents/index.js';
import { asStateError, describeStateProblem, HarnessError, oneLine, StateError, stateProblem, UsageError, type StateProblem } from '../errors.js';
import { HookServer, type HookRequest } from '../hooks/server.js';
import type { HookEvent, HookReply } from '../hooks/protocol.js';
import type { ToolEvent } from '../agents/tool-event.js';
import { builtValidators, loadStartConfig } from '../config/cache.js';
import { CONFIG_FILE } from '../config/resolved.js';
import { ALLOW_HOME_OPTION, auditPathFor, findWorkspace, homeWorkspaceProblem, runtimeDirFor, stateDirFor } from '../workspace.js';
import { ApprovalBus } from './hook/approvals.js';
import { ToolGate } from './tool-gate.js';
import { currentUser } from './actor.js';
import { SessionRules } from './hook/session-rules.js';
import { parseHotkey } from '../keys.js';
import type { ApprovalView, LoadUi, SessionUi } from './views.js';
import { ProtectedFiles, type ProtectedSpec } from './guard/protected-files.js';
import { Lifecycle } from './lifecycle.js';
import { Watchdog } from './process/watchdog.js';
import { agentSettled } from './process/agent-settled.js';
import { bwrapAvailabilityCached, openSandbox, reprobe, sandboxDecision, type EgressFrom, type EgressVerdict, type Sandbox } from '../sandbox/index.js';
import { gitRemoteHosts, hostPolicyFor } from '../config/network.js';
import type { HostPolicy } from '../policy/network.js';
import type { LoadedConfig } from '../config/resolved.js';
import type { AuditLog, UnloggedRecord } from '../audit/store.js';
import type { CheckpointStore } from '../checkpoints/store.js';
import type { ControlServer } from './control.js';
import type { SessionRollback } from './rollback/rollback.js';
import type { LivePolicy } from './live-policy.js';
import type { PeriodicCheckpoints } from './rollback/periodic.js';
import type { NetworkGate } from './guard/network-gate.js';
import type { SessionHookHandler } from './hook/hook-handler.js';
import { trace } from '../trace.js';

export interface RunOptions {
  /** The agent (claude, codex, gemini), or with `mode: 'command'` any program. */
  agent: string;
  /** `agent`: a supported agent, supervised through its hooks; `command`: any program, watched only. */
  mode?: 'agent' | 'command';
  args: string[];
  cwd: string;
  configPath?: string | undefined;
  /** How hooks reach harness; default: the agent's preferred one. */
  transport?: HookTransport | undefined;
  /** The agent binary; default from the agent's variable (HARNESS_CLAUDE_BIN…), else its name on PATH. */
  binary?: string | undefined;
  /** `--no-sandbox`: run the agent without the OS sandbox. */
  noSandbox?: boolean;
  /** `--allow-home`: the workspace may be HOME, `/` or a directory containing HOME. */
  allowHome?: boolean;
  /** `--autonomous`: the agent's own prompts off, harness's decisions final; needs the sandbox. */
  autonomous?: boolean;
  version: string;
  /** Tests: called before each step of the start; throwing there makes that step fail, a promise makes it wait. */
  fault?: (step: string) => void | Promise<void>;
  /**
   * The person's TUI (approval dialogs, the panel, notices over the agent's screen), loaded while the
   * agent starts. Without it the session runs as without a terminal: an ask is settled by
   * `approvals.whenNoTty` and notices go to stderr.
   */
  ui?: LoadUi | undefined;
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
function protectedSpecs(
  workspace: string,
  configPath: string | null,
  injected: string[],
  agentSettings: string[],
  agentConfig: AgentConfig,
  gitFile: string | null,
): ProtectedSpec[] {
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
    const timer = setTimeout(
      () => {
        onTimeout();
        resolve(false);
      },
      Math.max(0, view.deadline - Date.now()),
    );
    void answer.then((yes) => {
      clearTimeout(timer);
      resolve(yes);
    });
  });
}

/** Whether a stream is a terminal: Node leaves isTTY undefined, not false, on one that is not. */
function isTerminal(stream: { readonly isTTY?: boolean }): boolean {
  return Boolean(stream.isTTY);
}

/**
 * Kills the agent and what it started in its process group (it leads one: a pty's child, or a child
 * spawned detached), not just the agent; `alone` when there is no group to reach.
 */
function killSession(pid: number | null, alone: () => void): void {
  try {
    if (pid) process.kill(-pid, 'SIGKILL');
    else alone();
  } catch {
    alone();
  }
}

const STOP_SIGNALS = ['SIGTERM', 'SIGHUP'] as const;
/** How long set-up waits for the sandbox's launcher to say hello before it goes on regardless. */
const HELLO_WAIT_MS = 2000;
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Supervises one agent run: hooks → policy → approvals → audit; the agent's exit code is returned. */
export async function runSession(opts: RunOptions): Promise<SessionResult> {
  trace('runSession');
  const interactive = opts.ui !== undefined && isTerminal(process.stdin) && isTerminal(process.stdout);
  // spawned before anything else, told what to watch later (see Watchdog); the session says goodbye
  const watchdog = Watchdog.start({ tty: interactive });
  try {
    return await supervised(opts, watchdog, interactive);
  } finally {
    watchdog?.close();
  }
}

async function supervised(opts: RunOptions, watchdog: Watchdog | null, interactive: boolean): Promise<SessionResult> {
  const hooked = opts.mode !== 'command';
  const adapter = hooked ? adapterFor(opts.agent) : undefined;
  if (hooked && !adapter) {
    throw new HarnessError(
      `unknown agent "${opts.agent}": harness can run ${AGENT_NAMES.join(', ')}, or any program without hooks with: harness run -- ${opts.agent}`,
      2,
    );
  }
  const transport = opts.transport ?? adapter?.transports[0] ?? 'command';
  if (adapter && !adapter.transports.includes(transport)) {
    throw new UsageError(`${adapter.title} has no ${transport} hooks; use --hook-transport ${adapter.transports.join(' or ')}.`);
  }
  adapter?.preflight(opts.args, opts.cwd, process.env);
  const workspace = findWorkspace(opts.cwd);
  const atHome = opts.allowHome ? null : homeWorkspaceProblem(workspace, opts.cwd);
  if (atHome) throw new UsageError(`${atHome}. cd into a project directory (git init it if needed), or pass ${ALLOW_HOME_OPTION} if you mean it.`);
  trace('workspace found');
  // the config only: the rules are compiled while the agent starts (LivePolicy, in supervise); the
  // schema's verdict on an unchanged file is taken from the last start (config/cache.ts)
  const start = await loadStartConfig(workspace, opts.configPath, stateDirFor(workspace), builtValidators(opts.version));
  const loaded = start.loaded;
  trace(`config loaded (${start.from})`);
  const requested = adapter ? requestedBinary(adapter, process.env, opts.binary) : opts.agent;
  if (requested.trim() === '')
    throw new UsageError(
      adapter
        ? `${adapter.binaryEnv} or --agent-bin is empty: name the ${adapter.title} binary, or leave it unset`
        : 'no program given: harness run -- <program> [args…]',
    );
  const found = findExecutable(requested);
  // a directory (or anything else that is not a file) is not a program
  const binary = found && isFile(found) ? found : null;
  if (!binary) {
    throw new HarnessError(
      adapter
        ? `${adapter.title} was not found ("${requested}"). Install it (${adapter.installHint}) or point ${adapter.binaryEnv} at the binary.`
        : `"${requested}" was not found on PATH.`,
    );
  }
  const agentBinary: string = binary;
  const agentName = adapter ? adapter.name : basename(requested);
  // whether bubblewrap runs here: an earlier session's probe when nothing it depends on changed
  const probeRecord = join(stateDirFor(workspace), 'sandbox-probe.json');
  // typed wide on purpose: the callback below sets it, and the checker does not follow callbacks
  let probed = null as 'record' | 'probe' | null;
  const sandboxing = sandboxDecision(loaded.sandbox, opts.noSandbox === true, () => {
    const { availability, from } = bwrapAvailabilityCached(probeRecord);
    probed = from;
    return availability;
  });
  trace(`sandbox decided (${probed ?? 'no probe'})`);
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
  const ui = opts.ui;
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
      lines.push(
        problem
          ? describeStateProblem('the audit log', auditPath, problem)
          : `cannot write the audit log at ${auditPath}: ${records[0]?.error ?? 'unknown error'}`,
      );
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

  /**
   * Acquires what the session needs, step by step, runs the agent and returns its exit code.
   *
   * The agent starts as early as it safely can: after what must hold it from its first instruction
   * (the sandbox, the hook endpoint it is wired to, the baseline of the files it may not change) and
   * before what can wait (the audit log, the checkpoint store, the rules, the control socket, the
   * watcher), which is set up while it starts. Until that is done every hook and every connection
   * the sandbox asks about waits, and if it fails they are refused and the agent is stopped: nothing
   * is allowed before harness is ready. A program without hooks has nothing that holds it, so for
   * it everything is set up first, as before.
   */
  async function supervise(): Promise<number> {
    // the TUI once it loads (interactive sessions): what harness tells the person goes over the agent's screen
    let tuiLoading: Promise<SessionUi> | null = null;
    // the pty and the agent's virtual screen (xterm): only a session with a terminal loads them, begun now
    const terminalModule = interactive ? import('./process/terminal.js') : null;
    let tuiModule: ReturnType<LoadUi> | null = null;
    let tuiTerminal: import('./process/terminal.js').PtyTerminal | null = null;
    // a deny, an unanswered ask, a sandbox refusal: a bar over the agent's screen; without a terminal, a line on stderr
    const tellDecision = (notice: import('./hook/decision-notice.js').DecisionNotice): void => {
      if (interactive) return tuiTerminal?.notice(notice);
      void import('./hook/decision-notice.js').then(({ noticeLine }) => process.stderr.write(`${noticeLine(notice)}\n`));
    };
    const tellPerson = (text: string): void => (tuiLoading ? void tuiLoading.then((tui) => tui.notify(text)) : void process.stderr.write(`\n${text}\n`));
    // first in, last out: if the supervisor dies, the agent's tree ends and the session's files go
    await life.acquire(
      'watchdog',
      () => watchdog?.watch({ marker: `HARNESS_SESSION_ID=${sessionId}`, audit: { workspace, path: auditPath } }),
      () => watchdog?.close(),
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
    // What is set up while the agent starts is released in the order it would have been acquired
    // in: the log and the checkpoint store after the hook server has stopped, the periodic
    // checkpoints after the sandbox has ended what the program left running.
    let audit: AuditLog | undefined;
    let checkpoints: CheckpointStore | undefined;
    let hookHandler: SessionHookHandler | null = null;
    let network: NetworkGate | null = null;
    let periodic: PeriodicCheckpoints | null = null;
    let control: ControlServer | null = null;
    let rollback: SessionRollback | undefined;
    // the rules in force (the config's, then the person's edits and the session's own), from set-up on
    let live: LivePolicy | undefined;
    // what set-up loads (set-up.ts): begun once the agent is spawned, so that it does not hold it back
    let later: Promise<typeof import('./set-up.js')> | null = null;
    const modules = (): Promise<typeof import('./set-up.js')> => (later ??= import('./set-up.js'));
    life.defer('audit log', () => {
      if (!audit) return;
      try {
        audit.endSession(sessionId, exitCode);
      } finally {
        unlogged = audit.unlogged();
        audit.close();
      }
    });
    life.defer('checkpoint store', () => checkpoints?.close());
    // the first full scan: nothing of it stands between harness's start and the agent's (with hooks
    // it waits until the agent has settled, see setUp); the first checkpoint waits for it
    let tracking: Promise<boolean> | undefined;
    /** `ready`: until when the scan leaves the agent to start alone (any work asked of the store first begins it at once). */
    const startTracking = (ready: Promise<void> = Promise.resolve()): Promise<boolean> | undefined => {
      if (!checkpoints) return undefined;
      trace('first scan: start');
      tracking ??= checkpoints.trackWhen(ready.finally(() => trace('first scan: the agent has settled'))).then(
        (ok) => (trace('first scan done'), ok),
        () => false,
      );
      return tracking;
    };
    life.defer('first scan', () => tracking);
    // with hooks, the tree as the agent left it (what its last call did to ignored files too): a
    // program without hooks gets one from its periodic checkpoints
    life.defer('session-end checkpoint', async () => {
      if (!hooked || !checkpoints || !audit) return;
      try {
        const cp = await checkpoints.snapshot({ sessionId, kind: 'session-end', summary: 'the working tree when the session ended' });
        if (cp)
          audit.checkpoint({ sessionId, toolUseId: null, commit: cp.id, summary: `checkpoint ${cp.id.slice(0, 12)}: the working tree when the session ended` });
      } catch (error) {
        audit.checkpoint({ sessionId, toolUseId: null, commit: null, summary: 'checkpoint failed', error: oneLine(error) });
      }
    });
    // the change lists of the last calls, worked out after their PostToolUse was answered, are recorded
    // once the hook server has stopped, before the checkpoint store and the log close
    life.defer('change records', () => hookHandler?.settled());

    // resolves once what the agent's hooks need is set up: true, or false when that failed
    let setUpEnded!: (ok: boolean) => void;
    const setUpDone = new Promise<boolean>((resolve) => (setUpEnded = resolve));
    const notReady = 'harness could not finish starting this session, so it refused the call (the session is ending)';
    // fail closed: a hook that arrives early waits for the rules, the log and the checkpoint store
    /** Once the agent's first call comes, its start is over: no longer watched, and what would have been done before it is not. */
    let startOver = (): void => undefined;
    let calledYet = false;
    const hooks = async (agent: string, event: HookEvent, payload: unknown, request?: HookRequest): Promise<HookReply> => {
      if (!calledYet) {
        calledYet = true;
        startOver();
      }
      if ((await setUpDone) && hookHandler) return hookHandler(agent, event, payload, request);
      if (event === 'post') return adapter!.postReply();
      let toolEvent: ToolEvent | undefined;
      try {
        toolEvent = adapter!.toToolEvent(payload, workspace);
      } catch {
        // the deny stands without the event's details
      }
      return adapter!.preReply({ verdict: 'deny', ruleId: 'core.fault', reason: notReady }, false, toolEvent);
    };
    const server = adapter
      ? await life.acquire(
          'hook server',
          () => new HookServer(hooks),
          (s) => s.stop(),
        )
      : null;
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
    const approvals = new ApprovalBus(loaded.approvals.whenNoTty);
    // before the hook server goes: whoever still waits for a person is answered no
    life.defer('approvals', () => {
      approvals.denyAll();
      approvals.detach();
    });
    life.defer('control server', () => control?.stop());
    const gate = new ToolGate();
    const rules = new SessionRules(workspace);
    const actor = currentUser();
    let agentPid: number | null = null;
    // the agent's processes are stopped while a rollback restores the tree, so none can race it: all at
    // once by the sandbox's launcher, else (no sandbox, or its Node launcher) by walking the process tree
    let sandbox: Sandbox | null = null;
    const freeze = async (): Promise<() => Promise<void> | void> =>
      (await sandbox?.freeze()) ?? (agentPid ? (await modules()).freezeTree(agentPid) : () => undefined);
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
    life.defer('periodic checkpoints', () => periodic?.stop());
    const agentSettings = adapter?.settingsFiles(workspace, baseEnv) ?? [];
    const gitFile = gitFileOf(workspace);
    const needs = adapter?.sandboxNeeds(opts.args, baseEnv) ?? { state: [], config: { files: [], dirs: [] }, endpoints: [] };
    // the network rules follow the config when the person changes it during the session
    // read before the agent starts: nothing it plants in the repository can add a host
    const gitHosts = sandboxing.active ? gitRemoteHosts(workspace) : [];
    let hostRules: { from: LoadedConfig; policy: HostPolicy } | null = null;
    const hostPolicy = (): HostPolicy => {
      const now = live?.loaded ?? loaded;
      if (hostRules?.from !== now) hostRules = { from: now, policy: hostPolicyFor(now.sandbox, [{ agent: agentName, endpoints: needs.endpoints }], gitHosts) };
      return hostRules.policy;
    };
    let tuiLoaded!: (tui: SessionUi) => void;
    const tuiReady = new Promise<SessionUi>((resolve) => (tuiLoaded = resolve));
    // the sandbox's questions about connections wait for the network gate, like the hooks (fail closed)
    const refusedConnection = { allow: false, ruleId: 'network.fault', reason: notReady, allowLocal: false };
    const decideEgress = async (host: string, port: number, from: EgressFrom): Promise<EgressVerdict> =>
      (await setUpDone) && network ? network.decide(host, port, from) : refusedConnection;
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
              ports: endpoint
                ? [
                    {
                      port: endpoint.port,
                      peer: adapter?.name === 'claude' && transport === 'http' ? 'agent' : 'hook-client',
                      ...(trustedHooks ? { target: trustedHooks } : {}),
                    },
                  ]
                : [],
              interactive,
              decideEgress,
              onMismatch: (host, port, from, why) => void setUpDone.then((ok) => ok && network?.mismatch(host, port, from, why)),
              onRefused: (r) =>
                void setUpDone.then((ok) => ok && audit?.event({ sessionId, kind: 'sandbox-refused', detail: `port ${r.port}: pid ${r.pid} ${r.exe}` })),
            }),
          (sb: Sandbox) => sb.close(),
        )
      : null;
    // before the sandbox's doors close: a connection still waiting for a person is refused
    if (sandbox) life.defer('network questions', () => network?.close());
    if (sandbox) for (const note of sandbox.notes) process.stderr.write(`harness: ${note}\n`);
    // a supervisor killed outright leaves no sockets behind in the temp dir: the watchdog removes them
    if (sandbox) watchdog?.remove(sandbox.dir);
    // the protected files as they are before the agent starts: what changes after is the session's
    const files = new ProtectedFiles(protectedSpecs(workspace, loaded.path, launch.injected, agentSettings, needs.config, gitFile));

    /** The audit log, opened (created and migrated the first time), the session recorded in it. */
    const openAudit = async (): Promise<AuditLog> => {
      const [{ AuditLog }, { closeInterrupted }, { processIdentity }] = await Promise.all([
        import('../audit/store.js'),
        import('./process/interrupted.js'),
        import('./process/liveness.js'),
      ]);
      audit = await life.acquire('audit log', () => {
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
      });
      return audit;
    };

    /** What can wait until the agent runs (for a program without hooks: what it runs under). */
    const setUp = async (): Promise<void> => {
      // the log (when the agent's start did not already open it) while the rest loads
      const [
        { CheckpointStore, ControlServer, SessionRollback, LivePolicy, sessionProcessRules, SessionGuard, PeriodicCheckpoints, createHookHandler, NetworkGate },
        log,
      ] = await Promise.all([modules().finally(() => trace('set-up modules loaded')), audit ?? openAudit()]);
      const store = loaded.checkpoints.enabled
        ? await life.acquire('checkpoint store', () => {
            try {
              return CheckpointStore.open(workspace, stateDirFor(workspace), { maxFileBytes: loaded.checkpoints.maxFileBytes });
            } catch (e) {
              throw asStateError(e, 'checkpoints', stateDirFor(workspace));
            }
          })
        : undefined;
      checkpoints = store;
      // why a checkpoint read the whole tree instead of the watcher's changes (a tracker error, an
      // overflow, a rule edit) and what the full scan before a rollback found: never silent
      store?.onNotice((n) => log.event({ sessionId, kind: n.kind === 'reconcile' ? 'checkpoint-reconcile' : 'checkpoint-full-scan', detail: n.message }));
      // with hooks, the scan waits until the agent's start has settled (its processes idle: waiting
      // for the model; two processes starting and scanning on the same cores slow each other), and
      // begins at once when the agent's first call, or anything else, asks the store for work: no
      // decision waits for the agent to settle, and none is taken without the scan (not awaited:
      // the scan cannot reject, and the session's end waits for it)
      // the rules compiled now, while the agent starts, not at its first call
      const rulesInForce = new LivePolicy(workspace, opts.configPath, loaded);
      if (agentPid) rulesInForce.addRules(sessionProcessRules([process.pid, agentPid]));
      void rulesInForce.policy;
      live = rulesInForce;
      if (hooked) {
        const start = agentPid && !calledYet ? agentSettled(agentPid) : null;
        if (start) {
          life.defer('agent start watch', start.cancel);
          startOver = start.cancel;
        }
        // once the agent waits, before its first call: the rules' first decisions, then the first
        // full scan (a call that comes first begins the scan at once and pays its own decisions)
        const warmed = start?.settled.then(async () => {
          await rulesInForce.warm(() => calledYet);
          trace('rules warmed up');
        });
        void startTracking(warmed);
      }
      rollback = store ? new SessionRollback(store, log, gate, sessionId, freeze, actor) : undefined;
      const rollbackTo = rollback;
      control = await life.acquire(
        'control server',
        () =>
          new ControlServer({
            rollback: async ({ to, kind, step }) => {
              if (!store || !rollbackTo) throw new Error('checkpoints are switched off in this session');
              const done = await rollbackTo.to(await store.resolve(to), { by: 'cli', kind, step });
              return { saved: done.saved, changes: done.changes, notRestored: done.notRestored };
            },
          }),
      );
      await control.start(runtimeDir);
      // without hooks: nothing is decided before it happens, so the tree is checkpointed as it changes
      periodic = !hooked && store ? await life.acquire('periodic checkpoints', () => new PeriodicCheckpoints(store, log, sessionId, gate)) : null;
      if (!hooked) {
        process.stderr.write(
          `harness: ${agentName} has no hooks harness can use, so nothing it does is decided before it happens.\n` +
            `harness watches the workspace, ${periodic ? 'checkpoints it as it changes (roll back with Ctrl-] or harness rollback), ' : ''}protects its own files and logs every change.\n`,
        );
      }
      // the first checkpoint is the tree before the program touches it
      if (periodic) await periodic.start(startTracking() ?? Promise.resolve(false));
      network = new NetworkGate({
        sessionId,
        agent: agentName,
        audit: log,
        policy: hostPolicy,
        asker: interactive
          ? { ask: (view) => tuiReady.then((tui) => tui.ask(view)), withdraw: (id, why) => void tuiReady.then((tui) => tui.withdraw(id, why)) }
          : null,
        whenNoTty: loaded.approvals.whenNoTty,
        timeoutMs: loaded.approvals.timeoutSeconds * 1000,
        actor,
        running: () => gate.runningCalls(),
        toolCalls: hooked,
      });
      if (sandbox)
        log.event({
          sessionId,
          kind: 'sandbox',
          detail: `bubblewrap: writable ${sandbox.profile.writable.length} trees, ${sandbox.profile.hidden.length} paths hidden, ports ${sandbox.profile.localPorts.join(', ')}`,
        });
      const guard = await life.acquire(
        'watcher',
        () =>
          new SessionGuard({
            sessionId,
            workspace,
            audit: log,
            gate,
            live: rulesInForce,
            files,
            checkpoints: store,
            restore: loaded.watcher.restore,
            agentPid: () => agentPid,
            alert: (text) => tellPerson(text),
            confirm: interactive
              ? (view) =>
                  withTimeout(
                    tuiReady.then((tui) => tui.confirm(view)),
                    view,
                    () => void tuiReady.then((tui) => tui.withdraw(view.id, 'no answer in time, so harness put the config back')),
                  )
              : undefined,
          }),
        (g) => g.stop(),
      );
      guard.start();
      if (adapter) {
        hookHandler = createHookHandler({
          adapter,
          policy: () => rulesInForce.policy,
          audit: log,
          approvals,
          sessionId,
          workspace,
          approvalTimeoutSeconds: loaded.approvals.timeoutSeconds,
          checkpoints: store,
          gate,
          rules,
          actor,
          sandboxed: sandboxing.active,
          guard,
          notify: tellDecision,
        });
      }
      trace('set up');
    };

    const env: NodeJS.ProcessEnv = { ...baseEnv, ...launch.env, ...(opts.autonomous ? adapter?.autonomousEnv : {}), ...(sandbox?.env() ?? {}) };
    const spawnTarget = sandbox ? sandbox.wrap(agentBinary, launch.args) : { file: agentBinary, args: launch.args };
    const spawned = (pid: number): void => {
      trace('agent spawned');
      agentPid = pid;
      watchdog?.agent(pid);
      // the session's own processes may not be killed from inside it (set-up adds the rule when it comes later)
      if (live) void modules().then(({ sessionProcessRules }) => live?.addRules(sessionProcessRules([process.pid, pid])));
    };

    if (!hooked) {
      try {
        await setUp();
        setUpEnded(true);
      } catch (error) {
        setUpEnded(false);
        throw error;
      }
    }
    // A workspace's first session creates its log before the agent starts: a reader that opens the
    // log once the agent runs (harness log, a test) finds it made, and never races its creation.
    if (hooked && !existsSync(auditPath)) await openAudit();
    await life.acquire('agent', () => undefined);
    const agent = interactive ? await startInTerminal() : startChild();
    if (hooked) {
      try {
        // the launcher waits for harness to answer its hello before it runs the agent: set-up (which
        // holds the event loop in stretches) comes after that answer, not before it
        if (sandbox) await Promise.race([sandbox.greeted(), agent.exited.catch(() => undefined), sleep(HELLO_WAIT_MS, undefined, { ref: false })]);
        await setUp();
        setUpEnded(true);
      } catch (error) {
        // what waits is refused, and the agent, which could do nothing yet, is stopped
        setUpEnded(false);
        agent.stop();
        await agent.exited.catch(() => undefined);
        throw error;
      }
    }
    if (interactive) attachTui();
    const code = await agent.exited;
    // the sandbox never started on a recorded probe: the system changed since; said plainly, probed anew
    if (sandbox && !sandbox.started() && probed === 'record') {
      const now = reprobe(probeRecord);
      if (!now.ok)
        process.stderr.write(
          `harness: the sandbox could not start: ${now.problem}. Fix: ${now.fix}. (An earlier session found that it runs here; that record is dropped.)\n`,
        );
    }
    return code;

    /** The agent in a pty, its screen passed through, with harness's dialogs over it. */
    async function startInTerminal(): Promise<{ exited: Promise<number>; stop: () => void }> {
      const { PtyTerminal } = await terminalModule!;
      const terminal = new PtyTerminal(process.stdin, process.stdout, parseHotkey(loaded.tui.panelKey));
      const stop = (): void => terminal.kill('SIGTERM');
      STOP_SIGNALS.forEach((s) => process.on(s, stop));
      const exited = terminal.run(spawnTarget.file, spawnTarget.args, env, opts.cwd, spawned).finally(() => STOP_SIGNALS.forEach((s) => process.off(s, stop)));
      // Ink and React take a while to load: the agent starts meanwhile, the first dialog waits for them
      tuiModule = ui!();
      tuiTerminal = terminal;
      return { exited, stop: () => killSession(agentPid, () => terminal.kill('SIGKILL')) };
    }

    /** The agent without a terminal: its own session (as in a pty), so processes its tool calls leave behind can be told apart. */
    function startChild(): { exited: Promise<number>; stop: () => void } {
      const child = spawn(spawnTarget.file, spawnTarget.args, { stdio: 'inherit', env, cwd: opts.cwd, detached: true });
      if (child.pid) spawned(child.pid);
      const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
      FORWARDED_SIGNALS.forEach((s) => process.on(s, forward));
      const exited = new Promise<number>((resolve, reject) => {
        child.once('error', reject);
        child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + constants.signals[signal] : 1)));
      }).finally(() => FORWARDED_SIGNALS.forEach((s) => process.off(s, forward)));
      return { exited, stop: () => killSession(child.pid ?? null, () => child.kill('SIGKILL')) };
    }

    /** Once the session is set up: the TUI, with the log and checkpoints its panel shows, answers approvals. */
    function attachTui(): void {
      const terminal = tuiTerminal!;
      const loading = Promise.all([tuiModule!, modules()]).then(([makeUi, { panelSource }]) => {
        const tui = makeUi(
          terminal.surface,
          panelSource({ sessionId, workspace, agent: agentName, audit: audit!, checkpoints, rollback, rules }),
          loaded.tui.panelKey,
        );
        terminal.attach(tui);
        return tui;
      });
      tuiLoading = loading;
      void loading.then(tuiLoaded);
      approvals.attach(
        (request) =>
          void loading
            .then(async (tui) => tui.ask((await modules()).approvalView(request, workspace, rules.describe(request.event))))
            .then((choice) =>
              approvals.answer(
                request.id,
                choice.verdict === 'allow'
                  ? { verdict: 'allow', by: 'human', remember: choice.remember }
                  : { verdict: 'deny', by: 'human', message: choice.message },
              ),
            ),
        (id, answer) => {
          if (answer.by !== 'human')
            void loading.then((tui) =>
              tui.withdraw(
                id,
                answer.by === 'timeout' ? `${answer.message ?? `no answer in ${loaded.approvals.timeoutSeconds}s`}, so harness denied` : 'denied',
              ),
            );
        },
      );
    }
  }
}
