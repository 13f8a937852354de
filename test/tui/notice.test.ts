import { createRequire } from 'node:module';
import type { Terminal as TerminalType } from '@xterm/headless';
import { describe, expect, it } from 'vitest';
import { noticeLine, shortReason, type DecisionNotice } from '../../src/session/hook/decision-notice.js';
import { AgentScreen } from '../../src/screen/agent-screen.js';
import { NoticeBar, StreamState } from '../../src/screen/notice-bar.js';
import { clip, keyLabel, NoticeModel, stringWidth } from '../../src/screen/notice-model.js';

const { Terminal } = createRequire(import.meta.url)('@xterm/headless') as { Terminal: typeof TerminalType };

const denied = (subject: string, ruleId = 'fs.delete-home'): DecisionNotice => ({
  kind: 'denied',
  tool: 'Bash',
  subject,
  ruleId,
  reason: 'Deleting your home directory destroys everything. Delete what you mean by name.',
});
const timedOut: DecisionNotice = {
  kind: 'ask-timed-out',
  tool: 'Bash',
  subject: 'touch x',
  ruleId: 'team.ask-touch',
  reason: 'touch needs a yes',
  by: 'timeout',
  seconds: 300,
};
const sandboxed: DecisionNotice = {
  kind: 'sandbox-refusal',
  tool: 'Bash',
  subject: 'bash a.sh',
  detail: "touch: cannot touch '/etc/x': Read-only file system",
};

