import { closeSync, constants, fstatSync, openSync, readdirSync, readFileSync, readlinkSync, type Stats } from 'node:fs';
import { IgnoreCheck } from './git-pipe.js';
import type { GitEnv } from './git.js';
import type { LooseObjectWriter } from './objects.js';
import { emptySets, unusualMode, type OutsideSets } from './outside.js';
import { absolute, entryAt, lstatOrNull, relativeRaw, shown } from './paths.js';
import { Dir, GITLINK_MODE, type Leaf, type TreeModel } from './tree-model.js';
import type { DirtyWatcher } from './watcher.js';
import { trace } from '../trace.js';

/** Thrown when only a full scan can say what git would record (a new nested repository, a .gitignore edit …). */
class NeedsFullScan extends Error {}

/** How many of the files read last are stat-checked at each update, for writes inotify never reports (mmap). */
const LATELY_READ = 256;
/** At most this many paths tools declared they write are remembered as the agent's (see `update`). */
const MAX_CLAIMED = 1000;
/** A file modified this close to when it was read may have changed again within the clock's step (git's "racy" case). */
const RACY_MS = 50;

interface ReadStat {
  mtimeMs: number;
  ctimeMs: number;
  size: number;
  ino: number;
  readAt: number;
}

/** At most this many tree entries are noted per update for an in-process diff (see `noteTrees`). */
const NOTED_ENTRIES = 5000;

/** One entry of a git tree, keyed as git orders them (a directory's name with '/' after it); names are byte strings. */
export interface TreeEntry {
  key: string;
  mode: string;
  oid: string;
}

/** Hears the entries of a tree the model holds, by its id. */
export type TreeNotes = (oid: string, entries: TreeEntry[]) => void;

/** Files whose change alters which other files are recorded. (Attributes do not: checkpoints ignore them.) */
export const RULE_FILES = /(^|\/)\.gitignore$/;

interface Candidate {
  path: string;
  st: Stats;
}

/** One incremental update: the tree, or why it could not be trusted (the caller does a full scan and says why). */
export type Update = { tree: string; adoptable: string[] } | { fallback: string; forced: string[]; changed: string[] };

/**
 * Keeps the tree model in step with the working tree from the watcher's dirty set: each
 * checkpoint re-reads only the paths that changed (and walks only directories that are new),
 * records content as it is on disk (no attributes, filters or end-of-line conversion: the bytes
 * are hashed here), and asks git only which new paths its ignore rules exclude. Returns a fallback
 * reason whenever it cannot be sure; the caller then does a full scan.
 *
 * What is recorded, beyond what git does not ignore: files already recorded (hiding one behind a
 * new ignore rule does not drop it), files a tool is about to write, and ignored files the agent
 * creates during the session. Not recorded: what was ignored when the session began (the
 * "baseline": caches, build output, secrets), unless a tool writes it.
 */
export class WorkingTreeTracker {
  private model: TreeModel | null = null;
  private readonly ignores: IgnoreCheck;
  /** Paths changed by harness itself (a restore), re-read at the next update and recorded whatever the ignore rules say. */
  private readonly touched = new Set<string>();
  /** What was ignored when tracking began (paths, whole directories): never recorded unless forced. Null until the first full scan. */
  private baseline: Set<string> | null = null;
  /** Entries the first walk saw: the baseline is what of them the first full scan did not record (and the walk did not enter). */
  private firstSeen: Set<string> | null = new Set();
  private readonly firstWalked = new Set<string>();
  /**
   * Paths the model set or removed since its last full scan: where it may differ from the
   * private index (which that scan left), so a reconcile reads them again.
   */
  readonly sinceScan = new Set<string>();
  /** Mode bits, empty directories, nested repositories and special files of the recorded tree. */
  readonly outside: OutsideSets = emptySets();
  /**
   * The files read last (at most LATELY_READ, oldest first) and their stat when read: a write
   * through a shared mapping (mmap) sends no inotify event, but moves the file's mtime when the
   * mapping is first written (and again after each writeback), so each update stat-checks these
   * and reads again those that moved. Files the agent works on are the ones it writes through
   * mmap too; others wait for the full reconcile before a rollback.
   */
  private readonly lately = new Map<string, ReadStat>();
  /** Paths a tool declared it writes (see `update`). */
  private readonly claimed = new Set<string>();

