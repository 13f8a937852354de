import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { closeServer } from '../hooks/server.js';

// node:http as an ES module costs ~40 ms at start on Node 22+ (its namespace loads undici); the module itself does not
const { createServer, request } = process.getBuiltinModule('node:http');

/** A rollback `harness rollback` asks a running session for. */
export interface ControlRollback {
  /** The checkpoint (a full commit id). */
  to: string;
  kind: 'rollback' | 'undo';
  /** The tool call it goes back to just before, when asked for by step (for the audit log). */
  step: string | null;
}

/** What a running session offers the person's own `harness` commands. */
export interface ControlHandlers {
  /** Rolls back to a checkpoint while no tool call runs. */
  rollback(request: ControlRollback): Promise<unknown>;
}

/** The request's body, checked: anything else is refused with what was expected. */
function rollbackRequest(body: string): ControlRollback | string {
  // JSON.parse gives any JSON value: null and the other non-objects are refused below
  let value: { to?: unknown; kind?: unknown; step?: unknown } | null;
  try {
    value = JSON.parse(body) as typeof value;
  } catch {
    return 'the request is not JSON';
  }
  if (typeof value !== 'object' || value === null) return 'the request is not a JSON object';
  const { to, kind = 'rollback', step = null } = value;
  if (typeof to !== 'string' || !/^[0-9a-f]{40,64}$/.test(to)) return 'to: expected a full checkpoint id';
  if (kind !== 'rollback' && kind !== 'undo') return 'kind: expected "rollback" or "undo"';
  if (step !== null && (typeof step !== 'string' || step.length > 256)) return 'step: expected a tool call id';
  return { to, kind, step };
}

interface ControlAddress {
  port: number;
  token: string;
  pid: number;
}

const FILE = 'control.json';
const MAX_REQUEST = 64 * 1024;

/**
 * The supervisor's channel for the person's commands while a session runs (`harness rollback`):
 * 127.0.0.1, a secret in a 0600 file in the session's private runtime directory.
 */
export class ControlServer {
  private server: Server | null = null;
  private readonly token = randomBytes(24).toString('hex');

  constructor(private readonly handlers: ControlHandlers) {}

  async start(runtimeDir: string): Promise<void> {
    const server = createServer((req, res) => {
      const given = Buffer.from(String(req.headers['x-harness-control'] ?? ''));
      const secret = Buffer.from(this.token);
      if (req.method !== 'POST' || req.url !== '/rollback') return void res.writeHead(404).end();
      if (given.length !== secret.length || !timingSafeEqual(given, secret)) return void res.writeHead(403).end();
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => {
        body += chunk;
        if (body.length > MAX_REQUEST) req.destroy();
      });
      req.on('end', () => {
        const reply = (status: number, value: unknown): void => void res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        const request = rollbackRequest(body);
        if (typeof request === 'string') return reply(400, { error: request });
        this.handlers.rollback(request).then(
          (result) => reply(200, result),
          (error: unknown) => reply(409, { error: error instanceof Error ? error.message : String(error) }),
        );
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    const address: ControlAddress = { port: (server.address() as AddressInfo).port, token: this.token, pid: process.pid };
    writeFileSync(join(runtimeDir, FILE), JSON.stringify(address), { mode: 0o600 });
  }

  async stop(): Promise<void> {
    await closeServer(this.server);
    this.server = null;
  }
}

/** Asks the session whose runtime directory is `runtimeDir` to roll back; null if it offers no channel. */
export function requestRollback(runtimeDir: string, rollback: ControlRollback): Promise<{ status: number; body: unknown } | null> {
  let address: ControlAddress;
  try {
    address = JSON.parse(readFileSync(join(runtimeDir, FILE), 'utf8')) as ControlAddress;
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify(rollback);
    const req = request(
      {
        host: '127.0.0.1',
        port: address.port,
        method: 'POST',
        path: '/rollback',
        headers: { 'x-harness-control': address.token, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, body: { error: text } });
          }
        });
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNREFUSED' ? resolve(null) : reject(e)));
    req.end(payload);
  });
}
