import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/harness', import.meta.url).pathname;
const bin = (name: string) => new URL(`../../node_modules/.bin/${name}`, import.meta.url).pathname;

interface Check {
  name: string;
  status: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

/** Every path under `dir` with its size and modification time: what "created nothing, changed nothing" is checked against. */
function listing(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      const s = statSync(p);
      out.push(`${p} ${s.isDirectory() ? 'dir' : `${s.size} ${s.mtimeMs}`}`);
      if (s.isDirectory()) walk(p);
    }
  };
  walk(dir);
  return out;
}

/** A person's machine in miniature: a repository and a HOME of its own, harness's state under that HOME (the default place). */
function machine() {
  const root = mkdtempSync(join(tmpdir(), 'harness-doctor-'));
  const repo = join(root, 'repo');
  const home = join(root, 'home');
  mkdirSync(repo);
  mkdirSync(home);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home, NO_COLOR: '1', TMPDIR: process.env.TMPDIR };
  return { root, repo, home, env };
}

function doctor(cwd: string, env: NodeJS.ProcessEnv, json = true) {
  const r = spawnSync(process.execPath, [BIN, 'doctor', ...(json ? ['--json'] : [])], { cwd, env, encoding: 'utf8', timeout: 120_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, checks: json ? (JSON.parse(r.stdout).checks as Check[]) : [] };
}

describe('harness doctor creates nothing', () => {
  it('no state directory, no audit log, nothing in the repository or HOME, with all three agents asked for their version', () => {
    const { repo, home, env } = machine();
    // the real agents: Gemini CLI writes ~/.gemini even for --version
    Object.assign(env, { HARNESS_CLAUDE_BIN: bin('claude'), HARNESS_CODEX_BIN: bin('codex'), HARNESS_GEMINI_BIN: bin('gemini') });
    const before = [...listing(repo), ...listing(home)];
    const json = doctor(repo, env);
    const text = doctor(repo, env, false);
    expect([...listing(repo), ...listing(home)]).toEqual(before);
    expect(listing(home)).toEqual([]);

    expect(json.code, json.stderr).toBe(0);
    const state = json.checks.find((c) => c.name === 'state directory')!;
    expect(state).toEqual({
      name: 'state directory',
      status: 'ok',
      detail: expect.stringMatching(new RegExp(`^${home}/\\.local/state/harness/repo-[0-9a-f]{12} \\(not there yet: the first harness run creates it\\)$`)),
    });
    expect(json.checks.find((c) => c.name === 'audit log')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/audit\.db \(not there yet: the first harness run creates it\)$/),
    });
    expect(json.checks.find((c) => c.name === 'gemini')).toMatchObject({ status: 'ok', detail: expect.stringMatching(/^0\.\d+\.\d+ /) });
    expect(text.stdout).toMatch(/^ok +state directory +.*not there yet/m);
    // no config yet: doctor says how to get one
    expect(json.checks.find((c) => c.name === 'config')).toMatchObject({
      status: 'ok',
      detail: expect.stringMatching(/^none \(the recommended pack applies; harness init writes a starter config\)/),
    });
  }, 120_000);

  it('with a log that exists: its schema is read, and no journal or lock file is left beside it', () => {
    const { repo, env } = machine();
    const state = join(repo, '..', 'state');
    env.HARNESS_STATE_DIR = state;
    env.HARNESS_CLAUDE_BIN = bin('claude');
    // a supervised run makes the state directory and the log
    execFileSync(process.execPath, [BIN, 'run', '--no-summary', '--no-sandbox', '--', 'true'], { cwd: repo, env, stdio: 'ignore' });
    // the workspace's directory (beside it, on Node >= 22.1, the compile cache of harness run)
    const dir = join(state, readdirSync(state).find((n) => n !== 'compile-cache')!);
    const before = [...listing(state), ...listing(repo)];
    expect(readdirSync(dir)).toContain('audit.db');
    const r = doctor(repo, env);
    expect([...listing(state), ...listing(repo)]).toEqual(before);
    const log = r.checks.find((c) => c.name === 'audit log')!;
    expect(log).toEqual({ name: 'audit log', status: 'ok', detail: expect.stringMatching(/ \(schema [1-9]\d*\)$/) });
    expect(log.detail.startsWith(`${join(dir, 'audit.db')} `)).toBe(true);
  }, 120_000);
});

describe('harness doctor names what to install and which hook client is in use', () => {
  it('agents that are missing: the npm package to install for each', () => {
    const { repo, env } = machine();
    // a PATH with git and node and none of the agents
    const path = join(repo, '..', 'bin');
    mkdirSync(path);
    for (const name of ['git', 'node']) symlinkSync(execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim(), join(path, name));
    env.PATH = path;
    const r = doctor(repo, env);
    expect(r.code).toBe(1);
    const by = (name: string) => r.checks.find((c) => c.name === name);
    expect(by('claude')).toEqual({
      name: 'claude',
      status: 'fail',
      detail: '"claude" not found on PATH',
      fix: 'npm install -g @anthropic-ai/claude-code, or set HARNESS_CLAUDE_BIN',
    });
    expect(by('codex')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('not installed (needed only for harness run codex; npm install -g @openai/codex'),
    });
    expect(by('gemini')).toMatchObject({
      status: 'ok',
      detail: expect.stringContaining('not installed (needed only for harness run gemini; npm install -g @google/gemini-cli'),
    });
    const text = doctor(repo, env, false).stdout;
    expect(text).toMatch(/^FAIL claude +"claude" not found on PATH\n +fix: npm install -g @anthropic-ai\/claude-code/m);
    expect(text).toMatch(/^ok +codex +not installed .*npm install -g @openai\/codex/m);
    expect(text).toMatch(/^ok +gemini +not installed .*npm install -g @google\/gemini-cli/m);
  }, 120_000);

  it('the hook client: native when it was built for this machine (the portable one is checked by test/install)', () => {
    const { repo, env } = machine();
    env.HARNESS_CLAUDE_BIN = bin('claude');
    const hook = doctor(repo, env).checks.find((c) => c.name === 'hook round trip')!;
    expect(hook).toEqual({
      name: 'hook round trip',
      status: 'ok',
      detail: expect.stringMatching(
        /^native hook client \(built for this machine when harness was installed\) answered in [\d.]+ ms \(\/.*\/dist\/harness-hook\)$/,
      ),
    });
  }, 120_000);
});
