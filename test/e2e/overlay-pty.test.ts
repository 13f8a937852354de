import { describe, expect, it } from 'vitest';
import { type PtyDriver, type Seen } from '../support/pty-driver.js';
import { drawnScreen, hookReply, quit, startScreenAgent } from '../support/screen-agent.js';

/** harness in a real pty, supervising a fixture agent that draws a screen and calls the hook on "g". */
const start = (mode: 'normal' | 'alt') => startScreenAgent(mode, { name: 'overlay' });

/** The screen once it is `expected` again (or what it is after 5 s, for the assertion to show). */
async function settledScreen(term: PtyDriver, expected: Seen): Promise<Seen> {
  const same = (s: Seen): boolean => JSON.stringify(s) === JSON.stringify(expected);
  return term.waitForSeen(same, 'the screen as before', 5000).catch(() => term.screen());
}

describe.each(['normal', 'alt'] as const)('the approval overlay in a real pty (agent on the %s screen)', (mode) => {
  it('"y": the hook is answered allow and the screen, cursor and modes are as before', async () => {
    const agent = start(mode);
    const { term, files } = agent;
    const before = await drawnScreen(term, mode);
    term.type('g');
    const during = await term.waitForScreen('approval needed');
    expect(during.lines.join('\n')).toContain('$ git reset --hard');
    expect(during.lines.join('\n')).toContain('git.reset-hard');
    term.type('y');
    expect(await settledScreen(term, before)).toEqual(before);
    expect(await hookReply(files.result)).toMatchObject({ hookSpecificOutput: { permissionDecision: 'allow' } });
    const { code, input } = await quit(agent);
    expect(code).toBe(0);
    // the agent got "g" and "q"; the answer never reached it
    expect(input).toBe('gq');
  }, 60_000);

  it('a typed refusal goes to the agent, and no keystroke leaks', async () => {
    const agent = start(mode);
    const { term, files } = agent;
    const before = await drawnScreen(term, mode);
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
    const { code, input } = await quit(agent);
    expect(code).toBe(0);
    expect(input).toBe('gq');
  }, 60_000);

  it('Ctrl-] opens the panel over the agent; q gives the screen back', async () => {
    const agent = start(mode);
    const { term } = agent;
    const before = await drawnScreen(term, mode);
    term.type('\x1d');
    await term.waitForScreen('last checkpoint');
    term.type('j');
    term.type('q');
    expect(await settledScreen(term, before)).toEqual(before);
    const { code, input } = await quit(agent);
    expect(code).toBe(0);
    expect(input).toBe('q');
  }, 60_000);
});
