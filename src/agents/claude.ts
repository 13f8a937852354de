import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { hookCommand } from '../hooks/client.js';
import { hookPath, type HookEvent, type HookReply } from '../hooks/protocol.js';
import type { TextEdit, ToolEvent } from './tool-event.js';
import {
  ask,
  concerned,
  fetch,
  mcp,
  readFile,
  search,
  session,
  shell,
  ToolInput,
  toolEvent,
  writeFile,
  type AgentTools,
  type Mapping,
  type ToolTable,
} from './tool-table.js';
import { UsageError } from '../errors.js';
import { configOverlay } from './config-overlay.js';
import {
  ALLOW_SILENTLY,
  configIn,
  denialText,
  homeOf,
  isConfigName,
  NO_REPLY,
  record,
  str,
  type AgentAdapter,
  type Launch,
  type LaunchContext,
} from './adapter.js';

/** One old_string/new_string pair of Edit (or of MultiEdit's list). */
function textEdit(e: ToolInput): TextEdit | null {
  const oldText = e.str('old_string');
  const newText = e.str('new_string');
  return oldText !== undefined && newText !== undefined ? { oldText, newText, all: e.is('replace_all', true) } : null;
}

/** Edit: one replacement in file_path. */
function edit(i: ToolInput): Mapping {
  const path = i.str('file_path');
  if (!path) return { bad: 'no "file_path" string' };
  const e = textEdit(i);
  return e ? { kind: 'edit', files: [{ op: 'edit', path, edits: [e] }], unreadable: null } : { bad: 'no "old_string" and "new_string" strings' };
}

/** MultiEdit (older versions): a list of replacements in file_path. */
function multiEdit(i: ToolInput): Mapping {
  const path = i.str('file_path');
  if (!path) return { bad: 'no "file_path" string' };
  const list = i.fields.edits;
  if (!Array.isArray(list)) return { bad: 'no "edits" list' };
  const edits = list.map((e) => (e && typeof e === 'object' && !Array.isArray(e) ? textEdit(new ToolInput(e as Record<string, unknown>)) : null));
  if (edits.some((e) => e === null)) return { bad: 'an entry of "edits" has no "old_string" and "new_string" strings' };
  return { kind: 'edit', files: [{ op: 'edit', path, edits: edits as TextEdit[] }], unreadable: null };
}

/**
 * Every tool of Claude Code 2.1.330 (the pinned version), by the name its hooks give: the tools of
 * its `init` event (`claude -p --output-format stream-json --verbose`), the other built-in tools its
 * binary names (offered in other modes or with other settings), and the names older versions used.
 * test/e2e/agent-tools.test.ts fails when the pinned binary offers a tool this table does not declare.
 */
