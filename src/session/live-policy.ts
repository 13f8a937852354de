import { loadConfig, type LoadedConfig } from '../config/load.js';
import { join } from 'node:path';
import { compilePolicy, decide, type Policy, type RuleSource, type ToolCall } from '../policy/index.js';
import { policyContext } from '../workspace.js';

/**
 * The policy in force for a session, which can change while it runs: the person's edits to the
 * config (validated first; a bad file keeps the old rules), and rules harness adds for the
 * session itself (the supervisor's and the agent's process ids).
 */
export class LivePolicy {
  /** Compiled when first asked for (a session's start does not wait for it), again after a change. */
  private compiled: Policy | null = null;
  private config: LoadedConfig;
  private extra: RuleSource[] = [];

  /** `loaded`: the config as already read for this workspace (a session reads it before its agent starts). */
  constructor(
    private readonly workspace: string,
    private readonly configPath?: string,
    loaded?: LoadedConfig,
  ) {
    this.config = loaded ?? loadConfig(workspace, configPath);
  }

  get policy(): Policy {
    this.compiled ??= this.compile(this.config);
    return this.compiled;
  }

  /**
   * Decides a few common calls and drops the answers: the rules' matchers (each built when first
   * used) and the engine's first runs are paid now, while the agent waits for its model, instead of
   * by its first calls (20-40 ms each at first). One call per turn of the event loop, so that a hook
   * that comes meanwhile waits for one at most; none once `stop` says so (the agent's first call
   * came: it pays its own). Pure: nothing is read or written.
   */
  async warm(stop: () => boolean = () => false): Promise<void> {
    const cwd = this.workspace;
    const file = (op: 'write' | 'read' | 'delete', path: string): ToolCall => ({ kind: 'file', op, path: join(cwd, path), cwd });
    // the commands agents run most: reading, git, the project's tests and builds, file changes
    const shell = ['git status --short', 'ls -la src | head -20', 'grep -rn TODO src', 'npm test 2>&1 | tail -5', 'python3 -m pytest -q tests']
      .concat(['cargo build', 'go test ./...', 'make', 'mkdir -p build && cp a.txt build/', 'rm -rf build', 'git add -A && git commit -m wip'])
      .map((command): ToolCall => ({ kind: 'shell', command, cwd }));
    for (const call of [file('write', 'src/index.ts'), file('read', 'README.md'), file('delete', 'build/out.js'), ...shell]) {
      await new Promise((resolve) => setImmediate(resolve));
      if (stop()) return;
      try {
        decide(call, this.policy);
      } catch {
        // a policy that cannot decide fails the same way at the call, where it is a deny with the reason
        return;
      }
    }
  }

  get loaded(): LoadedConfig {
    return this.config;
  }

  private compile(loaded: LoadedConfig): Policy {
    return compilePolicy([...loaded.sources, ...this.extra], loaded.defaults, policyContext(this.workspace, loaded.path, loaded.config.audit?.path));
  }

  addRules(sources: RuleSource[]): void {
    this.extra = [...this.extra, ...sources];
    this.compiled = null;
  }

  /** Reads the config again; the new rules apply to the next tool call. Throws (old rules kept) when it is invalid. */
  reload(): { rules: number; before: number } {
    const next = loadConfig(this.workspace, this.configPath);
    const policy = this.compile(next);
    const before = this.config.sources.length;
    this.config = next;
    this.compiled = policy;
    return { rules: next.sources.length, before };
  }
}

/** Rules only this session has: its own processes may not be killed from inside it. */
export function sessionProcessRules(pids: number[]): RuleSource[] {
  const ids = pids.filter((p) => Number.isInteger(p) && p > 1).map(String);
  if (ids.length === 0) return [];
  return [
    {
      origin: 'session',
      spec: {
        id: 'tamper.kill-session-process',
        decision: 'deny',
        reason: 'This is the harness supervisor or the agent it supervises; it may not be stopped from inside the session. Stop only processes you started.',
        command: ['kill', 'skill', 'tkill'],
        args: ids.flatMap((id) => [id, `-${id}`]),
      },
    },
  ];
}
