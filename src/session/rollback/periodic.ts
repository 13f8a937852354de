import type { AuditLog } from '../../audit/store.js';
import type { CheckpointStore } from '../../checkpoints/store.js';
import { listSome } from '../list-some.js';
import type { ToolGate } from '../tool-gate.js';

/** A whole number of milliseconds from the environment, or null. */
const msFromEnv = (name: string): number | null => {
  const v = Number(process.env[name]);
  return Number.isInteger(v) && v > 0 ? v : null;
};
/**
 * A checkpoint once the tree has been quiet this long after a change… (HARNESS_CHECKPOINT_QUIET_MS
 * sets it: for tests only, so that a test of many steps does not take minutes)
 */
const QUIET_MS = msFromEnv('HARNESS_CHECKPOINT_QUIET_MS') ?? 2000;
/** …or this long after the first change, whichever comes first; and at least this often without a watcher. */
const MAX_WAIT_MS = Math.max(QUIET_MS, 30_000);
/** While harness holds the tree (a rollback), a change is looked at again this often until it lets go. */
const BUSY_RETRY_MS = 300;

/**
 * Checkpoints for a program harness cannot ask before it acts (`harness run -- <command>`): one
 * when the session starts, then one whenever the working tree changed and settled. Each names the
 * files it changed, so the panel and `harness rollback` can go back to any of them.
 */
export class PeriodicCheckpoints {
  private quietTimer: NodeJS.Timeout | null = null;
  private deadline: NodeJS.Timeout | null = null;
  private fallback: NodeJS.Timeout | null = null;
  private retry: NodeJS.Timeout | null = null;
  /** A change came while harness held the tree (a rollback's own writes, maybe the program's too). */
  private duringRollback = false;
  private taking: Promise<void> = Promise.resolve();
  private stopped = false;
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly store: CheckpointStore,
    private readonly audit: AuditLog,
    private readonly sessionId: string,
    private readonly gate: ToolGate,
  ) {}

  async start(tracking: Promise<boolean>): Promise<void> {
    const watched = await tracking;
    await this.take('session-start', 'the working tree when the session started', true);
    if (watched) this.unsubscribe = this.store.onChange(() => this.changed());
    else this.fallback = setInterval(() => void this.take('periodic', 'the working tree changed'), MAX_WAIT_MS);
  }

  private changed(): void {
    if (this.stopped) return;
    if (this.gate.busy()) {
      // harness holds the tree (a rollback) or just let go: what changes now may be its own writes,
      // but the program may have changed something too, and no later event need come to tell;
      // dropping it would leave that change out of every checkpoint but the session's last. So it
      // is looked at again once harness lets go (the checkpoint then holds the rolled-back tree).
      this.duringRollback = true;
      this.retry ??= setTimeout(() => {
        this.retry = null;
        this.changed();
      }, BUSY_RETRY_MS);
      return;
    }
    if (this.quietTimer) clearTimeout(this.quietTimer);
    this.quietTimer = setTimeout(() => this.flush(), QUIET_MS);
    this.deadline ??= setTimeout(() => this.flush(), MAX_WAIT_MS);
  }

  private flush(): void {
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.deadline) clearTimeout(this.deadline);
    this.quietTimer = this.deadline = null;
    const rollback = this.duringRollback;
    this.duringRollback = false;
    void this.take('periodic', rollback ? 'the working tree after a rollback' : 'the working tree changed');
  }

  /** Takes a checkpoint now if anything changed (the end of the session takes a last one). */
  take(kind: string, summary: string, always = false): Promise<void> {
    this.taking = this.taking.then(async () => {
      const before = this.store.lastTree(this.sessionId);
      try {
        const cp = await this.store.snapshot({ sessionId: this.sessionId, kind, summary }, { always });
        if (!cp) return;
        const changes = before ? await this.store.changesBetween(before, cp.tree) : [];
        const listed = listSome(
          changes.map((c) => c.path),
          5,
        );
        this.audit.checkpoint({
          sessionId: this.sessionId,
          toolUseId: null,
          commit: cp.id,
          summary:
            before && changes.length > 0
              ? `checkpoint ${cp.id.slice(0, 12)}: ${changes.length} file(s) changed: ${listed}`
              : `checkpoint ${cp.id.slice(0, 12)}: ${summary}`,
        });
      } catch (error) {
        this.audit.checkpoint({
          sessionId: this.sessionId,
          toolUseId: null,
          commit: null,
          summary: 'checkpoint failed',
          error: error instanceof Error ? error.message : String(error),
        });
      }
    });
    return this.taking;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    if (this.quietTimer) clearTimeout(this.quietTimer);
    if (this.deadline) clearTimeout(this.deadline);
    if (this.fallback) clearInterval(this.fallback);
    if (this.retry) clearTimeout(this.retry);
    // always, as at the start: the session's end is a checkpoint even when the last change had settled
    await this.take('session-end', 'the working tree when the session ended', true);
  }
}
