import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { hookCommand } from '../hooks/client.js';
import type { HookEvent } from '../hooks/protocol.js';
import { HarnessError } from '../errors.js';
import { ALLOW_SILENTLY, configIn, denialText, isConfigName, NO_REPLY, record, str, type AgentAdapter, type LaunchContext } from './adapter.js';
import { configOverlay, readJsonSettings } from './config-overlay.js';
import type { ToolEvent, ToolKind } from './tool-event.js';

const KINDS: Record<string, ToolKind> = {
  run_shell_command: 'shell',
  write_file: 'write',
  replace: 'edit',
  read_file: 'read',
  read_many_files: 'read',
  list_directory: 'search',
  glob: 'search',
  grep_search: 'search',
  search_file_content: 'search',
  web_fetch: 'fetch',
  google_web_search: 'fetch',
};

const EVENTS: Record<HookEvent, string> = { pre: 'BeforeTool', post: 'AfterTool' };

/** The person's Gemini config directory. */
/** What in ~/.gemini makes Gemini CLI run programs or follow instructions on its next start. */
const GEMINI_CONFIG = { files: ['settings.json', '.env', 'GEMINI.md', 'trustedFolders.json'], dirs: ['extensions', 'commands', 'policies'] } as const;

const personalDir = (env: NodeJS.ProcessEnv): string => join(env.GEMINI_CLI_HOME || env.HOME || homedir(), '.gemini');

function toEvent(payload: unknown, fallbackCwd: string, toolUseId: string): ToolEvent {
  const p = record(payload);
  const tool = str(p.tool_name) ?? 'unknown';
  const input = record(p.tool_input);
  const sessionCwd = str(p.cwd) ?? fallbackCwd;
  const kind: ToolKind = KINDS[tool] ?? (p.mcp_context !== undefined ? 'mcp' : 'other');
  // the model's paths stay as it wrote them: relative ones are to the session's directory
  const dir = str(input.dir_path);
  const base = { agent: 'gemini', sessionId: str(p.session_id) ?? '', toolUseId, tool, raw: payload };
  if (kind === 'shell') {
    const command = str(input.command) ?? '';
    return { ...base, kind, cwd: dir ? resolve(sessionCwd, dir) : sessionCwd, command, paths: [], summary: command.trim() };
  }
  const file = str(input.file_path) ?? str(input.absolute_path);
  const many = Array.isArray(input.paths) ? input.paths.filter((x): x is string => typeof x === 'string') : [];
  const paths = file ? [file] : dir ? [dir] : many;
  const files =
    file && kind === 'write'
      ? [{ path: file, content: str(input.content) ?? '' }]
      : file && kind === 'edit'
        ? [{ path: file, edits: typeof input.old_string === 'string' && typeof input.new_string === 'string' ? [{ oldText: input.old_string, newText: input.new_string, all: input.allow_multiple === true }] : [] }]
        : undefined;
  const what = file ?? dir ?? str(input.pattern) ?? str(input.query) ?? str(input.prompt) ?? JSON.stringify(input).slice(0, 200);
  return {
    ...base,
    kind,
    cwd: sessionCwd,
    paths,
    ...(files ? { files } : {}),
    ...((kind === 'write' || kind === 'edit') && !file ? { unreadable: 'no file_path' } : {}),
    summary: `${tool} ${what}`.trim(),
  };
}

/** Calls harness keeps an id for until their AfterTool (a bound: ids of calls Gemini dropped age out). */
const MAX_OPEN = 256;

/**
 * Gemini gives hook calls no id: an AfterTool is paired with the oldest open call of the same tool
 * and input (else of the same tool: another hook may have changed the input). Denied calls close
 * at once (they get no AfterTool).
 */
class CallIds {
  private next = 0;
  private open: { id: string; tool: string; key: string }[] = [];

  private static key(p: Record<string, unknown>): string {
    return `${str(p.tool_name) ?? ''}\u0000${JSON.stringify(p.tool_input ?? null)}`;
  }

  begin(p: Record<string, unknown>): string {
    const id = `gemini-${++this.next}`;
    this.open.push({ id, tool: str(p.tool_name) ?? '', key: CallIds.key(p) });
    if (this.open.length > MAX_OPEN) this.open.shift();
    return id;
  }

  end(p: Record<string, unknown>): string {
    const key = CallIds.key(p);
    const i = this.open.findIndex((c) => c.key === key);
    const j = i >= 0 ? i : this.open.findIndex((c) => c.tool === (str(p.tool_name) ?? ''));
    if (j < 0) return `gemini-unmatched-${++this.next}`;
    return this.open.splice(j, 1)[0]!.id;
  }

  drop(id: string): void {
    this.open = this.open.filter((c) => c.id !== id);
  }
}

