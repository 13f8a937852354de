import { readdirSync, readFileSync } from 'node:fs';

/** How the agent's start is watched: every `pollMs`, settled once its processes used at most `idleTicks` of CPU over `quietMs`. */
export interface SettleOptions {
  pollMs: number;
  quietMs: number;
  /** Clock ticks (1/100 s on Linux) of CPU the whole tree may use over `quietMs` and still count as waiting. */
  idleTicks: number;
  /** Resolves by then whatever the agent does. */
  maxMs: number;
}

export const SETTLE_DEFAULTS: SettleOptions = { pollMs: 50, quietMs: 150, idleTicks: 1, maxMs: 3000 };

/** CPU time (clock ticks) a process used, its reaped children's included; null when it is gone. */
function cpuTicks(pid: number): number | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
    // the command name is in parentheses and may itself hold spaces or parentheses
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  } catch {
    return null;
  }
}

/** The direct children of `pid`, from every thread of it (Linux: /proc/<pid>/task/<tid>/children). */
function childrenOf(pid: number): number[] {
  const out: number[] = [];
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return out;
  }
  for (const tid of tids) {
    try {
      for (const c of readFileSync(`/proc/${pid}/task/${tid}/children`, 'latin1').split(' ')) if (c) out.push(Number(c));
    } catch {
      // the thread ended, or the kernel has no children file
    }
  }
  return out;
}

/** CPU ticks of `root` and everything below it now (at most `max` processes); null when `root` is gone or /proc cannot tell. */
export function treeTicks(root: number, max = 512): number | null {
  const first = cpuTicks(root);
  if (first === null) return null;
  let total = first;
  const seen = new Set([root]);
  const todo = childrenOf(root);
  while (todo.length > 0 && seen.size < max) {
    const pid = todo.pop()!;
    if (seen.has(pid)) continue;
    seen.add(pid);
    const t = cpuTicks(pid);
    if (t === null) continue;
    total += t;
    todo.push(...childrenOf(pid));
  }
  return Number.isFinite(total) ? total : null;
}

/**
 * Resolves once the agent's start has settled: its process tree has been (nearly) idle for a
 * moment — waiting for its model, or for the person — or after `maxMs` at the latest, or at once
 * when its process is gone or /proc cannot tell (not Linux). Work that can wait until then
 * (harness's first full scan) then no longer competes with the agent's start for the cores.
 */
export function agentSettled(pid: number, options: SettleOptions = SETTLE_DEFAULTS): { settled: Promise<void>; cancel: () => void } {
  let cancel = (): void => undefined;
  const settled = new Promise<void>((resolve) => {
    const startedAt = Date.now();
    /** Readings of the last `quietMs`: [time, ticks]. */
    const readings: [number, number][] = [];
    const done = (): void => {
      clearInterval(timer);
      resolve();
    };
    const poll = (): void => {
      const now = Date.now();
      const ticks = treeTicks(pid);
      if (ticks === null || now - startedAt >= options.maxMs) return done();
      readings.push([now, ticks]);
      while (readings.length > 1 && now - readings[1]![0] >= options.quietMs) readings.shift();
      const oldest = readings[0]!;
      if (now - oldest[0] >= options.quietMs && ticks - oldest[1] <= options.idleTicks) done();
    };
    const timer = setInterval(poll, options.pollMs);
    timer.unref();
    cancel = done;
    poll();
  });
  return { settled, cancel };
}
