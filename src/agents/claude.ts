import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookCommand } from '../hooks/client.js';
import { hookPath, type HookEvent, type HookReply } from '../hooks/protocol.js';
import type { TextEdit, ToolEvent, ToolKind } from './tool-event.js';
import { UsageError } from '../errors.js';
import { configOverlay } from './config-overlay.js';
import { ALLOW_SILENTLY, configIn, denialText, homeOf, isConfigName, NO_REPLY, record, str, type AgentAdapter, type Launch, type LaunchContext } from './adapter.js';

/** How a Claude Code hook payload looks (2.1.x): the fields harness reads. */
interface ClaudePayload {
  session_id?: string;
  tool_use_id?: string;
  tool_name?: string;
  tool_input?: Record<string, unknown>;
  tool_response?: unknown;
  cwd?: string;
  hook_event_name?: string;
}

const KINDS: Record<string, ToolKind> = {
  Bash: 'shell',
  Write: 'write',
  Edit: 'edit',
  MultiEdit: 'edit',
  NotebookEdit: 'edit',
  Read: 'read',
  Glob: 'search',
  Grep: 'search',
  LS: 'search',
  WebFetch: 'fetch',
  WebSearch: 'fetch',
  Task: 'other',
  Agent: 'other',
  TodoWrite: 'other',
};

/** Edit's old_string/new_string, or MultiEdit's list of them. */
function editsOf(input: Record<string, unknown>): TextEdit[] {
  const one = (e: Record<string, unknown>): TextEdit[] =>
    typeof e.old_string === 'string' && typeof e.new_string === 'string' ? [{ oldText: e.old_string, newText: e.new_string, all: e.replace_all === true }] : [];
  if (Array.isArray(input.edits)) return input.edits.flatMap((e) => (e && typeof e === 'object' ? one(e as Record<string, unknown>) : []));
  return one(input);
}

/** A PreToolUse answer in Claude Code's schema (Codex reads the same one). */
export function preToolUseDecision(decision: 'allow' | 'deny', reason: string): HookReply {
  return { verdict: decision, exitCode: 0, body: JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason } }) };
}

/** What in ~/.claude makes Claude Code run programs or follow instructions on its next start. */
const CLAUDE_CONFIG = { files: ['settings.json', 'settings.local.json', 'CLAUDE.md'], dirs: ['agents', 'commands', 'hooks', 'skills', 'plugins', 'output-styles', 'rules'] } as const;

/**
 * Keys of ~/.claude.json a run may change in the person's file: counters, tips and notices seen.
 * Never MCP servers, projects (their trust and servers), credentials or anything else that runs or allows.
 */
const WRITE_BACK = /^(num[A-Z]\w*|has(Completed|Seen|Shown|Acknowledged)\w*|last\w*(Seen|Shown|Version|Notice)\w*|tipsHistory|cached\w*|\w*(Count|Seen|Shown|Dismissed|Notice)|firstStartTime|userID)$/;

/** Where Claude Code keeps its state: CLAUDE_CONFIG_DIR, else ~/.claude (with ~/.claude.json beside it). */
function configDir(env: NodeJS.ProcessEnv): string {
  return env.CLAUDE_CONFIG_DIR || join(homeOf(env), '.claude');
}

/**
 * In the sandbox the home directory is read-only, and Claude Code writes ~/.claude.json by renaming
 * a new file over it (with a lock directory beside it). It gets a private config directory
 * (CLAUDE_CONFIG_DIR): the person's ~/.claude linked entry by entry, its own copy of
 * ~/.claude.json whose changed keys are written back at the end.
 */
function sandboxedConfig(env: NodeJS.ProcessEnv, runtimeDir: string): Pick<Launch, 'env' | 'writable' | 'finish' | 'note'> {
  const real = configDir(env);
  const global = env.CLAUDE_CONFIG_DIR ? join(real, '.claude.json') : join(homeOf(env), '.claude.json');
  const dir = join(runtimeDir, 'claude-config');
  const overlay = configOverlay(real, dir, [{ name: '.claude.json', source: global, content: (x) => x, writeBack: (key) => WRITE_BACK.test(key) }], (name) => !isConfigName(CLAUDE_CONFIG, name));
  return {
    // its plugins directory is read-only in the sandbox: the automatic install of the official
    // marketplace (a git clone at start) could not succeed, and would be a connection nobody asked for
    env: { CLAUDE_CONFIG_DIR: dir, CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL: env.CLAUDE_CODE_DISABLE_OFFICIAL_MARKETPLACE_AUTOINSTALL ?? '1' },
    writable: [dir],
    finish: overlay.finish,
  };
}

/** Claude Code options that would let the agent run without harness's hooks. */
const HOOKLESS = new Set(['--bare']);

