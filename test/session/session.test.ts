import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeAdapter } from '../../src/agents/claude.js';
import { toToolCalls } from '../../src/agents/tool-event.js';
import { AuditLog } from '../../src/audit/store.js';
import { HookServer } from '../../src/hooks/server.js';
import { ApprovalBus } from '../../src/session/hook/approvals.js';
import { createHookHandler } from '../../src/session/hook/hook-handler.js';
import { recommended, WS } from '../helpers.js';

describe('Claude Code payload → ToolEvent', () => {
  const payload = (tool_name: string, tool_input: Record<string, unknown>) => ({
    session_id: 's',
    tool_use_id: 'u',
    cwd: WS,
    hook_event_name: 'PreToolUse',
    tool_name,
    tool_input,
  });
  it.each([
    ['Bash', { command: 'ls -la', description: 'x' }, 'shell', [{ kind: 'shell', command: 'ls -la', cwd: WS }]],
    ['Write', { file_path: `${WS}/a.ts`, content: 'x' }, 'write', [{ kind: 'file', op: 'write', path: `${WS}/a.ts`, cwd: WS }]],
    ['Edit', { file_path: `${WS}/a.ts`, old_string: 'a', new_string: 'b' }, 'edit', [{ kind: 'file', op: 'write', path: `${WS}/a.ts`, cwd: WS }]],
    ['MultiEdit', { file_path: `${WS}/a.ts`, edits: [] }, 'edit', [{ kind: 'file', op: 'write', path: `${WS}/a.ts`, cwd: WS }]],
    ['NotebookEdit', { notebook_path: `${WS}/n.ipynb`, new_source: 'x' }, 'edit', [{ kind: 'file', op: 'write', path: `${WS}/n.ipynb`, cwd: WS }]],
    ['Read', { file_path: '/home/dev/.ssh/id_rsa' }, 'read', [{ kind: 'file', op: 'read', path: '/home/dev/.ssh/id_rsa', cwd: WS }]],
    ['Glob', { pattern: '**/*.ts', path: `${WS}/src` }, 'search', [{ kind: 'file', op: 'read', path: `${WS}/src`, cwd: WS }]],
    ['Grep', { pattern: 'TODO' }, 'search', [{ kind: 'file', op: 'read', path: WS, cwd: WS }]],
    ['WebFetch', { url: 'https://example.com', prompt: 'x' }, 'fetch', [{ kind: 'fetch', tool: 'WebFetch' }]],
    ['WebSearch', { query: 'x' }, 'fetch', [{ kind: 'fetch', tool: 'WebSearch' }]],
    ['Task', { prompt: 'x', subagent_type: 'general' }, 'other', [{ kind: 'other', tool: 'Task' }]],
    ['Agent', { prompt: 'x' }, 'other', [{ kind: 'other', tool: 'Agent' }]],
    ['mcp__db__query', { sql: 'select 1' }, 'mcp', [{ kind: 'mcp', tool: 'mcp__db__query' }]],
    [
      'SomethingNew',
      { x: 1 },
      'other',
      [
        { kind: 'other', tool: 'SomethingNew' },
        { kind: 'concern', concern: 'unknown-tool', tool: 'SomethingNew', detail: 'no declaration for "SomethingNew"' },
      ],
    ],
  ] as const)('%s', (tool, input, kind, calls) => {
    const event = claudeAdapter.toToolEvent(payload(tool, input), '/fallback');
    expect(event.kind).toBe(kind);
    expect(event.toolUseId).toBe('u');
    expect(toToolCalls(event)).toEqual(calls);
  });

  it('survives garbage payloads (asked as core.bad-input, never crashing)', () => {
    for (const p of [null, 42, 'x', {}, { tool_name: 7, tool_input: 'nope' }]) {
      expect(() => claudeAdapter.toToolEvent(p, WS)).not.toThrow();
    }
  });
});

