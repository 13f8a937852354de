import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeAdapter } from '../../src/agents/claude.js';
import { AuditLog } from '../../src/audit/store.js';
import { ApprovalBus } from '../../src/session/hook/approvals.js';
import { noticeLine, type DecisionNotice } from '../../src/session/hook/decision-notice.js';
import { NoticeModel } from '../../src/screen/notice-model.js';
import { createHookHandler } from '../../src/session/hook/hook-handler.js';
import { recommended, WS } from '../helpers.js';

/** A session's hook handler with no terminal: the approval bus has nobody to ask. */
function session(notify: (n: DecisionNotice) => void) {
  const audit = AuditLog.open(join(mkdtempSync(join(tmpdir(), 'harness-notices-')), 'audit.db'));
  audit.startSession({ id: 's', agent: 'claude', workspace: WS, argv: [], configPath: null, version: 't' });
  const handle = createHookHandler({
    adapter: claudeAdapter,
    policy: recommended(),
    audit,
    approvals: new ApprovalBus('deny'),
    sessionId: 's',
    workspace: WS,
    approvalTimeoutSeconds: 60,
    sandboxed: true,
    notify,
  });
  let n = 0;
  const pre = (command: string) =>
    handle('claude', 'pre', { session_id: 's', tool_use_id: `u${++n}`, cwd: WS, hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command } });
  const post = (command: string, stderr: string) =>
    handle('claude', 'post', {
      session_id: 's',
      tool_use_id: `u${n}`,
      cwd: WS,
      hook_event_name: 'PostToolUse',
      tool_name: 'Bash',
      tool_input: { command },
      tool_response: { stdout: '', stderr, interrupted: false },
    });
  return { pre, post, audit };
}

describe('the hook handler tells the person about decisions they did not see', () => {
  it('a deny, an ask nobody could answer and a sandbox refusal each give one typed notice; an allow gives none', async () => {
    const seen: DecisionNotice[] = [];
    const s = session((n) => seen.push(n));
    await s.pre('ls');
    expect(seen).toEqual([]);
    await s.pre('rm -rf ~');
    await s.pre('git reset --hard');
    await s.pre('ls /etc');
    await s.post('ls /etc', "touch: cannot touch '/etc/motd': Read-only file system");
    expect(seen).toEqual([
      { kind: 'denied', tool: 'Bash', subject: 'rm -rf ~', ruleId: 'fs.delete-home', reason: expect.any(String) },
      {
        kind: 'ask-timed-out',
        tool: 'Bash',
        subject: 'git reset --hard',
        ruleId: 'git.reset-hard',
        reason: expect.stringMatching(/git reset --hard/),
        by: 'no-tty',
        seconds: 60,
      },
      { kind: 'sandbox-refusal', tool: 'Bash', subject: 'ls /etc', detail: expect.stringContaining('Read-only file system') },
    ]);
    // without a terminal: one line each on stderr
    expect(seen.map(noticeLine)).toEqual([
      'harness: denied Bash rm -rf ~: fs.delete-home: This would recursively delete the home directory or everything in it (harness log shows more)',
      'harness: denied (nobody to ask) Bash git reset --hard: git.reset-hard: git reset --hard throws away uncommitted changes (harness log shows more)',
      "harness: the sandbox refused Bash ls /etc: outside the workspace the files are read-only: touch: cannot touch '/etc/motd': Read-only file system",
    ]);
    s.audit.close();
  });

  it('a notice that throws changes nothing: the deny stands', async () => {
    const s = session(() => {
      throw new Error('the terminal is gone');
    });
    const reply = await s.pre('rm -rf ~');
    expect(reply.verdict).toBe('deny');
    expect(s.audit.query({ sessionId: 's' })[0]).toMatchObject({ verdict: 'deny', ruleId: 'fs.delete-home' });
    s.audit.close();
  });

  it('escape sequences and control characters from the agent (its command, its tool, its output) never reach the terminal raw', async () => {
    const seen: DecisionNotice[] = [];
    const s = session((n) => seen.push(n));
    // a title change (OSC), a screen clear (CSI), a carriage return over the line, a bell, a C1 CSI
    const evil = '\x1b]0;owned\x07\x1b[2J\rrm -rf ~ \x9b31m\x7f';
    await s.pre(`rm -rf ~ # ${evil}`);
    await s.pre('ls /etc');
    await s.post('ls /etc', `touch: cannot touch '/etc/${evil}': Read-only file system`);
    seen.push({ kind: 'denied', tool: `mcp__x\x1b[8m`, subject: evil, ruleId: `r\x1b[1m`, reason: `because\x1b]8;;http://x.test\x07 link` });
    expect(seen.map((n) => n.kind)).toEqual(['denied', 'sandbox-refusal', 'denied']);
    const raw = /[\u0000-\u001f\u007f-\u009f]/;
    const bar = new NoticeModel();
    for (const n of seen) {
      expect(noticeLine(n)).not.toMatch(raw);
      bar.add(n, 0);
      expect(bar.text(0, 'ctrl-]')).not.toMatch(raw);
    }
    // shown, not obeyed: the person sees what the agent wrote
    expect(noticeLine(seen[0]!)).toContain('\\x1b]0;owned\\x07\\x1b[2J');
    s.audit.close();
  });
});
