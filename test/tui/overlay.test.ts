import { createRequire } from 'node:module';
import type { Terminal as TerminalType } from '@xterm/headless';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeAdapter } from '../../src/agents/claude.js';
import { ApprovalBus } from '../../src/session/hook/approvals.js';
import { approvalView } from '../../src/session/view/approval-view.js';
import { AgentScreen } from '../../src/screen/agent-screen.js';
import { ScreenOverlay } from '../../src/screen/overlay.js';
import { Tui } from '../../src/tui/tui.js';
import type { PanelSource } from '../../src/tui/types.js';

const { Terminal } = createRequire(import.meta.url)('@xterm/headless') as { Terminal: typeof TerminalType };
const COLS = 80;
const ROWS = 24;

const emptyPanel: PanelSource = {
  status: () => ({ sessionId: 'test-session', agent: 'claude', allowed: 0, asked: 0, denied: 0, lastCheckpoint: null }),
  timeline: () => [],
  diff: async () => [],
  planRollback: async () => ({ checkpoint: '0'.repeat(40), changes: [], notRestored: [] }),
  rollback: async () => ({ checkpoint: '0'.repeat(40), changes: [], notRestored: [] }),
  undo: async () => null,
  canUndo: () => false,
  sessionRules: () => [],
  revokeRule: () => {},
};

function term(): TerminalType {
  return new Terminal({ cols: COLS, rows: ROWS, scrollback: 1000, allowProposedApi: true });
}

const flush = (t: TerminalType) => new Promise<void>((r) => t.write('', r));

