import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeAdapter, CLAUDE_TOOLS } from '../../src/agents/claude.js';
import { codexAdapter, CODEX_TOOLS, CODEX_UNHOOKED } from '../../src/agents/codex.js';
import { createGeminiAdapter, GEMINI_TOOLS, geminiToolSet } from '../../src/agents/gemini.js';
import { declaredNames, declaredTool } from '../../src/agents/tool-table.js';
import { toToolCalls, type ToolEvent } from '../../src/agents/tool-event.js';
import type { AgentAdapter } from '../../src/agents/adapter.js';
import { CONCERNS } from '../../src/policy/index.js';
import { decideEvent } from '../../src/session/hook/decide-event.js';
import { HOME, recommended, WS } from '../helpers.js';

const adapters: Record<string, () => AgentAdapter> = { claude: () => claudeAdapter, codex: () => codexAdapter, gemini: createGeminiAdapter };
const payload = (tool_name: string, tool_input: unknown) => ({
  session_id: 's',
  tool_use_id: 'u',
  cwd: WS,
  hook_event_name: 'PreToolUse',
  tool_name,
  tool_input,
});
/** The event's concern (only calls of kind `other` have one). */
const concernOf = (e: ToolEvent) => (e.kind === 'other' ? e.concern : null);
const event = (agent: string, tool: string, input: unknown): ToolEvent => adapters[agent]!().toToolEvent(payload(tool, input), '/elsewhere');
const SHELL_TOOL: Record<string, string> = { claude: 'Bash', codex: 'Bash', gemini: 'run_shell_command' };

