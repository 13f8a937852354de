import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { agentSettled, SETTLE_DEFAULTS, treeTicks } from '../../src/session/process/agent-settled.js';

const running: { kill: () => void }[] = [];
afterEach(() => {
  for (const p of running.splice(0)) p.kill();
});

/** A stand-in agent: `script` in sh, in a process group of its own (killed after the test). */
function agent(script: string): number {
  const child = spawn('sh', ['-c', script], { stdio: 'ignore', detached: true });
  running.push({ kill: () => process.kill(-child.pid!, 'SIGKILL') });
  return child.pid!;
}

// about a second of CPU in sh (more on a slow machine), then the marker
const BUSY = 'i=0; while [ $i -lt 400000 ]; do i=$((i+1)); done';

describe.runIf(process.platform === 'linux')('agentSettled: the agent start harness leaves the cores to', () => {
  it.each([
    ['the agent itself', (marker: string) => `${BUSY}; touch '${marker}'; sleep 60`],
    ['a process below it (its start runs in a child)', (marker: string) => `sh -c '${BUSY.replace(/'/g, `'\\''`)}'; touch '${marker}'; sleep 60`],
  ])(
    'waits while %s works, and settles once it waits',
    async (_who, script) => {
      const marker = join(mkdtempSync(join(tmpdir(), 'harness-settle-')), 'busy-done');
      const pid = agent(script(marker));
      await agentSettled(pid, { ...SETTLE_DEFAULTS, maxMs: 120_000 }).settled;
      expect(existsSync(marker)).toBe(true);
    },
    130_000,
  );

  it('settles by maxMs whatever the agent does', async () => {
    const pid = agent('while :; do :; done');
    const t0 = Date.now();
    await agentSettled(pid, { ...SETTLE_DEFAULTS, maxMs: 400 }).settled;
    expect(Date.now() - t0).toBeGreaterThanOrEqual(400);
    expect(treeTicks(pid)).not.toBeNull();
  }, 30_000);

  it('settles at once for an agent that is gone, and when cancelled', async () => {
    const gone = spawn('true');
    await new Promise((r) => gone.once('exit', r));
    await agentSettled(gone.pid!, { ...SETTLE_DEFAULTS, maxMs: 600_000 }).settled;
    const busy = agentSettled(agent('while :; do :; done'), { ...SETTLE_DEFAULTS, maxMs: 600_000 });
    busy.cancel();
    await busy.settled;
  }, 30_000);
});
