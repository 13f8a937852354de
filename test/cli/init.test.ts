import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { stripJsonComments } from '../../src/config/jsonc.js';
import { starterConfig } from '../../src/cli/init.js';

const BIN = new URL('../../bin/harness', import.meta.url).pathname;
const SCHEMA = new URL('../../harness.config.schema.json', import.meta.url).pathname;
const PACKAGE = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string };

function repo(git = true): string {
  const dir = mkdtempSync(join(tmpdir(), 'harness-init-'));
  if (git) execFileSync('git', ['init', '-q'], { cwd: dir });
  return dir;
}

function harness(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', HOME: join(cwd, '..', 'no-home') } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The config's `$schema`, resolved against the config's directory as an editor does. */
function schemaOf(config: string): string {
  const ref = (JSON.parse(stripJsonComments(readFileSync(config, 'utf8'))) as { $schema: string }).$schema;
  expect(ref).toMatch(/^\.\.?\//);
  return resolve(dirname(config), ref);
}

describe('harness init', () => {
  it('writes a commented starter config that loads, means the defaults, and whose $schema resolves beside it', () => {
    const dir = repo();
    mkdirSync(join(dir, 'src'));
    // run from a subdirectory: the config goes to the repository's root, where harness looks
    const r = harness(['init'], join(dir, 'src'));
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote harness\.config\.json: /m);
    expect(r.stdout).toMatch(/^wrote harness\.config\.schema\.json: its JSON schema, for your editor/m);
    expect(r.stdout).toMatch(/next:\n {2}harness doctor .*\n {2}harness run claude /);
    expect(readdirSync(dir).sort()).toEqual(['.git', 'harness.config.json', 'harness.config.schema.json', 'src']);

    const config = join(dir, 'harness.config.json');
    const text = readFileSync(config, 'utf8');
    // commented: the main knobs are named and explained
    for (const knob of ['"extends"', '"disable"', '"rules"', '"approvals"', '"timeoutSeconds"', '"checkpoints"', '"sandbox"', '"allowHosts"', '"audit"'])
      expect(text).toContain(knob);
    expect(text.split('\n').filter((l) => l.trim().startsWith('//')).length).toBeGreaterThan(20);
    expect(schemaOf(config)).toBe(join(dir, 'harness.config.schema.json'));
    expect(readFileSync(join(dir, 'harness.config.schema.json'), 'utf8')).toBe(readFileSync(SCHEMA, 'utf8'));

    // it loads, and until edited it changes nothing: the same as having no config at all
    const loaded = loadConfig(dir);
    const none = loadConfig(repo());
    expect(loaded.path).toBe(config);
    expect(none.path).toBeNull();
    for (const key of ['approvals', 'checkpoints', 'tui', 'watcher', 'sandbox', 'packs', 'defaults', 'sources'] as const)
      expect(loaded[key], key).toEqual(none[key]);
    expect(loaded.config.audit).toBeUndefined();

    const doctor = spawnSync(process.execPath, [BIN, 'doctor', '--json'], {
      cwd: dir,
      encoding: 'utf8',
      env: { ...process.env, HOME: join(dir, '..', 'no-home'), HARNESS_STATE_DIR: join(dir, '..', 'no-state') },
    });
    expect(JSON.parse(doctor.stdout).checks.find((c: { name: string }) => c.name === 'config')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining(config),
    });
  });

  it('the examples in its comments are valid once uncommented', () => {
    const text = starterConfig('./harness.config.schema.json');
    // the rule example and the audit line: "// " taken off the lines that hold JSON
    const uncommented = text.replace(/^(\s*)\/\/ ("audit".*|[{}].*|\s+".*)$/gm, '$1$2');
    expect(uncommented).not.toBe(text);
    const dir = repo();
    writeFileSync(join(dir, 'harness.config.json'), uncommented);
    const loaded = loadConfig(dir);
    expect(loaded.config.rules?.map((r) => r.id)).toEqual(['team.no-prod-db']);
    expect(loaded.config.audit?.path).toBe('/var/log/harness/this-repo.db');
  });

  it('refuses to overwrite a config: exit 1, a message that says what to do, nothing written', () => {
    const dir = repo();
    writeFileSync(join(dir, 'harness.config.json'), '{"extends": ["strict"]}\n');
    const r = harness(['init'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^harness: harness\.config\.json already exists; harness init does not overwrite a config\. Edit it .*or move it away and run harness init again\.\n$/,
    );
    expect(readFileSync(join(dir, 'harness.config.json'), 'utf8')).toBe('{"extends": ["strict"]}\n');
    expect(existsSync(join(dir, 'harness.config.schema.json'))).toBe(false);
  });

  it('with harness installed in the repository (a devDependency), $schema points into node_modules and nothing is copied', () => {
    const dir = repo();
    const installed = join(dir, 'node_modules', PACKAGE.name);
    mkdirSync(installed, { recursive: true });
    writeFileSync(join(installed, 'harness.config.schema.json'), readFileSync(SCHEMA));
    const r = harness(['init', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out).toEqual({
      config: join(dir, 'harness.config.json'),
      schema: `./node_modules/${PACKAGE.name}/harness.config.schema.json`,
      schemaCopied: null,
      next: ['harness doctor', 'harness run claude'],
    });
    expect(schemaOf(out.config)).toBe(join(installed, 'harness.config.schema.json'));
    expect(existsSync(join(dir, 'harness.config.schema.json'))).toBe(false);
  });

  it('--config writes elsewhere, the schema beside it; outside git the directory is the workspace', () => {
    const dir = repo(false);
    const r = harness(['init', '--config', 'conf/ci.harness.json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^wrote conf\/ci\.harness\.json: /m);
    expect(schemaOf(join(dir, 'conf', 'ci.harness.json'))).toBe(join(dir, 'conf', 'harness.config.schema.json'));
    expect(loadConfig(dir, join(dir, 'conf', 'ci.harness.json')).packs).toContain('recommended');
    // and a second time it refuses, naming the file
    expect(harness(['init', '--config', 'conf/ci.harness.json'], dir).stderr).toMatch(/conf\/ci\.harness\.json already exists/);
  });

  it('a --config it cannot write: one line that says why, exit 1 (2 for a name that is no file name), and nothing left behind', () => {
    const dir = repo();
    writeFileSync(join(dir, 'a-file'), 'x');
    const cases: [string, number, RegExp][] = [
      ['', 2, /^harness: --config: expected the name of the file to write\n$/],
      ['.', 2, /^harness: \. is a directory; give --config the name of the file to write\n$|^harness: .* is a directory/],
      ['a-file/harness.config.json', 1, /^harness: [^\n]* \((EEXIST|ENOTDIR)\): cannot write a-file\n$/],
      [`${'n'.repeat(5000)}.json`, 1, /^harness: name too long \(ENAMETOOLONG\): cannot write n+…\n$/],
    ];
    for (const [config, code, message] of cases) {
      const r = harness(['init', '--config', config], dir);
      expect({ config: config.slice(0, 40), code: r.code, stdout: r.stdout }).toEqual({ config: config.slice(0, 40), code, stdout: '' });
      expect(r.stderr).toMatch(message);
    }
    expect(readdirSync(dir).sort()).toEqual(['.git', 'a-file']);
  });

  it("does not replace a harness.config.schema.json that is not harness's, and then writes no config either", () => {
    const dir = repo();
    writeFileSync(join(dir, 'harness.config.schema.json'), '{"title": "something else"}');
    const r = harness(['init'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/harness\.config\.schema\.json exists and is not harness's JSON schema/);
    expect(existsSync(join(dir, 'harness.config.json'))).toBe(false);
    // an older copy of harness's own schema is replaced by this version's
    writeFileSync(join(dir, 'harness.config.schema.json'), JSON.stringify({ title: 'harness configuration', properties: {} }));
    expect(harness(['init'], dir).code).toBe(0);
    expect(readFileSync(join(dir, 'harness.config.schema.json'), 'utf8')).toBe(readFileSync(SCHEMA, 'utf8'));
  });
});
