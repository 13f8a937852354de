import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { z } from 'zod';
import { ConfigError } from '../errors.js';
import { configSchema, packSchema, type PackFile } from './schema.js';
import { prevalidatedPack } from './pack-cache.js';
import { findConfig, PACKS_DIR, readJson, settleConfig, type LoadedConfig } from './resolved.js';
import { keysAt, nearest, unknownKeyProblem } from './suggest.js';

// Loading a config with its schema. What needs no schema (finding and reading the file, the
// settings and rule sources of a validated config) is in resolved.ts, which a session's start uses
// with a config validated before (cache.ts) so that it need not load zod.
export {
  CONFIG_FILE,
  PACKS_DIR,
  findConfig,
  type ApprovalSettings,
  type CheckpointSettings,
  type LoadedConfig,
  type SandboxSettings,
  type TuiSettings,
  type WatcherSettings,
} from './resolved.js';

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
    if (issue.code === 'unrecognized_keys')
      return issue.keys.map((key) => `${formatPath([...issue.path, key])}: ${unknownKeyProblem(schema, issue.path, key)}`);
    // one of several forms, and the value is one of them but for a misspelt key: that form's problems
    const misspelt =
      issue.code === 'invalid_union'
        ? issue.errors.find((branch) =>
            branch.some((i) => i.code === 'unrecognized_keys' && i.keys.some((k) => nearest(k, keysAt(schema, [...issue.path, ...i.path])).length > 0)),
          )
        : undefined;
    if (misspelt) return describeIssues({ issues: misspelt.map((i) => ({ ...i, path: [...issue.path, ...i.path] })) } as z.ZodError, raw, schema);
    return [`${formatPath(issue.path)}: ${issue.message} (found ${describeValue(valueAt(raw, issue.path))})`];
  });
}

let packCache: Map<string, PackFile> | null = null;

/** Built-in rule packs, by name. */
export function builtinPacks(): Map<string, PackFile> {
  if (packCache) return packCache;
  const packs = new Map<string, PackFile>();
  for (const file of readdirSync(PACKS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
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

/** Validates a config object (already parsed) and turns it into rule sources and defaults. */
export function resolveConfig(raw: unknown, file: string): LoadedConfig {
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) throw new ConfigError(file, describeIssues(parsed.error, raw));
  return settleConfig(parsed.data, file, builtinPacks());
}

/** Loads the config in force for a workspace: the file if there is one, else the recommended pack. */
export function loadConfig(workspace: string, explicit?: string): LoadedConfig {
  const path = findConfig(workspace, explicit);
  if (path === null) return { ...resolveConfig({}, '(built-in defaults)'), path: null };
  if (!existsSync(path)) throw new ConfigError(path, ['the file does not exist; create it (see harness.config.example.json) or drop --config']);
  return resolveConfig(readJson(path), path);
}