  constructor(
    private readonly env: GitEnv,
    private readonly writer: LooseObjectWriter,
    private readonly watcher: DirtyWatcher,
    /** Files larger than this are left out of checkpoints (and listed here while they are). */
    private readonly maxFileBytes: number,
    readonly skipped: Set<string>,
  ) {
    this.ignores = new IgnoreCheck(env);
  }

  private get workspace(): string {
    return this.env.workTree;
  }

  private abs(path: string): Buffer {
    return absolute(this.workspace, path);
  }

  get tracking(): boolean {
    return this.model !== null;
  }

  /** The tree the model held after its last update or reset (null before the first). */
  lastTree: string | null = null;

  /**
   * Watches every directory git would look in, afresh, and re-reads the mode bits, empty
   * directories and special files. Runs before each full scan, so that nothing slips between the
   * scan and the watches. Never throws: a directory it cannot watch marks the watcher lost.
   */
  async watchAll(): Promise<void> {
    this.watcher.unwatchTree('');
    const fresh = emptySets();
    this.walkedFiles = [];
    try {
      await this.visitDirectories([''], [], undefined, fresh);
    } catch (e) {
      this.watcher.markLost(`walking the workspace failed (${(e as Error).message})`);
    }
    this.pendingOutside = fresh;
    // the mode bits of what it found, read while git scans the tree (another process, another core)
    const early = new Map<string, number | null>();
    this.earlyModes = early;
    void this.readEarlyModes(this.walkedFiles, early);
  }

  /**
   * Mode bits read between the walk and the scan's model (path -> bits, null when usual): what
   * changes after its read is a watcher event, read again by the next update, which wins.
   */
  private earlyModes: Map<string, number | null> | null = null;

  private async readEarlyModes(files: string[], into: Map<string, number | null>): Promise<void> {
    for (let i = 0; i < files.length; i += 2000) {
      if (this.earlyModes !== into) return;
      for (const p of files.slice(i, i + 2000)) {
        const st = lstatOrNull(this.abs(p));
        into.set(p, st?.isFile() ? unusualMode(st) : null);
      }
      await new Promise((r) => setImmediate(r));
    }
  }

  /** The walk's findings, adopted once the full scan says which of its files are recorded. */
  private pendingOutside: OutsideSets | null = null;
  /** Regular files the last walk saw: their mode bits are read after the scan, off the critical path. */
  private walkedFiles: string[] = [];
  private modesPass: Promise<void> = Promise.resolve();
  private modesGeneration = 0;

  /** Resolves once the mode bits of the files of the last full scan are read (checkpoints wait for it, tracking's start does not). */
  modesReady(): Promise<void> {
    return this.modesPass;
  }

  /**
   * Reads the mode bits of `files` in slices between other work: each lstat is synchronous and
   * applied at once, so an incremental update that reads a file later always wins. Bits read early
   * (during the scan) are taken unless an update has read the file since.
   */
  private async readModes(files: string[], generation: number): Promise<void> {
    const o = this.outside;
    const early = this.earlyModes;
    this.earlyModes = null;
    for (let i = 0; i < files.length; i += 2000) {
      if (generation !== this.modesGeneration || !this.model) return;
      for (const p of files.slice(i, i + 2000)) {
        const mode = this.model.leaf(p)?.mode;
        if (mode !== '100644' && mode !== '100755') continue;
        let bits: number | null | undefined = early?.get(p);
        if (bits !== undefined) {
          // read early: an update since read it afresh, and what it found stands
          if (this.sinceScan.has(p)) continue;
        } else {
          const st = lstatOrNull(this.abs(p));
          bits = st?.isFile() ? unusualMode(st) : null;
        }
        if (bits === null) o.modes.delete(p);
        else o.modes.set(p, bits);
      }
      await new Promise((r) => setImmediate(r));
    }
  }

  /** True when `path` or a directory above it was ignored when tracking began. */
  inBaseline(path: string): boolean {
    if (!this.baseline) return true;
    if (this.baseline.size === 0) return false;
    for (let at = path.length; at > 0; at = path.lastIndexOf('/', at - 1)) if (this.baseline.has(path.slice(0, at))) return true;
    return false;
  }

  /** Whether the baseline is known yet (after the first full scan). */
  get hasBaseline(): boolean {
    return this.baseline !== null;
  }

  /** Ignored paths a full scan must add: created during the session (not in the baseline). */
  notBaseline(paths: string[]): string[] {
    return this.baseline ? paths.filter((p) => !this.inBaseline(p.replace(/\/$/, ''))) : [];
  }

