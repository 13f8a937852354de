import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runHarness } from '../support/agent-env.js';
import { listingDiff, treeListing } from '../support/tree-hash.js';
import { until } from '../support/until.js';

/*
 * `harness run -- <program>` (no hooks): one checkpoint when the session starts, one for each
 * settled change, one when it ends — none missed, none merged. The program makes one distinct
 * change per step and waits until the test has seen that step's checkpoint appear (and noted what
 * is on disk) before the next; the kinds are the ones a watcher can miss: mode bits only, empty
 * directories, symlink targets, ignored files, ignore-rule edits, renamed directories, writes into
 * a directory made after the watcher started, a file written and removed again, a burst as the
 * program exits. Afterwards every checkpoint is rolled back to and must hold exactly what was on
 * disk at its step (names as bytes, content, mode bits, link targets, empty directories).
 */

const git = (cwd: string, args: string[]): string => execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), 'harness-cps-'));
  const repo = join(root, 'repo');
  const ctl = join(root, 'ctl');
  mkdirSync(repo);
  mkdirSync(ctl);
  git(repo, ['init', '-q']);
  writeFileSync(join(repo, 'keep.txt'), 'precious\n');
  writeFileSync(join(repo, 'report.txt'), 'report\n');
  writeFileSync(join(repo, '.gitignore'), '*.log\n');
  writeFileSync(join(repo, 'baseline.log'), 'ignored before the session\n');
  mkdirSync(join(repo, 'olddir', 'deep'), { recursive: true });
  writeFileSync(join(repo, 'olddir', 'f1'), 'f1\n');
  writeFileSync(join(repo, 'olddir', 'deep', 'f2'), 'f2\n');
  git(repo, ['add', '-A']);
  git(repo, ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'init']);
  // the settle window made short for tests (HARNESS_CHECKPOINT_QUIET_MS is documented as for tests)
  const env = { PATH: process.env.PATH, HOME: root, LANG: 'C.UTF-8', HARNESS_STATE_DIR: join(root, 'state'), HARNESS_CHECKPOINT_QUIET_MS: '1000' };
  return { root, repo, ctl, env };
}

/** The session's checkpoints, oldest first (commit ids), read from git: the refs are the record. */
function checkpointIds(repo: string): string[] {
  const refs = git(repo, ['for-each-ref', '--format=%(refname)', 'refs/harness/sessions/']).split('\n').filter(Boolean);
  if (refs.length === 0) return [];
  expect(refs.length).toBe(1);
  return git(repo, ['rev-list', '--reverse', refs[0]!]).split('\n').filter(Boolean);
}

/**
 * Runs `steps` under `harness run -- bash`, each followed by a wait for its checkpoint, then `last`
 * (not waited for: it ends with the program) and checks every checkpoint by rolling back to it.
 */
async function checkSession(steps: string[], last: string): Promise<void> {
  const { repo, ctl, env } = sandbox();
  const script = [
    'set -e',
    `ctl='${ctl}'`,
    // a step is done; wait until the test saw its checkpoint (a condition, polled)
    'step() { : > "$ctl/done.$1"; until [ -e "$ctl/go.$1" ]; do sleep 0.05; done; }',
    ...steps.flatMap((s, i) => [s, `step ${i + 1}`]),
    last,
    ': > "$ctl/done.end"',
  ].join('\n');
  writeFileSync(join(ctl, 'program.sh'), `${script}\n`);
  const expected: string[][] = [treeListing(repo)];
  const run = runHarness(['run', '--no-summary', '--no-sandbox', '--', 'bash', join(ctl, 'program.sh')], env, repo);
  let exited: { code: number | null; stdout: string; stderr: string } | null = null;
  void run.then((r) => (exited = r));
  try {
    await until('the session-start checkpoint', () => checkpointIds(repo).length >= 1 || exited, 60_000);
    for (let i = 1; i <= steps.length; i++) {
      await until(`step ${i} done`, () => existsSync(join(ctl, `done.${i}`)) || exited, 60_000);
      expect(exited, `the program ended early: ${JSON.stringify(exited)}`).toBeNull();
      // the step's own checkpoint: the one after the session's start and each step before
      const count = await until(
        `the checkpoint of step ${i} (${steps[i - 1]})`,
        () => (checkpointIds(repo).length >= i + 1 ? checkpointIds(repo).length : null),
        45_000,
      ).catch((e: unknown) => {
        throw new Error(`${e instanceof Error ? e.message : String(e)}: ${checkpointIds(repo).length} checkpoint(s) after ${i} step(s)`);
      });
      expect(count, `step ${i} (${steps[i - 1]}) gave more than one checkpoint`).toBe(i + 1);
      expected.push(treeListing(repo));
      writeFileSync(join(ctl, `go.${i}`), '');
    }
    const done = await run;
    expect(done.code, done.stderr).toBe(0);
    expected.push(treeListing(repo));
  } finally {
    for (let i = 1; i <= steps.length; i++) writeFileSync(join(ctl, `go.${i}`), '');
    await run;
  }
  const ids = checkpointIds(repo);
  expect(ids.length, 'one checkpoint at the start, one per step, one at the end').toBe(steps.length + 2);
  // every checkpoint holds what was on disk at its step: rolled back to, in an order that jumps around
  const order = ids.map((_, k) => k).sort((a, b) => ((a * 7) % ids.length) - ((b * 7) % ids.length));
  for (const k of order) {
    const back = await runHarness(['rollback', '--to', ids[k]!], env, repo);
    expect(back.code, back.stderr).toBe(0);
    const now = treeListing(repo);
    expect(listingDiff(expected[k]!, now), `rollback to checkpoint ${k} (${k === 0 ? 'start' : k > steps.length ? `end: ${last}` : steps[k - 1]})`).toEqual([]);
  }
}

describe('harness run -- <program>: a checkpoint for each settled change, none missed', () => {
  it('one per step for changes a watcher can miss, plus the start and the end (a burst as the program exits)', async () => {
    await checkSession(
      [
        'echo one > a.txt',
        "printf 'two\\r\\n' >> a.txt",
        'chmod +x a.txt',
        'chmod 600 keep.txt',
        'mkdir emptydir',
        'mkdir -p newdir/sub',
        'echo inside > newdir/sub/f.txt',
        'ln -s a.txt link',
        'ln -sfn keep.txt link',
        'echo made > made.log',
        'mv olddir renamed',
        'echo changed > renamed/deep/f2',
        'echo tmp > gone.txt; rm gone.txt; echo three >> a.txt',
        'rmdir emptydir',
        "printf 'bytes' > \"$(printf 'n\\351e')\"",
        "echo '*.txt' >> .gitignore; rm report.txt",
        'echo hidden >> keep.txt',
        'rm -rf newdir; mkdir newdir; echo again > newdir/g',
        'rm link; mkdir link; echo x > link/x',
        'chmod -x a.txt',
      ],
      'echo end > end.txt; mkdir -p enddir/x; echo e > enddir/x/y; chmod 700 enddir/x/y',
    );
  }, 400_000);

  it('the end is a checkpoint even when the last change had settled before the program exited', async () => {
    await checkSession(['echo one > a.txt', 'mkdir -p d/e'], 'true');
  }, 200_000);
});
