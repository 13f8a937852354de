import { performance } from 'node:perf_hooks';
import type { AgentAdapter } from '../agents/adapter.js';
import { eventPaths, type ToolEvent } from '../agents/tool-event.js';
import type { AuditLog, DecidedBy } from '../audit/store.js';
import type { HookEvent, HookReply } from '../hooks/protocol.js';
import type { HookRequest } from '../hooks/server.js';
import type { Decision, JudgedFile, Policy } from '../policy/index.js';
import { changedScripts } from './scripts.js';
import type { ApprovalBus } from './approvals.js';
import type { CheckpointStore } from '../checkpoints/store.js';
import { decideEvent } from './decide-event.js';
import { guardSecrets } from './secret-guard.js';
import type { SessionRules } from './session-rules.js';
import type { SessionGuard } from './guard.js';
import { ToolGate } from './tool-gate.js';
import { trace } from '../trace.js';
import type { DecisionNotice } from './decision-notice.js';

export interface HookContext {
  adapter: AgentAdapter;
  /** The rules, or where to read the ones in force now (they change when the config is reloaded). */
  policy: Policy | (() => Policy);
  audit: AuditLog;
  approvals: ApprovalBus;
  sessionId: string;
  workspace: string;
  approvalTimeoutSeconds: number;
  /** Snapshots before every allowed mutation; absent, no checkpoints are taken. */
  checkpoints?: CheckpointStore;
  /** Holds tool calls while harness restores the tree (a rollback during the session). */
  gate?: ToolGate;
  /** What the person allowed for the rest of the session (`a` in the approval dialog). */
  rules?: SessionRules;
  /** Who answers approvals (the person's login name), for the audit log. */
  actor?: string;
  /** Protected files and out-of-band changes: checked before every call, told what each call may write. */
  guard?: SessionGuard;
  /** The agent runs in the OS sandbox: what it refused shows in the tool's output, and is logged. */
  sandboxed?: boolean;
  /** Tells the person about a decision they did not see being made (a deny, an unanswered ask, a sandbox refusal). */
  notify?: (notice: DecisionNotice) => void;
}

/** Lines of a tool's output that say the sandbox refused something (a read-only tree, a hidden path, no network). */
export function sandboxRefusals(text: string): string[] {
  const lines = text.split(/\\n|\n/).filter((l) => /Read-only file system|EROFS|Network is unreachable|ENETUNREACH|403 Forbidden.*harness|is not an allowed host/i.test(l));
  return [...new Set(lines.map((l) => l.trim().slice(0, 200)))].slice(0, 5);
}

/** The hook handler of a session; `settled()` resolves once every finished call's changes are recorded. */
export type SessionHookHandler = ((agent: string, event: HookEvent, payload: unknown, request?: HookRequest) => Promise<HookReply>) & { settled(): Promise<void> };

/**
 * What the supervisor does with one hook call: PreToolUse → record, decide, ask a human when the
 * rules say ask, record the outcome, answer; PostToolUse → record the result. Any failure is a
 * deny with a reason (fail closed).
 */
