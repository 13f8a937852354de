import { spawn as spawnPty, type IPty } from 'node-pty';
import type { ApprovalAnswer, ApprovalRequest } from './approvals.js';

/**
 * The agent in a pseudo-terminal, its screen passed through untouched. While an approval is on
 * screen the agent's output is held back and keystrokes go to harness; afterwards the screen is
 * given back and the agent is nudged to redraw.
 */
export class PtyTerminal {
  private pty: IPty | null = null;
  private held: string[] | null = null;
  private queue: { request: ApprovalRequest; answer: (a: ApprovalAnswer) => void }[] = [];
  private keyHandler: ((key: string) => void) | null = null;
  private countdown: NodeJS.Timeout | null = null;
  private restoreRaw = false;

  constructor(
    private readonly stdin: NodeJS.ReadStream,
    private readonly stdout: NodeJS.WriteStream,
  ) {}

  run(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
    const pty = spawnPty(file, args, {
      name: process.env.TERM ?? 'xterm-256color',
      cols: this.stdout.columns || 80,
      rows: this.stdout.rows || 24,
      cwd,
      env: env as Record<string, string>,
    });
    this.pty = pty;
    if (this.stdin.isTTY) {
      this.restoreRaw = !this.stdin.isRaw;
      this.stdin.setRawMode(true);
    }
    this.stdin.resume();
    const onInput = (data: Buffer): void => {
      const text = data.toString('utf8');
      if (this.keyHandler) this.keyHandler(text);
      else pty.write(text);
    };
    const onResize = (): void => pty.resize(this.stdout.columns || 80, this.stdout.rows || 24);
    // Even if harness itself dies, the person gets a working terminal back.
    const onProcessExit = (): void => this.restore();
    this.stdin.on('data', onInput);
    this.stdout.on('resize', onResize);
    process.once('exit', onProcessExit);
    pty.onData((data) => {
      if (this.held) this.held.push(data);
      else this.stdout.write(data);
    });
    return new Promise((resolve) => {
      pty.onExit(({ exitCode, signal }) => {
        this.stdin.off('data', onInput);
        this.stdout.off('resize', onResize);
        process.off('exit', onProcessExit);
        this.restore();
        this.pty = null;
        resolve(signal ? 128 + signal : exitCode);
      });
    });
  }

  kill(signal = 'SIGTERM'): void {
    this.pty?.kill(signal);
  }

  /** Gives the terminal back in the state harness found it. */
  restore(): void {
    if (this.countdown) clearInterval(this.countdown);
    if (this.held) {
      this.stdout.write('\x1b[?1049l');
      for (const chunk of this.held) this.stdout.write(chunk);
      this.held = null;
    }
    if (this.stdin.isTTY && this.restoreRaw) this.stdin.setRawMode(false);
    this.stdin.pause();
  }

  /** Minimal approval prompt: one key, y or n. The full dialog replaces it later. */
  ask(request: ApprovalRequest): Promise<ApprovalAnswer> {
    return new Promise((answer) => {
      this.queue.push({ request, answer });
      if (this.queue.length === 1) this.show();
    });
  }

  private show(): void {
    const next = this.queue[0];
    if (!next) return;
    const { request } = next;
    this.held ??= [];
    const draw = (): void => {
      const left = Math.max(0, Math.ceil((request.deadline - Date.now()) / 1000));
      const e = request.event;
      const d = request.decision;
      const lines = [
        '\x1b[?1049h\x1b[H\x1b[2J',
        `\x1b[1;33mharness: approval needed\x1b[0m  (${this.queue.length} waiting)`,
        '',
        `  agent   ${e.agent}`,
        `  tool    ${e.tool}`,
        `  ${e.kind === 'shell' ? 'command' : 'target '} ${e.summary}`,
        `  cwd     ${e.cwd}`,
        `  rule    ${d.ruleId ?? '(none)'}`,
        `  reason  ${d.reason}`,
        '',
        `  Allow this once? \x1b[1my\x1b[0m = yes, \x1b[1mn\x1b[0m = no   (denied automatically in ${left}s)`,
      ];
      this.stdout.write(lines.join('\r\n'));
    };
    draw();
    this.countdown = setInterval(draw, 1000);
    this.keyHandler = (key) => {
      const k = key.toLowerCase();
      if (k === 'y') this.settle({ verdict: 'allow', by: 'human' });
      else if (k === 'n' || k === '\x1b' || k === '\x03') this.settle({ verdict: 'deny', by: 'human', message: 'the user declined' });
    };
  }

  /** Settles the prompt on screen (also used when the bus times it out). */
  settle(answer: ApprovalAnswer, id?: string): void {
    const current = this.queue[0];
    if (!current || (id && current.request.id !== id)) {
      this.queue = this.queue.filter((q) => q.request.id !== id);
      return;
    }
    this.queue.shift();
    if (this.countdown) clearInterval(this.countdown);
    this.countdown = null;
    this.keyHandler = null;
    current.answer(answer);
    if (this.queue.length > 0) return this.show();
    this.stdout.write('\x1b[?1049l');
    const held = this.held ?? [];
    this.held = null;
    for (const chunk of held) this.stdout.write(chunk);
    // A real size change makes full-screen agents redraw; a same-size SIGWINCH is ignored by some.
    const pty = this.pty;
    if (pty) {
      const cols = this.stdout.columns || 80;
      const rows = this.stdout.rows || 24;
      pty.resize(cols, Math.max(2, rows - 1));
      setTimeout(() => this.pty?.resize(cols, rows), 50);
    }
  }
}
