import type { FileOperation, TextEdit } from './tool-event.js';

/** Bounds on what is read of a patch: past them the patch is reported as not understood. */
const MAX_PATCH_CHARS = 8 * 1024 * 1024;
const MAX_FILES = 1000;

export interface ParsedPatch {
  files: FileOperation[];
  /** Set when the text is not a patch harness can read in full (judged by its paths, and asked). */
  error?: string;
}

const HEADER = /^\*\*\* (Add|Update|Delete) File: (.+)$/;
const MOVE = /^\*\*\* Move to: (.+)$/;

/**
 * Codex's apply_patch format: `*** Begin Patch`, then per file `*** Add File: p` (lines `+…`),
 * `*** Delete File: p`, or `*** Update File: p` (optionally `*** Move to: q`) with hunks under `@@`
 * lines whose lines start with ' ', '-' or '+'; `*** End Patch`. A move is a delete plus a write.
 */
export function parseApplyPatch(text: string): ParsedPatch {
  if (text.length > MAX_PATCH_CHARS) return { files: [], error: `the patch has ${text.length} characters, more than harness reads` };
  const lines = text.split('\n');
  const files: FileOperation[] = [];
  /** The file whose lines are being read: the text an added file gets, or an updated one's hunks (and where it moves). */
  let current:
    | { mode: 'add'; path: string; added: string[] }
    | { mode: 'delete'; path: string }
    | { mode: 'update'; path: string; moveTo: string | null; edits: TextEdit[]; old: string[]; next: string[] }
    | null = null;
  let sawBegin = false;

  const flushHunk = (): void => {
    if (current?.mode !== 'update' || (current.old.length === 0 && current.next.length === 0)) return;
    current.edits.push({ oldText: current.old.join('\n'), newText: current.next.join('\n'), all: false });
    current.old = [];
    current.next = [];
  };
  const flushFile = (): void => {
    if (!current) return;
    flushHunk();
    if (current.mode === 'add') files.push({ op: 'write', path: current.path, content: current.added.length ? `${current.added.join('\n')}\n` : '' });
    else if (current.mode === 'delete') files.push({ op: 'delete', path: current.path });
    // a move: the old file goes, the new one gets the edited text (harness previews it as edits of the old)
    else if (current.moveTo !== null) files.push({ op: 'delete', path: current.path }, { op: 'edit', path: current.moveTo, edits: current.edits });
    else files.push({ op: 'edit', path: current.path, edits: current.edits });
    current = null;
  };

  for (const raw of lines) {
    const line = raw.replace(/\r$/, '');
    if (line.trim() === '*** Begin Patch') {
      sawBegin = true;
      continue;
    }
    if (line.trim() === '*** End Patch') {
      flushFile();
      continue;
    }
    const header = HEADER.exec(line);
    if (header) {
      flushFile();
      if (files.length >= MAX_FILES) return { files, error: `the patch changes more than ${MAX_FILES} files` };
      const path = header[2]!.trim();
      current =
        header[1] === 'Add'
          ? { mode: 'add', path, added: [] }
          : header[1] === 'Delete'
            ? { mode: 'delete', path }
            : { mode: 'update', path, moveTo: null, edits: [], old: [], next: [] };
      continue;
    }
    const move = MOVE.exec(line);
    if (move && current?.mode === 'update') {
      current.moveTo = move[1]!.trim();
      continue;
    }
    if (!current) continue;
    if (current.mode === 'add') {
      if (line.startsWith('+')) current.added.push(line.slice(1));
      continue;
    }
    if (current.mode === 'update') {
      if (line.startsWith('@@') || line === '*** End of File') flushHunk();
      else if (line.startsWith('-')) current.old.push(line.slice(1));
      else if (line.startsWith('+')) current.next.push(line.slice(1));
      else if (line.startsWith(' ') || line === '') {
        current.old.push(line.slice(1));
        current.next.push(line.slice(1));
      }
    }
  }
  flushFile();
  if (!sawBegin || files.length === 0) return { files, error: 'not a patch harness can read (no "*** Begin Patch" with files)' };
  return { files };
}
