// Checkpoint benchmark: p50/p99 per checkpoint with a few changed files, at 1k, 10k and 50k files,
// against a full-scan baseline (`git add -A` into a fresh private index, write-tree) in the same run;
// plus the time to roll back 10 changed files.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointStore } from '../dist/checkpoints/store.js';

const ROUNDS = Number(process.env.ROUNDS ?? 20);
const SIZES = (process.env.SIZES ?? '1000,10000,50000').split(',').map(Number);

function makeRepo(files) {
  const root = mkdtempSync(join(tmpdir(), `harness-bench-cp-${files}-`));
  const repo = join(root, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const perDir = 100;
  for (let d = 0; d * perDir < files; d++) {
    mkdirSync(join(repo, `dir${d}`));
    for (let f = 0; f < perDir && d * perDir + f < files; f++) writeFileSync(join(repo, `dir${d}`, `file${f}.txt`), `content ${d} ${f}\n`);
  }
  execFileSync('git', ['add', '-A'], { cwd: repo });
  execFileSync('git', ['-c', 'user.email=b@b', '-c', 'user.name=b', 'commit', '-qm', 'init'], { cwd: repo });
  return { root, repo };
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q) => s[Math.min(s.length - 1, Math.floor((q / 100) * s.length))];
  return { p50: p(50), p99: p(99) };
};

const results = {};
for (const size of SIZES) {
  const { root, repo } = makeRepo(size);
  const store = CheckpointStore.open(repo, join(root, 'state'));
  const tracking = await store.track();
  await store.snapshot({ sessionId: 'bench', kind: 'warm', summary: 'first' }, { always: true });
  const times = [];
  const baseline = [];
  for (let i = 0; i < ROUNDS; i++) {
    for (let k = 0; k < 10; k++) writeFileSync(join(repo, `dir${k}`, `file${k}.txt`), `round ${i} ${k}\n`);
    let t = performance.now();
    await store.snapshot({ sessionId: 'bench', kind: 'bench', summary: `round ${i}` });
    times.push(performance.now() - t);
    const index = join(root, `baseline-index-${i}`);
    t = performance.now();
    execFileSync('git', ['add', '-A'], { cwd: repo, env: { ...process.env, GIT_INDEX_FILE: index, GIT_OPTIONAL_LOCKS: '0' } });
    execFileSync('git', ['write-tree'], { cwd: repo, env: { ...process.env, GIT_INDEX_FILE: index, GIT_OPTIONAL_LOCKS: '0' } });
    baseline.push(performance.now() - t);
    rmSync(index, { force: true });
  }
  // rollback of 10 changed files
  const target = (await store.list('bench'))[0];
  for (let k = 0; k < 10; k++) writeFileSync(join(repo, `dir${k}`, `file${k}.txt`), 'changed again\n');
  const t = performance.now();
  await store.restore(target, 'bench');
  const rollback = performance.now() - t;
  results[size] = { checkpoint: stats(times), baseline: stats(baseline), rollback, tracking };
  store.close();
  rmSync(root, { recursive: true, force: true });
}

const fmt = (v) => `${v.toFixed(1)} ms`.padStart(9);
console.log(`checkpoint with 10 changed files, ${ROUNDS} rounds per size`);
for (const [size, r] of Object.entries(results)) {
  console.log(
    `  ${String(size).padStart(6)} files: checkpoint p50 ${fmt(r.checkpoint.p50)} p99 ${fmt(r.checkpoint.p99)} | full-scan baseline p50 ${fmt(r.baseline.p50)} p99 ${fmt(r.baseline.p99)} | ratio ${(r.checkpoint.p50 / r.baseline.p50).toFixed(2)}x | rollback ${fmt(r.rollback)}`,
  );
}
const big = results[50000];
const small = results[1000];
if (big && small) {
  console.log(
    `  50k p50 ${big.checkpoint.p50.toFixed(1)} ms: target <= 25 ms ${big.checkpoint.p50 <= 25 ? 'met' : 'MISSED'}; growth vs 1k ${(big.checkpoint.p50 / small.checkpoint.p50).toFixed(2)}x (target <= 1.5x) ${big.checkpoint.p50 / small.checkpoint.p50 <= 1.5 ? 'met' : 'MISSED'}; rollback ${big.rollback.toFixed(0)} ms (target <= 300 ms) ${big.rollback <= 300 ? 'met' : 'MISSED'}`,
  );
}
