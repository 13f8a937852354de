import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { type ConfigEntry, plainConfigEntries } from '../git-config.js';
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
  const ownFile = existsSync(own) && statSync(join(workspace, '.git')).isDirectory();
  // the plain file read here (git reads the same with --file: no includes), else git reads it
  const plain = ownFile ? plainRemoteUrls(own) : null;
  if (plain) return hostsOf(plain);
  const where = ownFile ? ['config', '--file', own] : ['-C', workspace, 'config'];
  let out: string;
  try {
    // -z: each entry is `key\nvalue\0`, whatever spaces a remote's name holds
    out = execFileSync('git', [...where, '-z', '--get-regexp', '^remote\\..*\\.(push)?url$'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 5_000,
      env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_TERMINAL_PROMPT: '0' },
    });
  } catch {
    return [];
  }
  return hostsOf(
    out
      .split('\0')
      .filter((entry) => entry.includes('\n'))
      .map((entry) => entry.slice(entry.indexOf('\n') + 1).trim()),
  );
}

function hostsOf(urls: string[]): string[] {
  return [...new Set(urls.map(urlHost).filter((h): h is string => h !== null))];
}

/** `remote.<name>.url` and `.pushurl` of a config file in git's plain syntax; null when git must read it. */
function plainRemoteUrls(path: string): string[] | null {
  let entries: ConfigEntry[] | null;
  try {
    entries = plainConfigEntries(readFileSync(path, 'utf8'));
  } catch {
    return null;
  }
  if (!entries) return null;
  const remotes = entries.filter((e) => e.section === 'remote' && e.subsection !== null && (e.key === 'url' || e.key === 'pushurl'));
  // a key with no value: git prints it in its own way
  if (remotes.some((e) => e.value === null)) return null;
  return remotes.map((e) => e.value!);
}