describe('approval bus', () => {
  const event = claudeAdapter.toToolEvent({ tool_name: 'Bash', tool_input: { command: 'git reset --hard' } }, WS);
  const decision = { verdict: 'ask' as const, ruleId: 'git.reset-hard', reason: 'r', mutates: true, hits: [], commands: [] };

  it('resolves by config when no UI is attached', async () => {
    expect(await new ApprovalBus('deny').request(event, decision, 1000)).toEqual({ verdict: 'deny', by: 'no-tty' });
    expect(await new ApprovalBus('allow').request(event, decision, 1000)).toEqual({ verdict: 'allow', by: 'no-tty' });
  });

  it('correlates answers by id and denies on timeout', async () => {
    const bus = new ApprovalBus('deny');
    const seen: string[] = [];
    const settled: string[] = [];
    bus.attach(
      (r) => seen.push(r.id),
      (id, a) => settled.push(`${id}:${a.by}`),
    );
    const first = bus.request(event, decision, 60_000);
    const second = bus.request(event, decision, 30);
    expect(seen).toHaveLength(2);
    expect(bus.answer(seen[0]!, { verdict: 'allow', by: 'human' })).toBe(true);
    expect(bus.answer(seen[0]!, { verdict: 'deny', by: 'human' })).toBe(false);
    expect(await first).toEqual({ verdict: 'allow', by: 'human' });
    expect(await second).toEqual({ verdict: 'deny', by: 'timeout' });
    expect(settled).toEqual([`${seen[0]}:human`, `${seen[1]}:timeout`]);
    expect(bus.waiting).toEqual([]);
  });
});

describe('the supervisor answers parallel tool calls concurrently, and logs every one', () => {
  it('50 calls at once, one of them waiting for a human', async () => {
    const audit = AuditLog.open(join(mkdtempSync(join(tmpdir(), 'harness-par-')), 'audit.db'));
    audit.startSession({ id: 's', agent: 'claude', workspace: WS, argv: [], configPath: null, version: 't' });
    const approvals = new ApprovalBus('deny');
    const asked: string[] = [];
    approvals.attach((r) => asked.push(r.id));
    const server = new HookServer(
      createHookHandler({ adapter: claudeAdapter, policy: recommended(), audit, approvals, sessionId: 's', workspace: WS, approvalTimeoutSeconds: 60 }),
    );
    const ep = await server.start();
    const post = (id: string, command: string) =>
      fetch(`http://127.0.0.1:${ep.port}/hook/claude/pre`, {
        method: 'POST',
        headers: { 'x-harness-token': ep.token, 'content-type': 'application/json' },
        body: JSON.stringify({ session_id: 's', tool_use_id: id, cwd: WS, tool_name: 'Bash', tool_input: { command } }),
      }).then(async (r) => ({ id, status: r.status, verdict: r.headers.get('x-harness-verdict'), body: await r.text() }));
    const pendingAsk = post('ask', 'git reset --hard');
    const others = await Promise.all(Array.from({ length: 49 }, (_, i) => post(`c${i}`, i % 2 ? 'rm -rf ~' : 'ls')));
    // the ask is still waiting; everything else was answered meanwhile
    expect(others.every((r) => r.status === 200)).toBe(true);
    expect(others.filter((r) => r.verdict === 'deny')).toHaveLength(24);
    expect(asked).toHaveLength(1);
    approvals.answer(asked[0]!, { verdict: 'allow', by: 'human' });
    expect((await pendingAsk).body).toMatch(/"permissionDecision":"allow"/);
    await server.stop();
    const rows = audit.query({ sessionId: 's' });
    expect(rows).toHaveLength(50);
    expect(new Set(rows.map((r) => r.toolUseId)).size).toBe(50);
    expect(rows.find((r) => r.toolUseId === 'ask')).toMatchObject({ verdict: 'allow', decidedBy: 'human', askedFirst: true });
    audit.close();
  });
});
