import { performance } from 'node:perf_hooks';
import type { claudeAdapter } from '../agents/claude.js';
import type { ToolEvent } from '../agents/tool-event.js';
import type { AuditLog, DecidedBy } from '../audit/store.js';
import type { HookEvent, HookReply } from '../hooks/protocol.js';
import type { Decision, Policy } from '../policy/index.js';
import type { ApprovalBus } from './approvals.js';
import { decideEvent } from './decide-event.js';

export interface HookContext {
  adapter: typeof claudeAdapter;
  policy: Policy;
  audit: AuditLog;
  approvals: ApprovalBus;
  sessionId: string;
  workspace: string;
  approvalTimeoutSeconds: number;
}

/**
 * What the supervisor does with one hook call: PreToolUse → record, decide, ask a human when the
 * rules say ask, record the outcome, answer; PostToolUse → record the result. Any failure is a
 * deny with a reason (fail closed).
 */
export function createHookHandler(ctx: HookContext): (agent: string, event: HookEvent, payload: unknown) => Promise<HookReply> {
  const { adapter, audit, approvals, sessionId, workspace } = ctx;
  const record = (event: ToolEvent, d: Pick<Decision, 'verdict' | 'ruleId' | 'reason' | 'mutates'>, by: DecidedBy, started: number): void => {
    audit.decision({ sessionId, toolUseId: event.toolUseId, verdict: d.verdict, ruleId: d.ruleId, reason: d.reason, decidedBy: by, latencyMs: performance.now() - started, mutates: d.mutates });
  };

  const onPre = async (payload: unknown): Promise<HookReply> => {
    const started = performance.now();
    const event = adapter.toToolEvent(payload, workspace);
    audit.toolCall({ sessionId, toolUseId: event.toolUseId, agent: event.agent, tool: event.tool, kind: event.kind, summary: event.summary, cwd: event.cwd, input: (payload as { tool_input?: unknown })?.tool_input ?? null });
    const decision = decideEvent(event, ctx.policy);
    record(event, decision, 'rule', started);
    if (decision.verdict !== 'ask') return adapter.preReply(decision, false);
    const answer = await approvals.request(event, decision, ctx.approvalTimeoutSeconds * 1000);
    const reason =
      answer.verdict === 'allow'
        ? 'approved by the user'
        : answer.by === 'timeout'
          ? `no answer within ${ctx.approvalTimeoutSeconds}s, so harness denied it (${decision.reason})`
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
    const r = (typeof response === 'object' && response !== null ? response : {}) as { is_error?: unknown; interrupted?: unknown };
    const text = typeof response === 'string' ? response : JSON.stringify(response ?? null);
    audit.result({ sessionId, toolUseId: event.toolUseId, ok: !(r.is_error || r.interrupted), summary: text.slice(0, 300), data: response });
    return adapter.postReply();
  };

  return async (agent, event, payload) => {
    try {
      if (agent !== adapter.name) throw new Error(`hook for unknown agent "${agent}"`);
      return event === 'pre' ? await onPre(payload) : onPost(payload);
    } catch (error) {
      const reason = `harness could not decide this call (${error instanceof Error ? error.message : String(error)}); it was blocked`;
      try {
        const e = adapter.toToolEvent(payload, workspace);
        audit.decision({ sessionId, toolUseId: e.toolUseId, verdict: 'deny', ruleId: 'core.fault', reason, decidedBy: 'fault', latencyMs: null, mutates: true });
      } catch {
        // the audit itself failed: the deny still stands
      }
      return event === 'pre' ? adapter.preReply({ verdict: 'deny', ruleId: 'core.fault', reason }, false) : adapter.postReply();
    }
  };
}
