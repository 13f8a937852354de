import type { ToolCall, ToolConcern } from '../policy/index.js';

export type ToolKind = 'shell' | 'write' | 'edit' | 'read' | 'search' | 'fetch' | 'mcp' | 'other';

export interface TextEdit {
  oldText: string;
  newText: string;
  /** Every occurrence, not only the first. */
  all: boolean;
}

/** What a file tool does to one file. */
export interface FileChange {
  path: string;
  /** The whole new content (a write, an added file). */
  content?: string;
  /** Text replacements in the existing file (an edit), in order. */
  edits?: TextEdit[];
  /** The file is removed. */
  deleted?: boolean;
}

/** One tool call of any agent, in agent-neutral form. */
export interface ToolEvent {
  agent: string;
  sessionId: string;
  toolUseId: string;
  kind: ToolKind;
  tool: string;
  cwd: string;
  command?: string;
  paths: string[];
  /** For writes and edits: what happens to each file (the same paths). */
  files?: FileChange[];
  /** Why harness could not read the call's input in full (then it is asked, never allowed silently). */
  unreadable?: string;
  /**
   * What makes harness ask about this call whatever the rules say: an unknown tool, an input of the
   * wrong shape, work moved out of reach of its checks (see the adapters' tool tables).
   */
  concern?: { id: ToolConcern; detail?: string };
  /** One line a person can read in a log. */
  summary: string;
  raw: unknown;
}

/** The policy question(s) a tool event asks: a shell command, or one file operation per path; and its concern, if any. */
export function toToolCalls(event: ToolEvent): ToolCall[] {
  const calls = kindCalls(event);
  return event.concern ? [...calls, { kind: 'concern', concern: event.concern.id, tool: event.tool, ...(event.concern.detail ? { detail: event.concern.detail } : {}) }] : calls;
}

function kindCalls(event: ToolEvent): ToolCall[] {
  switch (event.kind) {
    case 'shell':
      return [{ kind: 'shell', command: event.command ?? '', cwd: event.cwd }];
    case 'write':
    case 'edit': {
      const deleted = new Set((event.files ?? []).filter((f) => f.deleted).map((f) => f.path));
      return event.paths.map((path) => ({ kind: 'file', op: deleted.has(path) ? 'delete' : 'write', path, cwd: event.cwd }) as ToolCall);
    }
    case 'read':
    case 'search':
      return (event.paths.length > 0 ? event.paths : [event.cwd]).map((path) => ({ kind: 'file', op: 'read', path, cwd: event.cwd }) as ToolCall);
    default:
      return [{ kind: event.kind, tool: event.tool }];
  }
}
