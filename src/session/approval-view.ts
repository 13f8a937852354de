import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import type { ToolEvent } from '../agents/tool-event.js';
import { redact } from '../audit/redact.js';
import type { Decision } from '../policy/index.js';
import { lineDiff, type DiffLine } from '../tui/line-diff.js';
import type { ApprovalView } from '../tui/types.js';

/** Larger files are not read for a preview. */
const MAX_PREVIEW_FILE = 1024 * 1024;

export interface ApprovalInput {
  id: string;
  event: ToolEvent;
  decision: Pick<Decision, 'ruleId' | 'reason'> & Partial<Pick<Decision, 'commands'>>;
  deadline: number;
}

/** A file's text for a preview or a check: null when missing; a note when it is not worth reading. */
export function readSmall(path: string): { text: string | null; note?: string } {
  let st;
  try {
    st = statSync(path);
  } catch {
    return { text: null };
  }
  if (!st.isFile()) return { text: null, note: 'not a regular file' };
  if (st.size > MAX_PREVIEW_FILE) return { text: null, note: `the file has ${Math.round(st.size / 1024)} KiB: no preview` };
  const buf = Buffer.alloc(st.size);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, buf, 0, st.size, 0);
  } finally {
    closeSync(fd);
  }
  if (buf.includes(0)) return { text: null, note: 'binary file: no preview' };
  return { text: buf.toString('utf8') };
}

/** The edits a file tool carries: Claude's Edit/MultiEdit (old_string/new_string). */
export function editsOf(raw: unknown): { oldText: string; newText: string; all: boolean }[] {
  const input = (raw as { tool_input?: Record<string, unknown> } | null)?.tool_input ?? {};
  const one = (e: Record<string, unknown>) =>
    typeof e.old_string === 'string' && typeof e.new_string === 'string' ? [{ oldText: e.old_string, newText: e.new_string, all: e.replace_all === true }] : [];
  if (Array.isArray(input.edits)) return input.edits.flatMap((e) => (e && typeof e === 'object' ? one(e as Record<string, unknown>) : []));
  return one(input);
}

/** What a write or edit would do to the file, as diff lines (secrets masked). */
export function previewChange(event: ToolEvent): { lines: DiffLine[]; note?: string } {
  const path = event.paths[0];
  if (!path) return { lines: [] };
  const current = readSmall(resolve(event.cwd, path));
  if (current.note) return { lines: [], note: current.note };
  const before = current.text ?? '';
  let after: string | null = null;
  let note = current.text === null ? 'new file' : undefined;
  if (event.kind === 'write') after = event.content ?? '';
  else {
    const edits = editsOf(event.raw);
    if (edits.length === 0) return { lines: [], note: 'no preview for this tool' };
    after = before;
    for (const e of edits) {
      if (!after.includes(e.oldText)) {
        note = 'the text to replace is not in the file as it is now; showing the edit itself';
        after = null;
        break;
      }
      after = e.all ? after.split(e.oldText).join(e.newText) : after.replace(e.oldText, () => e.newText);
    }
    if (after === null) {
      const lines = edits.flatMap((e) => lineDiff(e.oldText, e.newText, { context: 2 }));
      return { lines: lines.map((l) => ({ ...l, text: redact(l.text) })), note };
    }
  }
  const lines = lineDiff(before, after, { context: 3, maxLines: 400 });
  return { lines: lines.map((l) => ({ ...l, text: redact(l.text) })), note: lines.length === 0 && !note ? 'the file would not change' : note };
}

function shown(path: string, workspace: string): string {
  const rel = relative(workspace, resolve(path));
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

/** The approval dialog's view of a request. */
export function approvalView(input: ApprovalInput, workspace: string, sessionScope: string | null): ApprovalView {
  const { event, decision } = input;
  const command = event.kind === 'shell' ? redact(event.command ?? '') : undefined;
  const squash = (t: string) => t.replace(/\s+/g, ' ').trim();
  const analysed = (decision.commands ?? []).map((c) => redact(c.argv.join(' '))).filter((text, i, all) => text && all.indexOf(text) === i);
  // worth showing when harness read something the person cannot see as written (quoting, escapes, wrappers)
  const normalized = command !== undefined && analysed.some((a) => !squash(command).includes(squash(a))) ? analysed : [];
  const isFile = event.kind === 'write' || event.kind === 'edit';
  const preview = isFile ? previewChange(event) : { lines: [] };
  return {
    id: input.id,
    agent: event.agent,
    tool: event.tool,
    kind: event.kind,
    command,
    normalized,
    target: event.paths[0] ? shown(resolve(event.cwd, event.paths[0]), workspace) : undefined,
    preview: preview.lines,
    previewNote: preview.note,
    cwd: event.cwd,
    ruleId: decision.ruleId,
    reason: redact(decision.reason),
    deadline: input.deadline,
    sessionScope: sessionScope ?? 'nothing exact to remember: same as y',
  };
}
