import type { ToolCall } from '../policy/index.js';

export type ToolKind = 'shell' | 'write' | 'edit' | 'read' | 'search' | 'fetch' | 'mcp' | 'other';

export interface TextEdit {
  oldText: string;
  newText: string;
  /** Every occurrence, not only the first. */
  all: boolean;
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
  content?: string;
  /** Text replacements a file tool makes (an edit), in order. */
  edits?: TextEdit[];
  /** One line a person can read in a log. */
  summary: string;
  raw: unknown;
}

/** The policy question(s) a tool event asks: a shell command, or one file operation per path. */
export function toToolCalls(event: ToolEvent): ToolCall[] {
  switch (event.kind) {
    case 'shell':
      return [{ kind: 'shell', command: event.command ?? '', cwd: event.cwd }];
    case 'write':
    case 'edit':
      return event.paths.map((path) => ({ kind: 'file', op: 'write', path, cwd: event.cwd }) as ToolCall);
    case 'read':
    case 'search':
      return (event.paths.length > 0 ? event.paths : [event.cwd]).map((path) => ({ kind: 'file', op: 'read', path, cwd: event.cwd }) as ToolCall);
    default:
      return [{ kind: event.kind, tool: event.tool }];
  }
}
