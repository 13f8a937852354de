import type { DecisionNotice } from '../session/hook/decision-notice.js';
import type { AgentScreen } from './agent-screen.js';
import { NoticeModel } from './notice-model.js';
import type { TerminalSize } from './overlay.js';

const ESC = '\x1b';
const SAVE = `${ESC}7`;
const RESTORE = `${ESC}8`;
const SYNC_START = `${ESC}[?2026h`;
const SYNC_END = `${ESC}[?2026l`;

/**
 * Where the agent's output stream stands: inside an escape sequence or not, whether the agent
 * holds a saved cursor (ESC 7 / CSI s) and whether it is in a synchronized update. harness only
 * writes its own bytes between the agent's when the stream is at rest, so it never splits one of
 * the agent's sequences nor overwrites its saved cursor.
 */
export class StreamState {
  private state: 'ground' | 'esc' | 'escInter' | 'csi' | 'string' | 'stringEsc' = 'ground';
  private csi = '';
  /** The agent saved the cursor and has not restored it. */
  saved = false;
  /** The agent is inside a synchronized update (?2026h). */
  sync = false;

  get atRest(): boolean {
    return this.state === 'ground' && !this.saved;
  }

  feed(data: string): void {
    for (let i = 0; i < data.length; i++) {
      const c = data.charCodeAt(i);
      switch (this.state) {
        case 'ground':
          if (c === 0x1b) this.state = 'esc';
          break;
        case 'esc':
          if (c === 0x5b) {
            this.state = 'csi';
            this.csi = '';
          } else if (c === 0x5d || c === 0x50 || c === 0x58 || c === 0x5e || c === 0x5f) this.state = 'string';
          else if (c >= 0x20 && c <= 0x2f) this.state = 'escInter';
          else if (c === 0x1b) this.state = 'esc';
          else {
            if (c === 0x37) this.saved = true;
            if (c === 0x38) this.saved = false;
            this.state = 'ground';
          }
          break;
        case 'escInter':
          if (c >= 0x30 && c <= 0x7e) this.state = 'ground';
          else if (c === 0x1b) this.state = 'esc';
          break;
        case 'csi':
          if (c >= 0x40 && c <= 0x7e) {
            this.endCsi(this.csi, data[i]!);
            this.state = 'ground';
          } else if (c === 0x1b) this.state = 'esc';
          else if (this.csi.length < 64) this.csi += data[i]!;
          break;
        case 'string':
          if (c === 0x07) this.state = 'ground';
          else if (c === 0x1b) this.state = 'stringEsc';
          break;
        case 'stringEsc':
          this.state = c === 0x5c ? 'ground' : c === 0x1b ? 'stringEsc' : 'string';
          break;
      }
    }
  }

  private endCsi(params: string, final: string): void {
    if (params === '' && final === 's') this.saved = true;
    if (params === '' && final === 'u') this.saved = false;
    if (params.startsWith('?') && (final === 'h' || final === 'l') && params.slice(1).split(';').includes('2026')) this.sync = final === 'h';
  }
}

export interface NoticeBarOptions {
  write: (data: string) => void;
  screen: AgentScreen;
  size: () => TerminalSize;
  /** The panel key as configured (`tui.panelKey`), named in the bar. */
  panelKey: string;
  /** NO_COLOR: the bar in inverse video instead of colours. */
  noColor?: boolean;
  ttlMs?: number;
  now?: () => number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (handle: unknown) => void;
}

/**
 * A one-line bar on the bottom row of the agent's screen, for decisions the person did not see
 * (a deny, an unanswered ask, a sandbox refusal). It never takes the keyboard and never holds the
 * agent's output: it is drawn between the agent's writes (cursor and pen saved and restored), and
 * erased before each of them so that nothing of it scrolls into the agent's text. It goes after a
 * few seconds or at the next key, and the agent's screen is then repainted from the virtual copy.
 */
export class NoticeBar {
  private readonly model: NoticeModel;
  private readonly now: () => number;
  private readonly setTimer: (fn: () => void, ms: number) => unknown;
  private readonly clearTimer: (handle: unknown) => void;
  private readonly stream = new StreamState();
  private timer: unknown = null;
  /** The bar is on the real screen now. */
  private drawn = false;
  /** The real screen differs from the agent's (the bar, or where it was): repaint when it goes. */
  private marked = false;
  /** harness's overlay has the screen: nothing is drawn. */
  private suspended = false;
  private repainting = false;

  constructor(private readonly opts: NoticeBarOptions) {
    this.model = new NoticeModel(opts.ttlMs);
    this.now = opts.now ?? Date.now;
    this.setTimer = opts.setTimer ?? ((fn, ms) => setTimeout(fn, ms));
    this.clearTimer = opts.clearTimer ?? ((h) => clearTimeout(h as NodeJS.Timeout));
  }

