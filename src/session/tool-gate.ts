/** A tool call that started this long ago without a PostToolUse is taken to have ended unseen. */
const STALE_MS = 10 * 60 * 1000;

/**
 * Lets harness do something to the working tree while no tool call runs: `exclusive` holds new
 * PreToolUse calls at `enter` and waits for the calls already allowed to report back, then runs
 * the work. A notice left by the work is given to the agent with its next call.
 */
export class ToolGate {
  private held: Promise<void> | null = null;
  private readonly running = new Map<string, { at: number; label: string }>();
  private idle: (() => void) | null = null;
  private notice: string | null = null;
  /** When the last call finished or the last exclusive work ended. */
  private quietSince = 0;

  /** Waits while harness holds the tree. */
  async enter(): Promise<void> {
    while (this.held) await this.held;
  }

  /** `label`: the call in words (its command, or its tool and path), for what is attributed to it. */
  started(toolUseId: string, label = ''): void {
    this.running.set(toolUseId, { at: Date.now(), label });
  }

  finished(toolUseId: string): void {
    if (this.running.delete(toolUseId)) this.quietSince = Date.now();
    if (this.runningCount() === 0) this.idle?.();
  }

  private runningCount(): number {
    const now = Date.now();
    for (const [id, { at }] of this.running) if (now - at > STALE_MS) this.running.delete(id);
    return this.running.size;
  }

  /**
   * Whether a change seen now can be the work of a tool call or of harness itself: one runs, harness
   * holds the tree, or one of them ended less than `graceMs` ago (its last events may trail it).
   */
  busy(graceMs = 250): boolean {
    return this.runningCount() > 0 || this.held !== null || Date.now() - this.quietSince < graceMs;
  }

  /** The tool calls allowed and not yet reported back. */
  runningIds(): string[] {
    return this.runningCalls().map((c) => c.id);
  }

  runningCalls(): { id: string; label: string }[] {
    this.runningCount();
    return [...this.running].map(([id, { label }]) => ({ id, label }));
  }

  /** The notice for the agent, once. */
  takeNotice(): string | null {
    const n = this.notice;
    this.notice = null;
    return n;
  }

  /**
   * Runs `work` with no tool call running; fails if the running ones do not finish within
   * `waitMs` (nothing is changed then).
   */
  async exclusive<T>(work: () => Promise<{ result: T; notice: string | null }>, waitMs: number): Promise<T> {
    while (this.held) await this.held;
    let release!: () => void;
    this.held = new Promise((r) => (release = r));
    try {
      if (this.runningCount() > 0) {
        const drained = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), waitMs);
          this.idle = () => {
            clearTimeout(timer);
            resolve(true);
          };
        });
        this.idle = null;
        if (!drained) throw new Error(`${this.running.size} tool call(s) still running after ${Math.round(waitMs / 1000)}s; try again when they finish`);
      }
      const { result, notice } = await work();
      if (notice) this.notice = notice;
      return result;
    } finally {
      this.held = null;
      this.quietSince = Date.now();
      release();
    }
  }
}
