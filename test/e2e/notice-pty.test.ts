import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type PtyDriver, type Seen } from '../support/pty-driver.js';
import { drawnScreen, hookReply, quit, startScreenAgent } from '../support/screen-agent.js';

/** harness in a real pty over the fixture agent, which on "g" calls the hook with a command harness denies. */
const start = (mode: 'normal' | 'alt', command = 'rm -rf ~') => startScreenAgent(mode, { command, name: 'notice' });

const text = (s: Seen): string => s.lines.join('\n');

/**
 * The bar gone and the agent's screen repainted as it was. The repaint is one write (in a
 * synchronized update), but the pty may hand it to the test's terminal in pieces: a screen between
 * two of them is not the end state, so the wait is for the end state (it times out if never reached).
 */
const restored = (term: PtyDriver, before: Seen, timeoutMs: number): Promise<Seen> =>
  term.waitForSeen((s) => !/harness denied/.test(text(s)) && isDeepStrictEqual(s, before), 'the bar to go and the screen to be as before', timeoutMs);

describe.each(['normal', 'alt'] as const)('a deny shows as a bar over the agent (fixture agent on the %s screen, real pty)', (mode) => {
  it('the bar names the rule and the panel key, the agent keeps the keyboard; it goes by itself and the screen is as before', async () => {
    const agent = start(mode);
    const { term, files } = agent;
    // the agent's screen once it has stopped drawing
    const before = await drawnScreen(term, mode);
    const settled = await term.screen();
    expect(settled).toEqual(before);
    term.type('g');
    const during = await term.waitForSeen((s) => /harness denied Bash rm -rf ~ · fs\.delete-home/.test(text(s)), 'the bar');
    expect(during.lines[29]).toMatch(/harness denied Bash rm -rf ~ · fs\.delete-home: .*Ctrl-\] for details/);
    // only the bottom row is harness's; the cursor is where the agent left it
    expect(during.lines.slice(0, 29)).toEqual(before.lines.slice(0, 29));
    expect(during.cursor).toEqual(before.cursor);
    expect((await hookReply(files.result)).hookSpecificOutput.permissionDecision).toBe('deny');
    // a few seconds later it is gone and the agent's screen is back as it was
    expect(await restored(term, before, 20_000)).toEqual(before);
    const { code, input } = await quit(agent);
    expect(code).toBe(0);
    expect(input).toBe('gq');
  }, 60_000);

  it('the next key dismisses it and still reaches the agent', async () => {
    const agent = start(mode);
    const { term } = agent;
    const before = await drawnScreen(term, mode);
    term.type('g');
    await term.waitForSeen((s) => /harness denied/.test(text(s)), 'the bar');
    term.type('x');
    expect(await restored(term, before, 10_000)).toEqual(before);
    const { code, input } = await quit(agent);
    expect(code).toBe(0);
    expect(input).toBe('gxq');
  }, 60_000);
});

describe('a denied command that carries escape sequences (real pty)', () => {
  it('they are shown, never obeyed: no title, no cleared screen, no fake dialog, the cursor stays', async () => {
    const agent = start('alt', 'rm -rf ~ \x1b]0;pwned\x07\x1b[2J\x1b[1;1H\x1b[44m harness · approval needed \x1b[0m\x1b[10;10H');
    const { term, files } = agent;
    let title: string | null = null;
    term.terminal.onTitleChange((t) => (title = t));
    const before = await drawnScreen(term, 'alt');
    term.type('g');
    const during = await term.waitForSeen((s) => /harness denied Bash rm -rf ~/.test(text(s)), 'the bar');
    expect(during.lines[29]).toMatch(/harness denied Bash rm -rf ~ \\x1b\]0;pwned\\x07\\x1b\[2J/);
    expect(during.lines.slice(0, 29)).toEqual(before.lines.slice(0, 29));
    expect(during.cursor).toEqual(before.cursor);
    // harness's own dialog is not there, nor a fake of it above the bar
    expect(during.lines.slice(0, 29).join('\n')).not.toMatch(/approval needed/);
    expect((await hookReply(files.result)).hookSpecificOutput.permissionDecision).toBe('deny');
    term.type('x');
    expect(await restored(term, before, 10_000)).toEqual(before);
    expect(title).toBeNull();
    const { code, input } = await quit(agent);
    expect(code).toBe(0);
    expect(input).toBe('gxq');
  }, 60_000);
});
