import { performance } from 'node:perf_hooks';
import { eventPaths, type ToolEvent } from '../../agents/tool-event.js';
import type { AgentAdapter } from '../../agents/adapter.js';
import type { AuditLog, DecidedBy } from '../../audit/store.js';
import type { CheckpointStore } from '../../checkpoints/store.js';
import type { HookReply } from '../../hooks/protocol.js';
import type { Decision, JudgedFile, Policy } from '../../policy/index.js';
import { trace, tracing } from '../../trace.js';
import type { ApprovalBus } from './approvals.js';
import { decideEvent } from './decide-event.js';
import type { DecisionNotice } from './decision-notice.js';
import type { SessionGuard } from '../guard/guard.js';
import { guardSecrets } from './secret-guard.js';
import type { SessionRules } from './session-rules.js';
import type { ToolGate } from '../tool-gate.js';

/** One PreToolUse call on its way through the stages: each stage reads it, and the deciding ones add what they found. */
export interface PreCall {
  readonly event: ToolEvent;
  readonly payload: unknown;
  /** Aborted when the hook client gave up waiting (see gaveUp). */
  readonly signal: AbortSignal | undefined;
  /** When harness began on the call (after waiting its turn): the latency in the log counts from here. */
  started: number;
  /** The rules' decision (the secret guard's included), once the deciding stages made it. */
  decision: Decision | null;
}

/** What a stage does with the call: passes it on, lets it go ahead (a checkpoint, then the answer), or answers it now. */
export type Step = { kind: 'next' } | GoAhead | { kind: 'answer'; reply: HookReply };

/** The call may run: what harness tells the agent, and whether a person said yes (then the agent does not ask again). */
export interface GoAhead {
  kind: 'go-ahead';
  told: Pick<Decision, 'ruleId' | 'reason'> & { verdict: 'allow' };
  byHuman: boolean;
}

export interface Stage {
  /** What the stage does, in a few words (in traces, and for people reading the list). */
  name: string;
  run(call: PreCall): Step | Promise<Step>;
}

/** What the stages use: the session's parts, and the hook handler's records of running calls. */
export interface PreToolDeps {
  adapter: AgentAdapter;
  audit: AuditLog;
  approvals: ApprovalBus;
  sessionId: string;
  approvalTimeoutSeconds: number;
  policy: () => Policy;
  gate: ToolGate;
  checkpoints: CheckpointStore | undefined;
  rules: SessionRules | undefined;
  guard: SessionGuard | undefined;
  /** Waits until what the calls before this one changed is on record. */
  settled: () => Promise<void>;
  /** Whether the change lists of finished calls are still being worked out. */
  recording: () => boolean;
  record: (event: ToolEvent, d: Pick<Decision, 'verdict' | 'ruleId' | 'reason' | 'mutates'>, by: DecidedBy, started: number) => void;
  tell: (notice: DecisionNotice) => void;
  /** The checkpoint tree taken before each running mutation, to record what it changed. */
  treeBefore: Map<string, string>;
  /** The scripts each running call was judged by. */
  judgedFor: Map<string, JudgedFile[]>;
}

const NEXT: Step = { kind: 'next' };
const answer = (reply: HookReply): Step => ({ kind: 'answer', reply });

/** The rules' decision; a stage that needs it before the rules ran is a fault (the call is denied). */
function decisionOf(call: PreCall): Decision {
  if (!call.decision) throw new Error('a stage needs the decision before the rules made it');
  return call.decision;
}

/**
 * The stages of one PreToolUse call, in order. Those for optional parts of the session (the
 * guard, session rules, checkpoints) are in the list only when the part is. The deciding stages
 * run until one lets the call go ahead or answers it; one that goes ahead then gets its checkpoint
 * (no checkpoint, no mutation) and its answer.
 */
