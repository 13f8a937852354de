import type { IncomingMessage, ServerResponse } from 'node:http';
import { ScriptedModel, sse, type Step } from './scripted-model.js';

interface Part {
  text?: string;
  functionCall?: { name: string; args: unknown };
  functionResponse?: { name: string; response: unknown; id?: string };
}

export interface GeminiRequest {
  contents: { role: string; parts?: Part[] }[];
  generationConfig?: Record<string, unknown>;
}

/**
 * A scripted Gemini API (Gemini CLI): the step is the number of function responses already in the
 * conversation. Requests for structured answers (routing, next speaker) are side requests.
 */
export class GeminiModel extends ScriptedModel<GeminiRequest> {
  protected async handle(req: IncomingMessage, body: string, res: ServerResponse): Promise<void> {
    const url = req.url ?? '';
    if (url.includes(':countTokens')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"totalTokens":1}');
      return;
    }
    if (req.method !== 'POST' || !/:(stream)?generateContent/i.test(url)) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{}');
      return;
    }
    const request = JSON.parse(body) as GeminiRequest;
    const config = request.generationConfig ?? {};
    const schema = JSON.stringify(config.responseJsonSchema ?? config.responseSchema ?? '');
    let parts: Part[];
    if (config.responseMimeType === 'application/json' || schema !== '""') {
      parts = [
        {
          text: JSON.stringify(
            schema.includes('next_speaker')
              ? { reasoning: 'done', next_speaker: 'user' }
              : schema.includes('model_choice')
                ? { reasoning: 'simple', model_choice: 'flash' }
                : {},
          ),
        },
      ];
    } else {
      this.requests.push(request);
      const turn = request.contents.flatMap((c) => c.parts ?? []).filter((p) => p.functionResponse).length;
      const step: Step = await this.step(turn);
      parts = 'tool' in step ? [{ functionCall: { name: step.tool, args: step.input } }] : [{ text: step.text }];
    }
    const reply = {
      candidates: [{ content: { role: 'model', parts }, finishReason: 'STOP', index: 0 }],
      usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 },
      modelVersion: 'gemini-2.5-flash',
    };
    if (url.includes('alt=sse')) {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      sse(res, reply);
      res.end();
    } else res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(reply));
  }

  /** What the agent sent back for each tool call, in order, from the last request. */
  toolOutputs(): string[] {
    const last = this.requests[this.requests.length - 1];
    return (last?.contents ?? []).flatMap((c) => c.parts ?? []).flatMap((p) => (p.functionResponse ? [JSON.stringify(p.functionResponse.response)] : []));
  }
}
