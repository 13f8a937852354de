import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { latestSession } from '../support/agent-env.js';
import { exitClaude, sandboxWithRules, startClaude } from '../support/claude-tmux.js';
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

const lastRow = (screen: string): string => screen.replace(/\n$/, '').split('\n').at(-1) ?? '';

describe.runIf(Tmux.available())("harness run claude in tmux: a deny shows on Claude Code's screen", () => {
  it("a bar names the rule, its reason and Ctrl-], while Claude works on; it goes, and Claude's screen is whole again", async () => {
    model = new ModelServer();
    const url = await model.start();
    const sb = sandboxWithRules(
      url,
      [{ id: 'team.no-touch', decision: 'deny', command: 'touch', reason: 'touch is not used in this repository. Write the file with the Write tool.' }],
      { commit: true },
    );
    model.setScript([{ tool: 'Bash', input: { command: 'touch denied.txt', description: 'make it' } }, { text: 'finished after the refusal' }]);
    // Claude waits for the model after the refusal (its spinner running) until the bar has come and gone
    const afterDeny = model.hold(1);

    tmux = new Tmux();
    const ready = await startClaude(tmux, sb, 'make the file');
    expect(ready).not.toMatch(/harness denied/);

    await afterDeny.reached;
    const during = await tmux.waitUntil((s) => /harness denied Bash touch denied\.txt/.test(s), 'the notice');
    expect(lastRow(during)).toMatch(/^ harness denied Bash touch denied\.txt · team\.no-touch: touch is not used in this repository · Ctrl-\] for details/);
    // one row, the bottom one: nothing else of the screen is harness's, and no dialog took it
    expect(during.split('\n').filter((l) => /Ctrl-\] for details/.test(l))).toHaveLength(1);
    expect(during).not.toMatch(/approval needed/);
    expect(existsSync(join(sb.repo, 'denied.txt'))).toBe(false);

    // it goes by itself; the row under it is Claude's again (awaited too: between the bar's erasing
    // before a chunk of Claude's output and its redrawing after it the row may be blank a moment)
    const claudeRow = (s: string): boolean => /^\s*⏵⏵ bypass permissions on/.test(lastRow(s));
    const after = await tmux.waitUntil((s) => !/Ctrl-\] for details/.test(s) && claudeRow(s), 'the notice to go', 20_000);
    expect(lastRow(after)).toMatch(/^\s*⏵⏵ bypass permissions on/);
    expect(after).not.toMatch(/harness denied Bash/);
    expect(after.split('\n')).toHaveLength(during.split('\n').length);

    afterDeny.release();
    await tmux.waitFor('finished after the refusal', 60_000);
    // the model was told which rule refused the call
    expect(JSON.stringify(model.toolResults())).toMatch(/team\.no-touch/);
    expect(await tmux.waitFor('finished after the refusal')).not.toMatch(/Ctrl-\] for details/);
    expect(await exitClaude(tmux)).toBe(0);
    expect(latestSession(sb).rows.map((r) => [r.summary, r.verdict, r.ruleId])).toEqual([['touch denied.txt', 'deny', 'team.no-touch']]);
  }, 180_000);
});