  /** Whether the bar is showing something (on screen, or waiting for a moment to draw it). */
  get visible(): boolean {
    return this.model.visible(this.now());
  }

  /** The text the bar shows now, or null. */
  text(): string | null {
    // a column short of the edge: writing the last one would leave the cursor waiting to wrap
    return this.model.text(this.now(), this.opts.panelKey, this.opts.size().columns - 2);
  }

  add(notice: DecisionNotice): void {
    const now = this.now();
    this.model.add(notice, now);
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = this.setTimer(() => this.expire(), Math.max(0, (this.model.expiresAt(now) ?? now) - now));
    this.drawIfAtRest();
  }

  /** A key the person pressed (it goes on to the agent): the bar goes. Mouse and focus reports are not keys. */
  keypress(input: string): void {
    if (!this.visible) return;
    if (/^(?:\x1b\[<[\d;]*[Mm]|\x1b\[M[\s\S]{3}|\x1b\[[IO])+$/.test(input)) return;
    this.model.dismiss();
    this.takeDown();
  }

  /** The time is up (called by the timer; tests call it). */
  expire(): void {
    this.timer = null;
    if (this.visible) {
      const at = this.model.expiresAt(this.now());
      if (at !== null) this.timer = this.setTimer(() => this.expire(), Math.max(0, at - this.now()));
      return;
    }
    this.model.dismiss();
    this.takeDown();
  }

  /**
   * The agent's output on its way to the terminal (while harness's overlay is not up). The bar is
   * erased before it when the stream is at rest, and drawn again after it.
   */
  agentOutput(data: string, forward: (data: string) => void): void {
    if (this.drawn && this.stream.atRest) this.opts.write(`${SAVE}\x1b[?6l\x1b[${this.opts.size().rows};1H\x1b[0m\x1b[2K${RESTORE}`);
    this.drawn = false;
    forward(data);
    this.stream.feed(data);
    if (this.visible) this.drawIfAtRest();
    else if (this.marked) this.takeDown();
  }

  /** Output the overlay holds or drops: the stream's state still moves with it. */
  observe(data: string): void {
    this.stream.feed(data);
  }

  /**
   * harness's overlay takes the screen. Returns whether the screen shows the bar (or its traces),
   * in which case the overlay must repaint the agent's screen when it gives it back.
   */
  suspend(): boolean {
    this.suspended = true;
    const marked = this.marked;
    this.drawn = false;
    this.marked = false;
    return marked;
  }

  /** The overlay gave the screen back: a notice still current is drawn again. */
  resume(): void {
    this.suspended = false;
    this.drawIfAtRest();
  }

  /** The terminal changed size: where the bar was is the agent's to redraw; the bar follows at the new bottom row. */
  resized(): void {
    this.drawn = false;
  }

  /** The session ends: no more timers; the agent's screen without the bar. */
  async dispose(): Promise<void> {
    if (this.timer !== null) this.clearTimer(this.timer);
    this.timer = null;
    this.model.dismiss();
    if (this.marked && !this.suspended) {
      await this.opts.screen.flushed();
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- the bar may have been cleared while the screen flushed
      if (this.marked) this.repaint();
    }
  }

  private drawIfAtRest(): void {
    if (this.suspended || this.drawn || !this.stream.atRest) return;
    const text = this.text();
    if (text === null) return;
    const style = this.opts.noColor ? '\x1b[0;7m' : '\x1b[0;1;97;41m';
    this.opts.write(`${SAVE}\x1b[?6l\x1b[${this.opts.size().rows};1H${style} ${text}\x1b[K\x1b[0m${RESTORE}`);
    this.drawn = true;
    this.marked = true;
  }

  /** The bar goes: once the virtual screen has caught up, the agent's screen is repainted from it. */
  private takeDown(): void {
    if (!this.marked || this.repainting || this.suspended) return;
    this.repainting = true;
    void this.opts.screen.flushed().then(() => {
      this.repainting = false;
      // a new notice came meanwhile, the overlay took the screen, or the stream is mid-sequence (the next output retries)
      if (this.visible || this.suspended || !this.marked || !this.stream.atRest) return;
      this.repaint();
    });
  }

  private repaint(): void {
    const sync = !this.stream.sync;
    this.opts.write(`${sync ? SYNC_START : ''}${SAVE}${this.opts.screen.repaint()}${RESTORE}${sync ? SYNC_END : ''}`);
    this.drawn = false;
    this.marked = false;
  }
}