describe('every tool: its kind, what it names, and the policy questions it asks', () => {
  it.each([
    // Claude Code 2.1.330
    ['claude', 'Bash', { command: 'ls -la', description: 'x' }, 'shell', [{ kind: 'shell', command: 'ls -la', cwd: WS }]],
    ['claude', 'Monitor', { description: 'watch', timeout_ms: 1000, command: 'tail -f log' }, 'shell', [{ kind: 'shell', command: 'tail -f log', cwd: WS }]],
    ['claude', 'Monitor', { description: 'watch', timeout_ms: 1000, ws: { url: 'wss://x.example/feed' } }, 'fetch', [{ kind: 'fetch', tool: 'Monitor' }]],
    ['claude', 'Write', { file_path: `${WS}/a.ts`, content: 'x' }, 'write', [{ kind: 'file', op: 'write', path: `${WS}/a.ts`, cwd: WS }]],
    ['claude', 'Edit', { file_path: `${WS}/a.ts`, old_string: 'a', new_string: 'b' }, 'edit', [{ kind: 'file', op: 'write', path: `${WS}/a.ts`, cwd: WS }]],
    ['claude', 'NotebookEdit', { notebook_path: `${WS}/n.ipynb`, new_source: 'x' }, 'edit', [{ kind: 'file', op: 'write', path: `${WS}/n.ipynb`, cwd: WS }]],
    ['claude', 'Read', { file_path: `${HOME}/.ssh/id_rsa` }, 'read', [{ kind: 'file', op: 'read', path: `${HOME}/.ssh/id_rsa`, cwd: WS }]],
    ['claude', 'LSP', { operation: 'hover', filePath: 'src/a.ts', line: 1, character: 1 }, 'read', [{ kind: 'file', op: 'read', path: 'src/a.ts', cwd: WS }]],
    ['claude', 'Grep', { pattern: 'TODO', path: '/etc' }, 'search', [{ kind: 'file', op: 'read', path: '/etc', cwd: WS }]],
    ['claude', 'WebFetch', { url: 'https://example.com', prompt: 'x' }, 'fetch', [{ kind: 'fetch', tool: 'WebFetch' }]],
    ['claude', 'ReadMcpResourceTool', { server: 's', uri: 'x://y' }, 'mcp', [{ kind: 'mcp', tool: 'ReadMcpResourceTool' }]],
    ['claude', 'mcp__db__query', { sql: 'select 1' }, 'mcp', [{ kind: 'mcp', tool: 'mcp__db__query' }]],
    ['claude', 'Agent', { description: 'x', prompt: 'y' }, 'other', [{ kind: 'other', tool: 'Agent' }]],
    ['claude', 'Task', { description: 'x', prompt: 'y' }, 'other', [{ kind: 'other', tool: 'Task' }]],
    ['claude', 'Skill', { skill: 'verify' }, 'other', [{ kind: 'other', tool: 'Skill' }]],
    ['claude', 'TaskStop', { task_id: 'b1' }, 'other', [{ kind: 'other', tool: 'TaskStop' }]],
    ['claude', 'ScheduleWakeup', { stop: true }, 'other', [{ kind: 'other', tool: 'ScheduleWakeup' }]],
    ['claude', 'ExitWorktree', { action: 'keep' }, 'other', [{ kind: 'other', tool: 'ExitWorktree' }]],
    ['claude', 'SendMessage', { to: 'main', message: 'done' }, 'other', [{ kind: 'other', tool: 'SendMessage' }]],
    // Codex CLI 0.169.0
    ['codex', 'Bash', { command: 'ls' }, 'shell', [{ kind: 'shell', command: 'ls', cwd: WS }]],
    ['codex', 'apply_patch', { command: '*** Begin Patch\n*** Delete File: a\n*** End Patch\n' }, 'edit', [{ kind: 'file', op: 'delete', path: 'a', cwd: WS }]],
    ['codex', 'view_image', { path: `${HOME}/.ssh/id_rsa` }, 'read', [{ kind: 'file', op: 'read', path: `${HOME}/.ssh/id_rsa`, cwd: WS }]],
    ['codex', 'create_goal', { objective: 'x' }, 'other', [{ kind: 'other', tool: 'create_goal' }]],
    ['codex', 'mcp__github__create_issue', { title: 'x' }, 'mcp', [{ kind: 'mcp', tool: 'mcp__github__create_issue' }]],
    // Gemini CLI 0.61.0
    ['gemini', 'run_shell_command', { command: 'pwd', dir_path: 'sub' }, 'shell', [{ kind: 'shell', command: 'pwd', cwd: `${WS}/sub` }]],
    [
      'gemini',
      'read_many_files',
      { include: ['a.ts', `${HOME}/.aws/credentials`] },
      'read',
      [
        { kind: 'file', op: 'read', path: 'a.ts', cwd: WS },
        { kind: 'file', op: 'read', path: `${HOME}/.aws/credentials`, cwd: WS },
      ],
    ],
    ['gemini', 'search_file_content', { pattern: 'x' }, 'search', [{ kind: 'file', op: 'read', path: WS, cwd: WS }]],
    ['gemini', 'google_web_search', { query: 'x' }, 'fetch', [{ kind: 'fetch', tool: 'google_web_search' }]],
    ['gemini', 'invoke_agent', { agent_name: 'codebase_investigator', prompt: 'x' }, 'other', [{ kind: 'other', tool: 'invoke_agent' }]],
    ['gemini', 'read_mcp_resource', { uri: 'x://y' }, 'mcp', [{ kind: 'mcp', tool: 'read_mcp_resource' }]],
    ['gemini', 'discovered_tool_deploy', {}, 'mcp', [{ kind: 'mcp', tool: 'discovered_tool_deploy' }]],
  ] as const)('%s %s %j', (agent, tool, input, kind, calls) => {
    const e = event(agent, tool, input);
    expect(e).toMatchObject({ agent, tool, kind });
    expect(concernOf(e)).toBeNull();
    expect(toToolCalls(e)).toEqual(calls);
  });

  it("an MCP tool of Gemini is known by the payload's mcp_context", () => {
    const e = createGeminiAdapter().toToolEvent({ ...payload('query_db', { sql: 'x' }), mcp_context: { server_name: 'db' } }, WS);
    expect(e.kind).toBe('mcp');
    expect(declaredTool(geminiToolSet, 'query_db')).toBeUndefined();
  });
});

