import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HARNESS_BIN } from '../support/agent-env.js';
import { PtyDriver, type Seen } from '../support/pty-driver.js';

const FIXTURE = new URL('../fixtures/screen-agent.mjs', import.meta.url).pathname;

/** harness in a real pty, supervising a fixture agent that draws a screen and calls the hook on "g". */
function start(mode: 'normal' | 'alt') {
  const root = mkdtempSync(join(tmpdir(), 'harness-overlay-'));
  const repo = join(root, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  // the agent's temp dir: the one place outside the repository the sandbox lets it write
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
    SCREEN_AGENT_RESULT: files.result,
    SCREEN_AGENT_INPUT: files.input,
  };
  const term = new PtyDriver(process.execPath, [HARNESS_BIN, 'run', '--agent-bin', FIXTURE, '--no-summary', 'claude'], { cwd: repo, env, cols: 100, rows: 30 });
  return { term, files };
}

/** The screen once the agent has drawn `text` and stopped drawing. */
async function settledAt(term: PtyDriver, text: string): Promise<Seen> {
  const screen = await term.waitForScreen(text);
  await new Promise((r) => setTimeout(r, 200));
  return screen;
}

/** The answer the fixture agent got from harness's hook. */
async function hookReply(path: string): Promise<{ hookSpecificOutput: { permissionDecision: string; permissionDecisionReason?: string } }> {
  for (let i = 0; i < 100 && !existsSync(path); i++) await new Promise((r) => setTimeout(r, 50));
  return JSON.parse(readFileSync(path, 'utf8'));
}

async function settledScreen(term: PtyDriver, expected: Seen): Promise<Seen> {
  const deadline = Date.now() + 5000;
  let now = await term.screen();
  while (JSON.stringify(now) !== JSON.stringify(expected) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 50));
    now = await term.screen();
  }
  return now;
}

describe.each(['normal', 'alt'] as const)('the approval overlay in a real pty (agent on the %s screen)', (mode) => {
  const ready = mode === 'alt' ? 'status: waiting' : 'prompt>';

  it('"y": the hook is answered allow and the screen, cursor and modes are as before', async () => {
    const { term, files } = start(mode);
    const before = await settledAt(term, ready);
    term.type('g');
    const during = await term.waitForScreen('approval needed');
    expect(during.lines.join('\n')).toContain('$ git reset --hard');
    expect(during.lines.join('\n')).toContain('git.reset-hard');
    term.type('y');
    expect(await settledScreen(term, before)).toEqual(before);
    expect(await hookReply(files.result)).toMatchObject({ hookSpecificOutput: { permissionDecision: 'allow' } });
    term.type('q');
    expect(await term.exited).toBe(0);
    // the agent got "g" and "q"; the answer never reached it
    expect(readFileSync(files.input, 'utf8')).toBe('gq');
  }, 60_000);

  it('a typed refusal goes to the agent, and no keystroke leaks', async () => {
    const { term, files } = start(mode);
    const before = await settledAt(term, ready);
    term.type('g');
    await term.waitForScreen('approval needed');
    term.type('e');
    await term.waitForScreen('Deny, and tell the agent');
    term.type('stash first please');
    await term.waitForScreen('stash first please');
    term.type('\r');
    expect(await settledScreen(term, before)).toEqual(before);
    const reply = await hookReply(files.result);
    expect(reply.hookSpecificOutput.permissionDecision).toBe('deny');
    expect(reply.hookSpecificOutput.permissionDecisionReason).toContain('the user declined: stash first please');
    term.type('q');
    expect(await term.exited).toBe(0);
    expect(readFileSync(files.input, 'utf8')).toBe('gq');
  }, 60_000);

  it('Ctrl-] opens the panel over the agent; q gives the screen back', async () => {
    const { term, files } = start(mode);
    const before = await settledAt(term, ready);
    term.type('\x1d');
    await term.waitForScreen('last checkpoint');
    term.type('j');
    term.type('q');
    expect(await settledScreen(term, before)).toEqual(before);
    term.type('q');
    expect(await term.exited).toBe(0);
    expect(readFileSync(files.input, 'utf8')).toBe('q');
  }, 60_000);
});
