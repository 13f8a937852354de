import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { freezeTree } from '../../src/session/process/freeze.js';

const state = (pid: number): string => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return 'gone';
  }
};

function tree(root: number): number[] {
  const out = [root];
  for (let grew = true; grew; ) {
    grew = false;
    for (const name of readdirSync('/proc').filter((n) => /^\d+$/.test(n))) {
      try {
        const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        if (out.includes(ppid) && !out.includes(Number(name))) {
          out.push(Number(name));
          grew = true;
        }
      } catch {
        // gone
      }
    }
  }
  return out;
}

describe.skipIf(process.platform !== 'linux')('freezeTree', () => {
  it('stops a process and everything below it (background jobs included), and resumes them all', async () => {
    const child = spawn('bash', ['-c', '(while :; do :; done) & (sleep 600 & wait) & echo up; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
    let pids: number[] = [];
    try {
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      const deadline = Date.now() + 10_000;
      while (tree(child.pid!).length < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      // settled: the shell's short-lived helpers are gone
      pids = tree(child.pid!).filter((pid) => state(pid) !== 'gone');
      expect(pids.length).toBeGreaterThanOrEqual(4);
      const thaw = freezeTree(child.pid!);
      try {
        // a signal is delivered when the process next runs: wait for it, bounded
        const stopped = Date.now() + 10_000;
        while (pids.some((pid) => !['T', 'gone'].includes(state(pid))) && Date.now() < stopped) await new Promise((r) => setTimeout(r, 10));
        expect(pids.map(state).filter((s) => s !== 'gone')).toEqual(
          pids
            .map(state)
            .filter((s) => s !== 'gone')
            .map(() => 'T'),
        );
      } finally {
        thaw();
      }
      const resumed = Date.now() + 10_000;
      while (pids.some((pid) => state(pid) === 'T') && Date.now() < resumed) await new Promise((r) => setTimeout(r, 20));
      expect(pids.map(state).filter((s) => s === 'T')).toEqual([]);
    } finally {
      // whatever failed above, nothing is left spinning
      for (const pid of [...tree(child.pid!), ...pids].reverse()) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
  }, 30_000);
});
