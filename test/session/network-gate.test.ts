import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/audit/store.js';
import { builtinHostRules, HostPolicy } from '../../src/policy/network.js';
import { CONNECTION_LOG_CAP, NetworkGate, type NetworkAsker, type NetworkGateDeps } from '../../src/session/guard/network-gate.js';
import type { ApprovalChoice, ApprovalView } from '../../src/tui/types.js';

const SESSION = 'sess-1';

/** A dialog the test answers by hand: it records what was shown and withdrawn. */
class Dialog implements NetworkAsker {
  shown: ApprovalView[] = [];
  withdrawn: { id: string; why: string }[] = [];
  private answers = new Map<string, (c: ApprovalChoice) => void>();
  private waiters: (() => void)[] = [];
  ask(view: ApprovalView): Promise<ApprovalChoice> {
    this.shown.push(view);
    this.waiters.splice(0).forEach((w) => w());
    return new Promise((resolve) => this.answers.set(view.id, resolve));
  }
  withdraw(id: string, why: string): void {
    this.withdrawn.push({ id, why });
  }
  /** Waits until `n` questions have been shown. */
  async until(n: number): Promise<void> {
    while (this.shown.length < n) await new Promise<void>((r) => this.waiters.push(r));
  }
  answer(index: number, choice: ApprovalChoice): void {
    this.answers.get(this.shown[index]!.id)!(choice);
  }
}

