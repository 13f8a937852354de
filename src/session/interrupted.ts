import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditLog } from '../audit/store.js';
import { runtimeDirFor } from '../workspace.js';

/** Whether `pid` is a running harness process (a pid reused by another program is not). */
function harnessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('harness');
  } catch {
    // no /proc (not Linux): alive is all that can be told
    return true;
  }
}

/**
 * Sessions whose supervisor died without closing them (killed, machine crashed): closed in the log
 * as interrupted, their runtime directories (tokens, generated settings) removed. Returns their ids.
 */
export function closeInterrupted(audit: AuditLog, workspace: string, alive: (pid: number) => boolean = harnessAlive): string[] {
  const closed: string[] = [];
  for (const s of audit.openSessions()) {
    if (s.pid === process.pid || alive(s.pid)) continue;
    audit.event({ sessionId: s.id, kind: 'interrupted', detail: `the supervisor (pid ${s.pid}) ended without closing the session` });
    audit.endSession(s.id, null);
    rmSync(runtimeDirFor(workspace, s.id), { recursive: true, force: true });
    closed.push(s.id);
  }
  return closed;
}

