import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import type { ReactElement } from 'react';
import { render, type Instance } from 'ink';
import type { TerminalSize } from './overlay.js';

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
  private lastFrame = '';

  constructor(size: TerminalSize, onFrame: (frame: string) => void) {
    this.stdout = new FrameSink(size.columns, size.rows, (frame) => {
      if (!this.mounted) return;
      this.lastFrame = frame;
      onFrame(frame);
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

  input(keys: string): void {
    this.stdin.write(keys);
  }

  resize(size: TerminalSize): void {
    this.stdout.columns = size.columns;
    this.stdout.rows = size.rows;
    this.stdout.emit('resize');
  }

  get frame(): string {
    return this.lastFrame;
  }

  hide(): void {
    const instance = this.instance;
    this.instance = null;
    this.mounted = false;
    instance?.unmount();
  }
}
