import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelServer } from '../support/model-server.js';
import { claudeSandbox, HARNESS_BIN, latestSession } from '../support/agent-env.js';
import { PtyDriver } from '../support/pty-driver.js';

let model: ModelServer | null = null;
afterEach(async () => {
  await model?.stop();
  model = null;
});

/** Types a line into Claude Code's prompt and presses Enter once it shows (sooner, it may take both as one paste). */
async function submit(term: PtyDriver, text: string): Promise<void> {
  const mark = term.mark();
  term.type(text);
  await term.waitFor(text, 30_000, mark);
  term.type('\r');
}

async function session(answer: 'y' | 'n') {
  model = new ModelServer();
  const url = await model.start();
  const sb = claudeSandbox(url);
  execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: sb.repo });
  writeFileSync(join(sb.repo, 'work.txt'), 'uncommitted work');
  execFileSync('git', ['add', 'work.txt'], { cwd: sb.repo });
  model.setScript([
    { tool: 'Bash', input: { command: 'echo hi > harmless.txt', description: 'harmless' } },
    { tool: 'Bash', input: { command: 'git reset --hard', description: 'discard everything' } },
    { text: 'finished' },
  ]);
  const term = new PtyDriver(process.execPath, [HARNESS_BIN, 'run', 'claude', '--', '--dangerously-skip-permissions'], { cwd: sb.repo, env: sb.env });
  await term.waitFor('bypass permissions');
  await submit(term, 'clean up the repo');
  await term.waitFor('harness · approval needed');
  expect(term.text).toContain('git reset --hard');
  expect(term.text).toContain('git.reset-hard');
  // the agent is waiting: nothing destructive has happened yet
  expect(existsSync(join(sb.repo, 'work.txt'))).toBe(true);
  const mark = term.mark();
  term.type(answer);
  await term.waitFor('finished', 30_000, mark);
  // the agent's screen is back
  expect(term.since(mark)).toMatch(/Claude Code|clean up the repo|finished/);
  await submit(term, '/exit');
  const code = await term.exited;
  return { sb, code, text: term.text };
}

describe('harness run claude in a real terminal (pty), real Claude Code', () => {
  it('asks with one key; "y" lets the command run and the approval is logged', async () => {
    const { sb, code, text } = await session('y');
    expect(code).toBe(0);
    expect(existsSync(join(sb.repo, 'harmless.txt'))).toBe(true);
    expect(existsSync(join(sb.repo, 'work.txt'))).toBe(false);
    expect(JSON.stringify(model!.toolResults())).toMatch(/HEAD is now at/);
    expect(text).toMatch(/1 asked \(1 approved/);
    const { rows } = latestSession(sb);
    expect(rows.map((r) => [r.verdict, r.decidedBy])).toEqual([
      ['allow', 'rule'],
      ['allow', 'human'],
    ]);
  }, 120_000);

  it('"n" keeps the command from running and the model is told why', async () => {
    const { sb, code } = await session('n');
    expect(code).toBe(0);
    expect(existsSync(join(sb.repo, 'work.txt'))).toBe(true);
    expect(JSON.stringify(model!.toolResults())).toMatch(/the user declined/);
    const { rows } = latestSession(sb);
    expect(rows[1]).toMatchObject({ verdict: 'deny', decidedBy: 'human', askedFirst: true });
  }, 120_000);
});
