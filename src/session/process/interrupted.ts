import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { AuditLog } from '../../audit/store.js';
import { runtimeDirFor, stateDirFor } from '../../workspace.js';
import { stillRunning } from './liveness.js';

/**
 * Sessions whose supervisor died without closing them (killed, machine crashed): closed in the log
 * as interrupted, their runtime directories (tokens, generated settings) removed. A supervisor is
 * told by its pid and its start time (a pid reused by another process is not it). Runtime
 * directories of sessions the log knows to have ended go too. Returns the ids closed. A log that
 * cannot be written (read-only, full) closes nothing and throws nothing: the next command tries again.
 */
export function closeInterrupted(audit: AuditLog, workspace: string, alive: (pid: number, identity: string | null) => boolean = stillRunning): string[] {
  const closed: string[] = [];
  for (const s of audit.openSessions()) {
    if (s.pid === process.pid || alive(s.pid, s.supervisor)) continue;
    try {
      audit.event({ sessionId: s.id, kind: 'interrupted', detail: `the supervisor (pid ${s.pid}) ended without closing the session` });
      audit.endSession(s.id, null);
    } catch {
      // the log cannot be written now: the session stays open until a command can close it
      continue;
    }
    remove(runtimeDirFor(s.workspace || workspace, s.id));
    closed.push(s.id);
  }
  // runtime directories left by sessions that did end (a release that failed, an old harness)
  const runDir = join(stateDirFor(workspace), 'run');
  let names: string[] = [];
  try {
    names = readdirSync(runDir);
  } catch {
    // none yet
  }
  for (const name of names) {
    if (audit.hasEnded(name) === true) remove(join(runDir, name));
  }
  return closed;
}

/** Removes a session's files if it can (a read-only state directory keeps them until it is writable). */
function remove(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // the next command tries again
  }
}

/**
 * What every command that opens harness's state does first: closes the sessions of supervisors
 * that died. Never fails the command (a log that cannot be opened is the command's own business).
 */
export function reapInterrupted(workspace: string, auditPath: string): string[] {
  if (!existsSync(auditPath)) return [];
  let log: AuditLog;
  try {
    log = AuditLog.open(auditPath);
  } catch {
    return [];
  }
  try {
    return closeInterrupted(log, workspace);
  } catch {
    return [];
  } finally {
    log.close();
  }
}
