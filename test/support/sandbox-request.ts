import { loadConfig } from '../../src/config/load.js';
import type { SandboxRequest } from '../../src/sandbox/index.js';

/**
 * What a test asks the sandbox for: the workspace's default config, nothing of an agent's, no
 * doors, no network (every connection refused and listed in `egress` as `host from`); `more` adds
 * or overrides the rest.
 */
export function sandboxRequest(
  dirs: { workspace: string; home: string; stateDir: string },
  more: Partial<SandboxRequest> = {},
  egress: string[] = [],
): SandboxRequest {
  const loaded = loadConfig(dirs.workspace);
  return {
    settings: loaded.sandbox,
    ...dirs,
    configPath: loaded.path,
    rules: loaded.sources,
    env: process.env,
    agentState: [],
    endpoints: [],
    injected: [],
    protectedFiles: [],
    agentConfig: { files: [], dirs: [] },
    writableState: [],
    ports: [],
    interactive: false,
    decideEgress: async (host, _port, from) => {
      egress.push(`${host} ${from}`);
      return { allow: false, ruleId: 'test', reason: 'no network in this test', allowLocal: false };
    },
    ...more,
  };
}
