import { spawn as spawnPty, type IPty } from 'node-pty';
import { AgentScreen } from '../../screen/agent-screen.js';
import { findHotkey, type Hotkey } from '../../keys.js';
import { ScreenOverlay, type TerminalSize } from '../../screen/overlay.js';
import { NoticeBar } from '../../screen/notice-bar.js';
import type { DecisionNotice } from '../hook/decision-notice.js';
import type { SessionUi, Surface } from '../views.js';

/**
 * The agent in a pseudo-terminal, its screen passed straight through. Every byte the agent prints
 * also feeds a virtual copy of its screen; when harness needs the screen (an approval, the panel)
 * the overlay takes it and keystrokes go to harness until it gives the screen back.
 */
export class PtyTerminal {
  private pty: IPty | null = null;
  private restoreRaw = false;
  private readonly screen: AgentScreen;
  private readonly overlay: ScreenOverlay;
  /** Decisions the person did not see (denies, unanswered asks, sandbox refusals): a bar on the bottom row. */
  private readonly bar: NoticeBar;
  private tui: SessionUi | null = null;
  /** The hotkey was pressed before the TUI had loaded: keys typed since are the panel's. */
  private panelWanted: string[] | null = null;

  constructor(
    private readonly stdin: NodeJS.ReadStream,
    private readonly stdout: NodeJS.WriteStream,
    private readonly hotkey: Hotkey,
  ) {
    const { columns, rows } = this.size();
    this.screen = new AgentScreen(columns, rows);
    this.overlay = new ScreenOverlay(
      (data) => this.stdout.write(data),
      this.screen,
      () => this.nudgeAgent(),
    );
    this.bar = new NoticeBar({
      write: (data) => this.stdout.write(data),
      screen: this.screen,
      size: () => this.size(),
      panelKey: hotkey.name,
      noColor: process.env.NO_COLOR !== undefined,
    });
  }

  /** Tells the person about a decision they did not see, without taking the keyboard or the agent's output. */
  notice(notice: DecisionNotice): void {
    this.bar.add(notice);
  }

  size(): TerminalSize {
    return { columns: this.stdout.columns || 80, rows: this.stdout.rows || 24 };
  }

  /** Where the TUI draws: over the agent's screen. */
  get surface(): Surface {
    return {
      // the overlay repaints the agent's screen on close when the bar was on it
      open: () => this.overlay.open({ repaint: this.bar.suspend() }),
      paint: (frame, size) => this.overlay.paint(frame, size),
      close: () => this.overlay.close().then(() => this.bar.resume()),
      size: () => this.size(),
    };
  }

  attach(tui: SessionUi): void {
    this.tui = tui;
    if (!this.panelWanted) return;
    tui.openPanel();
    const keys = this.panelWanted.join('');
    this.panelWanted = null;
    if (keys) tui.input(keys);
  }

  run(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, onSpawn?: (pid: number) => void): Promise<number> {
    const { columns, rows } = this.size();
    const pty = spawnPty(file, args, { name: process.env.TERM ?? 'xterm-256color', cols: columns, rows, cwd, env });
    this.pty = pty;
    onSpawn?.(pty.pid);
    if (this.stdin.isTTY) {
      this.restoreRaw = !this.stdin.isRaw;
      this.stdin.setRawMode(true);
    }
    this.stdin.resume();
    const onInput = (data: Buffer): void => this.route(data.toString('utf8'));
    const onResize = (): void => {
      const size = this.size();
      this.resizeAgent(size.columns, size.rows);
      this.bar.resized();
      this.tui?.resize();
    };
    // even if harness itself dies, the person gets a working terminal back
    const onProcessExit = (): void => {
      this.overlay.abandon();
      this.restoreTerminal();
    };
    this.stdin.on('data', onInput);
    this.stdout.on('resize', onResize);
    process.once('exit', onProcessExit);
    pty.onData((data) => {
      if (!this.overlay.isOpen) return this.bar.agentOutput(data, (d) => this.overlay.agentOutput(d));
      this.bar.observe(data);
      this.overlay.agentOutput(data);
    });
    return new Promise((resolve) => {
      pty.onExit(({ exitCode, signal }) => {
        this.stdin.off('data', onInput);
        this.stdout.off('resize', onResize);
        process.off('exit', onProcessExit);
        this.pty = null;
        void this.bar
          .dispose()
          .then(() => this.tui?.stop())
          .finally(() => {
            this.restoreTerminal();
            this.screen.dispose();
            resolve(signal ? 128 + signal : exitCode);
          });
      });
    });
  }

  /** Keys go to harness while it has the screen; otherwise to the agent, except the panel hotkey. */
  private route(text: string): void {
    const tui = this.tui;
    if (tui?.active) return tui.input(text);
    if (this.panelWanted) return void this.panelWanted.push(text);
    // the key still goes where it was going: the bar only goes away
    this.bar.keypress(text);
    const hit = findHotkey(text, this.hotkey);
    if (!hit) return void this.pty?.write(text);
    if (hit.index > 0) this.pty?.write(text.slice(0, hit.index));
    const rest = text.slice(hit.index + hit.length);
    if (!tui) return void (this.panelWanted = [rest]);
    tui.openPanel();
    if (rest) tui.input(rest);
  }

  kill(signal = 'SIGTERM'): void {
    this.pty?.kill(signal);
  }

  /** A real size change makes full-screen agents redraw; a same-size SIGWINCH is ignored by some. */
  private nudgeAgent(): void {
    const { columns, rows } = this.size();
    if (!this.resizeAgent(columns, Math.max(2, rows - 1))) return;
    setTimeout(() => {
      const now = this.size();
      this.resizeAgent(now.columns, now.rows);
    }, 50);
  }

  /** Resizes the agent's pty and the virtual screen with it; false once the agent is gone. */
  private resizeAgent(columns: number, rows: number): boolean {
    if (!this.pty) return false;
    try {
      this.pty.resize(columns, rows);
    } catch {
      // the agent exited and its pty is closed, but the exit event has not arrived yet
      return false;
    }
    this.screen.resize(columns, rows);
    return true;
  }

  /** Gives the terminal back in the state harness found it. */
  private restoreTerminal(): void {
    if (this.stdin.isTTY && this.restoreRaw) this.stdin.setRawMode(false);
    this.stdin.pause();
  }
}
