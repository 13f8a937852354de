import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { networkInterfaces } from 'node:os';
import { builtinHostRules, HostPolicy, isLocalAddress, normalizeHost, urlHost } from '../policy/network.js';
import type { SandboxSettings } from './load.js';

/** The network rules in force for a run: the person's, then harness's defaults for this agent and repository. */
export function hostPolicyFor(settings: SandboxSettings, agents: { agent: string; endpoints: string[] }[], gitHosts: string[]): HostPolicy {
  const agentHosts = agents.map((a) => ({
    agent: a.agent,
    hosts: a.endpoints.map(urlHost).filter((h): h is string => h !== null && !isLocalAddress(h.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1'))),
  }));
  return new HostPolicy({
    rules: settings.hostRules,
    builtin: builtinHostRules({ agentHosts, gitHosts, disabled: settings.disabledNetwork }),
    unknown: settings.unknownHosts,
    ownAddresses: ownAddresses(),
  });
}

/** The addresses of this machine's network interfaces: a service bound to 0.0.0.0 answers on each. */
export function ownAddresses(): Set<string> {
  try {
    return new Set(Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => normalizeHost(i.address))));
  } catch {
    return new Set();
  }
}

/**
 * The hosts of the repository's git remotes (`remote.*.url`, `remote.*.pushurl`) as `host:port`.
 * Read with `git config`, which runs nothing from the repository; none when it is not a repository.
 * From `.git/config` itself when `.git` is a directory: a `commondir`, worktree config or include
 * planted in the repository cannot add a host. Read once, before the agent starts.
 */
export function gitRemoteHosts(workspace: string): string[] {
  const own = join(workspace, '.git', 'config');
  const where = existsSync(own) && statSync(join(workspace, '.git')).isDirectory() ? ['config', '--file', own] : ['-C', workspace, 'config'];
  let out: string;
  try {
    out = execFileSync('git', [...where, '--get-regexp', '^remote\\..*\\.(push)?url$'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
    });
  } catch {
    return [];
  }
  const hosts = out
    .split('\n')
    .map((line) => line.slice(line.indexOf(' ') + 1).trim())
    .map(urlHost)
    .filter((h): h is string => h !== null);
  return [...new Set(hosts)];
}
