import { resolve } from 'node:path';
import { eventPaths, type FileOperation, type TextEdit, type ToolEvent } from '../agents/tool-event.js';
import { redact } from '../audit/redact.js';
import type { Decision } from '../policy/index.js';
import { lineDiff, type DiffLine } from '../line-diff.js';
import type { ApprovalView } from './views.js';
import { readSmall } from './file-text.js';
import { displayPath } from '../workspace.js';
import { escapeControls } from '../printable.js';

export interface ApprovalInput {
  id: string;
  event: ToolEvent;
  decision: Pick<Decision, 'ruleId' | 'reason'> & Partial<Pick<Decision, 'commands'>>;
  deadline: number;
}

/** Text from the agent or its files as the dialog may draw it: secrets masked, no control characters (no escape sequence reaches the terminal). */
const shown = (text: string): string => escapeControls(redact(text));
const masked = (lines: DiffLine[]): DiffLine[] => lines.map((l) => ({ ...l, text: shown(l.text) }));

/** What a tool would do to one file, as diff lines (secrets masked). */
function previewFile(file: FileOperation, cwd: string): { lines: DiffLine[]; note?: string } {
  const current = readSmall(resolve(cwd, file.path));
  if (current.note) return { lines: [], note: current.note };
  const before = current.text ?? '';
  const note = current.text === null ? 'new file' : undefined;
  if (file.op === 'delete') return { lines: masked(lineDiff(before, '', { context: 0, maxLines: 40 })), note: 'the file would be deleted' };
  const after: Edited = file.op === 'write' ? { kind: 'text', text: file.content } : edited(before, file.edits);
  if (after.kind === 'no-edits') return { lines: [], note: 'no preview for this tool' };
  if (after.kind === 'not-found') {
    return { lines: masked(file.op === 'edit' ? file.edits.flatMap((e) => lineDiff(e.oldText, e.newText, { context: 2 })) : []), note: 'the text to replace is not in the file as it is now; showing the edit itself' };
  }
  const lines = lineDiff(before, after.text, { context: 3, maxLines: 400 });
  return { lines: masked(lines), note: lines.length === 0 && !note ? 'the file would not change' : note };
}

/** The file's text after a tool's change, or why there is none to show (no edits given, a text to replace that is not there). */
type Edited = { kind: 'text'; text: string } | { kind: 'no-edits' } | { kind: 'not-found' };

/** The text after the edits, applied in order. */
function edited(before: string, edits: readonly TextEdit[]): Edited {
  if (edits.length === 0) return { kind: 'no-edits' };
  let after = before;
  for (const e of edits) {
    if (!after.includes(e.oldText)) return { kind: 'not-found' };
    after = e.all ? after.split(e.oldText).join(e.newText) : after.replace(e.oldText, () => e.newText);
  }
  return { kind: 'text', text: after };
}

/** What a write or edit would do, as diff lines; with several files, each under its name. */
export function previewChange(event: ToolEvent, workspace: string): { lines: DiffLine[]; note?: string } {
  const files = event.kind === 'write' || event.kind === 'edit' ? event.files : [];
  if (files.length === 0) return { lines: [] };
  if (files.length === 1) return previewFile(files[0]!, event.cwd);
  const lines = files.flatMap((file) => {
    const p = previewFile(file, event.cwd);
    const name = displayPath(workspace, resolve(event.cwd, file.path));
    return [{ kind: 'file' as const, text: escapeControls(p.note ? `${name} (${p.note})` : name) }, ...p.lines];
  });
  return { lines, note: `${files.length} files` };
}

/** The approval dialog's view of a request. */
export function approvalView(input: ApprovalInput, workspace: string, sessionScope: string | null): ApprovalView {
  const { event, decision } = input;
  const command = event.kind === 'shell' ? shown(event.command) : undefined;
  const squash = (t: string) => t.replace(/\s+/g, ' ').trim();
  const analysed = (decision.commands ?? []).map((c) => shown(c.argv.join(' '))).filter((text, i, all) => text && all.indexOf(text) === i);
  // worth showing when harness read something the person cannot see as written (quoting, escapes, wrappers)
  const normalized = command !== undefined && analysed.some((a) => !squash(command).includes(squash(a))) ? analysed : [];
  const isFile = event.kind === 'write' || event.kind === 'edit';
  const preview = isFile ? previewChange(event, workspace) : { lines: [] };
  return {
    id: input.id,
    agent: event.agent,
    tool: escapeControls(event.tool),
    kind: event.kind,
    command,
    normalized,
    target: eventPaths(event)[0] ? escapeControls(displayPath(workspace, resolve(event.cwd, eventPaths(event)[0]!))) : undefined,
    preview: preview.lines,
    previewNote: preview.note,
    cwd: escapeControls(event.cwd),
    ruleId: decision.ruleId,
    reason: shown(decision.reason),
    deadline: input.deadline,
    sessionScope: sessionScope ?? 'nothing exact to remember: same as y',
  };
}
