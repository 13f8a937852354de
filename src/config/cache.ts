import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { buildValidators, prevalidatedPacks } from './pack-cache.js';
import { findConfig, PACKS_DIR, settleConfig, type LoadedConfig } from './resolved.js';
import type { ConfigFile, PackFile } from './schema.js';

/**
 * The config of a session's start without loading zod and the schema when the file has not changed:
 * loading and running them costs tens of milliseconds, and the agent waits for the config. The
 * schema's output for the file's bytes is kept in harness's state directory (which the agent can
 * neither read nor write: hidden by the sandbox, denied by the tamper rules), keyed by the bytes,
 * the file's path, harness's version and the modules that validate. It is written only after a
 * validation that succeeded; anything else (no entry, another key, an entry that cannot be read or
 * parsed) means the normal validation, so a cache can make a start faster but never let a config
 * through that the schema would refuse. What the schema cannot check (the packs named, the rule ids)
 * is checked at every start (settleConfig).
 */
export const CONFIG_CACHE_FILE = 'config-cache.json';

interface Entry {
  format: 1;
  key: string;
  config: ConfigFile;
}

/** What validated an entry: the validating code's identity, and the built-in packs it was checked against. */
export type Validators = { id: string; packs: Map<string, PackFile> };

export type StartConfig = { loaded: LoadedConfig; from: 'cache' | 'validated' };

const sha256 = (bytes: Buffer | string): string => createHash('sha256').update(bytes).digest('hex');

/** The built validators (dist/): null when running from the sources, or when a pack changed since the build. */
export function builtValidators(version: string): Validators | null {
  const code = buildValidators();
  const packs = code ? prevalidatedPacks(PACKS_DIR) : null;
  return code && packs ? { id: sha256(JSON.stringify([version, code])), packs } : null;
}

/**
 * The config in force for a session's start (what load.ts loadConfig gives, errors included): from
 * the cache when its entry is for these bytes, else validated (and then recorded).
 */
export async function loadStartConfig(workspace: string, explicit: string | undefined, stateDir: string, validators: Validators | null): Promise<StartConfig> {
  const path = findConfig(workspace, explicit);
  const bytes = path === null ? Buffer.alloc(0) : readBytes(path);
  const key = validators && bytes ? sha256(JSON.stringify([validators.id, path, sha256(bytes)])) : null;
  const file = join(stateDir, CONFIG_CACHE_FILE);
  const hit = key && validators ? cachedConfig(file, key) : null;
  if (hit && validators) {
    const loaded = settleConfig(hit, path ?? '(built-in defaults)', validators.packs);
    return { loaded: path === null ? { ...loaded, path: null } : loaded, from: 'cache' };
  }
  // the schema's way, which says what is wrong with a file that is not right
  const { loadConfig } = await import('./load.js');
  const loaded = loadConfig(workspace, explicit);
  if (key) record(stateDir, file, { format: 1, key, config: loaded.config });
  return { loaded, from: 'validated' };
}

function readBytes(path: string): Buffer | null {
  try {
    return readFileSync(path);
  } catch {
    return null;
  }
}

function cachedConfig(file: string, key: string): ConfigFile | null {
  try {
    // whatever the file holds: it is checked here before it is taken as an entry
    const entry = JSON.parse(readFileSync(file, 'utf8')) as { [K in keyof Entry]?: unknown } | null;
    if (!entry || entry.format !== 1 || entry.key !== key) return null;
    const config = entry.config;
    return config !== null && typeof config === 'object' && !Array.isArray(config) ? config : null;
  } catch {
    return null;
  }
}

/** Written whole or not at all (a temporary file renamed over the old one); a state that cannot be written only costs the next start its speed. */
function record(stateDir: string, file: string, entry: Entry): void {
  // only what comes back from JSON exactly as the schema gave it
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(entry.config)), entry.config)) return;
  const temp = `${file}.${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    writeFileSync(temp, JSON.stringify(entry), { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true });
  }
}
