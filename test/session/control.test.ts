import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ControlServer, requestRollback, type ControlRollback } from '../../src/session/control.js';

/**
 * The session's control channel, attacked as a process of the agent's would: it can reach
 * 127.0.0.1 but has not got the token, or it forges a body. Nothing but a well-formed request
 * with the token reaches the session, and then only as the fields it expects.
 */
const root = mkdtempSync(join(tmpdir(), 'harness-control-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const servers: ControlServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
});

const TO = 'a'.repeat(40);

async function session(): Promise<{ dir: string; port: number; token: string; asked: ControlRollback[] }> {
  const dir = mkdtempSync(join(root, 'run-'));
  const asked: ControlRollback[] = [];
  const server = new ControlServer({ rollback: async (r) => (asked.push(r), { saved: null, changes: [], notRestored: [] }) });
  servers.push(server);
  await server.start(dir);
  const { port, token } = JSON.parse(readFileSync(join(dir, 'control.json'), 'utf8')) as { port: number; token: string };
  return { dir, port, token, asked };
}

function post(
  port: number,
  body: string,
  headers: Record<string, string> = {},
  opts: { method?: string; path?: string } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port, method: opts.method ?? 'POST', path: opts.path ?? '/rollback', headers: { 'content-type': 'application/json', ...headers } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the control channel', () => {
  it('its address and token are in a file only the person can read', async () => {
    const s = await session();
    expect(statSync(join(s.dir, 'control.json')).mode & 0o077).toBe(0);
  });

  it('without the token, or with a wrong one of any length, nothing reaches the session', async () => {
    const s = await session();
    const body = JSON.stringify({ to: TO });
    for (const headers of [
      {} as Record<string, string>,
      { 'x-harness-control': '' },
      { 'x-harness-control': 'x' },
      { 'x-harness-control': s.token.replace(/.$/, (c) => (c === '0' ? '1' : '0')) },
      { 'x-harness-control': `${s.token}0` },
      { 'x-harness-control': s.token.slice(1) },
    ]) {
      expect((await post(s.port, body, headers)).status).toBe(403);
    }
    // another method or path is not the channel, with the token or without
    expect((await post(s.port, '', { 'x-harness-control': s.token }, { method: 'GET' })).status).toBe(404);
    expect((await post(s.port, '', { 'x-harness-control': s.token }, { path: '/rollback/../x' })).status).toBe(404);
    expect(s.asked).toEqual([]);
  });

  it('a forged body is refused with what was expected, and never reaches the session', async () => {
    const s = await session();
    const auth = { 'x-harness-control': s.token };
    for (const [body, error] of [
      ['not json', 'the request is not JSON'],
      ['null', 'the request is not a JSON object'],
      ['"a"', 'the request is not a JSON object'],
      ['[]', 'to: expected a full checkpoint id'],
      [JSON.stringify({ to: 'HEAD' }), 'to: expected a full checkpoint id'],
      [JSON.stringify({ to: `${TO}; rm -rf /` }), 'to: expected a full checkpoint id'],
      [JSON.stringify({ to: ['a'] }), 'to: expected a full checkpoint id'],
      [JSON.stringify({ to: TO, kind: 'delete' }), 'kind: expected "rollback" or "undo"'],
      [JSON.stringify({ to: TO, kind: ['undo'] }), 'kind: expected "rollback" or "undo"'],
      [JSON.stringify({ to: TO, step: 42 }), 'step: expected a tool call id'],
      [JSON.stringify({ to: TO, step: { toString: 'x' } }), 'step: expected a tool call id'],
      [JSON.stringify({ to: TO, step: 'x'.repeat(257) }), 'step: expected a tool call id'],
    ] as const) {
      const r = await post(s.port, body, auth);
      expect(r.status, body).toBe(400);
      expect(JSON.parse(r.body), body).toEqual({ error });
    }
    expect(s.asked).toEqual([]);
  });

  it('a request too large is cut off, not read into memory', async () => {
    const s = await session();
    const r = await post(s.port, JSON.stringify({ to: TO, step: 'x'.repeat(100 * 1024) }), { 'x-harness-control': s.token }).catch((e: unknown) => ({
      status: 0,
      body: e instanceof Error && 'code' in e ? String(e.code) : '',
    }));
    expect(r.status).not.toBe(200);
    expect(s.asked).toEqual([]);
  });

  it('a well-formed request reaches the session as the three fields it expects, nothing more', async () => {
    const s = await session();
    const r = await post(s.port, JSON.stringify({ to: TO, kind: 'undo', step: 'toolu_1', by: 'panel', actor: 'root', __proto__: { x: 1 } }), {
      'x-harness-control': s.token,
    });
    expect(r.status).toBe(200);
    expect(await requestRollback(s.dir, { to: TO, kind: 'rollback', step: null })).toMatchObject({ status: 200 });
    expect(s.asked).toEqual([
      { to: TO, kind: 'undo', step: 'toolu_1' },
      { to: TO, kind: 'rollback', step: null },
    ]);
    expect(s.asked.every((a) => Object.keys(a).sort().join() === 'kind,step,to')).toBe(true);
  });

  it('a session that offers no channel, or has stopped, is told apart from a refusal', async () => {
    const s = await session();
    expect(await requestRollback(join(root, 'nowhere'), { to: TO, kind: 'rollback', step: null })).toBeNull();
    await servers.pop()!.stop();
    expect(await requestRollback(s.dir, { to: TO, kind: 'rollback', step: null })).toBeNull();
  });
});
