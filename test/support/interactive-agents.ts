import { claudeSandbox, HARNESS_BIN, type Sandbox } from './agent-env.js';
import { codex, gemini, type AgentCase } from './agent-cases.js';
import { ModelServer } from './model-server.js';
import type { ScriptedModel, Step } from './scripted-model.js';
import type { Tmux } from './tmux.js';

/**
 * One of the real agents' interactive clients under `harness run`, in tmux, working on a prompt
 * against a scripted model: the same test can then drive Claude Code, Codex CLI and Gemini CLI.
 */
export interface InteractiveAgent {
  name: 'claude' | 'codex' | 'gemini';
  model: () => ScriptedModel<unknown>;
  sandbox: (modelUrl: string, parent?: string) => Sandbox;
  /** A model step that runs `command` with the agent's shell tool. */
  shell: (command: string) => Step;
  /** What the agent sent back for each tool call, in call order (from the model's last request). */
  outputs: (model: ScriptedModel<unknown>) => string[];
  /** `harness run <agent>` in tmux, with the agent's own permission prompts off, working on `prompt`. */
  start: (t: Tmux, sb: Sandbox, prompt: string) => Promise<void>;
}

const launch = (t: Tmux, sb: Sandbox, name: string, args: string[]): void =>
  t.start([process.execPath, HARNESS_BIN, 'run', name, '--', ...args], { cwd: sb.repo, env: sb.env, cols: 120, rows: 40 });

export const claudeTui: InteractiveAgent = {
  name: 'claude',
  model: () => new ModelServer(),
  sandbox: claudeSandbox,
  shell: (command) => ({ tool: 'Bash', input: { command, description: 'run it' } }),
  outputs: (m) => {
    if (!(m instanceof ModelServer)) throw new Error('claude reads its outputs from the ModelServer its model() made');
    return m.toolResults().map((r) => (typeof r.content === 'string' ? r.content : JSON.stringify(r.content)));
  },
  // Claude Code takes its first prompt typed into its input box, once it is ready
  start: async (t, sb, prompt) => {
    launch(t, sb, 'claude', ['--dangerously-skip-permissions']);
    await t.waitFor('bypass permissions', 60_000);
    t.type(prompt);
    await t.waitFor(prompt);
    t.keys(['Enter']);
  },
};

/** Codex CLI and Gemini CLI come from their agent cases, which say how to start them interactively. */
function fromCase(kase: AgentCase): InteractiveAgent {
  return {
    name: kase.name,
    model: kase.model,
    sandbox: kase.sandbox,
    shell: kase.shell,
    outputs: (m) => kase.outputs(m as ReturnType<AgentCase['model']>),
    start: async (t, sb, prompt) => launch(t, sb, kase.name, kase.interactiveArgs(prompt)),
  };
}

export const codexTui = fromCase(codex);
export const geminiTui = fromCase(gemini);
