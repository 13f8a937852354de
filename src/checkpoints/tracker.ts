import { existsSync, lstatSync, readdirSync, readlinkSync, type Stats } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { GitPipe } from './git-pipe.js';
import type { GitEnv } from './git.js';
import type { LooseObjectWriter } from './objects.js';
import { Dir, GITLINK_MODE, type TreeModel } from './tree-model.js';
import type { DirtyWatcher } from './watcher.js';

/** Thrown when only a full scan can say what git would record (a new nested repository, a .gitignore edit …). */
class NeedsFullScan extends Error {}

/** Files whose change alters what git records for other files. */
const RULE_FILES = /(^|\/)\.git(ignore|attributes)$/;

interface Candidate {
  path: string;
  st: Stats;
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path);
  } catch {
    return null;
  }
}

/**
 * Keeps the tree model in step with the working tree from the watcher's dirty set: each
 * checkpoint re-reads only the paths that changed (and walks only directories that are new), with
 * git's own rules for what is recorded — `.gitignore` via `check-ignore`, content filters via
 * `hash-object`. Returns null whenever it cannot be sure; the caller then does a full scan.
 */
export class WorkingTreeTracker {
  private model: TreeModel | null = null;
  private readonly hasher: GitPipe;
  private readonly ignores: GitPipe;
  /** Paths changed by harness itself (a restore), re-read at the next update. */
  private readonly touched = new Set<string>();

  constructor(
    private readonly env: GitEnv,
    private readonly writer: LooseObjectWriter,
    private readonly watcher: DirtyWatcher,
    /** Files larger than this are left out of checkpoints (and listed here while they are). */
    private readonly maxFileBytes: number,
    readonly skipped: Set<string>,
  ) {
    this.hasher = new GitPipe(env, ['hash-object', '-w', '--stdin-paths'], '\n', 1);
    this.ignores = new GitPipe(env, ['check-ignore', '--stdin', '-z', '-v', '-n', '--no-index'], '\0', 4);
  }

  private get workspace(): string {
    return this.env.workTree;
  }

  /**
   * Watches every directory git would look in, afresh. Runs before each full scan, so that nothing
   * slips between the scan and the watches.
   */
  async watchAll(): Promise<void> {
    this.watcher.unwatchTree('');
    await this.visitDirectories([''], []);
  }

  /**
   * Adopts the model of a full scan (taken just after `watchAll`), and watches the directories of
   * it that walk skipped: ignored ones that hold recorded files.
   */
  reset(model: TreeModel): void {
    this.model = model;
    for (const dir of model.directories()) {
      if (!this.watcher.watching(dir) && lstatOrNull(join(this.workspace, dir))?.isDirectory()) this.watcher.watch(dir);
    }
  }

  markTouched(paths: string[]): void {
    for (const p of paths) this.touched.add(p);
  }

  /**
   * The root tree of the working tree now, from the last one plus what changed; `force` names files
   * to record even if ignored (a tool is about to write them). Null: do a full scan instead.
   */
  async update(force: string[] = []): Promise<string | null> {
    const model = this.model;
    if (!model) return null;
    if (!(await this.watcher.barrier())) return null;
    const { paths, lost } = this.watcher.take();
    const forced = new Set(force.map((p) => this.relative(p)).filter((p): p is string => p !== null));
    const todo = new Set([...paths, ...this.touched, ...forced]);
    this.touched.clear();
    if (lost) return null;
    try {
      if ([...todo].some((p) => RULE_FILES.test(p))) throw new NeedsFullScan('rules changed');
      await this.sync([...todo], forced, model);
      return model.writeTree(this.writer);
    } catch {
      // a NeedsFullScan, or a file that vanished under hash-object: the full scan is the answer;
      // the pipes may hold state from before the change (attributes, ignore rules), so start afresh
      this.hasher.close();
      this.ignores.close();
      return null;
    }
  }

  private relative(path: string): string | null {
    const rel = relative(this.workspace, resolve(this.workspace, path));
    return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? null : rel;
  }

  private async sync(paths: string[], forced: Set<string>, model: TreeModel): Promise<void> {
    const files: string[] = [];
    const dirs: string[] = [];
    for (const path of paths.sort()) {
      if (path.includes('\uFFFD')) throw new NeedsFullScan('a name that is not UTF-8');
      if (path === '.git' || path.startsWith('.git/') || model.insideGitlink(path)) continue;
      const abs = join(this.workspace, path);
      const st = lstatOrNull(abs);
      if (!st) this.forget(path, model);
      else if (st.isDirectory()) {
        if (model.leaf(path)?.mode === GITLINK_MODE) continue;
        if (existsSync(join(abs, '.git'))) throw new NeedsFullScan('a new nested repository');
        // its parent saw it created, removed, renamed or re-permissioned: a directory here may be a
        // new one (inode numbers are reused at once), so watch it afresh and read it whole
        this.watcher.unwatchTree(path);
        dirs.push(path);
      } else files.push(path);
    }
    await this.visitDirectories(dirs, files, model);
    await this.record(files, forced, model);
  }