export const CLAUDE_TOOLS: ToolTable = {
  // commands
  Bash: { does: 'runs a shell command', map: shell('command') },
  Monitor: {
    does: 'runs a shell command in the background and streams its output lines (or listens on a WebSocket)',
    map: (i) =>
      i.has('command') ? shell('command')(i) : i.has('ws') ? fetch('url')(new ToolInput(record(i.fields.ws))) : { bad: 'neither a "command" nor a "ws"' },
  },
  PowerShell: { does: 'runs a PowerShell command (Windows)', map: ask('other-shell', 'command') },
  // files
  Write: { does: 'writes a whole file', map: writeFile('file_path', 'content') },
  Edit: { does: 'replaces text in a file', map: edit },
  MultiEdit: { does: 'replaces several texts in a file (versions before 2.1)', map: multiEdit },
  NotebookEdit: {
    does: 'replaces, inserts or deletes a cell of a Jupyter notebook',
    map: (i) => {
      const path = i.str('notebook_path');
      return path ? { kind: 'edit', files: [{ op: 'edit', path, edits: [] }], unreadable: null } : { bad: 'no "notebook_path" string' };
    },
  },
  Read: { does: 'reads a file (text, image, PDF, notebook)', map: readFile('file_path') },
  NotebookRead: { does: 'reads a notebook (versions before 2.1)', map: readFile('notebook_path') },
  LSP: { does: 'asks a language server about a file (definitions, references, hover)', map: readFile('filePath') },
  Glob: { does: 'lists files matching a pattern under a directory', map: search('path', 'pattern') },
  Grep: { does: 'searches file contents under a directory', map: search('path', 'pattern') },
  LS: { does: 'lists a directory (versions before 2.1)', map: search('path') },
  // network
  WebFetch: { does: 'fetches a URL and summarizes it', map: fetch('url') },
  WebSearch: { does: 'searches the web', map: fetch('query') },
  // MCP servers' resources
  ListMcpResourcesTool: { does: "lists an MCP server's resources", aliases: ['ListMcpResources'], map: mcp },
  ReadMcpResourceTool: { does: "reads an MCP server's resource", aliases: ['ReadMcpResource'], map: mcp },
  ReadMcpResourceDirTool: { does: "lists an MCP server's resource directory", aliases: ['ReadMcpResourceDir'], map: mcp },
  WaitForMcpServers: { does: 'waits for MCP servers that are still connecting', map: session() },
  // subagents: their own tool calls go through the same hooks
  Agent: {
    does: 'starts a subagent (in this session; "isolation" puts it in a git worktree or in the cloud)',
    aliases: ['Task'],
    map: (i) =>
      i.is('isolation', 'worktree')
        ? concerned('worktree', 'the subagent works in its own git worktree', i.str('description'))
        : i.is('isolation', 'remote')
          ? concerned('remote', 'the subagent runs in a cloud environment', i.str('description'))
          : i.has('isolation')
            ? { bad: 'an "isolation" harness does not know' }
            : session('description')(i),
  },
  SendMessage: {
    does: 'sends a message to a subagent, a teammate, or another Claude session on this machine or in the cloud',
    map: (i) => (i.str('to') === 'main' ? session('to')(i) : concerned('other-session', `to "${i.str('to') ?? ''}"`, i.str('to'))),
  },
  ListAgents: { does: 'lists subagents, teammates and other Claude sessions it could message', aliases: ['ListPeers'], map: session() },
  TaskStop: { does: 'stops a background task, shell or subagent of this session', aliases: ['KillShell', 'KillBash'], map: session() },
  TaskOutput: { does: "reads a background task's output (older versions)", aliases: ['BashOutput', 'AgentOutputTool', 'BashOutputTool'], map: session() },
  SubagentHandback: { does: 'a subagent hands its result back', map: session() },
  Skill: {
    // a skill's !`command` lines run without a hook call of their own: harness starts Claude Code with
    // disableSkillShellExecution (see launch), so loading a skill only loads its text
    does: "loads a skill's instructions (their shell commands are switched off under harness)",
    map: session('skill'),
  },
  propose_skills: { does: 'proposes skills for the user to save', map: session() },
  ToolSearch: { does: 'loads the schemas of deferred tools', map: session('query') },
  // plans, tasks, questions, the conversation itself
  TodoWrite: { does: "updates the session's todo list", map: session() },
  TaskCreate: { does: "adds a task to the session's task list", map: session('subject') },
  TaskGet: { does: 'reads a task of the list', map: session() },
  TaskList: { does: 'lists the tasks', map: session() },
  TaskUpdate: { does: 'updates a task of the list', map: session() },
  AskUserQuestion: { does: 'asks the user a question', map: session() },
  EnterPlanMode: { does: 'switches to plan mode', map: session() },
  ExitPlanMode: { does: 'presents a plan and leaves plan mode', map: session() },
  SetGoal: { does: 'sets a completion condition for the session', aliases: ['ProposeGoal'], map: session() },
  ReportFindings: { does: 'reports code-review findings to the UI', map: session() },
  StructuredOutput: { does: 'returns the final answer as JSON (--json-schema)', map: session() },
  EndConversation: { does: 'ends the conversation', map: session() },
  SendUserMessage: { does: 'sends the user a message in the chat', aliases: ['Brief'], map: session() },
  PushNotification: { does: 'sends the user a short notification on their devices', map: session() },
  ReadNotifications: { does: "reads the user's notifications for this session", map: session() },
  OfferChromeSetup: { does: 'offers the user to set up the browser extension', map: session() },
  ShowOnboardingRolePicker: { does: 'shows the onboarding role picker', map: session() },
  CronList: { does: 'lists scheduled prompts', map: session() },
  CronDelete: { does: 'cancels a scheduled prompt', map: session('id') },
  // out of reach of harness: asked whatever the rules say
  CronCreate: { does: 'schedules a prompt on a cron schedule (durable: even after this session)', map: ask('scheduled', 'cron') },
  ScheduleWakeup: {
    does: 'schedules the next turn of a /loop (or stops the loop)',
    map: (i) => (i.is('stop', true) ? session()(i) : ask('scheduled', 'prompt')(i)),
  },
  Workflow: { does: 'runs a workflow script that orchestrates background subagents', map: ask('workflow', 'name') },
  EnterWorktree: { does: 'creates (or switches to) a git worktree and moves the session into it', map: ask('worktree', 'name') },
  ExitWorktree: {
    does: 'leaves the worktree ("keep"), or deletes it and its branch ("remove")',
    map: (i) =>
      i.is('action', 'keep')
        ? session('action')(i)
        : i.is('action', 'remove')
          ? concerned('worktree', 'deletes the worktree and its branch', 'remove')
          : { bad: 'an "action" other than "keep" or "remove"' },
  },
  RemoteTrigger: { does: 'creates, changes or runs cloud agent triggers', map: ask('remote', 'action') },
  Artifact: { does: 'publishes a local file as an artifact on claude.ai (and manages artifacts)', map: ask('remote', 'action') },
  Projects: { does: "reads, writes, uploads and deletes documents of the user's claude.ai projects", map: ask('remote', 'method') },
  ClaudeDesign: { does: 'acts on Claude Design', map: ask('remote', 'operation') },
  SendUserFile: { does: "sends local files to the user's devices", map: ask('remote') },
  ShareOnboardingGuide: { does: 'uploads ONBOARDING.md and returns a share link', map: ask('remote') },
  SendFeedback: { does: 'sends a feedback report to Anthropic', map: ask('remote', 'title') },
};

