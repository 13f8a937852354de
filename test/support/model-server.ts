import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScriptedModel, type Step } from './scripted-model.js';
import { streamStep } from './anthropic-stream.mjs';

export type { Step } from './scripted-model.js';

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
 * A scripted Anthropic Messages API (Claude Code): the step is chosen by counting the assistant
 * turns already in the conversation.
 */
export class ModelServer extends ScriptedModel<ModelRequest> {
  protected async handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"not here"}}');
      return;
    }
    const request = JSON.parse(body) as ModelRequest;
    this.requests.push(request);
    const turn = request.messages.filter((m) => m.role === 'assistant').length;
    // Requests without tools are side requests (titles, summaries): answer with text.
    const step: Step = request.tools && request.tools.length > 0 ? await this.step(turn) : { text: 'ok' };
    streamStep(res, step, { turn, id: `msg_${turn}_${this.requests.length}` });
    res.end();
  }

  /** The tool_result blocks the agent sent back, in order. */
  toolResults(): ToolResult[] {
    const last = this.requests[this.requests.length - 1];
    if (!last) return [];
    return last.messages.flatMap((m) => (Array.isArray(m.content) ? (m.content as ToolResult[]).filter((b) => b.type === 'tool_result') : []));
  }
}