describe('NetworkGate', () => {
  let dir: string;
  let audit: AuditLog;
  let running: { id: string; label: string }[];
  const policy = new HostPolicy({
    rules: [{ id: 'mine', decision: 'allow', reason: 'listed', hosts: ['registry.test'] }],
    builtin: builtinHostRules({ agentHosts: [], gitHosts: [], disabled: new Set() }),
    unknown: 'ask',
  });
  const gate = (overrides: Partial<NetworkGateDeps> = {}): NetworkGate =>
    new NetworkGate({
      sessionId: SESSION,
      agent: 'claude',
      audit,
      policy: () => policy,
      asker: null,
      whenNoTty: 'deny',
      timeoutMs: 60_000,
      actor: 'alice',
      running: () => running,
      toolCalls: true,
      ...overrides,
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'harness-netgate-'));
    audit = AuditLog.open(join(dir, 'audit.db'));
    audit.startSession({ id: SESSION, agent: 'claude', workspace: dir, argv: [], configPath: null, version: 'test' });
    running = [{ id: 'call-0', label: 'curl https://x (Bash)' }];
  });
  afterEach(() => {
    audit.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rules decide without asking; each attempt is logged with the rule and the call it came from', async () => {
    const g = gate();
    running = [{ id: 'call-1', label: 'curl -s http://registry.test (Bash)' }];
    expect(await g.decide('registry.test', 80)).toMatchObject({ allow: true, ruleId: 'mine', allowLocal: true });
    running = [];
    expect(await g.decide('paste.rs', 443)).toMatchObject({ allow: false, ruleId: 'network.paste-service' });
    const rows = audit.connectionsOf(SESSION);
    expect(rows).toMatchObject([
      {
        host: 'registry.test',
        port: 80,
        verdict: 'allow',
        asked: false,
        ruleId: 'mine',
        decidedBy: 'rule',
        toolUseId: 'call-1',
        origin: 'from curl -s http://registry.test (Bash)',
      },
      { host: 'paste.rs', port: 443, verdict: 'deny', asked: false, ruleId: 'network.paste-service', decidedBy: 'rule', toolUseId: null },
    ]);
    expect(rows[1]!.origin).toMatch(/^while no tool call ran/);
    expect(audit.summary(SESSION)!.connections).toEqual({ allowed: 1, refused: 1, asked: 0 });
  });

  it('between tool calls nothing is asked: what no rule allows is refused (a program without hooks is asked)', async () => {
    running = [];
    const dialog = new Dialog();
    const g = gate({ asker: dialog });
    expect(await g.decide('update.example', 443, 'agent')).toMatchObject({ allow: false, ruleId: 'network.background' });
    expect(await g.decide('leftover.example', 443, 'other')).toMatchObject({ allow: false, ruleId: 'network.background' });
    expect(await g.decide('registry.test', 443, 'agent')).toMatchObject({ allow: true, ruleId: 'mine' });
    expect(dialog.shown).toHaveLength(0);
    expect(audit.connectionsOf(SESSION).map((c) => [c.verdict, c.asked, c.decidedBy, c.origin])).toEqual([
      ['deny', false, 'rule', 'from claude itself'],
      ['deny', false, 'rule', 'while no tool call ran (a process left running, or an MCP server)'],
      ['allow', false, 'rule', 'from claude itself'],
    ]);
    const hookless = gate({ asker: dialog, toolCalls: false });
    const asked = hookless.decide('update.example', 443, 'other');
    await dialog.until(1);
    dialog.answer(0, { verdict: 'deny' });
    expect(await asked).toMatchObject({ allow: false, reason: 'the person refused it' });
    dialog.shown.length = 0;
    // during a tool call (a web fetch in the agent's own process) it is asked
    running = [{ id: 'call-3', label: 'https://update.example (WebFetch)' }];
    const during = g.decide('update.example', 443, 'agent');
    await dialog.until(1);
    dialog.answer(0, { verdict: 'allow', remember: false });
    expect(await during).toMatchObject({ allow: true });
  });

  it('without a terminal an ask is settled by whenNoTty, and logged as asked', async () => {
    expect(await gate().decide('unknown.test', 443)).toMatchObject({ allow: false, ruleId: 'network.unknown' });
    expect(await gate({ whenNoTty: 'allow' }).decide('unknown.test', 443)).toMatchObject({ allow: true });
    expect(audit.connectionsOf(SESSION).map((r) => [r.verdict, r.decidedBy, r.asked])).toEqual([
      ['deny', 'no-tty', true],
      ['allow', 'no-tty', true],
    ]);
  });

  it('asks the person: y allows once, a for the session, n refuses with their message; concurrent attempts share one question', async () => {
    const dialog = new Dialog();
    const g = gate({ asker: dialog });
    running = [{ id: 'call-7', label: 'curl https://unknown.test (Bash)' }];
    const first = [g.decide('unknown.test', 443), g.decide('UNKNOWN.test.', 443)];
    await dialog.until(1);
    expect(dialog.shown[0]).toMatchObject({
      kind: 'network',
      tool: 'network',
      agent: 'claude',
      target: 'unknown.test:443',
      ruleId: 'network.unknown',
      origin: 'from curl https://unknown.test (Bash)',
    });
    dialog.answer(0, { verdict: 'allow', remember: false });
    expect(await Promise.all(first)).toMatchObject([{ allow: true }, { allow: true }]);
    expect(dialog.shown).toHaveLength(1);

    // y was once: the next attempt asks again; n refuses with the message
    const second = g.decide('unknown.test', 443);
    await dialog.until(2);
    dialog.answer(1, { verdict: 'deny', message: 'not that one' });
    expect(await second).toMatchObject({ allow: false, reason: 'the person refused it: not that one' });

    // a: the rest of the session without asking
    const third = g.decide('other.test', 443);
    await dialog.until(3);
    dialog.answer(2, { verdict: 'allow', remember: true });
    expect(await third).toMatchObject({ allow: true });
    expect(await g.decide('other.test', 443)).toMatchObject({ allow: true });
    // a was for that host and port only
    const fourth = g.decide('other.test', 8443);
    await dialog.until(4);
    dialog.answer(3, { verdict: 'deny' });
    expect(await fourth).toMatchObject({ allow: false, reason: 'the person refused it' });
    const rows = audit.connectionsOf(SESSION);
    expect(rows.map((r) => [r.host, r.verdict, r.decidedBy, r.actor])).toEqual([
      ['unknown.test', 'allow', 'human', 'alice'],
      ['unknown.test', 'allow', 'human', 'alice'],
      ['unknown.test', 'deny', 'human', 'alice'],
      ['other.test', 'allow', 'human', 'alice'],
      ['other.test', 'allow', 'session', null],
      ['other.test', 'deny', 'human', 'alice'],
    ]);
  }, 30_000);

  it('no answer in time refuses and takes the question down', async () => {
    const dialog = new Dialog();
    const g = gate({ asker: dialog, timeoutMs: 50 });
    expect(await g.decide('slow.test', 443)).toMatchObject({ allow: false, reason: 'nobody answered within 0s' });
    expect(dialog.withdrawn).toHaveLength(1);
    expect(dialog.withdrawn[0]!.why).toMatch(/refused slow\.test:443/);
    expect(audit.connectionsOf(SESSION)[0]).toMatchObject({ verdict: 'deny', decidedBy: 'timeout', asked: true });
  });

  it('the session ending refuses what still waits, and what comes after', async () => {
    const dialog = new Dialog();
    const g = gate({ asker: dialog });
    const waiting = g.decide('late.test', 443);
    await dialog.until(1);
    g.close();
    expect(await waiting).toMatchObject({ allow: false, reason: 'the harness session ended' });
    expect(await g.decide('later.test', 443)).toMatchObject({ allow: false, reason: 'the harness session ended' });
  });

  it('a flood of refusals is folded past the cap; what is allowed after it is still logged one by one', async () => {
    const g = gate();
    for (let i = 0; i < CONNECTION_LOG_CAP + 5; i++) await g.decide('paste.rs', 443);
    expect(await g.decide('registry.test', 80)).toMatchObject({ allow: true });
    g.close();
    const rows = audit.connectionsOf(SESSION);
    expect(rows).toHaveLength(CONNECTION_LOG_CAP + 1);
    expect(rows.at(-1)).toMatchObject({ host: 'registry.test', verdict: 'allow' });
    const events = audit.eventsOf(SESSION).map((e) => `${e.kind}: ${e.detail}`);
    expect(events).toEqual([
      expect.stringMatching(/^egress-capped: /),
      'egress-folded: 5 more refused connections, not logged one by one: network.paste-service 5',
    ]);
  }, 60_000);

  it('a tunnel the proxy cut for carrying another name is logged as a refusal', () => {
    gate().mismatch('registry.test', 443, 'other', 'the tunnel for registry.test carries the TLS server name "evil.test"');
    expect(audit.connectionsOf(SESSION)[0]).toMatchObject({
      host: 'registry.test',
      verdict: 'deny',
      ruleId: 'network.name-mismatch',
      decidedBy: 'rule',
      toolUseId: 'call-0',
    });
  });

  it('a fault refuses, and is logged as one', async () => {
    const g = gate({
      policy: () => {
        throw new Error('broken rules');
      },
    });
    expect(await g.decide('registry.test', 443)).toMatchObject({ allow: false, ruleId: 'network.fault' });
    expect(audit.connectionsOf(SESSION)[0]).toMatchObject({ verdict: 'deny', decidedBy: 'fault' });
  });

  it('a connection that cannot be logged is refused (and stderr says so)', async () => {
    const g = gate();
    audit.close();
    expect(await g.decide('registry.test', 80)).toMatchObject({ allow: false, ruleId: 'network.fault' });
    audit = AuditLog.open(join(dir, 'audit.db'));
  });
});
