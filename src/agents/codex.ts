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

/** Codex's names for the hook events harness uses (in its trust records). */
const EVENTS: Record<HookEvent, { name: string; key: string }> = {
  pre: { name: 'PreToolUse', key: 'pre_tool_use' },
  post: { name: 'PostToolUse', key: 'post_tool_use' },
};

/** Where Codex files hooks given with `-c` (the trust records are keyed by it). */
const FLAG_LAYER = '/<session-flags>/config.toml';

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  return v;
}

/**
 * Codex runs a hook only when it is trusted: a record of the hash of the hook's definition (sorted
 * JSON of event, matcher and handler). harness trusts exactly the hooks it passes, for this run only.
 */
export function codexTrustHash(event: HookEvent, command: string, timeout: number): string {
  const identity = { event_name: EVENTS[event].key, matcher: '*', hooks: [{ type: 'command', command, timeout, async: false }] };
  return `sha256:${createHash('sha256').update(JSON.stringify(canonical(identity))).digest('hex')}`;
}

/** A TOML basic string (JSON's escapes are TOML's). */
const toml = (s: string): string => JSON.stringify(s);

/** Options a person may not pass: they would take harness's hooks away. */
function refuse(reason: string): never {
  throw new UsageError(`harness cannot supervise Codex with ${reason}`);
}

function toEvent(payload: unknown, fallbackCwd: string): ToolEvent {
  const p = record(payload);
  const tool = str(p.tool_name) ?? 'unknown';
  const input = record(p.tool_input);
  const cwd = str(p.cwd) ?? fallbackCwd;
  const base = { agent: 'codex', sessionId: str(p.session_id) ?? '', toolUseId: str(p.tool_use_id) ?? `${tool}-${Date.now()}`, tool, cwd, raw: payload };
  if (tool === 'Bash') {
    const command = str(input.command) ?? '';
    return { ...base, kind: 'shell', command, paths: [], summary: command.trim() };
  }
  if (tool === 'apply_patch') {
    const patch = parseApplyPatch(str(input.command) ?? str(input.input) ?? '');
    const paths = patch.files.map((f) => f.path);
    const unreadable = patch.error ?? (paths.length === 0 ? 'no files in the patch' : undefined);
    return {
      ...base,
      kind: patch.files.every((f) => f.content !== undefined) ? 'write' : 'edit',
      paths,
      files: patch.files,
      ...(unreadable ? { unreadable } : {}),
      summary: `apply_patch ${paths.join(', ')}`.trim(),
    };
  }
  const kind = tool.startsWith('mcp__') ? 'mcp' : 'other';
  return { ...base, kind, paths: [], summary: `${tool} ${JSON.stringify(input).slice(0, 200)}` };
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
      if (a === '--remote' || a.startsWith('--remote=')) refuse('--remote: its tools would run in another app server, out of harness\'s reach. Run without --remote.');
      const override = value('-c') ?? value('--config') ?? (a.startsWith('-c') && a.length > 2 && !a.startsWith('-c=') ? a.slice(2) : undefined);
      if (override !== undefined && /^\s*(hooks\b|features\s*\.\s*hooks\b|features\s*=)/.test(override)) {
        refuse(`-c ${override}: harness passes its own hooks; keep yours in ~/.codex/hooks.json.`);
      }
      if ((value('--disable') ?? '').trim() === 'hooks') refuse('--disable hooks: no tool call could be checked.');
    }
  },

  /**
   * Hooks are passed as `-c` overrides for this run only (the person's ~/.codex is not touched), with
   * trust records for exactly these two hooks, `features.hooks=true` (a repository's .codex/config.toml
   * cannot switch them off), and `--no-daemon`: a shared app-server daemon would run tools outside
   * this session's hooks.
   */
  launch(args, { endpoint, timeoutSeconds }: LaunchContext) {
    const overrides: string[] = ['features.hooks=true'];
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