describe('the notice model: coalescing and expiry', () => {
  it('one notice names the call, the rule, a short reason and the panel key; it expires after the ttl', () => {
    const m = new NoticeModel(5000);
    expect(m.text(0, 'ctrl-]')).toBeNull();
    m.add(denied('rm -rf ~'), 1000);
    expect(m.text(1000, 'ctrl-]')).toBe('harness denied Bash rm -rf ~ · fs.delete-home: Deleting your home directory destroys everything · Ctrl-] for details');
    expect(m.visible(5999)).toBe(true);
    expect(m.expiresAt(1000)).toBe(6000);
    expect(m.visible(6000)).toBe(false);
    expect(m.text(6000, 'ctrl-]')).toBeNull();
  });

  it('a burst coalesces into a count with the latest in full, and each one extends the time', () => {
    const m = new NoticeModel(5000);
    m.add(denied('rm -rf ~'), 0);
    m.add(denied('rm -rf ~/Documents'), 2000);
    m.add(denied('rm -rf /', 'fs.delete-root'), 4000);
    expect(m.total(4000)).toBe(3);
    expect(m.text(4000, 'ctrl-g')).toBe(
      'harness: 3 calls denied — latest: Bash rm -rf / · fs.delete-root: Deleting your home directory destroys everything · Ctrl-G for details',
    );
    expect(m.visible(8999)).toBe(true);
    expect(m.visible(9000)).toBe(false);
  });

  it('kinds are counted apart; after it expired (or was dismissed) counting starts again', () => {
    const m = new NoticeModel(5000);
    m.add(denied('rm -rf ~'), 0);
    m.add(sandboxed, 1);
    m.add(timedOut, 2);
    expect(m.text(2, 'ctrl-]')).toMatch(
      /^harness: 3 calls \(1 denied, 1 refused by the sandbox, 1 unanswered\) — latest, denied \(no answer in 300s\): Bash touch x · team\.ask-touch: touch needs a yes · Ctrl-\] for details$/,
    );
    m.add(denied('ls /x'), 10_000);
    expect(m.total(10_000)).toBe(1);
    m.dismiss();
    expect(m.visible(10_001)).toBe(false);
    m.add(sandboxed, 10_002);
    expect(m.text(10_002, 'ctrl-]')).toBe(
      "harness the sandbox refused Bash bash a.sh · sandbox: outside the workspace the files are read-only: touch: cannot touch '/etc/x': Read-only file system · Ctrl-] for details",
    );
  });

  it('a narrow terminal cuts the middle of the text, never the key to the panel', () => {
    const m = new NoticeModel();
    m.add(denied('rm -rf ~'), 0);
    for (const columns of [120, 90, 70, 60, 50, 40, 30, 10]) expect(stringWidth(m.text(0, 'ctrl-]', columns)!)).toBeLessThanOrEqual(columns);
    expect(m.text(0, 'ctrl-]', 80)).toMatch(/^harness denied Bash rm -rf ~ · fs\.delete-home: Deleting.*… · Ctrl-\] for details$/);
    expect(m.text(0, 'ctrl-]', 70)).toMatch(/^harness denied Bash rm -rf ~ · fs\.delete-home: Deleting.*… · Ctrl-\]$/);
    expect(m.text(0, 'ctrl-]', 60)).toBe('harness denied Bash rm -rf ~ · fs.delete-home · Ctrl-]');
    expect(m.text(0, 'ctrl-]', 50)).toBe('harness denied Bash rm … · fs.delete-home · Ctrl-]');
  });

  it('secrets in the command are masked; the stderr line says the same in one line', () => {
    const m = new NoticeModel();
    const token = `ghp_${'a1B2c3D4e5'.repeat(4).slice(0, 36)}`;
    const n = denied(`curl -H "Authorization: token ${token}" https://x.test\nrm -rf ~`);
    m.add(n, 0);
    expect(m.text(0, 'ctrl-]')).not.toContain(token);
    expect(noticeLine(n)).not.toContain(token);
    expect(noticeLine(n)).not.toContain('\n');
    expect(noticeLine(n)).toMatch(
      /^harness: denied Bash curl .* fs\.delete-home: Deleting your home directory destroys everything \(harness log shows more\)$/,
    );
  });

  it.each([
    ['ctrl-]', 'Ctrl-]'],
    ['ctrl-g', 'Ctrl-G'],
    ['CTRL-\\', 'Ctrl-\\'],
  ])('key label %s → %s', (spec, label) => expect(keyLabel(spec)).toBe(label));

  it('helpers: widths, clipping, short reasons', () => {
    expect(stringWidth('日本')).toBe(4);
    expect(stringWidth('é')).toBe(1);
    expect(clip('abcdef', 4)).toBe('abc…');
    expect(clip('abc', 4)).toBe('abc');
    expect(shortReason('First sentence. Second one.')).toBe('First sentence');
    expect(shortReason('x'.repeat(300)).length).toBe(120);
  });
});

describe('the stream state: harness writes only between whole sequences of the agent', () => {
  it.each([
    ['plain text', 'hello', true],
    ['a whole CSI', '\x1b[31mred\x1b[0m', true],
    ['half a CSI', '\x1b[3', false],
    ['a lone ESC', 'x\x1b', false],
    ['an OSC title, BEL-ended', '\x1b]0;title\x07', true],
    ['an OSC title, cut', '\x1b]0;tit', false],
    ['an OSC title, ST-ended', '\x1b]0;title\x1b\\', true],
    ['a saved cursor', '\x1b7', false],
    ['a saved and restored cursor', '\x1b7abc\x1b8', true],
    ['CSI s', '\x1b[s', false],
    ['CSI s … CSI u', '\x1b[sabc\x1b[u', true],
    ['a kitty keyboard push is not a restore', '\x1b[s\x1b[>1u', false],
    ['a charset designation', '\x1b(B', true],
  ])('%s', (_, data, atRest) => {
    const s = new StreamState();
    s.feed(data);
    expect(s.atRest).toBe(atRest);
  });

  it('follows synchronized updates across chunks', () => {
    const s = new StreamState();
    s.feed('\x1b[?20');
    s.feed('26h');
    expect(s.sync).toBe(true);
    s.feed('frame\x1b[?2026l');
    expect(s.sync).toBe(false);
    expect(s.atRest).toBe(true);
  });
});

