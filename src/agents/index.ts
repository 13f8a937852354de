import type { AgentAdapter } from './adapter.js';
import { claudeAdapter } from './claude.js';
import { codexAdapter } from './codex.js';
import { createGeminiAdapter } from './gemini.js';

/** Every agent harness supervises through its hooks (an adapter may keep state for one session). */
const AGENTS: Record<string, () => AgentAdapter> = {
  claude: () => claudeAdapter,
  codex: () => codexAdapter,
  gemini: createGeminiAdapter,
};

export const AGENT_NAMES = Object.keys(AGENTS);

export function adapterFor(name: string): AgentAdapter | undefined {
  return Object.hasOwn(AGENTS, name) ? AGENTS[name]!() : undefined;
}
