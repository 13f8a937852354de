import { resolve } from 'node:path';
import type { ToolConcern } from '../policy/index.js';
import { record, str } from './adapter.js';
import type { EventConcern, FileOperation, ToolEvent } from './tool-event.js';

/** A tool call's input, read field by field (the hook gave an object). */
export class ToolInput {
  constructor(readonly fields: Readonly<Record<string, unknown>>) {}

  str(key: string): string | undefined {
    return Object.hasOwn(this.fields, key) ? str(this.fields[key]) : undefined;
  }

  /** The strings of an array field (other elements are left out). */
  strings(key: string): string[] {
    const v = Object.hasOwn(this.fields, key) ? this.fields[key] : undefined;
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  }

  has(key: string): boolean {
    return Object.hasOwn(this.fields, key) && this.fields[key] !== undefined && this.fields[key] !== null;
  }

  is(key: string, value: unknown): boolean {
    return Object.hasOwn(this.fields, key) && this.fields[key] === value;
  }
}

/**
 * What one call of a tool means to harness: the policy judges it by its kind. `what` is what the
 * call is about, for its one-line summary (a URL, a query, a name); null: its input is shown.
 */
export type Meaning =
  /** `command` is judged like one typed at a prompt; `dir` is the directory its input names (relative to the session's), if any. */
  | { kind: 'shell'; command: string; dir: string | null }
  /** What happens to each file; `unreadable`: the input has the tool's shape but harness could not read all of it (asked). */
  | { kind: 'write' | 'edit'; files: FileOperation[]; unreadable: string | null }
  /** The files it reads, as the model wrote them (relative ones are to the call's directory). */
  | { kind: 'read' | 'search'; paths: string[]; what: string | null }
  | { kind: 'fetch'; what: string }
  | { kind: 'mcp' }
  /** `concern`: asked whatever the rules say (see src/policy/concerns.ts). */
  | { kind: 'other'; what: string | null; concern: EventConcern | null };

/** A call's meaning, or why its input is not what the tool takes (then it is asked as core.bad-input). */
export type Mapping = Meaning | { bad: string };

/** One tool of an agent: what it does, and what a call of it means. */
export interface ToolDecl {
  /** What the tool does, in a few words: why it has this meaning. */
  does: string;
  /** Other names the agent gives the same tool (in its tool list, or in older versions' hooks). */
  aliases?: readonly string[];
  map(input: ToolInput): Mapping;
}

/** Every tool of one agent, by the name its hooks give. */
export type ToolTable = Readonly<Record<string, ToolDecl>>;

/** Tools known by a name pattern, not one by one (an MCP server's tools). */
export interface ToolFamily {
  /** The pattern, for people (`mcp__<server>__<tool>`). */
  name: string;
  test(tool: string, payload: Record<string, unknown>): boolean;
  decl: ToolDecl;
}

export interface AgentTools {
  table: ToolTable;
  families?: readonly ToolFamily[];
}

// --- the meanings most tools have ------------------------------------------------------------

/** The string in `name`, when a field is named and holds one. */
const field = (i: ToolInput, name: string | undefined): string | null => (name ? (i.str(name) ?? null) : null);

/** A call asked whatever the rules say, for `id`'s reason (and `detail`, when there is more to say). */
export const concerned = (id: EventConcern['id'], detail: string | null, what: string | null | undefined): Mapping => ({
  kind: 'other',
  what: what ?? null,
  concern: { id, detail },
});

/** Runs the shell command in `field` (in the directory in `dirField`, when given). */
export const shell =
  (field: string, dirField?: string) =>
  (i: ToolInput): Mapping => {
    const command = i.str(field);
    if (command === undefined) return { bad: `no "${field}" string` };
    const dir = dirField ? i.str(dirField) : undefined;
    return { kind: 'shell', command, dir: dir || null };
  };

/** Writes the whole file named in `pathField` with the text in `contentField`. */
export const writeFile =
  (pathField: string, contentField: string) =>
  (i: ToolInput): Mapping => {
    const path = i.str(pathField);
    if (!path) return { bad: `no "${pathField}" string` };
    const content = i.str(contentField);
    if (content === undefined) return { bad: `no "${contentField}" string` };
    return { kind: 'write', files: [{ op: 'write', path, content }], unreadable: null };
  };

/** Reads the file named in `pathField` (required). */
export const readFile =
  (pathField: string) =>
  (i: ToolInput): Mapping => {
    const path = i.str(pathField);
    return path ? { kind: 'read', paths: [path], what: null } : { bad: `no "${pathField}" string` };
  };

/** Searches (lists, greps) under the directory in `pathField`, else the call's directory. */
export const search =
  (pathField: string, whatField?: string) =>
  (i: ToolInput): Mapping => {
    const path = i.str(pathField);
    return { kind: 'search', paths: path ? [path] : [], what: field(i, whatField) };
  };

/** Reaches the network (a fetch or a web search), about what `field` says. */
export const fetch =
  (field: string) =>
  (i: ToolInput): Mapping => {
    const what = i.str(field);
    return what === undefined ? { bad: `no "${field}" string` } : { kind: 'fetch', what };
  };

