import { execFileSync } from 'node:child_process';
import { appendFileSync, chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, type Checkpoint } from '../../src/checkpoints/store.js';

/** Deterministic PRNG so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Every file, symlink and executable bit under dir (not .git, not ignored dirs), as comparable data. */
function treeState(dir: string, ignore: string[] = ['.git', 'ignored', 'nested']): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      const rel = relative(dir, abs);
      if (ignore.includes(rel) || /\.tmp\d+$/.test(rel)) continue;
      const st = lstatSync(abs);
      if (st.isSymbolicLink()) out[rel] = `link:${readlinkSync(abs)}`;
      else if (st.isDirectory()) walk(abs);
      else out[rel] = `${st.mode & 0o111 ? 'x' : '-'}:${readFileSync(abs).toString('base64')}`;
    }
  };
  walk(dir);
  return out;
}

function gitState(repo: string): string {
  const g = (...args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '(none)';
    }
  };
  return [g('symbolic-ref', '-q', 'HEAD'), g('rev-parse', 'HEAD'), g('for-each-ref', 'refs/heads', 'refs/tags', 'refs/stash'), g('ls-files', '-s'), g('stash', 'list')].join('\n--\n');
}

function present(p: string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

/** One random edit; edits the file system cannot do (a path under a file …) are skipped. */
function randomOp(root: string, r: () => number): void {
  try {
    randomOpUnchecked(root, r);
  } catch {
    // the generator asked for something impossible; the property is about the store
  }
}

function randomOpUnchecked(root: string, r: () => number): void {
  const files = Object.keys(treeState(root)).filter((f) => f !== '.gitignore');
  const pick = () => files[Math.floor(r() * files.length)];
  const name = () => ['a', 'b', 'c', 'sub/d', 'sub/deep/e', 'x y', 'ünï'][Math.floor(r() * 7)]! + Math.floor(r() * 4);
  const op = Math.floor(r() * 14);
  const target = join(root, name());
  if (process.env.DEBUG_OPS) console.log('op', op, relative(root, target)); // replay a seed: DEBUG_OPS=1 CHECKPOINT_PROPERTY_FIRST=n
  mkdirSync(join(target, '..'), { recursive: true });
  // never write through a symlink (it may point outside the repository)
  if (present(target) && lstatSync(target).isSymbolicLink() && op !== 2 && op !== 3) rmSync(target);
  switch (op) {
    case 0: // create or overwrite text
      writeFileSync(target, `text ${r()}\n`.repeat(1 + Math.floor(r() * 5)));
      break;
    case 1: { // modify an existing file
      const f = pick();
      if (f && !lstatSync(join(root, f)).isSymbolicLink()) writeFileSync(join(root, f), `changed ${r()}`);
      break;
    }
    case 2: { // delete
      const f = pick();
      if (f) rmSync(join(root, f), { force: true });
      break;
    }
    case 3: { // rename
      const f = pick();
      if (f && !present(target)) renameSync(join(root, f), target);
      break;
    }
    case 4: { // chmod
      const f = pick();
      if (f && !lstatSync(join(root, f)).isSymbolicLink()) chmodSync(join(root, f), r() < 0.5 ? 0o755 : 0o644);
      break;
    }
    case 5: // symlink
      if (!present(target)) symlinkSync(r() < 0.5 ? 'a0' : '../elsewhere', target);
      break;
    case 6: // binary
      writeFileSync(target, Buffer.from(Array.from({ length: 64 }, () => Math.floor(r() * 256))));
      break;
    case 7: // empty file
      writeFileSync(target, '');
      break;
    case 8: // empty directory (git cannot hold these; they must not break anything)
      mkdirSync(join(root, `empty${Math.floor(r() * 3)}`), { recursive: true });
      break;
    case 9: { // a new directory tree in one go
      const base = join(root, `new${Math.floor(r() * 3)}`, 'deeper');
      mkdirSync(base, { recursive: true });
      writeFileSync(join(base, 'f'), `deep ${r()}`);
      writeFileSync(join(base, '..', 'g'), `shallow ${r()}`);
      break;
    }
    case 10: { // rename a whole directory
      const from = ['sub', 'new0', 'new1', 'sub/deep'][Math.floor(r() * 4)]!;
      const to = join(root, ['moved', 'sub2', 'new2'][Math.floor(r() * 3)]!);
      if (present(join(root, from)) && !present(to)) renameSync(join(root, from), to);
      break;
    }
    case 11: // remove a whole directory
      rmSync(join(root, ['sub', 'new0', 'moved', 'sub2'][Math.floor(r() * 4)]!), { recursive: true, force: true });
      break;
    case 12: { // the ignore rules change (new patterns for new names: a tracked file never becomes ignored)
      const n = Math.floor(r() * 1e9);
      appendFileSync(join(root, '.gitignore'), `*.tmp${n}\n`);
      writeFileSync(join(root, `junk.tmp${n}`), 'ignored from birth');
      break;
    }
    case 13: // a nested repository appears (it is recorded as a gitlink and never touched)
      if (!present(join(root, 'nested'))) {
        mkdirSync(join(root, 'nested'));
        writeFileSync(join(root, 'nested', 'inner.txt'), 'inner');
        execFileSync('git', ['init', '-q'], { cwd: join(root, 'nested') });
        execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '-A'], { cwd: join(root, 'nested') });
        execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-qm', 'inner'], { cwd: join(root, 'nested') });
      } else writeFileSync(join(root, 'nested', 'inner.txt'), `inner ${r()}`);
      break;
  }
}

