import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bwrapAvailability } from '../../src/sandbox/bwrap.js';
import { nativeLauncher, openSandbox } from '../../src/sandbox/index.js';
import { sandboxRequest } from '../support/sandbox-request.js';
import { until } from '../support/until.js';

const root = mkdtempSync(join(homedir(), '.harness-freeze-'));
// processes of a killed sandbox may still be ending: retry while they let go of the tree
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }));

function stat(pid: number): { state: string; ppid: number } | null {
  try {
    const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
    return { state: rest[0]!, ppid: Number(rest[1]) };
  } catch {
    return null;
  }
}

/** Every process below `top` (host pids). */
function below(top: number): number[] {
  const all = readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number);
  const out = new Set<number>([top]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const pid of all) {
      const s = stat(pid);
      if (s && out.has(s.ppid) && !out.has(pid)) {
        out.add(pid);
        grew = true;
      }
    }
  }
  out.delete(top);
  return [...out];
}

describe.skipIf(!bwrapAvailability().ok || !nativeLauncher())('freezing the sandbox for a rollback', () => {
  it('stops every process at once, even one that keeps forking and sends SIGCONT to everyone, and resumes them', async () => {
    const ws = join(root, 'ws');
    mkdirSync(ws);
    const sandbox = await openSandbox(sandboxRequest({ workspace: ws, home: join(root, 'home'), stateDir: join(root, 'state') }, { configPath: null }));
    // a hopper: each generation forks, the parent exits, the child wakes everyone and beats
    const hop = `import os, signal, time\nwhile True:\n    if os.fork():\n        os._exit(0)\n    os.kill(-1, signal.SIGCONT)\n    open('${ws}/beat', 'a').write('.')\n    time.sleep(0.002)\n`;
    // the agent stays; the hopper runs beside it
    const { file, args } = sandbox.wrap('sh', ['-c', 'python3 -c "$HOP" & sleep 600']);
    const child = spawn(file, args, { env: { ...process.env, ...sandbox.env(), HOP: hop }, stdio: 'ignore' });
    try {
      await until('the hopper to beat', () => existsSync(join(ws, 'beat')), 20_000);
      const thaw = await sandbox.freeze();
      expect(thaw).not.toBeNull();
      // bwrap outside, its pid 1 inside, the launcher: the rest is the agent's, and all of it stopped
      const [init] = below(child.pid!);
      const agents = below(child.pid!).filter(
        (pid) => pid !== init && stat(pid)?.ppid !== child.pid && !readFileSync(`/proc/${pid}/cmdline`, 'latin1').includes('harness-sandbox-init'),
      );
      expect(agents.length).toBeGreaterThan(0);
      expect(agents.map((pid) => stat(pid)?.state ?? 'gone').filter((s) => s !== 'T' && s !== 'Z' && s !== 'gone')).toEqual([]);
      await thaw!();
      const before = readFileSync(join(ws, 'beat'), 'utf8').length;
      await until('the hopper to beat again', () => readFileSync(join(ws, 'beat'), 'utf8').length > before, 10_000);
    } finally {
      const exited = child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      await sandbox.close();
    }
  }, 60_000);
});
