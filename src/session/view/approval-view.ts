import { resolve } from 'node:path';
import { eventPaths, type FileOperation, type TextEdit, type ToolEvent } from '../../agents/tool-event.js';
import { redact } from '../../audit/redact.js';
import type { Decision } from '../../policy/index.js';
import { lineDiff, type DiffLine } from '../../line-diff.js';
import type { ApprovalPreview, ApprovalView } from '../views.js';
import { readSmall } from '../hook/file-text.js';
import { displayPath } from '../../workspace.js';
import { escapeControls } from '../../printable.js';

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
function previewFile(file: FileOperation, cwd: string): ApprovalPreview {
  const current = readSmall(resolve(cwd, file.path));
  if (current.note) return { lines: [], note: current.note };
  const before = current.text ?? '';
  const note = current.text === null ? 'new file' : null;
  if (file.op === 'delete') return { lines: masked(lineDiff(before, '', { context: 0, maxLines: 40 })), note: 'the file would be deleted' };
  const after: Edited = file.op === 'write' ? { kind: 'text', text: file.content } : edited(before, file.edits);
  if (after.kind === 'no-edits') return { lines: [], note: 'no preview for this tool' };
  if (after.kind === 'not-found') {
    return {
      lines: masked(file.op === 'edit' ? file.edits.flatMap((e) => lineDiff(e.oldText, e.newText, { context: 2 })) : []),
      note: 'the text to replace is not in the file as it is now; showing the edit itself',
    };
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
export function previewChange(event: ToolEvent, workspace: string): ApprovalPreview {
  const files = event.kind === 'write' || event.kind === 'edit' ? event.files : [];
  if (files.length === 0) return { lines: [], note: null };
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
  const common = {
    id: input.id,
    agent: event.agent,
    tool: escapeControls(event.tool),
    ruleId: decision.ruleId,
    reason: shown(decision.reason),
    deadline: input.deadline,
    sessionScope: sessionScope ?? 'nothing exact to remember: same as y',
  };
  const cwd = escapeControls(event.cwd);
  const first = eventPaths(event)[0];
  const target = first ? escapeControls(displayPath(workspace, resolve(event.cwd, first))) : null;
  switch (event.kind) {
    case 'shell': {
      const command = shown(event.command);
      return { ...common, kind: 'shell', command, normalized: normalized(command, decision.commands ?? []), cwd };
    }
    case 'write':
    case 'edit':
      return { ...common, kind: event.kind, target, preview: previewChange(event, workspace), cwd };
    case 'read':
    case 'search':
      return { ...common, kind: event.kind, target, cwd };
    default:
      return { ...common, kind: event.kind, cwd };
  }
}

/** The commands harness analysed, worth showing when it read something the person cannot see as written (quoting, escapes, wrappers). */
function normalized(command: string, commands: NonNullable<Decision['commands']>): string[] {
  const squash = (t: string) => t.replace(/\s+/g, ' ').trim();
  const analysed = commands.map((c) => shown(c.argv.join(' '))).filter((text, i, all) => text && all.indexOf(text) === i);
  return analysed.some((a) => !squash(command).includes(squash(a))) ? analysed : [];
}