/** Touches nothing outside the agent's own session: its plans, todo lists, questions, subagents. */
export const session =
  (whatField?: string) =>
  (i: ToolInput): Mapping => {
    return { kind: 'other', what: field(i, whatField), concern: null };
  };

/** A tool of an MCP server (asked or allowed by `defaults.mcp`). */
export const mcp = (): Mapping => ({ kind: 'mcp' });

/** Asked whatever the rules say: the call moves work out of reach of harness (see concerns.ts). */
export const ask =
  (concern: ToolConcern, whatField?: string) =>
  (i: ToolInput): Mapping => {
    return concerned(concern, null, field(i, whatField));
  };

// --- lookup and events -------------------------------------------------------------------------

const indexes = new WeakMap<ToolTable, Map<string, ToolDecl>>();

/** The table by every name a tool goes by (its own and its aliases). */
function indexOf(table: ToolTable): Map<string, ToolDecl> {
  let index = indexes.get(table);
  if (!index) {
    index = new Map();
    for (const [name, decl] of Object.entries(table)) {
      for (const n of [name, ...(decl.aliases ?? [])]) {
        if (index.has(n)) throw new Error(`tool table: "${n}" is declared twice`);
        index.set(n, decl);
      }
    }
    indexes.set(table, index);
  }
  return index;
}

/** The declaration for a tool name (by its name, an alias, or a family), if harness knows the tool. */
export function declaredTool(tools: AgentTools, name: string, payload: Record<string, unknown> = {}): ToolDecl | undefined {
  return indexOf(tools.table).get(name) ?? tools.families?.find((f) => f.test(name, payload))?.decl;
}

/** Every name a table knows one by one (names and aliases). */
export function declaredNames(table: ToolTable): string[] {
  return [...indexOf(table).keys()];
}

/** What the hook says about who is calling, read by the adapter (each agent names these differently). */
export interface CallIds {
  agent: string;
  sessionId: string;
  /** The call's id; without one, made from the tool name. */
  toolUseId?: string | undefined;
  cwd: string;
}

/**
 * The agent-neutral event for one hook payload (`tool_name`, `tool_input`, for all three agents).
 * The tool's declaration gives the call its meaning; a payload that is not an object, a missing
 * tool name, an input that is not an object or not the tool's shape, and a tool harness does not
 * know are all asked (`core.bad-input`, `core.unknown-tool`), never allowed as "other".
 */
export function toolEvent(tools: AgentTools, payload: unknown, ids: CallIds): ToolEvent {
  const p = record(payload);
  const named = str(p.tool_name);
  const tool = named || '(no tool name)';
  const rawInput = p.tool_input;
  const inputOk = rawInput !== null && typeof rawInput === 'object' && !Array.isArray(rawInput);
  const input = new ToolInput(inputOk ? (rawInput as Record<string, unknown>) : {});
  const base = { agent: ids.agent, sessionId: ids.sessionId, toolUseId: ids.toolUseId || `${tool}-${Date.now()}`, tool, raw: payload };

  const asked = (id: ToolConcern, detail: string): ToolEvent => ({
    ...base,
    kind: 'other',
    cwd: ids.cwd,
    concern: { id, detail },
    summary: `${tool} ${JSON.stringify(rawInput ?? null).slice(0, 200)}`.trim(),
  });
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return asked('bad-input', 'the hook payload is not a JSON object');
  if (!named) return asked('bad-input', 'the payload names no tool (tool_name)');
  const decl = declaredTool(tools, named, p);
  if (!decl) return asked('unknown-tool', `no declaration for "${named}"`);
  if (!inputOk)
    return asked(
      'bad-input',
      `its input (tool_input) is ${rawInput === undefined ? 'missing' : Array.isArray(rawInput) ? 'an array' : rawInput === null ? 'null' : `a ${typeof rawInput}`}, not an object`,
    );
  const m = decl.map(input);
  if ('bad' in m) return asked('bad-input', m.bad);

  const about = (paths: string[], what: string | null): string =>
    (paths.length > 0 ? `${tool} ${paths.join(', ')}` : `${tool} ${what ?? JSON.stringify(input.fields).slice(0, 200)}`).trim();
  const common = { ...base, cwd: ids.cwd };
  switch (m.kind) {
    case 'shell':
      return { ...common, kind: 'shell', cwd: m.dir ? resolve(ids.cwd, m.dir) : ids.cwd, command: m.command, summary: m.command.trim() };
    case 'write':
    case 'edit':
      return {
        ...common,
        kind: m.kind,
        files: m.files,
        unreadable: m.unreadable,
        summary: about(
          m.files.map((f) => f.path),
          null,
        ),
      };
    case 'read':
    case 'search':
      return { ...common, kind: m.kind, paths: m.paths, summary: about(m.paths, m.what) };
    case 'fetch':
      return { ...common, kind: 'fetch', summary: about([], m.what) };
    case 'mcp':
      return { ...common, kind: 'mcp', summary: about([], null) };
    case 'other':
      return { ...common, kind: 'other', concern: m.concern, summary: about([], m.what) };
  }
}
