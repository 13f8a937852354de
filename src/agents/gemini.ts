import { homedir } from 'node:os';
import { join } from 'node:path';
import { hookCommand } from '../hooks/client.js';
import type { HookEvent } from '../hooks/protocol.js';
import { HarnessError } from '../errors.js';
import { ALLOW_SILENTLY, configIn, denialText, isConfigName, NO_REPLY, record, str, type AgentAdapter, type LaunchContext } from './adapter.js';
import { configOverlay, readJsonSettings } from './config-overlay.js';
import type { ToolEvent } from './tool-event.js';
import {
  fetch,
  mcp,
  readFile,
  search,
  session,
  shell,
  toolEvent,
  writeFile,
  type AgentTools,
  type Mapping,
  type ToolInput,
  type ToolTable,
} from './tool-table.js';

/** replace: old_string → new_string in file_path (every occurrence with allow_multiple). */
function replace(i: ToolInput): Mapping {
  const path = i.str('file_path');
  if (!path) return { bad: 'no "file_path" string' };
  const oldText = i.str('old_string');
  const newText = i.str('new_string');
  if (oldText === undefined || newText === undefined) return { bad: 'no "old_string" and "new_string" strings' };
  return { kind: 'edit', files: [{ op: 'edit', path, edits: [{ oldText, newText, all: i.is('allow_multiple', true) }] }], unreadable: null };
}

/**
 * Every tool of Gemini CLI 0.61.0 (the pinned version), by the name its hooks give (the name the
 * model calls). Derived from its bundle: ALL_BUILTIN_TOOL_NAMES and the tool classes' `static Name`
 * in node_modules/@google/gemini-cli/bundle, plus the legacy aliases (TOOL_LEGACY_ALIASES).
 * test/agents/tool-tables.test.ts reads those names from the bundle, and test/e2e/agent-tools.test.ts
 * the tools the real binary offers its model; both fail on a tool this table does not declare.
 * Paths stay as the model wrote them: relative ones are to the session's directory.
 */
export const GEMINI_TOOLS: ToolTable = {
  run_shell_command: { does: 'runs a shell command (bash -c), in dir_path when given', map: shell('command', 'dir_path') },
  write_file: { does: 'writes a whole file', map: writeFile('file_path', 'content') },
  replace: { does: 'replaces text in a file', map: replace },
  read_file: { does: 'reads a file', map: readFile('file_path') },
  read_many_files: {
    does: 'reads the files matching paths or globs',
    map: (i) => {
      const paths = [...i.strings('include'), ...i.strings('paths')];
      return paths.length > 0 ? { kind: 'read', paths, what: null } : { bad: 'no "include" paths' };
    },
  },
  list_directory: { does: 'lists a directory', map: (i) => (i.str('dir_path') ? search('dir_path')(i) : { bad: 'no "dir_path" string' }) },
  glob: { does: 'lists files matching a pattern under a directory', map: search('dir_path', 'pattern') },
  grep_search: { does: 'searches file contents under a directory (or one file)', aliases: ['search_file_content'], map: search('dir_path', 'pattern') },
  web_fetch: { does: 'fetches the URLs named in its prompt (local and private addresses too)', map: fetch('prompt') },
  google_web_search: { does: 'searches the web through the Gemini API', map: fetch('query') },
  list_background_processes: { does: "lists the session's background shell processes", map: session() },
  read_background_output: { does: "reads a background shell process's output", map: session() },
  read_mcp_resource: { does: "reads an MCP server's resource", map: mcp },
  list_mcp_resources: { does: "lists MCP servers' resources", map: mcp },
  // subagents: their own tool calls go through the same hooks
  invoke_agent: { does: 'runs a subagent (its tool calls go through the same hooks)', map: session('agent_name') },
  complete_task: { does: 'a subagent hands its result back', map: session() },
  activate_skill: { does: "loads a skill's instructions", map: session('name') },
  get_internal_docs: { does: "reads Gemini CLI's own documentation", map: session('path') },
  write_todos: { does: "updates the session's todo list", map: session() },
  update_topic: { does: 'names the phase of work the session is in', map: session('title') },
  ask_user: { does: 'asks the user questions', map: session() },
  enter_plan_mode: { does: 'switches to plan mode', map: session() },
  exit_plan_mode: { does: 'presents the plan for approval and leaves plan mode', map: session() },
  tracker_create_task: { does: "adds a task to the session's tracker", map: session('title') },
  tracker_update_task: { does: 'updates a tracker task', map: session() },
  tracker_get_task: { does: 'reads a tracker task', map: session() },
  tracker_list_tasks: { does: 'lists tracker tasks', map: session() },
  tracker_add_dependency: { does: 'links two tracker tasks', map: session() },
  tracker_visualize: { does: 'draws the tracker tasks', map: session() },
};

/** The table, and the MCP and discovered tools by what marks them. */
export const geminiToolSet: AgentTools = {
  table: GEMINI_TOOLS,
  families: [
    // an MCP server's tool: the hook payload says so (mcp_context)
    {
      name: '<MCP tool> (payload with mcp_context)',
      test: (_tool, payload) => payload.mcp_context !== undefined,
      decl: { does: 'a tool of an MCP server', map: mcp },
    },
    // settings' tools.discoveryCommand defines them, tools.callCommand runs them: a program harness does not see
    {
      name: 'discovered_tool_<name>',
      test: (tool) => tool.startsWith('discovered_tool_'),
      decl: { does: 'a tool defined by a discovery command in the settings', map: mcp },
    },
  ],
};

const EVENTS: Record<HookEvent, string> = { pre: 'BeforeTool', post: 'AfterTool' };

/** The person's Gemini config directory. */
/** What in ~/.gemini makes Gemini CLI run programs or follow instructions on its next start. */
const GEMINI_CONFIG = { files: ['settings.json', '.env', 'GEMINI.md', 'trustedFolders.json'], dirs: ['extensions', 'commands', 'policies'] } as const;

const personalDir = (env: NodeJS.ProcessEnv): string => join(env.GEMINI_CLI_HOME || env.HOME || homedir(), '.gemini');

function toEvent(payload: unknown, fallbackCwd: string, toolUseId: string): ToolEvent {
  const p = record(payload);
  return toolEvent(geminiToolSet, payload, { agent: 'gemini', sessionId: str(p.session_id) ?? '', toolUseId, cwd: str(p.cwd) ?? fallbackCwd });
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
        throw new HarnessError(
          `${workspaceSettings} switches Gemini's hooks off (hooksConfig.enabled: false), so harness could not check any tool call. Remove that setting to run Gemini under harness.`,
          2,
        );
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
      const overlay = configOverlay(
        realDir,
        join(runtimeDir, 'gemini-home', '.gemini'),
        [{ name: 'settings.json', content: withHooks }],
        (name) => !isConfigName(GEMINI_CONFIG, name),
      );
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
