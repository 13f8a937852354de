// One scripted answer of the Anthropic Messages API, streamed as server-sent events: a tool_use
// block or a text block. Plain JS, so the e2e tests' model server (model-server.ts) and the
// agent bench (bench/agent-model.mjs) share it.

/**
 * @param {import('node:http').ServerResponse} res
 * @param {{ tool: string, input: object } | { text: string }} step
 * @param {{ turn: number, id: string }} at the turn's number (names the tool_use `toolu_<turn>`) and the message id
 */
export function streamStep(res, step, at) {
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  const send = (type, data) => res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
  send('message_start', {
    message: {
      id: at.id,
      type: 'message',
      role: 'assistant',
      model: 'claude-sonnet-4-5',
      content: [],
      stop_reason: null,
      usage: { input_tokens: 10, output_tokens: 1 },
    },
  });
  if ('tool' in step) {
    send('content_block_start', { index: 0, content_block: { type: 'tool_use', id: `toolu_${at.turn}`, name: step.tool, input: {} } });
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
}
