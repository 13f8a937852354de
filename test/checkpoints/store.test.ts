import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src/checkpoints/store.js';

const roots: string[] = [];
const stores: CheckpointStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const GIT_ID = ['-c', 'user.email=t@t', '-c', 'user.name=t', '-c', 'protocol.file.allow=always', '-c', 'init.defaultBranch=main'];
function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', [...GIT_ID, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}
function tryGit(cwd: string, ...args: string[]): string {
  try {
    return git(cwd, ...args);
  } catch {
    return '(fails)';
  }
}

function tempRepo(init = true): { root: string; repo: string } {
  const root = mkdtempSync(join(tmpdir(), 'harness-store-'));
  roots.push(root);
  const repo = join(root, 'repo');
  mkdirSync(repo);
  if (init) git(repo, 'init', '-q');
  return { root, repo };
}

async function open(root: string, repo: string, track: boolean, maxFileBytes?: number): Promise<CheckpointStore> {
  const store = CheckpointStore.open(repo, join(root, 'state'), { maxFileBytes });
  stores.push(store);
  if (track) expect(await store.track()).toBe(true);
  return store;
}

/** Everything about the person's git state that checkpoints must never change. */
function personState(repo: string): string {
  const gitDir = tryGit(repo, 'rev-parse', '--absolute-git-dir');
  const special = ['MERGE_HEAD', 'REBASE_HEAD', 'rebase-merge', 'rebase-apply', 'CHERRY_PICK_HEAD'].filter((f) => existsSync(join(gitDir, f)));
  return [
    tryGit(repo, 'symbolic-ref', '-q', 'HEAD'),
    tryGit(repo, 'rev-parse', 'HEAD'),
    tryGit(repo, 'for-each-ref', 'refs/heads', 'refs/tags', 'refs/stash'),
    tryGit(repo, 'ls-files', '-s'),
    tryGit(repo, 'stash', 'list'),
    special.join(','),
  ].join('\n');
}

