// A scripted Anthropic Messages API on 127.0.0.1 for bench/agent-cost.mjs (the answers streamed as
// test/support/model-server.ts streams them for the e2e tests), that also keeps the time of every request
// and answer: the gap between answering with a tool_use and hearing the request that carries its
// tool_result is what the tool call cost as the agent felt it.
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { streamStep } from '../test/support/anthropic-stream.mjs';

export class TimedModel {
  constructor() {
    /** @type {({ tool: string, input: object } | { text: string })[]} */
    this.script = [];
    /** One entry per request: { at, turn, tools, toolResults, answered } (performance.now() ms). */
    this.log = [];
    this.server = null;
  }

  /** A new script for the next run; the times of the last run are dropped. */
  reset(script) {
    this.script = script;
    this.log = [];
  }

  async start() {
    this.server = createServer((req, res) => {
      // the request is heard when its head arrives: its body (the whole conversation) is read after
      const entry = { at: performance.now(), turn: -1, tools: false, toolResults: [], answered: null };
      let body = '';
      req.on('data', (c) => (body += c.toString('utf8')));
      req.on('end', () => {
        try {
          this.answer(req, body, res, entry);
        } catch (error) {
          if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: String(error) } }));
        }
      });
    });
    this.server.keepAliveTimeout = 60_000;
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${this.server.address().port}`;
  }

  answer(req, body, res, entry) {
    if (req.method !== 'POST' || (req.url ?? '').split('?')[0] !== '/v1/messages') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"type":"error","error":{"type":"not_found_error","message":"not here"}}');
      return;
    }
    const request = JSON.parse(body);
    const turn = request.messages.filter((m) => m.role === 'assistant').length;
    entry.turn = turn;
    entry.tools = Array.isArray(request.tools) && request.tools.length > 0;
    // the whole conversation is resent: every tool_result in it (a reminder may follow the latest)
    entry.toolResults = request.messages
      .flatMap((m) => (Array.isArray(m.content) ? m.content.filter((b) => b.type === 'tool_result') : []))
      .map((b) => ({ id: b.tool_use_id, error: b.is_error === true, text: JSON.stringify(b.content).slice(0, 300) }));
    this.log.push(entry);
    // requests without tools are side requests (titles, summaries): a short text
    const step = entry.tools ? (this.script[turn] ?? { text: 'done' }) : { text: 'ok' };
    streamStep(res, step, { turn, id: `msg_${turn}_${this.log.length}` });
    res.end(() => (entry.answered = performance.now()));
  }

  /**
   * What the last run showed: the first model request's time, and per tool call (in order) the
   * time from the end of the answer asking for it to the request carrying its result.
   */
  timings() {
    const main = this.log.filter((e) => e.tools);
    const calls = [];
    for (let turn = 0; ; turn++) {
      const asked = main.find((e) => e.turn === turn);
      const next = main.find((e) => e.turn === turn + 1);
      if (!asked || !next || !('tool' in (this.script[turn] ?? {}))) break;
      const result = next.toolResults.find((r) => r.id === `toolu_${turn}`);
      calls.push({ turn, ms: next.at - asked.answered, error: !result || result.error, text: result?.text ?? '(no tool_result)' });
    }
    return { firstRequest: this.log[0]?.at ?? null, requests: this.log.length, sideRequests: this.log.length - main.length, calls };
  }

  async stop() {
    this.server?.closeAllConnections();
    await new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
