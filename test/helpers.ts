import { compilePolicy, decide, type Decision, type PolicyDefaults, type RuleSource } from '../src/policy/index.js';
import { loadConfig, resolveConfig } from '../src/config/load.js';
import { EXAMPLE_CONTEXT } from '../src/config/examples.js';

export const WS = EXAMPLE_CONTEXT.workspace;
export const HOME = EXAMPLE_CONTEXT.home;

/** The recommended policy on the imaginary machine the corpus and examples are written for. */
export function recommended(overrides: Partial<PolicyDefaults> = {}, extra: RuleSource[] = []) {
  const loaded = loadConfig('/nonexistent-workspace-for-tests');
  return compilePolicy([...loaded.sources, ...extra], { ...loaded.defaults, ...overrides }, EXAMPLE_CONTEXT);
}

export function policyFromConfig(raw: unknown) {
  const loaded = resolveConfig(raw, 'test.json');
  return compilePolicy(loaded.sources, loaded.defaults, EXAMPLE_CONTEXT);
}

const shared = recommended();

export function check(command: string, cwd = WS, policy = shared): Decision {
  return decide({ kind: 'shell', command, cwd }, policy);
}
