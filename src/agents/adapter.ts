import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Decision } from '../policy/index.js';
import type { HookEndpoint } from '../hooks/server.js';
import type { HookReply } from '../hooks/protocol.js';
import type { ToolEvent } from './tool-event.js';

export type HookTransport = 'http' | 'command';

/** What an adapter needs to wire an agent to harness for one run. */
export interface LaunchContext {
  /** harness's private directory for this session (removed at the end). */
  runtimeDir: string;
  endpoint: HookEndpoint;
  transport: HookTransport;
  /** How long the agent waits for one hook answer (approvals included). */
  timeoutSeconds: number;
  /** The environment the agent would get without harness. */
  env: NodeJS.ProcessEnv;
  /** The agent runs in the OS sandbox, where the home directory is read-only. */
  sandboxed: boolean;
}

/** How the agent is started so that its hooks reach harness. */
export interface Launch {
  args: string[];
  /** Variables set (or replaced) in the agent's environment. */
  env: Record<string, string>;
  /** Files harness wrote for this run: put back if anything changes them. */
  injected: string[];
  /** Told to the person at start, when the wiring is not obvious (a private config overlay). */
  note?: string;
  /** Paths in the runtime directory the agent writes (a private config overlay); the rest it only reads. */
  writable?: string[];
  /** Run when the agent has exited, before the runtime directory goes. */
  finish?: () => void;
}

/** Files, and directories of them, that make an agent run programs or follow instructions on its next start. */
export interface AgentConfig {
  files: string[];
  dirs: string[];
}

/** An agent's config names (`{files, dirs}`) as paths in its state directory. */
export function configIn(dir: string, names: { readonly files: readonly string[]; readonly dirs: readonly string[] }): AgentConfig {
  return { files: names.files.map((n) => join(dir, n)), dirs: names.dirs.map((n) => join(dir, n)) };
}

/** Whether an entry of the state directory is one of those names (never moved back from a private overlay). */
export function isConfigName(names: { readonly files: readonly string[]; readonly dirs: readonly string[] }, name: string): boolean {
  return names.files.includes(name) || names.dirs.includes(name);
}

export interface SandboxNeeds {
  /** Writable: the agent's own state. */
  state: string[];
  /** Within that state, what makes the agent run programs (its hooks, MCP servers, instructions): read-only. */
  config: AgentConfig;
  endpoints: string[];
}

/** The person's home as the agent sees it. */
export function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || homedir();
}

/** What a PostToolUse-style hook says about the call that ran. */
export interface ToolResultInfo {
  ok: boolean;
  response: unknown;
}

/** One supported agent: its hook protocol mapped onto harness's agent-neutral events and replies. */
export interface AgentAdapter {
  /** As typed after `harness run`, and in hook routes. */
  readonly name: string;
  /** As people call it. */
  readonly title: string;
  readonly defaultBinary: string;
  /** The environment variable that points harness at the binary. */
  readonly binaryEnv: string;
  readonly installHint: string;
  /** `--autonomous`: the options (and variables) that turn the agent's own permission prompts off. */
  readonly autonomousArgs: readonly string[];
  readonly autonomousEnv?: Readonly<Record<string, string>>;
  /** Hook transports the agent supports, the preferred first. */
  readonly transports: readonly HookTransport[];
  /** The agent's own settings files in a workspace (or home) that could switch hooks off: protected. */
  settingsFiles(workspace: string, env: NodeJS.ProcessEnv): string[];
  /** What the agent itself needs inside the sandbox: its own state (writable) and its API's base URLs. */
  sandboxNeeds(args: string[], env: NodeJS.ProcessEnv): SandboxNeeds;
  /** Hook payload → agent-neutral event. Unknown shapes still produce an event (judged as `other`). */
  toToolEvent(payload: unknown, fallbackCwd: string): ToolEvent;
  /** The after-call payload → whether the call succeeded and what it returned. */
  toResult(payload: unknown): ToolResultInfo;
  /** A decision as the agent's pre-call hook answer. `approvedByHuman`: a person said yes in harness. */
  preReply(decision: Pick<Decision, 'verdict' | 'ruleId' | 'reason'>, approvedByHuman: boolean, event?: ToolEvent): HookReply;
  postReply(): HookReply;
  /** Refuses, before anything starts, arguments or settings that would switch harness's hooks off. */
  preflight(args: string[], cwd: string, env: NodeJS.ProcessEnv): void;
  launch(args: string[], ctx: LaunchContext): Launch;
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function record(v: unknown): Record<string, unknown> {
  return v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}

/** The reason text the model reads when harness blocks a call. */
export function denialText(decision: Pick<Decision, 'ruleId' | 'reason'>): string {
  return `harness denied this${decision.ruleId ? ` (rule ${decision.ruleId})` : ''}: ${decision.reason}`;
}

export const NO_REPLY: HookReply = { verdict: 'none', exitCode: 0, body: '{}' };
/** An allow that says nothing: the agent goes on by its own settings. */
export const ALLOW_SILENTLY: HookReply = { verdict: 'allow', exitCode: 0, body: '{}' };

/** The binary harness runs for an agent: `--agent-bin`, else the agent's variable, else its name on PATH. */
export function requestedBinary(adapter: AgentAdapter, env: NodeJS.ProcessEnv, given?: string): string {
  return given ?? env[adapter.binaryEnv] ?? adapter.defaultBinary;
}
