import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { closeServer } from '../hooks/server.js';

/** What a running session offers the person's own `harness` commands. */
export interface ControlHandlers {
  /** Rolls back to checkpoint `to` (a full commit id) while no tool call runs. */
  rollback(to: string): Promise<unknown>;
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
        let to: unknown;
        try {
          to = (JSON.parse(body) as { to?: unknown }).to;
        } catch {
          return reply(400, { error: 'the request is not JSON' });
        }
        if (typeof to !== 'string' || !/^[0-9a-f]{40,64}$/.test(to)) return reply(400, { error: 'to: expected a full checkpoint id' });
        this.handlers.rollback(to).then(
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
export function requestRollback(runtimeDir: string, to: string): Promise<{ status: number; body: unknown } | null> {
  let address: ControlAddress;
  try {
    address = JSON.parse(readFileSync(join(runtimeDir, FILE), 'utf8')) as ControlAddress;
  } catch {
    return Promise.resolve(null);
  }
  return new Promise((resolve, reject) => {
    const payload = JSON.stringify({ to });
    const req = request(
      { host: '127.0.0.1', port: address.port, method: 'POST', path: '/rollback', headers: { 'x-harness-control': address.token, 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
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