  /**
   * Adopts the model of a full scan (taken just after `watchAll`), and watches the directories of
   * it that walk skipped: ignored ones that hold recorded files.
   */
  reset(model: TreeModel, tree: string): void {
    this.model = model;
    this.lastTree = tree;
    this.sinceScan.clear();
    for (const dir of model.directories()) {
      if (!this.watcher.watching(dir) && lstatOrNull(this.abs(dir))?.isDirectory()) this.watcher.watch(dir);
    }
    const seen = this.firstSeen;
    if (seen) {
      // the baseline: what the first walk saw that the first scan did not record
      this.firstSeen = null;
      this.baseline = new Set([...seen].filter((p) => !model.get(p) && !this.firstWalked.has(p)));
      this.firstWalked.clear();
    }
    const found = this.pendingOutside;
    this.pendingOutside = null;
    if (found) {
      const o = this.outside;
      o.modes.clear();
      const files = this.walkedFiles;
      this.walkedFiles = [];
      const generation = ++this.modesGeneration;
      this.modesPass = this.readModes(files, generation).catch(() => undefined);
      o.emptyDirs.clear();
      for (const d of found.emptyDirs) o.emptyDirs.add(d);
      o.special.clear();
      for (const s of found.special) o.special.add(s);
    }
    this.outside.nested.clear();
    for (const g of model.gitlinks()) this.outside.nested.add(g);
  }

  /** Paths a restore wrote or removed: re-read at the next update, and recorded even if ignored. */
  markTouched(paths: string[]): void {
    for (const p of paths) this.touched.add(p);
  }

  /** The model's leaf at `path` (a byte path). */
  leaf(path: string): Leaf | undefined {
    return this.model?.leaf(path);
  }

  /** Sets or removes one entry of the model (a reconcile found the watcher missed it). */
  patch(path: string, leaf: Leaf | null): void {
    if (!this.model) return;
    this.sinceScan.add(path);
    if (leaf) this.model.set(path, leaf);
    else this.model.remove(path);
  }

  /** The model's tree now (after `patch`). */
  writeTree(): string {
    const tree = this.model!.writeTree(this.writer);
    this.lastTree = tree;
    return tree;
  }

  /**
   * The root tree of the working tree now, from the last one plus what changed; `force` names files
   * to record even if ignored (a tool is about to write them). A fallback reason: do a full scan.
   */
  async update(force: string[] = [], notes?: TreeNotes): Promise<Update> {
    const model = this.model;
    const forced = new Set(force.map((p) => relativeRaw(this.workspace, p)).filter((p): p is string => p !== null));
    // what a restore wrote is recorded whatever the ignore rules say, by this update or the full scan instead
    for (const p of this.touched) forced.add(p);
    this.touched.clear();
    // a file a tool said it writes is the agent's from then on, even where ignored from the start
    // (build/, a cache): one that did not exist yet when its call's checkpoint was taken is recorded
    // by the next, so a rollback to before the call removes it (no watch may see it appear there)
    for (const p of forced) if (this.claimed.size < MAX_CLAIMED) this.claimed.add(p);
    for (const p of this.claimed) if (!model?.leaf(p)) forced.add(p);
    if (!model) return { fallback: 'no tree to update yet', forced: [...forced], changed: [] };
    if (!(await this.watcher.barrier())) return { fallback: 'the watcher did not answer in time', forced: [...forced], changed: [] };
    const { paths, lost } = this.watcher.take();
    trace('checkpoint: the watcher caught up');
    const todo = new Set([...paths, ...forced]);
    for (const p of this.movedSinceRead(todo)) todo.add(p);
    if (lost) return { fallback: `the watcher may have missed changes: ${lost}`, forced: [...forced], changed: [...todo] };
    const before = new Set([...forced].filter((p) => model.leaf(p) !== undefined));
    try {
      const rule = [...todo].find((p) => RULE_FILES.test(p));
      if (rule) throw new NeedsFullScan(`${shown(rule)} changed`);
      // the trees on the changed paths, before and after: what a diff of the two reads
      if (notes) this.noteTrees(model, todo, notes);
      await this.sync([...todo], forced, model);
      trace('checkpoint: changed files read');
      const tree = model.writeTree(this.writer);
      trace('checkpoint: trees written');
      if (notes) this.noteTrees(model, todo, notes);
      this.lastTree = tree;
      // forced files recorded for the first time: maybe there, unrecorded, before (the caller decides)
      return { tree, adoptable: [...forced].filter((p) => !before.has(p) && model.leaf(p) !== undefined) };
    } catch (e) {
      // a NeedsFullScan, or a file that vanished or changed while read: the full scan is the
      // answer; the pipe may hold state from before the change (ignore rules), so start afresh
      this.ignores.close();
      return {
        fallback: e instanceof NeedsFullScan ? e.message : `the incremental update failed (${(e as Error).message})`,
        forced: [...forced],
        changed: [...todo],
      };
    }
  }

