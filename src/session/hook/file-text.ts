import { readFileSync, statSync } from 'node:fs';

/** Larger files are not read for a preview or a check. */
const MAX_FILE = 1024 * 1024;

/** A file's text for a preview or a check: null when missing; a note when it is not worth reading. */
export function readSmall(path: string): { text: string | null; note?: string } {
  let st;
  try {
    st = statSync(path);
  } catch {
    return { text: null };
  }
  if (!st.isFile()) return { text: null, note: 'not a regular file' };
  if (st.size > MAX_FILE) return { text: null, note: `the file has ${Math.round(st.size / 1024)} KiB: no preview` };
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch {
    return { text: null };
  }
  if (buf.includes(0)) return { text: null, note: 'binary file: no preview' };
  return { text: buf.toString('utf8') };
}
