import type { Decision, ToolConcern } from './types.js';

/**
 * What harness asks the person about whatever the rules and defaults say: a tool call whose meaning
 * harness does not know, or one that moves work out of the reach of its checks and checkpoints.
 * A config cannot turn these into an allow (a `deny` default for the tool's kind still wins).
 */
export const CONCERNS: Record<ToolConcern, { id: string; reason: string }> = {
  'unknown-tool': {
    id: 'core.unknown-tool',
    reason:
      'harness does not know this tool (an agent version newer than harness knows, or a tool of a plugin), so it cannot tell what the call would do. The user must confirm it.',
  },
  'bad-input': {
    id: 'core.bad-input',
    reason: 'the call does not have the shape harness knows for this tool, so harness cannot tell what it would do. The user must confirm it.',
  },
  worktree: {
    id: 'core.worktree',
    reason:
      "this moves the agent's work into a separate git worktree (or removes one): edits made there are out of reach of harness's checkpoints and rollback. The user must confirm it.",
  },
  scheduled: {
    id: 'core.scheduled',
    reason: 'this schedules a prompt to run later, when nobody may be watching (a durable job even after this session ends). The user must confirm it.',
  },
  workflow: {
    id: 'core.workflow',
    reason:
      'this runs a workflow script that starts background agents; harness checks their tool calls but does not analyze the script. The user must confirm it.',
  },
  remote: {
    id: 'core.remote',
    reason: 'this acts on a remote service (it uploads or publishes files, or starts work in the cloud), out of reach of harness. The user must confirm it.',
  },
  'other-session': {
    id: 'core.other-session',
    reason: 'this sends instructions to another agent session, which harness may not supervise. The user must confirm it.',
  },
  'other-shell': {
    id: 'core.other-shell',
    reason: 'harness analyzes POSIX shell commands only; this command is for another shell, so harness cannot judge it. The user must confirm it.',
  },
};

/** The decision for a concern: always ask, naming the tool and what about the call made harness ask. */
export function concernDecision(concern: ToolConcern, tool: string, detail?: string): Decision {
  const c = CONCERNS[concern];
  const reason = `${tool}: ${c.reason}${detail ? ` (${detail})` : ''}`;
  return { verdict: 'ask', ruleId: c.id, reason, mutates: true, hits: [{ ruleId: c.id, verdict: 'ask', reason, certainty: 'certain' }], commands: [] };
}
