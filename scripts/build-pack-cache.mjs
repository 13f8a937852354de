// Validates the built-in rule packs (rules/*.json) with the built schema and records the result in
// dist/packs.json, so that `harness run` need not run zod over them at every start (see
// src/config/pack-cache.ts for when the record is used). Run by `npm run build` after tsc.
import { readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { PACK_CACHE_FILE, sha256, validatorsHash } from '../dist/config/pack-cache.js';

// what an earlier build recorded must not vouch for the packs this one validates
rmSync(PACK_CACHE_FILE, { force: true });
const { builtinPacks, PACKS_DIR } = await import('../dist/config/load.js');
const validators = validatorsHash();
const parsed = builtinPacks();
const packs = {};
for (const file of readdirSync(PACKS_DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const bytes = readFileSync(join(PACKS_DIR, file));
  // packs are keyed by the name inside them
  const data = parsed.get(JSON.parse(bytes.toString('utf8')).name);
  if (!data) throw new Error(`rules/${file}: validated, but not found among the packs`);
  // what is recorded is what the loader would have produced: plain JSON data, nothing lost on the way
  if (!isDeepStrictEqual(JSON.parse(JSON.stringify(data)), data)) {
    console.warn(`harness: rules/${file} does not survive JSON; no pack cache (packs are validated at every start)`);
    process.exit(0);
  }
  packs[file] = { sha256: sha256(bytes), data };
}
if (!validators) throw new Error('the validating modules are not in dist/');
// the zod the bundle is made with: a config validated by another one is validated again (src/config/cache.ts)
const zod = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('zod/package.json'), 'utf8')).version;
writeFileSync(PACK_CACHE_FILE, JSON.stringify({ version: 1, validators, zod, packs }));
