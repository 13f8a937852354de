import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookCommand } from '../hooks/client.js';
import type { HookEvent } from '../hooks/protocol.js';
import { UsageError } from '../errors.js';
import { parseApplyPatch } from './apply-patch.js';
import { ALLOW_SILENTLY, configIn, denialText, homeOf, NO_REPLY, record, str, type AgentAdapter, type LaunchContext } from './adapter.js';
import { preToolUseDecision } from './claude.js';
import type { ToolEvent } from './tool-event.js';
import { mcp, readFile, session, shell, toolEvent, type AgentTools, type Mapping, type ToolInput, type ToolTable } from './tool-table.js';

/** Codex's names for the hook events harness uses (in its trust records). */
const EVENTS: Record<HookEvent, { name: string; key: string }> = {
  pre: { name: 'PreToolUse', key: 'pre_tool_use' },
  post: { name: 'PostToolUse', key: 'post_tool_use' },
};

/** Where Codex files hooks given with `-c` (the trust records are keyed by it). */
const FLAG_LAYER = '/<session-flags>/config.toml';

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object')
    return Object.fromEntries(
      Object.keys(v)
        .sort()
        .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
    );
  return v;
}

/**
 * Codex runs a hook only when it is trusted: a record of the hash of the hook's definition (sorted
 * JSON of event, matcher and handler). harness trusts exactly the hooks it passes, for this run only.
 */
export function codexTrustHash(event: HookEvent, command: string, timeout: number): string {
  const identity = { event_name: EVENTS[event].key, matcher: '*', hooks: [{ type: 'command', command, timeout, async: false }] };
  return `sha256:${createHash('sha256')
    .update(JSON.stringify(canonical(identity)))
    .digest('hex')}`;
}

/** A TOML basic string (JSON's escapes are TOML's). */
const toml = (s: string): string => JSON.stringify(s);

/** Why harness keeps Codex's terminal sessions off (see CODEX_UNHOOKED). */
const TTY_OFF =
  'write_stdin types into a terminal session with no hook call, so harness runs Codex without terminal sessions (features.unified_exec_tty=false).';

/** Options a person may not pass: they would take harness's hooks away. */
function refuse(reason: string): never {
  throw new UsageError(`harness cannot supervise Codex with ${reason}`);
}

/** apply_patch: the patch text (in `command`, or `input` in some versions), one change per file. */
function applyPatch(i: ToolInput): Mapping {
  const text = i.str('command') ?? i.str('input');
  if (text === undefined) return { bad: 'no patch text ("command")' };
  const patch = parseApplyPatch(text);
  const unreadable = patch.error ?? (patch.files.length === 0 ? 'no files in the patch' : null);
  return { kind: patch.files.every((f) => f.op === 'write') ? 'write' : 'edit', files: patch.files, unreadable };
}

/**
 * Every tool of Codex CLI 0.169.0 (the pinned version) that reaches its hooks, by the name the hooks
 * give (its tool list names some differently: `aliases`). Its hooks send `tool_input` as
 * `{command}` for shell commands and the patch text for apply_patch; the command's `workdir`
 * arrives as the payload's `cwd`. test/e2e/agent-tools.test.ts fails when the pinned binary offers
 * the model a tool that is neither here nor in CODEX_UNHOOKED.
 */
export const CODEX_TOOLS: ToolTable = {
  Bash: { does: 'runs a shell command (exec_command; also the older shell tools)', aliases: ['exec_command'], map: shell('command') },
  apply_patch: { does: 'adds, changes, moves and deletes files by a patch', map: applyPatch },
  view_image: { does: 'shows the model a local image file', map: readFile('path') },
  request_user_input: { does: 'asks the user questions (plan mode)', map: session() },
  get_goal: { does: "reads the thread's goal", map: session() },
  create_goal: { does: 'sets a goal for the thread', map: session('objective') },
  update_goal: { does: "marks the thread's goal complete, blocked or paused", map: session('status') },
  tool_search: { does: 'loads deferred tools (MCP, apps) for the next turn', map: session('query') },
};

/**
 * Tools Codex offers the model that never reach its hooks, and why nothing escapes harness through
 * them. Probed with the real binary: a PreToolUse hook sees none of these.
 */
export const CODEX_UNHOOKED: Readonly<Record<string, string>> = {
  write_stdin:
    'writes to a running terminal session of exec_command, with no hook call (typing commands into a shell it started); harness starts Codex with features.unified_exec_tty=false, so no session has a terminal and write_stdin cannot write',
  web_search: 'a search run by the model provider, not on this machine',
  exec: 'code mode (off by default): JavaScript in an isolate without files or network; every tool it calls goes through the hooks',
  wait: 'code mode: waits for an exec cell',
};

/** The table, and the MCP tools by their name pattern. */
export const codexToolSet: AgentTools = {
  table: CODEX_TOOLS,
  families: [{ name: 'mcp__<server>__<tool>', test: (tool) => tool.startsWith('mcp__'), decl: { does: 'a tool of an MCP server', map: mcp } }],
};