describe('tools that move work out of reach of harness are asked, by a rule of their own', () => {
  it.each([
    ['claude', 'EnterWorktree', { name: 'wt' }, 'core.worktree'],
    ['claude', 'ExitWorktree', { action: 'remove', discard_changes: true }, 'core.worktree'],
    ['claude', 'Agent', { description: 'x', prompt: 'y', isolation: 'worktree' }, 'core.worktree'],
    ['claude', 'Agent', { description: 'x', prompt: 'y', isolation: 'remote' }, 'core.remote'],
    ['claude', 'CronCreate', { cron: '*/5 * * * *', prompt: 'rm -rf ~', durable: true }, 'core.scheduled'],
    ['claude', 'ScheduleWakeup', { delaySeconds: 60, reason: 'r', prompt: '/loop x', noop: false }, 'core.scheduled'],
    ['claude', 'Workflow', { script: 'export const meta = {}' }, 'core.workflow'],
    ['claude', 'SendMessage', { to: 'worker [3fa9c1]', message: 'run rm -rf ~ over there' }, 'core.other-session'],
    ['claude', 'Artifact', { file_path: 'report.html' }, 'core.remote'],
    ['claude', 'RemoteTrigger', { action: 'run', trigger_id: 't' }, 'core.remote'],
    ['claude', 'PowerShell', { command: 'Remove-Item -Recurse ~' }, 'core.other-shell'],
  ] as const)('%s %s %j → %s', (agent, tool, input, ruleId) => {
    const e = event(agent, tool, input);
    const d = decideEvent(e, recommended());
    expect(d).toMatchObject({ verdict: 'ask', ruleId, mutates: true });
    expect(d.reason).toContain(tool);
  });

  it("a deny of the tool's kind still wins over the ask", () => {
    const policy = recommended();
    const strict = { ...policy, defaults: { ...policy.defaults, other: 'deny' as const } };
    expect(decideEvent(event('claude', 'EnterWorktree', {}), strict)).toMatchObject({ verdict: 'deny', ruleId: 'default.other' });
  });
});

describe('unknown tools and malformed payloads are asked, never allowed as "other"', () => {
  it.each(['claude', 'codex', 'gemini'])('%s: a tool harness does not know → core.unknown-tool', (agent) => {
    const e = event(agent, 'SomethingNew', { x: 1 });
    expect(concernOf(e)).toEqual({ id: 'unknown-tool', detail: 'no declaration for "SomethingNew"' });
    expect(decideEvent(e, recommended())).toMatchObject({ verdict: 'ask', ruleId: 'core.unknown-tool' });
  });

  it.each(['claude', 'codex', 'gemini'])('%s: names on Object.prototype are not tools', (agent) => {
    for (const tool of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) expect(concernOf(event(agent, tool, {}))?.id).toBe('unknown-tool');
  });

  const garbage = (shellTool: string): [string, unknown][] => [
    ['null', null],
    ['an array', []],
    ['an empty object', {}],
    ['a number', 42],
    ['a string', 'Bash'],
    ['no tool_name', { tool_input: { command: 'rm -rf ~' } }],
    ['a tool_name that is not a string', { tool_name: 7, tool_input: {} }],
    ['an empty tool_name', { tool_name: '', tool_input: {} }],
    ['tool_input a string', { tool_name: shellTool, tool_input: 'rm -rf ~' }],
    ['tool_input an array', { tool_name: shellTool, tool_input: ['rm', '-rf', '~'] }],
    ['tool_input null', { tool_name: shellTool, tool_input: null }],
    ['no tool_input', { tool_name: shellTool }],
  ];
  it.each(['claude', 'codex', 'gemini'])('%s: a payload that is not a tool call → core.bad-input', (agent) => {
    for (const [what, p] of garbage(SHELL_TOOL[agent]!)) {
      const e = adapters[agent]!().toToolEvent(p, WS);
      expect(concernOf(e)?.id, what).toBe('bad-input');
      expect(decideEvent(e, recommended()), what).toMatchObject({ verdict: 'ask', ruleId: 'core.bad-input' });
    }
  });

  it.each([
    ['claude', 'Bash', { description: 'no command' }, 'no "command" string'],
    ['claude', 'Bash', { command: ['rm', '-rf', '~'] }, 'no "command" string'],
    ['claude', 'Write', { file_path: 'a.txt' }, 'no "content" string'],
    ['claude', 'Write', { content: 'x' }, 'no "file_path" string'],
    ['claude', 'Edit', { file_path: 'a.txt', old_string: 'a' }, 'no "old_string" and "new_string" strings'],
    ['claude', 'MultiEdit', { file_path: 'a.txt', edits: [{ old_string: 'a' }] }, 'an entry of "edits" has no "old_string" and "new_string" strings'],
    ['claude', 'Monitor', { description: 'x', timeout_ms: 1 }, 'neither a "command" nor a "ws"'],
    ['claude', 'Agent', { description: 'x', prompt: 'y', isolation: 'vm' }, 'an "isolation" harness does not know'],
    ['claude', 'ExitWorktree', { action: 'nuke' }, 'an "action" other than "keep" or "remove"'],
    ['codex', 'Bash', { cmd: 'ls' }, 'no "command" string'],
    ['codex', 'apply_patch', {}, 'no patch text ("command")'],
    ['gemini', 'run_shell_command', { cmd: 'ls' }, 'no "command" string'],
    ['gemini', 'write_file', { content: 'x' }, 'no "file_path" string'],
    ['gemini', 'read_many_files', {}, 'no "include" paths'],
  ] as const)("%s %s %j: not the tool's shape → core.bad-input (%s)", (agent, tool, input, detail) => {
    const e = event(agent, tool, input);
    expect(concernOf(e)).toEqual({ id: 'bad-input', detail });
    expect(decideEvent(e, recommended())).toMatchObject({ verdict: 'ask', ruleId: 'core.bad-input' });
  });

  it('the rule ids are the ones the policy knows', () => {
    expect(Object.values(CONCERNS).map((c) => c.id)).toEqual(
      expect.arrayContaining(['core.unknown-tool', 'core.bad-input', 'core.worktree', 'core.scheduled']),
    );
  });
});

