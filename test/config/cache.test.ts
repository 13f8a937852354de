import { chmodSync, existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CONFIG_CACHE_FILE, loadStartConfig, type Validators } from '../../src/config/cache.js';
import { builtinPacks, loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

// The start's config from the state directory: the same result as a validation, taken only for the
// bytes that were validated, never for a file the schema refuses, and validated again whenever the
// record is missing, for other bytes or other validators, or unreadable.

const validators = (id = 'validators-1'): Validators => ({ id, packs: builtinPacks() });

/** A workspace with `config` as its config file (a string as it is, anything else as JSON); null: no file. */
function workspace(config: unknown): { ws: string; state: string; file: string } {
  const ws = mkdtempSync(join(tmpdir(), 'harness-config-cache-'));
  const state = join(ws, '..', `${ws.split('/').pop()}-state`);
  const file = join(ws, 'harness.config.json');
  if (config !== null) writeFileSync(file, typeof config === 'string' ? config : JSON.stringify(config));
  return { ws, state, file };
}

const CONFIG = {
  extends: ['recommended'],
  disable: ['net.pipe-to-shell'],
  approvals: { timeoutSeconds: 42 },
  rules: [{ id: 'my.no-make', decision: 'deny', reason: 'no make here', command: 'make' }],
  sandbox: { network: { allowHosts: ['example.com'] } },
};

describe('the config of a session start, from the state directory when the file is unchanged', () => {
  it('validates the first time and records it (0600); the next start takes the record and gets the same config', async () => {
    const { ws, state } = workspace(CONFIG);
    const first = await loadStartConfig(ws, undefined, state, validators());
    expect(first.from).toBe('validated');
    const record = join(state, CONFIG_CACHE_FILE);
    expect(statSync(record).mode & 0o777).toBe(0o600);
    const second = await loadStartConfig(ws, undefined, state, validators());
    expect(second.from).toBe('cache');
    // what the schema's loader gives, to the last field (the Set of disabled network rules included)
    expect(second.loaded).toEqual(loadConfig(ws));
    expect(second.loaded).toEqual(first.loaded);
    expect(second.loaded.approvals.timeoutSeconds).toBe(42);
  });

  it('a changed file is validated again: a config the schema refuses is refused, and the record stays the last good one', async () => {
    const { ws, state, file } = workspace(CONFIG);
    await loadStartConfig(ws, undefined, state, validators());
    const before = readFileSync(join(state, CONFIG_CACHE_FILE), 'utf8');
    writeFileSync(file, JSON.stringify({ ...CONFIG, approvals: { timeoutSeconds: 'soon' } }));
    await expect(loadStartConfig(ws, undefined, state, validators())).rejects.toThrow(ConfigError);
    await expect(loadStartConfig(ws, undefined, state, validators())).rejects.toThrow(/approvals\.timeoutSeconds/);
    expect(readFileSync(join(state, CONFIG_CACHE_FILE), 'utf8')).toBe(before);
    // the same bytes as the record's again: taken from it
    writeFileSync(file, JSON.stringify(CONFIG));
    expect((await loadStartConfig(ws, undefined, state, validators())).from).toBe('cache');
  });

  it('a record for other validators, or one that is not a record, means a validation (and a new record)', async () => {
    const { ws, state } = workspace(CONFIG);
    await loadStartConfig(ws, undefined, state, validators('old-build'));
    expect((await loadStartConfig(ws, undefined, state, validators('new-build'))).from).toBe('validated');
    expect((await loadStartConfig(ws, undefined, state, validators('new-build'))).from).toBe('cache');
    const record = join(state, CONFIG_CACHE_FILE);
    const good = JSON.parse(readFileSync(record, 'utf8')) as { key: string };
    for (const junk of [
      '',
      'not json',
      '[]',
      'null',
      JSON.stringify({ format: 2, key: good.key, config: {} }),
      JSON.stringify({ format: 1, key: good.key, config: [] }),
      JSON.stringify({ format: 1, key: good.key, config: null }),
    ]) {
      writeFileSync(record, junk);
      const got = await loadStartConfig(ws, undefined, state, validators('new-build'));
      expect(got.from, junk).toBe('validated');
      expect(got.loaded, junk).toEqual(loadConfig(ws));
    }
  });

  it('without validators of a build (running from the sources) nothing is recorded; an unreadable record is only slower', async () => {
    const { ws, state } = workspace(CONFIG);
    expect((await loadStartConfig(ws, undefined, state, null)).from).toBe('validated');
    expect(existsSync(join(state, CONFIG_CACHE_FILE))).toBe(false);
    await loadStartConfig(ws, undefined, state, validators());
    chmodSync(join(state, CONFIG_CACHE_FILE), 0o000);
    // root reads it anyway; anyone else validates
    const got = await loadStartConfig(ws, undefined, state, validators());
    expect(got.loaded).toEqual(loadConfig(ws));
  });

  it("no config file: the built-in defaults, from the record too; a missing --config file is the loader's error", async () => {
    const { ws, state } = workspace(null);
    expect((await loadStartConfig(ws, undefined, state, validators())).from).toBe('validated');
    const cached = await loadStartConfig(ws, undefined, state, validators());
    expect(cached.from).toBe('cache');
    expect(cached.loaded).toEqual(loadConfig(ws));
    expect(cached.loaded.path).toBeNull();
    await expect(loadStartConfig(ws, join(ws, 'missing.json'), state, validators())).rejects.toThrow(/does not exist/);
  });

  it('what the schema cannot check is checked at every start: a pack that is gone fails the cached config too', async () => {
    const { ws, state } = workspace({ extends: ['strict'] });
    await loadStartConfig(ws, undefined, state, validators());
    const packs = builtinPacks();
    const without = new Map([...packs].filter(([name]) => name !== 'strict'));
    await expect(loadStartConfig(ws, undefined, state, { id: 'validators-1', packs: without })).rejects.toThrow(/unknown rule pack "strict"/);
  });
});
