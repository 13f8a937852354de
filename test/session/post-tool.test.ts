import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { claudeAdapter } from '../../src/agents/claude.js';
import type { AgentAdapter } from '../../src/agents/adapter.js';
import { AuditLog } from '../../src/audit/store.js';
import type { DecisionNotice } from '../../src/session/hook/decision-notice.js';
import { postToolStages, runPostTool, type PostCall, type PostToolDeps } from '../../src/session/hook/post-tool.js';
import { ToolGate } from '../../src/session/tool-gate.js';
import { WS } from '../helpers.js';

function deps(over: Partial<PostToolDeps> = {}): PostToolDeps & { audit: AuditLog } {
  const audit = AuditLog.open(join(mkdtempSync(join(tmpdir(), 'harness-post-')), 'audit.db'));
  audit.startSession({ id: 's', agent: 'claude', workspace: WS, argv: [], configPath: null, version: 't' });
  return {
    adapter: claudeAdapter,
    audit,
    sessionId: 's',
    gate: new ToolGate(),
    guard: undefined,
    checkpoints: undefined,
    sandboxed: false,
    tell: () => undefined,
    treeBefore: new Map(),
    judgedFor: new Map(),
    recording: () => undefined,
    ...over,
  };
}

const post = (response: unknown): PostCall => {
  const payload = { session_id: 's', tool_use_id: 'u1', cwd: WS, tool_name: 'Bash', tool_input: { command: 'touch /etc/x' }, tool_response: response };
  return { event: claudeAdapter.toToolEvent(payload, WS), payload, result: null };
};

describe('the PostToolUse stages', () => {
  it('run in one visible order; a stage for a part the session lacks is not in it', () => {
    expect(postToolStages(deps()).map((s) => s.name)).toEqual([
      'the gate and the guard know the call has ended',
      'read the result and log it',
      'log the scripts that changed after they were judged',
    ]);
    expect(postToolStages(deps({ sandboxed: true })).map((s) => s.name)).toContain('log and tell what the sandbox refused');
  });

  it('a result harness cannot read still ends the call: the gate does not wait for it', () => {
    const gate = new ToolGate();
    gate.started('u1', 'touch /etc/x (Bash)');
    const unreadable: AgentAdapter = {
      ...claudeAdapter,
      toResult: () => {
        throw new Error('no result');
      },
    };
    expect(() => runPostTool(postToolStages(deps({ gate, adapter: unreadable })), post({}))).toThrow(/no result/);
    expect(gate.runningIds()).toEqual([]);
  });

  it('in the sandbox, a refusal in the output is logged against the call and told to the person', () => {
    const told: DecisionNotice[] = [];
    const d = deps({ sandboxed: true, tell: (n) => told.push(n) });
    runPostTool(postToolStages(d), post({ stdout: '', stderr: "touch: cannot touch '/etc/x': Read-only file system", is_error: true }));
    const refusals = d.audit.eventsOf('s').filter((e) => e.kind === 'sandbox-refusal');
    expect(refusals.map((e) => [e.toolUseId, e.detail])).toEqual([['u1', "touch: cannot touch '/etc/x': Read-only file system"]]);
    expect(told.map((n) => n.kind)).toEqual(['sandbox-refusal']);
    // outside the sandbox the same words are the tool's own business
    const plain = deps();
    runPostTool(postToolStages(plain), post({ stderr: 'Read-only file system' }));
    expect(plain.audit.eventsOf('s').filter((e) => e.kind === 'sandbox-refusal')).toEqual([]);
  });
});
