import { render } from 'ink-testing-library';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cleanup } from 'ink-testing-library';
import { ApprovalDialog } from '../../src/tui/components/approval-dialog.js';
import { Panel } from '../../src/tui/components/panel.js';
import type { ApprovalChoice, ApprovalView, CallEntry, PanelSource, TimelineEntry } from '../../src/tui/types.js';
import { lineDiff } from '../../src/line-diff.js';

afterEach(() => cleanup());

const tick = () => new Promise((r) => setTimeout(r, 20));
async function press(stdin: { write(d: string): void }, ...keys: string[]): Promise<void> {
  for (const k of keys) {
    stdin.write(k);
    await tick();
  }
}

const base = {
  id: 'a1',
  agent: 'claude',
  tool: 'Bash',
  kind: 'shell',
  command: 'git reset --hard',
  normalized: [],
  cwd: '/work/repo',
  ruleId: 'git.reset-hard',
  reason: 'throws away uncommitted changes',
  deadline: Date.now() + 120_000,
  sessionScope: 'the command exactly as written, run in the workspace root',
} satisfies ApprovalView;

/** The fields every kind of approval has, from `base`. */
const { kind: _kind, command: _command, normalized: _normalized, cwd: _cwd, ...common } = base;

function dialog(view: Partial<Omit<typeof base, 'kind'>> | ApprovalView = {}, waiting = 1) {
  const answers: ApprovalChoice[] = [];
  const shown: ApprovalView = 'kind' in view ? view : { ...base, ...view };
  const r = render(<ApprovalDialog view={shown} waiting={waiting} columns={100} rows={40} onAnswer={(_, c) => answers.push(c)} />);
  return { ...r, answers };
}

describe('approval dialog: what it shows', () => {
  it.each([
    [
      'shell command',
      { ...base, tool: 'Bash', command: 'git reset --hard' },
      ['run a shell command', '$ git reset --hard', 'git.reset-hard', 'throws away', '/work/repo', 'denied automatically in 1'],
    ],
    [
      'obfuscated command, with what harness read',
      { command: "$'\\x72m' -rf build", normalized: ['rm -rf build'] },
      ["$ $'\\x72m' -rf build", 'harness read it as:', 'rm -rf build'],
    ],
    [
      'write with a diff preview',
      {
        ...common,
        kind: 'write',
        tool: 'Write',
        target: 'src/config.ts',
        preview: { lines: lineDiff('a\nb\n', 'a\nc\n'), note: null },
        cwd: '/work/repo',
        ruleId: 'team.ask-src',
      },
      ['write src/config.ts', '(Write)', '-b', '+c', 'team.ask-src'],
    ],
    [
      'edit of a new file',
      { ...common, kind: 'edit', tool: 'Edit', target: 'notes.md', preview: { lines: lineDiff('', 'hello\n'), note: 'new file' }, cwd: '/work/repo' },
      ['edit notes.md', 'new file', '+hello'],
    ],
    ['fetch', { ...common, kind: 'fetch', tool: 'WebFetch', cwd: '/work/repo' }, ['reach the network', '(WebFetch)']],
    ['mcp tool', { ...common, kind: 'mcp', tool: 'mcp__db__query', cwd: '/work/repo' }, ['use mcp__db__query']],
    [
      'a network connection, with the call it came from',
      {
        ...common,
        kind: 'network',
        tool: 'network',
        target: 'paste.example:443',
        origin: 'from curl -sT notes.txt https://paste.example (Bash)',
        ruleId: 'network.unknown',
        reason: 'no rule speaks about paste.example:443',
      },
      [
        'claude wants to connect to paste.example:443 (network)',
        'from',
        'curl -sT notes.txt https://paste.example (Bash)',
        'network.unknown',
        'no rule speaks about',
      ],
    ],
    ['a rule-less default', { ...base, ruleId: null }, ['(no rule: the default)']],
  ] as [string, ApprovalView, string[]][])('%s', (_, view, expected) => {
    const { lastFrame } = dialog(view);
    for (const text of expected) expect(lastFrame()).toContain(text);
  });

  it('shows the queue and a notice about the previous approval', () => {
    const r = render(
      <ApprovalDialog view={base} waiting={3} notice="no answer in 300s, so harness denied: rm -rf x" columns={100} rows={40} onAnswer={() => {}} />,
    );
    expect(r.lastFrame()).toContain('1 of 3 waiting');
    expect(r.lastFrame()).toContain('no answer in 300s');
  });

  it('long previews are cut to the screen with a count of the rest', () => {
    const preview = lineDiff('', Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n'));
    const { lastFrame } = dialog({ ...common, kind: 'write', tool: 'Write', target: 'big.txt', preview: { lines: preview, note: null }, cwd: '/work/repo' }, 1);
    expect(lastFrame()).toMatch(/… \d+ more lines/);
    expect(lastFrame()!.split('\n').length).toBeLessThanOrEqual(42);
  });
});

describe('approval dialog: keys', () => {
  it.each([
    ['y', ['y'], { verdict: 'allow', remember: false }],
    ['a', ['a'], { verdict: 'allow', remember: true }],
    ['n', ['n'], { verdict: 'deny' }],
    ['Ctrl-C', ['\x03'], { verdict: 'deny' }],
    ['e, a message, Enter', ['e', 'use git stash', '\r'], { verdict: 'deny', message: 'use git stash' }],
    ['typing starts a message', ['Please commit first', '\r'], { verdict: 'deny', message: 'Please commit first' }],
    ['backspace edits the message', ['e', 'nox', '\x7f', '\r'], { verdict: 'deny', message: 'no' }],
    ['? then any key returns to the dialog, then y', ['?', 'x', 'y'], { verdict: 'allow', remember: false }],
  ] as [string, string[], ApprovalChoice][])('%s', async (_, keys, expected) => {
    const { stdin, answers } = dialog();
    await press(stdin, ...keys);
    expect(answers).toEqual([expected]);
  });

  it('Esc denies, but inside a message it only goes back', async () => {
    const { stdin, answers, lastFrame } = dialog();
    await press(stdin, 'e', 'abc');
    expect(lastFrame()).toContain('Deny, and tell the agent');
    await press(stdin, '\x1b');
    await new Promise((r) => setTimeout(r, 100));
    expect(answers).toEqual([]);
    expect(lastFrame()).not.toContain('Deny, and tell the agent');
    await press(stdin, '\x1b');
    await new Promise((r) => setTimeout(r, 100));
    expect(answers).toEqual([{ verdict: 'deny' }]);
  });

  it('help explains every key and what "a" would allow', async () => {
    const { stdin, lastFrame, answers } = dialog();
    await press(stdin, '?');
    const squashed = lastFrame()!.replace(/\s+/g, ' ');
    expect(squashed).toContain('allow it and the same call again for the rest of this session');
    expect(squashed).toContain(base.sessionScope);
    expect(answers).toEqual([]);
  });

  it('the countdown runs', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'Date'] });
    try {
      const { lastFrame } = dialog({ deadline: Date.now() + 5_000 });
      expect(lastFrame()).toContain('denied automatically in 5s');
      vi.advanceTimersByTime(3_000);
      await vi.waitFor(() => expect(lastFrame()).toContain('denied automatically in 2s'));
    } finally {
      vi.useRealTimers();
    }
  });
});