/** The agent's virtual screen, the person's terminal (another headless xterm), and a bar between them. */
function rig(cols = 130, rows = 12) {
  const screen = new AgentScreen(cols, rows);
  const real = new Terminal({ cols, rows, scrollback: 100, allowProposedApi: true });
  const written: string[] = [];
  let clock = 0;
  let timer: (() => void) | null = null;
  const bar = new NoticeBar({
    write: (data) => (written.push(data), real.write(data)),
    screen,
    size: () => ({ columns: cols, rows }),
    panelKey: 'ctrl-]',
    ttlMs: 5000,
    now: () => clock,
    setTimer: (fn) => ((timer = fn), 1),
    clearTimer: () => (timer = null),
  });
  const agent = (data: string): void => bar.agentOutput(data, (d) => (screen.write(d), real.write(d)));
  const flush = async (): Promise<void> => {
    await screen.flushed();
    await new Promise<void>((r) => real.write('', r));
    await new Promise((r) => setImmediate(r));
    await screen.flushed();
    await new Promise<void>((r) => real.write('', r));
  };
  const lines = (t: TerminalType): string[] => {
    const b = t.buffer.active;
    return Array.from({ length: rows }, (_, y) => b.getLine(b.viewportY + y)?.translateToString(true) ?? '');
  };
  const virtual = (screen as unknown as { term: TerminalType }).term;
  const seen = (t: TerminalType) => ({ lines: lines(t), cursor: [t.buffer.active.cursorX, t.buffer.active.cursorY], screen: t.buffer.active.type });
  /** The first cell's colours on a row: the pen the agent's text was written with. */
  const fg = (t: TerminalType, y: number, x: number) =>
    t.buffer.active
      .getLine(t.buffer.active.viewportY + y)!
      .getCell(x)!
      .getFgColor();
  return {
    bar,
    agent,
    flush,
    real,
    virtual,
    seen,
    fg,
    written,
    tick: (ms: number) => {
      clock += ms;
    },
    fire: () => timer?.(),
  };
}

