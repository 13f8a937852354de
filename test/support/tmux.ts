import { execFileSync } from 'node:child_process';

let count = 0;

/** Quotes words for the shell tmux runs a session's command with. */
function shellWords(words: string[]): string {
  return words.map((w) => `'${w.replace(/'/g, `'\\''`)}'`).join(' ');
}

/**
 * A program in its own tmux server, driven as a person would: keys in, the visible pane out.
 * Each instance has a private socket, so tests never touch the person's tmux.
 */
export class Tmux {
  private readonly socket = `harness-test-${process.pid}-${++count}`;
  private readonly session = 'main';

  static available(): boolean {
    try {
      execFileSync('tmux', ['-V'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  }

  private tmux(args: string[], env?: NodeJS.ProcessEnv): string {
    return execFileSync('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env: env ?? { PATH: process.env.PATH } });
  }

  start(command: string[], options: { cwd: string; env: NodeJS.ProcessEnv; cols?: number; rows?: number }): void {
    // the server is started by this call, so the program inherits exactly `env`
    this.tmux(['new-session', '-d', '-s', this.session, '-x', String(options.cols ?? 120), '-y', String(options.rows ?? 40), '-c', options.cwd, `${shellWords(command)}; echo "[exited $?]"; sleep 600`], options.env);
  }

  /** tmux key names ("Enter", "C-]", "Escape") or literal text with `literal`. */
  keys(keys: string[], literal = false): void {
    this.tmux(['send-keys', '-t', this.session, ...(literal ? ['-l'] : []), ...keys]);
  }

  type(text: string): void {
    this.keys([text], true);
  }

  screen(): string {
    return this.tmux(['capture-pane', '-p', '-t', this.session]);
  }

  async waitFor(pattern: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    const squash = (t: string) => t.replace(/\s+/g, '');
    for (;;) {
      const screen = this.screen();
      if (typeof pattern === 'string' ? squash(screen).includes(squash(pattern)) : pattern.test(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The program's exit code, once it has exited. */
  async exitCode(timeoutMs = 30_000): Promise<number> {
    const screen = await this.waitFor(/\[exited \d+\]/, timeoutMs);
    return Number(/\[exited (\d+)\]/.exec(screen)![1]);
  }

  kill(): void {
    try {
      this.tmux(['kill-server']);
    } catch {
      // already gone
    }
  }
}