function entry(id: string, over: Partial<CallEntry> = {}): CallEntry {
  return {
    id,
    at: Date.parse('2026-11-21T10:00:00Z'),
    kind: 'call',
    tool: 'Bash',
    summary: `cmd ${id}`,
    verdict: 'allow',
    decidedBy: 'rule',
    askedFirst: false,
    ruleId: null,
    reason: null,
    ok: true,
    checkpoint: null,
    filesChanged: 0,
    ...over,
  };
}

function source(entries: TimelineEntry[]) {
  const calls: string[] = [];
  let undoable = false;
  const rules = [{ id: 'session.1', description: 'allow `npm publish` in the workspace root', addedAt: Date.now() }];
  const s: PanelSource = {
    status: () => ({ sessionId: 'abcdef0123', agent: 'claude', allowed: 3, asked: 1, denied: 1, lastCheckpoint: { id: 'c'.repeat(40), at: Date.now() } }),
    timeline: () => entries,
    diff: async (id) => (calls.push(`diff ${id}`), lineDiff('old\n', 'new\n')),
    planRollback: async (id) => (
      calls.push(`plan ${id}`),
      {
        checkpoint: 'c'.repeat(40),
        changes: [
          { status: 'deleted', path: 'junk.txt' },
          { status: 'added', path: 'keep.txt' },
        ],
        notRestored: ['vendor/lib: a nested repository, not recorded'],
      }
    ),
    rollback: async (id) => {
      calls.push(`rollback ${id}`);
      undoable = true;
      return { checkpoint: 'c'.repeat(40), changes: [{ status: 'deleted', path: 'junk.txt' }], notRestored: ['vendor/lib: a nested repository, not recorded'] };
    },
    undo: async () => (calls.push('undo'), { checkpoint: 'd'.repeat(40), changes: [], notRestored: [] }),
    canUndo: () => undoable,
    sessionRules: () => rules,
    revokeRule: (id) => {
      calls.push(`revoke ${id}`);
      rules.splice(0, 1);
    },
  };
  return { s, calls };
}

