import { execFileSync } from 'node:child_process';
import { lstatSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Git settings that make git run a program (or read settings from elsewhere): a repository whose
 * config gains one runs it outside the sandbox, the next time the person's git (or shell prompt)
 * touches that repository.
 */
const RUNS_CODE =
  /^(core\.(fsmonitor|hookspath|sshcommand|pager|editor|askpass|gitproxy)|sequence\.editor|diff\.external|diff\..+\.(textconv|command)|filter\..+\.(clean|smudge|process)|merge\..+\.driver|credential(\..+)?\.helper|gpg(\..+)?\.program|uploadpack\.packobjectshook|include\.path|includeif\..+\.path|remote\..+\.(uploadpack|receivepack|vcs)|pager\..+|(difftool|mergetool|man|browser)\..+\.(cmd|path)|web\.browser|alias\..+|init\.templatedir)$/i;

/** Directories of a walk that hold no repositories of the person's (or too many files to walk). */
const SKIP = new Set(['node_modules', '.venv', 'venv', 'target', 'dist', 'build', '.cache']);
const MAX_ENTRIES = 20_000;

/**
 * The git directories inside the workspace other than its own: submodules' (`.git/modules/**`)
 * and nested repositories' (`sub/.git`), found by a bounded walk.
 */
function innerGitDirs(workspace: string): string[] {
  const found: string[] = [];
  let seen = 0;
  const walk = (dir: string, depth: number, inModules: boolean): void => {
    if (depth < 0 || seen > MAX_ENTRIES) return;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    seen += names.length;
    // a git directory: HEAD and config side by side
    if (inModules && names.includes('HEAD') && names.includes('config')) found.push(dir);
    for (const name of names) {
      const path = join(dir, name);
      let st;
      try {
        st = lstatSync(path);
      } catch {
        continue;
      }
      // a `.git` file names the git directory of a submodule or worktree checkout
      if (name === '.git' && st.isFile() && dir !== workspace) {
        const target = gitDirNamedBy(path, dir);
        if (target && isInside(target, workspace)) found.push(target);
        continue;
      }
      if (!st.isDirectory()) continue;
      if (inModules) {
        if (!['objects', 'refs', 'logs', 'hooks', 'info', 'lfs'].includes(name)) walk(path, depth - 1, true);
        continue;
      }
      if (name === '.git') {
        if (dir !== workspace) found.push(path);
        walk(join(path, 'modules'), 8, true);
        continue;
      }
      if (!SKIP.has(name)) walk(path, depth - 1, false);
    }
  };
  walk(workspace, 6, false);
  return [...new Set(found)];
}

const isInside = (path: string, dir: string): boolean => path === dir || path.startsWith(`${dir}/`);

/** The directory a `.git` file's `gitdir:` line names, resolved from its directory. */
function gitDirNamedBy(file: string, dir: string): string | null {
  try {
    const line = /^gitdir:\s*(.+?)\s*$/m.exec(readFileSync(file, 'utf8').slice(0, 4096))?.[1];
    return line ? resolve(dir, line) : null;
  } catch {
    return null;
  }
}

const changedSince = (path: string, since: number): boolean => {
  try {
    // ctime: a process cannot set it back the way it can set the modification time
    return lstatSync(path).ctimeMs >= since;
  } catch {
    return false;
  }
};

/** What was taken out of one git directory. */
export interface Defused {
  gitDir: string;
  keys: string[];
  hooks: string[];
}

/**
 * Takes out of the inner git directories what was changed since `since` and would run a program:
 * settings in their `config` that name one, and hooks. Read and written with `git config --file`,
 * which runs nothing and follows no include.
 */
export function defuseInnerGitDirs(workspace: string, since: number): Defused[] {
  const out: Defused[] = [];
  for (const gitDir of innerGitDirs(workspace)) {
    const config = join(gitDir, 'config');
    const keys: string[] = [];
    if (changedSince(config, since)) {
      let listed = '';
      try {
        listed = execFileSync('git', ['config', '--file', config, '--null', '--name-only', '--list'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'ignore'],
          timeout: 5_000,
        });
      } catch {
        // unreadable as a config: git will not use it either
      }
      for (const key of new Set(listed.split('\0').filter((k) => RUNS_CODE.test(k)))) {
        try {
          execFileSync('git', ['config', '--file', config, '--unset-all', key], { stdio: 'ignore', timeout: 5_000 });
          keys.push(key);
        } catch {
          // already gone
        }
      }
    }
    const hooks: string[] = [];
    const hooksDir = join(gitDir, 'hooks');
    let names: string[] = [];
    try {
      names = readdirSync(hooksDir);
    } catch {
      // no hooks directory
    }
    for (const name of names) {
      const path = join(hooksDir, name);
      if (name.endsWith('.sample') || !changedSince(path, since)) continue;
      rmSync(path, { force: true, recursive: true });
      hooks.push(name);
    }
    if (keys.length > 0 || hooks.length > 0) out.push({ gitDir, keys, hooks });
  }
  return out;
}