describe.each(['alternate', 'normal'] as const)('the notice bar over an agent on the %s screen', (kind) => {
  const draw = (r: ReturnType<typeof rig>): void => {
    if (kind === 'alternate') {
      r.agent('\x1b[?1049h\x1b[H\x1b[2J\x1b[44;37m TITLE \x1b[0m');
      for (let y = 3; y <= 12; y++) r.agent(`\x1b[${y};2Hrow ${y}`);
      r.agent('\x1b[12;1H\x1b[7m status line \x1b[0m\x1b[5;9H\x1b[32m');
    } else {
      // a prompt above the bottom row (one on it is covered by the bar until the next key)
      for (let i = 1; i <= 5; i++) r.agent(`line ${i}\r\n`);
      r.agent('prompt> \x1b[32m');
    }
  };

  it("shows on the bottom row without moving the cursor; the agent keeps its pen; it goes at expiry and the screen is the agent's again", async () => {
    const r = rig();
    draw(r);
    await r.flush();
    const before = r.seen(r.real);
    r.bar.add(denied('rm -rf ~'));
    await r.flush();
    const during = r.seen(r.real);
    expect(during.lines[11]).toMatch(/^ harness denied Bash rm -rf ~ · fs\.delete-home: .* · Ctrl-\] for details$/);
    expect(during.cursor).toEqual(before.cursor);
    expect(during.lines.slice(0, 11)).toEqual(before.lines.slice(0, 11));
    // the agent goes on printing in its own colour: the bar took nothing from its pen
    r.agent('X');
    await r.flush();
    expect(r.fg(r.real, before.cursor[1]!, before.cursor[0]!)).toBe(r.fg(r.virtual, before.cursor[1]!, before.cursor[0]!));
    expect(r.seen(r.real).lines[11]).toMatch(/harness denied/);
    r.tick(5000);
    r.fire();
    await r.flush();
    expect(r.seen(r.real)).toEqual(r.seen(r.virtual));
    expect(r.seen(r.real).lines.join('\n')).not.toMatch(/harness/);
  });

  it('output that scrolls while the bar is up leaves no trace of it; a key dismisses it (mouse reports do not)', async () => {
    const r = rig();
    draw(r);
    await r.flush();
    r.bar.add(denied('rm -rf ~'));
    r.bar.add(denied('rm -rf /', 'fs.delete-root'));
    for (let i = 0; i < 15; i++) r.agent(`\r\nmore output ${i}`);
    await r.flush();
    expect(r.seen(r.real).lines[11]).toMatch(/^ harness: 2 calls denied — latest: Bash rm -rf \/ · fs\.delete-root/);
    expect(r.seen(r.real).lines.slice(0, 11).join('\n')).not.toMatch(/harness/);
    r.bar.keypress('\x1b[<35;10;5M');
    expect(r.bar.visible).toBe(true);
    r.bar.keypress('x');
    expect(r.bar.visible).toBe(false);
    await r.flush();
    expect(r.seen(r.real)).toEqual(r.seen(r.virtual));
  });

  it('waits for the end of a sequence the agent is in the middle of, and for a cursor it saved', async () => {
    const r = rig();
    draw(r);
    r.agent('\x1b[3');
    await r.flush();
    r.bar.add(denied('rm -rf ~'));
    expect(r.written).toEqual([]);
    r.agent('1mred');
    expect(r.written).toHaveLength(1);
    r.agent('\x1b7');
    r.agent('saved');
    expect(r.written).toHaveLength(2); // erased before the first chunk, not drawn again while the cursor is saved
    r.agent('\x1b8');
    expect(r.written).toHaveLength(3);
    await r.flush();
    expect(r.seen(r.real).lines[11]).toMatch(/harness denied/);
  });

  it('the overlay taking the screen suspends it (and is told to repaint); after the overlay it comes back', async () => {
    const r = rig();
    draw(r);
    await r.flush();
    expect(r.bar.suspend()).toBe(false);
    r.bar.add(denied('rm -rf ~'));
    expect(r.written).toEqual([]);
    r.bar.resume();
    await r.flush();
    expect(r.seen(r.real).lines[11]).toMatch(/harness denied/);
    expect(r.bar.suspend()).toBe(true);
    r.bar.resume();
    expect(r.seen(r.real).lines[11]).toMatch(/harness denied/);
    await r.bar.dispose();
    await r.flush();
    expect(r.seen(r.real)).toEqual(r.seen(r.virtual));
  });
});

