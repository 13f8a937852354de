import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HARNESS_BIN, latestSession, type Sandbox } from '../support/agent-env.js';
import { codex, gemini } from '../support/agent-cases.js';
import { Tmux } from '../support/tmux.js';

let tmux: Tmux | null = null;
let stop: (() => Promise<void>) | null = null;
afterEach(async () => {
  tmux?.kill();
  tmux = null;
  await stop?.();
  stop = null;
});

describe.runIf(Tmux.available())("harness run codex / gemini in tmux: harness asks where the agent's hooks cannot", () => {
  it.each([codex, gemini])(
    '$name: y runs the command, n refuses it and the model is told',
    async (agent) => {
      const model = agent.model();
      stop = () => model.stop();
      const sb: Sandbox = agent.sandbox(await model.start());
      writeFileSync(
        join(sb.repo, 'harness.config.json'),
        JSON.stringify({
          rules: [{ id: 'team.ask-touch', decision: 'ask', command: 'touch', reason: 'creating files with touch needs a yes in this repository' }],
        }),
      );
      model.setScript([agent.shell('touch approved.txt'), agent.shell('touch refused.txt'), { text: 'all steps finished' }]);

      tmux = new Tmux();
      tmux.start([process.execPath, HARNESS_BIN, 'run', agent.name, '--', ...agent.interactiveArgs('make the files')], {
        cwd: sb.repo,
        env: sb.env,
        cols: 120,
        rows: 40,
      });

      const screen = await tmux.waitFor('approval needed', 60_000);
      expect(screen).toContain('$ touch approved.txt');
      expect(screen).toContain('team.ask-touch');
      expect(existsSync(join(sb.repo, 'approved.txt'))).toBe(false);
      tmux.keys(['y']);

      await tmux.waitFor('$ touch refused.txt', 60_000);
      tmux.keys(['n']);

      await tmux.waitFor('all steps finished', 60_000);
      expect(existsSync(join(sb.repo, 'approved.txt'))).toBe(true);
      expect(existsSync(join(sb.repo, 'refused.txt'))).toBe(false);
      expect(JSON.stringify(agent.outputs(model))).toMatch(/the user declined/);

      const { rows } = latestSession(sb);
      expect(rows.map((r) => [r.verdict, r.decidedBy, r.ruleId])).toEqual([
        ['allow', 'human', 'team.ask-touch'],
        ['deny', 'human', 'team.ask-touch'],
      ]);
    },
    180_000,
  );
});
