import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../errors.js';
import type { PolicyDefaults, RuleSource } from '../policy/index.js';
import { DEFAULT_DEFAULTS } from '../policy/defaults.js';
import { DEFAULT_PANEL_KEY } from '../keys.js';
import type { ConfigFile, HostRuleFile, PackFile } from './schema.js';
import { BUILTIN_NETWORK_RULES, type HostRule } from '../policy/network.js';
import { jsonErrorOffset, lineAndColumn } from './json-error.js';
import { stripJsonComments } from './jsonc.js';
import { didYouMean } from './suggest.js';

// The half of loading a config that needs no schema (load.ts has the other): finding and reading
// the file, and turning a config already validated into rule sources and settings. It loads
// neither zod nor the schema, so that a session's start can use a config validated before
// (cache.ts) without paying for them.

export const CONFIG_FILE = 'harness.config.json';
export const PACKS_DIR = fileURLToPath(new URL('../../rules/', import.meta.url));

export interface ApprovalSettings {
  timeoutSeconds: number;
  whenNoTty: 'allow' | 'deny';
}

export interface CheckpointSettings {
  enabled: boolean;
  maxFileBytes: number;
}

export interface TuiSettings {
  panelKey: string;
}

export interface WatcherSettings {
  restore: 'harness' | 'all' | 'none';
}

export type SandboxSettings = {
  mode: 'auto' | 'required' | 'off';
  allowWrite: string[];
  denyRead: string[];
  allowRead: string[];
  allowHosts: string[];
  allowLocalPorts: number[];
  /** The person's network rules (`allowHosts` is one more of them, `config.allow-hosts`). */
  hostRules: HostRule[];
  unknownHosts: 'ask' | 'deny';
  /** harness's own network rules switched off with `disable`. */
  disabledNetwork: ReadonlySet<string>;
};

export interface LoadedConfig {
  /** The file the config came from; null when none exists and the defaults apply. */
  path: string | null;
  config: ConfigFile;
  sources: RuleSource[];
  defaults: PolicyDefaults;
  approvals: ApprovalSettings;
  checkpoints: CheckpointSettings;
  tui: TuiSettings;
  watcher: WatcherSettings;
  sandbox: SandboxSettings;
  packs: string[];
}

/** `harness.config.json` in the workspace root, unless a path was given. */
export function findConfig(workspace: string, explicit?: string): string | null {
  if (explicit) return resolve(explicit);
  const candidate = join(workspace, CONFIG_FILE);
  return existsSync(candidate) ? candidate : null;
}

function syntaxError(text: string, message: string): string {
  const offset = jsonErrorOffset(text);
  if (offset < 0) return message;
  const { line, column } = lineAndColumn(text, offset);
  const near = text.slice(offset, offset + 20).split('\n')[0];
  return `unexpected ${offset >= text.length ? 'end of file' : `"${near}"`} at line ${line}, column ${column}`;
}

/** The file's JSON (comments allowed); a ConfigError says where it is not readable or not JSON. */
export function readJson(file: string): unknown {
  let text: string;
  try {
    text = stripJsonComments(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new ConfigError(file, [`cannot read the file: ${(e as Error).message}`]);
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new ConfigError(file, [`not valid JSON: ${syntaxError(text, (e as Error).message)}`]);
  }
}

/** Expands pack inheritance depth-first; each pack's rules appear once. */
function collectPacks(names: string[], packs: Map<string, PackFile>, file: string, field: string): { name: string; pack: PackFile }[] {
  const seen = new Set<string>();
  const out: { name: string; pack: PackFile }[] = [];
  const visit = (name: string, where: string, trail: string[]): void => {
    if (seen.has(name)) return;
    const pack = packs.get(name);
    if (!pack) {
      const hint = didYouMean(name, [...packs.keys()]);
      throw new ConfigError(file, [
        `${where}: unknown rule pack "${name}" (found ${JSON.stringify(name)}; ${hint ? `${hint} ` : ''}expected one of ${[...packs.keys()].map((n) => `"${n}"`).join(', ')})`,
      ]);
    }
    if (trail.includes(name)) return;
    seen.add(name);
    (pack.extends ?? []).forEach((parent) => visit(parent, `pack "${name}" extends`, [...trail, name]));
    out.push({ name, pack });
  };
  names.forEach((name, i) => visit(name, `${field}[${i}]`, []));
  return out;
}

/** The fields of `o` that are set: a field the config leaves out keeps the default. */
function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as { [K in keyof T]?: Exclude<T[K], undefined> };
}

