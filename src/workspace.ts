import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { homedir, tmpdir } from 'node:os';
import { basename, isAbsolute, join, relative, resolve } from 'node:path';
import { realpathSync } from 'node:fs';
import type { PolicyContext } from './policy/index.js';

/** The repository root containing `dir`, or `dir` itself outside git. */
export function findWorkspace(dir: string): string {
  const start = resolve(dir);
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
