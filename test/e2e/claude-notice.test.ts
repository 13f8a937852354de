import { execFileSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { claudeSandbox, HARNESS_BIN, latestSession } from '../support/agent-env.js';
import { ModelServer } from '../support/model-server.js';
import { Tmux } from '../support/tmux.js';

let model: ModelServer | null = null;
let tmux: Tmux | null = null;
afterEach(async () => {
  tmux?.kill();
  tmux = null;
  await model?.stop();
  model = null;
});

/** Waits until `done` holds for the visible pane. */
async function until(t: Tmux, done: (screen: string) => boolean, what: string, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = t.screen();
    if (done(screen)) return screen;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; screen:\n${screen}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const lastRow = (screen: string): string => screen.replace(/\n$/, '').split('\n').at(-1) ?? '';

describe.runIf(Tmux.available())('harness run claude in tmux: a deny shows on Claude Code\'s screen', () => {
  it('a bar names the rule, its reason and Ctrl-], while Claude works on; it goes, and Claude\'s screen is whole again', async () => {
    model = new ModelServer();
    const url = await model.start();
    const sb = claudeSandbox(url);
    writeFileSync(
      join(sb.repo, 'harness.config.json'),
      JSON.stringify({ rules: [{ id: 'team.no-touch', decision: 'deny', command: 'touch', reason: 'touch is not used in this repository. Write the file with the Write tool.' }] }),
    );
    execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: sb.repo });
    model.setScript([{ tool: 'Bash', input: { command: 'touch denied.txt', description: 'make it' } }, { text: 'finished after the refusal' }]);
    // Claude waits for the model after the refusal (its spinner running) until the bar has come and gone
    const afterDeny = model.hold(1);

    tmux = new Tmux();
    tmux.start([process.execPath, HARNESS_BIN, 'run', 'claude', '--', '--dangerously-skip-permissions'], { cwd: sb.repo, env: sb.env, cols: 120, rows: 40 });
    const ready = await tmux.waitFor('bypass permissions');
    expect(ready).not.toMatch(/harness denied/);
    tmux.type('make the file');
    await new Promise((r) => setTimeout(r, 300));
    tmux.keys(['Enter']);

    await afterDeny.reached;
    const during = await until(tmux, (s) => /harness denied Bash touch denied\.txt/.test(s), 'the notice');
    expect(lastRow(during)).toMatch(/^ harness denied Bash touch denied\.txt · team\.no-touch: touch is not used in this repository · Ctrl-\] for details/);
    // one row, the bottom one: nothing else of the screen is harness's, and no dialog took it
    expect(during.split('\n').filter((l) => /Ctrl-\] for details/.test(l))).toHaveLength(1);
    expect(during).not.toMatch(/approval needed/);
    expect(existsSync(join(sb.repo, 'denied.txt'))).toBe(false);

    // it goes by itself; the row under it is Claude's again
    const after = await until(tmux, (s) => !/Ctrl-\] for details/.test(s), 'the notice to go', 20_000);
    expect(lastRow(after)).toMatch(/^\s*⏵⏵ bypass permissions on/);
    expect(after).not.toMatch(/harness denied Bash/);
    expect(after.split('\n')).toHaveLength(during.split('\n').length);

    afterDeny.release();
    await tmux.waitFor('finished after the refusal', 60_000);
    // the model was told which rule refused the call
    expect(JSON.stringify(model.toolResults())).toMatch(/team\.no-touch/);
    expect(await tmux.waitFor('finished after the refusal')).not.toMatch(/Ctrl-\] for details/);
    tmux.type('/exit');
    await new Promise((r) => setTimeout(r, 500));
    tmux.keys(['Enter']);
    expect(await tmux.exitCode()).toBe(0);
    expect(latestSession(sb).rows.map((r) => [r.summary, r.verdict, r.ruleId])).toEqual([['touch denied.txt', 'deny', 'team.no-touch']]);
  }, 180_000);
});
