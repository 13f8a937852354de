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
  let decisive = decisions[0] ?? unreadable!;
  for (const d of decisions.slice(1)) if (VERDICT_RANK[d.verdict] > VERDICT_RANK[decisive.verdict]) decisive = d;
  if (unreadable && VERDICT_RANK[unreadable.verdict] > VERDICT_RANK[decisive.verdict]) decisive = unreadable;
  return {
    ...decisive,
    mutates: decisions.some((d) => d.mutates) || Boolean(unreadable),
    hits: decisions.flatMap((d) => d.hits),
    commands: decisions.flatMap((d) => d.commands),
  };
}
