import { mkdtempSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HookServer } from '../../src/hooks/server.js';

const servers: HookServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

function post(target: { port: number } | { socketPath: string }, token: string | null): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ ...target, method: 'POST', path: '/hook/claude/pre', headers: token ? { 'x-harness-token': token } : {} }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end('{}');
  });
}

describe.skipIf(process.platform !== 'linux')('the hook endpoint', () => {
  it("over TCP needs the session token; on the trusted socket (the sandbox door's end) it needs none", async () => {
    const server = new HookServer(async () => ({ verdict: 'allow', exitCode: 0, body: '{}' }));
    servers.push(server);
    const { port, token } = await server.start();
    const trusted = join(mkdtempSync(join(tmpdir(), 'harness-trusted-')), 'hooks.sock');
    await server.listenTrusted(trusted);
    // a path socket only its owner may connect to (an abstract one would admit every local user)
    expect(statSync(trusted).mode & 0o777).toBe(0o600);
    expect(await post({ port }, null)).toBe(403);
    expect(await post({ port }, 'none')).toBe(403);
    expect(await post({ port }, token)).toBe(200);
    expect(await post({ socketPath: trusted }, 'none')).toBe(200);
    expect(await post({ socketPath: trusted }, null)).toBe(200);
  });
});