function mergeDefaults(config: ConfigFile): PolicyDefaults {
  const { outsideWorkspace, ...rest } = config.defaults ?? {};
  return {
    ...DEFAULT_DEFAULTS,
    ...defined(rest),
    outsideWorkspace: { ...DEFAULT_DEFAULTS.outsideWorkspace, ...defined(outsideWorkspace ?? {}) },
  };
}

/**
 * A config the schema has accepted (`config`, the schema's output) turned into rule sources and
 * settings, with the built-in packs it extends; what the schema cannot check (unknown pack names,
 * disabled rules that do not exist, clashing ids) is checked here.
 */
export function settleConfig(config: ConfigFile, file: string, packs: Map<string, PackFile>): LoadedConfig {
  const used = collectPacks(config.extends ?? ['recommended'], packs, file, 'extends');
  const disabled = new Set(config.disable ?? []);
  const sources: RuleSource[] = [];
  const ids = new Map<string, string>();
  const problems: string[] = [];
  for (const { name, pack } of used) {
    for (const spec of pack.rules) {
      ids.set(spec.id, `pack "${name}"`);
      if (!disabled.has(spec.id)) sources.push({ spec, origin: name });
    }
  }
  const network = new Set<string>(BUILTIN_NETWORK_RULES);
  (config.disable ?? []).forEach((id, i) => {
    if (!ids.has(id) && !network.has(id))
      problems.push(
        `disable[${i}]: no rule "${id}" in the packs in use (found ${JSON.stringify(id)}; ${didYouMean(id, [...ids.keys(), ...network]) || 'run `harness rules list` for the ids'})`,
      );
  });
  (config.rules ?? []).forEach((spec, i) => {
    const clash = ids.get(spec.id);
    if (clash) problems.push(`rules[${i}].id: "${spec.id}" is already used by ${clash}; pick another id (found ${JSON.stringify(spec.id)})`);
    ids.set(spec.id, `rules[${i}]`);
    sources.push({ spec, origin: 'config' });
  });
  (config.sandbox?.network?.rules ?? []).forEach((rule, i) => {
    const clash = ids.get(rule.id) ?? (network.has(rule.id) || rule.id === ALLOW_HOSTS_RULE ? "harness's network rules" : undefined);
    if (clash) problems.push(`sandbox.network.rules[${i}].id: "${rule.id}" is already used by ${clash}; pick another id`);
    ids.set(rule.id, `sandbox.network.rules[${i}]`);
  });
  if (problems.length > 0) throw new ConfigError(file, problems);
  const approvals: ApprovalSettings = { timeoutSeconds: config.approvals?.timeoutSeconds ?? 300, whenNoTty: config.approvals?.whenNoTty ?? 'deny' };
  const checkpoints: CheckpointSettings = {
    enabled: config.checkpoints?.enabled ?? true,
    maxFileBytes: Math.round((config.checkpoints?.maxFileMB ?? 50) * 1024 * 1024),
  };
  const tui: TuiSettings = { panelKey: config.tui?.panelKey ?? DEFAULT_PANEL_KEY };
  const watcher: WatcherSettings = { restore: config.watcher?.restore ?? 'harness' };
  const sb = config.sandbox;
  const sandbox: SandboxSettings = {
    mode: sb?.mode ?? 'auto',
    allowWrite: sb?.filesystem?.allowWrite ?? [],
    denyRead: sb?.filesystem?.denyRead ?? [],
    allowRead: sb?.filesystem?.allowRead ?? [],
    allowHosts: sb?.network?.allowHosts ?? [],
    allowLocalPorts: sb?.network?.allowLocalPorts ?? [],
    hostRules: hostRules(sb?.network?.allowHosts ?? [], sb?.network?.rules ?? []),
    unknownHosts: sb?.network?.unknownHosts ?? 'ask',
    disabledNetwork: new Set((config.disable ?? []).filter((id) => network.has(id))),
  };
  return { path: file, config, sources, defaults: mergeDefaults(config), approvals, checkpoints, tui, watcher, sandbox, packs: used.map((u) => u.name) };
}

/** The id network decisions made by `sandbox.network.allowHosts` carry. */
const ALLOW_HOSTS_RULE = 'config.allow-hosts';

function hostRules(allowHosts: string[], rules: HostRuleFile[]): HostRule[] {
  return [
    ...(allowHosts.length > 0 ? [{ id: ALLOW_HOSTS_RULE, decision: 'allow' as const, reason: 'listed in sandbox.network.allowHosts', hosts: allowHosts }] : []),
    ...rules.map((r) => ({
      id: r.id,
      decision: r.decision,
      reason: r.reason ?? `sandbox.network.rules "${r.id}"`,
      hosts: typeof r.host === 'string' ? [r.host] : r.host,
    })),
  ];
}
