import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readlinkSync, renameSync, symlinkSync, writeFileSync, existsSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseApplyPatch } from '../../src/agents/apply-patch.js';
import { codexAdapter, codexTrustHash } from '../../src/agents/codex.js';
import { configOverlay, readJsonSettings, stripJsonComments } from '../../src/agents/config-overlay.js';
import { createGeminiAdapter } from '../../src/agents/gemini.js';
import { toToolCalls } from '../../src/agents/tool-event.js';
import { decideEvent, UNREADABLE_RULE } from '../../src/session/hook/decide-event.js';
import { recommended, WS } from '../helpers.js';

describe('apply_patch → per-file changes', () => {
  it.each([
    ['an added file', '*** Begin Patch\n*** Add File: a.txt\n+one\n+two\n*** End Patch\n', [{ op: 'write', path: 'a.txt', content: 'one\ntwo\n' }]],
    ['a deleted file', '*** Begin Patch\n*** Delete File: old.txt\n*** End Patch', [{ op: 'delete', path: 'old.txt' }]],
    [
      'an update with two hunks',
      '*** Begin Patch\n*** Update File: src/x.ts\n@@ function a\n const a = 1;\n-const b = 2;\n+const b = 3;\n@@\n-x\n+y\n*** End Patch\n',
      [
        {
          op: 'edit',
          path: 'src/x.ts',
          edits: [
            { oldText: 'const a = 1;\nconst b = 2;', newText: 'const a = 1;\nconst b = 3;', all: false },
            { oldText: 'x', newText: 'y', all: false },
          ],
        },
      ],
    ],
    [
      'a move: the old file goes, the new one gets the edits',
      '*** Begin Patch\n*** Update File: a.ts\n*** Move to: b.ts\n@@\n-1\n+2\n*** End Patch\n',
      [
        { op: 'delete', path: 'a.ts' },
        { op: 'edit', path: 'b.ts', edits: [{ oldText: '1', newText: '2', all: false }] },
      ],
    ],
    [
      'several files, CRLF line ends',
      '*** Begin Patch\r\n*** Add File: n.md\r\n+# n\r\n*** Delete File: d.md\r\n*** End Patch\r\n',
      [
        { op: 'write', path: 'n.md', content: '# n\n' },
        { op: 'delete', path: 'd.md' },
      ],
    ],
  ])('%s', (_, text, files) => {
    const parsed = parseApplyPatch(text);
    expect(parsed.error).toBeUndefined();
    expect(parsed.files).toEqual(files);
  });

  it.each([
    ['no patch markers', 'rm -rf /'],
    ['a header without files', '*** Begin Patch\n*** End Patch\n'],
    ['too large', `*** Begin Patch\n*** Add File: a\n+${'x'.repeat(9 * 1024 * 1024)}\n*** End Patch`],
  ])('not readable: %s', (_, text) => {
    expect(parseApplyPatch(text).error).toBeTruthy();
  });
});