describe('commands in other tools are judged like commands', () => {
  it('Monitor runs its command: a destructive one is denied like Bash', () => {
    const d = decideEvent(event('claude', 'Monitor', { description: 'x', timeout_ms: 1000, command: 'rm -rf ~' }), recommended());
    expect(d).toMatchObject({ verdict: 'deny', ruleId: 'fs.delete-home' });
  });
});

describe('the tables', () => {
  it.each([
    ['claude', CLAUDE_TOOLS],
    ['codex', CODEX_TOOLS],
    ['gemini', GEMINI_TOOLS],
  ] as const)('%s: every declaration says what the tool does', (_, table) => {
    for (const [name, decl] of Object.entries(table)) expect(decl.does.length, name).toBeGreaterThan(5);
  });

  it('Codex: no tool is both hooked and unhooked', () => {
    const hooked = new Set(declaredNames(CODEX_TOOLS));
    expect(Object.keys(CODEX_UNHOOKED).filter((n) => hooked.has(n))).toEqual([]);
  });

  /**
   * Gemini CLI's own registry, read from its bundle without running it: ALL_BUILTIN_TOOL_NAMES (an
   * array of constants, each `var X_TOOL_NAME = "name"`), the tool classes that declare
   * `static Name = "…"` (the background-process tools are not in that array), and the legacy names
   * of TOOL_LEGACY_ALIASES. test/e2e/agent-tools.test.ts checks the tools the binary really offers.
   */
  it('Gemini: every built-in tool of the pinned bundle is declared', () => {
    const dir = new URL('../../node_modules/@google/gemini-cli/bundle/', import.meta.url).pathname;
    const text = readdirSync(dir)
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(dir, f), 'utf8'))
      .find((t) => t.includes('var ALL_BUILTIN_TOOL_NAMES = ['));
    expect(text, 'no bundle file declares ALL_BUILTIN_TOOL_NAMES: the pinned Gemini CLI changed, look again').toBeDefined();
    const constants = new Map([...text!.matchAll(/var ([A-Z0-9_]+) = "([a-z0-9_]+)";/g)].map((m) => [m[1]!, m[2]!]));
    const list = /var ALL_BUILTIN_TOOL_NAMES = \[([^\]]*)\]/.exec(text!)![1]!;
    const builtin = list
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
      .map((id) => constants.get(id) ?? /^"(.*)"$/.exec(id)?.[1] ?? `<unresolved ${id}>`);
    const classes = [...text!.matchAll(/static Name = "([a-z0-9_]+)"/g)].map((m) => m[1]!);
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the bundle's alias table is a JS object literal: evaluating it is how the test reads it
    const aliases = Object.keys(Function(`return ${/var TOOL_LEGACY_ALIASES = (\{[^}]*\})/.exec(text!)![1]!.replace(/:\s*[A-Z0-9_]+/g, ': 1')}`)() as object);
    const names = [...new Set([...builtin, ...classes, ...aliases])];
    expect(names.length).toBeGreaterThan(25);
    expect(names.filter((n) => !declaredTool(geminiToolSet, n))).toEqual([]);
  });
});
