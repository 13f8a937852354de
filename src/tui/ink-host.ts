import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ReactElement } from 'react';
import { render, type Instance } from 'ink';
import type { TerminalSize } from '../screen/overlay.js';

/** Ink's stdout: every render arrives whole (debug mode), as a frame for the overlay to paint. */
class FrameSink extends EventEmitter {
  constructor(
    public columns: number,
    public rows: number,
    private readonly onFrame: (frame: string) => void,
  ) {
    super();
  }
  write(data: string): boolean {
    this.onFrame(data);
    return true;
  }
}

/** Ink's stdin: the keys harness routes to its UI while the overlay is open. */
class KeySource extends PassThrough {
  readonly isTTY = true;
  setRawMode(): this {
    return this;
  }
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
}

/** Splits terminal input into keys: escape sequences stay whole, everything else is one character each. */
export function splitKeys(text: string): string[] {
  const keys: string[] = [];
  let i = 0;
  while (i < text.length) {
    if (text[i] === '\x1b' && i + 1 < text.length) {
      const csi = /^\x1b\[[0-?]*[ -/]*[@-~]/.exec(text.slice(i, i + 64));
      const ss3 = /^\x1bO./.exec(text.slice(i, i + 3));
      const len = csi ? csi[0].length : ss3 ? 3 : text[i + 1] === '\x1b' ? 1 : 2;
      keys.push(text.slice(i, i + len));
      i += len;
      continue;
    }
    const cp = text.codePointAt(i)!;
    const len = cp > 0xffff ? 2 : 1;
    keys.push(text.slice(i, i + len));
    i += len;
  }
  return keys;
}

/**
 * Runs an Ink tree off-screen: frames come out through `onFrame`, keys go in through `input`.
 * Ink never touches the real terminal; the overlay decides where and when frames are drawn.
 */
export class InkHost {
  private instance: Instance | null = null;
  /** Set before Ink's first render, which writes its frame before `render` returns. */
  private mounted = false;
  private readonly stdout: FrameSink;
  private readonly stdin = new KeySource();
  private pending: string[] = [];

  constructor(size: TerminalSize, onFrame: (frame: string) => void) {
    this.stdout = new FrameSink(size.columns, size.rows, (frame) => {
      if (this.mounted) onFrame(frame);
    });
  }

  show(element: ReactElement): void {
    if (this.instance) return this.instance.rerender(element);
    this.mounted = true;
    this.instance = render(element, {
      stdout: this.stdout as unknown as NodeJS.WriteStream,
      stdin: this.stdin as unknown as NodeJS.ReadStream,
      debug: true,
      exitOnCtrlC: false,
      patchConsole: false,
    });
  }

  /**
   * Keys one at a time, each after the UI has reacted to the one before: "jq" typed fast or
   * pasted is a move and a quit, not one unknown key.
   */
  input(text: string): void {
    const start = this.pending.length === 0;
    this.pending.push(...splitKeys(text));
    if (start) this.pump();
  }

  private pump(): void {
    const key = this.pending.shift();
    if (key === undefined) return;
    this.stdin.write(key);
    if (this.pending.length > 0) setImmediate(() => this.pump());
  }

  resize(size: TerminalSize): void {
    this.stdout.columns = size.columns;
    this.stdout.rows = size.rows;
    this.stdout.emit('resize');
  }

  hide(): void {
    const instance = this.instance;
    this.instance = null;
    this.mounted = false;
    this.pending = [];
    instance?.unmount();
  }
}
