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
    this.tmux(
      [
        'new-session',
        '-d',
        '-s',
        this.session,
        '-x',
        String(options.cols ?? 120),
        '-y',
        String(options.rows ?? 40),
        '-c',
        options.cwd,
        `${shellWords(command)}; echo "[exited $?]"; sleep 600`,
      ],
      options.env,
    );
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

  /** The visible pane once it shows `pattern` (a string matches with whitespace ignored). */
  waitFor(pattern: string | RegExp, timeoutMs = 30_000): Promise<string> {
    const squash = (t: string) => t.replace(/\s+/g, '');
    return this.waitUntil(
      (screen) => (typeof pattern === 'string' ? squash(screen).includes(squash(pattern)) : pattern.test(screen)),
      String(pattern),
      timeoutMs,
    );
  }

  /** The visible pane once `done` holds for it; `what` names it in the timeout's message. */
  async waitUntil(done: (screen: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const screen = this.screen();
      if (done(screen)) return screen;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Types a line into a prompt and presses Enter once the prompt shows it (sooner, an agent may take both as one paste). */
  async submit(text: string): Promise<void> {
    this.type(text);
    await this.waitFor(text);
    this.keys(['Enter']);
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
