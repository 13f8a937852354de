import { compilePolicy, type Policy } from '../policy/index.js';
import { policyContext } from '../workspace.js';
import { loadConfig, type LoadedConfig } from './load.js';

/** The policy in force for a workspace: its config (or the defaults) compiled against this machine. */
export function policyFor(workspace: string, configPath?: string): { policy: Policy; loaded: LoadedConfig } {
  const loaded = loadConfig(workspace, configPath);
  const policy = compilePolicy(loaded.sources, loaded.defaults, policyContext(workspace, loaded.path, loaded.config.audit?.path));
  return { policy, loaded };
}
