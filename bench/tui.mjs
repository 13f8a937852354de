// TUI benchmark. (1) The virtual screen: every byte the agent prints also goes through a headless
// terminal; its cost per MB, against passing the bytes straight through in the same run, and as a
// share of one core at a full-screen agent's redraw rate. (2) The approval overlay: time from an
// approval request to the dialog's first frame, and from the answer to the agent's screen restored.
// (3) The notice bar: what tracking the agent's escape sequences adds to each chunk of output, and
// what a flood of denies costs (they coalesce into one bar).
import { performance } from 'node:perf_hooks';
import { createRequire } from 'node:module';
import { AgentScreen } from '../dist/screen/agent-screen.js';
import { NoticeBar, StreamState } from '../dist/screen/notice-bar.js';
import { ScreenOverlay } from '../dist/screen/overlay.js';
import { Tui } from '../dist/tui/tui.js';

const { Terminal } = createRequire(import.meta.url)('@xterm/headless');
const COLS = 120;
const ROWS = 40;
const ROUNDS = Number(process.env.ROUNDS ?? 50);

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q) => s[Math.min(s.length - 1, Math.floor((q / 100) * s.length))];
  return { p50: p(50), p99: p(99) };
};
const ms = (x) => `${x.toFixed(2).padStart(7)} ms`;

/** One full-screen redraw the way Ink-based agents draw: cursor home, coloured rows, erase to end of line. */
function frame(n) {
  let out = '\x1b[?2026h\x1b[H';
  for (let r = 0; r < ROWS; r++) out += `\x1b[${r + 1};1H\x1b[3${(r + n) % 8}m${`row ${r} frame ${n} `.padEnd(COLS - 10, '─')}\x1b[0m\x1b[K`;
  return out + '\x1b[?2026l';
}

// (1) throughput
const frames = Array.from({ length: 2000 }, (_, i) => frame(i));
const bytes = frames.reduce((n, f) => n + f.length, 0);
let sink = 0;
const write = (d) => (sink += d.length);
let t = performance.now();
for (const f of frames) write(f);
const baseline = performance.now() - t;
const screen = new AgentScreen(COLS, ROWS);
const overlay = new ScreenOverlay(write, screen, () => {});
t = performance.now();
for (const f of frames) overlay.agentOutput(f);
await screen.flushed();
const mirrored = performance.now() - t;
const mb = bytes / 1048576;
const perMb = mirrored / mb;
const redraw = frames[0].length * 30; // 30 full redraws a second
console.log(`virtual screen: ${mb.toFixed(1)} MB of full-screen redraws (${COLS}x${ROWS})`);
console.log(
  `  passed straight through: ${ms(baseline)} | through the virtual screen: ${ms(mirrored)} (${perMb.toFixed(1)} ms per MB, ${(mb / (mirrored / 1000)).toFixed(1)} MB/s)`,
);
console.log(
  `  at 30 full redraws a second (${(redraw / 1024).toFixed(0)} KiB/s) the virtual screen costs ${((perMb * redraw) / 1048576 / 10).toFixed(2)}% of one core`,
);
screen.dispose();

