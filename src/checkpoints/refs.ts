import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Moving a ref the way git's files backend does, in-process: `<ref>.lock` created exclusively (so
 * a git command or another harness moving the same ref at the same moment fails one of the two),
 * the old value compared with the one expected (loose file, else packed-refs), the new value
 * renamed into place. No git process per checkpoint.
 */

/** What came of a move: done, refused as git refuses it (the message says why), or not for this path (the caller asks git). */
export type RefMove = { kind: 'moved' } | { kind: 'refused'; message: string } | { kind: 'ask-git'; why: string };

/**
 * Whether refs of the repository whose common dir is `commonDir` can be moved here: the files
 * backend, and no reflog git would write for them (`core.logAllRefUpdates = always`). Read once per
 * store; a ref with a reflog of its own is checked per move.
 */
export function filesBackend(commonDir: string): boolean {
  if (existsSync(join(commonDir, 'reftable'))) return false;
  let config: string;
  try {
    config = readFileSync(join(commonDir, 'config'), 'latin1');
  } catch {
    return false;
  }
  const storage = /^[ \t]*refstorage[ \t]*=[ \t]*(\S*)/im.exec(config)?.[1]?.toLowerCase() ?? 'files';
  return storage === 'files' && !/^[ \t]*logallrefupdates[ \t]*=[ \t]*always\b/im.test(config);
}

/** The value of `ref` (loose, else packed), '' when it has none, null when it is not a plain object id (a symbolic ref, unreadable). */
function currentValue(commonDir: string, ref: string): string | null {
  try {
    const loose = readFileSync(join(commonDir, ref), 'latin1').trim();
    return /^[0-9a-f]{40,64}$/.test(loose) ? loose : null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return null;
  }
  let packed: string;
  try {
    packed = readFileSync(join(commonDir, 'packed-refs'), 'latin1');
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? '' : null;
  }
  const needle = ` ${ref}`;
  let at = packed.indexOf(`${needle}\n`);
  if (at < 0 && packed.endsWith(needle)) at = packed.length - needle.length;
  if (at < 0) return '';
  const oid = packed.slice(packed.lastIndexOf('\n', at) + 1, at);
  return /^[0-9a-f]{40,64}$/.test(oid) ? oid : null;
}

/** Moves `ref` from `expected` (all zeros: it must not exist) to `id`. */
export function moveRef(commonDir: string, ref: string, id: string, expected: string): RefMove {
  if (existsSync(join(commonDir, 'logs', ref))) return { kind: 'ask-git', why: 'the ref has a reflog' };
  const path = join(commonDir, ref);
  const lock = `${path}.lock`;
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (error) {
    return { kind: 'ask-git', why: `cannot make the directory of ${ref} (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  let fd: number;
  try {
    fd = openSync(lock, 'wx', 0o644);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return { kind: 'refused', message: `cannot lock ref '${ref}': Unable to create '${lock}': File exists.` };
    return { kind: 'ask-git', why: `cannot create ${lock} (${code ?? 'error'})` };
  }
  let renamed = false;
  try {
    const now = currentValue(commonDir, ref);
    if (now === null) return { kind: 'ask-git', why: `${ref} is not a plain ref here` };
    const none = /^0+$/.test(expected);
    if (none ? now !== '' : now !== expected) {
      return {
        kind: 'refused',
        message: none ? `cannot lock ref '${ref}': reference already exists` : `cannot lock ref '${ref}': is at ${now || 'nothing'} but expected ${expected}`,
      };
    }
    writeSync(fd, `${id}\n`);
    closeSync(fd);
    fd = -1;
    renameSync(lock, path);
    renamed = true;
    return { kind: 'moved' };
  } finally {
    if (fd >= 0) closeSync(fd);
    if (!renamed) rmSync(lock, { force: true });
  }
}
