/**
 * A person's first hour, from the packed tarball: `npm pack`, `npm install -g` into a temp prefix
 * (no devDependency there: no agent, no TypeScript), then in a fresh git repository `harness init`,
 * `harness doctor` and a supervised run of a stand-in agent through the hook client that the
 * install built, and the same once more with the portable client a machine without a C compiler
 * gets.
 *
 * The install builds better-sqlite3 and node-pty from source (their prebuilt binaries come from
 * GitHub, out of reach here): about 3 to 4 minutes on a loaded 2-core machine, most of this file's
 * cost. Packages come from the npm cache the checkout's own `npm install` filled (--prefer-offline).
 * It packs dist/ as `npm test` has just built it (`--ignore-scripts`: a build here would rewrite
 * dist/ under the tests running beside this one).
 */
import { execFile, execFileSync, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
/** The tests share one install; each runs harness a few times, on a machine that may be loaded. */
const SLOW = 180_000;
const CHECKOUT = new URL('../../', import.meta.url).pathname;
const FAKE_CLAUDE = new URL('../fixtures/fake-claude.mjs', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as {
  name: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

const root = mkdtempSync(join(tmpdir(), 'harness-install-'));
const prefix = join(root, 'prefix');
const installed = join(prefix, 'lib', 'node_modules', pkg.name);
let packed: string[] = [];
let installLog = '';

/** npm's environment without what an enclosing `npm test` put in it (npm_config_*, npm_package_*, the lifecycle). */
function npmEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && k !== 'INIT_CWD' && k !== 'NODE_ENV'));
  // node-gyp may run its compiler jobs side by side
  return { ...env, JOBS: 'max' };
}

/** The system's PATH without any node_modules/.bin (where the checkout's agents and tools are). */
const systemPath = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((d) => d && !d.includes('node_modules'))
  .join(delimiter);
const hasCompiler = ['cc', 'gcc', 'clang'].some((cc) => spawnSync('sh', ['-c', `command -v ${cc}`], { env: { PATH: systemPath } }).status === 0);

beforeAll(async () => {
  const started = Date.now();
  const { stdout } = await run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', root], {
    cwd: CHECKOUT,
    env: npmEnv(),
    maxBuffer: 64 << 20,
  });
  const [info] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  packed = info!.files.map((f) => f.path).sort();
  const tarball = join(root, info!.filename);
  const packedAt = Date.now();
  // what the README tells a person to type, with the cache this machine has
  const r = await run('npm', ['install', '-g', '--prefix', prefix, '--prefer-offline', '--no-audit', '--no-fund', tarball], {
    cwd: root,
    env: npmEnv(),
    maxBuffer: 64 << 20,
  }).catch((e: unknown) => {
    // the promised execFile rejects with its error, the output attached
    const { message, stdout, stderr } = e as Error & { stdout: string; stderr: string };
    throw new Error(`npm install -g failed: ${message}\n${stdout}\n${stderr}`);
  });
  installLog = r.stdout + r.stderr;
  console.log(`install test: npm pack ${((packedAt - started) / 1000).toFixed(1)} s, npm install -g ${((Date.now() - packedAt) / 1000).toFixed(1)} s`);
}, 20 * 60_000);

// some 90 packages with their native builds: a while to remove on a loaded machine
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }), 5 * 60_000);