  /**
   * Tells `notes` the entries of the trees on the way to `paths` (and under those that are
   * directories) whose ids the model knows, up to NOTED_ENTRIES: a tree's id names its content, so
   * a diff may take them instead of reading the objects.
   */
  private noteTrees(model: TreeModel, paths: Iterable<string>, notes: TreeNotes): void {
    let budget = NOTED_ENTRIES;
    const seen = new Set<Dir>();
    const one = (dir: Dir): boolean => {
      if (!dir.oid || seen.has(dir)) return budget > 0;
      seen.add(dir);
      const entries: TreeEntry[] = [];
      for (const [name, child] of dir.children) {
        if (child instanceof Dir) {
          if (!child.oid) return budget > 0;
          entries.push({ key: `${name}/`, mode: '40000', oid: child.oid });
        } else entries.push({ key: name, mode: child.mode, oid: child.oid });
      }
      budget -= entries.length;
      // byte strings (latin1) compare as their bytes do
      entries.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
      notes(dir.oid, entries);
      return budget > 0;
    };
    const under = (dir: Dir): boolean => {
      if (!one(dir)) return false;
      for (const child of dir.children.values()) if (child instanceof Dir && !under(child)) return false;
      return true;
    };
    for (const path of paths) {
      let node: Leaf | Dir | undefined = model.root;
      for (const c of path.split('/')) {
        if (!(node instanceof Dir)) break;
        if (!one(node)) return;
        node = node.children.get(c);
      }
      if (node instanceof Dir && !under(node)) return;
    }
  }

  /** Files read lately whose stat moved since (or that were racily read), beside `todo`. */
  private movedSinceRead(todo: Set<string>): string[] {
    const out: string[] = [];
    for (const [p, was] of this.lately) {
      if (todo.has(p)) continue;
      const st = lstatOrNull(this.abs(p));
      if (!st || st.mtimeMs !== was.mtimeMs || st.ctimeMs !== was.ctimeMs || st.size !== was.size || st.ino !== was.ino || was.readAt - st.mtimeMs < RACY_MS)
        out.push(p);
    }
    return out;
  }

  /** Notes a file just read (see `lately`). */
  private readNow(path: string, st: Stats, readAt: number): void {
    this.lately.delete(path);
    this.lately.set(path, { mtimeMs: st.mtimeMs, ctimeMs: st.ctimeMs, size: st.size, ino: st.ino, readAt });
    if (this.lately.size > LATELY_READ) this.lately.delete(this.lately.keys().next().value!);
  }

  private async sync(paths: string[], forced: Set<string>, model: TreeModel): Promise<void> {
    const files: string[] = [];
    /** What sync's lstat found, so that `record` does not look again. */
    const seen = new Map<string, Stats>();
    const dirs: string[] = [];
    const parents = new Set<string>();
    const realDirs = new Map<string, boolean>();
    for (const path of paths.sort()) {
      if (path === '.git' || path.startsWith('.git/') || model.insideGitlink(path)) continue;
      const slash = path.lastIndexOf('/');
      parents.add(slash < 0 ? '' : path.slice(0, slash));
      // below a symlink swapped in for a directory is nothing of the workspace's: never read through it
      const st = entryAt(this.workspace, path, realDirs);
      if (!st) this.forget(path, model);
      else if (st.isDirectory()) {
        if (model.leaf(path)?.mode === GITLINK_MODE) continue;
        if (lstatOrNull(this.abs(`${path}/.git`))) throw new NeedsFullScan(`a new nested repository at ${shown(path)}`);
        // its parent saw it created, removed, renamed or re-permissioned: a directory here may be a
        // new one (inode numbers are reused at once), so watch it afresh and read it whole
        this.watcher.unwatchTree(path);
        dirs.push(path);
      } else {
        files.push(path);
        seen.set(path, st);
      }
    }
    await this.visitDirectories(dirs, files, model, this.outside, forced);
    await this.record(files, forced, model, seen);
    // a directory that lost or gained its last entry
    for (const dir of parents) if (dir !== '') this.checkEmpty(dir, model);
  }

