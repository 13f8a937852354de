import { trace } from '../trace.js';

/**
 * The resources a session holds, released in the reverse order they were acquired, each release
 * running whatever the ones before it threw. A start that fails halfway leaves nothing behind.
 */
export class Lifecycle {
  private readonly held: { name: string; release: () => unknown }[] = [];

  /** `fault`: called before each step, for tests that make a step fail (or wait, when it returns a promise). */
  constructor(private readonly fault?: (step: string) => void | Promise<void>) {}

  /** Runs one step of the start; what it returns is released at the end by `release`. */
  async acquire<T>(name: string, get: () => T | Promise<T>, release?: (value: T) => unknown): Promise<T> {
    const fault = this.fault?.(name);
    if (fault) await fault;
    trace(`${name}: start`);
    const value = await get();
    trace(`${name}: done`);
    if (release) this.held.push({ name, release: () => release(value) });
    return value;
  }

  /** Something to do at the end, in order with the resources acquired so far. */
  defer(name: string, release: () => unknown): void {
    this.held.push({ name, release });
  }

  /** Releases everything held, last first; returns what failed (never throws). */
  async close(): Promise<{ name: string; error: unknown }[]> {
    const failed: { name: string; error: unknown }[] = [];
    while (this.held.length > 0) {
      const { name, release } = this.held.pop()!;
      try {
        await release();
      } catch (error) {
        failed.push({ name, error });
      }
    }
    return failed;
  }
}
