import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HookServer } from '../../src/hooks/server.js';
import { hookClientPath } from '../../src/hooks/client.js';

const NATIVE = hookClientPath();
const PORTABLE = fileURLToPath(new URL('../../hooks/harness-hook.sh', import.meta.url));

const servers: (Server | TcpServer | HookServer)[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    if (s instanceof HookServer) await s.stop();
    else {
      if ('closeAllConnections' in s) s.closeAllConnections();
      await new Promise<void>((r) => s.close(() => r()));
    }
  }
});

/** Runs a client asynchronously: the servers live in this process and must keep answering. */
function call(client: string, port: number, token: string, input: string, timeout = 5): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(client, ['127.0.0.1', String(port), '/hook/claude/pre', token, String(timeout)]);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

async function rawServer(respond: (socket: import('node:net').Socket) => void): Promise<number> {
  const s = createTcpServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => respond(socket));
  });
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe.each([
  ['native', NATIVE],
  ['portable', PORTABLE],
])('%s hook client', (_name, client) => {
  it('forwards stdin and prints the supervisor answer', async () => {
    const server = new HookServer(async (agent, event, payload) => ({ verdict: 'deny', exitCode: 0, body: JSON.stringify({ agent, event, echo: payload }) }));
    servers.push(server);
    const ep = await server.start();
    const r = await call(client, ep.port, ep.token, JSON.stringify({ tool_name: 'Bash', big: 'x'.repeat(200_000) }));
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ agent: 'claude', event: 'pre', echo: { tool_name: 'Bash' } });
    expect(out.echo.big.length).toBe(200_000);
  });

  it('passes an exit-code answer through (stderr, exit N)', async () => {
    const server = new HookServer(async () => ({ verdict: 'deny', exitCode: 2, body: 'denied by rule x' }));
    servers.push(server);
    const ep = await server.start();
    const r = await call(client, ep.port, ep.token, '{}');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('denied by rule x');
  });

  it.each([
    ['supervisor gone', async () => freePort(), 5],
    [
      'wrong token',
      async () => {
        const server = new HookServer(async () => ({ verdict: 'allow', exitCode: 0, body: '{}' }));
        servers.push(server);
        return (await server.start()).port;
      },
      5,
    ],
    ['garbage reply', async () => rawServer((s) => s.end('garbage\r\n\r\n')), 5],
    ['HTTP 500', async () => rawServer((s) => s.end('HTTP/1.1 500 Oops\r\nContent-Length: 0\r\n\r\n')), 5],
    ['no verdict header', async () => rawServer((s) => s.end('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}')), 5],
    ['cut-off body', async () => rawServer((s) => s.end('HTTP/1.1 200 OK\r\nX-Harness-Verdict: allow\r\nContent-Length: 50\r\n\r\n{"hookSpecificOutput"')), 5],
    [
      'chunked body',
      async () => rawServer((s) => s.end('HTTP/1.1 200 OK\r\nX-Harness-Verdict: allow\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n')),
      5,
    ],
    ['hangs', async () => rawServer(() => undefined), 1],
  ] as const)('fails closed (exit 2, reason on stderr) when: %s', async (_case, makePort, timeout) => {
    const port = await makePort();
    const r = await call(client, port, 'the-token', '{"tool_name":"Bash"}', timeout);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/harness: the tool call was blocked/);
  });
});
