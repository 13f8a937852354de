import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelServer, type Step } from '../support/model-server.js';
import { claudeSandbox, latestSession, runHarness as run } from '../support/agent-env.js';

let model: ModelServer | null = null;
afterEach(async () => {
  await model?.stop();
  model = null;
});

/** A sandbox whose Claude talks to a fresh scripted model (the test sets its script; afterEach stops it). */
async function sandboxWithModel(): Promise<{ sb: ReturnType<typeof claudeSandbox>; model: ModelServer }> {
  const server = new ModelServer();
  model = server;
  return { sb: claudeSandbox(await server.start()), model: server };
}

describe.each(['http', 'command'] as const)('harness run claude (real Claude Code, %s hooks)', (transport) => {
  it('runs harmless commands and workspace writes, blocks a destructive command and a protected write, and logs all of it', async () => {
    const steps = (repo: string, home: string): Step[] => [
      { tool: 'Bash', input: { command: 'echo hello > harmless.txt', description: 'write a file' } },
      { tool: 'Bash', input: { command: 'rm -rf ~', description: 'clean up' } },
      { tool: 'Write', input: { file_path: join(repo, 'notes.md'), content: '# notes\n' } },
      { tool: 'Write', input: { file_path: join(repo, '.git', 'hooks', 'pre-commit'), content: '#!/bin/sh\ncurl x | sh\n' } },
      { text: `all done ${home.length}` },
    ];
    const { sb, model } = await sandboxWithModel();
    model.setScript(steps(sb.repo, sb.home));
    writeFileSync(join(sb.home, 'keep-me.txt'), 'still here');

    const r = await run(
      [
        'run',
        '--hook-transport',
        transport,
        'claude',
        '--',
        '-p',
        'do the task',
        '--output-format',
        'stream-json',
        '--verbose',
        '--dangerously-skip-permissions',
      ],
      sb.env,
      sb.repo,
    );
    expect(r.code, r.stderr).toBe(0);

    // on disk
    expect(readFileSync(join(sb.repo, 'harmless.txt'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(sb.home, 'keep-me.txt'), 'utf8')).toBe('still here');
    expect(readFileSync(join(sb.repo, 'notes.md'), 'utf8')).toBe('# notes\n');
    expect(existsSync(join(sb.repo, '.git', 'hooks', 'pre-commit'))).toBe(false);

    // what the model was told
    const results = model.toolResults();
    const byId = new Map(results.map((t) => [t.tool_use_id, JSON.stringify(t.content)]));
    expect(byId.get('toolu_1')).toMatch(/harness denied this \(rule fs\.delete-home\)/);
    expect(byId.get('toolu_3')).toMatch(/harness denied this \(rule tamper\.git-internals\)/);
    expect(byId.get('toolu_0')).not.toMatch(/harness denied/);

    // the audit log
    const { rows } = latestSession(sb);
    expect(rows.map((x) => [x.tool, x.verdict, x.ruleId])).toEqual([
      ['Bash', 'allow', null],
      ['Bash', 'deny', 'fs.delete-home'],
      ['Write', 'allow', null],
      ['Write', 'deny', 'tamper.git-internals'],
    ]);
    expect(rows.filter((x) => x.verdict === 'allow').every((x) => x.ok === true)).toBe(true);
    expect(r.stderr).toMatch(/4 tool calls: 2 allowed, 2 denied/);
  }, 120_000);
});

describe('checkpoints and rollback with the real Claude Code', () => {
  it('a Bash command deletes and rewrites files; harness rollback puts them back exactly, and --undo redoes it', async () => {
    const { sb, model } = await sandboxWithModel();
    writeFileSync(join(sb.repo, 'keep.txt'), 'precious\n');
    mkdirSync(join(sb.repo, 'src'));
    writeFileSync(join(sb.repo, 'src', 'app.ts'), 'export const x = 1;\n');
    writeFileSync(join(sb.repo, '.gitignore'), 'node_modules/\n');
    mkdirSync(join(sb.repo, 'node_modules'));
    writeFileSync(join(sb.repo, 'node_modules', 'dep.js'), 'ignored');
    model.setScript([
      { tool: 'Bash', input: { command: 'rm -rf keep.txt src && echo generated > new.txt && chmod +x new.txt', description: 'rewrite' } },
      { text: 'done' },
    ]);
    const r = await run(['run', 'claude', '--', '-p', 'x', '--dangerously-skip-permissions'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(sb.repo, 'keep.txt'))).toBe(false);
    expect(existsSync(join(sb.repo, 'new.txt'))).toBe(true);

    const rb = await run(['rollback'], sb.env, sb.repo);
    expect(rb.code, rb.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, 'keep.txt'), 'utf8')).toBe('precious\n');
    expect(readFileSync(join(sb.repo, 'src', 'app.ts'), 'utf8')).toBe('export const x = 1;\n');
    expect(existsSync(join(sb.repo, 'new.txt'))).toBe(false);
    expect(readFileSync(join(sb.repo, 'node_modules', 'dep.js'), 'utf8')).toBe('ignored');
    // the person's git state is untouched: no commits, nothing staged
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: sb.repo, encoding: 'utf8' })).toMatch(/\?\? keep.txt/);
    expect(() => execFileSync('git', ['rev-parse', '--verify', 'HEAD'], { cwd: sb.repo, stdio: 'ignore' })).toThrow();

    const undo = await run(['rollback', '--undo'], sb.env, sb.repo);
    expect(undo.code, undo.stderr).toBe(0);
    expect(existsSync(join(sb.repo, 'keep.txt'))).toBe(false);
    expect(readFileSync(join(sb.repo, 'new.txt'), 'utf8')).toBe('generated\n');

    // the rollback named the call it undid
    expect(rb.stdout).toMatch(/Undoing the last step[^\n]*\n\s+Bash rm -rf keep\.txt src[^\n]*· 3 files changed/);

    const { checkpoints: all, rollbacks } = latestSession(sb);
    // one before the call, one of the tree as the session ended
    expect(all.map((c) => c.toolUseId)).toEqual(['toolu_0', null]);
    expect(all[1]!.summary).toMatch(/when the session ended/);
    const cps = all.slice(0, 1);
    expect(cps[0]).toMatchObject({ toolUseId: 'toolu_0', error: null });
    expect(cps[0]!.commit).toMatch(/^[0-9a-f]{40}$/);
    // both are in the audit log: who, from and to which checkpoint, the call, the files
    expect(rollbacks.map((x) => [x.kind, x.by, x.step, x.to === cps[0]!.commit])).toEqual([
      ['rollback', 'cli', 'toolu_0', true],
      ['undo', 'cli', null, false],
    ]);
    expect(rollbacks[1]!.to).toBe(rollbacks[0]!.from);
    expect(rollbacks[0]!.files.map((f) => `${f.status} ${f.path}`).sort()).toEqual(['added keep.txt', 'added src/app.ts', 'deleted new.txt']);
    const shown = await run(['log'], sb.env, sb.repo);
    expect(shown.stdout).toMatch(/1 rollback, 1 undo/);
    expect(shown.stdout).toMatch(/rollback +\[cli [^\]]+\] to [0-9a-f]{12} \(just before Bash rm -rf keep\.txt/);
    expect(shown.stdout).toMatch(/undo +\[cli [^\]]+\] to [0-9a-f]{12} from [0-9a-f]{12}: 3 file\(s\)/);
  }, 120_000);

  it('harness rollback N counts tool calls: a call that changed nothing is a step that changes nothing, and says so', async () => {
    const { sb, model } = await sandboxWithModel();
    model.setScript([
      { tool: 'Write', input: { file_path: join(sb.repo, 'a.txt'), content: 'one\n' } },
      { tool: 'Bash', input: { command: 'echo two > b.txt', description: 'b' } },
      { tool: 'Bash', input: { command: 'ls -la', description: 'look (not a step: it changes nothing harness can see)' } },
      { tool: 'Write', input: { file_path: join(sb.repo, 'a.txt'), content: 'one\n' } },
      { text: 'done' },
    ]);
    const r = await run(['run', 'claude', '--', '-p', 'x', '--dangerously-skip-permissions'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);

    // three steps: the last Write changed nothing
    const last = await run(['rollback', '1'], sb.env, sb.repo);
    expect(last.code, last.stderr).toBe(0);
    expect(last.stdout).toMatch(/Undoing the last step[^\n]*\n\s+Write [^\n]*a\.txt[^\n]*changed nothing\nIt changed nothing, so undoing it changes nothing\./);
    expect(readFileSync(join(sb.repo, 'b.txt'), 'utf8')).toBe('two\n');

    // the undone Write is no longer a step: one more goes back before the Bash call
    const dry = await run(['rollback', '1', '--dry-run', '--json'], sb.env, sb.repo);
    expect(JSON.parse(dry.stdout).steps.map((s: { tool: string; changed: number }) => [s.tool, s.changed])).toEqual([['Bash', 1]]);
    const two = await run(['rollback', '1'], sb.env, sb.repo);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toMatch(/Bash echo two > b\.txt · 1 file changed/);
    expect(existsSync(join(sb.repo, 'b.txt'))).toBe(false);
    expect(readFileSync(join(sb.repo, 'a.txt'), 'utf8')).toBe('one\n');

    const tooMany = await run(['rollback', '5'], sb.env, sb.repo);
    expect(tooMany.code).not.toBe(0);
    expect(tooMany.stderr).toMatch(/has 1 step\(s\) to undo \(tool calls that could change files\); cannot undo 5/);
    expect(tooMany.stderr).not.toMatch(/\n\s+at /);

    // --undo brings the Bash call back (and with it, one step more)
    expect((await run(['rollback', '--undo'], sb.env, sb.repo)).code).toBe(0);
    expect(readFileSync(join(sb.repo, 'b.txt'), 'utf8')).toBe('two\n');
    const again = await run(['rollback', '2', '--dry-run', '--json'], sb.env, sb.repo);
    expect(JSON.parse(again.stdout).steps.map((s: { tool: string }) => s.tool)).toEqual(['Bash', 'Write']);
    expect(latestSession(sb).rollbacks.map((x) => [x.kind, x.step !== null])).toEqual([
      ['rollback', true],
      ['rollback', true],
      ['undo', false],
    ]);
  }, 180_000);
});

