import type { AgentAdapter } from './adapter.js';
import { claudeAdapter } from './claude.js';

/** Every agent harness supervises through its hooks. */
export const AGENTS: readonly AgentAdapter[] = [claudeAdapter];

export function adapterFor(name: string): AgentAdapter | undefined {
  return AGENTS.find((a) => a.name === name);
}