  /** Notes whether `dir` is an empty directory now. */
  private checkEmpty(dir: string, model: TreeModel): void {
    const st = lstatOrNull(this.abs(dir));
    let empty = false;
    if (st?.isDirectory() && !model.insideGitlink(dir)) {
      try {
        empty = readdirSync(this.abs(dir)).length === 0;
      } catch {
        empty = false;
      }
    }
    if (empty && this.watcher.watching(dir)) this.outside.emptyDirs.add(dir);
    else this.outside.emptyDirs.delete(dir);
  }

  /** `path` is gone: from the model, the skipped list, the notes and the watches. */
  private forget(path: string, model: TreeModel): void {
    if (model.remove(path)) this.sinceScan.add(path);
    if (this.lately.size > 0) for (const p of this.lately.keys()) if (p === path || p.startsWith(`${path}/`)) this.lately.delete(p);
    this.watcher.unwatchTree(path);
    const under = (s: string) => s === path || s.startsWith(`${path}/`);
    for (const s of this.skipped) if (under(s)) this.skipped.delete(s);
    const o = this.outside;
    for (const s of o.modes.keys()) if (under(s)) o.modes.delete(s);
    for (const s of o.emptyDirs) if (under(s)) o.emptyDirs.delete(s);
    for (const s of o.nested) if (under(s)) o.nested.delete(s);
    for (const s of o.special) if (under(s)) o.special.delete(s);
  }

  /**
   * Walks new directories level by level and watches them; given the model (a sync, not just
   * watching), also collects their files and forgets what the model has there that the disk no
   * longer has. Notes empty directories, and (walking everything) mode bits and special files.
   */
  private async visitDirectories(
    start: string[],
    files: string[],
    model: TreeModel | undefined,
    notes: OutsideSets,
    forced: Set<string> = new Set(),
  ): Promise<void> {
    let level = start;
    const walkingAll = !model;
    while (level.length > 0) {
      const next: string[] = [];
      const ignored = await this.ignored(level.filter((d) => d !== '' && !(model?.get(d) instanceof Dir) && !forced.has(d)));
      for (const dir of level) {
        // ignored directories of the baseline are not ours; ones the agent made are
        if (ignored.has(dir) && this.inBaseline(dir)) {
          notes.emptyDirs.delete(dir);
          // a recorded file replaced by this directory is gone
          if (model && model.leaf(dir)) this.forget(dir, model);
          continue;
        }
        if (this.firstSeen) this.firstWalked.add(dir);
        const abs = this.abs(dir);
        const st = lstatOrNull(abs);
        if (!st?.isDirectory()) {
          // it changed while being read: record it as whatever it is now
          if (model && dir !== '') files.push(dir);
          continue;
        }
        if (!this.watcher.watch(dir) && model) throw new NeedsFullScan(`cannot watch ${shown(dir)}`);
        let entries;
        try {
          entries = readdirSync(abs, { withFileTypes: true, encoding: 'buffer' });
        } catch {
          continue;
        }
        // a nested repository (its .git a directory or a file): git records it as a gitlink, or not
        // at all; nothing inside it is the workspace's (told from its own listing: no stat per directory)
        if (dir !== '' && entries.some((e) => e.name.length === 4 && e.name.toString('latin1') === '.git')) {
          this.watcher.unwatchTree(dir);
          this.firstWalked.delete(dir);
          if (model && model.leaf(dir)?.mode !== GITLINK_MODE) throw new NeedsFullScan(`a new nested repository at ${shown(dir)}`);
          continue;
        }
        if (dir !== '' && entries.length === 0) notes.emptyDirs.add(dir);
        else notes.emptyDirs.delete(dir);
        const seen = new Set<string>();
        for (const e of entries) {
          const name = e.name.toString('latin1');
          const rel = dir ? `${dir}/${name}` : name;
          if (rel === '.git') continue;
          seen.add(name);
          this.firstSeen?.add(rel);
          if (e.isDirectory()) {
            // a gitlink the model holds is not walked
            if (model?.leaf(rel)?.mode !== GITLINK_MODE) next.push(rel);
          } else if (model) files.push(rel);
          else if (walkingAll) {
            if (e.isFile()) this.walkedFiles.push(rel);
            else if (!e.isSymbolicLink()) notes.special.add(rel);
          }
        }
        if (!model) continue;
        const node = model.get(dir);
        if (node instanceof Dir) {
          for (const name of [...node.children.keys()]) if (!seen.has(name)) this.forget(dir ? `${dir}/${name}` : name, model);
        } else if (node && model.remove(dir)) this.sinceScan.add(dir);
      }
      level = next;
    }
  }