describe.each([
  ['full scans', false],
  ['incremental checkpoints', true],
])('checkpoint store in unusual repository states (%s)', (_mode, track) => {
  const roundTrip = async (root: string, repo: string): Promise<void> => {
    const before = personState(repo);
    const store = await open(root, repo, track);
    writeFileSync(join(repo, 'work.txt'), 'mine\n');
    const cp = await store.snapshot({ sessionId: 's', kind: 'test', summary: 'before' }, { always: true });
    writeFileSync(join(repo, 'work.txt'), 'clobbered\n');
    writeFileSync(join(repo, 'stray.txt'), 'new\n');
    await store.restore(cp!, 's');
    expect(readFileSync(join(repo, 'work.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(repo, 'stray.txt'))).toBe(false);
    expect(personState(repo)).toBe(before);
  };

  it('a repository with no commits yet', async () => {
    const { root, repo } = tempRepo();
    await roundTrip(root, repo);
  });

  it('a directory that is not a git repository (a private repository in the state dir)', async () => {
    const { root, repo } = tempRepo(false);
    await roundTrip(root, repo);
    expect(existsSync(join(repo, '.git'))).toBe(false);
    expect(existsSync(join(root, 'state', 'checkpoints', 'repo.git', 'HEAD'))).toBe(true);
  });

  it('detached HEAD', async () => {
    const { root, repo } = tempRepo();
    writeFileSync(join(repo, 'a.txt'), '1');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'one');
    writeFileSync(join(repo, 'a.txt'), '2');
    git(repo, 'commit', '-qam', 'two');
    git(repo, 'checkout', '-q', '--detach', 'HEAD~1');
    await roundTrip(root, repo);
  });

  /** Branches `main` and `other` that both change `file` from a common base. */
  const divergedBranches = (repo: string, file: string): void => {
    writeFileSync(join(repo, file), 'base\n');
    git(repo, 'add', '-A');
    git(repo, 'commit', '-qm', 'base');
    git(repo, 'checkout', '-qb', 'other');
    writeFileSync(join(repo, file), 'other\n');
    git(repo, 'commit', '-qam', 'other');
    git(repo, 'checkout', '-q', 'main');
    writeFileSync(join(repo, file), 'main\n');
    git(repo, 'commit', '-qam', 'main');
  };

  it('in the middle of a merge with conflicts', async () => {
    const { root, repo } = tempRepo();
    divergedBranches(repo, 'c.txt');
    expect(tryGit(repo, 'merge', 'other')).toBe('(fails)');
    await roundTrip(root, repo);
  });

  it('in the middle of a rebase stopped at a conflict', async () => {
    const { root, repo } = tempRepo();
    divergedBranches(repo, 'r.txt');
    git(repo, 'checkout', '-q', 'other');
    expect(tryGit(repo, 'rebase', 'main')).toBe('(fails)');
    await roundTrip(root, repo);
  });

  it('leaves submodules and nested repositories alone', async () => {
    const { root, repo } = tempRepo();
    const lib = join(root, 'lib');
    mkdirSync(lib);
    git(lib, 'init', '-q');
    writeFileSync(join(lib, 'lib.txt'), 'library v1\n');
    git(lib, 'add', '-A');
    git(lib, 'commit', '-qm', 'lib');
    git(repo, 'submodule', '-q', 'add', lib, 'vendor/lib');
    git(repo, 'commit', '-qm', 'with submodule');
    const store = await open(root, repo, track);
    const cp = await store.snapshot({ sessionId: 's', kind: 'test', summary: 'x' }, { always: true });
    // the agent works inside the submodule and in a nested repository of its own
    writeFileSync(join(repo, 'vendor', 'lib', 'lib.txt'), 'library patched\n');
    mkdirSync(join(repo, 'scratch'));
    git(join(repo, 'scratch'), 'init', '-q');
    writeFileSync(join(repo, 'scratch', 'notes.txt'), 'nested work\n');
    writeFileSync(join(repo, 'top.txt'), 'top\n');
    const before = personState(repo);
    const { changes } = await store.restore(cp!, 's');
    expect(changes.map((c) => c.path)).toEqual(['top.txt']);
    expect(readFileSync(join(repo, 'vendor', 'lib', 'lib.txt'), 'utf8')).toBe('library patched\n');
    expect(readFileSync(join(repo, 'scratch', 'notes.txt'), 'utf8')).toBe('nested work\n');
    expect(git(join(repo, 'vendor', 'lib'), 'status', '--porcelain')).toBe('M lib.txt');
    expect(personState(repo)).toBe(before);
  });

  it('leaves out files over the size cap, says so, and never deletes them on rollback', async () => {
    const { root, repo } = tempRepo();
    const store = await open(root, repo, track, 1024);
    writeFileSync(join(repo, 'small.txt'), 'small');
    writeFileSync(join(repo, 'huge.bin'), Buffer.alloc(4096, 1));
    const cp = await store.snapshot({ sessionId: 's', kind: 'test', summary: 'x' }, { always: true });
    expect(cp!.skipped).toEqual(['huge.bin']);
    expect(git(repo, 'ls-tree', '-r', '--name-only', cp!.tree)).toBe('small.txt');
    // the big file shrinks under the cap: it is recorded from now on, and the old checkpoint's
    // gap does not make a rollback delete it
    writeFileSync(join(repo, 'huge.bin'), 'now small');
    const cp2 = await store.snapshot({ sessionId: 's', kind: 'test', summary: 'y' });
    expect(cp2!.skipped).toBeUndefined();
    await store.restore(cp!, 's');
    expect(readFileSync(join(repo, 'huge.bin'), 'utf8')).toBe('now small');
  });

  it('parallel snapshots form one linear chain, none lost', async () => {
    const { root, repo } = tempRepo();
    const store = await open(root, repo, track);
    const made = await Promise.all(
      Array.from({ length: 8 }, async (_, i) => {
        writeFileSync(join(repo, `p${i}.txt`), `${i}`);
        return store.snapshot({ sessionId: 'par', kind: 'test', summary: `call ${i}` }, { always: true });
      }),
    );
    const listed = await store.list('par');
    expect(listed.map((c) => c.seq)).toEqual([8, 7, 6, 5, 4, 3, 2, 1]);
    expect(new Set(made.map((c) => c!.id)).size).toBe(8);
    const log = git(repo, 'log', '--format=%H %P', 'refs/harness/sessions/par').split('\n');
    for (let i = 0; i + 1 < log.length; i++) expect(log[i]!.split(' ')[1]).toBe(log[i + 1]!.split(' ')[0]);
  });

  it('git gc in the repository keeps every checkpoint', async () => {
    const { root, repo } = tempRepo();
    const store = await open(root, repo, track);
    writeFileSync(join(repo, 'g.txt'), 'gc me not');
    const cp = await store.snapshot({ sessionId: 's', kind: 'test', summary: 'x' }, { always: true });
    rmSync(join(repo, 'g.txt'));
    git(repo, 'gc', '-q', '--prune=now');
    await store.restore(cp!, 's');
    expect(readFileSync(join(repo, 'g.txt'), 'utf8')).toBe('gc me not');
  });
});

describe('incremental checkpoints see what no tool call announced', () => {
  it('a background process writing after the call returned is in the next checkpoint', async () => {
    const { root, repo } = tempRepo();
    const store = await open(root, repo, true);
    await store.snapshot({ sessionId: 's', kind: 'test', summary: 'start' }, { always: true });
    const child = spawn('sh', ['-c', 'mkdir -p out/deep && echo late > out/deep/result.txt && chmod +x out/deep/result.txt'], { cwd: repo });
    await new Promise((r) => child.on('exit', r));
    const cp = await store.snapshot({ sessionId: 's', kind: 'test', summary: 'after' });
    expect(git(repo, 'ls-tree', '-r', cp!.tree, 'out/deep/result.txt')).toMatch(/^100755 blob /);
    expect(store.scans.incremental).toBeGreaterThan(0);
  });

  it('nothing changed: no new checkpoint, and no full scan to find that out', async () => {
    const { root, repo } = tempRepo();
    writeFileSync(join(repo, 'a.txt'), 'a');
    const store = await open(root, repo, true);
    await store.snapshot({ sessionId: 's', kind: 'test', summary: 'first' });
    const full = store.scans.full;
    expect(await store.snapshot({ sessionId: 's', kind: 'test', summary: 'again' })).toBeNull();
    expect(store.scans.full).toBe(full);
  });
});