const RUNS = Number(process.env.CHECKPOINT_PROPERTY_RUNS ?? 25);

/** What a full `git add -A` into a fresh index records: the truth an incremental checkpoint must equal. */
function fullScanTree(repo: string, gitDir: string, scratch: string): string {
  const env = { ...process.env, GIT_DIR: gitDir, GIT_WORK_TREE: repo, GIT_INDEX_FILE: scratch };
  rmSync(scratch, { force: true });
  execFileSync('git', ['add', '-A', '--ignore-errors'], { cwd: repo, env, stdio: 'ignore' });
  return execFileSync('git', ['write-tree'], { cwd: repo, env, encoding: 'utf8' }).trim();
}

describe.each([
  ['full scans', false],
  ['incremental (watched) checkpoints', true],
])('checkpoints: property test with %s (random edits, rollback to any checkpoint)', (_mode, incremental) => {
  it(`restores the exact tree and leaves HEAD, branches, index and stash alone (${RUNS} seeded runs)`, async () => {
    const fullScans: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const seed = (incremental ? 5000 : 1000) + run + Number(process.env.CHECKPOINT_PROPERTY_FIRST ?? 0);
      const r = rng(seed);
      const root = mkdtempSync(join(tmpdir(), 'harness-prop-'));
      const repo = join(root, 'repo');
      mkdirSync(repo);
      execFileSync('git', ['init', '-q'], { cwd: repo });
      writeFileSync(join(repo, '.gitignore'), 'ignored/\n');
      mkdirSync(join(repo, 'ignored'));
      writeFileSync(join(repo, 'ignored', 'cache.bin'), 'not mine');
      writeFileSync(join(repo, 'a0'), 'first');
      if (r() < 0.7) execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'add', '-A'], { cwd: repo });
      if (r() < 0.5) execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: repo });
      const store = CheckpointStore.open(repo, join(root, 'state'));
      if (incremental) expect(await store.track()).toBe(true);
      const gitBefore = gitState(repo);
      const gitDir = execFileSync('git', ['rev-parse', '--absolute-git-dir'], { cwd: repo, encoding: 'utf8' }).trim();
      const snapshots: { cp: Checkpoint; state: Record<string, string> }[] = [];
      for (let step = 0; step < 8; step++) {
        const cp = await store.snapshot({ sessionId: `s${seed}`, kind: 'test', summary: `step ${step}` }, { always: true });
        if (process.env.DEBUG_OPS) console.log('snapshot', step);
        if (incremental) {
          const truth = fullScanTree(repo, gitDir, join(root, 'scratch-index'));
          const diff = cp!.tree === truth ? '' : execFileSync('git', ['diff-tree', '-r', '--name-status', truth, cp!.tree], { cwd: repo, env: { ...process.env, GIT_DIR: gitDir }, encoding: 'utf8' });
          expect(diff, `seed ${seed} step ${step}: incremental tree differs from a full scan`).toBe('');
        }
        snapshots.push({ cp: cp!, state: treeState(repo) });
        for (let k = 0; k < 1 + Math.floor(r() * 4); k++) randomOp(repo, r);
      }
      const pickAt = Math.floor(r() * snapshots.length);
      const chosen = snapshots[pickAt]!;
      const beforeRollback = treeState(repo);
      const { saved } = await store.restore(chosen.cp, `s${seed}`);
      expect(treeState(repo), `seed ${seed}: rollback to step ${pickAt}`).toEqual(chosen.state);
      expect(gitState(repo), `seed ${seed}: git state`).toBe(gitBefore);
      expect(readFileSync(join(repo, 'ignored', 'cache.bin'), 'utf8')).toBe('not mine');
      if (present(join(repo, 'nested'))) expect(readFileSync(join(repo, 'nested', 'inner.txt'), 'utf8'), `seed ${seed}: a nested repository is left alone`).toMatch(/^inner/);
      // and the rollback itself can be undone
      await store.restore(saved!, `s${seed}`);
      expect(treeState(repo), `seed ${seed}: undo`).toEqual(beforeRollback);
      if (incremental) fullScans.push(store.scans.full / (store.scans.full + store.scans.incremental));
      store.close();
      rmSync(root, { recursive: true, force: true });
    }
    // the incremental path must carry the load: full scans only at the start, after .gitignore edits
    // and new nested repositories (ops 12 and 13, one in seven edits here)
    if (incremental) expect(fullScans.reduce((a, b) => a + b, 0) / fullScans.length).toBeLessThan(0.5);
  }, 600_000);
});
