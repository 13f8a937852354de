import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { inflateSync } from 'node:zlib';
import type { ChangedPath } from './changed-path.js';
import { GitPipe, IgnoreCheck } from './git-pipe.js';
import { git, type GitEnv, GitError } from './git.js';
import { LooseObjectWriter, type ObjectFormat } from './objects.js';
import { filesBackend, moveRef } from './refs.js';
import { emptySets, fromMessage, outsideKey, toMessage, umask, unusualMode, type OutsideGit, type OutsideSets } from './outside.js';
import { absolute, entryAt, fromShown, lstatOrNull, rawBytes, relativeRaw, shown } from './paths.js';
import { RULE_FILES, WorkingTreeTracker, type TreeEntry } from './tracker.js';
import { GITLINK_MODE, TreeModel, type LeafMode } from './tree-model.js';
import { DirtyWatcher } from './watcher.js';
import { trace } from '../trace.js';

export { describeOutside, type OutsideGit } from './outside.js';

export interface CheckpointMeta {
  sessionId: string;
  toolUseId?: string | undefined;
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
  /** What the checkpoint holds beside its tree (mode bits, empty directories) and names without holding (nested repositories, fifos). */
  outside?: OutsideGit;
}

export type { ChangedPath } from './changed-path.js';

export interface RollbackPlan {
  target: Checkpoint;
  changes: ChangedPath[];
  /** What the rollback leaves as it is, and why (nested repositories, fifos, files over the size cap …). */
  notRestored: string[];
}

export interface StoreOptions {
  /** Files larger than this are left out of checkpoints, with a warning. */
  maxFileBytes?: number | undefined;
  /**
   * The private index's file name: the supervisor and the person's own commands keep separate
   * ones, so a `harness diff` never waits on a session's lock.
   */
  indexName?: string | undefined;
}

/** Why a checkpoint read the whole working tree instead of the watcher's changes, or what a reconcile found. */
export interface ScanNotice {
  kind: 'full-scan' | 'reconcile';
  message: string;
}

export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

const REF_PREFIX = 'refs/harness/sessions/';
/** How many skipped paths a checkpoint names (the count is always complete). */
const SKIPPED_LISTED = 200;
/** How many adopted files a checkpoint names (see `commit`). */
const ADOPTED_LISTED = 5000;
/** A reconcile reads at most this many files itself; beyond, `git add -u` refreshes the index. */
const RECONCILE_READS = 5000;
/** Beyond this many files the in-memory tree costs more than it saves: full scans instead. */
const MAX_TRACKED_FILES = 1_000_000;

/**
 * What the scan repository reads for attributes: nothing converts content on the way in or out
 * (no end-of-line conversion, clean/smudge filters, ident, working-tree encodings). $GIT_DIR/info/
 * attributes outranks every .gitattributes in the tree.
 */
const NO_CONVERSION = '* -text -crlf !eol -filter -ident -working-tree-encoding\n';

interface Head {
  id: string;
  tree: string;
  seq: number;
  /** When the checkpoint's scan began (epoch ms): a file unchanged since then was on disk at that checkpoint. */
  scannedAt: number;
  outside: string;
  /** For a checkpoint taken before a rollback: the tree the rollback wrote (its files stay recorded, ignored or not). */
  restores?: string;
  /** The ignore rules outside the tree its scan read (see `rulesKey`). */
  rules?: string;
}

interface Message extends CheckpointMeta {
  seq: number;
  scannedAt?: number;
  outside?: OutsideGit;
  /** Files first recorded here that were already on disk, unrecorded, at the previous checkpoint: path -> "mode oid". */
  adopted?: Record<string, string>;
  restores?: string;
  rules?: string;
}

function parseMessage(body: string): Message {
  const json = /^harness-checkpoint (.*)$/m.exec(body)?.[1];
  try {
    const meta = JSON.parse(json ?? '{}') as Partial<Message>;
    return {
      sessionId: meta.sessionId ?? '?',
      toolUseId: meta.toolUseId,
      kind: meta.kind ?? '?',
      summary: meta.summary ?? '',
      seq: meta.seq ?? 0,
      ...(meta.skipped?.length ? { skipped: meta.skipped } : {}),
      ...(meta.scannedAt ? { scannedAt: meta.scannedAt } : {}),
      ...(meta.outside ? { outside: meta.outside } : {}),
      ...(meta.adopted ? { adopted: meta.adopted } : {}),
      ...(meta.restores ? { restores: meta.restores } : {}),
      ...(meta.rules ? { rules: meta.rules } : {}),
    };
  } catch {
    return { sessionId: '?', kind: '?', summary: body.split('\n')[0] ?? '', seq: 0 };
  }
}

const publicMeta = ({ adopted: _a, scannedAt: _s, restores: _r, rules: _u, ...m }: Message): CheckpointMeta & { seq: number; outside?: OutsideGit } => m;

/** One line of `git diff-tree -r -z` raw output, seen from the old tree to the new one; the path a byte string. */
interface RawChange {
  status: ChangedPath['status'];
  path: string;
  newMode: string;
  oldMode: string;
  newOid: string;
  oldOid: string;
}

const changedPath = ({ status, path }: RawChange): ChangedPath => ({ status, path: shown(path) });

/** A tree of the working tree as it is now, and how it was read. */
interface Scan {
  tree: string;
  /** A full scan (not the watcher's changes). */
  full: boolean;
  /** Forced files an incremental update recorded for the first time (they may have been on disk, unrecorded, before). */
  adoptable: string[];
  outside: OutsideGit | undefined;
  /** The forced files (byte paths) of this scan. */
  forced: string[];
  /** When the scan began. */
  scannedAt: number;
  /** The ignore rules outside the tree it read (see `rulesKey`). */
  rules: string;
}

/** Writes `text` to `path` unless it holds that already. */
function writeIfChanged(path: string, text: string, encoding: BufferEncoding = 'utf8'): void {
  let old: string | null = null;
  try {
    old = readFileSync(path, encoding);
  } catch {
    // first time
  }
  if (old !== text) writeFileSync(path, text, encoding);
}

/**
 * Moves each checkpoint's ref: in-process as git's files backend does (refs.ts), or, for a
 * repository of another ref backend or a ref with a reflog, through one long-running `git
 * update-ref --stdin` (a transaction per move: start, update with the expected old value,
 * prepare, commit; no git process started per checkpoint). Either way a refused update (the ref
 * moved: another harness process) fails with git's reason.
 */
class RefUpdater {
  private readonly pipe: GitPipe;
  private readonly commonDir: string;
  private readonly direct: boolean;

  constructor(env: GitEnv) {
    this.pipe = new GitPipe(env, ['update-ref', '-m', 'harness checkpoint', '--stdin'], '\n', 1);
    this.commonDir = env.commonDir ?? env.gitDir;
    this.direct = filesBackend(this.commonDir);
  }

  /** Moves `ref` from `expected` to `id`, or fails as `git update-ref ref id expected` would. */
  async update(ref: string, id: string, expected: string): Promise<void> {
    if (/\s/.test(ref) || !/^[0-9a-f]+$/.test(id) || !/^[0-9a-f]+$/.test(expected)) throw new Error(`not a ref update git can take on this channel: ${ref}`);
    if (this.direct) {
      const move = moveRef(this.commonDir, ref, id, expected);
      if (move.kind === 'moved') return;
      if (move.kind === 'refused') throw new Error(`git update-ref: ${move.message}`);
    }
    // answered "start: ok", "prepare: ok", "commit: ok"
    await this.pipe.request(['start', `update ${ref} ${id} ${expected}`, 'prepare', 'commit'], 3);
  }

  close(): void {
    this.pipe.close();
  }
}

