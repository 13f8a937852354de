import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeAdapter } from '../../src/agents/claude.js';
import { AuditLog } from '../../src/audit/store.js';
import { ApprovalBus } from '../../src/session/hook/approvals.js';
import { preToolStages, runPreTool, type PreCall, type PreToolDeps } from '../../src/session/hook/pre-tool.js';
import { SessionRules } from '../../src/session/hook/session-rules.js';
import { ToolGate } from '../../src/session/tool-gate.js';
import { recommended, WS } from '../helpers.js';

function deps(over: Partial<PreToolDeps> = {}): PreToolDeps {
  const audit = AuditLog.open(join(mkdtempSync(join(tmpdir(), 'harness-pre-')), 'audit.db'));
  audit.startSession({ id: 's', agent: 'claude', workspace: WS, argv: [], configPath: null, version: 't' });
  return {
    adapter: claudeAdapter,
    audit,
    approvals: new ApprovalBus('deny'),
    sessionId: 's',
    approvalTimeoutSeconds: 5,
    policy: recommended,
    gate: new ToolGate(),
    checkpoints: undefined,
    rules: undefined,
    guard: undefined,
    settled: async () => undefined,
    recording: () => false,
    record: () => undefined,
    tell: () => undefined,
    treeBefore: new Map(),
    judgedFor: new Map(),
    ...over,
  };
}

const call = (command: string): PreCall => ({
  event: claudeAdapter.toToolEvent({ session_id: 's', tool_use_id: 'u1', cwd: WS, tool_name: 'Bash', tool_input: { command } }, WS),
  payload: {},
  signal: undefined,
  started: 0,
  decision: null,
});

describe('the PreToolUse pipeline', () => {
  it('runs its stages in one visible order; a stage for a part the session lacks is not in it', () => {
    const bare = preToolStages(deps());
    expect(bare.deciding.map((s) => s.name)).toEqual([
      'wait while harness holds the tree, and for the changes of the calls before',
      'log the call',
      'refuse a call its client gave up on',
      'tell the agent about a rollback',
      'decide by the rules',
      'ask about secrets written to files',
      'refuse a call its client gave up on while the rules decided',
      "log the rules' decision and the scripts it judged",
      'answer a deny of the rules',
      'let an allow of the rules go ahead',
      'ask the person',
    ]);
    expect(bare.goingAhead.map((s) => s.name)).toEqual(['answer the agent; the gate and the guard know the call runs until its PostToolUse']);
    const withRules = preToolStages(deps({ rules: new SessionRules(WS) }));
    expect(withRules.deciding.map((s) => s.name)).toContain('allow what the person allowed for the session');
    expect(withRules.deciding.indexOf(withRules.deciding.find((s) => s.name === 'allow what the person allowed for the session')!)).toBe(
      withRules.deciding.length - 2,
    );
  });

  it('an allow goes ahead to the answer; a deny is answered by the rules', async () => {
    const pipeline = preToolStages(deps());
    expect((await runPreTool(pipeline, call('ls'))).verdict).toBe('allow');
    expect((await runPreTool(pipeline, call('rm -rf ~'))).verdict).toBe('deny');
  });

  it('fails closed: stages that leave the call unanswered, or read the decision before the rules made it, are a fault', async () => {
    await expect(runPreTool({ deciding: [], goingAhead: [] }, call('ls'))).rejects.toThrow(/no stage answered/);
    const { deciding } = preToolStages(deps());
    const secrets = deciding.find((s) => s.name === 'ask about secrets written to files')!;
    await expect(runPreTool({ deciding: [secrets], goingAhead: [] }, call('ls'))).rejects.toThrow(/before the rules made it/);
  });
});
