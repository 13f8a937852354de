/**
 * The session's watchdog: a small process of its own (its own session, so a signal to the
 * supervisor's process group or terminal does not reach it) that holds the read end of a pipe whose
 * only writer is the supervisor. When the pipe closes without a goodbye the supervisor has died
 * (SIGKILL, a crash, the OOM killer): the watchdog ends the agent's process tree, removes the
 * session's runtime files (tokens, generated settings), closes the session in the audit log as
 * interrupted and, when the agent had the terminal, gives the person a working terminal back.
 * Linux has PR_SET_PDEATHSIG for this, but Node cannot set it on the processes it spawns.
 *
 * usage: node watchdog-main.js   (instructions on stdin, one JSON object a line; see watchdog.ts)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { processIdentity } from './liveness.js';

interface Orders {
  agent: { pid: number; identity: string | null } | null;
  marker: string | null;
  remove: string[];
  audit: { workspace: string; path: string } | null;
  tty: boolean;
  supervisor: number;
  bye: boolean;
}

const orders: Orders = { agent: null, marker: null, remove: [], audit: null, tty: false, supervisor: process.ppid, bye: false };

function take(line: string): void {
  let o: Record<string, unknown>;
  try {
    o = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return;
  }
  if (o.bye === true) orders.bye = true;
  const agent = o.agent as { pid?: unknown; identity?: unknown } | undefined;
  if (agent && Number.isSafeInteger(agent.pid) && (agent.pid as number) > 1)
    orders.agent = { pid: agent.pid as number, identity: typeof agent.identity === 'string' ? agent.identity : null };
  if (typeof o.marker === 'string') orders.marker = o.marker;
  if (typeof o.remove === 'string' && o.remove.startsWith('/')) orders.remove.push(o.remove);
  const audit = o.audit as { workspace?: unknown; path?: unknown } | undefined;
  if (audit && typeof audit.workspace === 'string' && typeof audit.path === 'string') orders.audit = { workspace: audit.workspace, path: audit.path };
  if (o.tty === true) orders.tty = true;
}

interface Proc {
  pid: number;
  ppid: number;
  sid: number;
}

function processes(): Proc[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: Proc[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // a zombie is already dead: its parent (init, now) reaps it
      if (f[0] === 'Z') continue;
      out.push({ pid: Number(name), ppid: Number(f[1]), sid: Number(f[3]) });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

function carries(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(marker);
  } catch {
    return false;
  }
}

/**
 * The agent's processes: the agent, everything below it, everything in its terminal session, and
 * every process carrying the session's marker in its environment (which survives setsid and
 * double forks). A pid now held by another process than the agent counts for nothing.
 */
function agentTree(): number[] {
  const all = processes();
  const agent = orders.agent;
  const reused = agent !== null && agent.identity !== null && all.some((p) => p.pid === agent.pid) && processIdentity(agent.pid) !== agent.identity;
  const root = agent && !reused ? agent.pid : null;
  const parent = new Map(all.map((p) => [p.pid, p.ppid]));
  const below = (pid: number): boolean => {
    for (let p: number | undefined = pid, hops = 0; p !== undefined && p > 1 && hops < 256; p = parent.get(p), hops++) if (p === root) return true;
    return false;
  };
  return all
    .filter((p) => p.pid !== process.pid && p.pid !== orders.supervisor)
    .filter((p) => (root !== null && (below(p.pid) || p.sid === root)) || (orders.marker !== null && carries(p.pid, orders.marker)))
    .map((p) => p.pid);
}

function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch {
    return false;
  }
}

const pause = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Asks the tree to end (SIGTERM, SIGHUP as a lost terminal would), then stops and kills what is left. */
async function endTree(): Promise<number> {
  if (!existsSync('/proc/self/stat')) {
    // no /proc (not Linux): the agent's process group is all that can be reached
    if (orders.agent && signal(-orders.agent.pid, 'SIGTERM')) {
      await pause(2000);
      signal(-orders.agent.pid, 'SIGKILL');
      return 1;
    }
    return 0;
  }
  const first = agentTree();
  for (const pid of first) {
    signal(pid, 'SIGHUP');
    signal(pid, 'SIGTERM');
  }
  const deadline = Date.now() + 3000;
  while (agentTree().length > 0 && Date.now() < deadline) await pause(50);
  // what did not end: stopped first, round after round, so nothing forks away, then killed
  for (let round = 0; round < 20; round++) {
    const left = agentTree();
    if (left.length === 0) break;
    for (const pid of left) signal(pid, 'SIGSTOP');
    for (const pid of agentTree()) signal(pid, 'SIGKILL');
    await pause(20);
  }
  return first.length;
}

async function closeInLog(): Promise<void> {
  if (!orders.audit) return;
  try {
    const { reapInterrupted } = await import('./interrupted.js');
    reapInterrupted(orders.audit.workspace, orders.audit.path);
  } catch {
    // the next harness command closes it
  }
}

/** The terminal as the person had it before the agent's full-screen program took it. */
function restoreTerminal(ended: number): void {
  try {
    spawnSync('stty', ['sane'], { stdio: [3, 'ignore', 'ignore'], timeout: 5000 });
  } catch {
    // no stty: the person can type `reset`
  }
  const reset = '\x1b[?1049l\x1b[?25h\x1b[?2004l\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[<u\x1b[0m';
  const what = ended > 0 ? `${ended} of its agent's processes were ended` : 'its agent had already ended';
  try {
    writeSync(
      3,
      `${reset}\r\nharness: the supervisor (pid ${orders.supervisor}) died; ${what} and the session was closed as interrupted (harness log shows it).\r\n`,
    );
  } catch {
    // the terminal is gone
  }
}

async function supervisorDied(): Promise<void> {
  const ended = await endTree();
  for (const path of orders.remove) rmSync(path, { recursive: true, force: true });
  await closeInLog();
  if (orders.tty) restoreTerminal(ended);
  process.exit(0);
}

let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  buffered += chunk;
  for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
    take(buffered.slice(0, nl));
    buffered = buffered.slice(nl + 1);
  }
});
process.stdin.on('end', () => {
  if (buffered) take(buffered);
  if (orders.bye) process.exit(0);
  void supervisorDied();
});
process.stdin.on('error', () => void supervisorDied());
// a terminal closing or a Ctrl-C meant for the agent is not the watchdog's business
for (const s of ['SIGINT', 'SIGHUP', 'SIGQUIT'] as const) process.on(s, () => undefined);