/** What a person sees: visible lines, cursor, which screen, and the modes that change what keys send. */
function seen(t: TerminalType) {
  const b = t.buffer.active;
  const lines: string[] = [];
  for (let y = 0; y < t.rows; y++) lines.push(b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
  const { bracketedPasteMode, mouseTrackingMode, applicationCursorKeysMode, sendFocusMode } = t.modes;
  return { lines, cursor: [b.cursorX, b.cursorY], screen: b.type, modes: { bracketedPasteMode, mouseTrackingMode, applicationCursorKeysMode, sendFocusMode } };
}

async function until(check: () => boolean, what: string, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The person's terminal (a headless xterm) with harness in front of a fake agent. `reference`
 * sees only the agent's output: what the screen must look like once harness steps aside.
 */
function rig() {
  const person = term();
  const reference = term();
  const written: string[] = [];
  const screen = new AgentScreen(COLS, ROWS);
  let nudges = 0;
  const overlay = new ScreenOverlay(
    (d) => {
      written.push(d);
      person.write(d);
    },
    screen,
    () => nudges++,
  );
  const tui = new Tui(
    { open: () => overlay.open(), paint: (f, s) => overlay.paint(f, s), close: () => overlay.close(), size: () => ({ columns: COLS, rows: ROWS }) },
    emptyPanel,
    'ctrl-]',
  );
  const bus = new ApprovalBus('deny');
  bus.attach(
    (request) =>
      void tui
        .ask(approvalView(request, '/work', null))
        .then((c) => bus.answer(request.id, c.verdict === 'allow' ? { verdict: 'allow', by: 'human' } : { verdict: 'deny', by: 'human', message: c.message })),
    (id, answer) => answer.by !== 'human' && tui.withdraw(id, 'no answer in time, so harness denied'),
  );
  const agent = (data: string) => {
    overlay.agentOutput(data);
    reference.write(data);
  };
  const ask = (command: string, timeoutMs = 60_000) =>
    bus.request(
      claudeAdapter.toToolEvent({ tool_name: 'Bash', tool_input: { command }, cwd: '/work' }, '/work'),
      { verdict: 'ask', ruleId: 'test.ask', reason: 'a test asks', mutates: true, hits: [], commands: [] },
      timeoutMs,
    );
  const settled = async () => {
    await until(() => !tui.active && !overlay.isOpen, 'the overlay to close');
    await screen.flushed();
    await flush(person);
    await flush(reference);
  };
  const showing = (text: string) => until(() => seen(person).lines.join('\n').includes(text), `"${text}" on screen`);
  return { person, reference, written, tui, agent, ask, settled, showing, nudges: () => nudges, screen };
}

let rigs: ReturnType<typeof rig>[] = [];
afterEach(async () => {
  for (const r of rigs) await r.tui.stop();
  rigs = [];
});
const make = () => {
  const r = rig();
  rigs.push(r);
  return r;
};

const NORMAL = Array.from({ length: 40 }, (_, i) => `\x1b[3${i % 7}mline ${i}\x1b[0m ${'#'.repeat(i % 20)}\r\n`).join('') + '\x1b[?2004h$ ';
const FULLSCREEN =
  '\x1b[?1049h\x1b[?1000h\x1b[?1006h\x1b[?2004h\x1b[?1h\x1b[?1004h\x1b[H\x1b[2J' +
  `\x1b[44m${' APP '.padEnd(COLS)}\x1b[0m` +
  Array.from({ length: 18 }, (_, i) => `\x1b[${i + 3};5Hrow ${i} ${'.'.repeat(i)}`).join('') +
  `\x1b[${ROWS};1H\x1b[7mstatus\x1b[0m\x1b[2;10r\x1b[6;12H`;

describe('the overlay gives the screen back as it was', () => {
  it('normal screen: the dialog is drawn on the alternate screen, output meanwhile is replayed', async () => {
    const r = make();
    r.agent(NORMAL);
    const answer = r.ask('git reset --hard');
    await r.showing('approval needed');
    expect(seen(r.person).screen).toBe('alternate');
    r.agent('\r\nlate output while the dialog was up\r\n$ ');
    await new Promise((res) => setTimeout(res, 50));
    // nothing of the agent's reaches the screen while harness has it
    expect(seen(r.person).lines.join('\n')).not.toContain('late output');
    r.tui.input('y');
    expect(await answer).toMatchObject({ verdict: 'allow', by: 'human' });
    await r.settled();
    expect(seen(r.person)).toEqual(seen(r.reference));
    expect(seen(r.person).lines.join('\n')).toContain('late output');
    expect(r.nudges()).toBe(1);
  });

  it('normal screen: a flood of output meanwhile is repainted from the virtual screen', async () => {
    const r = make();
    r.agent(NORMAL);
    const answer = r.ask('make');
    await r.showing('approval needed');
    const line = `${'x'.repeat(70)}\r\n`;
    r.agent(line.repeat(Math.ceil((2.5 * 1024 * 1024) / line.length)) + 'done\r\n$ ');
    r.tui.input('n');
    expect(await answer).toMatchObject({ verdict: 'deny', by: 'human' });
    await r.settled();
    expect(seen(r.person)).toEqual(seen(r.reference));
  });

  it('alternate screen: cells, colours, cursor, scroll region and modes come back', async () => {
    const r = make();
    r.agent(FULLSCREEN);
    await flush(r.reference);
    const before = seen(r.reference);
    expect(before.modes).toMatchObject({ bracketedPasteMode: true, mouseTrackingMode: 'vt200', applicationCursorKeysMode: true, sendFocusMode: true });
    const answer = r.ask('rm -rf build');
    await r.showing('approval needed');
    // harness's own input must not be mouse reports or pastes: those modes are off while it draws
    expect(seen(r.person).modes).toMatchObject({ bracketedPasteMode: false, mouseTrackingMode: 'none', applicationCursorKeysMode: false });
    r.agent(`\x1b[${ROWS};1H\x1b[7mstatus: still waiting\x1b[0m\x1b[6;12H`);
    r.tui.input('y');
    await answer;
    await r.settled();
    expect(seen(r.person)).toEqual(seen(r.reference));
    // colours survive: the header's background is still blue
    const cell = r.person.buffer.active.getLine(0)!.getCell(1)!;
    expect(cell.isBgPalette() && cell.getBgColor()).toBe(4);
    // the scroll region is back: a line feed at its bottom scrolls rows 2-10 only
    r.agent('\x1b[10;1H\nscrolled');
    await flush(r.person);
    await flush(r.reference);
    expect(seen(r.person).lines).toEqual(seen(r.reference).lines);
  });

  it('the agent leaves its alternate screen while the dialog is up', async () => {
    const r = make();
    r.agent(NORMAL + FULLSCREEN);
    const answer = r.ask('ls');
    await r.showing('approval needed');
    r.agent('\x1b[?1000l\x1b[?1006l\x1b[?2004l\x1b[?1l\x1b[?1004l\x1b[r\x1b[?1049lbye\r\n');
    r.tui.input('n');
    await answer;
    await r.settled();
    expect(seen(r.person)).toEqual(seen(r.reference));
    expect(seen(r.person).screen).toBe('normal');
  });

  it('the agent enters its alternate screen while the dialog is up', async () => {
    const r = make();
    r.agent(NORMAL);
    const answer = r.ask('ls');
    await r.showing('approval needed');
    r.agent(FULLSCREEN);
    r.tui.input('y');
    await answer;
    await r.settled();
    expect(seen(r.person)).toEqual(seen(r.reference));
    expect(seen(r.person).screen).toBe('alternate');
  });

  it('the kitty keyboard protocol is switched off while harness reads keys, then restored', async () => {
    const r = make();
    r.agent('\x1b[?1049h\x1b[>1u\x1b[Hkitty app');
    const answer = r.ask('ls');
    await r.showing('approval needed');
    expect(r.written.join('')).toContain('\x1b[=0;1u');
    r.tui.input('y');
    await answer;
    await r.settled();
    expect(r.written.join('').split('\x1b[=0;1u').at(-1)).toContain('\x1b[=1;1u');
  });
});

describe('queue and timeout', () => {
  it('approvals wait in line with a count; a timeout denies, says so, and moves on', async () => {
    const r = make();
    r.agent(NORMAL);
    const first = r.ask('first-command');
    const second = r.ask('second-command', 300);
    const third = r.ask('third-command');
    await r.showing('1 of 3 waiting');
    expect(seen(r.person).lines.join('\n')).toContain('first-command');
    r.tui.input('y');
    expect(await first).toMatchObject({ verdict: 'allow' });
    await r.showing('second-command');
    expect(await second).toEqual({ verdict: 'deny', by: 'timeout' });
    // the next approval says what happened to the one that timed out
    await r.showing('third-command');
    expect(seen(r.person).lines.join('\n')).toContain('no answer in time, so harness denied: second-command');
    r.tui.input('n');
    expect(await third).toMatchObject({ verdict: 'deny', by: 'human' });
    await r.settled();
    expect(seen(r.person)).toEqual(seen(r.reference));
  });

  it('a timeout with nothing else waiting leaves a notice until a key is pressed', async () => {
    const r = make();
    r.agent(NORMAL);
    const only = r.ask('slow-command', 200);
    expect(await only).toEqual({ verdict: 'deny', by: 'timeout' });
    await r.showing('harness denied: slow-command');
    r.tui.input(' ');
    await r.settled();
    expect(seen(r.person)).toEqual(seen(r.reference));
  });

  it('the panel opens and closes over the agent', async () => {
    const r = make();
    r.agent(FULLSCREEN);
    r.tui.openPanel();
    await r.showing('claude session test-ses');
    expect(seen(r.person).lines.join('\n')).toContain('no tool calls yet');
    r.tui.input('q');
    await r.settled();
    expect(seen(r.person)).toEqual(seen(r.reference));
  });
});
