import { performance } from 'node:perf_hooks';

/**
 * HARNESS_TRACE=1: one line on stderr per step of a run, with the milliseconds since the process
 * started (performance.now() counts from there). For finding where start-up and hook time goes;
 * nothing is printed, and next to nothing is done, without it.
 */
const enabled = Boolean(process.env.HARNESS_TRACE);

export function trace(step: string): void {
  if (!enabled) return;
  process.stderr.write(`harness-trace ${performance.now().toFixed(1).padStart(8)} ms  ${step}\n`);
}

export const tracing = enabled;
