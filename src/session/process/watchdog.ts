import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { processIdentity } from './liveness.js';

// the built watchdog-main.js: beside this module in dist/session/process/, from the bundle in
// dist/bundle/, and from src/session/process/ (tests) the built one
const MAIN = [
  new URL('./watchdog-main.js', import.meta.url),
  new URL('../session/process/watchdog-main.js', import.meta.url),
  new URL('../../../dist/session/process/watchdog-main.js', import.meta.url),
].map((u) => fileURLToPath(u));

export interface WatchdogOptions {
  /** `HARNESS_SESSION_ID=<id>`: every process of the agent's carries it in its environment. */
  marker: string;
  /** The audit log, to close the session as interrupted at once. */
  audit: { workspace: string; path: string };
}

/**
 * The supervisor's side of the watchdog (see watchdog-main.ts): a pipe to a process of its own that
 * ends the agent's tree and removes the session's runtime files if the supervisor dies without
 * saying goodbye. Spawned first thing in a run, before it knows what to watch (its orders come on
 * the pipe as they are known): its Node then starts on the other core while harness starts, not
 * while the agent does (on two cores a process starting beside the agent delays the agent's start
 * by tens of milliseconds). A watchdog whose pipe closes before it was given anything does nothing.
 */
export class Watchdog {
  private constructor(
    private readonly child: ChildProcess,
    private readonly tty: boolean,
  ) {}

  /**
   * Starts the watchdog; null when it cannot run (not built), which the session survives. `tty`:
   * it gets the person's terminal (fd 3), to give it back in a usable state.
   */
  static start(opts: { tty: boolean }): Watchdog | null {
    const main = MAIN.find((p) => existsSync(p));
    if (!main) return null;
    const env = { ...process.env };
    delete env.HARNESS_SESSION_ID;
    const child = spawn(process.execPath, [main], {
      // fd 3: the terminal, when the agent gets it (to put it back in order)
      stdio: ['pipe', 'ignore', 'ignore', ...(opts.tty ? [0] : [])],
      detached: true,
      // holds no directory of the person's open
      cwd: '/',
      env,
    });
    child.on('error', () => undefined);
    child.stdin?.on('error', () => undefined);
    // neither the process nor the pipe keeps the supervisor alive
    child.unref();
    (child.stdin as unknown as { unref?: () => void } | null)?.unref?.();
    return new Watchdog(child, opts.tty);
  }

  /** What it watches: the session's marker and log (and, with the terminal, that it hands it back). */
  watch(opts: WatchdogOptions): void {
    this.send({ marker: opts.marker });
    this.send({ audit: opts.audit });
    if (this.tty) this.send({ tty: true });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  private send(order: Record<string, unknown>): void {
    const stdin = this.child.stdin;
    if (stdin && !stdin.destroyed && stdin.writable) stdin.write(`${JSON.stringify(order)}\n`);
  }

  /** The agent's process, once spawned. */
  agent(pid: number): void {
    this.send({ agent: { pid, identity: processIdentity(pid) } });
  }

  /** A file or directory of the session's to remove if the supervisor dies. */
  remove(path: string): void {
    this.send({ remove: path });
  }

  /** The session ended as it should: the watchdog leaves without doing anything. */
  close(): void {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed || stdin.writableEnded) return;
    stdin.end(`${JSON.stringify({ bye: true })}\n`);
  }
}
