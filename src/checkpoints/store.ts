import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { git, type GitEnv } from './git.js';

export interface CheckpointMeta {
  sessionId: string;
  toolUseId?: string;
  kind: string;
  summary: string;
}

export interface Checkpoint extends CheckpointMeta {
  /** Commit id (the checkpoint's name). */
  id: string;
  tree: string;
  seq: number;
  createdAt: number;
}

export interface FileChange {
  status: 'added' | 'modified' | 'deleted' | 'type-changed';
  path: string;
}

export interface RollbackPlan {
  target: Checkpoint;
  changes: FileChange[];
}

const REF_PREFIX = 'refs/harness/sessions/';

function parseMessage(body: string): CheckpointMeta & { seq: number } {
  const json = /^harness-checkpoint (.*)$/m.exec(body)?.[1];
  try {
    const meta = JSON.parse(json ?? '{}') as Partial<CheckpointMeta & { seq: number }>;
    return { sessionId: meta.sessionId ?? '?', toolUseId: meta.toolUseId, kind: meta.kind ?? '?', summary: meta.summary ?? '', seq: meta.seq ?? 0 };
  } catch {
    return { sessionId: '?', kind: '?', summary: body.split('\n')[0] ?? '', seq: 0 };
  }
}

/**
 * Snapshots of the whole working tree as commits under refs/harness/, made with git plumbing and
 * a private index: HEAD, branches, the person's index, the stash and hooks are never touched.
 * Outside a git repository the snapshots live in a private repository in harness's state dir.
 */
