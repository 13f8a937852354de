import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import { auditPathFor } from '../../src/workspace.js';
import { runHarness } from '../support/agent-env.js';

function sandbox() {
  const root = mkdtempSync(join(tmpdir(), 'harness-cmd-'));
  const repo = join(root, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  writeFileSync(join(repo, 'keep.txt'), 'precious\n');
  return { repo, env: { PATH: process.env.PATH, HOME: root, HARNESS_STATE_DIR: join(root, 'state') } };
}

describe('harness run -- <program>: no hooks, still watched, checkpointed and logged', () => {
  it('says so, checkpoints the tree as it changes, passes the exit code, and rollback undoes steps', async () => {
    const { repo, env } = sandbox();
    const script = 'echo one > a.txt; sleep 4; rm keep.txt; echo two >> a.txt; sleep 1; exit 3';
    const run = await runHarness(['run', '--no-summary', '--', 'sh', '-c', script], env, repo);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(/sh has no hooks harness can use, so nothing it does is decided before it happens/);

    const log = AuditLog.open(auditPathFor(repo, env));
    const id = log.latestSessionId()!;
    const summary = log.summary(id)!;
    const cps = log.checkpointsOf(id);
    const events = log.eventsOf(id);
    log.close();
    expect(summary).toMatchObject({ agent: 'sh', exitCode: 3, calls: 0 });
    // the tree before the program ran, then each settled change
    expect(cps[0]!.summary).toMatch(/the working tree when the session started/);
    expect(cps.slice(1).map((c) => c.summary)).toEqual([
      expect.stringMatching(/1 file\(s\) changed: a\.txt/),
      expect.stringMatching(/2 file\(s\) changed: a\.txt, keep\.txt/),
    ]);
    expect(
      events
        .filter((e) => e.kind === 'out-of-band')
        .map((e) => e.detail)
        .join('\n'),
    ).toMatch(/keep\.txt/);

    // one step back: keep.txt returns, a.txt as after the first step
    const back = await runHarness(['rollback'], env, repo);
    expect(back.code, back.stderr).toBe(0);
    expect(readFileSync(join(repo, 'keep.txt'), 'utf8')).toBe('precious\n');
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('one\n');
    expect(back.stdout).toMatch(/Undoing the last step \(settled changes, newest first\):\n\s+checkpoint [0-9a-f]{12}: 2 file\(s\) changed: a\.txt, keep\.txt/);
    // the step undone is no step any more: one more goes back to the start (not forward again)
    const first = await runHarness(['rollback'], env, repo);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toMatch(/1 file\(s\) changed: a\.txt/);
    expect(existsSync(join(repo, 'a.txt'))).toBe(false);
    const none = await runHarness(['rollback'], env, repo);
    expect(none.code).not.toBe(0);
    expect(none.stderr).toMatch(/has 0 step\(s\) to undo \(settled changes of the tree, none of them still in effect\); cannot undo 1/);
    // the undo puts the first step back
    expect((await runHarness(['rollback', '--undo'], env, repo)).code).toBe(0);
    expect(readFileSync(join(repo, 'a.txt'), 'utf8')).toBe('one\n');
    const all = await runHarness(['rollback', '--to', cps[0]!.commit!], env, repo);
    expect(all.code, all.stderr).toBe(0);
    expect(existsSync(join(repo, 'a.txt'))).toBe(false);
  }, 60_000);

  it.each([[[]], [['--no-sandbox']]])(
    'a git redirect planted as the program exits is put back before harness ends (%j)',
    async (flags) => {
      const { repo, env } = sandbox();
      // a commondir pointing at a config with an fsmonitor would run it at the person's next `git status`
      const evil = join(repo, 'evil');
      const script = `mkdir -p evil && printf '[core]\\n\\tfsmonitor = touch ${join(repo, 'ran')}\\n' > evil/config && echo "${evil}" > .git/commondir; echo x > .git/config.worktree; exit 0`;
      const run = await runHarness(['run', '--no-summary', ...flags, '--', 'sh', '-c', script], env, repo);
      expect(run.code, run.stderr).toBe(0);
      expect(existsSync(join(repo, '.git', 'commondir'))).toBe(false);
      expect(existsSync(join(repo, '.git', 'config.worktree'))).toBe(false);
      execFileSync('git', ['status', '--short'], { cwd: repo });
      expect(existsSync(join(repo, 'ran'))).toBe(false);
      const log = AuditLog.open(auditPathFor(repo, env));
      const events = log.eventsOf(log.latestSessionId()!);
      log.close();
      expect(
        events
          .filter((e) => e.kind === 'tamper-reverted')
          .map((e) => e.detail)
          .join('\n'),
      ).toMatch(/commondir/);
    },
    60_000,
  );

  it.each([[[]], [['--no-sandbox']]])(
    "a worktree's .git file cannot be pointed at a planted git dir (%j)",
    async (flags) => {
      const { repo, env } = sandbox();
      execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '--allow-empty', '-m', 'i'], { cwd: repo });
      const wt = join(repo, '..', 'wt');
      execFileSync('git', ['worktree', 'add', '-q', wt], { cwd: repo });
      const before = readFileSync(join(wt, '.git'), 'utf8');
      const script = `mkdir -p .evil/objects .evil/refs && echo 'ref: refs/heads/x' > .evil/HEAD && printf '[core]\\n\\tfsmonitor = touch ${join(wt, 'ran')}\\n' > .evil/config; echo 'gitdir: .evil' > .git; exit 0`;
      const run = await runHarness(['run', '--no-summary', ...flags, '--', 'sh', '-c', script], env, wt);
      expect(run.code, run.stderr).toBe(0);
      expect(readFileSync(join(wt, '.git'), 'utf8')).toBe(before);
      execFileSync('git', ['status', '--short'], { cwd: wt });
      expect(existsSync(join(wt, 'ran'))).toBe(false);
    },
    60_000,
  );

  it.each([[[]], [['--no-sandbox']]])(
    'a submodule git dir or nested repository made to run a program is defused as the session ends (%j)',
    async (flags) => {
      const { repo, env } = sandbox();
      const git = (args: string[], cwd = repo) => execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t', ...args], { cwd, encoding: 'utf8' });
      git(['commit', '-q', '--allow-empty', '-m', 'i']);
      const ran = join(repo, '..', 'ran');
      const sub = join(repo, '..', 'subsrc');
      mkdirSync(sub);
      git(['init', '-q'], sub);
      git(['commit', '-q', '--allow-empty', '-m', 's'], sub);
      const head = git(['rev-parse', 'HEAD'], sub).trim();
      // a planted submodule (its git dir in .git/modules, a gitlink in the index) and a nested repository
      const script = [
        `mkdir -p .git/modules && cp -r ${sub}/.git .git/modules/sub`,
        'git config -f .git/modules/sub/config core.worktree ../../../sub',
        `git config -f .git/modules/sub/config core.fsmonitor "touch ${ran}-sub; false"`,
        `printf '#!/bin/sh\\ntouch ${ran}-hook\\n' > .git/modules/sub/hooks/post-checkout && chmod +x .git/modules/sub/hooks/post-checkout`,
        'mkdir sub && echo "gitdir: ../.git/modules/sub" > sub/.git',
        `git update-index --add --cacheinfo 160000,${head},sub`,
        `git init -q vendor/lib && git -C vendor/lib config core.fsmonitor "touch ${ran}-nested; false"`,
        'exit 0',
      ].join(' && ');
      const run = await runHarness(['run', '--no-summary', ...flags, '--', 'sh', '-c', script], env, repo);
      expect(run.code, run.stderr).toBe(0);
      git(['status', '--short']);
      git(['status', '--short'], join(repo, 'vendor', 'lib'));
      for (const what of ['sub', 'nested']) expect(existsSync(`${ran}-${what}`), what).toBe(false);
      expect(existsSync(join(repo, '.git', 'modules', 'sub', 'hooks', 'post-checkout'))).toBe(false);
      // what a submodule needs stays
      expect(git(['config', '-f', join(repo, '.git', 'modules', 'sub', 'config'), 'core.worktree']).trim()).toBe('../../../sub');
      const log = AuditLog.open(auditPathFor(repo, env));
      const events = log.eventsOf(log.latestSessionId()!);
      log.close();
      const reverted = events
        .filter((e) => e.kind === 'tamper-reverted')
        .map((e) => e.detail)
        .join('\n');
      expect(reverted).toMatch(/\.git\/modules\/sub gained what makes git run a program \(core\.fsmonitor, hooks\/post-checkout\)/);
      expect(reverted).toMatch(/vendor\/lib\/\.git gained what makes git run a program \(core\.fsmonitor\)/);
    },
    60_000,
  );

  it('a program that is not there is a clear error', async () => {
    const { repo, env } = sandbox();
    const run = await runHarness(['run', '--', 'no-such-program-here'], env, repo);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/"no-such-program-here" was not found on PATH/);
  });

  it('an unknown agent without -- says how to run it without hooks', async () => {
    const { repo, env } = sandbox();
    const run = await runHarness(['run', 'aider'], env, repo);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/harness run -- aider/);
  });
});