export function preToolStages(deps: PreToolDeps): PreToolPipeline {
  const { adapter, audit, sessionId } = deps;
  const present = <T>(stage: T | undefined): T[] => (stage ? [stage] : []);

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
  const stale = (call: PreCall, after?: Pick<Decision, 'verdict' | 'ruleId'>): { kind: 'answer'; reply: HookReply } => {
    const would = after ? ` (harness's answer would have been ${after.verdict}${after.ruleId ? ` by ${after.ruleId}` : ''})` : '';
    const reason = `the hook client had stopped waiting before harness answered (harness was stopped or stalled longer than the hook timeout), so the agent was told the call was blocked and it did not run${would}`;
    deps.record(call.event, { verdict: 'deny', ruleId: 'core.stale', reason, mutates: false }, 'stale', call.started);
    return { kind: 'answer', reply: adapter.preReply({ verdict: 'deny', ruleId: 'core.stale', reason }, false, call.event) };
  };

  const waitTurn: Stage = {
    name: 'wait while harness holds the tree, and for the changes of the calls before',
    async run() {
      await deps.gate.enter();
      if (deps.recording()) await deps.settled();
      return NEXT;
    },
  };

  const guard = deps.guard;
  const checkProtected: Stage | undefined = guard && {
    // a protected file changed since the last call (and the watcher has not said so yet)
    name: 'check the protected files',
    async run() {
      await guard.check();
      return NEXT;
    },
  };

  const logCall: Stage = {
    name: 'log the call',
    run(call) {
      const { event } = call;
      call.started = performance.now();
      audit.toolCall({
        sessionId,
        toolUseId: event.toolUseId,
        agent: event.agent,
        tool: event.tool,
        kind: event.kind,
        summary: event.summary,
        cwd: event.cwd,
        input: (call.payload as { tool_input?: unknown } | null)?.tool_input ?? null,
      });
      return NEXT;
    },
  };

  const stillWaiting: Stage = {
    name: 'refuse a call its client gave up on',
    async run(call) {
      return (await gaveUp(call.signal)) ? stale(call) : NEXT;
    },
  };

  const rollbackNotice: Stage = {
    name: 'tell the agent about a rollback',
    run(call) {
      const notice = deps.gate.takeNotice();
      if (!notice) return NEXT;
      const told = { verdict: 'deny' as const, ruleId: 'core.rollback', reason: notice, mutates: false };
      deps.record(call.event, told, 'rule', call.started);
      return answer(adapter.preReply(told, false, call.event));
    },
  };

  const rules: Stage = {
    name: 'decide by the rules',
    run(call) {
      call.decision = decideEvent(call.event, deps.policy());
      return NEXT;
    },
  };

  const secrets: Stage = {
    name: 'ask about secrets written to files',
    run(call) {
      call.decision = guardSecrets(call.event, decisionOf(call));
      return NEXT;
    },
  };

  const stillWaitingAfterRules: Stage = {
    // the rules may have taken a while: a client that gave up meanwhile gets no checkpoint and no allow
    name: 'refuse a call its client gave up on while the rules decided',
    async run(call) {
      const decision = decisionOf(call);
      return decision.verdict !== 'deny' && (await gaveUp(call.signal)) ? stale(call, decision) : NEXT;
    },
  };

  const recordDecision: Stage = {
    name: "log the rules' decision and the scripts it judged",
    run(call) {
      const { event } = call;
      const decision = decisionOf(call);
      deps.record(event, decision, 'rule', call.started);
      const scripts = decision.scripts ?? [];
      for (const j of scripts) {
        audit.event({
          sessionId,
          toolUseId: event.toolUseId,
          kind: 'script-judged',
          detail: j.sha256 ? `${j.path} sha256:${j.sha256}` : `${j.path}: not judged by content (${j.note ?? 'unreadable'})`,
        });
      }
      if (scripts.some((j) => j.sha256 !== null)) deps.judgedFor.set(event.toolUseId, [...scripts]);
      return NEXT;
    },
  };

  const denied: Stage = {
    name: 'answer a deny of the rules',
    run(call) {
      const decision = decisionOf(call);
      if (decision.verdict !== 'deny') return NEXT;
      deps.tell({ kind: 'denied', tool: call.event.tool, subject: call.event.summary, ruleId: decision.ruleId ?? null, reason: decision.reason });
      return answer(adapter.preReply(decision, false, call.event));
    },
  };

  const allowed: Stage = {
    name: 'let an allow of the rules go ahead',
    run(call) {
      const decision = decisionOf(call);
      return decision.verdict === 'allow'
        ? { kind: 'go-ahead', told: { verdict: 'allow', ruleId: decision.ruleId, reason: decision.reason }, byHuman: false }
        : NEXT;
    },
  };

  const sessionRules = deps.rules;
  const remembered: Stage | undefined = sessionRules && {
    name: 'allow what the person allowed for the session',
    run(call) {
      const decision = decisionOf(call);
      const rule = sessionRules.find(call.event);
      if (!rule) return NEXT;
      const told = {
        verdict: 'allow' as const,
        ruleId: decision.ruleId,
        reason: `allowed for this session by the person (${rule.id}: ${rule.description})`,
        mutates: decision.mutates,
      };
      deps.record(call.event, told, 'session', call.started);
      return { kind: 'go-ahead', told, byHuman: true };
    },
  };

  const askPerson: Stage = {
    name: 'ask the person',
    async run(call) {
      const { event } = call;
      const decision = decisionOf(call);
      const timeout = deps.approvalTimeoutSeconds;
      const given = await deps.approvals.request(event, decision, timeout * 1000, call.signal);
      // the client gave up while the person was asked (the dialog is taken down): what they answer no longer counts
      if (await gaveUp(call.signal)) return stale(call, { verdict: given.verdict, ruleId: decision.ruleId });
      if (given.verdict === 'allow' && given.remember && sessionRules) {
        const rule = sessionRules.add(event);
        if (rule)
          audit.event({ sessionId, kind: 'session-rule-added', detail: `${rule.id}: ${rule.description} (asked by ${decision.ruleId ?? 'the defaults'})` });
      }
      const reason =
        given.verdict === 'allow'
          ? `approved by the user${given.remember ? ' for the rest of the session' : ''}`
          : given.by === 'timeout'
            ? `no answer within ${timeout}s, so harness denied it (${decision.reason})`
            : given.by === 'no-tty'
              ? `nobody could be asked (no terminal), so harness denied it: ${decision.reason}`
              : `the user declined${given.message ? `: ${given.message}` : ''} (${decision.reason})`;
      const told = { verdict: given.verdict, ruleId: decision.ruleId, reason, mutates: decision.mutates };
      deps.record(event, told, given.by, call.started);
      if (given.by === 'timeout' || given.by === 'no-tty')
        deps.tell({
          kind: 'ask-timed-out',
          tool: event.tool,
          subject: event.summary,
          ruleId: decision.ruleId ?? null,
          reason: decision.reason,
          by: given.by,
          seconds: timeout,
        });
      return given.verdict === 'allow'
        ? { kind: 'go-ahead', told: { ...told, verdict: 'allow' }, byHuman: given.by === 'human' }
        : answer(adapter.preReply(told, false, event));
    },
  };

  const store = deps.checkpoints;
  const checkpoint: GoAheadStage | undefined = store && {
    name: 'take a checkpoint before a mutation',
    /**
     * A checkpoint of the working tree (plus ignored files the tool is about to write). No
     * checkpoint, no mutation: a failure is a deny with the reason.
     */
    async run(call) {
      const { event } = call;
      if (!decisionOf(call).mutates) return null;
      const force = event.kind === 'write' || event.kind === 'edit' ? eventPaths(event) : [];
      try {
        trace('pre: decided, checkpoint start');
        const cp = await store.snapshot({ sessionId, toolUseId: event.toolUseId, kind: event.tool, summary: event.summary }, { force });
        const left = cp?.skipped?.length
          ? `; left out ${cp.skipped.length} file(s) over ${Math.round(store.maxFileBytes / 1048576)} MiB: ${cp.skipped.slice(0, 5).join(', ')}`
          : '';
        // unchanged: the state before this call is the last checkpoint, which is recorded for it
        audit.checkpoint({
          sessionId,
          toolUseId: event.toolUseId,
          commit: cp?.id ?? store.lastId(sessionId),
          summary: (cp ? `checkpoint ${cp.id.slice(0, 12)}` : 'unchanged since the last checkpoint') + left,
        });
        trace('pre: checkpoint recorded');
        const tree = cp?.tree ?? store.lastTree(sessionId);
        if (tree) deps.treeBefore.set(event.toolUseId, tree);
        return null;
      } catch (error) {
        const reason = `harness could not take a checkpoint before this change, so it was not allowed to run (${error instanceof Error ? error.message : String(error)})`;
        audit.checkpoint({ sessionId, toolUseId: event.toolUseId, commit: null, summary: 'checkpoint failed', error: reason });
        audit.decision({
          sessionId,
          toolUseId: event.toolUseId,
          verdict: 'deny',
          ruleId: 'core.checkpoint',
          reason,
          decidedBy: 'fault',
          latencyMs: null,
          mutates: true,
        });
        return adapter.preReply({ verdict: 'deny', ruleId: 'core.checkpoint', reason }, false, event);
      }
    },
  };

  const answerAgent: GoAheadStage = {
    // an allowed call goes ahead, unless its client gave up while the checkpoint was taken
    name: 'answer the agent; the gate and the guard know the call runs until its PostToolUse',
    async run(call, go) {
      const { event } = call;
      const reply = adapter.preReply(go.told, go.byHuman, event);
      if (reply.verdict !== 'allow') return reply;
      const decision = decisionOf(call);
      if (await gaveUp(call.signal)) return stale(call, decision).reply;
      deps.gate.started(event.toolUseId, `${event.kind === 'shell' ? event.command : (eventPaths(event)[0] ?? '')} (${event.tool})`.trim());
      deps.guard?.started(event, decision);
      return reply;
    },
  };

  return {
    deciding: [
      waitTurn,
      ...present(checkProtected),
      logCall,
      stillWaiting,
      rollbackNotice,
      rules,
      secrets,
      stillWaitingAfterRules,
      recordDecision,
      denied,
      allowed,
      ...present(remembered),
      askPerson,
    ],
    goingAhead: [...present(checkpoint), answerAgent],
  };
}

/** A stage for a call that goes ahead: null passes it on, a reply is the answer (a refusal, or the last stage's answer). */
export interface GoAheadStage {
  name: string;
  run(call: PreCall, go: GoAhead): HookReply | null | Promise<HookReply | null>;
}

/** The stages of a PreToolUse call, in the order they run. */
export interface PreToolPipeline {
  /** Run until one lets the call go ahead or answers it. */
  deciding: Stage[];
  /** Run for a call that goes ahead, until one answers: the last always does. */
  goingAhead: GoAheadStage[];
}

/** Runs a call through the pipeline; a pipeline whose stages leave it unanswered is a fault (the call is denied). */
export async function runPreTool(pipeline: PreToolPipeline, call: PreCall): Promise<HookReply> {
  for (const stage of pipeline.deciding) {
    const step = await stage.run(call);
    if (tracing) trace(`pre: ${stage.name}`);
    if (step.kind === 'answer') return step.reply;
    if (step.kind === 'go-ahead') {
      for (const after of pipeline.goingAhead) {
        const reply = await after.run(call, step);
        if (reply) return reply;
      }
      break;
    }
  }
  throw new Error('no stage answered the call');
}
