import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted model turn: call a tool, or answer with text and stop. */
export type Step = { tool: string; input: Record<string, unknown> | string } | { text: string };

/**
 * A scripted model API on 127.0.0.1, whichever wire format the agent speaks: the subclass reads
 * the request, picks the turn (how many tool calls were already answered) and writes the reply.
 * Every request is kept for assertions.
 */
export abstract class ScriptedModel<Request> {
  readonly requests: Request[] = [];
  private server: Server | null = null;
  private readonly holds = new Map<number, { reached: () => void; released: Promise<void> }>();

  constructor(protected script: Step[] = []) {}

  /** Sets the script (tests often need the sandbox paths, which need the server's URL first). */
  setScript(script: Step[]): void {
    this.script = script;
  }

  /**
   * Holds the answer for turn `turn` (the agent waits on the model) until `release()`: a window
   * between two tool calls in which the test acts on the running session.
   */
  hold(turn: number): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    this.holds.set(turn, { reached, released: new Promise<void>((r) => (release = r)) });
    return { reached: reachedP, release };
  }

  /** The step for a turn, after any hold on it is released. */
  protected async step(turn: number): Promise<Step> {
    const hold = this.holds.get(turn);
    if (hold) {
      this.holds.delete(turn);
      hold.reached();
      await hold.released;
    }
    return this.script[turn] ?? { text: 'done' };
  }

  /** Answers one request (the body is complete). */
  protected abstract handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void>;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        this.handle(req, body, res).catch((error: unknown) => {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: String(error) } }));
        });
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** Writes one server-sent event (`event:` line only when the format names its events). */
export function sse(res: ServerResponse, data: Record<string, unknown>, event?: string): void {
  res.write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`);
}
