import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODEX_BIN, codexSandbox, GEMINI_BIN, geminiSandbox, type Sandbox } from './agent-env.js';
import { CodexModel } from './codex-model.js';
import { GeminiModel } from './gemini-model.js';
import type { Step } from './scripted-model.js';

/** How a scripted model asks each agent for the same actions, and how its answers are read back. */
export interface AgentCase {
  name: 'codex' | 'gemini';
  model: () => CodexModel | GeminiModel;
  sandbox: (url: string, parent?: string) => Sandbox;
  bin: string;
  /** A headless run with a prompt. */
  args: string[];
  /** The interactive client, working on `prompt` at once. */
  interactiveArgs: (prompt: string) => string[];
  shellTool: string;
  /** A file harness protects that the agent itself lets the model write, and the rule that refuses it. */
  protectedFile: { path: string; rule: string };
  fileTool: (op: 'write' | 'edit') => string;
  shell: (command: string) => Step;
  write: (path: string, content: string) => Step;
  edit: (path: string, oldText: string, newText: string) => Step;
  /** The person's config files unchanged by the run, and nothing of harness's left in them. */
  configUntouched: (sb: Sandbox) => boolean;
  /** What the agent sent back for each tool call, in call order. */
  outputs: (model: CodexModel | GeminiModel) => string[];
}

export const codex: AgentCase = {
  name: 'codex',
  model: () => new CodexModel(),
  sandbox: codexSandbox,
  bin: CODEX_BIN,
  args: ['exec', '--skip-git-repo-check', '--dangerously-bypass-approvals-and-sandbox', 'do the task'],
  interactiveArgs: (prompt) => ['--dangerously-bypass-approvals-and-sandbox', prompt],
  shellTool: 'Bash',
  protectedFile: { path: '.git/hooks/pre-commit', rule: 'tamper.git-internals' },
  fileTool: () => 'apply_patch',
  shell: (cmd) => ({ tool: 'exec_command', input: { cmd } }),
  write: (path, content) => ({
    tool: 'apply_patch',
    input: `*** Begin Patch\n*** Add File: ${path}\n${content
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => `+${l}`)
      .join('\n')}\n*** End Patch\n`,
  }),
  edit: (path, oldText, newText) => ({
    tool: 'apply_patch',
    input: `*** Begin Patch\n*** Update File: ${path}\n@@\n-${oldText}\n+${newText}\n*** End Patch\n`,
  }),
  outputs: (m) => [...(m as CodexModel).toolOutputs().values()],
  configUntouched: (sb) =>
    !existsSync(join(sb.home, '.codex', 'hooks.json')) && !readFileSync(join(sb.home, '.codex', 'config.toml'), 'utf8').includes('hooks'),
};

export const gemini: AgentCase = {
  name: 'gemini',
  model: () => new GeminiModel(),
  sandbox: geminiSandbox,
  bin: GEMINI_BIN,
  args: ['-m', 'gemini-2.5-flash', '--yolo', '-o', 'json', '-p', 'do the task'],
  interactiveArgs: (prompt) => ['-m', 'gemini-2.5-flash', '--yolo', '-i', prompt],
  shellTool: 'run_shell_command',
  // Gemini itself keeps the model out of .git
  protectedFile: { path: '.gemini/settings.json', rule: 'tamper.agent-settings' },
  fileTool: (op) => (op === 'write' ? 'write_file' : 'replace'),
  shell: (command) => ({ tool: 'run_shell_command', input: { command, description: 'x' } }),
  write: (file_path, content) => ({ tool: 'write_file', input: { file_path, content } }),
  edit: (file_path, old_string, new_string) => ({ tool: 'replace', input: { file_path, instruction: 'edit', old_string, new_string } }),
  outputs: (m) => (m as GeminiModel).toolOutputs(),
  configUntouched: (sb) => !readFileSync(join(sb.home, '.gemini', 'settings.json'), 'utf8').includes('hooks') && existsSync(join(sb.home, '.gemini', 'tmp')),
};
