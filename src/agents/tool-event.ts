import type { ToolCall, ToolConcern } from '../policy/index.js';

export type ToolKind = ToolEvent['kind'];

export interface TextEdit {
  oldText: string;
  newText: string;
  /** Every occurrence, not only the first. */
  all: boolean;
}

/** What a file tool does to one file: writes it whole, replaces text in it (in order), or removes it. */
export type FileOperation = { op: 'write'; path: string; content: string } | { op: 'edit'; path: string; edits: TextEdit[] } | { op: 'delete'; path: string };

/** Why harness asks about a call whatever the rules say (see the adapters' tool tables). */
export interface EventConcern {
  id: ToolConcern;
  detail: string | null;
}

/** What every tool event has, whatever its kind. */
interface EventCommon {
  agent: string;
  sessionId: string;
  toolUseId: string;
  tool: string;
  /** The directory the call works in (its input's, else the session's). */
  cwd: string;
  /** One line a person can read in a log. */
  summary: string;
  raw: unknown;
}

/** A shell command, judged like one typed at a prompt. */
export interface ShellEvent extends EventCommon {
  kind: 'shell';
  command: string;
}

/** A write or an edit: what happens to each file. */
export interface FileEvent extends EventCommon {
  kind: 'write' | 'edit';
  files: FileOperation[];
  /** Why harness could not read the call's input in full (then it is asked, never allowed silently); null when it could. */
  unreadable: string | null;
}

/** A read or a search: the files and directories it reads (none: the call's directory). */
export interface ReadEvent extends EventCommon {
  kind: 'read' | 'search';
  paths: string[];
}

/** A call that reaches the network or an MCP server (judged by `defaults`). */
export interface ReachEvent extends EventCommon {
  kind: 'fetch' | 'mcp';
}

/**
 * Anything else: the agent's own session (plans, todo lists, subagents), or a call harness asks
 * about whatever the rules say (an unknown tool, an input of the wrong shape, work moved out of
 * reach of its checks): its concern.
 */
export interface OtherEvent extends EventCommon {
  kind: 'other';
  concern: EventConcern | null;
}

/** One tool call of any agent, in agent-neutral form. */
export type ToolEvent = ShellEvent | FileEvent | ReadEvent | ReachEvent | OtherEvent;

/** The paths a call names: the files a write or edit touches, the ones a read or search reads; none for the rest. */
export function eventPaths(event: ToolEvent): string[] {
  switch (event.kind) {
    case 'write':
    case 'edit':
      return event.files.map((f) => f.path);
    case 'read':
    case 'search':
      return event.paths;
    default:
      return [];
  }
}

/** The policy question(s) a tool event asks: a shell command, or one file operation per path; and its concern, if any. */
export function toToolCalls(event: ToolEvent): ToolCall[] {
  switch (event.kind) {
    case 'shell':
      return [{ kind: 'shell', command: event.command, cwd: event.cwd }];
    case 'write':
    case 'edit':
      return event.files.map((f): ToolCall => ({ kind: 'file', op: f.op === 'delete' ? 'delete' : 'write', path: f.path, cwd: event.cwd }));
    case 'read':
    case 'search':
      return (event.paths.length > 0 ? event.paths : [event.cwd]).map((path): ToolCall => ({ kind: 'file', op: 'read', path, cwd: event.cwd }));
    case 'fetch':
    case 'mcp':
      return [{ kind: event.kind, tool: event.tool }];
    case 'other': {
      const { concern } = event;
      const other: ToolCall = { kind: 'other', tool: event.tool };
      return concern ? [other, { kind: 'concern', concern: concern.id, tool: event.tool, ...(concern.detail ? { detail: concern.detail } : {}) }] : [other];
    }
  }
}