export function createGeminiAdapter(): AgentAdapter {
  const ids = new CallIds();
  return {
    name: 'gemini',
    title: 'Gemini CLI',
    defaultBinary: 'gemini',
    binaryEnv: 'HARNESS_GEMINI_BIN',
    installHint: 'npm install -g @google/gemini-cli',
    // Gemini hooks are commands only
    transports: ['command'],
    autonomousArgs: ['--yolo'],

    settingsFiles(workspace) {
      return [join(workspace, '.gemini', 'settings.json')];
    },

    sandboxNeeds(_args, env) {
      return {
        state: [personalDir(env)],
        config: configIn(personalDir(env), GEMINI_CONFIG),
        // the API, and Google's own services Gemini CLI talks to (Code Assist, sign-in, usage statistics)
        endpoints: [
          env.GOOGLE_GEMINI_BASE_URL || 'https://generativelanguage.googleapis.com',
          'https://cloudcode-pa.googleapis.com',
          'https://oauth2.googleapis.com',
          'https://accounts.google.com',
          'https://play.googleapis.com',
        ],
      };
    },

    toToolEvent(payload, fallbackCwd) {
      const p = record(payload);
      return toEvent(payload, fallbackCwd, p.hook_event_name === 'AfterTool' ? ids.end(p) : ids.begin(p));
    },

    toResult(payload) {
      const response = record(payload).tool_response;
      const r = record(response);
      const text = typeof r.llmContent === 'string' ? r.llmContent : '';
      return { ok: r.error === undefined && !/^Exit Code: [1-9]/m.test(text), response };
    },

    /** Only a top-level decision counts for Gemini (Claude's hookSpecificOutput deny is ignored). */
    preReply(decision, _approvedByHuman, event) {
      if (event && decision.verdict === 'deny') ids.drop(event.toolUseId);
      if (decision.verdict !== 'deny') return ALLOW_SILENTLY;
      return { verdict: 'deny', exitCode: 0, body: JSON.stringify({ decision: 'deny', reason: denialText(decision) }) };
    },

    postReply: () => NO_REPLY,

    /** No Gemini option switches hooks off, but a settings file can: the workspace's is read, the person's must parse. */
    preflight(_args, cwd, env) {
      const workspaceSettings = join(cwd, '.gemini', 'settings.json');
      if (record(readJsonSettings(workspaceSettings).hooksConfig).enabled === false) {
        throw new HarnessError(`${workspaceSettings} switches Gemini's hooks off (hooksConfig.enabled: false), so harness could not check any tool call. Remove that setting to run Gemini under harness.`, 2);
      }
      readJsonSettings(join(personalDir(env), 'settings.json'));
    },

    /**
     * Gemini reads hooks only from settings files. Its per-run system layer must be owned by root,
     * so harness gives Gemini a private config directory for the run (GEMINI_CLI_HOME): the
     * person's ~/.gemini linked entry by entry, settings.json merged with harness's hooks (switched
     * on). Hooks run only in trusted folders, so the folder is trusted for the run; a workspace
     * settings file that switches hooks off is refused.
     */
    launch(args, { runtimeDir, endpoint, timeoutSeconds, env }: LaunchContext) {
      const realDir = personalDir(env);
      const group = (event: HookEvent) => ({
        matcher: '.*',
        hooks: [{ type: 'command', name: 'harness', command: hookCommand(endpoint, 'gemini', event, timeoutSeconds - 1), timeout: timeoutSeconds * 1000 }],
      });
      const withHooks = (mine: Record<string, unknown>): Record<string, unknown> => {
        const hooks = record(mine.hooks);
        const list = (name: string): unknown[] => (Array.isArray(hooks[name]) ? (hooks[name] as unknown[]) : []);
        return {
          ...mine,
          hooksConfig: { ...record(mine.hooksConfig), enabled: true },
          hooks: { ...hooks, [EVENTS.pre]: [group('pre'), ...list(EVENTS.pre)], [EVENTS.post]: [group('post'), ...list(EVENTS.post)] },
        };
      };
      const overlay = configOverlay(realDir, join(runtimeDir, 'gemini-home', '.gemini'), [{ name: 'settings.json', content: withHooks }], (name) => !isConfigName(GEMINI_CONFIG, name));
      return {
        args,
        env: { GEMINI_CLI_HOME: join(runtimeDir, 'gemini-home'), GEMINI_CLI_TRUST_WORKSPACE: 'true' },
        injected: [overlay.paths['settings.json']!],
        writable: [join(runtimeDir, 'gemini-home')],
        note: `Gemini CLI reads harness's hooks from a private copy of ${realDir} for this run (your files there are not changed; what Gemini adds is moved there at the end).`,
        finish: overlay.finish,
      };
    },
  };
}
