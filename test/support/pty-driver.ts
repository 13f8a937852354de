import { spawn, type IPty } from 'node-pty';

const ANSI = /\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[PX^_][\s\S]*?\x1b\\|\x1b[@-Z\\-_]/g;

function plain(raw: string): string {
  return raw.replace(/\x1b\[(\d*)C/g, (_, n: string) => ' '.repeat(Number(n || 1))).replace(ANSI, '');
}

/** Drives a program in a real pseudo-terminal the way a person would, reading what it prints. */
export class PtyDriver {
  private raw = '';
  readonly pty: IPty;
  readonly exited: Promise<number>;

  constructor(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; cols?: number; rows?: number }) {
    this.pty = spawn(file, args, { name: 'xterm-256color', cols: options.cols ?? 120, rows: options.rows ?? 40, cwd: options.cwd, env: options.env as Record<string, string> });
    this.pty.onData((d) => (this.raw += d));
    this.exited = new Promise((resolve) => this.pty.onExit(({ exitCode }) => resolve(exitCode)));
  }

  /** Everything printed so far, without escape sequences (cursor-forward moves become spaces). */
  get text(): string {
    return plain(this.raw);
  }

  /** Text printed after `mark` (from `mark()`). */
  since(mark: number): string {
    return plain(this.raw.slice(mark));
  }

  mark(): number {
    return this.raw.length;
  }

  async waitFor(pattern: RegExp | string, timeoutMs = 30_000, from = 0): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    // Terminal UIs space words with cursor moves; compare text without whitespace.
    const squash = (t: string) => t.replace(/\s+/g, '');
    const test = (t: string) => (typeof pattern === 'string' ? squash(t).includes(squash(pattern)) : pattern.test(t));
    while (!test(this.since(from))) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; screen tail:\n${this.text.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  type(text: string): void {
    this.pty.write(text);
  }
}