describe('Codex CLI payload → ToolEvent and policy questions', () => {
  const payload = (tool_name: string, tool_input: Record<string, unknown>) => ({
    session_id: 's',
    turn_id: 't',
    tool_use_id: 'call_1',
    cwd: WS,
    hook_event_name: 'PreToolUse',
    tool_name,
    tool_input,
  });
  it.each([
    ['Bash', { command: 'ls -la' }, 'shell', [{ kind: 'shell', command: 'ls -la', cwd: WS }]],
    ['apply_patch', { command: '*** Begin Patch\n*** Add File: a.txt\n+x\n*** End Patch\n' }, 'write', [{ kind: 'file', op: 'write', path: 'a.txt', cwd: WS }]],
    [
      'apply_patch',
      { command: '*** Begin Patch\n*** Update File: a.txt\n@@\n-x\n+y\n*** Delete File: b.txt\n*** End Patch\n' },
      'edit',
      [
        { kind: 'file', op: 'write', path: 'a.txt', cwd: WS },
        { kind: 'file', op: 'delete', path: 'b.txt', cwd: WS },
      ],
    ],
    ['mcp__db__query', { sql: 'select 1' }, 'mcp', [{ kind: 'mcp', tool: 'mcp__db__query' }]],
    ['view_image', { path: 'x.png' }, 'read', [{ kind: 'file', op: 'read', path: 'x.png', cwd: WS }]],
  ] as const)('%s %j', (tool, input, kind, calls) => {
    const event = codexAdapter.toToolEvent(payload(tool, input), '/elsewhere');
    expect(event).toMatchObject({ agent: 'codex', kind, tool, toolUseId: 'call_1', cwd: WS });
    expect(toToolCalls(event)).toEqual(calls);
  });

  it('an apply_patch harness cannot read is asked, never allowed', () => {
    const event = codexAdapter.toToolEvent(payload('apply_patch', { command: 'garbage' }), WS);
    expect(event.kind === 'write' || event.kind === 'edit' ? event.unreadable : null).toBeTruthy();
    const d = decideEvent(event, recommended());
    expect(d).toMatchObject({ verdict: 'ask', ruleId: UNREADABLE_RULE, mutates: true });
  });

  it('replies: deny with a reason (Codex ignores one without), allow as an empty answer', () => {
    const deny = codexAdapter.preReply({ verdict: 'deny', ruleId: 'fs.delete-home', reason: 'no' }, false);
    expect(deny.exitCode).toBe(0);
    expect(JSON.parse(deny.body)).toEqual({
      hookSpecificOutput: {
        hookEventName: 'PreToolUse',
        permissionDecision: 'deny',
        permissionDecisionReason: 'harness denied this (rule fs.delete-home): no',
      },
    });
    expect(codexAdapter.preReply({ verdict: 'allow', ruleId: null, reason: 'ok' }, true)).toMatchObject({ verdict: 'allow', exitCode: 0, body: '{}' });
  });

  it('results: apply_patch exit codes read, shell output taken as ran', () => {
    expect(codexAdapter.toResult({ tool_response: 'Exit code: 0\nWall time: 0 seconds\nOutput:\nSuccess.' }).ok).toBe(true);
    expect(codexAdapter.toResult({ tool_response: 'Exit code: 1\nOutput:\nfailed' }).ok).toBe(false);
    expect(codexAdapter.toResult({ tool_response: 'hello\n' })).toEqual({ ok: true, response: 'hello\n' });
  });

  it('launch: hooks, their trust records and the feature switch as -c overrides, no daemon', () => {
    const { args, env, injected } = codexAdapter.launch(['exec', 'x'], {
      runtimeDir: '/unused',
      endpoint: { host: '127.0.0.1', port: 5, token: 'tok' },
      transport: 'command',
      timeoutSeconds: 30,
      env: {},
      sandboxed: false,
    });
    expect(env).toEqual({});
    expect(injected).toEqual([]);
    expect(args.slice(-2)).toEqual(['exec', 'x']);
    expect(args[0]).toBe('--no-daemon');
    const overrides = args.filter((_, i) => args[i - 1] === '-c');
    expect(overrides[0]).toBe('features.hooks=true');
    // no terminal sessions, so write_stdin (which reaches no hook) has nothing to type into
    expect(overrides).toContain('features.unified_exec_tty=false');
    expect(overrides.find((o) => o.startsWith('hooks.PreToolUse='))).toMatch(
      /^hooks\.PreToolUse=\[\{matcher="\*",hooks=\[\{type="command",command=".*\/hook\/codex\/pre tok 29",timeout=30\}\]\}\]$/,
    );
    const state = overrides.find((o) => o.startsWith('hooks.state='))!;
    expect(state).toContain('"/<session-flags>/config.toml:pre_tool_use:0:0"={trusted_hash="sha256:');
    expect(state).toContain('"/<session-flags>/config.toml:post_tool_use:0:0"={trusted_hash="sha256:');
  });

  it('the trust hash is sha256 of the sorted identity JSON', () => {
    const expected = createHash('sha256')
      .update('{"event_name":"pre_tool_use","hooks":[{"async":false,"command":"h","timeout":30,"type":"command"}],"matcher":"*"}')
      .digest('hex');
    expect(codexTrustHash('pre', 'h', 30)).toBe(`sha256:${expected}`);
  });
});

