import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScriptedModel, sse, type Step } from './scripted-model.js';

export interface ResponsesRequest {
  input: { type?: string; call_id?: string; output?: unknown; content?: unknown }[];
  tools?: { type: string; name?: string }[];
}

/**
 * A scripted OpenAI Responses API (Codex CLI): the step is the number of tool outputs already in
 * the input. `exec_command` steps take `{cmd}`; `apply_patch` takes the patch text (a freeform tool).
 */
export class CodexModel extends ScriptedModel<ResponsesRequest> {
  protected async handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    if (req.method !== 'POST' || !(req.url ?? '').split('?')[0]!.endsWith('/responses')) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const request = JSON.parse(body) as ResponsesRequest;
    const input = Array.isArray(request.input) ? request.input : [];
    // the interactive client asks for a title on the side: answer it without using a step
    const side = JSON.stringify(input).includes('task title');
    if (!side) this.requests.push(request);
    const turn = input.filter((x) => typeof x.type === 'string' && x.type.endsWith('_call_output')).length;
    const step: Step = side ? { text: 'Title' } : await this.step(turn);
    const id = `resp_${this.requests.length}_${turn}`;
    let item: Record<string, unknown>;
    if (!('tool' in step)) item = { type: 'message', id: `msg_${id}`, role: 'assistant', content: [{ type: 'output_text', text: step.text }] };
    else if (typeof step.input === 'string') item = { type: 'custom_tool_call', id: `ctc_${id}`, call_id: `call_${turn}`, name: step.tool, input: step.input };
    else item = { type: 'function_call', id: `fc_${id}`, call_id: `call_${turn}`, name: step.tool, arguments: JSON.stringify(step.input) };
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (type: string, data: Record<string, unknown>): void => sse(res, { type, ...data }, type);
    send('response.created', { response: { id } });
    send('response.output_item.added', { output_index: 0, item });
    send('response.output_item.done', { output_index: 0, item });
    send('response.completed', {
      response: { id, usage: { input_tokens: 10, input_tokens_details: null, output_tokens: 5, output_tokens_details: null, total_tokens: 15 } },
    });
    res.end();
  }

  /** What the agent sent back for each tool call, by call id (`call_<turn>`), from the last request. */
  toolOutputs(): Map<string, string> {
    const last = this.requests[this.requests.length - 1];
    const out = new Map<string, string>();
    for (const item of last?.input ?? []) {
      if (typeof item.type === 'string' && item.type.endsWith('_call_output') && item.call_id)
        out.set(item.call_id, typeof item.output === 'string' ? item.output : JSON.stringify(item.output));
    }
    return out;
  }
}
