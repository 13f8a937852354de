import { describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/audit/store.js';
import type { CheckpointStore } from '../../src/checkpoints/store.js';
import { ToolGate } from '../../src/session/tool-gate.js';
import { until } from '../support/until.js';

// the settle window short for tests (read when the module loads)
process.env.HARNESS_CHECKPOINT_QUIET_MS = '200';
const { PeriodicCheckpoints } = await import('../../src/session/rollback/periodic.js');

/** A store whose "working tree" is a string: a checkpoint is taken when it differs from the last (or always). */
function fakes() {
  const listeners = new Set<(paths: string[]) => void>();
  const state = { tree: 't0', last: null as string | null, n: 0 };
  const store = {
    onChange: (l: (paths: string[]) => void) => {
      listeners.add(l);
      return () => void listeners.delete(l);
    },
    lastTree: () => state.last,
    snapshot: async (_meta: unknown, options: { always?: boolean } = {}) => {
      if (!options.always && state.tree === state.last) return null;
      state.last = state.tree;
      return { id: `c${++state.n}`.padEnd(40, '0'), tree: state.tree };
    },
    changesBetween: async (a: string, b: string) => (a === b ? [] : [{ path: 'x' }]),
  } as unknown as CheckpointStore;
  const recorded: string[] = [];
  const audit = { checkpoint: (c: { summary: string }) => void recorded.push(c.summary) } as unknown as AuditLog;
  const change = (tree: string): void => {
    state.tree = tree;
    for (const l of listeners) l(['x']);
  };
  return { store, audit, recorded, change, state };
}

describe('PeriodicCheckpoints', () => {
  it('a change made while harness holds the tree (a rollback) is checkpointed once it lets go, not dropped', async () => {
    const { store, audit, recorded, change } = fakes();
    const gate = new ToolGate();
    const periodic = new PeriodicCheckpoints(store, audit, 's', gate);
    await periodic.start(Promise.resolve(true));
    expect(recorded).toHaveLength(1);
    // the only event of the change comes while the gate is held; none comes after
    await gate.exclusive(async () => {
      change('t1');
      return { result: undefined, notice: null };
    }, 1000);
    await until('the checkpoint of the change made during the rollback', () => recorded.length >= 2, 20_000);
    await periodic.stop();
    expect(recorded).toHaveLength(3);
  });

  it('the end of the session is a checkpoint even when nothing changed since the last one', async () => {
    const { store, audit, recorded, change } = fakes();
    const periodic = new PeriodicCheckpoints(store, audit, 's', new ToolGate());
    await periodic.start(Promise.resolve(true));
    change('t1');
    await until('the checkpoint of the settled change', () => recorded.length >= 2, 20_000);
    await periodic.stop();
    expect(recorded).toHaveLength(3);
    expect(recorded[2]).toMatch(/when the session ended/);
  });
});
