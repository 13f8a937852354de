import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
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
function treeState(dir: string, ignore: string[] = ['.git', 'ignored']): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const abs = join(d, name);
      const rel = relative(dir, abs);
      if (ignore.includes(rel)) continue;
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
  const op = Math.floor(r() * 9);
  const target = join(root, name());
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
  }
}

const RUNS = Number(process.env.CHECKPOINT_PROPERTY_RUNS ?? 25);

describe('checkpoints: property test (random edits, rollback to any checkpoint)', () => {
  it(`restores the exact tree and leaves HEAD, branches, index and stash alone (${RUNS} seeded runs)`, async () => {
    for (let run = 0; run < RUNS; run++) {
      const seed = 1000 + run;
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
      const gitBefore = gitState(repo);
      const snapshots: { cp: Checkpoint; state: Record<string, string> }[] = [];
      for (let step = 0; step < 6; step++) {
        const cp = await store.snapshot({ sessionId: `s${seed}`, kind: 'test', summary: `step ${step}` }, { always: true });
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
      // and the rollback itself can be undone
      await store.restore(saved!, `s${seed}`);
      expect(treeState(repo), `seed ${seed}: undo`).toEqual(beforeRollback);
      rmSync(root, { recursive: true, force: true });
    }
  }, 600_000);
});
