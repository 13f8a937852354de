import { decide, VERDICT_RANK, type Decision, type Policy } from '../policy/index.js';
import { toToolCalls, type ToolEvent } from '../agents/tool-event.js';

export const UNREADABLE_RULE = 'core.unreadable-input';

/**
 * The policy's decision for a tool event: one per path it touches, combined deny > ask > allow.
 * An input harness could not read in full is never allowed without the person.
 */
export function decideEvent(event: ToolEvent, policy: Policy): Decision {
  const decisions = toToolCalls(event).map((call) => decide(call, policy));
  const unreadable: Decision | null = event.unreadable
    ? { verdict: 'ask', ruleId: UNREADABLE_RULE, reason: `harness could not read this ${event.tool} call in full (${event.unreadable}), so the user must confirm it`, mutates: true, hits: [], commands: [] }
    : null;
  const all = unreadable ? [...decisions, unreadable] : decisions;
  if (all.length === 0) throw new Error(`the ${event.tool} call names nothing harness can decide`);
  const decisive = all.reduce((a, d) => (VERDICT_RANK[d.verdict] > VERDICT_RANK[a.verdict] ? d : a));
  return {
    ...decisive,
    mutates: all.some((d) => d.mutates),
    hits: decisions.flatMap((d) => d.hits),
    commands: decisions.flatMap((d) => d.commands),
  };
}
