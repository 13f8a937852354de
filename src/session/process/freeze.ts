import { readdirSync, readFileSync } from 'node:fs';

/** Parent of each process, from /proc (Linux); empty elsewhere. */
function parents(): Map<number, number> {
  const out = new Map<number, number>();
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // the command name is in parentheses and may hold spaces: the fields after it are fixed
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      out.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function descendants(root: number): number[] {
  const tree = parents();
  const out: number[] = [];
  const seen = new Set([root]);
  let frontier = [root];
  while (frontier.length > 0) {
    const next: number[] = [];
    for (const [pid, ppid] of tree) if (seen.has(ppid) && !seen.has(pid)) next.push(pid);
    for (const pid of next) seen.add(pid);
    out.push(...next);
    frontier = next;
  }
  return out;
}

/**
 * Stops a process and everything below it (SIGSTOP), scanning again until no new process shows up
 * (one forked meanwhile is caught by the next round); returns how to resume them all (SIGCONT).
 */
export function freezeTree(root: number): () => void {
  const stopped = new Set<number>();
  const signal = (pid: number, sig: NodeJS.Signals): void => {
    try {
      process.kill(pid, sig);
    } catch {
      // already gone
    }
  };
  signal(root, 'SIGSTOP');
  stopped.add(root);
  for (let round = 0; round < 10; round++) {
    const fresh = descendants(root).filter((pid) => !stopped.has(pid));
    if (fresh.length === 0) break;
    for (const pid of fresh) {
      signal(pid, 'SIGSTOP');
      stopped.add(pid);
    }
  }
  return () => {
    for (const pid of stopped) signal(pid, 'SIGCONT');
  };
}
