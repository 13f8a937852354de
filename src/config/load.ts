import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import type { PolicyDefaults, RuleSource } from '../policy/index.js';
import { DEFAULT_DEFAULTS } from '../policy/defaults.js';
import type { RuleSpec } from '../policy/index.js';
import { DEFAULT_PANEL_KEY } from '../keys.js';
import { configSchema, packSchema, type ConfigFile, type HostRuleFile, type PackFile } from './schema.js';
import { BUILTIN_NETWORK_RULES, type HostRule } from '../policy/network.js';
import { jsonErrorOffset, lineAndColumn } from './json-error.js';
import { prevalidatedPack } from './pack-cache.js';
import { stripJsonComments } from './jsonc.js';
import { didYouMean, keysAt, nearest, unknownKeyProblem } from './suggest.js';

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

function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

export function formatPath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(top level)';
  return path.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? String(k) : `.${String(k)}`)).join('');
}

/** One line per problem: where, what was expected, what was found; an unknown key, with the nearest valid one (`schema`: what was checked). */
export function describeIssues(error: z.ZodError, raw: unknown, schema: z.ZodType = configSchema): string[] {
  return error.issues.flatMap((issue) => {
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${unknownKeyProblem(schema, issue.path, key)}`);
    // one of several forms, and the value is one of them but for a misspelt key: that form's problems
    const misspelt = issue.code === 'invalid_union' ? issue.errors.find((branch) => branch.some((i) => i.code === 'unrecognized_keys' && i.keys.some((k) => nearest(k, keysAt(schema, [...issue.path, ...i.path])).length > 0))) : undefined;
    if (misspelt) return describeIssues({ issues: misspelt.map((i) => ({ ...i, path: [...issue.path, ...i.path] })) } as z.ZodError, raw, schema);
    return [`${formatPath(issue.path)}: ${issue.message} (found ${describeValue(valueAt(raw, issue.path))})`];
  });
}

function syntaxError(text: string, message: string): string {
  const offset = jsonErrorOffset(text);
  if (offset < 0) return message;
  const { line, column } = lineAndColumn(text, offset);
  const near = text.slice(offset, offset + 20).split('\n')[0];
  return `unexpected ${offset >= text.length ? 'end of file' : `"${near}"`} at line ${line}, column ${column}`;
}

function readJson(file: string): unknown {
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

let packCache: Map<string, PackFile> | null = null;

/** Built-in rule packs, by name. */
export function builtinPacks(): Map<string, PackFile> {
  if (packCache) return packCache;
  const packs = new Map<string, PackFile>();
  for (const file of readdirSync(PACKS_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const path = join(PACKS_DIR, file);
    // validated when harness was built, unless the file changed since (pack-cache.ts)
    const known = prevalidatedPack(path);
    if (known) {
      packs.set(known.name, known);
      continue;
    }
    const raw = readJson(path);
    const parsed = packSchema.safeParse(raw);
    if (!parsed.success) throw new ConfigError(path, describeIssues(parsed.error, raw, packSchema));
    packs.set(parsed.data.name, parsed.data);
  }
  packCache = packs;
  return packs;
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
      throw new ConfigError(file, [`${where}: unknown rule pack "${name}" (found ${JSON.stringify(name)}; ${hint ? `${hint} ` : ''}expected one of ${[...packs.keys()].map((n) => `"${n}"`).join(', ')})`]);
    }
    if (trail.includes(name)) return;
    seen.add(name);
    (pack.extends ?? []).forEach((parent) => visit(parent, `pack "${name}" extends`, [...trail, name]));
    out.push({ name, pack });
  };
  names.forEach((name, i) => visit(name, `${field}[${i}]`, []));
  return out;
}

function mergeDefaults(config: ConfigFile): PolicyDefaults {
  const d = config.defaults ?? {};
  return {
    ...DEFAULT_DEFAULTS,
    ...Object.fromEntries(Object.entries(d).filter(([k, v]) => v !== undefined && k !== 'outsideWorkspace')),
    outsideWorkspace: { ...DEFAULT_DEFAULTS.outsideWorkspace, ...(d.outsideWorkspace ?? {}) },
  } as PolicyDefaults;
}

/** Validates a config object (already parsed) and turns it into rule sources and defaults. */
export function resolveConfig(raw: unknown, file: string): LoadedConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, describeIssues(parsed.error, raw));
  const config = parsed.data;
  const packs = builtinPacks();
  const used = collectPacks(config.extends ?? ['recommended'], packs, file, 'extends');
  const disabled = new Set(config.disable ?? []);
  const sources: RuleSource[] = [];
  const ids = new Map<string, string>();
  const problems: string[] = [];
  for (const { name, pack } of used) {
    for (const spec of pack.rules) {
      ids.set(spec.id, `pack "${name}"`);
      if (!disabled.has(spec.id)) sources.push({ spec: spec as RuleSpec, origin: name });
    }
  }
  const network = new Set<string>(BUILTIN_NETWORK_RULES);
  (config.disable ?? []).forEach((id, i) => {
    if (!ids.has(id) && !network.has(id)) problems.push(`disable[${i}]: no rule "${id}" in the packs in use (found ${JSON.stringify(id)}; ${didYouMean(id, [...ids.keys(), ...network]) || 'run `harness rules list` for the ids'})`);
  });
  (config.rules ?? []).forEach((spec, i) => {
    const clash = ids.get(spec.id);
    if (clash) problems.push(`rules[${i}].id: "${spec.id}" is already used by ${clash}; pick another id (found ${JSON.stringify(spec.id)})`);
    ids.set(spec.id, `rules[${i}]`);
    sources.push({ spec: spec as RuleSpec, origin: 'config' });
  });
  (config.sandbox?.network?.rules ?? []).forEach((rule, i) => {
    const clash = ids.get(rule.id) ?? (network.has(rule.id) || rule.id === ALLOW_HOSTS_RULE ? "harness's network rules" : undefined);
    if (clash) problems.push(`sandbox.network.rules[${i}].id: "${rule.id}" is already used by ${clash}; pick another id`);
    ids.set(rule.id, `sandbox.network.rules[${i}]`);
  });
  if (problems.length > 0) throw new ConfigError(file, problems);
  const approvals: ApprovalSettings = { timeoutSeconds: config.approvals?.timeoutSeconds ?? 300, whenNoTty: config.approvals?.whenNoTty ?? 'deny' };
  const checkpoints: CheckpointSettings = { enabled: config.checkpoints?.enabled ?? true, maxFileBytes: Math.round((config.checkpoints?.maxFileMB ?? 50) * 1024 * 1024) };
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

/** Loads the config in force for a workspace: the file if there is one, else the recommended pack. */
export function loadConfig(workspace: string, explicit?: string): LoadedConfig {
  const path = findConfig(workspace, explicit);
  if (path === null) return { ...resolveConfig({}, '(built-in defaults)'), path: null };
  if (!existsSync(path)) throw new ConfigError(path, ['the file does not exist; create it (see harness.config.example.json) or drop --config']);
  return resolveConfig(readJson(path), path);
}

/** The id network decisions made by `sandbox.network.allowHosts` carry. */
const ALLOW_HOSTS_RULE = 'config.allow-hosts';

function hostRules(allowHosts: string[], rules: HostRuleFile[]): HostRule[] {
  return [
    ...(allowHosts.length > 0 ? [{ id: ALLOW_HOSTS_RULE, decision: 'allow' as const, reason: 'listed in sandbox.network.allowHosts', hosts: allowHosts }] : []),
    ...rules.map((r) => ({ id: r.id, decision: r.decision, reason: r.reason ?? `sandbox.network.rules "${r.id}"`, hosts: typeof r.host === 'string' ? [r.host] : r.host })),
  ];
}
