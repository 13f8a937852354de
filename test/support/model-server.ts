import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One scripted model turn: call a tool, or answer with text and stop. */
export type Step = { tool: string; input: Record<string, unknown> } | { text: string };

export interface ToolResult {
  type: string;
  tool_use_id: string;
  content: unknown;
  is_error?: boolean;
}

export interface ModelRequest {
  messages: { role: string; content: unknown }[];
  tools?: unknown[];
}

/**
 * A scripted Anthropic Messages API on 127.0.0.1: the step is chosen by counting the assistant
 * turns already in the conversation, and every request is kept for assertions.
 */
export class ModelServer {
  readonly requests: ModelRequest[] = [];
  private server: Server | null = null;
  private readonly holds = new Map<number, { reached: () => void; released: Promise<void> }>();

  constructor(private script: Step[] = []) {}

  /** Sets the script (tests often need the sandbox paths, which need the server's URL first). */
  setScript(script: Step[]): void {
    this.script = script;
  }

  /**
   * Holds the answer for assistant turn `turn` (the agent waits on the model) until `release()`:
   * a window between two tool calls in which the test acts on the running session.
   */
  hold(turn: number): { reached: Promise<void>; release: () => void } {
    let reached!: () => void;
    let release!: () => void;
    const reachedP = new Promise<void>((r) => (reached = r));
    this.holds.set(turn, { reached, released: new Promise<void>((r) => (release = r)) });
    return { reached: reachedP, release };
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', async () => {
        if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/messages') {
          res.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"not here"}}');
          return;
        }
        const request = JSON.parse(body) as ModelRequest;
        this.requests.push(request);
        const turn = request.messages.filter((m) => m.role === 'assistant').length;
        // Requests without tools are side requests (titles, summaries): answer with text.
        const step: Step = request.tools && request.tools.length > 0 ? (this.script[turn] ?? { text: 'done' }) : { text: 'ok' };
        const hold = request.tools && request.tools.length > 0 ? this.holds.get(turn) : undefined;
        if (hold) {
          this.holds.delete(turn);
          hold.reached();
          await hold.released;
        }
        res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
        const send = (type: string, data: Record<string, unknown>): void => void res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
        send('message_start', { message: { id: `msg_${turn}_${this.requests.length}`, type: 'message', role: 'assistant', model: 'claude-sonnet-4-5', content: [], stop_reason: null, usage: { input_tokens: 10, output_tokens: 1 } } });
        if ('tool' in step) {
          send('content_block_start', { index: 0, content_block: { type: 'tool_use', id: `toolu_${turn}`, name: step.tool, input: {} } });
          send('content_block_delta', { index: 0, delta: { type: 'input_json_delta', partial_json: JSON.stringify(step.input) } });
          send('content_block_stop', { index: 0 });
          send('message_delta', { delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 5 } });
        } else {
          send('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
          send('content_block_delta', { index: 0, delta: { type: 'text_delta', text: step.text } });
          send('content_block_stop', { index: 0 });
          send('message_delta', { delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 5 } });
        }
        send('message_stop', {});
        res.end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** The tool_result blocks the agent sent back, in order. */
  toolResults(): ToolResult[] {
    const last = this.requests[this.requests.length - 1];
    if (!last) return [];
    return last.messages.flatMap((m) => (Array.isArray(m.content) ? (m.content as ToolResult[]).filter((b) => b.type === 'tool_result') : []));
  }
}
