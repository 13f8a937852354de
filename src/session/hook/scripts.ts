import { closeSync, constants, fstatSync, openSync, readSync, realpathSync } from 'node:fs';
import { createHash } from 'node:crypto';
import type { JudgedFile, ScriptFile } from '../../policy/index.js';

/** Scripts larger than this are not read: the decision stands on where the file is. */
export const MAX_SCRIPT_BYTES = 256 * 1024;

/**
 * Reads a file a command runs, for the policy to judge its content: a regular file of at most
 * MAX_SCRIPT_BYTES, text (no NUL in it), with its SHA-256. Never throws.
 */
export function readScript(path: string, knownReal?: string): ScriptFile {
  let fd: number;
  try {
    // non-blocking: a FIFO (or a device) put where the script was must not make harness wait
    fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
  } catch (error) {
    return { unreadable: (error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR' ? 'missing' : 'unreadable' };
  }
  try {
    const stat = fstatSync(fd);
    if (!stat.isFile()) return { unreadable: 'not a regular file' };
    if (stat.size > MAX_SCRIPT_BYTES) return { unreadable: 'too large' };
    const buffer = Buffer.alloc(stat.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    const bytes = buffer.subarray(0, read);
    if (bytes.includes(0)) return { unreadable: 'binary' };
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const real = knownReal ?? realpathSync(path);
    return real === path ? { text: bytes.toString('utf8'), sha256 } : { text: bytes.toString('utf8'), sha256, realPath: real };
  } catch {
    return { unreadable: 'unreadable' };
  } finally {
    closeSync(fd);
  }
}

/** The judged files whose content is no longer what was judged (changed, or gone). */
export function changedScripts(
  judged: readonly JudgedFile[],
  read: (path: string) => ScriptFile = readScript,
): { path: string; before: string; now: string }[] {
  const out: { path: string; before: string; now: string }[] = [];
  for (const j of judged) {
    if (j.sha256 === null) continue;
    const now = read(j.path);
    const hash = 'sha256' in now ? now.sha256 : now.unreadable;
    if (hash !== j.sha256) out.push({ path: j.path, before: j.sha256, now: hash });
  }
  return out;
}
