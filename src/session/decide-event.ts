import { decide, VERDICT_RANK, type Decision, type Policy } from '../policy/index.js';
import { toToolCalls, type ToolEvent } from '../agents/tool-event.js';

/** The policy's decision for a tool event: one per path it touches, combined deny > ask > allow. */
export function decideEvent(event: ToolEvent, policy: Policy): Decision {
  const decisions = toToolCalls(event).map((call) => decide(call, policy));
  let decisive = decisions[0]!;
  for (const d of decisions.slice(1)) if (VERDICT_RANK[d.verdict] > VERDICT_RANK[decisive.verdict]) decisive = d;
  return {
    ...decisive,
    mutates: decisions.some((d) => d.mutates),
    hits: decisions.flatMap((d) => d.hits),
    commands: decisions.flatMap((d) => d.commands),
  };
}