const ZERO_MODE = '000000';
/** How many parsed trees the in-process diff keeps (the root and the directories calls touch lately). */
const PARSED_TREES = 1024;
const leafType = (mode: string): string => (mode === '120000' ? 'link' : mode === GITLINK_MODE ? 'gitlink' : 'file');
/** git's tree order: a tree's name sorts as if it ended in '/'. */
const sortKey = (name: string, mode: string): string => (mode === '40000' ? `${name}/` : name);

/**
 * The files that differ between two trees, as `git diff-tree -r --no-renames` lists them (same
 * order, same records), worked out in-process: a directory whose tree id is the same on both sides
 * is skipped, so a small change reads a few trees, each from `cache` (what the tracker's model told
 * and what was read before) or a loose object. Null when a tree is in neither (packed, or
 * elsewhere): git answers then.
 */
function looseTreeDiff(objectsDir: string, format: ObjectFormat, from: string, to: string, cache: Map<string, readonly TreeEntry[]>): RawChange[] | null {
  const oidBytes = format === 'sha1' ? 20 : 32;
  const zero = '0'.repeat(oidBytes * 2);
  type Entry = TreeEntry;
  const read = (oid: string): readonly Entry[] | null => {
    const known = cache.get(oid);
    if (known) return known;
    const entries = parse(oid);
    if (entries) {
      // a tree's id names its content: what was read stays true (the last ones kept, for the next diff)
      cache.set(oid, entries);
      if (cache.size > PARSED_TREES) cache.delete(cache.keys().next().value!);
    }
    return entries;
  };
  const parse = (oid: string): Entry[] | null => {
    let raw: Buffer;
    try {
      raw = inflateSync(readFileSync(join(objectsDir, oid.slice(0, 2), oid.slice(2))));
    } catch {
      return null;
    }
    const nul = raw.indexOf(0);
    if (nul < 0 || raw.toString('latin1', 0, nul) !== `tree ${raw.length - nul - 1}`) return null;
    const entries: Entry[] = [];
    for (let at = nul + 1; at < raw.length; ) {
      const space = raw.indexOf(0x20, at);
      const end = raw.indexOf(0, space + 1);
      if (space < 0 || end < 0 || end + 1 + oidBytes > raw.length) return null;
      const mode = raw.toString('latin1', at, space);
      entries.push({ key: sortKey(raw.toString('latin1', space + 1, end), mode), mode, oid: raw.toString('hex', end + 1, end + 1 + oidBytes) });
      at = end + 1 + oidBytes;
    }
    // trees hold their entries in this order; a byte string (latin1) compares as its bytes do
    for (let i = 1; i < entries.length; i++) if (!(entries[i - 1]!.key < entries[i]!.key)) return null;
    return entries;
  };
  const out: RawChange[] = [];
  const one = (l: Entry | undefined, r: Entry | undefined, prefix: string): boolean => {
    if (l && r && l.oid === r.oid && l.mode === r.mode) return true;
    const isTree = (l ?? r)!.mode === '40000';
    const path = prefix + (isTree ? (l ?? r)!.key.slice(0, -1) : (l ?? r)!.key);
    if (isTree) return walk(l?.oid ?? null, r?.oid ?? null, `${path}/`);
    if (!l) out.push({ status: 'added', path, oldMode: ZERO_MODE, newMode: r!.mode, oldOid: zero, newOid: r!.oid });
    else if (!r) out.push({ status: 'deleted', path, oldMode: l.mode, newMode: ZERO_MODE, oldOid: l.oid, newOid: zero });
    else
      out.push({
        status: leafType(l.mode) === leafType(r.mode) ? 'modified' : 'type-changed',
        path,
        oldMode: l.mode,
        newMode: r.mode,
        oldOid: l.oid,
        newOid: r.oid,
      });
    return true;
  };
  const walk = (a: string | null, b: string | null, prefix: string): boolean => {
    const left = a ? read(a) : [];
    const right = b ? read(b) : [];
    if (!left || !right) return false;
    let i = 0;
    let j = 0;
    while (i < left.length || j < right.length) {
      const l = left[i];
      const r = right[j];
      const ok =
        !r || (l && l.key < r.key)
          ? one(l, undefined, prefix) && ++i
          : !l || r.key < l.key
            ? one(undefined, r, prefix) && ++j
            : one(l, r, prefix) && ++i && ++j;
      if (!ok) return false;
    }
    return true;
  };
  return walk(from, to, '') ? out : null;
}

/**
 * Snapshots of the whole working tree as commits under refs/harness/, made with git plumbing and
 * a private index: HEAD, branches, the person's index, the stash and hooks are never touched.
 * Outside a git repository the snapshots live in a private repository in harness's state dir.
 *
 * Exact, byte for byte: names are bytes (any, UTF-8 or not), content is recorded and restored
 * without the repository's attributes, filters or end-of-line settings (git commands that read or
 * write the working tree run in a scan repository of harness's own whose info/attributes turns
 * all conversion off, sharing the workspace's objects), symlinks and the executable bit as git
 * keeps them, other mode bits and empty directories beside the tree.
 */
export class CheckpointStore {
  private readonly env: GitEnv;
  /** The same objects and index, but harness's own repository for anything that reads or writes the working tree. */
  private readonly scanEnv: GitEnv;
  /** Serializes snapshots and restores: parallel tool calls never interleave. */
  private queue: Promise<unknown> = Promise.resolve();
  private readonly objects: LooseObjectWriter;
  private readonly refs: RefUpdater;
  /** Trees the in-process diff read, or the tracker's model told (see looseTreeDiff). */
  private readonly parsedTrees = new Map<string, readonly TreeEntry[]>();
  private readonly noteTree = (oid: string, entries: TreeEntry[]): void => {
    this.parsedTrees.delete(oid);
    this.parsedTrees.set(oid, entries);
    if (this.parsedTrees.size > PARSED_TREES) this.parsedTrees.delete(this.parsedTrees.keys().next().value!);
  };
  private tracker: WorkingTreeTracker | null = null;
  private readonly changeListeners = new Set<(paths: string[]) => void>();
  private readonly noticeListeners = new Set<(notice: ScanNotice) => void>();
  /** The newest checkpoint of each session this store wrote or read. */
  private readonly heads = new Map<string, Head>();
  /** Files currently left out for their size (byte paths). */
  private readonly skipped = new Set<string>();
  readonly maxFileBytes: number;
  /** The repository config's core.excludesFile, if it names one. */
  private excludesFile: string | null = null;
  /**
   * What the ignore rules outside the tree (info/exclude, core.excludesFile) held at the last full
   * scan, hashed: a file they stop hiding is on disk from before, not the agent's (see `adoptions`).
   */
  private rulesKey = '';
  /** How the working tree was read so far: incremental updates vs full scans, and reconciles before rollbacks. */
  readonly scans = { incremental: 0, full: 0, reconcile: 0 };

  private constructor(
    readonly workspace: string,
    private readonly dir: string,
    env: GitEnv,
    objects: { dir: string; format: ObjectFormat },
    options: StoreOptions,
  ) {
    this.env = env;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.objects = new LooseObjectWriter(objects.dir, objects.format);
    this.refs = new RefUpdater(env);
    this.scanEnv = {
      gitDir: join(dir, 'scan.git'),
      commonDir: join(dir, 'scan.git'),
      objectDir: objects.dir,
      workTree: env.workTree,
      indexFile: env.indexFile,
    };
    this.prepareScanRepository(objects.format);
  }

