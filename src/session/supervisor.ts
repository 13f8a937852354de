import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { accessSync, constants, mkdirSync, rmSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { claudeAdapter, type HookTransport } from '../agents/claude.js';
import type { ToolEvent } from '../agents/tool-event.js';
import { AuditLog, type DecidedBy } from '../audit/store.js';
import { policyFor } from '../config/policy.js';
import { HarnessError } from '../errors.js';
import type { HookEvent, HookReply } from '../hooks/protocol.js';
import { HookServer } from '../hooks/server.js';
import type { Decision } from '../policy/index.js';
import { auditPathFor, findWorkspace, stateDirFor } from '../workspace.js';
import { ApprovalBus } from './approvals.js';
import { decideEvent } from './decide-event.js';
import { PtyTerminal } from './terminal.js';

export interface RunOptions {
  agent: string;
  args: string[];
  cwd: string;
  configPath?: string;
  transport: HookTransport;
  /** The agent binary; default from HARNESS_CLAUDE_BIN, else `claude` on PATH. */
  binary?: string;
  version: string;
}

export interface SessionResult {
  exitCode: number;
  sessionId: string;
  auditPath: string;
}

function findOnPath(name: string, env: NodeJS.ProcessEnv): string | null {
  const candidates = isAbsolute(name) || name.includes('/') ? [name] : (env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // keep looking
    }
  }
  return null;
}

