import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { lstatSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { type ConfigEntry, plainConfigEntries } from './git-config.js';
import type { PolicyContext } from './policy/index.js';

/** The repository root containing `dir`, or `dir` itself outside git. */
export function findWorkspace(dir: string): string {
  const start = resolve(dir);
  const plain = plainRepositoryTop(start);
  if (plain) return plain;
  try {
    const top = execFileSync('git', ['rev-parse', '--show-toplevel'], {
      cwd: start,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      env: { ...process.env, GIT_OPTIONAL_LOCKS: '0' },
    }).trim();
    if (top) return top;
  } catch {
    // not a git repository (or git missing): the directory itself is the workspace
  }
  try {
    return realpathSync(start);
  } catch {
    return start;
  }
}

/** git's variables that have nothing to do with finding the repository (transport, identity, editors, tracing). */
const UNRELATED_GIT_VARIABLE =
  /^GIT_(?:SSL_\w+|AUTHOR_\w+|COMMITTER_\w+|TERMINAL_PROMPT|PAGER|EDITOR|SEQUENCE_EDITOR|SSH\w*|ASKPASS|TRACE\w*|OPTIONAL_LOCKS|HTTP_\w+|PROXY_\w+|CURL_\w+|LFS_\w+|MERGE_\w+|REDACT_COOKIES|FLUSH|PROTOCOL_FROM_USER|ALLOW_PROTOCOL)$/;

/** What a repository's HEAD holds: a symbolic ref, or an object id (a detached HEAD). */
const HEAD = /^(?:ref: refs\/\S+|[0-9a-f]{40}|[0-9a-f]{64})\s*$/;

/** A config entry that puts the work tree elsewhere or makes the repository bare, or may (a per-worktree config, an included file). */
function movesWorkTree(e: ConfigEntry): boolean {
  if ((e.section === 'extensions' && e.key === 'worktreeconfig') || e.section === 'include' || e.section === 'includeif') return true;
  if (e.section !== 'core') return false;
  if (e.key === 'worktree') return true;
  return e.key === 'bare' && !['false', 'no', 'off', '0'].includes((e.value ?? 'true').toLowerCase());
}

/**
 * The top of the repository around `start` found the way git finds it, in the case where that is
 * plain: no GIT_* variable that bears on it in the environment, a `.git` directory (not a file, not a link) that
 * holds a repository, owned like its work tree by this user, on the same file system as `start`,
 * whose config says nothing of a work tree elsewhere or a bare repository, and `start` not inside
 * a `.git`. null in every other case: git is asked (a worktree, a submodule, safe.directory, a
 * ceiling, GIT_DIR …), so the answer is never other than git's.
 */
export function plainRepositoryTop(start: string, env: NodeJS.ProcessEnv = process.env): string | null {
  // git judges ownership by SUDO_UID under sudo
  if (Object.keys(env).some((k) => k.startsWith('GIT_') && !UNRELATED_GIT_VARIABLE.test(k)) || env.SUDO_UID !== undefined) return null;
  const uid = process.getuid?.();
  if (uid === undefined) return null;
  let dir: string;
  let dev: number;
  try {
    dir = realpathSync(start);
    dev = statSync(dir).dev;
  } catch {
    return null;
  }
  if (dir.split(sep).includes('.git')) return null;
  for (;;) {
    const dotGit = join(dir, '.git');
    const found = lstatSync(dotGit, { throwIfNoEntry: false });
    if (found) {
      if (!found.isDirectory() || found.uid !== uid) return null;
      try {
        const top = statSync(dir);
        if (top.uid !== uid || top.dev !== dev) return null;
        if (
          !HEAD.test(readFileSync(join(dotGit, 'HEAD'), 'utf8')) ||
          !statSync(join(dotGit, 'objects')).isDirectory() ||
          !statSync(join(dotGit, 'refs')).isDirectory()
        )
          return null;
        const entries = plainConfigEntries(readFileSync(join(dotGit, 'config'), 'utf8'));
        if (!entries || entries.some(movesWorkTree)) return null;
      } catch {
        return null;
      }
      return dir;
    }
    // git takes a directory that is itself a repository (a bare one) before going up
    if (lstatSync(join(dir, 'HEAD'), { throwIfNoEntry: false })) return null;
    const up = dirname(dir);
    if (up === dir) return null;
    try {
      if (statSync(up).dev !== dev) return null;
    } catch {
      return null;
    }
    dir = up;
  }
}

function real(path: string): string {
  try {
    return realpathSync(resolve(path));
  } catch {
    return resolve(path);
  }
}

/** Whether `inner` is `outer` or inside it. */
function within(inner: string, outer: string): boolean {
  const rel = relative(outer, inner);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** The option that lets a session's workspace be HOME, `/` or a directory containing HOME. */
export const ALLOW_HOME_OPTION = '--allow-home';

/**
 * Why `workspace` is no place for a session, or null: it is the home directory, `/`, or a
 * directory that contains the home directory. There everything the person owns counts as "inside
 * the workspace", so `rm -rf ~/Documents` would be judged like `rm -rf build`. `cwd`: where harness
 * was started, to say when a git repository at (or above) HOME made it the workspace.
 */
export function homeWorkspaceProblem(workspace: string, cwd: string, home: string = homedir()): string | null {
  const ws = real(workspace);
  const h = real(home);
  if (!within(h, ws)) return null;
  const what = ws === h ? 'your home directory' : ws === '/' ? 'the root directory' : `a directory that contains your home directory ${h}`;
  const via = real(cwd) !== ws ? ` (the git repository around ${real(cwd)} starts there)` : '';
  return `the workspace would be ${ws}, ${what}${via}: all your files would count as the project's`;
}

/** A path as a person would write it: relative inside the workspace, absolute outside. */
export function displayPath(workspace: string, path: string): string {
  const rel = relative(workspace, resolve(workspace, path));
  return rel.startsWith('..') || isAbsolute(rel) ? resolve(workspace, path) : rel;
}

/** harness's private state for one workspace, outside the working tree. */
export function stateDirFor(workspace: string, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.HARNESS_STATE_DIR ?? join(env.XDG_STATE_HOME ?? join(homedir(), '.local', 'state'), 'harness');
  const id = createHash('sha256').update(workspace).digest('hex').slice(0, 12);
  return join(base, `${basename(workspace) || 'root'}-${id}`);
}

/** A running session's private directory: generated agent settings, the control channel. */
export function runtimeDirFor(workspace: string, sessionId: string): string {
  return join(stateDirFor(workspace), 'run', sessionId);
}

export function policyContext(workspace: string, configPath: string | null, auditPath?: string, env: NodeJS.ProcessEnv = process.env): PolicyContext {
  // the agent runs with harness's environment: its $TMPDIR is this one (unset: the shell expands it to nothing)
  const tmp = env.TMPDIR && isAbsolute(env.TMPDIR) ? resolve(env.TMPDIR) : null;
  return {
    workspace,
    home: homedir(),
    stateDir: stateDirFor(workspace),
    ...(configPath ? { configPath } : {}),
    ...(auditPath ? { auditPath: resolve(workspace, auditPath) } : {}),
    scratch: [...new Set(['/tmp', '/var/tmp', resolve(tmpdir()), ...(tmp ? [tmp] : [])])],
    ...(tmp ? { vars: { TMPDIR: tmp } } : {}),
  };
}

/** The audit database: the configured path (relative to the workspace), else the state directory's. */
export function auditPathFor(workspace: string, env: NodeJS.ProcessEnv = process.env, configured?: string): string {
  if (configured) return resolve(workspace, configured);
  return join(stateDirFor(workspace, env), 'audit.db');
}
