import { randomUUID } from 'node:crypto';
import type { Decision } from '../../policy/index.js';
import type { ToolEvent } from '../../agents/tool-event.js';

export interface ApprovalRequest {
  id: string;
  event: ToolEvent;
  decision: Decision;
  /** Epoch ms after which the answer is deny. */
  deadline: number;
}

export interface ApprovalAnswer {
  verdict: 'allow' | 'deny';
  by: 'human' | 'timeout' | 'no-tty';
  /** A message for the agent (why the human said no). */
  message?: string | undefined;
  /** Allow the same call again for the rest of the session (a session rule). */
  remember?: boolean;
}

type Responder = (request: ApprovalRequest) => void;
type Settled = (id: string, answer: ApprovalAnswer) => void;

/**
 * Pending approvals with correlation ids: the hook waits on a promise, whatever UI is attached
 * answers it by id. No UI attached → the configured answer; no answer in time → deny.
 */
export class ApprovalBus {
  private readonly pending = new Map<string, { request: ApprovalRequest; resolve: (a: ApprovalAnswer) => void; timer: NodeJS.Timeout }>();
  private responder: Responder | null = null;
  private settled: Settled | null = null;

  constructor(private readonly whenNoResponder: 'allow' | 'deny') {}

  /** `settled` hears every answer, so a UI can take down a prompt the timeout answered. */
  attach(responder: Responder, settled?: Settled): void {
    this.responder = responder;
    this.settled = settled ?? null;
    for (const { request } of this.pending.values()) responder(request);
  }

  detach(): void {
    this.responder = null;
    this.settled = null;
  }

  /** `signal`: the one waiting for the answer went away (the dialog is taken down, the answer is no). */
  request(event: ToolEvent, decision: Decision, timeoutMs: number, signal?: AbortSignal): Promise<ApprovalAnswer> {
    if (!this.responder) return Promise.resolve({ verdict: this.whenNoResponder, by: 'no-tty' });
    const request: ApprovalRequest = { id: randomUUID(), event, decision, deadline: Date.now() + timeoutMs };
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answer(request.id, { verdict: 'deny', by: 'timeout' }), timeoutMs);
      const gone = (): void => void this.answer(request.id, { verdict: 'deny', by: 'timeout', message: 'the agent stopped waiting for the answer' });
      this.pending.set(request.id, {
        request,
        resolve: (a) => {
          signal?.removeEventListener('abort', gone);
          resolve(a);
        },
        timer,
      });
      this.responder!(request);
      if (signal?.aborted) gone();
      else signal?.addEventListener('abort', gone, { once: true });
    });
  }

  answer(id: string, answer: ApprovalAnswer): boolean {
    const entry = this.pending.get(id);
    if (!entry) return false;
    this.pending.delete(id);
    clearTimeout(entry.timer);
    entry.resolve(answer);
    this.settled?.(id, answer);
    return true;
  }

  get waiting(): ApprovalRequest[] {
    return [...this.pending.values()].map((p) => p.request);
  }

  /** Denies everything still waiting (the session is ending). */
  denyAll(): void {
    for (const id of [...this.pending.keys()]) this.answer(id, { verdict: 'deny', by: 'timeout', message: 'the harness session ended' });
  }
}