/** The table, and the MCP tools by their name pattern. */
export const claudeToolSet: AgentTools = {
  table: CLAUDE_TOOLS,
  families: [{ name: 'mcp__<server>__<tool>', test: (tool) => tool.startsWith('mcp__'), decl: { does: 'a tool of an MCP server', map: mcp } }],
};

/** A PreToolUse answer in Claude Code's schema (Codex reads the same one). */
export function preToolUseDecision(decision: 'allow' | 'deny', reason: string): HookReply {
  return {
    verdict: decision,
    exitCode: 0,
    body: JSON.stringify({ hookSpecificOutput: { hookEventName: 'PreToolUse', permissionDecision: decision, permissionDecisionReason: reason } }),
  };
}

/** What in ~/.claude makes Claude Code run programs or follow instructions on its next start. */
const CLAUDE_CONFIG = {
  files: ['settings.json', 'settings.local.json', 'CLAUDE.md'],
  dirs: ['agents', 'commands', 'hooks', 'skills', 'plugins', 'output-styles', 'rules'],
} as const;

/**
 * Keys of ~/.claude.json a run may change in the person's file: counters, tips and notices seen.
 * Never MCP servers, projects (their trust and servers), credentials or anything else that runs or allows.
 */
const WRITE_BACK =
  /^(num[A-Z]\w*|has(Completed|Seen|Shown|Acknowledged)\w*|last\w*(Seen|Shown|Version|Notice)\w*|tipsHistory|cached\w*|\w*(Count|Seen|Shown|Dismissed|Notice)|firstStartTime|userID)$/;

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
  const overlay = configOverlay(
    real,
    dir,
    [{ name: '.claude.json', source: global, content: (x) => x, writeBack: (key) => WRITE_BACK.test(key) }],
    (name) => !isConfigName(CLAUDE_CONFIG, name),
  );
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
    const p = record(payload);
    return toolEvent(claudeToolSet, payload, {
      agent: 'claude',
      sessionId: str(p.session_id) ?? '',
      toolUseId: str(p.tool_use_id),
      cwd: str(p.cwd) ?? fallbackCwd,
    });
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
      if (HOOKLESS.has(a))
        throw new UsageError(`harness cannot supervise Claude Code with ${a}: it skips all hooks, so no tool call could be checked. Run without ${a}.`);
      if (a === '--settings' || a.startsWith('--settings=')) {
        throw new UsageError(
          'harness passes its own --settings to Claude Code; put your settings in .claude/settings.json or ~/.claude/settings.json instead.',
        );
      }
    }
  },

  /**
   * A per-run settings file passed with `--settings`: PreToolUse and PostToolUse(Failure) for every
   * tool, failing closed (`onFailure: block`), with `disableAllHooks: false` so a repository's own
   * settings cannot switch them off, and `disableSkillShellExecution`: a skill's or command's
   * !`…` lines would run when the Skill tool loads it, with no hook call of their own (a skill the
   * agent wrote into .claude/skills could run anything). The file lives in harness's private
   * runtime directory; these settings win over the user's and the project's.
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
      disableSkillShellExecution: true,
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