export class CheckpointStore {
  private readonly env: GitEnv;
  /** Serializes snapshots and restores: parallel tool calls never interleave. */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly workspace: string,
    env: GitEnv,
  ) {
    this.env = env;
  }

  static open(workspace: string, stateDir: string): CheckpointStore {
    const ws = resolve(workspace);
    const dir = join(stateDir, 'checkpoints');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    let gitDir: string;
    try {
      gitDir = execFileSync('git', ['rev-parse', '--absolute-git-dir'], { cwd: ws, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' } }).trim();
      // a nested checkout of another repository is not this workspace's repository
      const top = execFileSync('git', ['rev-parse', '--show-toplevel'], { cwd: ws, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
      if (resolve(top) !== ws) throw new Error('workspace is not the repository root');
    } catch {
      gitDir = join(dir, 'repo.git');
      if (!existsSync(join(gitDir, 'HEAD'))) execFileSync('git', ['init', '-q', '--bare', gitDir], { stdio: 'ignore' });
    }
    return new CheckpointStore(ws, { gitDir, workTree: ws, indexFile: join(dir, 'index') });
  }

  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The tree of the working tree as it is now (tracked + untracked, not ignored, plus `force`). */
  private async scan(paths?: string[], force: string[] = []): Promise<string> {
    if (paths && paths.length > 0) await git(this.env, ['add', '-A', '--ignore-errors', '--', ...paths]).catch(() => git(this.env, ['add', '-A', '--ignore-errors']));
    else await git(this.env, ['add', '-A', '--ignore-errors']).catch((e: Error) => {
      // files that vanish while scanning are not an error worth losing a checkpoint over
      if (!/unable to|failed to/.test(e.message)) throw e;
    });
    const existing = force.filter((p) => existsSync(resolve(this.workspace, p)));
    if (existing.length > 0) await git(this.env, ['add', '-f', '--', ...existing]);
    return (await git(this.env, ['write-tree'])).trim();
  }

  private async head(sessionId: string): Promise<string | null> {
    try {
      return (await git(this.env, ['rev-parse', '--verify', '-q', `${REF_PREFIX}${sessionId}`])).trim() || null;
    } catch {
      return null;
    }
  }

  /**
   * Takes a checkpoint unless nothing changed since the session's last one. `paths` narrows the
   * scan to what is about to change (a full scan otherwise); `force` adds ignored files a tool is
   * about to write (e.g. `.env`).
   */
  snapshot(meta: CheckpointMeta, options: { paths?: string[]; force?: string[]; always?: boolean } = {}): Promise<Checkpoint | null> {
    return this.serialize(async () => this.commit(meta, await this.scan(options.paths, options.force), options.always ?? false));
  }

  /** Checkpoints, newest first: of one session, or of all. */
  async list(sessionId?: string): Promise<Checkpoint[]> {
    const refs = sessionId ? [`${REF_PREFIX}${sessionId}`] : (await git(this.env, ['for-each-ref', '--format=%(refname)', REF_PREFIX])).split('\n').filter(Boolean);
    const out: Checkpoint[] = [];
    for (const ref of refs) {
      let log: string;
      try {
        log = await git(this.env, ['log', '--format=%H%x00%T%x00%ct%x00%B%x01', ref, '--']);
      } catch {
        continue;
      }
      for (const entry of log.split('\x01')) {
        const [id, tree, ct, body] = entry.replace(/^\n/, '').split('\0');
        if (!id || !tree) continue;
        out.push({ ...parseMessage(body ?? ''), id, tree, createdAt: Number(ct) * 1000 });
      }
    }
    return out.sort((a, b) => b.createdAt - a.createdAt || b.seq - a.seq);
  }

  /** The session that took the most recent checkpoint. */
  async latestSession(): Promise<string | null> {
    const out = (await git(this.env, ['for-each-ref', '--sort=-committerdate', '--count=1', '--format=%(refname)', REF_PREFIX])).trim();
    return out ? out.slice(REF_PREFIX.length) : null;
  }

  async resolve(name: string): Promise<Checkpoint> {
    const all = await this.list();
    const found = all.filter((c) => c.id.startsWith(name));
    if (found.length === 1) return found[0]!;
    throw new Error(found.length === 0 ? `no checkpoint "${name}" (see harness checkpoints)` : `"${name}" names ${found.length} checkpoints; give more characters`);
  }

  private async changesBetween(fromTree: string, toTree: string): Promise<FileChange[]> {
    const out = await git(this.env, ['diff-tree', '-r', '-z', '--no-renames', '--name-status', fromTree, toTree]);
    const parts = out.split('\0').filter(Boolean);
    const changes: FileChange[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const code = parts[i]!;
      const path = parts[i + 1]!;
      changes.push({ status: code === 'A' ? 'added' : code === 'D' ? 'deleted' : code === 'T' ? 'type-changed' : 'modified', path });
    }
    return changes;
  }

  /** What restoring `target` would change in the working tree as it is now. */
  async plan(target: Checkpoint): Promise<RollbackPlan> {
    return this.serialize(async () => {
      const present = await this.scan();
      // from the present's point of view: files the target lacks are deleted, and so on
      return { target, changes: await this.changesBetween(present, target.tree) };
    });
  }

  /** A unified diff between two checkpoints, or a checkpoint and the working tree. */
  async diff(from: Checkpoint, to?: Checkpoint): Promise<string> {
    return this.serialize(async () => {
      const toTree = to ? to.tree : await this.scan();
      return git(this.env, ['diff-tree', '-p', '--no-renames', '--binary', from.tree, toTree]);
    });
  }

  /**
   * Puts the working tree back as it was at `target`: modified files restored, created files
   * removed, deleted files brought back, modes and symlinks included. The present is
   * checkpointed first (kind `before-rollback`), so a rollback can itself be undone.
   */
  restore(target: Checkpoint, sessionId: string): Promise<{ saved: Checkpoint | null; changes: FileChange[] }> {
    return this.serialize(async () => {
      const presentTree = await this.scan();
      const saved = await this.commit({ sessionId, kind: 'before-rollback', summary: `before rolling back to ${target.id.slice(0, 12)}` }, presentTree, true);
      const changes = await this.changesBetween(presentTree, target.tree);
      for (const c of changes) {
        if (c.status === 'deleted' || c.status === 'type-changed') this.removePath(c.path);
      }
      const restore = changes.filter((c) => c.status !== 'deleted').map((c) => c.path);
      await git(this.env, ['read-tree', target.tree]);
      if (restore.length > 0) await git(this.env, ['checkout-index', '-f', '-z', '--stdin'], restore.join('\0') + '\0');
      await git(this.env, ['update-index', '-q', '--refresh']).catch(() => undefined);
      return { saved, changes };
    });
  }

  /** Records `tree` as the session's next checkpoint (unless it equals the last one and `always` is off). */
  private async commit(meta: CheckpointMeta, tree: string, always: boolean): Promise<Checkpoint | null> {
    const parent = await this.head(meta.sessionId);
    let seq = 1;
    if (parent) {
      const [parentTree, body] = (await git(this.env, ['show', '-s', '--format=%T%x00%B', parent])).split('\0');
      if (parentTree === tree && !always) return null;
      seq = parseMessage(body ?? '').seq + 1;
    }
    const message = `${meta.kind}: ${meta.summary.split('\n')[0]!.slice(0, 120)}\n\nharness-checkpoint ${JSON.stringify({ ...meta, seq })}\n`;
    const commit = (await git(this.env, ['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-F', '-'], message)).trim();
    await git(this.env, ['update-ref', '-m', 'harness checkpoint', `${REF_PREFIX}${meta.sessionId}`, commit, ...(parent ? [parent] : [])]);
    return { ...meta, id: commit, tree, seq, createdAt: Date.now() };
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
        removed.push(ref.slice(REF_PREFIX.length));
      }
    }
    return removed;
  }

}