  static open(workspace: string, stateDir: string, options: StoreOptions = {}): CheckpointStore {
    const ws = resolve(workspace);
    const dir = join(stateDir, 'checkpoints');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    let gitDir: string;
    let commonDir: string;
    let objectDir: string;
    let format: ObjectFormat = 'sha1';
    const plainEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_') || k === 'GIT_EXEC_PATH'));
    try {
      const out = execFileSync(
        'git',
        ['rev-parse', '--absolute-git-dir', '--git-common-dir', '--show-toplevel', '--show-object-format', '--git-path', 'objects'],
        { cwd: ws, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...plainEnv, GIT_OPTIONAL_LOCKS: '0' } },
      );
      const [found, common, top, fmt, objects] = out.replace(/\n$/, '').split('\n');
      // a nested checkout of another repository is not this workspace's repository
      if (!found || !common || !top || !objects || resolve(top) !== ws) throw new Error('workspace is not the repository root');
      gitDir = found;
      commonDir = resolve(ws, common);
      objectDir = resolve(ws, objects);
      if (fmt === 'sha256') format = 'sha256';
    } catch {
      gitDir = join(dir, 'repo.git');
      commonDir = gitDir;
      objectDir = join(gitDir, 'objects');
      if (!existsSync(join(gitDir, 'HEAD'))) execFileSync('git', ['init', '-q', '--bare', gitDir], { stdio: 'ignore', env: plainEnv });
    }
    return new CheckpointStore(
      ws,
      dir,
      { gitDir, commonDir, workTree: ws, indexFile: join(dir, options.indexName ?? 'index') },
      { dir: objectDir, format },
      options,
    );
  }

  /**
   * The scan repository: a git dir of harness's own (config, HEAD, info/) whose objects are the
   * workspace's. Its info/attributes turns all content conversion off; its info/exclude is the
   * workspace's, copied before each full scan; its config holds the few settings of the
   * workspace's that decide what is ignored.
   */
  private prepareScanRepository(format: ObjectFormat): void {
    const scan = this.scanEnv.gitDir;
    mkdirSync(join(scan, 'info'), { recursive: true, mode: 0o700 });
    mkdirSync(join(scan, 'refs'), { recursive: true });
    const write = (name: string, text: string): void => writeIfChanged(join(scan, name), text);
    write('HEAD', 'ref: refs/heads/harness-scan\n');
    write('info/attributes', NO_CONVERSION);
    const lines = ['[core]', '\trepositoryformatversion = ' + (format === 'sha256' ? '1' : '0'), '\tbare = false'];
    const theirs = join(this.env.commonDir ?? this.env.gitDir, 'config');
    const get = (key: string, type?: string): string | null => {
      try {
        return (
          execFileSync('git', ['config', '--file', theirs, ...(type ? [type] : []), '--get', key], {
            encoding: 'utf8',
            stdio: ['ignore', 'pipe', 'ignore'],
          }).trim() || null
        );
      } catch {
        return null;
      }
    };
    if (existsSync(theirs)) {
      for (const key of ['ignorecase', 'precomposeunicode']) {
        const v = get(`core.${key}`, '--bool');
        if (v) lines.push(`\t${key} = ${v}`);
      }
      const excludes = get('core.excludesfile', '--path');
      if (excludes) {
        this.excludesFile = resolve(this.workspace, excludes);
        lines.push(`\texcludesfile = ${JSON.stringify(this.excludesFile)}`);
      }
    }
    if (format === 'sha256') lines.push('[extensions]', '\tobjectformat = sha256');
    write('config', lines.join('\n') + '\n');
    this.copyExcludes();
  }

  /** The workspace's info/exclude, as the scan repository's (the ignore rules must be theirs). */
  private copyExcludes(): void {
    let text = '';
    try {
      text = readFileSync(join(this.env.commonDir ?? this.env.gitDir, 'info', 'exclude'), 'latin1');
    } catch {
      // none
    }
    writeIfChanged(join(this.scanEnv.gitDir, 'info', 'exclude'), text, 'latin1');
    let theirs = '';
    try {
      if (this.excludesFile) theirs = readFileSync(this.excludesFile, 'latin1');
    } catch {
      // none
    }
    this.rulesKey = createHash('sha1').update(text, 'latin1').update('\0').update(theirs, 'latin1').digest('hex').slice(0, 16);
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    // work asked for while tracking waits to begin (see trackWhen): tracking's full scan comes first
    this.pendingTrack?.();
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Hears why a checkpoint fell back to a full scan, and what a reconcile before a rollback found, until the returned function is called. */
  onNotice(listener: (notice: ScanNotice) => void): () => void {
    this.noticeListeners.add(listener);
    return () => void this.noticeListeners.delete(listener);
  }

  private notice(kind: ScanNotice['kind'], message: string): void {
    for (const l of this.noticeListeners) {
      try {
        l({ kind, message });
      } catch {
        // a listener's failure is not the checkpoint's
      }
    }
  }

  /** Begins the `trackWhen` that is waiting, at once (null: none is). */
  private pendingTrack: (() => void) | null = null;
  private closed = false;

  /**
   * `track()` once `ready` settles, or as soon as any work is asked of the store (a checkpoint, a
   * diff, a rollback), whichever comes first: whatever the store answers, it answers from the
   * tracked tree, and a scan that can wait leaves the machine to the agent's start meanwhile.
   */
  trackWhen(ready: Promise<unknown>): Promise<boolean> {
    if (this.tracker) return this.track();
    return new Promise<boolean>((resolve) => {
      const begin = (): void => {
        if (this.pendingTrack !== begin) return;
        this.pendingTrack = null;
        resolve(this.closed ? false : this.track());
      };
      this.pendingTrack = begin;
      ready.then(begin, begin);
    });
  }

  /**
   * Follows the working tree from now on (Linux: inotify), so that a checkpoint after a small
   * change costs the same in a repository of any size. Without it every checkpoint is a full scan.
   */
  async track(): Promise<boolean> {
    if (this.tracker) return true;
    if (!DirtyWatcher.supported()) return false;
    const tracker = new WorkingTreeTracker(this.scanEnv, this.objects, new DirtyWatcher(this.workspace, this.dir), this.maxFileBytes, this.skipped);
    try {
      this.tracker = tracker;
      this.wireListener();
      // the tree only: the mode bits of every file are read after, while the agent starts
      await this.serialize(() => this.currentTree({ treeOnly: true }));
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- close() can drop the tracker during the await; the type still has it from the assignment above
      return this.tracker !== null;
    } catch {
      tracker.close();
      this.tracker = null;
      return false;
    }
  }

  /**
   * Hears the working tree's changes as they happen (batched per event-loop turn) until the
   * returned function is called. Only while tracking: the same watches that feed incremental
   * checkpoints. Paths as `shown` gives them.
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
      batch.push(shown(path));
    };
  }

  /** The paths (as `shown` gives them) git's ignore rules do not exclude. */
  async notIgnored(paths: string[]): Promise<string[]> {
    if (!this.tracker || paths.length === 0) return paths;
    const ignored = await this.tracker.ignored(paths.map(fromShown));
    return paths.filter((p) => !ignored.has(fromShown(p)));
  }

  /** Stops following the working tree (the end of a session). */
  close(): void {
    this.closed = true;
    this.pendingTrack?.();
    this.tracker?.close();
    this.tracker = null;
    this.refs.close();
  }

  /**
   * The tree of the working tree as it is now: incrementally when tracking, else a full scan.
   * `previous`: the tree whose files stay recorded even if now ignored (when not tracking; the
   * tracker's own model says it otherwise). `reconcile`: check every recorded file's stat
   * against disk too, for writes the watcher cannot see (mmap) — before a rollback.
   */
  private async currentTree(
    options: {
      force?: string[] | undefined;
      forcedRaw?: string[];
      previous?: string | null | undefined;
      restored?: string | null | undefined;
      reconcile?: boolean;
      treeOnly?: boolean;
      noteTrees?: boolean;
    } = {},
  ): Promise<Scan> {
    const scannedAt = Date.now();
    const force = options.force ?? [];
    let forced = [...force.map((p) => relativeRaw(this.workspace, p)).filter((p): p is string => p !== null), ...(options.forcedRaw ?? [])];
    const tracker = this.tracker;
    if (tracker && options.forcedRaw) tracker.markTouched(options.forcedRaw);
    if (tracker?.tracking) {
      // a reconcile's stat check of every recorded file runs while the watcher's changes are read
      const dirty = options.reconcile && this.indexTree ? this.statDirty().catch(() => null) : null;
      const up = await tracker.update(force, options.noteTrees ? this.noteTree : undefined);
      if ('tree' in up) {
        this.scans.incremental++;
        let tree = up.tree;
        if (options.reconcile) tree = await this.reconcile(tracker, tree, dirty);
        const outside = await this.trackedOutside(tracker, options.treeOnly);
        trace('checkpoint: what git cannot hold noted');
        return { tree, full: false, adoptable: up.adoptable, forced, outside, scannedAt, rules: this.rulesKey };
      }
      forced = [...new Set([...forced, ...up.forced])];
      // what the watcher saw change is hashed again, whatever git's whole-second stat check says
      for (const p of up.changed) if (!this.recent.has(p)) this.recent.set(p, '');
      this.notice('full-scan', `checkpoint by a full scan: ${up.fallback}`);
    }
    this.scans.full++;
    const previous = tracker?.lastTree ?? options.previous ?? null;
    if (tracker) await tracker.watchAll();
    trace('scan: walked');
    const tree = await this.fullScan(forced, previous, tracker ? null : (options.restored ?? null));
    let outside: OutsideSets;
    if (tracker && this.tracker) {
      const lsTree = await git(this.env, ['ls-tree', '-r', '-t', '-z', '--full-tree', tree], undefined, { raw: true });
      const model = TreeModel.fromLsTree(tree, lsTree);
      trace('scan: model');
      if (model.size > MAX_TRACKED_FILES) {
        this.close();
        outside = await this.walkOutside(previous, scannedAt);
      } else {
        tracker.reset(model, tree);
        return { tree, full: true, adoptable: [], forced, outside: await this.trackedOutside(tracker, options.treeOnly), scannedAt, rules: this.rulesKey };
      }
    } else outside = await this.walkOutside(previous, scannedAt);
    return { tree, full: true, adoptable: [], forced, outside: this.outsideOf(outside), scannedAt, rules: this.rulesKey };
  }

  /** The tracker's notes, once the mode bits of its last full scan are read (not needed for the tree alone). */
  private async trackedOutside(tracker: WorkingTreeTracker, treeOnly = false): Promise<OutsideGit | undefined> {
    if (treeOnly) return undefined;
    await tracker.modesReady();
    return this.outsideOf(tracker.outside);
  }

  private outsideOf(sets: OutsideSets): OutsideGit | undefined {
    // a nested repository that is gone is no longer worth naming
    for (const n of sets.nested) if (!lstatOrNull(absolute(this.workspace, n))?.isDirectory()) sets.nested.delete(n);
    return toMessage(sets);
  }

  /** The tree the private index holds (after the last full scan), while known. */
  private indexTree: string | null = null;

  /** Recorded files whose stat differs from the private index (git's check, read-only). */
  private async statDirty(): Promise<string[]> {
    return (await git(this.scanEnv, ['diff-files', '-z', '--name-only'], undefined, { raw: true })).split('\0').filter(Boolean);
  }

  /**
   * Before a rollback: every recorded file's stat against the private index (git's own stat check,
   * read-only), and every file recorded since the last full scan, read again: a write the watcher
   * could not see (through mmap) is in the checkpoint of the present. What it finds goes into the
   * model, and is reported.
   */
  private async reconcile(tracker: WorkingTreeTracker, incremental: string, dirtyStat: Promise<string[] | null> | null): Promise<string> {
    this.scans.reconcile++;
    const dirty = dirtyStat ? await dirtyStat : null;
    if (!dirty || !this.indexTree) return this.reconcileByIndex(tracker, incremental);
    const paths = new Set([...dirty, ...tracker.sinceScan, ...this.recent.keys()]);
    if (paths.size > RECONCILE_READS) return this.reconcileByIndex(tracker, incremental);
    const missed: string[] = [];
    for (const p of paths) {
      const old = tracker.leaf(p);
      // a nested repository is not ours to read; a path the model dropped since the scan, it dropped on purpose
      if (old?.mode === GITLINK_MODE || (!old && tracker.sinceScan.has(p))) continue;
      const now = tracker.readLeaf(p);
      if (old ? now && now.mode === old.mode && now.oid === old.oid : !now) continue;
      // the disk decides
      tracker.patch(p, now);
      missed.push(shown(p));
    }
    return this.reconciled(tracker, incremental, missed);
  }

  private reconciled(tracker: WorkingTreeTracker, incremental: string, missed: string[]): string {
    if (missed.length === 0) return incremental;
    this.notice(
      'reconcile',
      `the full scan before the rollback found ${missed.length} change(s) the watcher could not see (e.g. writes through mmap): ${missed.slice(0, 10).join(', ')}${missed.length > 10 ? ' …' : ''}`,
    );
    return tracker.writeTree();
  }

  /** The reconcile when too much changed since the last full scan: `git add -u` refreshes the index, and where it and the model differ the disk decides. */
  private async reconcileByIndex(tracker: WorkingTreeTracker, incremental: string): Promise<string> {
    const { tree: scanned } = await this.addAll('tracked');
    this.indexTree = scanned;
    tracker.sinceScan.clear();
    if (scanned === incremental) return incremental;
    const missed: string[] = [];
    const changes = await this.rawChanges(incremental, scanned);
    this.noteRecent(changes);
    // where model and index still differ after this, the next reconcile reads again
    for (const c of changes) tracker.sinceScan.add(c.path);
    for (const c of changes) {
      if (c.oldMode === GITLINK_MODE || c.newMode === GITLINK_MODE) {
        // a nested repository's HEAD moved: the model learns it, no watcher could have told
        tracker.patch(c.path, c.status === 'deleted' ? null : { mode: c.newMode as LeafMode, oid: c.newOid });
        continue;
      }
      // git's stat check has whole seconds, the watcher misses mmap writes; a path missing from
      // the index (new since the last full scan, ignored, written by a tool) is read here too
      const now = tracker.readLeaf(c.path);
      if (now ? now.mode === c.oldMode && now.oid === c.oldOid : c.status === 'added') continue;
      tracker.patch(c.path, now);
      missed.push(shown(c.path));
    }
    return this.reconciled(tracker, incremental, missed);
  }

  /**
   * Index records of files the last scan hashed: git's stat check has whole seconds here, so a
   * same-size write in the same second with the mtime put back would pass it; the next scan hashes
   * them again.
   */
  private recent = new Map<string, string>(); // path -> "mode oid" to set afresh, or '' to drop from the index

  private noteRecent(changes: RawChange[]): void {
    for (const c of changes) if (c.status !== 'deleted' && c.newMode !== GITLINK_MODE) this.recent.set(c.path, `${c.newMode} ${c.newOid}`);
  }

  /**
   * `git add -A` into the private index (without files over the size cap), then its tree; `fresh`:
   * the untracked files it considered. `tracked`: `add -u` instead, every recorded file's stat
   * checked against disk but no walk for new ones (the watcher never misses a new name).
   */
  private async addAll(which: 'all' | 'tracked' = 'all'): Promise<{ tree: string; fresh: Set<string> }> {
    if (this.recent.size > 0) {
      // an entry set afresh has no stat data, one removed is no longer there: add -A hashes the file again
      const recent = [...this.recent].slice(0, 10_000);
      // the rest wait for the next scan
      for (const [p] of recent) this.recent.delete(p);
      const reset = recent.filter(([, v]) => v !== '');
      const removed = recent.filter(([, v]) => v === '').map(([p]) => p);
      if (reset.length > 0)
        await git(this.scanEnv, ['update-index', '-z', '--index-info'], rawBytes(reset.map(([p, v]) => `${v}\t${p}\0`).join(''))).catch(() => undefined);
      if (removed.length > 0)
        await git(this.scanEnv, ['update-index', '--force-remove', '-z', '--stdin'], rawBytes(removed.join('\0') + '\0')).catch(() => undefined);
    }
    let fresh: string[] = [];
    if (which === 'all') {
      for (const p of this.skipped) if (!this.tooLarge(p)) this.skipped.delete(p);
      fresh = (await git(this.scanEnv, ['ls-files', '-z', '-o', '--exclude-standard'], undefined, { raw: true })).split('\0').filter(Boolean);
      for (const p of fresh) if (this.tooLarge(p)) this.skipped.add(p);
    }
    const excludes = [...this.skipped];
    const spec = excludes.length > 0 ? ['.', ...excludes.map((p) => `:(exclude,literal)${p}`)] : [];
    await git(
      this.scanEnv,
      ['add', which === 'all' ? '-A' : '-u', '--ignore-errors', ...(spec.length ? ['--pathspec-from-file=-', '--pathspec-file-nul'] : [])],
      spec.length ? rawBytes(spec.join('\0') + '\0') : undefined,
    ).catch((e: unknown) => {
      // with --ignore-errors git records everything it can and reports the rest (a file that
      // vanished mid-scan, a nested repository without a commit): only a fatal error loses the scan
      if (e instanceof GitError && /^fatal:/m.test(e.stderr)) throw e;
    });
    if (excludes.length > 0) await git(this.scanEnv, ['update-index', '--force-remove', '-z', '--stdin'], rawBytes(excludes.join('\0') + '\0'));
    return { tree: (await git(this.scanEnv, ['write-tree'])).trim(), fresh: new Set(fresh) };
  }

  /** Which of `paths` (byte paths) the ignore rules exclude, as check-ignore judges (leading directories included). */
  private async checkIgnored(paths: string[]): Promise<Set<string>> {
    const check = new IgnoreCheck(this.scanEnv);
    try {
      return await check.ignored(paths);
    } finally {
      check.close();
    }
  }

  /** Adds `paths` (byte paths) to the private index whatever the ignore rules say. */
  private async addForced(paths: string[]): Promise<void> {
    const some = paths.filter((p) => !this.tooLarge(p));
    if (some.length === 0) return;
    const add = (list: string[]) =>
      git(
        this.scanEnv,
        ['--literal-pathspecs', 'add', '-f', '--ignore-errors', '--pathspec-from-file=-', '--pathspec-file-nul'],
        rawBytes(list.join('\0') + '\0'),
      );
    try {
      await add(some);
    } catch {
      // one path git refuses (inside a nested repository …) must not lose the others
      for (const p of some) await add([p]).catch(() => undefined);
    }
  }

  /**
   * Every file git would record (tracked, untracked not ignored, plus `force`), through the private
   * index, content as on disk; files over the size cap are left out. Files of `previous` still on
   * disk stay recorded though now ignored; so do ignored files the agent created (when tracking).
   */
  private async fullScan(force: string[], previous: string | null, also: string | null = null): Promise<string> {
    this.copyExcludes();
    const scanned = await this.addAll();
    trace('scan: add -A');
    let tree = scanned.tree;
    const extra = new Set<string>();
    // a file a tool is about to write (a directory there is not one)
    for (const p of force) if (entryAt(this.workspace, p)?.isDirectory() === false) extra.add(p);
    /** A recorded file the scan dropped (ignored now) that is still on disk stays recorded. */
    const keepIfThere = (c: RawChange): void => {
      const st = entryAt(this.workspace, c.path);
      if (st && (st.isFile() || st.isSymbolicLink())) extra.add(c.path);
    };
    if (also && also !== tree && also !== previous) {
      // what the last rollback wrote stays recorded too
      for (const c of await this.rawChanges(also, tree)) if (c.status === 'deleted' && c.oldMode !== GITLINK_MODE) keepIfThere(c);
    }
    if (previous && previous !== tree) {
      const added: string[] = [];
      const changes = await this.rawChanges(previous, tree);
      this.noteRecent(changes);
      for (const c of changes) {
        if (c.oldMode === GITLINK_MODE || c.newMode === GITLINK_MODE) continue;
        if (c.status === 'added' && scanned.fresh.has(c.path)) added.push(c.path);
        if (c.status === 'deleted') keepIfThere(c);
      }
      // git adds a new file in an ignored directory that holds recorded ones (it never looks at the
      // directory's rule again); what is ignored is judged the same everywhere: by check-ignore
      const ignored = [...(await this.checkIgnored(added))].filter((p) => !extra.has(p) && !(this.tracker && this.tracker.notBaseline([p]).length > 0));
      if (ignored.length > 0) {
        await git(this.scanEnv, ['update-index', '--force-remove', '-z', '--stdin'], rawBytes(ignored.join('\0') + '\0'));
        tree = (await git(this.scanEnv, ['write-tree'])).trim();
      }
    }
    if (this.tracker?.hasBaseline) {
      // ignored files and directories the agent made during the session are its changes too
      const ignored = (await git(this.scanEnv, ['ls-files', '-z', '-o', '-i', '--exclude-standard', '--directory'], undefined, { raw: true }))
        .split('\0')
        .filter(Boolean);
      for (const p of this.tracker.notBaseline(ignored)) {
        const path = p.replace(/\/$/, '');
        const st = lstatOrNull(absolute(this.workspace, path));
        // an empty directory has nothing to add (it is noted beside the tree)
        if (st && (!st.isDirectory() || readdirSync(absolute(this.workspace, path)).length > 0)) extra.add(path);
      }
    }
    if (extra.size > 0) {
      await this.addForced([...extra]);
      tree = (await git(this.scanEnv, ['write-tree'])).trim();
    }
    this.indexTree = tree;
    return tree;
  }

  /**
   * Without a watcher: what of the working tree git's tree cannot hold, by walking it (directories
   * git would look in, and ignored ones that hold recorded files): mode bits of recorded files,
   * empty directories, nested repositories, fifos.
   */
  private async walkOutside(previous: string | null, scannedAt: number): Promise<OutsideSets> {
    const sets = emptySets();
    // the private index holds exactly the tree just written
    const recorded = new Map<string, string>();
    /** Files changed in the second the scan began: git's whole-second stat check cannot tell a later same-second write. */
    const sameSecond = Math.floor(scannedAt / 1000) * 1000;
    const recordedDirs = new Set<string>();
    for (const record of (await git(this.scanEnv, ['ls-files', '-z', '--stage'], undefined, { raw: true })).split('\0')) {
      const tab = record.indexOf('\t');
      if (tab < 0) continue;
      const path = record.slice(tab + 1);
      const [mode, oid] = record.slice(0, tab).split(' ');
      recorded.set(path, `${mode} ${oid}`);
      for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
        const dir = path.slice(0, at);
        if (recordedDirs.has(dir)) break;
        recordedDirs.add(dir);
      }
    }
    const wasEmpty = previous ? fromMessage(this.outsideFor(previous)).emptyDirs : new Set<string>();
    const ignores = new IgnoreCheck(this.scanEnv);
    try {
      let level = [''];
      while (level.length > 0) {
        const next: string[] = [];
        const ignored = await ignores.ignored(level.filter((d) => d !== '' && !recordedDirs.has(d) && !wasEmpty.has(d)));
        for (const dir of level) {
          if (ignored.has(dir)) continue;
          let entries;
          try {
            entries = readdirSync(absolute(this.workspace, dir), { withFileTypes: true, encoding: 'buffer' });
          } catch {
            continue;
          }
          if (dir !== '' && entries.length === 0) sets.emptyDirs.add(dir);
          for (const e of entries) {
            const rel = dir ? `${dir}/${e.name.toString('latin1')}` : e.name.toString('latin1');
            if (rel === '.git') continue;
            if (e.isDirectory()) {
              if (lstatOrNull(absolute(this.workspace, `${rel}/.git`))) sets.nested.add(rel);
              else next.push(rel);
            } else if (e.isFile()) {
              const entry = recorded.get(rel);
              if (!entry) continue;
              const st = lstatOrNull(absolute(this.workspace, rel));
              const bits = st?.isFile() ? unusualMode(st) : null;
              if (bits !== null) sets.modes.set(rel, bits);
              if (st && st.ctimeMs >= sameSecond) this.recent.set(rel, entry);
            } else if (!e.isSymbolicLink()) sets.special.add(rel);
          }
        }
        level = next;
      }
    } finally {
      ignores.close();
    }
    return sets;
  }

  /** The outside-git notes of the checkpoint with tree `tree` this store knows of. */
  private outsideFor(tree: string): OutsideGit | undefined {
    for (const h of this.heads.values()) if (h.tree === tree && h.outside) return JSON.parse(h.outside) as OutsideGit;
    return undefined;
  }

  private tooLarge(path: string): boolean {
    const st = lstatOrNull(absolute(this.workspace, path));
    return !!st && st.isFile() && st.size > this.maxFileBytes;
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
  private async head(sessionId: string): Promise<Head | null> {
    const cached = this.heads.get(sessionId);
    if (cached) return cached;
    let out: string;
    try {
      out = await git(this.env, ['show', '-s', '--format=%H%x00%T%x00%ct%x00%B', `${REF_PREFIX}${sessionId}`, '--']);
    } catch {
      return null;
    }
    const [id, tree, ct, body] = out.split('\0');
    if (!id || !tree) return null;
    const meta = parseMessage(body ?? '');
    const head: Head = {
      id,
      tree,
      seq: meta.seq,
      scannedAt: meta.scannedAt ?? Number(ct) * 1000,
      outside: outsideKey(meta.outside),
      ...(meta.restores ? { restores: meta.restores } : {}),
      ...(meta.rules ? { rules: meta.rules } : {}),
    };
    this.heads.set(sessionId, head);
    return head;
  }

  /**
   * Takes a checkpoint unless nothing changed since the session's last one (or `always`); `force`
   * adds ignored files a tool is about to write (e.g. `.env`).
   */
  snapshot(meta: CheckpointMeta, options: { force?: string[] | undefined; always?: boolean } = {}): Promise<Checkpoint | null> {
    return this.serialize(async () => {
      const head = this.tracker ? null : await this.head(meta.sessionId);
      return this.commit(meta, await this.currentTree({ force: options.force, previous: head?.tree, restored: head?.restores }), options.always ?? false);
    });
  }

  /**
   * Checkpoints, newest first: of one session, or of all. `filesChanged` (a diff per checkpoint)
   * only when asked for.
   */
  async list(sessionId?: string, options: { filesChanged?: boolean } = {}): Promise<Checkpoint[]> {
    const refs = sessionId
      ? [`${REF_PREFIX}${sessionId}`]
      : (await git(this.env, ['for-each-ref', '--format=%(refname)', REF_PREFIX])).split('\n').filter(Boolean);
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
        out.push({ ...publicMeta(parseMessage(body ?? '')), id, tree, createdAt: Number(ct) * 1000, ...files });
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
    return { ...publicMeta(parseMessage(body ?? '')), id: found, tree, createdAt: Number(ct) * 1000 };
  }

  async resolve(name: string): Promise<Checkpoint> {
    const all = await this.list();
    const found = all.filter((c) => c.id.startsWith(name));
    if (found.length === 1) return found[0]!;
    throw new Error(
      found.length === 0 ? `no checkpoint "${name}" (see harness checkpoints)` : `"${name}" names ${found.length} checkpoints; give more characters`,
    );
  }

  private async rawChanges(fromTree: string, toTree: string): Promise<RawChange[]> {
    const parts = (await git(this.env, ['diff-tree', '-r', '-z', '--no-renames', fromTree, toTree], undefined, { raw: true })).split('\0');
    const changes: RawChange[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const [oldMode, newMode, oldOid, newOid, code] = parts[i]!.replace(/^:/, '').split(' ');
      const path = parts[i + 1]!;
      if (!path || !code) continue;
      const status = code === 'A' ? 'added' : code === 'D' ? 'deleted' : code === 'T' ? 'type-changed' : 'modified';
      changes.push({ status, path, oldMode: oldMode!, newMode: newMode!, oldOid: oldOid!, newOid: newOid! });
    }
    return changes;
  }

  /** The files that differ between two checkpoint trees. */
  async changesBetween(fromTree: string, toTree: string): Promise<ChangedPath[]> {
    return (await this.rawChanges(fromTree, toTree)).map(changedPath);
  }

  /**
   * Files first recorded after `target` (up to checkpoint `tip`) that were on disk, unrecorded,
   * before: a rollback to `target` brings back their first recorded content instead of deleting
   * them. Byte path -> mode and blob.
   */
  private async adoptedSince(target: Checkpoint, tip: string | null): Promise<Map<string, { mode: string; oid: string; bits: number | null }>> {
    const out = new Map<string, { mode: string; oid: string; bits: number | null }>();
    if (!tip || tip === target.id) return out;
    let log: string;
    try {
      log = await git(this.env, ['log', '--format=%x01%B', tip, `^${target.id}`, '--']);
    } catch {
      return out;
    }
    // oldest first: the first recorded content wins
    for (const entry of log.split('\x01').reverse()) {
      const adopted = parseMessage(entry).adopted;
      for (const [p, v] of Object.entries(adopted ?? {})) {
        const raw = fromShown(p);
        const [mode, oid, bits] = v.split(' ');
        if (!out.has(raw) && mode && oid) out.set(raw, { mode, oid, bits: bits ? parseInt(bits, 8) : null });
      }
    }
    return out;
  }

  /**
   * What restoring `target` changes, from the present tree: file changes (the target's view), and
   * what is left alone with the reason.
   */
  private async planFrom(
    presentTree: string,
    present: OutsideGit | undefined,
    target: Checkpoint,
    tip: string | null,
    raw?: RawChange[],
  ): Promise<{ changes: RawChange[]; notRestored: string[]; modes: Map<string, number>; going: Set<string> }> {
    const notRestored: string[] = [];
    /** Mode bits of files brought back as first recorded. */
    const modes = new Map<string, number>();
    const keep = new Set((target.skipped ?? []).map(fromShown));
    const changes: RawChange[] = [];
    for (const c of raw ?? (await this.rawChanges(presentTree, target.tree))) {
      if (c.oldMode === GITLINK_MODE || c.newMode === GITLINK_MODE) continue; // named below
      if (keep.has(c.path)) {
        notRestored.push(`${shown(c.path)}: over the size cap when the checkpoint was taken, left as it is`);
        continue;
      }
      changes.push(c);
    }
    const adopted = await this.adoptedSince(target, tip);
    // recorded empty directories the target lacks go before anything is written
    const going = new Set([...fromMessage(present).emptyDirs].filter((d) => !(target.outside?.emptyDirs ?? []).includes(shown(d))));
    if (adopted.size > 0) {
      const byPath = new Map(changes.map((c, i) => [c.path, i] as const));
      const drop = new Set<number>();
      for (const [p, leaf] of adopted) {
        if (leaf.bits !== null) modes.set(p, leaf.bits);
        const at = byPath.get(p);
        if (at !== undefined) {
          const c = changes[at]!;
          if (c.status !== 'deleted') continue;
          // on disk (unrecorded) before: its first recorded content comes back, it is not deleted
          if (c.oldMode === leaf.mode && c.oldOid === leaf.oid) drop.add(at);
          else
            changes[at] = {
              ...c,
              status: (c.oldMode === '120000') !== (leaf.mode === '120000') ? 'type-changed' : 'modified',
              newMode: leaf.mode,
              newOid: leaf.oid,
            };
        } else {
          const st = lstatOrNull(absolute(this.workspace, p));
          // a directory there may go with the rollback's removals: the write decides when it comes
          if (!st || st.isDirectory())
            changes.push({ status: 'added', path: p, oldMode: '000000', newMode: leaf.mode, oldOid: '0'.repeat(leaf.oid.length), newOid: leaf.oid });
          else notRestored.push(`${shown(p)}: not brought back, a file not in any checkpoint is in the way (left as it is)`);
        }
      }
      for (const i of [...drop].sort((a, b) => b - a)) changes.splice(i, 1);
      changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    }
    const nested = new Set([...(target.outside?.nested ?? []), ...(present?.nested ?? [])]);
    for (const n of [...nested].sort()) notRestored.push(`${n}: a nested repository, not recorded in checkpoints, left as it is`);
    const special = new Set([...(target.outside?.special ?? []), ...(present?.special ?? [])]);
    for (const s of [...special].sort()) notRestored.push(`${s}: a fifo, socket or device, git cannot hold it, left as it is`);
    if (target.outside?.count)
      notRestored.push(`the checkpoint noted ${target.outside.count} mode bits, empty directories and the like; only the first of each are restored exactly`);
    return { changes, notRestored, modes, going };
  }

  /** What restoring `target` would change in the working tree as it is now. */
  async plan(target: Checkpoint): Promise<RollbackPlan> {
    return this.serialize(async () => {
      const head = await this.head(target.sessionId);
      const present = await this.currentTree({ previous: head?.tree, restored: head?.restores, reconcile: true });
      const { changes, notRestored } = await this.planFrom(present.tree, present.outside, target, head?.id ?? null);
      // from the present's point of view: files the target lacks are deleted, and so on
      return { target, changes: changes.map(changedPath), notRestored };
    });
  }

  /** What changed in the working tree since checkpoint tree `tree` (e.g. during one tool call). */
  async changesSince(tree: string): Promise<ChangedPath[]> {
    return this.serialize(async () => {
      // in its place in the queue now, read once the event loop comes round: the answer the caller
      // is about to send (PostToolUse's) goes first
      await new Promise((resolve) => setImmediate(resolve));
      const now = (await this.currentTree({ previous: tree, treeOnly: true, noteTrees: true })).tree;
      // both trees were just written as loose objects (the tracker's, a scan's): read in-process
      const raw = looseTreeDiff(this.objects.objectsDir, this.objects.format, tree, now, this.parsedTrees);
      return raw ? raw.map(changedPath) : this.changesBetween(tree, now);
    });
  }

  /** A unified diff between two checkpoints, or a checkpoint and the working tree. */
  /** The patch between two checkpoints (or one and the working tree now), as the bytes the files hold: nothing decoded. */
  async diff(from: Checkpoint, to?: Checkpoint): Promise<Buffer> {
    return this.serialize(async () => {
      const toTree = to ? to.tree : (await this.currentTree({ previous: from.tree, treeOnly: true })).tree;
      return Buffer.from(await git(this.env, ['diff-tree', '-p', '--no-renames', '--binary', from.tree, toTree], undefined, { raw: true }), 'latin1');
    });
  }

  /**
   * Puts the working tree back as it was at `target`, byte for byte: modified files restored,
   * created files removed, deleted files brought back, modes, symlinks, other mode bits and empty
   * directories included; files that were on disk but first recorded after the target come back
   * as first recorded instead of going. Nested repositories, fifos and files the target left out
   * for their size are not touched, and named in `notRestored`. The present is checkpointed first
   * (kind `before-rollback`) after a full reconcile, so a rollback can itself be undone exactly.
   */
  restore(target: Checkpoint, sessionId: string): Promise<{ saved: Checkpoint | null; changes: ChangedPath[]; notRestored: string[] }> {
    return this.serialize(async () => {
      const head = await this.head(sessionId);
      let present = await this.currentTree({ previous: head?.tree, restored: head?.restores, reconcile: true });
      let raw = await this.rawChanges(present.tree, target.tree);
      // a file the rollback writes over that no checkpoint holds (it came back while ignored): the
      // checkpoint of the present records it first, so the undo brings it back
      const unrecorded = raw.filter((c) => c.status === 'added' && entryAt(this.workspace, c.path)?.isDirectory() === false).map((c) => c.path);
      if (unrecorded.length > 0) {
        present = await this.currentTree({ previous: head?.tree, restored: head?.restores, forcedRaw: unrecorded });
        raw = await this.rawChanges(present.tree, target.tree);
      }
      const saved = await this.commit(
        { sessionId, kind: 'before-rollback', summary: `before rolling back to ${target.id.slice(0, 12)}` },
        present,
        true,
        target.tree,
      );
      const { changes, notRestored, modes, going } = await this.planFrom(present.tree, present.outside, target, saved?.id ?? head?.id ?? null, raw);
      for (const c of changes) if (c.status === 'deleted' || c.status === 'type-changed') this.removePath(c.path);
      for (const d of going) {
        const st = entryAt(this.workspace, d);
        if (st?.isDirectory() && readdirSync(absolute(this.workspace, d)).length === 0) this.removePath(d);
      }
      // what no checkpoint holds is never clobbered: a directory of unrecorded files where a file
      // goes, an unrecorded file where a directory goes
      const blocked = new Set<RawChange>();
      const write = changes.filter((c) => {
        if (c.status === 'deleted') return false;
        const blocker = this.inTheWay(c.path);
        if (blocker) {
          notRestored.push(`${shown(c.path)}: not restored, ${blocker} is in the way (not in any checkpoint, left as it is)`);
          blocked.add(c);
        }
        return !blocker;
      });
      if (write.length > 0) {
        // a throwaway index holding just the files to write: cost follows the change, not the
        // repository; checked out by the scan repository, so no filter or eol conversion applies
        const scratch = { ...this.scanEnv, indexFile: join(this.dir, `restore-index-${process.pid}`) };
        rmSync(scratch.indexFile, { force: true });
        try {
          await git(scratch, ['update-index', '-z', '--index-info'], rawBytes(write.map((c) => `${c.newMode} ${c.newOid}\t${c.path}\0`).join('')));
          await git(scratch, ['checkout-index', '-a', '-f']);
        } finally {
          rmSync(scratch.indexFile, { force: true });
        }
      }
      const wanted = fromMessage(target.outside);
      for (const [p, bits] of modes) if (!wanted.modes.has(p)) wanted.modes.set(p, bits);
      this.restoreOutside(wanted, fromMessage(present.outside));
      const touched = changes.map((c) => c.path);
      // the index records a scan noted for hashing again are stale where the rollback wrote
      for (const p of touched) this.recent.delete(p);
      if (this.tracker) this.tracker.markTouched(touched);
      else if (write.length > 0) {
        // what the rollback wrote stays recorded, ignored or not (the private index is how a scan remembers)
        this.indexTree = null;
        // what went first (a file where a directory comes, and back), so the two never clash
        const zero = '0'.repeat(this.objects.format === 'sha1' ? 40 : 64);
        const gone = changes.filter((c) => c.status === 'deleted' || c.status === 'type-changed').map((c) => `0 ${zero}\t${c.path}\0`);
        await git(
          this.scanEnv,
          ['update-index', '-z', '--index-info'],
          rawBytes([...gone, ...write.map((c) => `${c.newMode} ${c.newOid}\t${c.path}\0`)].join('')),
        ).catch(() => undefined);
      }
      return { saved, changes: changes.filter((c) => !blocked.has(c)).map(changedPath), notRestored };
    });
  }

  /** What on disk keeps a file from being written at `path` (after the removals): a directory there, or a non-directory above. */
  private inTheWay(path: string): string | null {
    const st = lstatOrNull(absolute(this.workspace, path));
    if (st?.isDirectory()) return `the directory ${shown(path)}`;
    for (let at = path.indexOf('/'); at > 0; at = path.indexOf('/', at + 1)) {
      const up = lstatOrNull(absolute(this.workspace, path.slice(0, at)));
      if (!up) break;
      if (!up.isDirectory()) return `${up.isSymbolicLink() ? 'the symlink' : 'the file'} ${shown(path.slice(0, at))}`;
    }
    return null;
  }

  /** Mode bits and empty directories as the target noted them (after its files are back; the present's empty directories the target lacks went before). */
  private restoreOutside(target: OutsideSets, present: OutsideSets): void {
    const abs = (p: string) => absolute(this.workspace, p);
    // never through a symlink swapped in for a directory: what it leads to is not the workspace's
    const at = (p: string) => entryAt(this.workspace, p);
    for (const [p, bits] of target.modes) {
      const st = at(p);
      if (st?.isFile() && (st.mode & 0o7777) !== bits) chmodSync(abs(p), bits);
    }
    for (const p of present.modes.keys()) {
      if (target.modes.has(p)) continue;
      const st = at(p);
      // recorded with bits a checkout does not give, and the target has plain ones
      if (st?.isFile() && unusualMode(st) !== null) chmodSync(abs(p), (st.mode & 0o100 ? 0o777 : 0o666) & ~umask());
    }
    for (const d of [...target.emptyDirs].sort()) {
      if (lstatOrNull(abs(d))) continue;
      // only below directories (never through a symlink the agent put in its way)
      const parts = d.split('/');
      let ok = true;
      for (let i = 1; i < parts.length && ok; i++) {
        const st = lstatOrNull(abs(parts.slice(0, i).join('/')));
        ok = !st || st.isDirectory();
      }
      if (ok) mkdirSync(abs(d), { recursive: true });
    }
  }

  /**
   * Records `scan` as the session's next checkpoint (unless it equals the last one and `always` is
   * off). Files first recorded here that were on disk, unchanged, since before the previous
   * checkpoint's scan (a tool writes an ignored file; the ignore rules stopped hiding one) are
   * noted as adopted: a rollback to before this checkpoint brings them back instead of deleting them.
   */
  private async commit(meta: CheckpointMeta, scan: Scan, always: boolean, restores?: string): Promise<Checkpoint | null> {
    // another process may add to the same session's chain meanwhile (two `harness checkpoint`s): take the new head as parent
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.commitOnce(meta, scan, always, restores);
      } catch (e) {
        if (attempt >= 5 || !(e instanceof Error) || !/but expected|reference already exists|cannot lock ref/.test(e.message)) throw e;
        this.heads.delete(meta.sessionId);
      }
    }
  }

  private async commitOnce(meta: CheckpointMeta, scan: Scan, always: boolean, restores?: string): Promise<Checkpoint | null> {
    const { tree } = scan;
    const parent = await this.head(meta.sessionId);
    const key = outsideKey(scan.outside);
    if (parent && parent.tree === tree && parent.outside === key && !always) {
      // unchanged: what the last checkpoint holds was so when this scan began too
      parent.scannedAt = Math.max(parent.scannedAt, scan.scannedAt);
      return null;
    }
    const seq = (parent?.seq ?? 0) + 1;
    const skipped = [...this.skipped].sort().map(shown);
    const adopted = parent && parent.tree !== tree ? await this.adoptions(parent, scan) : {};
    const full: CheckpointMeta = { ...meta, ...(skipped.length > 0 ? { skipped: skipped.slice(0, SKIPPED_LISTED) } : {}) };
    const extra = {
      ...(skipped.length > SKIPPED_LISTED ? { skippedCount: skipped.length } : {}),
      scannedAt: scan.scannedAt,
      ...(scan.outside ? { outside: scan.outside } : {}),
      ...(Object.keys(adopted).length > 0 ? { adopted } : {}),
      ...(restores ? { restores } : {}),
      rules: scan.rules,
    };
    const message = `${meta.kind}: ${meta.summary.split('\n')[0]!.slice(0, 120)}\n\nharness-checkpoint ${JSON.stringify({ ...full, seq, ...extra })}\n`;
    const now = Date.now();
    const stamp = `harness <harness@localhost> ${Math.floor(now / 1000)} +0000`;
    const id = this.objects.write(
      'commit',
      Buffer.from(`tree ${tree}\n${parent ? `parent ${parent.id}\n` : ''}author ${stamp}\ncommitter ${stamp}\n\n${message}`),
    );
    const expected = parent?.id ?? '0'.repeat(id.length);
    trace('checkpoint: commit written');
    try {
      await this.refs.update(`${REF_PREFIX}${meta.sessionId}`, id, expected);
      trace('checkpoint: ref updated');
    } catch (error) {
      this.heads.delete(meta.sessionId);
      throw error;
    }
    this.heads.set(meta.sessionId, { id, tree, seq, scannedAt: scan.scannedAt, outside: key, ...(restores ? { restores } : {}), rules: scan.rules });
    return { ...full, id, tree, seq, createdAt: now, ...(scan.outside ? { outside: scan.outside } : {}) };
  }

  /** The adopted files of a new checkpoint (see `commit`): shown path -> "mode oid". */
  private async adoptions(parent: Head, scan: Scan): Promise<Record<string, string>> {
    const forced = new Set(scan.forced);
    let candidates: { path: string; mode: string; oid: string }[];
    if (scan.full) {
      const changes = await this.rawChanges(parent.tree, scan.tree);
      // the ignore rules changed: in a .gitignore, or outside the tree (info/exclude, core.excludesFile)
      const rules = changes.some((c) => RULE_FILES.test(c.path)) || (parent.rules !== undefined && parent.rules !== scan.rules);
      if (!rules && forced.size === 0) return {};
      candidates = changes
        .filter((c) => c.status === 'added' && c.newMode !== GITLINK_MODE && (rules || forced.has(c.path)))
        .map((c) => ({ path: c.path, mode: c.newMode, oid: c.newOid }));
    } else {
      candidates = scan.adoptable.flatMap((path) => {
        const leaf = this.tracker?.leaf(path);
        return leaf ? [{ path, mode: leaf.mode, oid: leaf.oid }] : [];
      });
    }
    const out: Record<string, string> = {};
    let n = 0;
    for (const c of candidates) {
      const st = lstatOrNull(absolute(this.workspace, c.path));
      // unchanged since before the previous checkpoint's scan began: it was there, unrecorded
      if (!st || st.ctimeMs >= parent.scannedAt) continue;
      if (++n > ADOPTED_LISTED) break;
      const bits = st.isFile() ? unusualMode(st) : null;
      out[shown(c.path)] = `${c.mode} ${c.oid}${bits === null ? '' : ` ${bits.toString(8).padStart(4, '0')}`}`;
    }
    return out;
  }

  /**
   * Removes a file (or symlink, or empty directory) and the directories it leaves empty, never
   * above the workspace. A directory with something in it is not what a checkpoint recorded
   * there: it stays (what no checkpoint holds is never deleted).
   */
  private removePath(path: string): void {
    const abs = absolute(this.workspace, path);
    if (path === '' || path.split('/').includes('..')) return;
    try {
      const st = entryAt(this.workspace, path);
      if (!st) return;
      if (st.isDirectory()) rmdirSync(abs);
      else rmSync(abs, { force: true });
    } catch {
      return;
    }
    for (let dir = dirname(path); dir !== '.' && dir !== ''; dir = dirname(dir)) {
      const a = absolute(this.workspace, dir);
      try {
        if (readdirSync(a).length > 0) break;
        rmdirSync(a);
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