describe('Gemini CLI payload → ToolEvent and policy questions', () => {
  const payload = (tool_name: string, tool_input: Record<string, unknown>, hook_event_name = 'BeforeTool') => ({
    session_id: 's',
    cwd: WS,
    hook_event_name,
    tool_name,
    tool_input,
  });
  it.each([
    ['run_shell_command', { command: 'pwd', dir_path: 'sub' }, 'shell', [{ kind: 'shell', command: 'pwd', cwd: `${WS}/sub` }]],
    ['write_file', { file_path: 'new.txt', content: 'x' }, 'write', [{ kind: 'file', op: 'write', path: 'new.txt', cwd: WS }]],
    ['replace', { file_path: 'a.txt', old_string: 'a', new_string: 'b', instruction: 'x' }, 'edit', [{ kind: 'file', op: 'write', path: 'a.txt', cwd: WS }]],
    ['read_file', { file_path: '/home/dev/.ssh/id_rsa' }, 'read', [{ kind: 'file', op: 'read', path: '/home/dev/.ssh/id_rsa', cwd: WS }]],
    ['list_directory', { dir_path: '.' }, 'search', [{ kind: 'file', op: 'read', path: '.', cwd: WS }]],
    ['glob', { pattern: '*.txt' }, 'search', [{ kind: 'file', op: 'read', path: WS, cwd: WS }]],
    ['grep_search', { pattern: 'x', dir_path: '/etc' }, 'search', [{ kind: 'file', op: 'read', path: '/etc', cwd: WS }]],
    ['web_fetch', { prompt: 'summarize https://x' }, 'fetch', [{ kind: 'fetch', tool: 'web_fetch' }]],
    ['write_todos', { todos: [] }, 'other', [{ kind: 'other', tool: 'write_todos' }]],
  ] as const)('%s %j', (tool, input, kind, calls) => {
    const event = createGeminiAdapter().toToolEvent(payload(tool, input), '/elsewhere');
    expect(event).toMatchObject({ agent: 'gemini', kind, tool });
    expect(toToolCalls(event)).toEqual(calls);
  });

  it('replace keeps allow_multiple as an edit of every occurrence', () => {
    const event = createGeminiAdapter().toToolEvent(payload('replace', { file_path: 'a', old_string: 'x', new_string: 'y', allow_multiple: true }), WS);
    expect(event.kind === 'edit' && event.files).toEqual([{ op: 'edit', path: 'a', edits: [{ oldText: 'x', newText: 'y', all: true }] }]);
  });

  it("calls without ids are paired with their AfterTool; a denied call does not take the next one's", () => {
    const gemini = createGeminiAdapter();
    const first = gemini.toToolEvent(payload('run_shell_command', { command: 'ls' }), WS);
    gemini.preReply({ verdict: 'deny', ruleId: 'r', reason: 'no' }, false, first);
    const second = gemini.toToolEvent(payload('run_shell_command', { command: 'ls' }), WS);
    const other = gemini.toToolEvent(payload('read_file', { file_path: 'a' }), WS);
    expect(gemini.toToolEvent(payload('read_file', { file_path: 'a' }, 'AfterTool'), WS).toolUseId).toBe(other.toolUseId);
    // an input changed by another hook still pairs by tool
    expect(gemini.toToolEvent(payload('run_shell_command', { command: 'ls -l' }, 'AfterTool'), WS).toolUseId).toBe(second.toolUseId);
    expect(new Set([first.toolUseId, second.toolUseId, other.toolUseId]).size).toBe(3);
  });

  it('replies: only a top-level decision counts for Gemini', () => {
    const gemini = createGeminiAdapter();
    expect(JSON.parse(gemini.preReply({ verdict: 'deny', ruleId: 'x.y', reason: 'no' }, false).body)).toEqual({
      decision: 'deny',
      reason: 'harness denied this (rule x.y): no',
    });
    expect(gemini.preReply({ verdict: 'allow', ruleId: null, reason: '' }, false).body).toBe('{}');
  });

  it('results: errors and non-zero exit codes are failures', () => {
    const gemini = createGeminiAdapter();
    expect(gemini.toResult({ tool_response: { llmContent: 'Output: out', returnDisplay: 'out' } }).ok).toBe(true);
    expect(gemini.toResult({ tool_response: { llmContent: 'Output: \nExit Code: 1', returnDisplay: '' } }).ok).toBe(false);
    expect(gemini.toResult({ tool_response: { llmContent: '', error: { message: 'x', type: 't' } } }).ok).toBe(false);
  });
});

