import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { PackFile } from './schema.js';

/**
 * The built-in rule packs as validated when harness was built (dist/packs.json, written by
 * scripts/build-pack-cache.mjs): checking them with zod at every start costs tens of milliseconds
 * before the agent can start. A pack is taken from the cache only when its bytes hash to what was
 * validated and the validating modules are the ones that validated it; anything else (a pack
 * edited since, a stale or missing cache, tests running the sources) is validated as before.
 */
export interface PackCache {
  version: 1;
  /** sha256 of the modules that validate a pack, in VALIDATORS order. */
  validators: string;
  /** The version of zod that validated (and that the build bundled). */
  zod: string;
  packs: Record<string, { sha256: string; data: PackFile }>;
}

/** harness's built output (dist/), from dist/config/ or from a bundle's directory beside it. */
const DIST = new URL('../', import.meta.url);
export const PACK_CACHE_FILE = new URL('packs.json', DIST);
/** What decides whether a pack is valid and what its parsed form is. */
const VALIDATORS = ['config/schema.js', 'policy/rule-schema.js', 'policy/regex.js', 'policy/globs.js', 'policy/types.js'];

export const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** The hash of the validating modules as they are now; null when one cannot be read (e.g. running from src/). */
export function validatorsHash(): string | null {
  try {
    return sha256(VALIDATORS.map((m) => sha256(readFileSync(new URL(m, DIST)))).join('\n'));
  } catch {
    return null;
  }
}

let cache: PackCache | null | undefined;

function loadCache(): PackCache | null {
  if (cache !== undefined) return cache;
  cache = null;
  try {
    // a file from another build may have another shape: it is checked here before it is taken
    const read = JSON.parse(readFileSync(PACK_CACHE_FILE, 'utf8')) as { [K in keyof PackCache]?: unknown };
    if (read.version === 1 && typeof read.zod === 'string' && read.validators === validatorsHash()) cache = read as PackCache;
  } catch {
    // no cache: every pack is validated
  }
  return cache;
}

/** What validated at build time (the validating modules, zod's version); null without a pack cache that holds. */
export function buildValidators(): string | null {
  const read = loadCache();
  return read ? `${read.validators} zod ${read.zod}` : null;
}

/** The pack at `path` as validated at build time, if its bytes are still the ones validated. */
export function prevalidatedPack(path: string): PackFile | null {
  const entry = loadCache()?.packs[basename(path)];
  if (!entry) return null;
  try {
    return sha256(readFileSync(path)) === entry.sha256 ? entry.data : null;
  } catch {
    return null;
  }
}

/**
 * Every built-in pack in `dir` as validated at build time, by name; null when one of them is not
 * (changed since, or no cache): then they are validated with the schema (load.ts builtinPacks).
 */
export function prevalidatedPacks(dir: string): Map<string, PackFile> | null {
  try {
    const packs = new Map<string, PackFile>();
    for (const file of readdirSync(dir)
      .filter((f) => f.endsWith('.json'))
      .sort()) {
      const known = prevalidatedPack(join(dir, file));
      if (!known) return null;
      packs.set(known.name, known);
    }
    return packs;
  } catch {
    return null;
  }
}
