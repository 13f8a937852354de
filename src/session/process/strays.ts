import { readdirSync, readFileSync } from 'node:fs';

export interface StrayProcess {
  pid: number;
  command: string;
}

interface ProcStat {
  pid: number;
  ppid: number;
  session: number;
}

function stat(pid: string): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // the command name is in parentheses and may itself hold spaces or parentheses
    const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { pid: Number(pid), ppid: Number(rest[1]), session: Number(rest[3]) };
  } catch {
    return null;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ').slice(0, 200);
  } catch {
    return '?';
  }
}

function carries(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker);
  } catch {
    return false;
  }
}

/** "4242 node writer.js; 4250 sleep 30" */
export function describeStrays(strays: StrayProcess[]): string {
  return strays.map((s) => `${s.pid} ${s.command}`).join('; ');
}

/**
 * Processes a tool call left running: no longer below the agent in the process tree (the shell
 * that started them in the background has exited), but from this session — in the agent's
 * terminal session, or carrying the session's `marker` (`HARNESS_SESSION_ID=<id>`) in their
 * environment, which survives `setsid`. Linux only (/proc); elsewhere none are seen. A process
 * that left the session and cleared its environment is not seen: a limit of a hook-based design.
 */
export function strayProcesses(agentPid: number, marker: string | null = null, max = 4000): StrayProcess[] {
  let pids: string[];
  try {
    pids = readdirSync('/proc')
      .filter((n) => /^\d+$/.test(n))
      .slice(0, max);
  } catch {
    return [];
  }
  const all = pids.map(stat).filter((s): s is ProcStat => s !== null);
  const parent = new Map(all.map((p) => [p.pid, p.ppid]));
  const belowAgent = (pid: number): boolean => {
    for (let p = parent.get(pid), hops = 0; p !== undefined && p > 1 && hops < 64; p = parent.get(p), hops++) if (p === agentPid) return true;
    return false;
  };
  return all
    .filter((p) => p.pid !== agentPid && p.pid !== process.pid && !belowAgent(p.pid))
    .filter((p) => p.session === agentPid || (marker !== null && carries(p.pid, marker)))
    .map((p) => ({ pid: p.pid, command: commandLine(p.pid) }));
}