describe('private config overlay (Gemini)', () => {
  it("links the person's entries, merges the settings, moves new files back at the end, and changes nothing of theirs", () => {
    const root = mkdtempSync(join(tmpdir(), 'harness-overlay-'));
    const real = join(root, 'home', '.gemini');
    mkdirSync(join(real, 'history'), { recursive: true });
    const mine = '{\n  // mine\n  "ui": { "theme": "Dracula" }, "url": "http://x//y"\n}\n';
    writeFileSync(join(real, 'settings.json'), mine);
    writeFileSync(join(real, 'projects.json'), '{}');
    const overlay = configOverlay(real, join(root, 'run', '.gemini'), [{ name: 'settings.json', content: (s) => ({ ...s, added: true }) }]);
    expect(JSON.parse(readFileSync(overlay.paths['settings.json']!, 'utf8'))).toEqual({ ui: { theme: 'Dracula' }, url: 'http://x//y', added: true });
    expect(readlinkSync(join(root, 'run', '.gemini', 'projects.json'))).toBe(join(real, 'projects.json'));
    // the agent writes through a link, and creates a new entry
    writeFileSync(join(root, 'run', '.gemini', 'projects.json'), '{"a":1}');
    mkdirSync(join(root, 'run', '.gemini', 'tmp', 'repo'), { recursive: true });
    writeFileSync(join(root, 'run', '.gemini', 'tmp', 'repo', 'chat.jsonl'), 'x');
    overlay.finish();
    expect(readFileSync(join(real, 'projects.json'), 'utf8')).toBe('{"a":1}');
    expect(readFileSync(join(real, 'tmp', 'repo', 'chat.jsonl'), 'utf8')).toBe('x');
    expect(lstatSync(join(real, 'tmp')).isDirectory()).toBe(true);
    expect(readFileSync(join(real, 'settings.json'), 'utf8')).toBe(mine);
    expect(existsSync(join(real, 'added'))).toBe(false);
  });

  it("a write-back file: the keys the run changed reach the person's file, others written there meanwhile stay; a replaced link is moved back", () => {
    const root = mkdtempSync(join(tmpdir(), 'harness-overlay-'));
    const real = join(root, 'home', '.claude');
    mkdirSync(real, { recursive: true });
    writeFileSync(join(real, 'settings.json'), '{"theme":"dark"}');
    const global = join(root, 'home', '.claude.json');
    writeFileSync(global, JSON.stringify({ numStartups: 1, projects: { a: 1 }, gone: true }));
    const dir = join(root, 'run', 'claude');
    const overlay = configOverlay(real, dir, [{ name: '.claude.json', source: global, content: (x) => x, writeBack: () => true }]);
    // the agent rewrites its config atomically (a new file renamed over the old one) …
    writeFileSync(join(dir, '.claude.json.tmp'), JSON.stringify({ numStartups: 2, projects: { a: 1 } }));
    renameSync(join(dir, '.claude.json.tmp'), join(dir, '.claude.json'));
    writeFileSync(join(dir, 'settings.json.tmp'), '{"theme":"light"}');
    renameSync(join(dir, 'settings.json.tmp'), join(dir, 'settings.json'));
    // … while another session of the person's writes a key of its own
    writeFileSync(global, JSON.stringify({ numStartups: 1, projects: { a: 1 }, gone: true, other: 'kept' }));
    overlay.finish();
    expect(JSON.parse(readFileSync(global, 'utf8'))).toEqual({ numStartups: 2, projects: { a: 1 }, other: 'kept' });
    expect(readFileSync(join(real, 'settings.json'), 'utf8')).toBe('{"theme":"light"}');
  });

  it('what would run a program on the next start stays in the overlay: a key not admitted, an entry not to move back', () => {
    const root = mkdtempSync(join(tmpdir(), 'harness-overlay-'));
    const real = join(root, 'home', '.claude');
    mkdirSync(real, { recursive: true });
    const global = join(root, 'home', '.claude.json');
    writeFileSync(global, JSON.stringify({ numStartups: 1 }));
    const dir = join(root, 'run', 'claude');
    const overlay = configOverlay(
      real,
      dir,
      [{ name: '.claude.json', source: global, content: (x) => x, writeBack: (k) => k === 'numStartups' }],
      (name) => name !== 'settings.json',
    );
    writeFileSync(join(dir, '.claude.json'), JSON.stringify({ numStartups: 2, mcpServers: { x: { command: 'sh' } } }));
    writeFileSync(join(dir, 'settings.json'), '{"hooks":{"SessionStart":[]}}');
    writeFileSync(join(dir, 'history.jsonl'), 'x');
    overlay.finish();
    expect(JSON.parse(readFileSync(global, 'utf8'))).toEqual({ numStartups: 2 });
    expect(existsSync(join(real, 'settings.json'))).toBe(false);
    expect(readFileSync(join(real, 'history.jsonl'), 'utf8')).toBe('x');
  });

  it('a person without a config directory gets one only for what the agent created', () => {
    const root = mkdtempSync(join(tmpdir(), 'harness-overlay-'));
    const real = join(root, 'none', '.gemini');
    const overlay = configOverlay(real, join(root, 'run', '.gemini'), [{ name: 'settings.json', content: () => ({ x: 1 }) }]);
    expect(existsSync(real)).toBe(false);
    writeFileSync(join(root, 'run', '.gemini', 'installation_id'), 'id');
    overlay.finish();
    expect(readFileSync(join(real, 'installation_id'), 'utf8')).toBe('id');
    expect(existsSync(join(real, 'settings.json'))).toBe(false);
  });

  it.each([
    ['"//" inside strings kept', '{"a": "http://x"} // c', { a: 'http://x' }],
    ['block comments', '{/* c */"a": 1}', { a: 1 }],
    ['escaped quotes', '{"a": "q\\"//"}', { a: 'q"//' }],
  ])('comments: %s', (_, text, value) => {
    expect(JSON.parse(stripJsonComments(text))).toEqual(value);
  });

  it('an unreadable settings file is an error naming the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-overlay-'));
    writeFileSync(join(dir, 'settings.json'), '{ "a": ');
    expect(() => readJsonSettings(join(dir, 'settings.json'))).toThrow(join(dir, 'settings.json'));
    symlinkSync('/nonexistent', join(dir, 'dangling.json'));
    expect(readJsonSettings(join(dir, 'dangling.json'))).toEqual({});
  });
});
