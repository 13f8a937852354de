import { performance } from 'node:perf_hooks';
import type { AgentAdapter } from '../../agents/adapter.js';
import type { ToolEvent } from '../../agents/tool-event.js';
import type { AuditLog, DecidedBy } from '../../audit/store.js';
import type { HookEvent, HookReply } from '../../hooks/protocol.js';
import type { HookRequest } from '../../hooks/server.js';
import type { Decision, JudgedFile, Policy } from '../../policy/index.js';
import { changedScripts } from './scripts.js';
import type { ApprovalBus } from './approvals.js';
import type { CheckpointStore } from '../../checkpoints/store.js';
import { preToolStages, runPreTool } from './pre-tool.js';
import type { SessionRules } from './session-rules.js';
import type { SessionGuard } from '../guard/guard.js';
import { ToolGate } from '../tool-gate.js';
import { trace } from '../../trace.js';
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
  checkpoints?: CheckpointStore | undefined;
  /** Holds tool calls while harness restores the tree (a rollback during the session). */
  gate?: ToolGate | undefined;
  /** What the person allowed for the rest of the session (`a` in the approval dialog). */
  rules?: SessionRules | undefined;
  /** Who answers approvals (the person's login name), for the audit log. */
  actor?: string | undefined;
  /** Protected files and out-of-band changes: checked before every call, told what each call may write. */
  guard?: SessionGuard | undefined;
  /** The agent runs in the OS sandbox: what it refused shows in the tool's output, and is logged. */
  sandboxed?: boolean | undefined;
  /** Tells the person about a decision they did not see being made (a deny, an unanswered ask, a sandbox refusal). */
  notify?: ((notice: DecisionNotice) => void) | undefined;
}

/** Lines of a tool's output that say the sandbox refused something (a read-only tree, a hidden path, no network). */
export function sandboxRefusals(text: string): string[] {
  const lines = text
    .split(/\\n|\n/)
    .filter((l) => /Read-only file system|EROFS|Network is unreachable|ENETUNREACH|403 Forbidden.*harness|is not an allowed host/i.test(l));
  return [...new Set(lines.map((l) => l.trim().slice(0, 200)))].slice(0, 5);
}

/** The hook handler of a session; `settled()` resolves once every finished call's changes are recorded. */
export type SessionHookHandler = ((agent: string, event: HookEvent, payload: unknown, request?: HookRequest) => Promise<HookReply>) & {
  settled(): Promise<void>;
};

/**
 * What the supervisor does with one hook call: PreToolUse → the stages of pre-tool.ts (record,
 * decide, ask a human when the rules say ask, record the outcome, checkpoint, answer);
 * PostToolUse → record the result. Any failure is a deny with a reason (fail closed).
 */
export function createHookHandler(ctx: HookContext): SessionHookHandler {
  const { adapter, audit, sessionId, workspace } = ctx;
  /** The change lists of finished calls still being worked out (after their PostToolUse was answered). */
  const recording = new Set<Promise<void>>();
  const settled = async (): Promise<void> => {
    while (recording.size > 0) await Promise.all([...recording]);
  };
  const gate = ctx.gate ?? new ToolGate();
  /** The checkpoint tree taken before each running mutation, to record what it changed. */
  const treeBefore = new Map<string, string>();
  /** The scripts each running call was judged by, to see at its end whether they were the ones that ran. */
  const judgedFor = new Map<string, JudgedFile[]>();
  const record = (event: ToolEvent, d: Pick<Decision, 'verdict' | 'ruleId' | 'reason' | 'mutates'>, by: DecidedBy, started: number): void => {
    const actor = by === 'human' || by === 'session' ? (ctx.actor ?? null) : null;
    audit.decision({
      sessionId,
      toolUseId: event.toolUseId,
      verdict: d.verdict,
      ruleId: d.ruleId,
      reason: d.reason,
      decidedBy: by,
      latencyMs: performance.now() - started,
      mutates: d.mutates,
      actor,
    });
  };
  /** A notice for the person; it never changes a decision, whatever it throws. */
  const tell = (notice: DecisionNotice): void => {
    try {
      ctx.notify?.(notice);
    } catch {
      // the decision stands and is logged either way
    }
  };
  const pipeline = preToolStages({
    adapter,
    audit,
    approvals: ctx.approvals,
    sessionId,
    approvalTimeoutSeconds: ctx.approvalTimeoutSeconds,
    policy: () => (typeof ctx.policy === 'function' ? ctx.policy() : ctx.policy),
    gate,
    checkpoints: ctx.checkpoints,
    rules: ctx.rules,
    guard: ctx.guard,
    settled,
    recording: () => recording.size > 0,
    record,
    tell,
    treeBefore,
    judgedFor,
  });

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
        audit.event({
          sessionId,
          toolUseId: event.toolUseId,
          kind: 'script-changed',
          detail: `${c.path} changed after harness judged it (sha256 ${c.before.slice(0, 16)} -> ${c.now.slice(0, 16)}); what ran may not be what was judged`,
        });
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
          (error: unknown) =>
            audit.changes(
              {
                sessionId,
                toolUseId: event.toolUseId,
                changes: [{ status: 'unknown', path: `could not list the changes: ${error instanceof Error ? error.message : String(error)}` }],
              },
              at,
            ),
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
      return await runPreTool(pipeline, { event, payload, signal: request?.signal, started: performance.now(), decision: null });
    } catch (error) {
      const reason = `harness could not decide this call (${error instanceof Error ? error.message : String(error)}); it was blocked`;
      try {
        event ??= adapter.toToolEvent(payload, workspace);
        audit.decision({
          sessionId,
          toolUseId: event.toolUseId,
          verdict: 'deny',
          ruleId: 'core.fault',
          reason,
          decidedBy: 'fault',
          latencyMs: null,
          mutates: true,
        });
      } catch {
        // the audit itself failed: the deny still stands
      }
      return hook === 'pre' ? adapter.preReply({ verdict: 'deny', ruleId: 'core.fault', reason }, false, event) : adapter.postReply();
    }
  };
  return Object.assign(handle, { settled });
}
