import { mkdirSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { absolute, shown } from './paths.js';

/** Beyond this many changed paths between checkpoints, the next one rescans instead. */
const MAX_DIRTY = 20_000;

/** How many events the kernel queues for one inotify instance before it drops the rest (fs.inotify.max_queued_events). */
function kernelQueue(): number {
  try {
    const n = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());
    if (Number.isInteger(n) && n > 0) return n;
  } catch {
    // not Linux, or /proc not there: the kernel's default
  }
  return 16_384;
}

/**
 * The set of paths that changed since the last checkpoint, from inotify watches on every directory
 * of the working tree (Linux). `barrier()` makes the set complete up to now: it creates a file in a
 * watched directory of its own and waits for that event — inotify delivers one process's events in
 * order, so everything that happened before is in the set by then. Anything that could lose an
 * event (too many changes, a watch that cannot be added, a barrier that does not come back) marks
 * the set as lost, and the next checkpoint does a full scan.
 */
export class DirtyWatcher {
  private readonly watches = new Map<string, FSWatcher>();
  private dirty = new Set<string>();
  /** Why some change may have been missed since the last `take` (null: nothing was). */
  private lost: string | null = null;
  private readonly syncDir: string;
  private readonly syncWatcher: FSWatcher;
  private readonly barriers = new Map<string, (ok: boolean) => void>();
  private seq = 0;
  /** Events delivered since the event loop last came round (see `counted`). */
  private burst = 0;
  private readonly burstLimit: number;
  /** Hears every changed path as it comes (who else wants to know: out-of-band changes). */
  listener: ((path: string) => void) | null = null;

  static supported(): boolean {
    return process.platform === 'linux';
  }

  constructor(
    readonly workspace: string,
    stateDir: string,
    private readonly maxWatches = 50_000,
    /** Events at once that mean the kernel's queue may have overflowed (default: 90% of fs.inotify.max_queued_events). */
    burstLimit?: number,
  ) {
    this.burstLimit = burstLimit ?? Math.floor(kernelQueue() * 0.9);
    this.syncDir = join(stateDir, `sync-${process.pid}-${Date.now().toString(36)}`);
    mkdirSync(this.syncDir, { recursive: true, mode: 0o700 });
    this.syncWatcher = watch(this.syncDir, { persistent: false }, (_type, name) => {
      this.counted();
      const done = name ? this.barriers.get(name) : undefined;
      if (done) done(true);
    });
  }

  get watchedCount(): number {
    return this.watches.size;
  }

  watching(rel: string): boolean {
    return this.watches.has(rel);
  }

  /**
   * Watches directory `rel` ('' is the workspace; a byte string like every path here) afresh; false
   * (and the set lost) when it cannot.
   */
  watch(rel: string): boolean {
    // a watch already here may be on a directory since replaced (inode numbers are reused)
    this.watches.get(rel)?.close();
    this.watches.delete(rel);
    if (this.watches.size >= this.maxWatches) {
      this.lost ??= `more than ${this.maxWatches} directories to watch`;
      return false;
    }
    try {
      // names as bytes: a name that is not UTF-8 must come back as it is
      const watcher = watch(absolute(this.workspace, rel), { persistent: false, encoding: 'buffer' }, (_type, name) =>
        this.changed(rel, name === null ? null : name.toString('latin1')),
      );
      watcher.on('error', (e) => {
        this.lost ??= `the watch on ${rel ? shown(rel) : 'the workspace'} failed (${e.message})`;
        this.unwatchTree(rel);
      });
      this.watches.set(rel, watcher);
      return true;
    } catch (e) {
      this.lost ??= `cannot watch ${rel ? shown(rel) : 'the workspace'} (${(e as Error).message})`;
      return false;
    }
  }

  /** Stops watching `rel` and every directory below it (it was removed or replaced). */
  unwatchTree(rel: string): void {
    const prefix = rel === '' ? '' : `${rel}/`;
    for (const [path, w] of this.watches) {
      if (path === rel || path.startsWith(prefix)) {
        w.close();
        this.watches.delete(path);
      }
    }
  }

  /**
   * Counts one event. When more events than the kernel queues pile up while the event loop is busy
   * elsewhere, the kernel drops the rest and queues an overflow notice, which Node never passes on
   * (libuv discards it: it belongs to no watch). What does show is the size of the pile: libuv reads
   * the whole queue in one go, so the events come in one turn of the loop. A turn that brings
   * nearly a full queue may have lost some: the set is marked lost, and the next checkpoint rescans.
   */
  private counted(): void {
    if (this.burst++ === 0) setImmediate(() => (this.burst = 0));
    if (this.burst === this.burstLimit)
      this.lost ??= `the kernel's event queue may have overflowed (${this.burst} events at once; fs.inotify.max_queued_events is ${kernelQueue()}), dropping change events`;
  }

  private changed(dir: string, name: string | null): void {
    this.counted();
    if (name === null) this.lost ??= 'the kernel dropped change events (queue overflow)';
    else if (!(dir === '' && name === '.git')) {
      const path = dir ? `${dir}/${name}` : name;
      this.dirty.add(path);
      this.listener?.(path);
    }
    if (this.dirty.size > MAX_DIRTY) {
      this.lost ??= `more than ${MAX_DIRTY} paths changed between checkpoints`;
      this.dirty.clear();
    }
  }

  /** Resolves true once every change made before the call is in the set (false after `timeoutMs`). */
  barrier(timeoutMs = 2000): Promise<boolean> {
    const name = `b${++this.seq}`;
    return new Promise((resolve) => {
      const finish = (ok: boolean): void => {
        clearTimeout(timer);
        this.barriers.delete(name);
        rmSync(join(this.syncDir, name), { force: true });
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      this.barriers.set(name, finish);
      try {
        writeFileSync(join(this.syncDir, name), '');
      } catch {
        finish(false);
      }
    });
  }

  /** The changed paths since the last call, and why some change may have been missed (null: none was). */
  take(): { paths: string[]; lost: string | null } {
    const out = { paths: [...this.dirty], lost: this.lost };
    this.dirty = new Set();
    this.lost = null;
    return out;
  }

  markLost(why: string): void {
    this.lost ??= why;
  }

  close(): void {
    for (const w of this.watches.values()) w.close();
    this.watches.clear();
    this.syncWatcher.close();
    for (const done of this.barriers.values()) done(false);
    rmSync(this.syncDir, { recursive: true, force: true });
  }
}
