import { describe, expect, it } from 'vitest';
import { ToolGate } from '../../src/session/tool-gate.js';

describe('tool gate: harness restores the tree only while no tool call runs', () => {
  it('waits for running calls, holds new ones, and hands the notice to the next call once', async () => {
    const gate = new ToolGate();
    const order: string[] = [];
    gate.started('t1');
    const work = gate.exclusive(async () => {
      order.push('restore');
      return { result: 'done', notice: 'rolled back' };
    }, 5_000);
    await new Promise((r) => setTimeout(r, 20));
    expect(order).toEqual([]);
    const next = gate.enter().then(() => order.push('next call'));
    gate.finished('t1');
    expect(await work).toBe('done');
    await next;
    expect(order).toEqual(['restore', 'next call']);
    expect(gate.takeNotice()).toBe('rolled back');
    expect(gate.takeNotice()).toBeNull();
  });

  it('gives up (changing nothing) when a call does not finish in time', async () => {
    const gate = new ToolGate();
    gate.started('slow');
    let ran = false;
    await expect(
      gate.exclusive(async () => {
        ran = true;
        return { result: null, notice: null };
      }, 50),
    ).rejects.toThrow(/still running/);
    expect(ran).toBe(false);
    await gate.enter();
  });
});
