import { spawn } from 'node:child_process';
import { createServer as createTcpServer, type AddressInfo, type Server } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeAdapter } from '../../src/agents/claude.js';
import { adapterFor } from '../../src/agents/index.js';
import { ModelServer } from '../support/model-server.js';
import { claudeSandbox, CLAUDE_BIN } from '../support/agent-env.js';
import { codex, gemini } from '../support/agent-cases.js';

/**
 * The real agents with harness's generated hook settings, pointed at a supervisor that is
 * gone, hangs, or answers garbage: the tool call must never run.
 */
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0)) await c();
});

async function brokenSupervisor(kind: 'gone' | 'hangs' | 'garbage'): Promise<number> {
  if (kind === 'gone') {
    const s = createHttpServer();
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    const port = (s.address() as AddressInfo).port;
    await new Promise<void>((r) => s.close(() => r()));
    return port;
  }
  const s: Server = createTcpServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => {
      if (kind === 'garbage') socket.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"hookSpecificOutput": {"permissionDecision": "al');
    });
  });
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => s.close(() => r())));
  return (s.address() as AddressInfo).port;
}

describe.each(['http', 'command'] as const)('fail closed with the real Claude Code (%s hooks)', (transport) => {
  it.each(['gone', 'hangs', 'garbage'] as const)(
    'supervisor %s → the tool call does not run',
    async (kind) => {
      const model = new ModelServer();
      const url = await model.start();
      cleanups.push(() => model.stop());
      const sb = claudeSandbox(url);
      model.setScript([{ tool: 'Bash', input: { command: 'touch should-not-exist', description: 'x' } }, { text: 'done' }]);
      const port = await brokenSupervisor(kind);
      const launch = claudeAdapter.launch(['-p', 'x', '--dangerously-skip-permissions'], {
        runtimeDir: mkdtempSync(join(tmpdir(), 'harness-settings-')),
        endpoint: { host: '127.0.0.1', port, token: 'secret' },
        transport,
        timeoutSeconds: 3,
        env: sb.env,
        sandboxed: false,
      });
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(CLAUDE_BIN, launch.args, { cwd: sb.repo, env: sb.env, stdio: ['ignore', 'ignore', 'ignore'] });
        child.on('exit', resolve);
      });
      expect(code).toBe(0);
      expect(existsSync(join(sb.repo, 'should-not-exist'))).toBe(false);
      const result = model.toolResults()[0];
      expect(result?.is_error).toBe(true);
    },
    60_000,
  );
});

describe.each([codex, gemini])("fail closed with the real $name CLI (its hooks fail open on errors, harness's client does not)", (agent) => {
  it.each(['gone', 'hangs', 'garbage'] as const)(
    'supervisor %s → the tool call does not run',
    async (kind) => {
      const model = agent.model();
      model.setScript([agent.shell('touch should-not-exist')]);
      const url = await model.start();
      cleanups.push(() => model.stop());
      const sb = agent.sandbox(url);
      const port = await brokenSupervisor(kind);
      const adapter = adapterFor(agent.name)!;
      const launch = adapter.launch(agent.args, {
        runtimeDir: mkdtempSync(join(tmpdir(), 'harness-settings-')),
        endpoint: { host: '127.0.0.1', port, token: 'secret' },
        transport: 'command',
        timeoutSeconds: 3,
        env: sb.env,
        sandboxed: false,
      });
      const code = await new Promise<number | null>((resolve) => {
        const child = spawn(agent.bin, launch.args, {
          cwd: sb.repo,
          env: { ...sb.env, ...launch.env, GEMINI_CLI_TRUST_WORKSPACE: 'true' },
          stdio: ['ignore', 'ignore', 'ignore'],
        });
        child.on('exit', resolve);
      });
      expect(code).toBe(0);
      expect(existsSync(join(sb.repo, 'should-not-exist'))).toBe(false);
      expect(model.requests.length).toBeGreaterThan(1);
      expect(JSON.stringify(model.requests[model.requests.length - 1])).toMatch(/harness supervisor could not be consulted/);
    },
    60_000,
  );
});
