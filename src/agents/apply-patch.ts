import type { FileChange } from './tool-event.js';

/** Bounds on what is read of a patch: past them the patch is reported as not understood. */
const MAX_PATCH_CHARS = 8 * 1024 * 1024;
const MAX_FILES = 1000;

export interface ParsedPatch {
  files: FileChange[];
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
  const files: FileChange[] = [];
  let current: { change: FileChange; added: string[]; old: string[]; next: string[]; mode: 'add' | 'update' | 'delete' } | null = null;
  let sawBegin = false;

  const flushHunk = (): void => {
    if (current?.mode !== 'update' || (current.old.length === 0 && current.next.length === 0)) return;
    (current.change.edits ??= []).push({ oldText: current.old.join('\n'), newText: current.next.join('\n'), all: false });
    current.old = [];
    current.next = [];
  };
  const flushFile = (): void => {
    if (!current) return;
    flushHunk();
    if (current.mode === 'add') current.change.content = current.added.length ? `${current.added.join('\n')}\n` : '';
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
      const mode = header[1] === 'Add' ? 'add' : header[1] === 'Delete' ? 'delete' : 'update';
      const change: FileChange = mode === 'delete' ? { path, deleted: true } : { path };
      files.push(change);
      current = { change, added: [], old: [], next: [], mode };
      continue;
    }
    const move = MOVE.exec(line);
    if (move && current?.mode === 'update') {
      // the old file goes, the new one gets the edited text (harness previews it as edits of the old)
      files.push({ path: move[1]!.trim(), edits: current.change.edits ?? [] });
      current.change.deleted = true;
      const target = files[files.length - 1]!;
      current.change = target;
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