  /** `path` is gone: from the model, the skipped list and the watches. */
  private forget(path: string, model: TreeModel): void {
    model.remove(path);
    this.watcher.unwatchTree(path);
    for (const s of this.skipped) if (s === path || s.startsWith(`${path}/`)) this.skipped.delete(s);
  }

  /**
   * Walks new directories level by level and watches them; given the model (a sync, not just
   * watching), also collects their files and forgets what the model has there that the disk no
   * longer has.
   */
  private async visitDirectories(start: string[], files: string[], model?: TreeModel): Promise<void> {
    let level = start;
    while (level.length > 0) {
      const next: string[] = [];
      const ignored = await this.ignored(level.filter((d) => d !== '' && !(model?.get(d) instanceof Dir)));
      for (const dir of level) {
        if (ignored.has(dir)) continue;
        const abs = join(this.workspace, dir);
        const st = lstatOrNull(abs);
        if (!st?.isDirectory()) {
          // it changed while being read: record it as whatever it is now
          if (model && dir !== '') files.push(dir);
          continue;
        }
        if (!this.watcher.watch(dir) && model) throw new NeedsFullScan('cannot watch');
        let entries;
        try {
          entries = readdirSync(abs, { withFileTypes: true });
        } catch {
          continue;
        }
        const seen = new Set<string>();
        for (const e of entries) {
          const rel = dir ? `${dir}/${e.name}` : e.name;
          if (rel === '.git') continue;
          if (e.name.includes('\uFFFD')) throw new NeedsFullScan('a name that is not UTF-8');
          seen.add(e.name);
          if (e.isDirectory()) {
            if (existsSync(join(abs, e.name, '.git'))) {
              if (model && model.leaf(rel)?.mode !== GITLINK_MODE) throw new NeedsFullScan('a new nested repository');
              continue;
            }
            next.push(rel);
          } else if (model) files.push(rel);
        }
        if (!model) continue;
        const node = model.get(dir);
        if (node instanceof Dir) {
          for (const name of [...node.children.keys()]) if (!seen.has(name)) model.remove(dir ? `${dir}/${name}` : name);
        } else if (node) model.remove(dir);
      }
      level = next;
    }
  }

  /** Records files (and symlinks) as git would: not ignored unless already recorded or forced, not too large. */
  private async record(paths: string[], forced: Set<string>, model: TreeModel): Promise<void> {
    const candidates: Candidate[] = [];
    for (const path of paths) {
      const st = lstatOrNull(join(this.workspace, path));
      if (!st) this.forget(path, model);
      else if (st.isFile() || st.isSymbolicLink()) candidates.push({ path, st });
      else model.remove(path); // sockets, fifos: git records nothing
    }
    const unknown = candidates.filter((c) => !model.leaf(c.path) && !forced.has(c.path) && !this.skipped.has(c.path));
    const ignored = await this.ignored(unknown.map((c) => c.path));
    const toHash: Candidate[] = [];
    for (const c of candidates) {
      if (ignored.has(c.path)) {
        if (model.get(c.path) instanceof Dir) model.remove(c.path);
        continue;
      }
      if (c.st.isFile() && c.st.size > this.maxFileBytes) {
        this.skipped.add(c.path);
        model.remove(c.path);
        continue;
      }
      this.skipped.delete(c.path);
      if (c.st.isSymbolicLink()) {
        const target = readlinkSync(join(this.workspace, c.path), { encoding: 'buffer' });
        model.set(c.path, { mode: '120000', oid: this.writer.write('blob', target) });
      } else toHash.push(c);
    }
    const oids = await this.hasher.request(toHash.map((c) => c.path));
    toHash.forEach((c, i) => model.set(c.path, { mode: c.st.mode & 0o100 ? '100755' : '100644', oid: oids[i]! }));
  }

  /** Hears each changed path as the watcher sees it. */
  set listener(listener: ((path: string) => void) | null) {
    this.watcher.listener = listener;
  }

  /** Which of `paths` git's ignore rules exclude. */
  async ignored(paths: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    const records = await this.ignores.request(paths);
    for (let i = 0; i + 3 < records.length; i += 4) {
      const [source, , pattern, path] = records.slice(i, i + 4);
      if (source && !pattern!.startsWith('!')) out.add(path!);
    }
    return out;
  }

  close(): void {
    this.hasher.close();
    this.ignores.close();
    this.watcher.close();
  }
}
