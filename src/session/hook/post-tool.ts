import type { AgentAdapter } from '../../agents/adapter.js';
import type { ToolEvent } from '../../agents/tool-event.js';
import type { AuditLog } from '../../audit/store.js';
import type { CheckpointStore } from '../../checkpoints/store.js';
import type { JudgedFile } from '../../policy/index.js';
import { trace } from '../../trace.js';
import type { SessionGuard } from '../guard/guard.js';
import type { ToolGate } from '../tool-gate.js';
import type { DecisionNotice } from './decision-notice.js';
import { changedScripts } from './scripts.js';

/** One PostToolUse call: the call it ends, and what the tool answered once a stage read it. */
export interface PostCall {
  readonly event: ToolEvent;
  readonly payload: unknown;
  result: ToolResult | null;
}

export interface ToolResult {
  ok: boolean;
  response: unknown;
  /** The tool's answer as text (JSON when it is not text), as the log and the refusal check read it. */
  text: string;
}

/** The tool's result; a stage that needs it before it was read is a fault. */
function resultOf(call: PostCall): ToolResult {
  if (!call.result) throw new Error('a stage needs the result before it was read');
  return call.result;
}

export interface PostStage {
  /** What the stage does, in a few words (in traces, and for people reading the list). */
  name: string;
  run(call: PostCall): void;
}

/** What the stages use: the session's parts, and the hook handler's records of running calls. */
export interface PostToolDeps {
  adapter: AgentAdapter;
  audit: AuditLog;
  sessionId: string;
  gate: ToolGate;
  guard: SessionGuard | undefined;
  checkpoints: CheckpointStore | undefined;
  /** The agent runs in the OS sandbox: what it refused shows in the tool's output. */
  sandboxed: boolean;
  tell: (notice: DecisionNotice) => void;
  /** The checkpoint tree taken before each running mutation (the PreToolUse checkpoint stage fills it). */
  treeBefore: Map<string, string>;
  /** The scripts each running call was judged by (the PreToolUse decision stage fills it). */
  judgedFor: Map<string, JudgedFile[]>;
  /** Keeps a record still being worked out after the agent was answered: the next call and the session's end wait for it. */
  recording: (job: Promise<void>) => void;
}

/** Lines of a tool's output that say the sandbox refused something (a read-only tree, a hidden path, no network). */
export function sandboxRefusals(text: string): string[] {
  const lines = text
    .split(/\\n|\n/)
    .filter((l) => /Read-only file system|EROFS|Network is unreachable|ENETUNREACH|403 Forbidden.*harness|is not an allowed host/i.test(l));
  return [...new Set(lines.map((l) => l.trim().slice(0, 200)))].slice(0, 5);
}

/** The text a tool printed: its answer's strings (stdout, stderr, an error…), each line as the tool wrote it. */
export function outputText(response: unknown, budget = 1 << 20): string {
  const parts: string[] = [];
  let left = budget;
  const visit = (v: unknown, depth: number): void => {
    if (left <= 0 || depth > 8) return;
    if (typeof v === 'string') {
      parts.push(v.slice(0, left));
      left -= v.length;
    } else if (Array.isArray(v)) for (const x of v) visit(x, depth + 1);
    else if (v && typeof v === 'object') for (const x of Object.values(v)) visit(x, depth + 1);
  };
  visit(response, 0);
  return parts.join('\n');
}

/**
 * The stages of one PostToolUse call, in order; each runs (none answers: the agent's reply to a
 * PostToolUse is always the same). Those for optional parts of the session (the sandbox,
 * checkpoints) are in the list only when the part is.
 */
export function postToolStages(deps: PostToolDeps): PostStage[] {
  const { audit, sessionId } = deps;
  const present = <T>(stage: T | undefined): T[] => (stage ? [stage] : []);

  const ended: PostStage = {
    name: 'the gate and the guard know the call has ended',
    run({ event }) {
      deps.gate.finished(event.toolUseId);
      deps.guard?.finished(event.toolUseId);
    },
  };

  const logResult: PostStage = {
    // after the gate and the guard were told: a result harness cannot read still ends the call
    name: 'read the result and log it',
    run(call) {
      const { ok, response } = deps.adapter.toResult(call.payload);
      const text = typeof response === 'string' ? response : JSON.stringify(response ?? null);
      call.result = { ok, response, text };
      audit.result({ sessionId, toolUseId: call.event.toolUseId, ok, summary: text.slice(0, 300), data: response });
    },
  };

  const scriptsRan: PostStage = {
    // a script changed between the decision and the end of the call: what ran may not be what was judged
    name: 'log the scripts that changed after they were judged',
    run({ event }) {
      const judged = deps.judgedFor.get(event.toolUseId);
      if (!judged) return;
      deps.judgedFor.delete(event.toolUseId);
      for (const c of changedScripts(judged)) {
        audit.event({
          sessionId,
          toolUseId: event.toolUseId,
          kind: 'script-changed',
          detail: `${c.path} changed after harness judged it (sha256 ${c.before.slice(0, 16)} -> ${c.now.slice(0, 16)}); what ran may not be what was judged`,
        });
      }
    },
  };

  const refusals: PostStage | undefined = deps.sandboxed
    ? {
        name: 'log and tell what the sandbox refused',
        run(call) {
          const { event } = call;
          for (const line of sandboxRefusals(outputText(resultOf(call).response))) {
            audit.event({ sessionId, kind: 'sandbox-refusal', detail: line, toolUseId: event.toolUseId });
            deps.tell({ kind: 'sandbox-refusal', tool: event.tool, subject: event.summary, detail: line });
          }
        },
      }
    : undefined;

  const store = deps.checkpoints;
  const changes: PostStage | undefined = store && {
    // The agent does not wait for the list of what the call changed: it is asked for now, so the
    // store (which does its work in order) reads the tree after this call and before the next
    // checkpoint, and it is recorded once known. The next PreToolUse, and the end of the session,
    // wait for it.
    name: 'record what the call changed',
    run({ event }) {
      const before = deps.treeBefore.get(event.toolUseId);
      if (!before) return;
      deps.treeBefore.delete(event.toolUseId);
      const at = Date.now();
      const toolUseId = event.toolUseId;
      trace('post: changes start');
      const job = store
        .changesSince(before)
        .then(
          (list) => audit.changes({ sessionId, toolUseId, changes: list }, at),
          // the call has run either way; the log says the list is missing and why
          (error: unknown) =>
            audit.changes(
              {
                sessionId,
                toolUseId,
                changes: [{ status: 'unknown', path: `could not list the changes: ${error instanceof Error ? error.message : String(error)}` }],
              },
              at,
            ),
        )
        .then(() => trace('post: changes recorded'))
        // a record the audit log could not take is its own to report (it lists what it could not write)
        .catch(() => undefined);
      deps.recording(job);
    },
  };

  return [ended, logResult, scriptsRan, ...present(refusals), ...present(changes)];
}

/** Runs a PostToolUse call through its stages. */
export function runPostTool(stages: PostStage[], call: PostCall): void {
  for (const stage of stages) stage.run(call);
}