// (2) overlay latency
const person = new Terminal({ cols: COLS, rows: ROWS, allowProposedApi: true });
const agentScreen = new AgentScreen(COLS, ROWS);
const ov = new ScreenOverlay(
  (d) => person.write(d),
  agentScreen,
  () => {},
);
let painted = null;
const surface = {
  open: () => ov.open(),
  paint: (f, s) => {
    ov.paint(f, s);
    painted?.();
  },
  close: () => ov.close(),
  size: () => ({ columns: COLS, rows: ROWS }),
};
const panel = {
  status: () => ({ sessionId: 'bench', agent: 'claude', allowed: 0, asked: 0, denied: 0, lastCheckpoint: null }),
  timeline: () => [],
  diff: async () => [],
  planRollback: async () => null,
  rollback: async () => null,
  undo: async () => null,
  canUndo: () => false,
  sessionRules: () => [],
  revokeRule: () => {},
};
const tui = new Tui(surface, panel, 'ctrl-]');
ov.agentOutput('\x1b[?1049h\x1b[?1000h\x1b[?2004h' + frame(0));
const opens = [];
const closes = [];
for (let i = 0; i < ROUNDS; i++) {
  const view = {
    id: `a${i}`,
    agent: 'claude',
    tool: 'Bash',
    kind: 'shell',
    command: `rm -rf build/${i} && npm run build -- --prod`,
    normalized: [],
    preview: [],
    cwd: '/work/repo',
    ruleId: 'fs.recursive-delete',
    reason: 'recursive delete inside the workspace',
    deadline: Date.now() + 300_000,
    sessionScope: 'the command exactly as written',
  };
  const first = new Promise((r) => (painted = r));
  t = performance.now();
  const answered = tui.ask(view);
  await first;
  await new Promise((r) => person.write('', r));
  opens.push(performance.now() - t);
  painted = null;
  t = performance.now();
  tui.input('y');
  await answered;
  while (tui.active || ov.isOpen) await new Promise((r) => setImmediate(r));
  await new Promise((r) => person.write('', r));
  closes.push(performance.now() - t);
}
const o = stats(opens.slice(5));
const c = stats(closes.slice(5));
console.log(`approval overlay over a ${COLS}x${ROWS} alternate screen, ${ROUNDS} rounds (first 5 dropped as warm-up)`);
console.log(`  request → dialog on screen: p50 ${ms(o.p50)} p99 ${ms(o.p99)} | first ever (cold): ${ms(opens[0])}`);
console.log(`  answer  → agent's screen back: p50 ${ms(c.p50)} p99 ${ms(c.p99)}`);
await tui.stop();

// (3) the notice bar on the output path: the stream tracker alone, then the bar with a notice up
const REPEAT = 5;
const best = (fn) => {
  let min = Infinity;
  for (let i = 0; i < REPEAT; i++) {
    const t0 = performance.now();
    fn();
    min = Math.min(min, performance.now() - t0);
  }
  return min;
};
const tracker = new StreamState();
const tracked = best(() => {
  for (const f of frames) tracker.feed(f);
});
const barScreen = new AgentScreen(COLS, ROWS);
let barBytes = 0;
const bar = new NoticeBar({
  write: (d) => (barBytes += d.length),
  screen: barScreen,
  size: () => ({ columns: COLS, rows: ROWS }),
  panelKey: 'ctrl-]',
  now: () => 0,
  setTimer: () => 1,
  clearTimer: () => {},
});
const deny = (i) => ({
  kind: 'denied',
  tool: 'Bash',
  subject: `rm -rf ~/dir${i}`,
  ruleId: 'fs.delete-home',
  reason: 'Deleting your home directory destroys everything.',
});
bar.add(deny(0));
const withBar = best(() => {
  for (const f of frames) bar.agentOutput(f, write);
});
console.log(`notice bar over the same ${mb.toFixed(1)} MB (best of ${REPEAT})`);
console.log(
  `  escape-sequence tracking alone: ${ms(tracked)} (${(tracked / mb).toFixed(2)} ms per MB) | with a notice up (erased and redrawn around each chunk): ${ms(withBar)} (${(withBar / mb).toFixed(2)} ms per MB)`,
);
const FLOOD = 10_000;
barBytes = 0;
t = performance.now();
for (let i = 0; i < FLOOD; i++) bar.add(deny(i));
const flood = performance.now() - t;
bar.agentOutput('x', write);
console.log(
  `  a flood of ${FLOOD} denies with no output between: ${ms(flood)} (${((flood * 1000) / FLOOD).toFixed(2)} µs each), ${barBytes} bytes to the terminal; the bar then reads: ${bar.text()?.slice(0, 40)}…`,
);
await bar.dispose();
barScreen.dispose();
process.exit(0);
