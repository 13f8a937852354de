import { describe, expect, it } from 'vitest';
import { changesInEffect, stepsInEffect, type StepCall, type StepCheckpoint, type StepRollback } from '../../src/audit/steps.js';

/** A session as a list of happenings, in order: a call that ran (with the checkpoint before it) or a rollback. */
type Happening =
  | { call: string; before: string; verdict?: string; changed?: number; running?: boolean }
  | { rollback: { to: string; from: string; step?: string; error?: string } };

function run(happenings: Happening[]): string[] {
  const calls: StepCall[] = [];
  const checkpoints: StepCheckpoint[] = [];
  const rollbacks: StepRollback[] = [];
  happenings.forEach((h, at) => {
    if ('call' in h) {
      calls.push({ toolUseId: h.call, tool: 'Bash', summary: h.call, verdict: h.verdict ?? 'allow', finished: !h.running, changed: h.changed ?? 1 });
      checkpoints.push({ toolUseId: h.call, at, commit: h.before });
    } else rollbacks.push({ at, from: h.rollback.from, to: h.rollback.to, step: h.rollback.step ?? null, error: h.rollback.error ?? null });
  });
  return stepsInEffect(calls, checkpoints, rollbacks).map((s) => s.toolUseId);
}

describe('the steps harness rollback N counts', () => {
  const a = { call: 'a', before: 'c0' };
  const b = { call: 'b', before: 'c1' };
  const c = { call: 'c', before: 'c2' };
  it.each<[string, Happening[], string[]]>([
    ['every call let through is a step, oldest first', [a, b, c], ['a', 'b', 'c']],
    ['a call denied after its checkpoint never ran', [a, { call: 'b', before: 'c1', verdict: 'deny' }, c], ['a', 'c']],
    [
      'a call that changed nothing is a step (same checkpoint as the one before)',
      [a, { call: 'b', before: 'c1', changed: 0 }, { call: 'c', before: 'c1' }],
      ['a', 'b', 'c'],
    ],
    ['back to just before b takes b and c off', [a, b, c, { rollback: { to: 'c1', from: 's1', step: 'b' } }], ['a']],
    ['by checkpoint id, without the step: just before the first call taken at it', [a, b, c, { rollback: { to: 'c1', from: 's1' } }], ['a']],
    [
      'an undo puts back what was in effect',
      [a, b, c, { rollback: { to: 'c1', from: 's1', step: 'b' } }, { rollback: { to: 's1', from: 's2' } }],
      ['a', 'b', 'c'],
    ],
    [
      'undoing the undo redoes the rollback',
      [a, b, c, { rollback: { to: 'c1', from: 's1', step: 'b' } }, { rollback: { to: 's1', from: 's2' } }, { rollback: { to: 's2', from: 's3' } }],
      ['a'],
    ],
    ['calls after a rollback follow what is left', [a, b, { rollback: { to: 'c1', from: 's1', step: 'b' } }, { call: 'd', before: 'c3' }], ['a', 'd']],
    ['a failed rollback changes nothing', [a, b, { rollback: { to: 'c0', from: 's1', step: 'a', error: 'disk full' } }], ['a', 'b']],
    ['to a checkpoint no call was taken at: no step is left in effect', [a, b, { rollback: { to: 'elsewhere', from: 's1' } }], []],
    ['the same call logged twice is one step', [a, { call: 'a', before: 'c0' }], ['a']],
  ])('%s', (_, happenings, expected) => {
    expect(run(happenings)).toEqual(expected);
  });

  it('a running call is a step whose changes are not known yet', () => {
    const steps = stepsInEffect(
      [{ toolUseId: 'a', tool: 'Write', summary: 'x', verdict: 'allow', finished: false, changed: 0 }],
      [{ toolUseId: 'a', at: 1, commit: 'c0' }],
      [],
    );
    expect(steps).toEqual([{ kind: 'call', toolUseId: 'a', at: 1, tool: 'Write', summary: 'x', before: 'c0', changed: null }]);
  });

  it('a rollback in the same millisecond as a call comes after it (a rollback waits for running calls)', () => {
    const steps = stepsInEffect(
      [
        { toolUseId: 'a', tool: 'Bash', summary: 'a', verdict: 'allow', finished: true, changed: 1 },
        { toolUseId: 'b', tool: 'Bash', summary: 'b', verdict: 'allow', finished: true, changed: 1 },
      ],
      [
        { toolUseId: 'a', at: 5, commit: 'c0' },
        { toolUseId: 'b', at: 7, commit: 'c1' },
      ],
      [{ at: 7, from: 's', to: 'c1', step: 'b', error: null }],
    );
    expect(steps.map((s) => s.toolUseId)).toEqual(['a']);
  });
});

describe('the steps of a program without hooks: each settled change', () => {
  /** Checkpoints (states, in order) and rollbacks; the steps as "before>after". */
  const run = (happenings: ({ state: string } | { rollback: { to: string; from: string } })[]): string[] => {
    const checkpoints: (StepCheckpoint & { summary: string })[] = [];
    const rollbacks: StepRollback[] = [];
    happenings.forEach((h, at) => {
      if ('state' in h) checkpoints.push({ toolUseId: null, at, commit: h.state, summary: h.state });
      else rollbacks.push({ at, from: h.rollback.from, to: h.rollback.to, step: null, error: null });
    });
    return changesInEffect(checkpoints, rollbacks).map((s) => `${s.before}>${s.toolUseId}`);
  };
  it.each<[string, Parameters<typeof run>[0], string[]]>([
    ['the first checkpoint is where it starts, each later one a step', [{ state: 's0' }, { state: 's1' }, { state: 's2' }], ['s0>s1', 's1>s2']],
    ['a rollback to s1 takes the step after it off', [{ state: 's0' }, { state: 's1' }, { state: 's2' }, { rollback: { to: 's1', from: 'r1' } }], ['s0>s1']],
    [
      'a change after a rollback starts from what the rollback left',
      [{ state: 's0' }, { state: 's1' }, { state: 's2' }, { rollback: { to: 's1', from: 'r1' } }, { state: 's3' }],
      ['s0>s1', 's1>s3'],
    ],
    [
      'an undo puts the steps back',
      [{ state: 's0' }, { state: 's1' }, { state: 's2' }, { rollback: { to: 's1', from: 'r1' } }, { rollback: { to: 'r1', from: 'r2' } }],
      ['s0>s1', 's1>s2'],
    ],
    ['back to the start: no step left', [{ state: 's0' }, { state: 's1' }, { rollback: { to: 's0', from: 'r1' } }], []],
  ])('%s', (_, happenings, expected) => {
    expect(run(happenings)).toEqual(expected);
  });
});