  /**
   * Records files (and symlinks) byte for byte: not ignored, or already recorded, or forced, or new
   * since the session began; never too large.
   */
  private async record(paths: string[], forced: Set<string>, model: TreeModel, seen: Map<string, Stats>): Promise<void> {
    const candidates: Candidate[] = [];
    const o = this.outside;
    for (const path of paths) {
      const st = seen.get(path) ?? lstatOrNull(this.abs(path));
      if (!st) this.forget(path, model);
      else if (st.isFile() || st.isSymbolicLink()) candidates.push({ path, st });
      else {
        // fifos, sockets, devices: git records nothing; the checkpoint names them
        this.forget(path, model);
        o.special.add(path);
      }
    }
    const unknown = candidates.filter((c) => !model.leaf(c.path) && !forced.has(c.path) && !this.skipped.has(c.path));
    const ignored = await this.ignored(unknown.map((c) => c.path));
    for (const c of candidates) {
      o.special.delete(c.path);
      o.emptyDirs.delete(c.path);
      if (ignored.has(c.path) && this.inBaseline(c.path)) {
        if (model.get(c.path) instanceof Dir && model.remove(c.path)) this.sinceScan.add(c.path);
        o.modes.delete(c.path);
        continue;
      }
      if (c.st.isFile() && c.st.size > this.maxFileBytes) {
        this.skipped.add(c.path);
        if (model.remove(c.path)) this.sinceScan.add(c.path);
        o.modes.delete(c.path);
        continue;
      }
      this.skipped.delete(c.path);
      if (c.st.isSymbolicLink()) {
        const target = readlinkSync(this.abs(c.path), { encoding: 'buffer' });
        model.set(c.path, { mode: '120000', oid: this.writer.write('blob', target) });
        this.sinceScan.add(c.path);
        o.modes.delete(c.path);
      } else {
        const readAt = Date.now();
        const { oid, st } = this.hash(c.path);
        this.readNow(c.path, st, readAt);
        model.set(c.path, { mode: st.mode & 0o100 ? '100755' : '100644', oid });
        this.sinceScan.add(c.path);
        const bits = unusualMode(st);
        if (bits === null) o.modes.delete(c.path);
        else o.modes.set(c.path, bits);
      }
      // a file recorded in a directory no walk entered (an ignored one: a tool wrote into it): watch it from now on
      this.watchUp(c.path);
    }
  }

  /** Watches the directories above `path` that are not watched yet (up to one that is). */
  private watchUp(path: string): void {
    const dirs: string[] = [];
    for (let at = path.lastIndexOf('/'); at > 0; at = path.lastIndexOf('/', at - 1)) {
      const dir = path.slice(0, at);
      if (this.watcher.watching(dir)) break;
      dirs.push(dir);
    }
    for (const dir of dirs.reverse()) if (!this.watcher.watch(dir)) throw new NeedsFullScan(`cannot watch ${shown(dir)}`);
  }

  /** What a file or symlink on disk is as a leaf (its content hashed now), or null when it is neither. */
  readLeaf(path: string): Leaf | null {
    const st = lstatOrNull(this.abs(path));
    try {
      if (st?.isSymbolicLink()) return { mode: '120000', oid: this.writer.write('blob', readlinkSync(this.abs(path), { encoding: 'buffer' })) };
      if (!st?.isFile()) return null;
      const { oid, st: now } = this.hash(path);
      return { mode: now.mode & 0o100 ? '100755' : '100644', oid };
    } catch {
      return null;
    }
  }

  /** The file's content as a blob, exactly as on disk; never follows a symlink or blocks on a fifo swapped in. */
  private hash(path: string): { oid: string; st: Stats } {
    const fd = openSync(this.abs(path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw new NeedsFullScan(`${shown(path)} changed while read`);
      return { oid: this.writer.write('blob', readFileSync(fd)), st };
    } finally {
      closeSync(fd);
    }
  }

  /** Hears each changed path as the watcher sees it. */
  set listener(listener: ((path: string) => void) | null) {
    this.watcher.listener = listener;
  }

  /** Which of `paths` (byte paths) git's ignore rules exclude. */
  ignored(paths: string[]): Promise<Set<string>> {
    return this.ignores.ignored(paths);
  }

  close(): void {
    this.ignores.close();
    this.watcher.close();
  }
}