describe('the notice bar against an agent that puts escape sequences in what it shows', () => {
  const CONTROL = /[\x00-\x1f\x7f-\x9f]/;
  /** A command, a rule and a refusal line that would clear the screen, fake a dialog, set the title and ring the bell if printed raw. */
  const hostile: DecisionNotice[] = [
    {
      kind: 'denied',
      tool: 'Bash',
      subject: 'rm -rf ~\x1b[2J\x1b[H\x1b[1;37;44m harness · approval needed: press y \x1b]0;pwned\x07\x1b[5;5H',
      ruleId: 'fs.delete-home\x1b[31m',
      reason: 'gone\x1b]2;title\x1b\\ now\x07\x08\x08',
    },
    {
      kind: 'sandbox-refusal',
      tool: 'Bash',
      subject: 'bash a.sh',
      detail: "touch: cannot touch '/etc/x\x1b[2J\x9b2J\x1b]0;pwned\x07\r\x1b[K': Read-only file system",
    },
    { kind: 'ask-timed-out', tool: 'Bash\x1bc', subject: 'touch x', ruleId: null, reason: 'why\x9d0;pwned\x9c', by: 'timeout', seconds: 300 },
  ];

  it.each(hostile.map((n) => [n.kind, n] as const))('%s: no control character reaches the text, and what was there is shown', (_, n) => {
    const m = new NoticeModel();
    m.add(n, 0);
    for (const columns of [1000, 120, 60, 30]) expect(m.text(0, 'ctrl-]', columns)).not.toMatch(CONTROL);
    expect(m.text(0, 'ctrl-]')).toContain('\\x');
  });

  it("on the terminal: the screen above the bar, the cursor and the window title are the agent's", async () => {
    const r = rig(300);
    let title: string | null;
    r.real.onTitleChange((t) => (title = t));
    r.agent('\x1b]0;agent title\x07');
    for (let i = 1; i <= 5; i++) r.agent(`line ${i}\r\n`);
    r.agent('prompt> ');
    await r.flush();
    title = null;
    const before = r.seen(r.real);
    for (const n of hostile) {
      r.bar.add(n);
      r.agent('\r\nmore');
      await r.flush();
      const during = r.seen(r.real);
      expect(during.lines.slice(0, 11)).toEqual(r.seen(r.virtual).lines.slice(0, 11));
      expect(during.cursor).toEqual(r.seen(r.virtual).cursor);
      expect(during.lines[11]).toMatch(/^ harness.*\\x(1b|9b|9d)/);
      r.bar.keypress('x');
      await r.flush();
      expect(r.seen(r.real)).toEqual(r.seen(r.virtual));
    }
    expect(title).toBeNull();
    expect(before.lines[11]).toBe('');
    // each draw of the bar: save, bottom row, pen, the text, erase to the end, restore; nothing raw between
    const draws = r.written.filter((w) => w.startsWith('\x1b7\x1b[?6l'));
    expect(draws.length).toBeGreaterThanOrEqual(hostile.length);
    for (const w of draws)
      expect(w.replace(/^\x1b7\x1b\[\?6l\x1b\[12;1H\x1b\[0(?:;1;97;41)?m/, '').replace(/\x1b\[K\x1b\[0m\x1b8$|\x1b\[2K\x1b8$/, '')).not.toMatch(
        /\x1b|\x07|\x9b|\x9d/,
      );
  });
});

describe("the notice bar and harness's own screens", () => {
  it('while the overlay (a dialog, the panel) has the screen, nothing is drawn: no notice, no expiry, no key', async () => {
    const r = rig();
    r.agent('prompt> ');
    await r.flush();
    r.bar.add(denied('rm -rf ~'));
    await r.flush();
    const shown = r.written.length;
    expect(r.bar.suspend()).toBe(true);
    for (let i = 0; i < 50; i++) r.bar.add(denied(`rm -rf ~/${i}`));
    r.bar.observe('dialog time output\r\n');
    r.tick(5000);
    r.fire();
    r.bar.keypress('y');
    await r.flush();
    expect(r.written).toHaveLength(shown);
  });

  it('keys are only watched, never taken: keypress returns nothing and the caller forwards every key', () => {
    const r = rig();
    r.bar.add(denied('rm -rf ~'));
    expect(r.bar.keypress('y')).toBeUndefined();
    expect(r.bar.visible).toBe(false);
  });

  it('a flood of denies coalesces: one bar, bounded bytes to the terminal, and the count is right at the next draw', async () => {
    const r = rig();
    r.agent('prompt> ');
    await r.flush();
    for (let i = 0; i < 10_000; i++) r.bar.add(denied(`rm -rf ~/${i}`));
    const bytes = r.written.join('').length;
    expect(r.written).toHaveLength(1);
    expect(bytes).toBeLessThan(400);
    r.agent('x');
    await r.flush();
    expect(r.seen(r.real).lines[11]).toMatch(/^ harness: 10000 calls denied — latest: Bash rm -rf ~\/9999 /);
    expect(r.written.length).toBeLessThanOrEqual(3);
  });
});
