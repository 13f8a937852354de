import { readFileSync } from 'node:fs';

let bootId: string | null | undefined;

/** This boot of the machine (Linux), so that a start time from before a reboot never matches. */
function currentBoot(): string | null {
  if (bootId === undefined) {
    try {
      bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    } catch {
      bootId = null;
    }
  }
  return bootId;
}

/** When `pid` started, in clock ticks since boot (field 22 of /proc/PID/stat); null where there is no /proc. */
export function startTicks(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may hold spaces: the fields after it are fixed
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * Who a process is, not just its number: `pid:boot:start`. A pid reused by another process after
 * the first one died has another start time. Null where it cannot be told (no /proc).
 */
export function processIdentity(pid: number): string | null {
  const start = startTicks(pid);
  const boot = currentBoot();
  return start && boot ? `${pid}:${boot}:${start}` : null;
}

function exists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Whether the process recorded as `identity` (or, for records without one, `pid` running harness)
 * still runs. A pid that now belongs to another process is not it.
 */
export function stillRunning(pid: number, identity: string | null): boolean {
  if (!Number.isSafeInteger(pid) || pid <= 0 || !exists(pid)) return false;
  if (identity) {
    const now = processIdentity(pid);
    // no /proc now, though there was one when it was recorded: alive is all that can be told
    return now === null ? true : now === identity;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('harness');
  } catch {
    return true;
  }
}
