import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { git, type GitEnv, type GitError } from './git.js';
import { LooseObjectWriter, type ObjectFormat } from './objects.js';
import { WorkingTreeTracker } from './tracker.js';
import { GITLINK_MODE, TreeModel } from './tree-model.js';
import { DirtyWatcher } from './watcher.js';

export interface CheckpointMeta {
  sessionId: string;
  toolUseId?: string;
  kind: string;
  summary: string;
  /** Files left out because they exceed the size cap (they exist, but this checkpoint lacks them). */
  skipped?: string[];
}

export interface Checkpoint extends CheckpointMeta {
  /** Commit id (the checkpoint's name). */
  id: string;
  tree: string;
  seq: number;
  createdAt: number;
  /** Files that differ from the session's previous checkpoint (all files for the first). */
  filesChanged?: number;
}

export interface FileChange {
  status: 'added' | 'modified' | 'deleted' | 'type-changed';
  path: string;
}

export interface RollbackPlan {
  target: Checkpoint;
  changes: FileChange[];
}

export interface StoreOptions {
  /** Files larger than this are left out of checkpoints, with a warning. */
  maxFileBytes?: number;
  /**
   * The private index's file name: the supervisor and the person's own commands keep separate
   * ones, so a `harness diff` never waits on a session's lock.
   */
  indexName?: string;
}

export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

const REF_PREFIX = 'refs/harness/sessions/';
/** How many skipped paths a checkpoint names (the count is always complete). */
const SKIPPED_LISTED = 200;

function parseMessage(body: string): CheckpointMeta & { seq: number } {
  const json = /^harness-checkpoint (.*)$/m.exec(body)?.[1];
  try {
    const meta = JSON.parse(json ?? '{}') as Partial<CheckpointMeta & { seq: number }>;
    return { sessionId: meta.sessionId ?? '?', toolUseId: meta.toolUseId, kind: meta.kind ?? '?', summary: meta.summary ?? '', seq: meta.seq ?? 0, ...(meta.skipped?.length ? { skipped: meta.skipped } : {}) };
  } catch {
    return { sessionId: '?', kind: '?', summary: body.split('\n')[0] ?? '', seq: 0 };
  }
}

/** One line of `git diff-tree -r -z` raw output, seen from the old tree to the new one. */
interface RawChange extends FileChange {
  newMode: string;
  oldMode: string;
  newOid: string;
}

const fileChange = ({ status, path }: RawChange): FileChange => ({ status, path });
/** Beyond this many files the in-memory tree costs more than it saves: full scans instead. */
const MAX_TRACKED_FILES = 1_000_000;

/**
 * Snapshots of the whole working tree as commits under refs/harness/, made with git plumbing and
 * a private index: HEAD, branches, the person's index, the stash and hooks are never touched.
 * Outside a git repository the snapshots live in a private repository in harness's state dir.
 */
export class CheckpointStore {
  private readonly env: GitEnv;
  /** Serializes snapshots and restores: parallel tool calls never interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private writerPromise: Promise<LooseObjectWriter> | null = null;
  private tracker: WorkingTreeTracker | null = null;
  private readonly changeListeners = new Set<(paths: string[]) => void>();
  /** The newest checkpoint of each session this store wrote or read. */
  private readonly heads = new Map<string, { id: string; tree: string; seq: number }>();
  /** Files currently left out for their size. */
  private readonly skipped = new Set<string>();
  readonly maxFileBytes: number;
  /** How the working tree was read so far: incremental updates vs full scans. */
  readonly scans = { incremental: 0, full: 0 };

  private constructor(
    readonly workspace: string,
    private readonly dir: string,
    env: GitEnv,
    options: StoreOptions,
  ) {
    this.env = env;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  }

