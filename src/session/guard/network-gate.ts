import { randomUUID } from 'node:crypto';
import type { AuditLog, DecidedBy } from '../../audit/store.js';
import { normalizeHost, type HostDecision, type HostPolicy } from '../../policy/network.js';
import type { EgressFrom, EgressVerdict } from '../../sandbox/index.js';
import type { ApprovalChoice, ApprovalView } from '../views.js';

/** Who can be asked about a host: the dialog over the agent's screen. */
export interface NetworkAsker {
  ask(view: ApprovalView): Promise<ApprovalChoice>;
  /** harness answered without the person (timeout, session end): take the question down. */
  withdraw(id: string, why: string): void;
}

export interface NetworkGateDeps {
  sessionId: string;
  agent: string;
  audit: AuditLog;
  /** The network rules in force (they follow the config when it is reloaded). */
  policy: () => HostPolicy;
  /** null: nobody can be asked (no terminal), so `whenNoTty` answers. */
  asker: NetworkAsker | null;
  whenNoTty: 'allow' | 'deny';
  timeoutMs: number;
  /** The person's login name, recorded with their answers. */
  actor: string;
  /** The tool calls allowed and not yet reported back: what a connection is attributed to. */
  running: () => { id: string; label: string }[];
  /**
   * Whether the agent's work comes as tool calls harness hears about (an agent with hooks): then a
   * connection while none runs is refused without a question. A program without hooks is asked about.
   */
  toolCalls: boolean;
}

interface Answer {
  allow: boolean;
  by: DecidedBy;
  reason: string;
}

/**
 * Refusals logged one by one in a session; past this (a process flooding the proxy would fill the
 * disk) they are counted by rule, in one event at the end. Every allowed or asked connection is
 * always logged one by one.
 */
export const CONNECTION_LOG_CAP = 10_000;

/**
 * Decides every connection the sandboxed processes ask harness's proxy for: the host rules first;
 * an `ask` goes to the person (the connection waits; no answer in time is a refusal), and `a`
 * allows the host and port for the rest of the session. Concurrent attempts at the same
 * destination share one question. Every attempt is logged with who decided and the tool call it
 * came from. Nothing here throws: a fault refuses.
 */
export class NetworkGate {
  private readonly allowedForSession = new Set<string>();
  private readonly pending = new Map<string, { promise: Promise<Answer>; settle: (a: Answer) => void }>();
  private refusals = 0;
  /** Refusals past the cap, by rule. */
  private readonly folded = new Map<string, number>();
  private closed = false;

  constructor(private readonly deps: NetworkGateDeps) {}

  readonly decide = async (rawHost: string, port: number, from: EgressFrom = 'unknown'): Promise<EgressVerdict> => {
    const host = normalizeHost(rawHost).slice(0, 253);
    const origin = this.origin(from);
    let decision: HostDecision;
    let answer: Answer;
    try {
      // the Node launcher cannot tell who connected: the agent's API stays open to the agent then
      decision = this.deps.policy().decide(rawHost, port, from !== 'other');
      // between tool calls there is nothing to show the person a connection came from (the agent's
      // update checks and telemetry, a process left running): refused without a question
      if (decision.verdict === 'ask' && this.deps.toolCalls && this.deps.running().length === 0) {
        const who =
          from === 'agent'
            ? `${this.deps.agent} itself`
            : from === 'other'
              ? `a process of the agent's (left running, or an MCP server)`
              : `${this.deps.agent} or a process of its`;
        decision = {
          ...decision,
          verdict: 'deny',
          ruleId: 'network.background',
          reason: `${who} connected to ${host}:${port} while no tool call ran; harness asks only about connections a tool call makes, and refuses the rest that no rule allows. Allow it in sandbox.network.rules if it is needed`,
        };
      }
      answer =
        decision.verdict === 'ask'
          ? await this.askFor(host, port, decision, origin.text)
          : { allow: decision.verdict === 'allow', by: 'rule', reason: decision.reason };
    } catch (e) {
      decision = {
        verdict: 'deny',
        ruleId: 'network.fault',
        reason: `harness could not decide this connection (${e instanceof Error ? e.message : String(e)})`,
        named: false,
      };
      answer = { allow: false, by: 'fault', reason: decision.reason };
    }
    // what cannot be recorded does not go out
    if (!this.log(host, port, decision, answer, origin) && answer.allow) {
      return {
        allow: false,
        ruleId: 'network.fault',
        reason: 'harness could not record this connection in the audit log, so it was refused',
        allowLocal: false,
      };
    }
    return { allow: answer.allow, ruleId: decision.ruleId, reason: answer.reason, allowLocal: decision.named };
  };

  /** A tunnel the proxy cut after it was allowed: the name inside was another site's. Logged as a refusal. */
  readonly mismatch = (rawHost: string, port: number, from: EgressFrom, why: string): void => {
    const host = normalizeHost(rawHost).slice(0, 253);
    const decision: HostDecision = { verdict: 'deny', ruleId: 'network.name-mismatch', reason: why, named: false };
    this.log(host, port, decision, { allow: false, by: 'rule', reason: why }, this.origin(from));
  };

