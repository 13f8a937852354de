import { compilePolicy, decide, type PolicyContext, type PolicyDefaults, type RuleSource, type ToolCall } from '../policy/index.js';
import type { Example } from '../policy/index.js';

/** Examples are written against this imaginary machine, so they mean the same everywhere. */
export const EXAMPLE_CONTEXT: PolicyContext = {
  workspace: '/home/dev/project',
  home: '/home/dev',
  stateDir: '/home/dev/.local/state/harness/project-000000000000',
  configPath: '/home/dev/project/harness.config.json',
  // the system temp dirs and the agent's $TMPDIR
  scratch: ['/tmp', '/var/tmp', '/tmp/agent-tmp'],
  vars: { TMPDIR: '/tmp/agent-tmp' },
};

export interface ExampleResult {
  ruleId: string;
  origin: string;
  expect: 'match' | 'notMatch';
  example: Example;
  ok: boolean;
  /** The rules that did match, for the failure message. */
  matched: string[];
}

function toCall(example: Example, ctx: PolicyContext): ToolCall {
  if (typeof example === 'string') return { kind: 'shell', command: example, cwd: ctx.workspace };
  if ('command' in example) return { kind: 'shell', command: example.command, cwd: example.cwd ?? ctx.workspace };
  return { kind: 'file', op: example.op, path: example.path, cwd: ctx.workspace };
}

/** Runs every inline example: `match` examples must trigger their rule, `notMatch` ones must not. */
export function runExamples(sources: RuleSource[], defaults: PolicyDefaults, ctx: PolicyContext = EXAMPLE_CONTEXT): ExampleResult[] {
  const policy = compilePolicy(sources, defaults, ctx);
  const results: ExampleResult[] = [];
  for (const { spec, origin } of sources) {
    for (const expect of ['match', 'notMatch'] as const) {
      for (const example of spec.examples?.[expect] ?? []) {
        const decision = decide(toCall(example, ctx), policy);
        const matched = [...new Set(decision.hits.map((h) => h.ruleId))];
        const hit = matched.includes(spec.id);
        results.push({ ruleId: spec.id, origin, expect, example, ok: expect === 'match' ? hit : !hit, matched });
      }
    }
  }
  return results;
}

export function describeExample(example: Example): string {
  if (typeof example === 'string') return example;
  if ('command' in example) return `${example.command}${example.cwd ? ` (cwd ${example.cwd})` : ''}`;
  return `${example.op} ${example.path}`;
}
