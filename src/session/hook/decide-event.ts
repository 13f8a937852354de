import { decide, VERDICT_RANK, type Decision, type Policy, type ScriptFile, type ToolCall } from '../../policy/index.js';
import { toToolCalls, type ToolEvent } from '../../agents/tool-event.js';
import { realpathSync } from 'node:fs';
import { readScript } from './scripts.js';

/** Rounds of reading: a script that runs a script that runs a script… is judged this deep. */
const MAX_ROUNDS = 8;

/**
 * The decision for one call, judging the scripts it runs by their content: what the policy
 * `needs` is read (bounded; see readScript) and the call decided again with it.
 */
export function decideReading(call: ToolCall, policy: Policy, read: (path: string, real?: string) => ScriptFile = readScript): Decision {
  const files = new Map<string, ScriptFile>();
  let decision = decide(call, policy, files);
  for (let round = 0; round < MAX_ROUNDS && decision.needs && decision.needs.length > 0; round++) {
    for (const path of decision.needs) files.set(path, readAllowed(path, call, policy, read));
    decision = decide(call, policy, files);
  }
  if (decision.needs && decision.needs.length > 0 && decision.verdict === 'allow') {
    // scripts that run scripts deeper than harness reads: the last ones are not judged
    return {
      ...decision,
      verdict: 'ask',
      ruleId: 'core.hidden-code',
      reason: `This runs scripts nested more than ${MAX_ROUNDS} deep (${decision.needs[0]}…); harness judged the first ${MAX_ROUNDS} levels only. Run the inner script directly.`,
    };
  }
  return decision;
}

export const UNREADABLE_RULE = 'core.unreadable-input';

/**
 * The policy's decision for a tool event: one per path it touches, combined deny > ask > allow.
 * An input harness could not read in full is never allowed without the person.
 */
/** A file the rules keep from reading (or a link to one) is not read for its content: harness would show it in explanations. */
function readAllowed(path: string, call: ToolCall, policy: Policy, read: (path: string, real?: string) => ScriptFile): ScriptFile {
  let real: string;
  try {
    real = realpathSync(path);
  } catch {
    return read(path);
  }
  const cwd = 'cwd' in call ? call.cwd : undefined;
  for (const p of new Set([path, real])) {
    if (decide({ kind: 'file', op: 'read', path: p, cwd }, policy).verdict !== 'allow')
      return { unreadable: 'protected', ...(real !== path ? { realPath: real } : {}) };
  }
  return read(path, real);
}

export function decideEvent(event: ToolEvent, policy: Policy): Decision {
  const decisions = toToolCalls(event).map((call) => decideReading(call, policy));
  const why = event.kind === 'write' || event.kind === 'edit' ? event.unreadable : null;
  const unreadable: Decision | null = why
    ? {
        verdict: 'ask',
        ruleId: UNREADABLE_RULE,
        reason: `harness could not read this ${event.tool} call in full (${why}), so the user must confirm it`,
        mutates: true,
        hits: [],
        commands: [],
      }
    : null;
  const all = unreadable ? [...decisions, unreadable] : decisions;
  if (all.length === 0) throw new Error(`the ${event.tool} call names nothing harness can decide`);
  const decisive = all.reduce((a, d) => (VERDICT_RANK[d.verdict] > VERDICT_RANK[a.verdict] ? d : a));
  return {
    ...decisive,
    mutates: all.some((d) => d.mutates),
    hits: decisions.flatMap((d) => d.hits),
    commands: decisions.flatMap((d) => d.commands),
    scripts: decisions.flatMap((d) => d.scripts ?? []),
  };
}
