import { lstatSync, type Stats } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';

/**
 * Paths inside the checkpoint store are byte strings: one char per byte (latin1), exactly the bytes
 * of the name on disk and in git. Any name round-trips, UTF-8 or not. They become Buffers for the
 * file system and git's stdin, and `shown` strings for people and for what the store hands out.
 */

/** A path as UTF-8 text (what tools and people give) as a byte string. */
export function toRaw(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

export function rawBytes(raw: string): Buffer {
  return Buffer.from(raw, 'latin1');
}

/** The absolute path of `raw` under `workspace`, as bytes (the workspace itself is UTF-8 text). */
export function absolute(workspace: string, raw: string): Buffer {
  return raw === '' ? Buffer.from(workspace) : Buffer.concat([Buffer.from(workspace), Buffer.from('/'), rawBytes(raw)]);
}

/** A workspace path (UTF-8 text, absolute or relative) as a byte path, or null when it is the workspace or outside it. */
export function relativeRaw(workspace: string, path: string): string | null {
  const rel = relative(workspace, resolve(workspace, path));
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? null : toRaw(rel);
}

export function lstatOrNull(path: Buffer): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/**
 * What is at `raw` under `workspace`, never through a symlink: null when nothing is there, or when
 * something above it is not a directory (a symlink swapped in for one leads outside, or to what no
 * checkpoint holds). `dirs` remembers the directories above already looked at, across calls.
 */
export function entryAt(workspace: string, raw: string, dirs?: Map<string, boolean>): Stats | null {
  for (let at = raw.indexOf('/'); at > 0; at = raw.indexOf('/', at + 1)) {
    const up = raw.slice(0, at);
    let isDir = dirs?.get(up);
    if (isDir === undefined) {
      isDir = lstatOrNull(absolute(workspace, up))?.isDirectory() === true;
      dirs?.set(up, isDir);
    }
    if (!isDir) return null;
  }
  return lstatOrNull(absolute(workspace, raw));
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0. */
function utf8Length(b: Buffer, i: number): number {
  const c = b[i]!;
  const cont = (k: number): boolean => i + k < b.length && (b[i + k]! & 0xc0) === 0x80;
  if (c < 0x80) return 1;
  if (c >= 0xc2 && c <= 0xdf) return cont(1) ? 2 : 0;
  if (c >= 0xe0 && c <= 0xef) {
    if (!cont(1) || !cont(2)) return 0;
    const c1 = b[i + 1]!;
    if ((c === 0xe0 && c1 < 0xa0) || (c === 0xed && c1 >= 0xa0)) return 0; // overlong, surrogate
    return 3;
  }
  if (c >= 0xf0 && c <= 0xf4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    const c1 = b[i + 1]!;
    if ((c === 0xf0 && c1 < 0x90) || (c === 0xf4 && c1 >= 0x90)) return 0;
    return 4;
  }
  return 0;
}

const ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x0a: '\\n', 0x09: '\\t', 0x0d: '\\r' };

/**
 * A byte path for people (and for ChangedPath.path): as is when it is printable UTF-8 that does not
 * start with a quote; otherwise quoted the way git quotes names (`"bad\377name"`, `"new\nline"`).
 * `fromShown` turns it back into the same bytes.
 */
export function shown(raw: string): string {
  if (/^[\x20-\x21\x23-\x7e][\x20-\x7e]*$/.test(raw)) return raw; // the common case: printable ASCII
  const b = rawBytes(raw);
  let plain = b.length > 0 && b[0] !== 0x22;
  let text = '';
  let quoted = '';
  for (let i = 0; i < b.length; ) {
    const c = b[i]!;
    const n = utf8Length(b, i);
    if (n > 1) {
      const ch = b.subarray(i, i + n).toString('utf8');
      text += ch;
      quoted += ch;
      i += n;
    } else if (n === 1 && c >= 0x20 && c !== 0x7f) {
      text += String.fromCharCode(c);
      quoted += ESCAPES[c] ?? String.fromCharCode(c);
      i++;
    } else {
      plain = false;
      quoted += ESCAPES[c] ?? `\\${c.toString(8).padStart(3, '0')}`;
      i++;
    }
  }
  return plain ? text : `"${quoted}"`;
}

/** The bytes of a path given as `shown` gave it (or as plain UTF-8 text). */
export function fromShown(text: string): string {
  if (!(text.length >= 2 && text.startsWith('"') && text.endsWith('"'))) return toRaw(text);
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- code points on purpose: an escape is one code point, and a character passes through whole
  const chars = [...text.slice(1, -1)];
  let out = '';
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!;
    if (ch !== '\\') {
      out += toRaw(ch);
      continue;
    }
    const next = chars[++i];
    if (next === 'n') out += '\n';
    else if (next === 't') out += '\t';
    else if (next === 'r') out += '\r';
    else if (next !== undefined && /[0-7]/.test(next)) {
      out += String.fromCharCode(parseInt(chars.slice(i, i + 3).join(''), 8) & 0xff);
      i += 2;
    } else out += next ?? '';
  }
  return out;
}