  /** Refuses whatever still waits for a person (the session is ending). */
  close(): void {
    this.closed = true;
    for (const { settle } of this.pending.values()) settle({ allow: false, by: 'timeout', reason: 'the harness session ended' });
    this.pending.clear();
    if (this.folded.size > 0) {
      const total = [...this.folded.values()].reduce((a, b) => a + b, 0);
      const byRule = [...this.folded].map(([rule, n]) => `${rule} ${n}`).join(', ');
      try {
        this.deps.audit.event({
          sessionId: this.deps.sessionId,
          kind: 'egress-folded',
          detail: `${total} more refused connections, not logged one by one: ${byRule}`,
        });
      } catch (e) {
        process.stderr.write(`harness: could not log ${total} refused connections: ${e instanceof Error ? e.message : String(e)}\n`);
      }
    }
  }

  private origin(from: EgressFrom): { toolUseId: string | null; text: string } {
    const calls = this.deps.running();
    if (from === 'agent') {
      const during = calls.length === 1 ? `, during ${calls[0]!.label}` : calls.length > 1 ? `, during ${calls.length} tool calls` : '';
      return { toolUseId: calls.length === 1 ? calls[0]!.id : null, text: `from ${this.deps.agent} itself${during}` };
    }
    if (calls.length === 1) return { toolUseId: calls[0]!.id, text: `from ${calls[0]!.label}` };
    if (calls.length > 1) return { toolUseId: null, text: `during ${calls.length} tool calls: ${calls.map((c) => c.label).join('; ')}` };
    return {
      toolUseId: null,
      text:
        from === 'other'
          ? 'while no tool call ran (a process left running, or an MCP server)'
          : 'while no tool call ran (the agent itself, or a process left running)',
    };
  }

  private askFor(host: string, port: number, decision: HostDecision, origin: string): Promise<Answer> {
    const key = `${host}:${port}`;
    if (this.allowedForSession.has(key)) return Promise.resolve({ allow: true, by: 'session', reason: `you allowed ${key} for this session` });
    const asker = this.deps.asker;
    if (this.closed) return Promise.resolve({ allow: false, by: 'timeout', reason: 'the harness session ended' });
    if (!asker) {
      const allow = this.deps.whenNoTty === 'allow';
      return Promise.resolve({
        allow,
        by: 'no-tty',
        reason: `${decision.reason}; nobody could be asked (no terminal), so approvals.whenNoTty (${this.deps.whenNoTty}) decided`,
      });
    }
    const waiting = this.pending.get(key);
    if (waiting) return waiting.promise;
    let settle!: (a: Answer) => void;
    const promise = new Promise<Answer>((resolve) => (settle = resolve));
    this.pending.set(key, { promise, settle });
    const view = this.view(host, port, decision, origin);
    const seconds = Math.round(this.deps.timeoutMs / 1000);
    const timer = setTimeout(() => {
      asker.withdraw(view.id, `no answer in ${seconds}s, so harness refused ${key}`);
      settle({ allow: false, by: 'timeout', reason: `nobody answered within ${seconds}s` });
    }, this.deps.timeoutMs);
    asker.ask(view).then(
      (choice) => {
        if (choice.verdict === 'allow') {
          if (choice.remember) this.allowedForSession.add(key);
          settle({ allow: true, by: 'human', reason: choice.remember ? `you allowed ${key} for this session` : `you allowed this connection to ${key}` });
        } else settle({ allow: false, by: 'human', reason: choice.message ? `the person refused it: ${choice.message}` : 'the person refused it' });
      },
      () => settle({ allow: false, by: 'fault', reason: 'the approval dialog failed' }),
    );
    return promise.finally(() => {
      clearTimeout(timer);
      if (this.pending.get(key)?.promise === promise) this.pending.delete(key);
    });
  }

  private view(host: string, port: number, decision: HostDecision, origin: string): ApprovalView {
    return {
      id: randomUUID(),
      agent: this.deps.agent,
      tool: 'network',
      kind: 'network',
      target: `${host}:${port}`,
      origin,
      ruleId: decision.ruleId,
      reason: decision.reason,
      deadline: Date.now() + this.deps.timeoutMs,
      sessionScope: `connections to ${host}:${port}`,
    };
  }

  /** Whether the attempt is on record (past the cap, one event says the rest are not logged one by one). */
  private log(host: string, port: number, decision: HostDecision, answer: Answer, origin: { toolUseId: string | null; text: string }): boolean {
    const { audit, sessionId } = this.deps;
    const asked = decision.verdict === 'ask' && answer.by !== 'session';
    try {
      if (!answer.allow && !asked && ++this.refusals > CONNECTION_LOG_CAP) {
        if (this.refusals === CONNECTION_LOG_CAP + 1) {
          audit.event({
            sessionId,
            kind: 'egress-capped',
            detail: `more than ${CONNECTION_LOG_CAP} refused connections in this session: further refusals are counted by rule (egress-folded), allowed and asked ones still logged one by one`,
          });
        }
        this.folded.set(decision.ruleId, (this.folded.get(decision.ruleId) ?? 0) + 1);
        return true;
      }
      audit.connection({
        sessionId,
        host,
        port,
        verdict: answer.allow ? 'allow' : 'deny',
        asked,
        ruleId: decision.ruleId,
        reason: answer.reason,
        decidedBy: answer.by,
        actor: answer.by === 'human' ? this.deps.actor : null,
        toolUseId: origin.toolUseId,
        origin: origin.text,
      });
      return true;
    } catch (e) {
      process.stderr.write(`harness: could not log the connection to ${host}:${port}, so it was refused: ${e instanceof Error ? e.message : String(e)}\n`);
      return false;
    }
  }
}
