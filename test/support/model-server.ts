import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScriptedModel, sse, type Step } from './scripted-model.js';

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
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (type: string, data: Record<string, unknown>): void => sse(res, { type, ...data }, type);
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
  }

  /** The tool_result blocks the agent sent back, in order. */
  toolResults(): ToolResult[] {
    const last = this.requests[this.requests.length - 1];
    if (!last) return [];
    return last.messages.flatMap((m) => (Array.isArray(m.content) ? (m.content as ToolResult[]).filter((b) => b.type === 'tool_result') : []));
  }
}