function toEvent(payload: unknown, fallbackCwd: string): ToolEvent {
  const p = record(payload);
  return toolEvent(codexToolSet, payload, {
    agent: 'codex',
    sessionId: str(p.session_id) ?? '',
    toolUseId: str(p.tool_use_id),
    cwd: str(p.cwd) ?? fallbackCwd,
  });
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

export const codexAdapter: AgentAdapter = {
  name: 'codex',
  title: 'Codex CLI',
  defaultBinary: 'codex',
  binaryEnv: 'HARNESS_CODEX_BIN',
  installHint: 'npm install -g @openai/codex',
  // Codex hooks are commands only
  transports: ['command'],
  autonomousArgs: ['--dangerously-bypass-approvals-and-sandbox'],

  settingsFiles(workspace) {
    return [join(workspace, '.codex', 'config.toml'), join(workspace, '.codex', 'hooks.json')];
  },

  /** Codex's own state, its API, and any provider base_url given with -c for this run. */
  sandboxNeeds(args, env) {
    const overrides = args.flatMap((a, i) => (a === '-c' || a === '--config' ? [args[i + 1] ?? ''] : a.startsWith('--config=') ? [a.slice(9)] : []));
    const home = env.CODEX_HOME || join(homeOf(env), '.codex');
    // providers' base URLs: given for this run with -c, or in the person's config
    const config = [...overrides, readText(join(home, 'config.toml'))].join('\n');
    const given = [...config.matchAll(/base_url\s*=\s*"([^"]+)"/g)].map((m) => m[1]!);
    return {
      state: [home],
      config: configIn(home, { files: ['config.toml', 'hooks.json', 'AGENTS.md'], dirs: ['prompts', 'rules', 'skills'] }),
      // the API, and OpenAI's own services Codex talks to (ChatGPT sign-in, its backend, feature flags)
      endpoints: [env.OPENAI_BASE_URL || 'https://api.openai.com', 'https://chatgpt.com', 'https://auth.openai.com', 'https://ab.chatgpt.com', ...given],
    };
  },

  toToolEvent: toEvent,

  /** Codex passes the tool's output text; a shell command's exit code is not in it. */
  toResult(payload) {
    const response = record(payload).tool_response;
    const exit = typeof response === 'string' ? /^Exit code: (\d+)/m.exec(response) : null;
    return { ok: exit ? exit[1] === '0' : true, response };
  },

  /** Codex blocks on a deny only with a reason; it has no allow or ask (harness asks in its own TUI). */
  preReply: (decision) => (decision.verdict === 'deny' ? preToolUseDecision('deny', denialText(decision)) : ALLOW_SILENTLY),

  postReply: () => NO_REPLY,

  preflight(args) {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const value = (flag: string): string | undefined => (a === flag ? args[i + 1] : a.startsWith(`${flag}=`) ? a.slice(flag.length + 1) : undefined);
      if (a === '--remote' || a.startsWith('--remote='))
        refuse("--remote: its tools would run in another app server, out of harness's reach. Run without --remote.");
      const override = value('-c') ?? value('--config') ?? (a.startsWith('-c') && a.length > 2 && !a.startsWith('-c=') ? a.slice(2) : undefined);
      if (override !== undefined && /^\s*(hooks\b|features\s*\.\s*hooks\b|features\s*=)/.test(override)) {
        refuse(`-c ${override}: harness passes its own hooks; keep yours in ~/.codex/hooks.json.`);
      }
      if (override !== undefined && /^\s*features\s*\.\s*unified_exec_tty\b/.test(override)) refuse(`-c ${override}: ${TTY_OFF}`);
      if ((value('--disable') ?? '').trim() === 'hooks') refuse('--disable hooks: no tool call could be checked.');
      if ((value('--enable') ?? '').trim() === 'unified_exec_tty') refuse(`--enable unified_exec_tty: ${TTY_OFF}`);
    }
  },

  /**
   * Hooks are passed as `-c` overrides for this run only (the person's ~/.codex is not touched), with
   * trust records for exactly these two hooks, `features.hooks=true` (a repository's .codex/config.toml
   * cannot switch them off), `features.unified_exec_tty=false` (see CODEX_UNHOOKED), and `--no-daemon`: a shared app-server daemon would run tools outside
   * this session's hooks.
   */
  launch(args, { endpoint, timeoutSeconds }: LaunchContext) {
    // no terminal sessions: write_stdin would type commands into one with no hook call
    const overrides: string[] = ['features.hooks=true', 'features.unified_exec_tty=false'];
    const trust: string[] = [];
    for (const event of ['pre', 'post'] as const) {
      const command = hookCommand(endpoint, 'codex', event, timeoutSeconds - 1);
      overrides.push(`hooks.${EVENTS[event].name}=[{matcher="*",hooks=[{type="command",command=${toml(command)},timeout=${timeoutSeconds}}]}]`);
      trust.push(`${toml(`${FLAG_LAYER}:${EVENTS[event].key}:0:0`)}={trusted_hash=${toml(codexTrustHash(event, command, timeoutSeconds))}}`);
    }
    overrides.push(`hooks.state={${trust.join(',')}}`);
    return { args: ['--no-daemon', ...overrides.flatMap((o) => ['-c', o]), ...args], env: {}, injected: [] };
  },
};
