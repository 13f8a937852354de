import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARNESS_BIN } from '../support/agent-env.js';
import { PtyDriver, type Seen } from '../support/pty-driver.js';

const FIXTURE = new URL('../fixtures/screen-agent.mjs', import.meta.url).pathname;

/** harness in a real pty over the fixture agent, which on "g" calls the hook with a command harness denies. */
function start(mode: 'normal' | 'alt') {
  const root = mkdtempSync(join(tmpdir(), 'harness-notice-'));
  const repo = join(root, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const scratch = join(root, 't');
  mkdirSync(scratch);
  const files = { result: join(scratch, 'hook-result.json'), input: join(scratch, 'agent-input.txt') };
  const env = {
    PATH: process.env.PATH,
    HOME: root,
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    TMPDIR: scratch,
    HARNESS_STATE_DIR: join(root, 'state'),
    SCREEN_AGENT_MODE: mode,
    SCREEN_AGENT_COMMAND: 'rm -rf ~',
    SCREEN_AGENT_RESULT: files.result,
    SCREEN_AGENT_INPUT: files.input,
  };
  const term = new PtyDriver(process.execPath, [HARNESS_BIN, 'run', '--agent-bin', FIXTURE, '--no-summary', 'claude'], { cwd: repo, env, cols: 100, rows: 30 });
  return { term, files };
}

const text = (s: Seen): string => s.lines.join('\n');

async function until(term: PtyDriver, done: (s: Seen) => boolean, timeoutMs = 15_000): Promise<Seen> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const now = await term.screen();
    if (done(now)) return now;
    if (Date.now() > deadline) throw new Error(`timed out; screen:\n${text(now)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function hookReply(path: string): Promise<{ hookSpecificOutput: { permissionDecision: string } }> {
  for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  return JSON.parse(readFileSync(path, 'utf8'));
}

describe.each(['normal', 'alt'] as const)('a deny shows as a bar over the agent (fixture agent on the %s screen, real pty)', (mode) => {
  const ready = mode === 'alt' ? 'status: waiting' : 'prompt>';

  it('the bar names the rule and the panel key, the agent keeps the keyboard; it goes by itself and the screen is as before', async () => {
    const { term, files } = start(mode);
    await term.waitForScreen(ready);
    // the agent's screen once it has stopped drawing
    const before = await until(term, () => true);
    await new Promise((r) => setTimeout(r, 200));
    const settled = await term.screen();
    expect(settled).toEqual(before);
    term.type('g');
    const during = await until(term, (s) => /harness denied Bash rm -rf ~ · fs\.delete-home/.test(text(s)));
    expect(during.lines[29]).toMatch(/harness denied Bash rm -rf ~ · fs\.delete-home: .*Ctrl-\] for details/);
    // only the bottom row is harness's; the cursor is where the agent left it
    expect(during.lines.slice(0, 29)).toEqual(before.lines.slice(0, 29));
    expect(during.cursor).toEqual(before.cursor);
    expect((await hookReply(files.result)).hookSpecificOutput.permissionDecision).toBe('deny');
    // a few seconds later it is gone and the agent's screen is back as it was
    const after = await until(term, (s) => !/harness denied/.test(text(s)), 20_000);
    expect(after).toEqual(before);
    term.type('q');
    expect(await term.exited).toBe(0);
    expect(readFileSync(files.input, 'utf8')).toBe('gq');
  }, 60_000);

  it('the next key dismisses it and still reaches the agent', async () => {
    const { term, files } = start(mode);
    await term.waitForScreen(ready);
    await new Promise((r) => setTimeout(r, 200));
    const before = await term.screen();
    term.type('g');
    await until(term, (s) => /harness denied/.test(text(s)));
    term.type('x');
    const after = await until(term, (s) => !/harness denied/.test(text(s)), 3000);
    expect(after).toEqual(before);
    term.type('q');
    expect(await term.exited).toBe(0);
    expect(readFileSync(files.input, 'utf8')).toBe('gxq');
  }, 60_000);
});
