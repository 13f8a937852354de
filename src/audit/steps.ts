/**
 * The steps `harness rollback N` and the panel count: the tool calls of a session that were let
 * through to change the working tree, each with the checkpoint of the tree just before it. Rolling
 * back to a step's checkpoint undoes that call and every one after it; a call that changed nothing
 * is still a step (undoing it changes nothing, and says so).
 *
 * Rollbacks change which steps are in effect: going back to just before a step takes it and every
 * later one off, and an undo (back to the state a rollback saved first) puts back what was in effect
 * then. Pure: it reads rows the audit log gives it.
 */

export interface Step {
  /** A tool call; or, for a program without hooks, one settled change of the tree (its checkpoint). */
  kind: 'call' | 'change';
  /** The call's id; for a change, the checkpoint taken after it. */
  toolUseId: string;
  at: number;
  tool: string;
  summary: string;
  /** The checkpoint taken just before the call (for a change: the state it changed). */
  before: string;
  /** How many files a call changed; null while it runs (its list is recorded when it has finished), and for a change (its summary says). */
  changed: number | null;
}

/** A mutating call as the log has it: its final verdict, and the checkpoint recorded before it. */
export interface StepCall {
  toolUseId: string;
  tool: string;
  summary: string;
  verdict: string | null;
  /** Whether its result is in (it finished). */
  finished: boolean;
  changed: number;
}

export interface StepCheckpoint {
  toolUseId: string | null;
  at: number;
  commit: string | null;
}

export interface StepRollback {
  at: number;
  from: string | null;
  to: string;
  step: string | null;
  error: string | null;
}

/** What was in effect when each rollback saved the present, by the checkpoint it saved; and how each rollback changes what is. */
class InEffect {
  steps: Step[] = [];
  private readonly saved = new Map<string, Step[]>();

  rollback(r: StepRollback): void {
    if (r.from) this.saved.set(r.from, this.steps);
    const at = r.step ? this.steps.findIndex((s) => s.toolUseId === r.step) : -1;
    const back = this.saved.get(r.to);
    if (at >= 0) this.steps = this.steps.slice(0, at);
    else if (back && r.to !== r.from) this.steps = [...back];
    else {
      // to a checkpoint by name: just before the first step it was taken for, or outside these steps
      const first = this.steps.findIndex((s) => s.before === r.to);
      this.steps = first >= 0 ? this.steps.slice(0, first) : [];
    }
  }
}

type Timed<T> = { at: number; rollback: StepRollback } | ({ at: number } & T);

/** Oldest first; a rollback waits for running calls, so one logged in the same millisecond came after. */
function inOrder<T>(items: Timed<T>[]): Timed<T>[] {
  return items.sort((a, b) => a.at - b.at || Number('rollback' in a) - Number('rollback' in b));
}

/** The steps in effect now, oldest first. */
export function stepsInEffect(calls: readonly StepCall[], checkpoints: readonly StepCheckpoint[], rollbacks: readonly StepRollback[]): Step[] {
  const byId = new Map(calls.map((c) => [c.toolUseId, c]));
  const seen = new Set<string>();
  const timeline: Timed<{ step: Step }>[] = [];
  for (const cp of checkpoints) {
    const call = cp.toolUseId ? byId.get(cp.toolUseId) : undefined;
    // a call denied after its checkpoint (its client had given up) never ran
    if (!call || !cp.commit || call.verdict !== 'allow' || seen.has(call.toolUseId)) continue;
    seen.add(call.toolUseId);
    timeline.push({
      at: cp.at,
      step: {
        kind: 'call',
        toolUseId: call.toolUseId,
        at: cp.at,
        tool: call.tool,
        summary: call.summary,
        before: cp.commit,
        changed: call.finished ? call.changed : null,
      },
    });
  }
  for (const r of rollbacks) if (!r.error) timeline.push({ at: r.at, rollback: r });
  const state = new InEffect();
  for (const e of inOrder(timeline)) {
    if ('rollback' in e) state.rollback(e.rollback);
    else state.steps.push(e.step);
  }
  return state.steps;
}

/**
 * For a program without hooks: each checkpoint taken after the tree changed and settled is a step
 * from the state before it (the previous checkpoint, or what a rollback left) to it.
 */
export function changesInEffect(checkpoints: readonly (StepCheckpoint & { summary: string })[], rollbacks: readonly StepRollback[]): Step[] {
  const timeline: Timed<{ checkpoint: StepCheckpoint & { summary: string } }>[] = [];
  for (const cp of checkpoints) if (cp.commit && cp.toolUseId === null) timeline.push({ at: cp.at, checkpoint: cp });
  for (const r of rollbacks) if (!r.error) timeline.push({ at: r.at, rollback: r });
  const state = new InEffect();
  let present: string | null = null;
  for (const e of inOrder(timeline)) {
    if ('rollback' in e) {
      state.rollback(e.rollback);
      present = e.rollback.to;
      continue;
    }
    const { commit, at, summary } = e.checkpoint;
    if (present && present !== commit) state.steps.push({ kind: 'change', toolUseId: commit!, at, tool: 'change', summary, before: present, changed: null });
    present = commit;
  }
  return state.steps;
}
