import { performance } from 'node:perf_hooks';
import type { AgentAdapter } from '../../agents/adapter.js';
import type { ToolEvent } from '../../agents/tool-event.js';
import type { AuditLog, DecidedBy } from '../../audit/store.js';
import type { HookEvent, HookReply } from '../../hooks/protocol.js';
import type { HookRequest } from '../../hooks/server.js';
import type { Decision, JudgedFile, Policy } from '../../policy/index.js';
import type { ApprovalBus } from './approvals.js';
import type { CheckpointStore } from '../../checkpoints/store.js';
import { preToolStages, runPreTool } from './pre-tool.js';
import { postToolStages, runPostTool } from './post-tool.js';
import type { SessionRules } from './session-rules.js';
import type { SessionGuard } from '../guard/guard.js';
import { ToolGate } from '../tool-gate.js';
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

/** The hook handler of a session; `settled()` resolves once every finished call's changes are recorded. */
export type SessionHookHandler = ((agent: string, event: HookEvent, payload: unknown, request?: HookRequest) => Promise<HookReply>) & {
  settled(): Promise<void>;
};

/**
 * What the supervisor does with one hook call: PreToolUse → the stages of pre-tool.ts (record,
 * decide, ask a human when the rules say ask, record the outcome, checkpoint, answer);
 * PostToolUse → the stages of post-tool.ts (the call has ended, its result, what it changed). Any
 * failure is a deny with a reason (fail closed).
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

  const postStages = postToolStages({
    adapter,
    audit,
    sessionId,
    gate,
    guard: ctx.guard,
    checkpoints: ctx.checkpoints,
    sandboxed: ctx.sandboxed ?? false,
    tell,
    treeBefore,
    judgedFor,
    recording: (job) => {
      const held = job.finally(() => recording.delete(held));
      recording.add(held);
    },
  });
  const onPost = (payload: unknown): HookReply => {
    runPostTool(postStages, { event: adapter.toToolEvent(payload, workspace), payload, result: null });
    return adapter.postReply();
  };

  const handle = async (agent: string, hook: HookEvent, payload: unknown, request?: HookRequest): Promise<HookReply> => {
    let event: ToolEvent | undefined;
    try {
      if (agent !== adapter.name) throw new Error(`hook for unknown agent "${agent}"`);
      if (hook === 'post') return onPost(payload);
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
