import { createRequire } from 'node:module';
import type { Terminal as TerminalType } from '@xterm/headless';
import { spawn, type IPty } from 'node-pty';

const { Terminal } = createRequire(import.meta.url)('@xterm/headless') as { Terminal: typeof TerminalType };

/** What a person sees on a terminal: visible lines, cursor, which screen, and key-affecting modes. */
export interface Seen {
  lines: string[];
  cursor: [number, number];
  screen: 'normal' | 'alternate';
  modes: { bracketedPasteMode: boolean; mouseTrackingMode: string; applicationCursorKeysMode: boolean };
}

export function seen(t: TerminalType): Seen {
  const b = t.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < t.rows; y++) lines.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
  const { bracketedPasteMode, mouseTrackingMode, applicationCursorKeysMode } = t.modes;
  return { lines, cursor: [b.cursorX, b.cursorY], screen: b.type, modes: { bracketedPasteMode, mouseTrackingMode, applicationCursorKeysMode } };
}

const ANSI = /\x1b\[[0-9;?<>=]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)|\x1b[PX^_][\s\S]*?\x1b\\|\x1b[@-Z\\-_]/g;

function plain(raw: string): string {
  return raw.replace(/\x1b\[(\d*)C/g, (_, n: string) => ' '.repeat(Number(n || 1))).replace(ANSI, '');
}

/** Drives a program in a real pseudo-terminal the way a person would, reading what it prints. */
export class PtyDriver {
  private raw = '';
  readonly pty: IPty;
  readonly exited: Promise<number>;
  /** The terminal's screen as a person would see it. */
  readonly terminal: TerminalType;

  constructor(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; cols?: number; rows?: number }) {
    const cols = options.cols ?? 120;
    const rows = options.rows ?? 40;
    this.terminal = new Terminal({ cols, rows, scrollback: 1000, allowProposedApi: true });
    this.pty = spawn(file, args, { name: 'xterm-256color', cols, rows, cwd: options.cwd, env: options.env });
    this.pty.onData((d) => {
      this.raw += d;
      this.terminal.write(d);
    });
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

  /** The screen once everything printed so far is drawn. */
  async screen(): Promise<Seen> {
    await new Promise<void>((r) => this.terminal.write('', r));
    return seen(this.terminal);
  }

  /** Waits until the screen shows `text` (whitespace ignored). */
  waitForScreen(text: string, timeoutMs = 15_000): Promise<Seen> {
    const squash = (t: string): string => t.replace(/\s+/g, '');
    return this.waitForSeen((s) => squash(s.lines.join('')).includes(squash(text)), `"${text}"`, timeoutMs);
  }

  /** Waits until `done` holds for the screen; `what` names it in the timeout's message. */
  async waitForSeen(done: (s: Seen) => boolean, what: string, timeoutMs = 15_000): Promise<Seen> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const s = await this.screen();
      if (done(s)) return s;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} on screen:\n${s.lines.join('\n')}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  type(text: string): void {
    this.pty.write(text);
  }
}