export const claudeAdapter: AgentAdapter = {
  name: 'claude',
  title: 'Claude Code',
  defaultBinary: 'claude',
  binaryEnv: 'HARNESS_CLAUDE_BIN',
  installHint: 'npm install -g @anthropic-ai/claude-code',
  transports: ['http', 'command'],
  // as root Claude Code allows bypass mode only when told it is sandboxed, which under harness it is
  autonomousArgs: ['--dangerously-skip-permissions'],
  autonomousEnv: { IS_SANDBOX: '1' },

  settingsFiles(workspace: string): string[] {
    return [join(workspace, '.claude', 'settings.json'), join(workspace, '.claude', 'settings.local.json')];
  },

  sandboxNeeds(_args, env) {
    return {
      // ~/.claude.json is rewritten by rename next to it, in a read-only home: the run uses a copy (launch)
      state: [configDir(env), join(homeOf(env), '.config', 'claude')],
      config: configIn(configDir(env), CLAUDE_CONFIG),
      // the API, and Anthropic's own services Claude Code talks to (sign-in, feature flags)
      endpoints: [env.ANTHROPIC_BASE_URL || 'https://api.anthropic.com', 'https://console.anthropic.com', 'https://statsig.anthropic.com', 'https://claude.ai'],
    };
  },

  toToolEvent(payload: unknown, fallbackCwd: string): ToolEvent {
    const p = (payload ?? {}) as ClaudePayload;
    const tool = str(p.tool_name) ?? 'unknown';
    const input = (p.tool_input && typeof p.tool_input === 'object' ? p.tool_input : {}) as Record<string, unknown>;
    const cwd = str(p.cwd) ?? fallbackCwd;
    const kind: ToolKind = tool.startsWith('mcp__') ? 'mcp' : (KINDS[tool] ?? 'other');
    const path = str(input.file_path) ?? str(input.notebook_path) ?? str(input.path);
    const command = kind === 'shell' ? (str(input.command) ?? '') : undefined;
    const summary =
      kind === 'shell' ? command! : path ? `${tool} ${path}` : kind === 'fetch' ? `${tool} ${str(input.url) ?? str(input.query) ?? ''}` : `${tool} ${JSON.stringify(input).slice(0, 200)}`;
    return {
      agent: 'claude',
      sessionId: str(p.session_id) ?? '',
      toolUseId: str(p.tool_use_id) ?? `${tool}-${Date.now()}`,
      kind,
      tool,
      cwd,
      command,
      paths: path ? [path] : [],
      ...(path && kind === 'write' ? { files: [{ path, content: str(input.content) ?? '' }] } : {}),
      ...(path && kind === 'edit' ? { files: [{ path, edits: editsOf(input) }] } : {}),
      summary: summary.trim(),
      raw: payload,
    };
  },

  toResult(payload: unknown) {
    const p = record(payload);
    const failed = p.hook_event_name === 'PostToolUseFailure';
    const response = failed ? { error: p.error } : p.tool_response;
    const r = record(response);
    return { ok: !(failed || r.is_error || r.interrupted), response };
  },

  preReply(decision, approvedByHuman) {
    if (decision.verdict === 'deny') return preToolUseDecision('deny', denialText(decision));
    // A rule's allow defers to Claude's own permission settings; a human's approval in harness
    // is final, so Claude does not ask a second time.
    return approvedByHuman ? preToolUseDecision('allow', 'approved in harness') : ALLOW_SILENTLY;
  },

  postReply: () => NO_REPLY,

  preflight(args) {
    for (const a of args) {
      if (HOOKLESS.has(a)) throw new UsageError(`harness cannot supervise Claude Code with ${a}: it skips all hooks, so no tool call could be checked. Run without ${a}.`);
      if (a === '--settings' || a.startsWith('--settings=')) {
        throw new UsageError('harness passes its own --settings to Claude Code; put your settings in .claude/settings.json or ~/.claude/settings.json instead.');
      }
    }
  },

  /**
   * A per-run settings file passed with `--settings`: PreToolUse and PostToolUse(Failure) for every
   * tool, failing closed (`onFailure: block`), with `disableAllHooks: false` so a repository's own
   * settings cannot switch them off. The file lives in harness's private runtime directory.
   */
  launch(args: string[], { runtimeDir, endpoint, transport, timeoutSeconds, env, sandboxed }: LaunchContext) {
    const hook = (event: HookEvent) =>
      transport === 'http'
        ? {
            type: 'http',
            url: `http://${endpoint.host}:${endpoint.port}${hookPath('claude', event)}`,
            headers: { 'X-Harness-Token': endpoint.token },
            timeout: timeoutSeconds,
            onFailure: 'block',
          }
        : { type: 'command', command: hookCommand(endpoint, 'claude', event, timeoutSeconds - 1), timeout: timeoutSeconds, onFailure: 'block' };
    const settings = {
      disableAllHooks: false,
      hooks: {
        PreToolUse: [{ matcher: '*', hooks: [hook('pre')] }],
        PostToolUse: [{ matcher: '*', hooks: [hook('post')] }],
        PostToolUseFailure: [{ matcher: '*', hooks: [hook('post')] }],
      },
    };
    const path = join(runtimeDir, 'claude-settings.json');
    writeFileSync(path, JSON.stringify(settings, null, 2), { mode: 0o600 });
    return { args: [...args, '--settings', path], injected: [path], ...(sandboxed ? sandboxedConfig(env, runtimeDir) : { env: {} }) };
  },
};
