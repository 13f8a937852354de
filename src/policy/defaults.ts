import type { FileOp, Verdict } from './types.js';

// Apart from the engine: loading the config needs these, and harness's start loads the config
// before the agent runs and the engine (with the shell analyzer) only while it starts.

export interface PolicyDefaults {
  /** A shell command no rule speaks about. */
  shell: Verdict;
  /** File operations inside the workspace that no rule speaks about. */
  read: Verdict;
  write: Verdict;
  delete: Verdict;
  /** File operations outside the workspace that no rule speaks about. */
  outsideWorkspace: Record<FileOp, Verdict>;
  fetch: Verdict;
  mcp: Verdict;
  other: Verdict;
  /** A command that does not parse cleanly. Never `allow`. */
  onParseError: 'ask' | 'deny';
  /** A command too large or too nested to analyze completely. Never `allow`. */
  onLimit: 'ask' | 'deny';
}

export const DEFAULT_DEFAULTS: PolicyDefaults = {
  shell: 'allow',
  read: 'allow',
  write: 'allow',
  delete: 'allow',
  outsideWorkspace: { read: 'allow', write: 'ask', delete: 'ask' },
  fetch: 'allow',
  mcp: 'ask',
  other: 'allow',
  onParseError: 'ask',
  onLimit: 'ask',
};