describe('panel', () => {
  const entries = [
    entry('t1', { summary: 'npm test' }),
    entry('t2', {
      summary: 'git reset --hard',
      verdict: 'allow',
      decidedBy: 'human',
      askedFirst: true,
      checkpoint: 'a'.repeat(40),
      filesChanged: 3,
      ruleId: 'git.reset-hard',
      reason: 'approved by the user',
    }),
    entry('t3', { summary: 'rm -rf /', verdict: 'deny', ruleId: 'fs.delete-root', reason: 'no' }),
    entry('t4', { tool: 'Write', summary: 'Write notes.md', checkpoint: 'b'.repeat(40), filesChanged: 1 }),
  ];
  const panel = (items: TimelineEntry[] = entries) => {
    const { s, calls } = source(items);
    let closed = 0;
    const r = render(<Panel source={s} hotkey="ctrl-]" columns={120} rows={30} onClose={() => closed++} />);
    return { ...r, calls, closed: () => closed };
  };

  it('header counts and the timeline with verdicts and checkpoints', () => {
    const { lastFrame } = panel();
    const f = lastFrame()!;
    expect(f).toContain('claude session abcdef01');
    expect(f).toMatch(/3 allowed · 1 asked · 1 denied · last checkpoint cccccccc/);
    expect(f).toMatch(/approved\s+Bash\s+git reset --hard/);
    expect(f).toMatch(/deny\s+Bash\s+rm -rf \//);
    expect(f).toContain('● aaaaaaa 3 files');
    // the newest step is selected
    expect(f).toMatch(/▸ .*Write notes\.md/);
  });

  it('lines that are not calls: a rollback, a checkpoint between calls, an event with the call it is attributed to', () => {
    const at = Date.parse('2026-11-21T10:01:00Z');
    const { lastFrame } = panel([
      ...entries,
      {
        id: 'rollback-1',
        at,
        kind: 'rollback',
        summary: 'rollback by panel to cccccccccccc: 2 file(s) changed',
        checkpoint: 'e'.repeat(40),
        filesChanged: 2,
        error: null,
      },
      { id: 'checkpoint-1', at, kind: 'checkpoint', summary: 'before make', checkpoint: 'f'.repeat(40), error: null },
      { id: 'event-1', at, kind: 'event', event: 'out-of-band', summary: '1 file(s) changed while no tool call ran', checkpoint: null, toolUseId: 't4' },
    ]);
    const f = lastFrame()!;
    expect(f).toMatch(/rollback\s+↺\s+rollback by panel/);
    expect(f).toContain('● eeeeeee 2 files');
    expect(f).toMatch(/checkpoint\s+●\s+before make/);
    expect(f).toMatch(/▸ .*unexplained\s+out-of-band\s+1 file\(s\) changed/);
    expect(f).toContain('attributed to t4');
  });

  it('enter shows the diff of the selected step; q goes back', async () => {
    const { stdin, lastFrame, calls } = panel();
    await press(stdin, '\x1b[A', '\r');
    await vi.waitFor(() => expect(lastFrame()).toContain('+new'));
    expect(calls).toEqual(['diff t3']);
    await press(stdin, 'q');
    expect(lastFrame()).toMatch(/▸ .*rm -rf/);
  });

  it('r asks first, listing the files, then rolls back; u undoes', async () => {
    const { stdin, lastFrame, calls } = panel();
    await press(stdin, 'r');
    await vi.waitFor(() => expect(lastFrame()).toContain('2 file(s) will change'));
    expect(lastFrame()).toMatch(/remove\s+junk\.txt/);
    expect(lastFrame()).toMatch(/restore\s+keep\.txt/);
    expect(lastFrame()).toMatch(/left as it is: vendor\/lib: a nested repository/);
    await press(stdin, 'y');
    await vi.waitFor(() =>
      expect(lastFrame()).toContain('rolled back to just before Write Write notes.md (cccccccccccc): 1 file(s) changed · 1 left as they were'),
    );
    await press(stdin, 'u');
    await vi.waitFor(() => expect(lastFrame()).toContain('undone'));
    expect(calls).toEqual(['plan t4', 'rollback t4', 'undo']);
  });

  it('rolling back to just before a call that changed nothing says so', async () => {
    const { stdin, lastFrame } = panel([
      ...entries.slice(0, 3),
      entry('t4', { tool: 'Write', summary: 'Write same.md', checkpoint: 'b'.repeat(40), filesChanged: 0 }),
    ]);
    await press(stdin, 'r');
    await vi.waitFor(() => expect(lastFrame()).toContain('will change'));
    expect(lastFrame()).toContain('this call changed no file itself: only what came after it is undone');
  });

  it('n cancels a rollback; a step without a checkpoint cannot be rolled back to', async () => {
    const { stdin, lastFrame, calls } = panel();
    await press(stdin, 'r');
    await vi.waitFor(() => expect(lastFrame()).toContain('will change'));
    await press(stdin, 'n');
    expect(calls).toEqual(['plan t4']);
    await press(stdin, 'g', 'r');
    expect(lastFrame()).toContain('has no checkpoint before it');
    await press(stdin, 'u');
    expect(lastFrame()).toContain('no rollback to undo');
  });

  it('tab lists session rules; x revokes', async () => {
    const { stdin, lastFrame, calls } = panel();
    await press(stdin, '\t');
    expect(lastFrame()).toContain('allow `npm publish` in the workspace root');
    await press(stdin, 'x');
    expect(calls).toEqual(['revoke session.1']);
    expect(lastFrame()).toContain('revoked:');
    expect(lastFrame()).toMatch(/\n\s*none/);
  });

  it('q and Esc return to the agent', async () => {
    const a = panel();
    await press(a.stdin, 'q');
    expect(a.closed()).toBe(1);
    const b = panel([]);
    expect(b.lastFrame()).toContain('no tool calls yet');
    await press(b.stdin, '\x1b');
    await new Promise((r) => setTimeout(r, 100));
    expect(b.closed()).toBe(1);
  });
});