  static open(workspace: string, stateDir: string, options: StoreOptions = {}): CheckpointStore {
    const ws = resolve(workspace);
    const dir = join(stateDir, 'checkpoints');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    let gitDir: string;
    let commonDir: string;
    try {
      const [found, common, top] = execFileSync('git', ['rev-parse', '--absolute-git-dir', '--git-common-dir', '--show-toplevel'], { cwd: ws, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }).trim().split('\n');
      // a nested checkout of another repository is not this workspace's repository
      if (!found || !common || !top || resolve(top) !== ws) throw new Error('workspace is not the repository root');
      gitDir = found;
      commonDir = resolve(ws, common);
    } catch {
      gitDir = join(dir, 'repo.git');
      commonDir = gitDir;
      if (!existsSync(join(gitDir, 'HEAD'))) execFileSync('git', ['init', '-q', '--bare', gitDir], { stdio: 'ignore' });
    }
    return new CheckpointStore(ws, dir, { gitDir, commonDir, workTree: ws, indexFile: join(dir, options.indexName ?? 'index') }, options);
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private writer(): Promise<LooseObjectWriter> {
    this.writerPromise ??= git(this.env, ['rev-parse', '--show-object-format', '--git-path', 'objects']).then((out) => {
      const [format, objects] = out.trim().split('\n');
      return new LooseObjectWriter(resolve(this.workspace, objects!), format === 'sha256' ? 'sha256' : ('sha1' as ObjectFormat));
    });
    return this.writerPromise;
  }

  /**
   * Follows the working tree from now on (Linux: inotify), so that a checkpoint after a small
   * change costs the same in a repository of any size. Without it every checkpoint is a full scan.
   */
  async track(): Promise<boolean> {
    if (this.tracker) return true;
    if (!DirtyWatcher.supported()) return false;
    const tracker = new WorkingTreeTracker(this.env, await this.writer(), new DirtyWatcher(this.workspace, this.dir), this.maxFileBytes, this.skipped);
    try {
      this.tracker = tracker;
      this.wireListener();
      await this.serialize(() => this.currentTree());
      return true;
    } catch {
      tracker.close();
      this.tracker = null;
      return false;
    }
  }

  /**
   * Hears the working tree's changes as they happen (batched per event-loop turn) until the
   * returned function is called. Only while tracking: the same watches that feed incremental
   * checkpoints.
   */
  onChange(listener: (paths: string[]) => void): () => void {
    this.changeListeners.add(listener);
    this.wireListener();
    return () => {
      this.changeListeners.delete(listener);
      this.wireListener();
    };
  }

  private wireListener(): void {
    if (!this.tracker) return;
    if (this.changeListeners.size === 0) return void (this.tracker.listener = null);
    let batch: string[] = [];
    this.tracker.listener = (path) => {
      if (batch.length === 0)
        setImmediate(() => {
          const paths = batch;
          batch = [];
          for (const listener of this.changeListeners) listener(paths);
        });
      batch.push(path);
    };
  }

  /** The paths git's ignore rules do not exclude. */
  async notIgnored(paths: string[]): Promise<string[]> {
    if (!this.tracker || paths.length === 0) return paths;
    const ignored = await this.tracker.ignored(paths);
    return paths.filter((p) => !ignored.has(p));
  }

  /** Stops following the working tree (the end of a session). */
  close(): void {
    this.tracker?.close();
    this.tracker = null;
  }

  /** The tree of the working tree as it is now: incrementally when tracking, else a full scan. */
  private async currentTree(force: string[] = []): Promise<string> {
    const fast = this.tracker ? await this.tracker.update(force) : null;
    if (fast) {
      this.scans.incremental++;
      return fast;
    }
    this.scans.full++;
    await this.tracker?.watchAll();
    const tree = await this.fullScan(force);
    if (this.tracker) {
      const model = TreeModel.fromLsTree(tree, await git(this.env, ['ls-tree', '-r', '-t', '-z', '--full-tree', tree]));
      if (model.size > MAX_TRACKED_FILES) this.close();
      else this.tracker.reset(model);
    }
    return tree;
  }

  /**
   * Every file git would record (tracked, untracked not ignored, plus `force`), through the private
   * index; files over the size cap are left out.
   */
  private async fullScan(force: string[] = []): Promise<string> {
    for (const p of this.skipped) if (!this.tooLarge(p)) this.skipped.delete(p);
    const fresh = (await git(this.env, ['ls-files', '-z', '-o', '--exclude-standard'])).split('\0').filter(Boolean);
    for (const p of fresh) if (this.tooLarge(p)) this.skipped.add(p);
    const excludes = [...this.skipped];
    const pathspec = excludes.length > 0 ? ['--', '.', ...excludes.map((p) => `:(exclude,literal)${p}`)] : [];
    await git(this.env, ['add', '-A', '--ignore-errors', ...pathspec]).catch((e: GitError) => {
      // with --ignore-errors git records everything it can and reports the rest (a file that
      // vanished mid-scan, a nested repository without a commit): only a fatal error loses the scan
      if (/^fatal:/m.test(e.stderr)) throw e;
    });
    if (excludes.length > 0) await git(this.env, ['update-index', '--force-remove', '-z', '--stdin'], excludes.join('\0') + '\0');
    const existing = force.filter((p) => existsSync(resolve(this.workspace, p)));
    if (existing.length > 0) await git(this.env, ['add', '-f', '--', ...existing]);
    return (await git(this.env, ['write-tree'])).trim();
  }

  private tooLarge(path: string): boolean {
    try {
      const st = lstatSync(resolve(this.workspace, path));
      return st.isFile() && st.size > this.maxFileBytes;
    } catch {
      return false;
    }
  }

  /** The tree of the session's newest checkpoint this store knows of. */
  lastTree(sessionId: string): string | null {
    return this.heads.get(sessionId)?.tree ?? null;
  }

  /** The id of the session's newest checkpoint this store knows of. */
  lastId(sessionId: string): string | null {
    return this.heads.get(sessionId)?.id ?? null;
  }

  /** The newest checkpoint of a session. */
  private async head(sessionId: string): Promise<{ id: string; tree: string; seq: number } | null> {
    const cached = this.heads.get(sessionId);
    if (cached) return cached;
    let out: string;
    try {
      out = await git(this.env, ['show', '-s', '--format=%H%x00%T%x00%B', `${REF_PREFIX}${sessionId}`, '--']);
    } catch {
      return null;
    }
    const [id, tree, body] = out.split('\0');
    if (!id || !tree) return null;
    const head = { id, tree, seq: parseMessage(body ?? '').seq };
    this.heads.set(sessionId, head);
    return head;
  }

  /**
   * Takes a checkpoint unless nothing changed since the session's last one (or `always`); `force`
   * adds ignored files a tool is about to write (e.g. `.env`).
   */
  snapshot(meta: CheckpointMeta, options: { force?: string[]; always?: boolean } = {}): Promise<Checkpoint | null> {
    return this.serialize(async () => this.commit(meta, await this.currentTree(options.force), options.always ?? false));
  }

  /**
   * Checkpoints, newest first: of one session, or of all. `filesChanged` (a diff per checkpoint)
   * only when asked for.
   */
  async list(sessionId?: string, options: { filesChanged?: boolean } = {}): Promise<Checkpoint[]> {
    const refs = sessionId ? [`${REF_PREFIX}${sessionId}`] : (await git(this.env, ['for-each-ref', '--format=%(refname)', REF_PREFIX])).split('\n').filter(Boolean);
    // --shortstat follows each entry's format: how many files changed since the previous checkpoint
    const stat = options.filesChanged ? ['--shortstat', '--no-renames'] : [];
    const out: Checkpoint[] = [];
    for (const ref of refs) {
      let log: string;
      try {
        log = await git(this.env, ['log', '--format=%x01%H%x00%T%x00%ct%x00%B%x00', ...stat, ref, '--']);
      } catch {
        continue;
      }
      for (const entry of log.split('\x01')) {
        const [id, tree, ct, body, shortstat] = entry.split('\0');
        if (!id || !tree) continue;
        const files = options.filesChanged ? { filesChanged: Number(/(\d+) files? changed/.exec(shortstat ?? '')?.[1] ?? 0) } : {};
        out.push({ ...parseMessage(body ?? ''), id, tree, createdAt: Number(ct) * 1000, ...files });
      }
    }
    return out.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
  }

  /** The session that took the most recent checkpoint. */
  async latestSession(): Promise<string | null> {
    const out = (await git(this.env, ['for-each-ref', '--sort=-committerdate', '--count=1', '--format=%(refname)', REF_PREFIX])).trim();
    return out ? out.slice(REF_PREFIX.length) : null;
  }

  /** One checkpoint by its full id (any session). */
  async checkpoint(id: string): Promise<Checkpoint> {
    if (!/^[0-9a-f]{40,64}$/.test(id)) throw new Error(`"${id}" is not a checkpoint id`);
    let out: string;
    try {
      out = await git(this.env, ['show', '-s', '--format=%H%x00%T%x00%ct%x00%B', id, '--']);
    } catch {
      throw new Error(`no checkpoint ${id.slice(0, 12)} (it may have been pruned)`);
    }
    const [found, tree, ct, body] = out.split('\0');
    if (!found || !tree || !/^harness-checkpoint /m.test(body ?? '')) throw new Error(`${id.slice(0, 12)} is not a harness checkpoint`);
    return { ...parseMessage(body ?? ''), id: found, tree, createdAt: Number(ct) * 1000 };
  }

  async resolve(name: string): Promise<Checkpoint> {
    const all = await this.list();
    const found = all.filter((c) => c.id.startsWith(name));
    if (found.length === 1) return found[0]!;
    throw new Error(found.length === 0 ? `no checkpoint "${name}" (see harness checkpoints)` : `"${name}" names ${found.length} checkpoints; give more characters`);
  }

  private async rawChanges(fromTree: string, toTree: string): Promise<RawChange[]> {
    const parts = (await git(this.env, ['diff-tree', '-r', '-z', '--no-renames', fromTree, toTree])).split('\0');
    const changes: RawChange[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const [oldMode, newMode, , newOid, code] = parts[i]!.replace(/^:/, '').split(' ');
      const path = parts[i + 1]!;
      if (!path || !code) continue;
      const status = code === 'A' ? 'added' : code === 'D' ? 'deleted' : code === 'T' ? 'type-changed' : 'modified';
      changes.push({ status, path, oldMode: oldMode!, newMode: newMode!, newOid: newOid! });
    }
    return changes;
  }

  /** The files that differ between two checkpoint trees. */
  async changesBetween(fromTree: string, toTree: string): Promise<FileChange[]> {
    return (await this.rawChanges(fromTree, toTree)).map(fileChange);
  }

  /** What restoring `target` would change in the working tree as it is now. */
  async plan(target: Checkpoint): Promise<RollbackPlan> {
    return this.serialize(async () => {
      const present = await this.currentTree();
      // from the present's point of view: files the target lacks are deleted, and so on
      return { target, changes: await this.changesBetween(present, target.tree) };
    });
  }

  /** What changed in the working tree since checkpoint tree `tree` (e.g. during one tool call). */
  async changesSince(tree: string): Promise<FileChange[]> {
    return this.serialize(async () => this.changesBetween(tree, await this.currentTree()));
  }

  /** A unified diff between two checkpoints, or a checkpoint and the working tree. */
  async diff(from: Checkpoint, to?: Checkpoint): Promise<string> {
    return this.serialize(async () => {
      const toTree = to ? to.tree : await this.currentTree();
      return git(this.env, ['diff-tree', '-p', '--no-renames', '--binary', from.tree, toTree]);
    });
  }

  /**
   * Puts the working tree back as it was at `target`: modified files restored, created files
   * removed, deleted files brought back, modes and symlinks included; nested repositories and files
   * the target left out for their size are not touched. The present is checkpointed first (kind
   * `before-rollback`), so a rollback can itself be undone.
   */
  restore(target: Checkpoint, sessionId: string): Promise<{ saved: Checkpoint | null; changes: FileChange[] }> {
    return this.serialize(async () => {
      const presentTree = await this.currentTree();
      const saved = await this.commit({ sessionId, kind: 'before-rollback', summary: `before rolling back to ${target.id.slice(0, 12)}` }, presentTree, true);
      const keep = new Set(target.skipped ?? []);
      const changes = (await this.rawChanges(presentTree, target.tree)).filter((c) => c.oldMode !== GITLINK_MODE && c.newMode !== GITLINK_MODE && !keep.has(c.path));
      for (const c of changes) if (c.status === 'deleted' || c.status === 'type-changed') this.removePath(c.path);
      const restore = changes.filter((c) => c.status !== 'deleted');
      if (restore.length > 0) {
        // a throwaway index holding just the files to write: cost follows the change, not the repository
        const scratch = { ...this.env, indexFile: join(this.dir, `restore-index-${process.pid}`) };
        rmSync(scratch.indexFile, { force: true });
        try {
          await git(scratch, ['update-index', '-z', '--index-info'], restore.map((c) => `${c.newMode} ${c.newOid}\t${c.path}\0`).join(''));
          await git(scratch, ['checkout-index', '-a', '-f']);
        } finally {
          rmSync(scratch.indexFile, { force: true });
        }
      }
      this.tracker?.markTouched(changes.map((c) => c.path));
      return { saved, changes: changes.map(fileChange) };
    });
  }

  /** Records `tree` as the session's next checkpoint (unless it equals the last one and `always` is off). */
  private async commit(meta: CheckpointMeta, tree: string, always: boolean): Promise<Checkpoint | null> {
    const parent = await this.head(meta.sessionId);
    if (parent && parent.tree === tree && !always) return null;
    const seq = (parent?.seq ?? 0) + 1;
    const skipped = [...this.skipped].sort();
    const full: CheckpointMeta = { ...meta, ...(skipped.length > 0 ? { skipped: skipped.slice(0, SKIPPED_LISTED) } : {}) };
    const message = `${meta.kind}: ${meta.summary.split('\n')[0]!.slice(0, 120)}\n\nharness-checkpoint ${JSON.stringify({ ...full, seq, ...(skipped.length > SKIPPED_LISTED ? { skippedCount: skipped.length } : {}) })}\n`;
    const now = Date.now();
    const stamp = `harness <harness@localhost> ${Math.floor(now / 1000)} +0000`;
    const writer = await this.writer();
    const id = writer.write('commit', Buffer.from(`tree ${tree}\n${parent ? `parent ${parent.id}\n` : ''}author ${stamp}\ncommitter ${stamp}\n\n${message}`));
    const expected = parent?.id ?? '0'.repeat(id.length);
    try {
      await git(this.env, ['update-ref', '-m', 'harness checkpoint', `${REF_PREFIX}${meta.sessionId}`, id, expected]);
    } catch (error) {
      this.heads.delete(meta.sessionId);
      throw error;
    }
    this.heads.set(meta.sessionId, { id, tree, seq });
    return { ...full, id, tree, seq, createdAt: now };
  }

  /** Removes a file (or symlink) and the directories it leaves empty, never above the workspace. */
  private removePath(path: string): void {
    const abs = resolve(this.workspace, path);
    if (!abs.startsWith(this.workspace + '/')) return;
    try {
      const st = lstatSync(abs);
      if (st.isDirectory() && !st.isSymbolicLink()) rmSync(abs, { recursive: true, force: true });
      else rmSync(abs, { force: true });
    } catch {
      return;
    }
    for (let dir = dirname(abs); dir.startsWith(this.workspace + '/'); dir = dirname(dir)) {
      try {
        if (readdirSync(dir).length > 0) break;
        rmdirSync(dir);
      } catch {
        break;
      }
    }
  }

  /** Deletes checkpoint refs whose newest checkpoint is older than `cutoff` (epoch ms). */
  async prune(cutoff: number): Promise<string[]> {
    const out = await git(this.env, ['for-each-ref', '--format=%(refname)%00%(committerdate:unix)', REF_PREFIX]);
    const removed: string[] = [];
    for (const line of out.split('\n').filter(Boolean)) {
      const [ref, when] = line.split('\0');
      if (ref && Number(when) * 1000 < cutoff) {
        await git(this.env, ['update-ref', '-d', ref]);
        this.heads.delete(ref.slice(REF_PREFIX.length));
        removed.push(ref.slice(REF_PREFIX.length));
      }
    }
    return removed;
  }

}