/** A person's machine: a fresh repository, an empty HOME, harness on PATH from the prefix and no agent anywhere. */
function person(path = `${join(prefix, 'bin')}${delimiter}${systemPath}`) {
  const dir = mkdtempSync(join(root, 'person-'));
  const repo = join(dir, 'repo');
  const home = join(dir, 'home');
  const tmp = join(dir, 'tmp');
  for (const d of [repo, home, tmp]) mkdirSync(d);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const env: NodeJS.ProcessEnv = { PATH: path, HOME: home, TMPDIR: tmp, LANG: 'C.UTF-8', NO_COLOR: '1' };
  const harness = (args: string[], extra: NodeJS.ProcessEnv = {}) => {
    // when harness cannot be started at all the output is null, though the type says a string
    const r: Omit<SpawnSyncReturns<string>, 'stdout' | 'stderr'> & { stdout: string | null; stderr: string | null } = spawnSync('harness', args, {
      cwd: repo,
      env: { ...env, ...extra },
      encoding: 'utf8',
      timeout: 120_000,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { code: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', error: r.error };
  };
  return { dir, repo, home, tmp, env, harness };
}

/** Every path under `dir`, with size and modification time. */
function listing(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .map((e) => join(e.parentPath, e.name))
    .sort()
    .map((p) => `${p} ${statSync(p).isDirectory() ? 'dir' : `${statSync(p).size} ${statSync(p).mtimeMs}`}`);
}

/** A supervised run of the stand-in Claude Code: one call the rules allow (it writes a file), one they deny. */
function supervisedRun(p: ReturnType<typeof person>) {
  const script = join(p.tmp, 'script.json');
  const log = join(p.tmp, 'agent.jsonl');
  writeFileSync(
    script,
    JSON.stringify([
      { tool: 'Bash', id: 't1', input: { command: 'echo hello > made.txt' }, run: 'echo hello > made.txt' },
      { tool: 'Bash', id: 't2', input: { command: 'rm -rf ~' }, run: 'true' },
    ]),
  );
  const r = p.harness(['run', '--no-summary', '--hook-transport', 'command', 'claude'], {
    HARNESS_CLAUDE_BIN: FAKE_CLAUDE,
    FAKE_AGENT_SCRIPT: script,
    FAKE_AGENT_LOG: log,
  });
  const answers = existsSync(log)
    ? readFileSync(log, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { id: string; event: string; allowed?: boolean })
    : [];
  return { ...r, answers };
}

describe('npm pack: the tarball', () => {
  it('ships the program, the rules, the C sources and their build script, and what the messages point to', () => {
    for (const file of [
      'package.json',
      'README.md',
      'bin/harness',
      'dist/cli/index.js',
      'dist/cli/init.js',
      'dist/cli/doctor.js',
      'rules/recommended.json',
      'hooks/harness-hook.c',
      'hooks/harness-hook.sh',
      'hooks/harness-sandbox-init.c',
      'scripts/build-hook-client.mjs',
      'harness.config.schema.json',
      'harness.config.example.json',
    ]) {
      expect(packed, file).toContain(file);
    }
    // the example's $schema resolves inside the package
    const example = JSON.parse(readFileSync(join(CHECKOUT, 'harness.config.example.json'), 'utf8')) as { $schema: string };
    expect(packed).toContain(join(example.$schema));
  });

  it("ships no binary built on the packer's machine, no sources, tests or source maps", () => {
    expect(packed.filter((f) => /^dist\/harness-(hook|sandbox-init)$/.test(f))).toEqual([]);
    expect(packed.filter((f) => /^(src|test|bench|node_modules)\//.test(f) || f.endsWith('.map') || f.endsWith('.ts'))).toEqual([]);
    // every file is one of the kinds above: compiled JavaScript, data, C and shell sources, the docs and the licence
    expect(packed.filter((f) => !/\.(js|mjs|json|c|sh|md)$/.test(f) && f !== 'bin/harness' && !/^LICEN[CS]E(\.\w+)?$/.test(f))).toEqual([]);
  });

  it('package.json: the name, the command, and the build of the native helpers at install', () => {
    expect(pkg.name).toBe('agent-harness-cli');
    expect(Object.keys(pkg.bin)).toEqual(['harness']);
    expect(packed).toContain(pkg.bin.harness);
    const scripts = (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(scripts.postinstall).toBe('node scripts/build-hook-client.mjs --install');
  });
});

describe('npm install -g from the tarball', () => {
  it(
    'puts harness on PATH, with the dependencies and none of the devDependencies',
    () => {
      expect(existsSync(join(prefix, 'bin', 'harness'))).toBe(true);
      const p = person();
      expect(p.harness(['--version'])).toMatchObject({
        code: 0,
        stdout: `${(JSON.parse(readFileSync(join(CHECKOUT, 'package.json'), 'utf8')) as { version: string }).version}\n`,
      });
      const modules = join(installed, 'node_modules');
      for (const dep of Object.keys(pkg.dependencies)) expect(existsSync(join(modules, dep, 'package.json')), dep).toBe(true);
      for (const dev of Object.keys(pkg.devDependencies)) expect(existsSync(join(modules, dev)), dev).toBe(false);
    },
    SLOW,
  );

  it(`built the native hook client and sandbox launcher for this machine (${hasCompiler ? 'a C compiler is here' : 'no C compiler here: the portable ones'})`, () => {
    const client = join(installed, 'dist', 'harness-hook');
    expect(existsSync(client), installLog).toBe(hasCompiler);
    if (!hasCompiler) return;
    // it runs here: a bad command line is refused with exit 2 and a reason, as the hooks expect
    const r = spawnSync(client, [], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^harness: the tool call was blocked/);
    if (process.platform === 'linux') expect(existsSync(join(installed, 'dist', 'harness-sandbox-init'))).toBe(true);
  });
});

describe('the first hour: init, doctor, a supervised run', () => {
  it(
    'harness init writes a commented config whose $schema resolves, refuses a second time, and says what is next',
    () => {
      const p = person();
      const r = p.harness(['init']);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/^wrote harness\.config\.json: /m);
      expect(r.stdout).toMatch(/^next:\n {2}harness doctor/m);
      const config = readFileSync(join(p.repo, 'harness.config.json'), 'utf8');
      expect(config).toMatch(/^\/\/ harness: /);
      const ref = /"\$schema": "([^"]+)"/.exec(config)![1]!;
      const schema = join(p.repo, ref);
      expect(existsSync(schema), ref).toBe(true);
      expect(readFileSync(schema, 'utf8')).toBe(readFileSync(join(installed, 'harness.config.schema.json'), 'utf8'));
      expect(p.harness(['init'])).toMatchObject({ code: 1, stderr: expect.stringMatching(/already exists; harness init does not overwrite a config/) });
    },
    SLOW,
  );

  it(
    'harness doctor: the config, how to install each missing agent, the hook client in use; it creates nothing',
    () => {
      const p = person();
      expect(p.harness(['init']).code).toBe(0);
      // a PATH with harness, git, node and (when there is one) bubblewrap, and no agent
      const bin = join(p.dir, 'bin');
      mkdirSync(bin);
      for (const name of ['git', 'node', 'bwrap']) {
        const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8', env: { PATH: systemPath } }).stdout.trim();
        if (found) symlinkSync(found, join(bin, name));
      }
      const env = { PATH: `${join(prefix, 'bin')}${delimiter}${bin}` };
      const before = [...listing(p.repo), ...listing(p.home)];
      const json = p.harness(['doctor', '--json'], env);
      const text = p.harness(['doctor'], env);
      expect([...listing(p.repo), ...listing(p.home)]).toEqual(before);

      expect(json.code, json.stderr).toBe(1); // Claude Code is missing
      const checks = (JSON.parse(json.stdout) as { checks: { name: string; status: string; detail: string; fix?: string }[] }).checks;
      const by = (name: string) => checks.find((c) => c.name === name);
      expect(by('config')).toMatchObject({ status: 'ok', detail: expect.stringContaining(join(p.repo, 'harness.config.json')) });
      expect(by('claude')).toMatchObject({ status: 'fail', fix: expect.stringContaining('npm install -g @anthropic-ai/claude-code') });
      expect(by('codex')!.detail).toContain('npm install -g @openai/codex');
      expect(by('gemini')!.detail).toContain('npm install -g @google/gemini-cli');
      expect(by('terminal (node-pty)')).toMatchObject({ status: 'ok' });
      expect(by('audit log')).toMatchObject({ status: 'ok', detail: expect.stringContaining('not there yet') });
      expect(by('hook round trip')).toMatchObject(
        hasCompiler
          ? {
              status: 'ok',
              detail: expect.stringMatching(new RegExp(`^native hook client .* answered in [\\d.]+ ms \\(${join(installed, 'dist', 'harness-hook')}\\)$`)),
            }
          : { status: 'warn', detail: expect.stringMatching(/^portable hook client/) },
      );
      expect(text.stdout).toMatch(/^FAIL claude .*\n +fix: npm install -g @anthropic-ai\/claude-code/m);
      expect(text.stdout).toMatch(/^(ok|warn) +hook round trip +(native|portable) hook client/m);
    },
    SLOW,
  );

  it(
    "harness run: the agent's calls go through the installed hook client; the log and a checkpoint record them; rollback undoes",
    () => {
      const p = person();
      expect(p.harness(['init']).code).toBe(0);
      const r = supervisedRun(p);
      expect(r.code, r.stderr).toBe(0);
      expect(r.answers.filter((a) => a.event === 'pre').map((a) => [a.id, a.allowed])).toEqual([
        ['t1', true],
        ['t2', false],
      ]);
      expect(readFileSync(join(p.repo, 'made.txt'), 'utf8')).toBe('hello\n');

      const log = JSON.parse(p.harness(['log', '--json']).stdout) as {
        session: { agent: string; calls: number };
        calls: { toolUseId: string; verdict: string; ruleId: string | null }[];
      };
      expect(log.session).toMatchObject({ agent: 'claude', calls: 2 });
      expect(log.calls.map((c) => [c.toolUseId, c.verdict, c.ruleId])).toEqual([
        ['t1', 'allow', null],
        ['t2', 'deny', 'fs.delete-home'],
      ]);
      const checkpoints = JSON.parse(p.harness(['checkpoints', '--json']).stdout) as { toolUseId: string | null }[];
      expect(checkpoints.map((c) => c.toolUseId)).toContain('t1');
      expect(p.harness(['rollback']).code).toBe(0);
      expect(existsSync(join(p.repo, 'made.txt'))).toBe(false);
    },
    SLOW,
  );

  it(
    'on a machine without a C compiler: the install keeps the portable client, doctor says so, and runs still go through it',
    () => {
      // the install's own step, where no compiler is found (an empty PATH, no CC)
      const build = spawnSync(process.execPath, [join(installed, 'scripts', 'build-hook-client.mjs'), '--install'], {
        encoding: 'utf8',
        env: { PATH: join(root, 'no-such-dir') },
      });
      expect(build.status, build.stderr).toBe(0);
      expect(build.stderr).toMatch(/no C compiler found/);
      expect(existsSync(join(installed, 'dist', 'harness-hook'))).toBe(false);

      const p = person();
      expect(p.harness(['init']).code).toBe(0);
      const doctor = p.harness(['doctor', '--json']);
      const hook = (JSON.parse(doctor.stdout) as { checks: { name: string; status: string; detail: string; fix?: string }[] }).checks.find(
        (c) => c.name === 'hook round trip',
      );
      expect(hook).toMatchObject({
        status: 'warn',
        detail: expect.stringMatching(
          new RegExp(
            `^portable hook client \\(no C compiler when harness was installed.*\\) answered in [\\d.]+ ms \\(${join(installed, 'hooks', 'harness-hook.sh')}\\)$`,
          ),
        ),
        fix: expect.stringContaining(`npm install -g ${pkg.name}`),
      });
      const r = supervisedRun(p);
      expect(r.code, r.stderr).toBe(0);
      expect(r.answers.filter((a) => a.event === 'pre').map((a) => [a.id, a.allowed])).toEqual([
        ['t1', true],
        ['t2', false],
      ]);

      // and with a compiler back, the same step builds the native one again
      if (hasCompiler) {
        expect(spawnSync(process.execPath, [join(installed, 'scripts', 'build-hook-client.mjs'), '--install'], { env: { PATH: systemPath } }).status).toBe(0);
        expect(existsSync(join(installed, 'dist', 'harness-hook'))).toBe(true);
      }
    },
    SLOW,
  );
});