export function createHookHandler(ctx: HookContext): SessionHookHandler {
  const { adapter, audit, approvals, sessionId, workspace } = ctx;
  /** The change lists of finished calls still being worked out (after their PostToolUse was answered). */
  const recording = new Set<Promise<void>>();
  const settled = async (): Promise<void> => {
    while (recording.size > 0) await Promise.all([...recording]);
  };
  const gate = ctx.gate ?? new ToolGate();
  /** The checkpoint tree taken before each running mutation, to record what it changed. */
  const treeBefore = new Map<string, string>();
  const record = (event: ToolEvent, d: Pick<Decision, 'verdict' | 'ruleId' | 'reason' | 'mutates'>, by: DecidedBy, started: number): void => {
    const actor = by === 'human' || by === 'session' ? (ctx.actor ?? null) : null;
    audit.decision({ sessionId, toolUseId: event.toolUseId, verdict: d.verdict, ruleId: d.ruleId, reason: d.reason, decidedBy: by, latencyMs: performance.now() - started, mutates: d.mutates, actor });
  };

  /**
   * Before an allowed mutation: a checkpoint of the working tree (plus ignored files the tool is
   * about to write). No checkpoint, no mutation: a failure is a deny with the reason.
   */
  const checkpointFirst = async (event: ToolEvent, mutates: boolean): Promise<HookReply | null> => {
    const store = ctx.checkpoints;
    if (!store || !mutates) return null;
    const force = event.kind === 'write' || event.kind === 'edit' ? eventPaths(event) : [];
    try {
      trace('pre: decided, checkpoint start');
      const cp = await store.snapshot({ sessionId, toolUseId: event.toolUseId, kind: event.tool, summary: event.summary }, { force });
      const left = cp?.skipped?.length ? `; left out ${cp.skipped.length} file(s) over ${Math.round(store.maxFileBytes / 1048576)} MiB: ${cp.skipped.slice(0, 5).join(', ')}` : '';
      // unchanged: the state before this call is the last checkpoint, which is recorded for it
      audit.checkpoint({ sessionId, toolUseId: event.toolUseId, commit: cp?.id ?? store.lastId(sessionId), summary: (cp ? `checkpoint ${cp.id.slice(0, 12)}` : 'unchanged since the last checkpoint') + left });
      trace('pre: checkpoint recorded');
      const tree = cp?.tree ?? store.lastTree(sessionId);
      if (tree) treeBefore.set(event.toolUseId, tree);
      return null;
    } catch (error) {
      const reason = `harness could not take a checkpoint before this change, so it was not allowed to run (${error instanceof Error ? error.message : String(error)})`;
      audit.checkpoint({ sessionId, toolUseId: event.toolUseId, commit: null, summary: 'checkpoint failed', error: reason });
      audit.decision({ sessionId, toolUseId: event.toolUseId, verdict: 'deny', ruleId: 'core.checkpoint', reason, decidedBy: 'fault', latencyMs: null, mutates: true });
      return adapter.preReply({ verdict: 'deny', ruleId: 'core.checkpoint', reason }, false, event);
    }
  };

  /** The call is going ahead: the gate (and the guard) know it runs until its PostToolUse. */
  const proceed = (event: ToolEvent, decision: Pick<Decision, 'commands'>, reply: HookReply): HookReply => {
    if (reply.verdict === 'allow') {
      gate.started(event.toolUseId, `${event.kind === 'shell' ? event.command : (eventPaths(event)[0] ?? '')} (${event.tool})`.trim());
      ctx.guard?.started(event, decision);
    }
    return reply;
  };
  const policy = (): Policy => (typeof ctx.policy === 'function' ? ctx.policy() : ctx.policy);
  /** A notice for the person; it never changes a decision, whatever it throws. */
  const tell = (notice: DecisionNotice): void => {
    try {
      ctx.notify?.(notice);
    } catch {
      // the decision stands and is logged either way
    }
  };
  /** The scripts each running call was judged by, to see at its end whether they were the ones that ran. */
  const judgedFor = new Map<string, JudgedFile[]>();
  const noteScripts = (event: ToolEvent, scripts: readonly JudgedFile[]): void => {
    for (const j of scripts) {
      audit.event({ sessionId, toolUseId: event.toolUseId, kind: 'script-judged', detail: j.sha256 ? `${j.path} sha256:${j.sha256}` : `${j.path}: not judged by content (${j.note ?? 'unreadable'})` });
    }
    if (scripts.some((j) => j.sha256 !== null)) judgedFor.set(event.toolUseId, [...scripts]);
  };

  /**
   * Whether the hook client has given up on this call: after a stall (harness stopped, SIGSTOP, a
   * machine asleep) its timeout passed and, failing closed, it told the agent the call was blocked.
   * Events queued behind the stall (the client's hang-up) are let in first.
   */
  const gaveUp = async (signal: AbortSignal | undefined): Promise<boolean> => {
    if (!signal) return false;
    if (!signal.aborted) await new Promise((resolve) => setImmediate(resolve));
    return signal.aborted;
  };
  /** A call whose client gave up: logged as what it was (blocked, never run), no checkpoint, not running. */
  const stale = (event: ToolEvent, started: number, after?: Pick<Decision, 'verdict' | 'ruleId'>): HookReply => {
    const would = after ? ` (harness's answer would have been ${after.verdict}${after.ruleId ? ` by ${after.ruleId}` : ''})` : '';
    const reason = `the hook client had stopped waiting before harness answered (harness was stopped or stalled longer than the hook timeout), so the agent was told the call was blocked and it did not run${would}`;
    record(event, { verdict: 'deny', ruleId: 'core.stale', reason, mutates: false }, 'stale', started);
    return adapter.preReply({ verdict: 'deny', ruleId: 'core.stale', reason }, false, event);
  };

  const onPre = async (event: ToolEvent, payload: unknown, signal?: AbortSignal): Promise<HookReply> => {
    await gate.enter();
    // what the calls before this one changed is on record before this one goes ahead
    if (recording.size > 0) await settled();
    // a protected file changed since the last call (and the watcher has not said so yet)
    await ctx.guard?.check();
    const started = performance.now();
    audit.toolCall({ sessionId, toolUseId: event.toolUseId, agent: event.agent, tool: event.tool, kind: event.kind, summary: event.summary, cwd: event.cwd, input: (payload as { tool_input?: unknown })?.tool_input ?? null });
    if (await gaveUp(signal)) return stale(event, started);
    const notice = gate.takeNotice();
    if (notice) {
      const told = { verdict: 'deny' as const, ruleId: 'core.rollback', reason: notice, mutates: false };
      record(event, told, 'rule', started);
      return adapter.preReply(told, false, event);
    }
    const decision = guardSecrets(event, decideEvent(event, policy()));
    // the rules may have taken a while: a client that gave up meanwhile gets no checkpoint and no allow
    if (decision.verdict !== 'deny' && (await gaveUp(signal))) return stale(event, started, decision);
    record(event, decision, 'rule', started);
    noteScripts(event, decision.scripts ?? []);
    if (decision.verdict === 'deny') {
      tell({ kind: 'denied', tool: event.tool, subject: event.summary, ruleId: decision.ruleId ?? null, reason: decision.reason });
      return adapter.preReply(decision, false, event);
    }
    /** An allowed call goes ahead, unless its client gave up while the checkpoint was taken. */
    const goAhead = async (reply: HookReply): Promise<HookReply> => (reply.verdict === 'allow' && (await gaveUp(signal)) ? stale(event, started, decision) : proceed(event, decision, reply));
    if (decision.verdict === 'allow') return goAhead((await checkpointFirst(event, decision.mutates)) ?? adapter.preReply(decision, false, event));
    const remembered = ctx.rules?.find(event);
    if (remembered) {
      const allowed = { verdict: 'allow' as const, ruleId: decision.ruleId, reason: `allowed for this session by the person (${remembered.id}: ${remembered.description})`, mutates: decision.mutates };
      record(event, allowed, 'session', started);
      return goAhead((await checkpointFirst(event, decision.mutates)) ?? adapter.preReply(allowed, true, event));
    }
    const answer = await approvals.request(event, decision, ctx.approvalTimeoutSeconds * 1000, signal);
    // the client gave up while the person was asked (the dialog is taken down): what they answer no longer counts
    if (await gaveUp(signal)) return stale(event, started, { verdict: answer.verdict, ruleId: decision.ruleId });
    if (answer.verdict === 'allow' && answer.remember && ctx.rules) {
      const rule = ctx.rules.add(event);
      if (rule) audit.event({ sessionId, kind: 'session-rule-added', detail: `${rule.id}: ${rule.description} (asked by ${decision.ruleId ?? 'the defaults'})` });
    }
    const reason =
      answer.verdict === 'allow'
        ? `approved by the user${answer.remember ? ' for the rest of the session' : ''}`
        : answer.by === 'timeout'
          ? `no answer within ${ctx.approvalTimeoutSeconds}s, so harness denied it (${decision.reason})`
          : answer.by === 'no-tty'
            ? `nobody could be asked (no terminal), so harness denied it: ${decision.reason}`
            : `the user declined${answer.message ? `: ${answer.message}` : ''} (${decision.reason})`;
    const final = { verdict: answer.verdict, ruleId: decision.ruleId, reason, mutates: decision.mutates };
    record(event, final, answer.by, started);
    if (answer.by === 'timeout' || answer.by === 'no-tty') tell({ kind: 'ask-timed-out', tool: event.tool, subject: event.summary, ruleId: decision.ruleId ?? null, reason: decision.reason, by: answer.by, seconds: ctx.approvalTimeoutSeconds });
    if (final.verdict === 'allow') {
      const refused = await checkpointFirst(event, decision.mutates);
      if (refused) return refused;
    }
    return goAhead(adapter.preReply(final, answer.by === 'human' && answer.verdict === 'allow', event));
  };

  const onPost = async (payload: unknown): Promise<HookReply> => {
    const event = adapter.toToolEvent(payload, workspace);
    gate.finished(event.toolUseId);
    ctx.guard?.finished(event.toolUseId);
    const { ok, response } = adapter.toResult(payload);
    const text = typeof response === 'string' ? response : JSON.stringify(response ?? null);
    audit.result({ sessionId, toolUseId: event.toolUseId, ok, summary: text.slice(0, 300), data: response });
    const judged = judgedFor.get(event.toolUseId);
    if (judged) {
      judgedFor.delete(event.toolUseId);
      // a script changed between the decision and the end of the call: what ran may not be what was judged
      for (const c of changedScripts(judged)) {
        audit.event({ sessionId, toolUseId: event.toolUseId, kind: 'script-changed', detail: `${c.path} changed after harness judged it (sha256 ${c.before.slice(0, 16)} -> ${c.now.slice(0, 16)}); what ran may not be what was judged` });
      }
    }
    if (ctx.sandboxed) {
      for (const line of sandboxRefusals(text)) {
        audit.event({ sessionId, kind: 'sandbox-refusal', detail: line, toolUseId: event.toolUseId });
        tell({ kind: 'sandbox-refusal', tool: event.tool, subject: event.summary, detail: line });
      }
    }
    const before = treeBefore.get(event.toolUseId);
    if (before && ctx.checkpoints) {
      treeBefore.delete(event.toolUseId);
      // The agent does not wait for the list of what the call changed: it is asked for now, so the
      // store (which does its work in order) reads the tree after this call and before the next
      // checkpoint, and it is recorded once known. The next PreToolUse, and the end of the session,
      // wait for it.
      const at = Date.now();
      trace('post: changes start');
      const job = ctx.checkpoints
        .changesSince(before)
        .then(
          (changes) => audit.changes({ sessionId, toolUseId: event.toolUseId, changes }, at),
          // the call has run either way; the log says the list is missing and why
          (error) => audit.changes({ sessionId, toolUseId: event.toolUseId, changes: [{ status: 'unknown', path: `could not list the changes: ${error instanceof Error ? error.message : String(error)}` }] }, at),
        )
        .then(() => trace('post: changes recorded'))
        // a record the audit log could not take is its own to report (it lists what it could not write)
        .catch(() => undefined)
        .finally(() => recording.delete(job));
      recording.add(job);
    }
    return adapter.postReply();
  };

  const handle = async (agent: string, hook: HookEvent, payload: unknown, request?: HookRequest): Promise<HookReply> => {
    let event: ToolEvent | undefined;
    try {
      if (agent !== adapter.name) throw new Error(`hook for unknown agent "${agent}"`);
      if (hook === 'post') return await onPost(payload);
      event = adapter.toToolEvent(payload, workspace);
      return await onPre(event, payload, request?.signal);
    } catch (error) {
      const reason = `harness could not decide this call (${error instanceof Error ? error.message : String(error)}); it was blocked`;
      try {
        event ??= adapter.toToolEvent(payload, workspace);
        audit.decision({ sessionId, toolUseId: event.toolUseId, verdict: 'deny', ruleId: 'core.fault', reason, decidedBy: 'fault', latencyMs: null, mutates: true });
      } catch {
        // the audit itself failed: the deny still stands
      }
      return hook === 'pre' ? adapter.preReply({ verdict: 'deny', ruleId: 'core.fault', reason }, false, event) : adapter.postReply();
    }
  };
  return Object.assign(handle, { settled });
}
