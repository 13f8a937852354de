import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gitRemoteHosts } from '../../src/config/network.js';
import { plainConfigEntries } from '../../src/git-config.js';
import { findWorkspace, plainRepositoryTop } from '../../src/workspace.js';

/**
 * harness reads a repository's top and its remotes without a git process where that is plain; the
 * answer must be git's own in every case, so each case is asked of the real git too.
 */
const root = realpathSync(mkdtempSync(join(tmpdir(), 'harness-git-discovery-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.invalid', ...args], {
    cwd,
    encoding: 'utf8',
    env,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
const gitTop = (cwd: string): string | null => {
  try {
    return git(cwd, 'rev-parse', '--show-toplevel').trim() || null;
  } catch {
    return null;
  }
};
let n = 0;
const repo = (): string => {
  const dir = join(root, `r${++n}`);
  mkdirSync(dir);
  git(dir, 'init', '-q');
  return dir;
};

describe('the top of a repository without git', () => {
  const cases: { name: string; make: () => string; plain: boolean }[] = [
    { name: 'the top itself', make: repo, plain: true },
    {
      name: 'a directory deep inside',
      make: () => {
        const r = repo();
        mkdirSync(join(r, 'a', 'b', 'c'), { recursive: true });
        return join(r, 'a', 'b', 'c');
      },
      plain: true,
    },
    {
      name: 'through a symbolic link',
      make: () => {
        const r = repo();
        mkdirSync(join(r, 'src'));
        const link = join(root, `link${++n}`);
        symlinkSync(join(r, 'src'), link);
        return link;
      },
      plain: true,
    },
    {
      name: 'inside .git',
      make: () => join(repo(), '.git', 'refs'),
      plain: false,
    },
    {
      name: 'a worktree (.git is a file)',
      make: () => {
        const r = repo();
        git(r, 'commit', '-q', '--allow-empty', '-m', 'x');
        const wt = join(root, `wt${++n}`);
        git(r, 'worktree', 'add', '-q', wt);
        return wt;
      },
      plain: false,
    },
    {
      name: 'core.worktree elsewhere',
      make: () => {
        const r = repo();
        const other = join(root, `other${++n}`);
        mkdirSync(other);
        git(r, 'config', 'core.worktree', other);
        return r;
      },
      plain: false,
    },
    {
      name: 'core.bare true',
      make: () => {
        const r = repo();
        git(r, 'config', 'core.bare', 'true');
        return r;
      },
      plain: false,
    },
    {
      name: 'a bare repository',
      make: () => {
        const dir = join(root, `bare${++n}`);
        mkdirSync(dir);
        git(dir, 'init', '-q', '--bare');
        return dir;
      },
      plain: false,
    },
    {
      name: 'a config git reads with quotes',
      make: () => {
        const r = repo();
        writeFileSync(join(r, '.git', 'config'), '[core]\n\tbare = "false"\n');
        return r;
      },
      plain: false,
    },
    {
      name: 'a .git that is no repository (git looks further up)',
      make: () => {
        const outer = repo();
        const inner = join(outer, 'inner');
        mkdirSync(join(inner, '.git'), { recursive: true });
        return inner;
      },
      plain: false,
    },
    {
      name: 'no repository at all',
      make: () => {
        const dir = join(root, `plain${++n}`);
        mkdirSync(dir);
        return dir;
      },
      plain: false,
    },
  ];
  it.each(cases)('$name', ({ make, plain }) => {
    const start = make();
    const fast = plainRepositoryTop(start, env);
    expect(fast !== null, 'read without git').toBe(plain);
    if (fast !== null) expect(fast).toBe(gitTop(start));
    // either way, findWorkspace gives git's top (or the directory itself outside git)
    expect(findWorkspace(start)).toBe(gitTop(start) ?? realpathSync(start));
  });

  it('asks git whenever a GIT_ variable that bears on finding the repository is set', () => {
    for (const name of [
      'GIT_DIR',
      'GIT_WORK_TREE',
      'GIT_CEILING_DIRECTORIES',
      'GIT_DISCOVERY_ACROSS_FILESYSTEM',
      'GIT_CONFIG_COUNT',
      'GIT_COMMON_DIR',
      'GIT_SOMETHING_NEW',
    ])
      expect(plainRepositoryTop(repo(), { ...env, [name]: root }), name).toBeNull();
    const r = repo();
    expect(plainRepositoryTop(r, { ...env, GIT_SSL_CAINFO: '/etc/ssl/certs/ca.crt', GIT_AUTHOR_NAME: 'x', GIT_TERMINAL_PROMPT: '0' })).toBe(gitTop(r));
    expect(plainRepositoryTop(repo(), { ...env, SUDO_UID: '1000' })).toBeNull();
  });
});

describe('the hosts of the remotes without git', () => {
  // each config text: read plainly (the same hosts as git's) or handed to git
  const configs: { name: string; text: string; plain: boolean }[] = [
    { name: 'one remote', text: '[remote "origin"]\n\turl = git@github.com:o/r.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n', plain: true },
    { name: 'url and pushurl', text: '[remote "a"]\n\turl = https://gitlab.com/o/r.git\n\tpushurl = ssh://git@push.example.com:2222/o/r\n', plain: true },
    { name: 'case and spacing', text: '[Remote "Up Stream"]\n  URL=https://example.org/x.git   \n', plain: true },
    { name: 'comments', text: '# top\n[remote "o"] ; after the header\n\turl = https://h.example/r\n; end\n', plain: true },
    { name: 'crlf', text: '[remote "o"]\r\n\turl = https://crlf.example/r\r\n', plain: true },
    {
      name: 'other sections',
      text: '[core]\n\tbare = false\n[branch "main"]\n\tremote = origin\n[url "https://x.example/"]\n\tinsteadOf = gh:\n',
      plain: true,
    },
    { name: 'a quoted value', text: '[remote "o"]\n\turl = "https://q.example/r"\n', plain: false },
    { name: 'a comment after a value', text: '[remote "o"]\n\turl = https://c.example/r # note\n', plain: false },
    { name: 'a continued line', text: '[remote "o"]\n\tfetch = a \\\nurl = https://hidden.example/r\n', plain: false },
    { name: 'a key after a header', text: '[remote "o"] url = https://same-line.example/r\n', plain: false },
    { name: 'the old section.sub form', text: '[remote.o]\n\turl = https://old.example/r\n', plain: false },
    { name: 'an escape in a subsection', text: '[remote "a\\"b"]\n\turl = https://esc.example/r\n', plain: false },
    { name: 'a key without a value', text: '[remote "o"]\n\turl\n', plain: false },
    { name: 'garbage', text: 'not a config\n', plain: false },
  ];
  it.each(configs)('$name', ({ text, plain }) => {
    const r = repo();
    writeFileSync(join(r, '.git', 'config'), text);
    expect(plainConfigEntries(text) !== null && !/^\s*url\s*$/m.test(text), 'read without git').toBe(plain);
    let byGit: string[] = [];
    try {
      byGit = git(r, 'config', '--file', join(r, '.git', 'config'), '-z', '--get-regexp', '^remote\\..*\\.(push)?url$')
        .split('\0')
        .filter((e) => e.includes('\n'))
        .map((e) => e.slice(e.indexOf('\n') + 1).trim());
    } catch {
      // git found none, or could not read the file
    }
    const expected = [...new Set(byGit.map((u) => gitRemoteHostsOfUrl(u)).filter((h): h is string => h !== null))];
    expect(gitRemoteHosts(r)).toEqual(expected);
  });
});

// the host of one url the way gitRemoteHosts names it: a repository with only that remote, through git
function gitRemoteHostsOfUrl(url: string): string | null {
  const r = repo();
  git(r, 'config', '--file', join(r, '.git', 'config'), 'remote.x.url', url);
  const hosts = gitRemoteHosts(r);
  return hosts[0] ?? null;
}
