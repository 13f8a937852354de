// Watcher-side costs: the protected-file check harness runs before every tool call, and the scan
// of /proc for processes a session left behind (run only when a protected file or the workspace
// changes while no call runs). Against reading one small file, measured in the same run.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ProtectedFiles } from '../dist/session/guard/protected-files.js';
import { strayProcesses } from '../dist/session/process/strays.js';

const ROUNDS = Number(process.env.ROUNDS ?? 2000);
const repo = mkdtempSync(join(tmpdir(), 'harness-bench-guard-'));
execFileSync('git', ['init', '-q'], { cwd: repo });
mkdirSync(join(repo, '.claude'));
writeFileSync(join(repo, 'harness.config.json'), JSON.stringify({ rules: [] }));
writeFileSync(join(repo, '.claude', 'settings.json'), '{}');
const files = new ProtectedFiles([
  { path: join(repo, 'harness.config.json'), kind: 'harness-config' },
  { path: join(repo, '.claude', 'settings.json'), kind: 'agent-settings' },
  { path: join(repo, '.claude', 'settings.local.json'), kind: 'agent-settings' },
  { path: join(repo, '.git', 'config'), kind: 'git' },
  { path: join(repo, '.git', 'hooks'), kind: 'git', directory: true },
]);

const time = (fn, rounds) => {
  const xs = [];
  for (let i = 0; i < rounds; i++) {
    const t = performance.now();
    fn();
    xs.push(performance.now() - t);
  }
  xs.sort((a, b) => a - b);
  return { p50: xs[Math.floor(xs.length / 2)], p99: xs[Math.floor(xs.length * 0.99)] };
};
const fmt = (x) => `${(x * 1000).toFixed(0).padStart(5)} µs`;

const baseline = time(() => readFileSync(join(repo, 'harness.config.json')), ROUNDS);
const hooks = execFileSync('ls', [join(repo, '.git', 'hooks')], { encoding: 'utf8' })
  .split('\n')
  .filter(Boolean).length;
const check = time(() => files.changes(), ROUNDS);
const strays = time(() => strayProcesses(process.pid, `HARNESS_SESSION_ID=bench`), 50);
const procs = execFileSync('sh', ['-c', 'ls /proc | grep -c "^[0-9]"'], { encoding: 'utf8' }).trim();
console.log(`protected-file check before each tool call (${4 + hooks} files: config, agent settings, .git/config, ${hooks} in .git/hooks), ${ROUNDS} rounds`);
console.log(
  `  check:               p50 ${fmt(check.p50)} p99 ${fmt(check.p99)} | baseline (read one small file): p50 ${fmt(baseline.p50)} | ratio ${(check.p50 / baseline.p50).toFixed(1)}x`,
);
console.log(`  stray-process scan:  p50 ${fmt(strays.p50)} p99 ${fmt(strays.p99)} over ${procs} processes (only when something changes while no call runs)`);
files.close();
