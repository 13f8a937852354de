import { overlayModes, type AgentScreen } from './agent-screen.js';

/** Agent output harness keeps to replay after an overlay; beyond this it repaints from the virtual screen. */
const MAX_HELD_BYTES = 2 * 1024 * 1024;
const SYNC_START = '\x1b[?2026h';
const SYNC_END = '\x1b[?2026l';

export interface TerminalSize {
  columns: number;
  rows: number;
}

/**
 * Takes the person's terminal from the agent for a moment and gives it back as it was. While
 * open, the agent's output still reaches the virtual screen but not the terminal. Closing puts
 * back the agent's screen — the normal screen by leaving the alternate screen harness drew on
 * and replaying what the agent printed meanwhile, the agent's own alternate screen by repainting
 * it from the virtual copy — then its terminal modes, then nudges the agent to redraw.
 */
export class ScreenOverlay {
  private opened = false;
  /** Whether the real terminal shows the alternate screen while harness draws. */
  private agentWasInAlternate = false;
  private held: string[] | null = null;
  private heldBytes = 0;
  /** Resolves when the overlay has taken the screen; frames wait for it. */
  private ready: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (data: string) => void,
    private readonly screen: AgentScreen,
    /** A real size change that makes the agent redraw (the pty shrinks by a row, then grows back). */
    private readonly nudgeAgent: () => void,
  ) {}

  get isOpen(): boolean {
    return this.opened;
  }

  /** Everything the agent prints goes through here. */
  agentOutput(data: string): void {
    this.screen.write(data);
    if (!this.opened) return this.write(data);
    if (!this.held) return;
    this.heldBytes += data.length;
    if (this.heldBytes > MAX_HELD_BYTES) this.held = null;
    else this.held.push(data);
  }

  /**
   * Takes the screen. From now on the agent's output is held; which screen the agent is on is
   * read once the virtual screen has caught up with everything the agent printed.
   */
  open(options: { repaint?: boolean } = {}): Promise<void> {
    if (this.opened) return this.ready;
    this.opened = true;
    // `repaint`: the terminal shows something over the agent's screen (harness's notice bar), so
    // replaying what the agent prints meanwhile would not give it back: repaint it on close instead
    this.held = options.repaint ? null : [];
    this.heldBytes = 0;
    this.ready = this.screen.flushed().then(() => {
      this.agentWasInAlternate = this.screen.alternate;
      // the agent repaints its own alternate screen from the virtual copy; nothing to replay
      if (this.agentWasInAlternate) this.held = null;
      // over a normal screen harness draws on the alternate one, so the normal screen and its
      // scrollback stay untouched; over an alternate screen it draws in place
      this.write((this.agentWasInAlternate ? '' : '\x1b[?1049h') + overlayModes(this.screen.kittyFlags !== 0));
    });
    return this.ready;
  }

  /** Draws one frame of harness's UI, top-left, over whatever was there. */
  paint(frame: string, size: TerminalSize): void {
    if (!this.opened) return;
    const lines = frame.split('\n').slice(0, size.rows);
    const data = `${SYNC_START}\x1b[H${lines.map((l) => `${l}\x1b[0m\x1b[K`).join('\r\n')}\x1b[J${SYNC_END}`;
    void this.ready.then(() => this.opened && this.write(data));
  }

  /** harness is exiting with its overlay up: leave the person a usable terminal (synchronous). */
  abandon(): void {
    if (!this.opened) return;
    this.opened = false;
    this.write(`${SYNC_END}\x1b[0m\x1b[r\x1b[?1049l\x1b[?25h`);
  }

  async close(): Promise<void> {
    if (!this.opened) return;
    await this.ready;
    await this.screen.flushed();
    this.opened = false;
    let out = SYNC_START;
    if (!this.agentWasInAlternate) {
      out += '\x1b[?1049l';
      if (this.held) out += this.held.join('');
      else out += this.screen.alternate ? `\x1b[?1049h${this.screen.repaint()}` : this.screen.repaint();
    } else if (this.screen.alternate) {
      out += this.screen.repaint();
    } else {
      // the agent left its alternate screen while harness was drawing
      out += `\x1b[?1049l${this.screen.repaint()}`;
    }
    this.held = null;
    this.write(out + this.screen.restoreModes() + SYNC_END);
    this.nudgeAgent();
  }
}
