import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { trace, tracing } from '../trace.js';
import { EXIT_HEADER, MAX_BODY, TOKEN_HEADER, VERDICT_HEADER, type HookEvent, type HookReply } from './protocol.js';

// node:http as an ES module costs ~40 ms at start on Node 22+ (its namespace loads undici); the module itself does not
const { createServer } = process.getBuiltinModule('node:http');

/**
 * What the server knows about one hook request besides its body. `signal` aborts when the client
 * is gone before the answer was sent: it gave up waiting (its timeout passed while harness was
 * stopped or stalled) and, failing closed, told the agent the call was blocked.
 */
export interface HookRequest {
  signal: AbortSignal;
}

export type HookHandler = (agent: string, event: HookEvent, payload: unknown, request?: HookRequest) => Promise<HookReply>;

export interface HookEndpoint {
  host: string;
  port: number;
  token: string;
}

/**
 * The supervisor's private decision endpoint: 127.0.0.1 only, a per-session secret, one route
 * per agent and hook event. It offers no way to approve anything; it only asks the policy.
 */
export class HookServer {
  private server: Server | null = null;
  private trustedServer: Server | null = null;
  readonly token = randomBytes(24).toString('hex');

  constructor(private readonly handler: HookHandler) {}

  async start(port = 0): Promise<HookEndpoint> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = 60_000;
    server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return { host: '127.0.0.1', port: (server.address() as AddressInfo).port, token: this.token };
  }

  /**
   * The same endpoint on a Unix socket that only harness can reach (the sandbox's hook door, which
   * admits the agent alone): no token, so none has to be written where the agent's processes read.
   */
  async listenTrusted(path: string): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res, true));
    server.keepAliveTimeout = 60_000;
    server.requestTimeout = 0;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(path, () => resolve());
    });
    // only this user may connect (a path socket's permissions count; an abstract one has none)
    chmodSync(path, 0o600);
    this.trustedServer = server;
  }

  async stop(): Promise<void> {
    await Promise.all([closeServer(this.server), closeServer(this.trustedServer)]);
    this.server = null;
    this.trustedServer = null;
  }

  private authorized(req: IncomingMessage): boolean {
    const given = req.headers[TOKEN_HEADER];
    if (typeof given !== 'string') return false;
    const a = Buffer.from(given);
    const b = Buffer.from(this.token);
    return a.length === b.length && timingSafeEqual(a, b);
  }

  private async handle(req: IncomingMessage, res: ServerResponse, trusted = false): Promise<void> {
    const route = /^\/hook\/([a-z]+)\/(pre|post)$/.exec(req.url ?? '');
    if (tracing) trace(`hook ${route?.[2] ?? '?'}: received`);
    if (req.method !== 'POST' || !route) return void res.writeHead(404).end();
    if (!trusted && !this.authorized(req)) return void res.writeHead(403).end();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) {
        // The client fails closed on anything but 200.
        res.writeHead(413).end();
        req.destroy();
        return;
      }
      chunks.push(chunk as Buffer);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return void res.writeHead(400).end();
    }
    const reply = await this.handler(route[1]!, route[2] as HookEvent, payload, { signal: clientGone(req, res) });
    const body = Buffer.from(reply.body, 'utf8');
    // An explicit length (no chunking): the clients check the body arrived whole.
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-length': body.length,
      [VERDICT_HEADER]: reply.verdict,
      [EXIT_HEADER]: String(reply.exitCode),
    });
    res.end(body);
    if (tracing) trace(`hook ${route[2]}: answered`);
  }
}

/**
 * Aborts when the client hangs up before the answer is sent. Hook clients never half-close while
 * they wait, so the end of their side of the connection means they stopped waiting.
 */
function clientGone(req: IncomingMessage, res: ServerResponse): AbortSignal {
  const gone = new AbortController();
  const socket = req.socket;
  const hungUp = (): void => {
    if (!res.writableFinished) gone.abort();
  };
  if (socket.destroyed || socket.readableEnded) hungUp();
  socket.once('end', hungUp);
  socket.once('close', hungUp);
  res.once('close', () => {
    hungUp();
    socket.off('end', hungUp);
    socket.off('close', hungUp);
  });
  return gone.signal;
}

/** Closes a server now, dropping idle keep-alive connections instead of waiting them out. */
export async function closeServer(server: Server | null): Promise<void> {
  if (!server) return;
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