/** Supervises one agent run: hooks → policy → approvals → audit; the agent's exit code is returned. */
export async function runSession(opts: RunOptions): Promise<SessionResult> {
  if (opts.agent !== 'claude') throw new HarnessError(`unknown agent "${opts.agent}": harness can run claude (codex and gemini come later)`, 2);
  const adapter = claudeAdapter;
  adapter.checkArgs(opts.args);
  const workspace = findWorkspace(opts.cwd);
  const { policy, loaded } = policyFor(workspace, opts.configPath);
  const requested = opts.binary ?? process.env.HARNESS_CLAUDE_BIN ?? adapter.defaultBinary;
  const binary = findOnPath(requested, process.env);
  if (!binary) throw new HarnessError(`Claude Code was not found ("${requested}"). Install it (npm install -g @anthropic-ai/claude-code) or point HARNESS_CLAUDE_BIN at the binary.`);

  const sessionId = randomUUID();
  const runtimeDir = join(stateDirFor(workspace), 'run', sessionId);
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  const auditPath = auditPathFor(workspace);
  const audit = AuditLog.open(auditPath);
  audit.startSession({ id: sessionId, agent: adapter.name, workspace, argv: opts.args, configPath: loaded.path, version: opts.version });

  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const approvals = new ApprovalBus(loaded.approvals.whenNoTty);
  const timeoutMs = loaded.approvals.timeoutSeconds * 1000;

  const record = (event: ToolEvent, d: Pick<Decision, 'verdict' | 'ruleId' | 'reason' | 'mutates'>, by: DecidedBy, started: number): void => {
    audit.decision({ sessionId, toolUseId: event.toolUseId, verdict: d.verdict, ruleId: d.ruleId, reason: d.reason, decidedBy: by, latencyMs: performance.now() - started, mutates: d.mutates });
  };

  const onPre = async (payload: unknown): Promise<HookReply> => {
    const started = performance.now();
    const event = adapter.toToolEvent(payload, workspace);
    audit.toolCall({ sessionId, toolUseId: event.toolUseId, agent: event.agent, tool: event.tool, kind: event.kind, summary: event.summary, cwd: event.cwd, input: (payload as { tool_input?: unknown })?.tool_input ?? null });
    const decision = decideEvent(event, policy);
    record(event, decision, 'rule', started);
    if (decision.verdict !== 'ask') return adapter.preReply(decision, false);
    const answer = await approvals.request(event, decision, timeoutMs);
    const reason =
      answer.verdict === 'allow'
        ? 'approved by the user'
        : answer.by === 'timeout'
          ? `no answer within ${loaded.approvals.timeoutSeconds}s, so harness denied it (${decision.reason})`
          : answer.by === 'no-tty'
            ? `nobody could be asked (no terminal), so harness denied it: ${decision.reason}`
            : `the user declined${answer.message ? `: ${answer.message}` : ''} (${decision.reason})`;
    const final = { verdict: answer.verdict, ruleId: decision.ruleId, reason, mutates: decision.mutates };
    record(event, final, answer.by, started);
    return adapter.preReply(final, answer.by === 'human' && answer.verdict === 'allow');
  };

  const onPost = (payload: unknown): HookReply => {
    const event = adapter.toToolEvent(payload, workspace);
    const response = (payload as { tool_response?: unknown })?.tool_response;
    const failed = typeof response === 'object' && response !== null && ('is_error' in response ? Boolean((response as { is_error?: unknown }).is_error) : Boolean((response as { interrupted?: unknown }).interrupted));
    const text = typeof response === 'string' ? response : JSON.stringify(response ?? null);
    audit.result({ sessionId, toolUseId: event.toolUseId, ok: !failed, summary: text.slice(0, 300), data: response });
    return adapter.postReply();
  };

  const server = new HookServer(async (agent, event: HookEvent, payload) => {
    try {
      if (agent !== adapter.name) throw new Error(`hook for unknown agent "${agent}"`);
      return event === 'pre' ? await onPre(payload) : onPost(payload);
    } catch (error) {
      // Fail closed, with a reason the agent can read.
      const reason = `harness could not decide this call (${error instanceof Error ? error.message : String(error)}); it was blocked`;
      try {
        const e = adapter.toToolEvent(payload, workspace);
        audit.decision({ sessionId, toolUseId: e.toolUseId, verdict: 'deny', ruleId: 'core.fault', reason, decidedBy: 'fault', latencyMs: null, mutates: true });
      } catch {
        // the audit itself failed: the deny still stands
      }
      return event === 'pre' ? adapter.preReply({ verdict: 'deny', ruleId: 'core.fault', reason }, false) : adapter.postReply();
    }
  });
  const endpoint = await server.start();
  const hookTimeout = loaded.approvals.timeoutSeconds + 30;
  const settingsPath = adapter.writeSettings(runtimeDir, endpoint, opts.transport, hookTimeout);
  const args = [...opts.args, '--settings', settingsPath];
  const env = { ...process.env, HARNESS_SESSION_ID: sessionId };

  let exitCode: number;
  const stopSignals = ['SIGTERM', 'SIGHUP'] as const;
  try {
    if (interactive) {
      const terminal = new PtyTerminal(process.stdin, process.stdout);
      approvals.attach(
        (request) => void terminal.ask(request).then((answer) => approvals.answer(request.id, answer)),
        (id, answer) => terminal.settle(answer, id),
      );
      const stop = (): void => terminal.kill('SIGTERM');
      stopSignals.forEach((s) => process.on(s, stop));
      try {
        exitCode = await terminal.run(binary, args, env, opts.cwd);
      } finally {
        stopSignals.forEach((s) => process.off(s, stop));
      }
    } else {
      const child = spawn(binary, args, { stdio: 'inherit', env, cwd: opts.cwd });
      const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
      const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      forwarded.forEach((s) => process.on(s, forward));
      try {
        exitCode = await new Promise<number>((resolve, reject) => {
          child.once('error', reject);
          child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 } as Record<string, number>)[signal] ?? 1) : 1)));
        });
      } finally {
        forwarded.forEach((s) => process.off(s, forward));
      }
    }
  } finally {
    approvals.denyAll();
    approvals.detach();
    await server.stop();
    rmSync(runtimeDir, { recursive: true, force: true });
  }
  audit.endSession(sessionId, exitCode);
  audit.close();
  return { exitCode, sessionId, auditPath };
}
