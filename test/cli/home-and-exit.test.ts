import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { homeWorkspaceProblem } from '../../src/workspace.js';

const BIN = new URL('../../bin/harness', import.meta.url).pathname;
const root = realpathSync(mkdtempSync(join(tmpdir(), 'harness-home-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A fresh HOME with a project in it, and whether HOME itself is a git repository (dotfiles). */
function home(name: string, opts: { dotfiles?: boolean } = {}): { home: string; project: string; plain: string } {
  const h = join(root, name);
  const project = join(h, 'src', 'project');
  const plain = join(h, 'notes');
  mkdirSync(project, { recursive: true });
  mkdirSync(plain, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: project });
  if (opts.dotfiles) execFileSync('git', ['init', '-q'], { cwd: h });
  return { home: h, project, plain };
}

function harness(args: string[], cwd: string, homeDir: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    input: '',
    env: { PATH: process.env.PATH, HOME: homeDir, NO_COLOR: '1', HARNESS_STATE_DIR: join(root, 'state'), LANG: 'C.UTF-8' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('which workspaces are home (pure)', () => {
  const h = home('pure');
  it.each([
    ['HOME itself', h.home, h.home, /your home directory/],
    ['/', '/', '/', /the root directory/],
    ['a directory containing HOME', root, root, /contains your home directory/],
    ['a git repository at HOME, entered from below', h.home, h.plain, /your home directory \(the git repository around .*notes starts there\)/],
    ['a project inside HOME', h.project, h.project, null],
    ['a plain directory inside HOME', h.plain, h.plain, null],
    ['a directory beside HOME', join(root, 'elsewhere'), join(root, 'elsewhere'), null],
  ])('%s', (_, workspace, cwd, expected) => {
    const problem = homeWorkspaceProblem(workspace, cwd, h.home);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toMatch(expected);
  });

  it('a HOME given with a trailing slash or through a symlinked path is the same HOME', () => {
    expect(homeWorkspaceProblem(h.home, h.home, `${h.home}/`)).toMatch(/your home directory/);
  });
});

describe('harness run refuses a home workspace (built binary, temp HOME)', () => {
  it.each([
    ['from HOME', false, (x: ReturnType<typeof home>) => x.home],
    ['from a directory under a dotfiles repository at HOME', true, (x: ReturnType<typeof home>) => x.plain],
  ])('%s: one line naming the directory and --allow-home, exit 2, nothing started', (_, dotfiles, where) => {
    const x = home(`run-${dotfiles ? 'dotfiles' : 'plain'}`, { dotfiles });
    const r = harness(['run', '--no-sandbox', '--no-summary', '--', 'sh', '-c', 'echo ran > ran.txt'], where(x), x.home);
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^harness: the workspace would be ${x.home}, your home directory`));
    expect(lines[0]).toMatch(/cd into a project directory/);
    expect(lines[0]).toMatch(/--allow-home/);
    expect(r.stdout).toBe('');
    expect(spawnSync('test', ['-e', join(where(x), 'ran.txt')]).status).not.toBe(0);
  });

  it('from / as well; --allow-home lets it start; a project inside HOME starts without it', () => {
    const x = home('run-ok');
    const slash = harness(['run', '--no-sandbox', '--no-summary', '--', 'true'], '/', x.home);
    expect(slash.code).toBe(2);
    expect(slash.stderr).toMatch(/^harness: the workspace would be \/, the root directory/);
    const allowed = harness(['run', '--allow-home', '--no-sandbox', '--no-summary', '--', 'sh', '-c', 'exit 7'], x.home, x.home);
    expect(allowed.stderr).not.toMatch(/the workspace would be/);
    expect(allowed.code).toBe(7);
    const project = harness(['run', '--no-sandbox', '--no-summary', '--', 'sh', '-c', 'exit 5'], x.project, x.home);
    expect(project.stderr).not.toMatch(/the workspace would be/);
    expect(project.code).toBe(5);
  }, 60_000);
});

describe('harness checkpoint refuses a home workspace too (it would snapshot everything the person owns)', () => {
  it('refuses from HOME, takes one with --allow-home, and from a project as usual', () => {
    const x = home('checkpoint');
    const refused = harness(['checkpoint', '-m', 'x'], x.home, x.home);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/^harness: the workspace would be .*your home directory.*--allow-home if you mean it\.\n$/);
    expect(harness(['checkpoint', '--allow-home', '-m', 'x'], x.project, x.home).code).toBe(0);
    expect(harness(['checkpoint', '-m', 'x'], x.project, x.home).code).toBe(0);
  }, 60_000);
});

describe('harness check: the verdict in the exit code', () => {
  const x = home('check');
  it.each([
    [['check', 'ls'], 0],
    [['check', 'sudo rm -rf ~'], 4],
    [['check', '--json', 'git push --force origin main'], 4],
    [['check', '$X -rf /tmp/x'], 3],
    [['check', '--path', '~/.ssh/id_rsa', '--op', 'read'], 4],
    [['check', '--path', 'README.md', '--op', 'read'], 0],
    [['check', '--host', 'unknown-host.example'], 3],
    [['check', '--host', 'paste.rs'], 4],
    [['check', '--exit-zero', 'sudo rm -rf ~'], 0],
    [['check', '--exit-zero', '--json', '$X -rf /tmp/x'], 0],
    [['check'], 2],
  ])('%j exits %i', (args, code) => {
    const r = harness(args, x.project, x.home);
    expect(r.code, r.stderr).toBe(code);
    expect(r.stderr).toEqual(code === 2 ? expect.stringMatching(/^harness: /) : '');
  });

  it('--jsonl exits 0: every line carries its own verdict', () => {
    const r = spawnSync(process.execPath, [BIN, 'check', '--jsonl'], {
      cwd: x.project,
      encoding: 'utf8',
      input: '{"command":"rm -rf ~"}\n{"command":"ls"}\n',
      env: { PATH: process.env.PATH, HOME: x.home, NO_COLOR: '1' },
    });
    expect(r.status).toBe(0);
    expect(
      r.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).verdict),
    ).toEqual(['deny', 'allow']);
  });

  it('--help gives the exit codes and why', () => {
    const help = harness(['check', '--help'], x.project, x.home).stdout;
    expect(help).toMatch(/Exit codes: 0 allow, 3 ask, 4 deny/);
    expect(help).toMatch(/--exit-zero/);
    expect(help).toMatch(/fail\s+open/);
  });

  it('from HOME it judges, and warns on stderr that HOME is the workspace', () => {
    const r = harness(['check', 'rm -rf ~/Documents'], x.home, x.home);
    expect(r.stderr).toMatch(
      new RegExp(`^harness: warning: the workspace would be ${x.home}, your home directory.*harness run refuses to start here without --allow-home\\n$`),
    );
    expect(r.stdout).toMatch(/^(allow|ask|deny)/);
  });
});
