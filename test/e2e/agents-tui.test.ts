import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { codexSandbox, geminiSandbox, HARNESS_BIN, latestSession, type Sandbox } from '../support/agent-env.js';
import { CodexModel } from '../support/codex-model.js';
import { GeminiModel } from '../support/gemini-model.js';
import type { Step } from '../support/scripted-model.js';
import { Tmux } from '../support/tmux.js';

let tmux: Tmux | null = null;
let stop: (() => Promise<void>) | null = null;
afterEach(async () => {
  tmux?.kill();
  tmux = null;
  await stop?.();
  stop = null;
});

const agents = [
  {
    name: 'codex',
    model: () => new CodexModel(),
    sandbox: codexSandbox,
    // the prompt as an argument: the TUI starts working on it at once
    args: (prompt: string) => ['--dangerously-bypass-approvals-and-sandbox', prompt],
    shell: (cmd: string): Step => ({ tool: 'exec_command', input: { cmd } }),
    outputs: (m: CodexModel | GeminiModel) => JSON.stringify([...(m as CodexModel).toolOutputs().values()]),
  },
  {
    name: 'gemini',
    model: () => new GeminiModel(),
    sandbox: geminiSandbox,
    args: (prompt: string) => ['-m', 'gemini-2.5-flash', '--yolo', '-i', prompt],
    shell: (command: string): Step => ({ tool: 'run_shell_command', input: { command } }),
    outputs: (m: CodexModel | GeminiModel) => JSON.stringify((m as GeminiModel).toolOutputs()),
  },
];

describe.runIf(Tmux.available())('harness run codex / gemini in tmux: harness asks where the agent\'s hooks cannot', () => {
  it.each(agents)('$name: y runs the command, n refuses it and the model is told', async (agent) => {
    const model = agent.model();
    stop = () => model.stop();
    const sb: Sandbox = agent.sandbox(await model.start());
    writeFileSync(
      join(sb.repo, 'harness.config.json'),
      JSON.stringify({ rules: [{ id: 'team.ask-touch', decision: 'ask', command: 'touch', reason: 'creating files with touch needs a yes in this repository' }] }),
    );
    model.setScript([agent.shell('touch approved.txt'), agent.shell('touch refused.txt'), { text: 'all steps finished' }]);

    tmux = new Tmux();
    tmux.start([process.execPath, HARNESS_BIN, 'run', agent.name, '--', ...agent.args('make the files')], { cwd: sb.repo, env: sb.env, cols: 120, rows: 40 });

    let screen = await tmux.waitFor('approval needed', 60_000);
    expect(screen).toContain('$ touch approved.txt');
    expect(screen).toContain('team.ask-touch');
    expect(existsSync(join(sb.repo, 'approved.txt'))).toBe(false);
    tmux.keys(['y']);

    screen = await tmux.waitFor('$ touch refused.txt', 60_000);
    tmux.keys(['n']);

    await tmux.waitFor('all steps finished', 60_000);
    expect(existsSync(join(sb.repo, 'approved.txt'))).toBe(true);
    expect(existsSync(join(sb.repo, 'refused.txt'))).toBe(false);
    expect(agent.outputs(model)).toMatch(/the user declined/);

    const { rows } = latestSession(sb);
    expect(rows.map((r) => [r.verdict, r.decidedBy, r.ruleId])).toEqual([
      ['allow', 'human', 'team.ask-touch'],
      ['deny', 'human', 'team.ask-touch'],
    ]);
  }, 180_000);
});
