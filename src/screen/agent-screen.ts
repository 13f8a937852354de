import { createRequire } from 'node:module';
import type { Terminal as TerminalType } from '@xterm/headless';
import type { SerializeAddon as SerializeAddonType } from '@xterm/addon-serialize';

// both packages ship CommonJS for Node
const require = createRequire(import.meta.url);
const { Terminal } = require('@xterm/headless') as { Terminal: typeof TerminalType };
const { SerializeAddon } = require('@xterm/addon-serialize') as { SerializeAddon: typeof SerializeAddonType };

/** Screen switches are the overlay's business, not a mode to restore. */
const SCREEN_MODES = new Set([47, 1047, 1048, 1049]);
const ALT_MARK = '\x1b[?1049h\x1b[H';

/**
 * A virtual copy of the agent's terminal (a headless xterm fed with everything the agent
 * prints), so harness can draw over the screen and then put back exactly what the agent had:
 * the visible cells, the cursor, and the terminal modes the agent switched on.
 */
export class AgentScreen {
  private readonly term: TerminalType;
  private readonly serializer = new SerializeAddon();
  /** DEC private modes as the agent last set them (mouse, bracketed paste, cursor…). */
  private readonly modes = new Map<number, boolean>();
  /** The kitty keyboard protocol's flag stack. */
  private kitty: number[] = [];
  private scrollRegion: [number, number] | null = null;
  private cursorStyle: number | null = null;
  private pending = 0;
  private drained: (() => void)[] = [];

  constructor(cols: number, rows: number) {
    this.term = new Terminal({ cols, rows, scrollback: 100, allowProposedApi: true });
    this.term.loadAddon(this.serializer);
    const parser = this.term.parser;
    const setModes = (on: boolean) => (params: (number | number[])[]) => {
      for (const p of params) if (typeof p === 'number' && !SCREEN_MODES.has(p)) this.modes.set(p, on);
      return false;
    };
    parser.registerCsiHandler({ prefix: '?', final: 'h' }, setModes(true));
    parser.registerCsiHandler({ prefix: '?', final: 'l' }, setModes(false));
    parser.registerCsiHandler({ prefix: '>', final: 'u' }, (p) => {
      if (this.kitty.length < 64) this.kitty.push(Number(p[0] ?? 0));
      return true;
    });
    parser.registerCsiHandler({ prefix: '<', final: 'u' }, (p) => {
      this.kitty.splice(Math.max(0, this.kitty.length - Number(p[0] || 1)));
      return true;
    });
    parser.registerCsiHandler({ prefix: '=', final: 'u' }, (p) => {
      const flags = Number(p[0] ?? 0);
      const how = Number(p[1] ?? 1);
      const top = this.kitty.length > 0 ? this.kitty.pop()! : 0;
      this.kitty.push(how === 2 ? top | flags : how === 3 ? top & ~flags : flags);
      return true;
    });
    parser.registerCsiHandler({ final: 'r' }, (p) => {
      const top = Number(p[0] || 1);
      const bottom = Number(p[1] || 0);
      this.scrollRegion = top <= 1 && (bottom === 0 || bottom >= this.term.rows) ? null : [top, bottom || this.term.rows];
      return false;
    });
    parser.registerCsiHandler({ intermediates: ' ', final: 'q' }, (p) => {
      this.cursorStyle = Number(p[0] ?? 0);
      return false;
    });
  }

  write(data: string): void {
    this.pending++;
    this.term.write(data, () => {
      if (--this.pending === 0) for (const done of this.drained.splice(0)) done();
    });
  }

  /** Resolves once everything written so far is on the virtual screen. */
  flushed(): Promise<void> {
    return this.pending === 0 ? Promise.resolve() : new Promise((r) => this.drained.push(r));
  }

  resize(cols: number, rows: number): void {
    if (cols !== this.term.cols || rows !== this.term.rows) this.term.resize(Math.max(2, cols), Math.max(1, rows));
  }

  get alternate(): boolean {
    return this.term.buffer.active.type === 'alternate';
  }

  get kittyFlags(): number {
    return this.kitty[this.kitty.length - 1] ?? 0;
  }

  /**
   * Draws the active screen from scratch on a terminal showing the same screen kind (cells and
   * colours, then the cursor where the agent left it).
   */
  repaint(): string {
    const all = this.serializer.serialize({ scrollback: 0, excludeModes: true });
    const mark = all.indexOf(ALT_MARK);
    const cells = this.alternate ? (mark >= 0 ? all.slice(mark + ALT_MARK.length) : '') : mark >= 0 ? all.slice(0, mark) : all;
    const buffer = this.term.buffer.active;
    return `\x1b[0m\x1b[r\x1b[H\x1b[J${cells}${this.restoreRegionAndCursor(buffer.cursorY, buffer.cursorX)}`;
  }

  private restoreRegionAndCursor(y: number, x: number): string {
    const region = this.scrollRegion ? `\x1b[${this.scrollRegion[0]};${this.scrollRegion[1]}r` : '';
    return `${region}\x1b[${y + 1};${x + 1}H`;
  }

  /** Puts back the terminal modes the agent had set (after harness reset them for its overlay). */
  restoreModes(): string {
    let out = '';
    for (const [mode, on] of this.modes) out += `\x1b[?${mode}${on ? 'h' : 'l'}`;
    // the overlay hid the cursor; an agent that never said otherwise had it visible
    if (!this.modes.has(25)) out += '\x1b[?25h';
    if (this.kittyFlags) out += `\x1b[=${this.kittyFlags};1u`;
    if (this.cursorStyle !== null) out += `\x1b[${this.cursorStyle} q`;
    return out;
  }

  dispose(): void {
    this.term.dispose();
  }
}

/**
 * Modes harness needs while it draws: no mouse reports, focus events or bracketed paste in its
 * input, normal cursor keys, the cursor hidden, no scroll region, legacy key encoding.
 */
export function overlayModes(kittyActive: boolean): string {
  const off = [9, 1000, 1002, 1003, 1005, 1006, 1015, 1004, 2004, 1, 66, 6].map((m) => `\x1b[?${m}l`).join('');
  return `${off}\x1b[?7h\x1b[?25l\x1b[r\x1b[0m${kittyActive ? '\x1b[=0;1u' : ''}`;
}
