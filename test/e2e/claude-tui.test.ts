import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import { auditPathFor } from '../../src/workspace.js';
import { latestSession } from '../support/agent-env.js';
import { exitClaude, sandboxWithRules, startClaude } from '../support/claude-tmux.js';
import { ModelServer } from '../support/model-server.js';
import { Tmux } from '../support/tmux.js';
import { until } from '../support/until.js';

let model: ModelServer | null = null;
let tmux: Tmux | null = null;
afterEach(async () => {
  tmux?.kill();
  tmux = null;
  await model?.stop();
  model = null;
});

describe.runIf(Tmux.available())('harness run claude in tmux: the approval dialog and the panel, with the real Claude Code', () => {
  it('y runs the command, n refuses it and the model is told, Ctrl-] r rolls a write back', async () => {
    model = new ModelServer();
    const url = await model.start();
    const sb = sandboxWithRules(
      url,
      [{ id: 'team.ask-touch', decision: 'ask', command: 'touch', reason: 'creating files with touch needs a yes in this repository' }],
      { commit: true },
    );
    model.setScript([
      { tool: 'Bash', input: { command: 'touch approved.txt', description: 'first' } },
      { tool: 'Bash', input: { command: 'touch refused.txt', description: 'second' } },
      { tool: 'Write', input: { file_path: join(sb.repo, 'notes.md'), content: 'a draft the person will roll back\n' } },
      { text: 'all steps finished' },
    ]);

    tmux = new Tmux();
    await startClaude(tmux, sb, 'make the files');

    // 1: the dialog names the command, the rule and its reason; y lets it run
    let screen = await tmux.waitFor('approval needed');
    expect(screen).toContain('$ touch approved.txt');
    expect(screen).toContain('team.ask-touch');
    expect(screen).toMatch(/creating files with touch needs a yes/);
    expect(existsSync(join(sb.repo, 'approved.txt'))).toBe(false);
    tmux.keys(['y']);

    // 2: n refuses; the file is never created
    await tmux.waitFor('$ touch refused.txt');
    tmux.keys(['n']);

    await tmux.waitFor('all steps finished', 60_000);
    expect(existsSync(join(sb.repo, 'approved.txt'))).toBe(true);
    expect(existsSync(join(sb.repo, 'refused.txt'))).toBe(false);
    expect(readFileSync(join(sb.repo, 'notes.md'), 'utf8')).toContain('a draft');
    // the model's request after the refusal carries it
    const results = JSON.stringify(model.toolResults());
    expect(results).toMatch(/the user declined/);
    expect(results).toMatch(/team\.ask-touch/);

    // 3: Ctrl-] opens the panel; the newest step (the Write) is selected; r asks, listing the file
    tmux.keys(['C-]']);
    screen = await tmux.waitFor(/harness · claude session/);
    expect(screen).toMatch(/approved\s+Bash\s+touch approved\.txt/);
    expect(screen).toMatch(/refused\s+Bash\s+touch refused\.txt/);
    expect(screen).toMatch(/▸ .*Write notes\.md/);
    tmux.keys(['r']);
    screen = await tmux.waitFor('will change');
    expect(screen).toMatch(/remove\s+notes\.md/);
    expect(existsSync(join(sb.repo, 'notes.md'))).toBe(true);
    tmux.keys(['y']);
    await tmux.waitFor('rolled back to');
    expect(existsSync(join(sb.repo, 'notes.md'))).toBe(false);
    expect(existsSync(join(sb.repo, 'approved.txt'))).toBe(true);

    // u undoes the rollback, and u again redoes it
    tmux.keys(['u']);
    await tmux.waitFor('undone');
    expect(existsSync(join(sb.repo, 'notes.md'))).toBe(true);
    tmux.keys(['u']);
    await until('the redo to remove notes.md', () => !existsSync(join(sb.repo, 'notes.md')), 10_000);
    expect(existsSync(join(sb.repo, 'notes.md'))).toBe(false);

    // q gives Claude Code its screen back
    tmux.keys(['q']);
    await tmux.waitFor('all steps finished');
    expect(await exitClaude(tmux)).toBe(0);

    const { rows, checkpoints } = latestSession(sb);
    expect(rows.map((r) => [r.summary, r.verdict, r.decidedBy])).toEqual([
      ['touch approved.txt', 'allow', 'human'],
      ['touch refused.txt', 'deny', 'human'],
      [expect.stringContaining('notes.md'), 'allow', 'rule'],
    ]);
    expect(rows[0]!.actor).toBeTruthy();
    // the rollbacks are not checkpoints of their own: the audit log holds each, by whom, from and to where
    expect(checkpoints.filter((c) => c.toolUseId === null).map((c) => c.summary)).toEqual([expect.stringMatching(/when the session ended/)]);
    const log = AuditLog.open(auditPathFor(sb.repo, sb.env));
    try {
      const rollbacks = log.rollbacksOf(log.latestSessionId()!);
      expect(rollbacks.map((r) => [r.kind, r.by, r.actor !== null, r.error])).toEqual([
        ['rollback', 'panel', true, null],
        ['undo', 'panel', true, null],
        ['undo', 'panel', true, null],
      ]);
      // the rollback went to just before the notes.md call and the undo back to the state it saved
      expect(rollbacks[0]!.step).toBe(rows[2]!.toolUseId);
      expect(rollbacks[1]!.to).toBe(rollbacks[0]!.from);
      expect(rollbacks[2]!.to).toBe(rollbacks[1]!.from);
      expect(rollbacks[0]!.files.map((f) => f.path)).toContain('notes.md');
      // nothing the watcher saw: the rollbacks went through the session (the sandbox's own events aside)
      expect(log.eventsOf(log.latestSessionId()!).filter((e) => !/^(sandbox|egress-)/.test(e.kind))).toEqual([]);
    } finally {
      log.close();
    }
  }, 180_000);

  it('a allows the same command for the rest of the session; the panel lists the rule and x revokes it', async () => {
    model = new ModelServer();
    const url = await model.start();
    const sb = sandboxWithRules(url, [{ id: 'team.ask-touch', decision: 'ask', command: 'touch', reason: 'touch needs a yes' }]);
    model.setScript([
      { tool: 'Bash', input: { command: 'touch a.txt', description: 'one' } },
      { tool: 'Bash', input: { command: 'touch a.txt', description: 'two' } },
      { tool: 'Bash', input: { command: 'touch a.txt', description: 'three' } },
      { text: 'all steps finished' },
    ]);
    const beforeThird = model.hold(2);
    tmux = new Tmux();
    await startClaude(tmux, sb, 'touch it three times');
    await tmux.waitFor('approval needed');
    tmux.keys(['a']);
    // the second, identical call is not asked again
    await beforeThird.reached;
    tmux.keys(['C-]']);
    await tmux.waitFor(/harness · claude session/);
    tmux.keys(['Tab']);
    const rules = await tmux.waitFor('session rules');
    expect(rules).toMatch(/allow `touch a\.txt` in the workspace root/);
    tmux.keys(['x']);
    await tmux.waitFor('revoked:');
    tmux.keys(['q']);
    tmux.keys(['q']);
    beforeThird.release();
    // revoked: the third call is asked again
    await tmux.waitFor('approval needed');
    tmux.keys(['n']);
    await tmux.waitFor('all steps finished', 60_000);
    expect(await exitClaude(tmux)).toBe(0);

    const { rows } = latestSession(sb);
    expect(rows.map((r) => [r.verdict, r.decidedBy])).toEqual([
      ['allow', 'human'],
      ['allow', 'session'],
      ['deny', 'human'],
    ]);
    const log = AuditLog.open(auditPathFor(sb.repo, sb.env));
    try {
      expect(
        log
          .eventsOf(log.latestSessionId()!)
          .filter((e) => e.kind.startsWith('session-rule'))
          .map((e) => [e.kind, e.detail]),
      ).toEqual([
        ['session-rule-added', 'session.1: allow `touch a.txt` in the workspace root (asked by team.ask-touch)'],
        ['session-rule-revoked', 'session.1: allow `touch a.txt` in the workspace root'],
      ]);
    } finally {
      log.close();
    }
  }, 180_000);
});
