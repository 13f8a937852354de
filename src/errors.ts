import { existsSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** An error a person can act on. `exitCode` follows the CLI convention: 1 failure, 2 usage. */
export class HarnessError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = 1,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class UsageError extends HarnessError {
  constructor(message: string) {
    super(message, 2);
  }
}

export class ConfigError extends HarnessError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    // one problem is one line; several are listed under the file
    super(problems.length === 1 ? `Invalid config ${file}: ${problems[0]}` : `Invalid config ${file}:\n${problems.map((p) => `  - ${p}`).join('\n')}`, 1);
  }
}

/** Why harness's own state (audit log, checkpoints, runtime files) cannot be written, if that is why. */
export type StateProblem = 'read-only' | 'full' | 'denied';

/** The errno or SQLite code behind a failure to write state, from the error's code or its message. */
export function stateProblem(error: unknown): StateProblem | null {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  if (/^(EROFS|SQLITE_READONLY)/.test(code) || /read-only file system|readonly database|EROFS/i.test(message)) return 'read-only';
  if (/^(ENOSPC|EDQUOT|SQLITE_FULL)/.test(code) || /no space left|disk quota exceeded|database or disk is full|out of diskspace|ENOSPC|EDQUOT/i.test(message))
    return 'full';
  if (/^(EACCES|EPERM|SQLITE_CANTOPEN|SQLITE_PERM|SQLITE_AUTH)/.test(code) || /permission denied|EACCES|unable to open database file/i.test(message))
    return 'denied';
  return null;
}

const STATE_FIX: Record<StateProblem, string> = {
  'read-only': 'the file system is read-only; make it writable, or point HARNESS_STATE_DIR (audit.path in the config for the log) at a writable directory',
  full: 'the disk is full; free some space on it, or point HARNESS_STATE_DIR (audit.path in the config for the log) at another disk',
  denied: 'permission denied; make it writable for this user, or point HARNESS_STATE_DIR (audit.path in the config for the log) at a directory you own',
};

/** One line a person can act on: what could not be written, where, why and what to do. */
export function describeStateProblem(what: string, path: string, problem: StateProblem): string {
  return `cannot write ${what} at ${path}: ${STATE_FIX[problem]}`;
}

/** harness's state cannot be written (read-only, full, not permitted): the path and the fix, one line. */
export class StateError extends HarnessError {
  constructor(
    readonly what: string,
    readonly path: string,
    readonly problem: StateProblem,
  ) {
    super(describeStateProblem(what, path, problem), 1);
  }
}

/** A failure that may be the disk's (an I/O error, a file that cannot be opened or written): worth a probe. */
export function mayBeStorage(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | null;
  const code = typeof e?.code === 'string' ? e.code : '';
  const message = typeof e?.message === 'string' ? e.message : String(error);
  return (
    /^(SQLITE_IOERR|SQLITE_CANTOPEN|SQLITE_READONLY|SQLITE_FULL|ENOENT|EIO)/.test(code) ||
    /disk I\/O error|write error|unable to open|cannot create|unable to create/i.test(message)
  );
}

/**
 * Why `path` cannot be written, found by trying: a small file in the nearest directory that
 * exists (a full tmpfs still makes directories; a read-only one fails some calls with ENOENT).
 */
export function probeState(path: string): StateProblem | null {
  let dir = resolve(path);
  while (!existsSync(dir) && dirname(dir) !== dir) dir = dirname(dir);
  const probe = join(dir, `.harness-probe-${process.pid}-${Date.now()}`);
  try {
    writeFileSync(probe, 'harness checks that its state can be written\n');
    return null;
  } catch (error) {
    return stateProblem(error);
  } finally {
    try {
      unlinkSync(probe);
    } catch {
      // never made
    }
  }
}

/** `error` as a StateError when it is a failure to write state at `path`; otherwise `error` itself. */
export function asStateError(error: unknown, what: string, path: string): unknown {
  if (error instanceof HarnessError) return error;
  const problem = stateProblem(error) ?? (mayBeStorage(error) ? probeState(path) : null);
  return problem ? new StateError(what, path, problem) : error;
}

/** The first line of an error's message: what a person reads (never a stack). */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n').find((l) => l.trim() !== '') ?? text).trim();
}