describe('rollback while the session runs', () => {
  it('goes through the supervisor between tool calls, and the agent is told with its next call', async () => {
    const { sb, model } = await sandboxWithModel();
    writeFileSync(join(sb.repo, 'keep.txt'), 'precious\n');
    model.setScript([
      { tool: 'Bash', input: { command: 'rm keep.txt && echo junk > junk.txt', description: 'rewrite' } },
      { tool: 'Write', input: { file_path: join(sb.repo, 'notes.md'), content: 'built on the rewrite\n' } },
      { text: 'done' },
    ]);
    const between = model.hold(1);
    const session = run(['run', 'claude', '--', '-p', 'x', '--dangerously-skip-permissions'], sb.env, sb.repo);
    await between.reached;
    expect(existsSync(join(sb.repo, 'junk.txt'))).toBe(true);

    const rb = await run(['rollback'], sb.env, sb.repo);
    between.release();
    expect(rb.code, rb.stderr).toBe(0);
    expect(rb.stdout).toMatch(/through the running session/);
    expect(readFileSync(join(sb.repo, 'keep.txt'), 'utf8')).toBe('precious\n');
    expect(existsSync(join(sb.repo, 'junk.txt'))).toBe(false);

    const r = await session;
    expect(r.code, r.stderr).toBe(0);
    // the next call was held back and the model was told why
    expect(existsSync(join(sb.repo, 'notes.md'))).toBe(false);
    const told = JSON.stringify(model.toolResults().find((t) => t.tool_use_id === 'toolu_1')?.content);
    expect(told, told).toMatch(/rolled the working tree back to harness checkpoint [0-9a-f]{12}/);
    expect(told).toMatch(/keep\.txt \(restored\)/);
    expect(told).toMatch(/junk\.txt \(removed\)/);
    const { rows, changes } = latestSession(sb);
    expect(rows.map((x) => [x.tool, x.verdict, x.ruleId])).toEqual([
      ['Bash', 'allow', null],
      ['Write', 'deny', 'core.rollback'],
    ]);
    // what the first call changed is on record
    expect(
      changes
        .filter((c) => c.toolUseId === 'toolu_0')
        .map((c) => `${c.status} ${c.path}`)
        .sort(),
    ).toEqual(['added junk.txt', 'deleted keep.txt']);
    // and the rollback, done by the session for harness rollback, naming the call it undid
    expect(latestSession(sb).rollbacks.map((x) => [x.kind, x.by, x.step])).toEqual([['rollback', 'cli', 'toolu_0']]);
    expect(rb.stdout).toMatch(/Undoing the last step[^\n]*\n\s+Bash rm keep\.txt && echo junk > junk\.txt · 2 files changed/);
  }, 120_000);
});

describe('harness run claude: the repository cannot switch harness off', () => {
  it('hooks still run when .claude/settings.json sets disableAllHooks and allows everything', async () => {
    const { sb, model } = await sandboxWithModel();
    mkdirSync(join(sb.repo, '.claude'));
    writeFileSync(join(sb.repo, '.claude', 'settings.json'), JSON.stringify({ disableAllHooks: true, permissions: { allow: ['Bash(*)'] } }));
    writeFileSync(join(sb.repo, 'tracked.txt'), 'keep');
    model.setScript([{ tool: 'Bash', input: { command: 'rm -rf "$HOME"', description: 'x' } }, { text: 'done' }]);
    writeFileSync(join(sb.home, 'keep-me.txt'), 'still here');
    const r = await run(['run', 'claude', '--', '-p', 'x', '--dangerously-skip-permissions'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(sb.home, 'keep-me.txt'))).toBe(true);
    expect(JSON.stringify(model.toolResults())).toMatch(/harness denied this \(rule fs\.delete-home\)/);
  }, 120_000);
});

describe('harness run claude: refusals', () => {
  it('refuses --bare (it switches off all hooks) before starting anything', async () => {
    const sb = claudeSandbox('http://127.0.0.1:1');
    const r = await run(['run', 'claude', '--', '--bare', '-p', 'x'], sb.env, sb.repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--bare/);
  });

  it('an "ask" without a terminal resolves by config (deny) and is logged as such', async () => {
    const { sb, model } = await sandboxWithModel();
    model.setScript([{ tool: 'Bash', input: { command: 'git reset --hard', description: 'reset' } }, { text: 'done' }]);
    const r = await run(['run', 'claude', '--', '-p', 'x', '--dangerously-skip-permissions'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.stringify(model.toolResults()), JSON.stringify(model.toolResults())).toMatch(/nobody could be asked \(no terminal\)/);
    const { rows } = latestSession(sb);
    expect(rows[0]).toMatchObject({ verdict: 'deny', decidedBy: 'no-tty', askedFirst: true, ruleId: 'git.reset-hard' });
  }, 120_000);
});

describe('harness run claude: a script the agent wrote is judged by what it does', () => {
  it('Write a script, then run it: refused by its content, naming the file; the tidy version runs', async () => {
    const { sb, model } = await sandboxWithModel();
    mkdirSync(join(sb.home, 'data'), { recursive: true });
    writeFileSync(join(sb.home, 'data', 'thesis.txt'), 'years of work');
    model.setScript([
      { tool: 'Write', input: { file_path: join(sb.repo, 'cleanup.sh'), content: '#!/bin/bash\necho cleaning\nrm -rf ~/data\n' } },
      { tool: 'Bash', input: { command: 'bash cleanup.sh', description: 'clean up' } },
      { tool: 'Write', input: { file_path: join(sb.repo, 'cleanup.sh'), content: '#!/bin/bash\necho cleaning\nrm -rf build\n' } },
      { tool: 'Bash', input: { command: './cleanup.sh || bash cleanup.sh', description: 'clean up the build' } },
      { text: 'done' },
    ]);
    const r = await run(['run', 'claude', '--', '-p', 'x', '--dangerously-skip-permissions'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(sb.home, 'data', 'thesis.txt'), 'utf8')).toBe('years of work');
    const told = JSON.stringify(model.toolResults());
    expect(told, told).toMatch(/harness denied this \(rule fs\.delete-outside-recursive\)/);
    expect(told).toMatch(/Found in [^"]*cleanup\.sh, which the command runs/);
    const { rows, events } = latestSession(sb);
    const bash = rows.filter((x) => x.tool === 'Bash');
    expect(bash.map((x) => x.verdict)).toEqual(['deny', 'allow']);
    const judged = events.filter((e) => e.kind === 'script-judged').map((e) => e.detail);
    expect(judged).toHaveLength(2);
    expect(judged[0]).toMatch(/cleanup\.sh sha256:[0-9a-f]{64}/);
    expect(judged[1]).not.toBe(judged[0]);
  }, 120_000);
});
