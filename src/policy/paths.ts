import { posix } from 'node:path';

/** Last path component of a command word: `/usr/bin/rm` → `rm`. */
export function basename(word: string): string {
  const trimmed = word.replace(/\/+$/, '');
  const slash = trimmed.lastIndexOf('/');
  return slash === -1 ? trimmed : trimmed.slice(slash + 1);
}

export function joinPath(dir: string, rest: string): string {
  return posix.join(dir, rest);
}

/** Absolute, normalized form of a path as the shell would see it from `cwd`. */
export function resolvePath(path: string, cwd: string, home: string): string {
  let p = path;
  if (p === '~' || p.startsWith('~/')) p = home + p.slice(1);
  const abs = p.startsWith('/') ? p : posix.join(cwd, p);
  // `/proc/self/root/…` and `/proc/<pid>/root/…` are the root directory seen through a process
  const normalized = posix.normalize(abs).replace(/^\/proc\/(?:self|thread-self|\d+)\/root(?=\/|$)/, '') || '/';
  return normalized.length > 1 ? normalized.replace(/\/+$/, '') : normalized;
}

export function isInside(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : dir + '/');
}

/** The longest leading directory of a glob that contains no glob characters. */
export function globBase(pattern: string): string {
  const segments = pattern.split('/');
  const fixed: string[] = [];
  for (const segment of segments) {
    if (/[*?[\]{}]|^[@!+]\(/.test(segment)) break;
    fixed.push(segment);
  }
  if (fixed.length === segments.length) return pattern;
  const base = fixed.join('/');
  return base === '' ? '/' : base;
}

export function hasGlob(path: string): boolean {
  return /[*?[\]{}]/.test(path);
}

/** Entries at the top of a temp dir that belong to other programs: dot entries, session sockets' dirs. */
const OTHERS_IN_TMP = /^(\.|tmux-|ssh-|systemd-private-|pulse-|dbus-|gpg-|keyring-|orbit-|vscode-|snap-private-tmp|harness-)/;

/**
 * Where a path is for the defaults and `location` rules: the workspace, scratch space (strictly
 * inside a temp dir, and neither HOME nor harness's state), or outside.
 */
export function locationOf(
  path: string,
  ctx: { workspace: string; home: string; stateDir?: string; scratch?: readonly string[] },
): 'inside' | 'scratch' | 'outside' {
  if (isInside(path, ctx.workspace)) return 'inside';
  const dir = (ctx.scratch ?? []).find((d) => d !== '/' && path !== d && isInside(path, d));
  if (!dir) return 'outside';
  // what other programs keep at the top of a temp dir (X11 and ICE sockets, tmux, ssh agents,
  // systemd's private dirs, harness's own) is theirs, not scratch
  const top = path.slice(dir.replace(/\/$/, '').length + 1).split('/')[0]!;
  if (OTHERS_IN_TMP.test(top)) return 'outside';
  if (isInside(path, ctx.home) || isInside(ctx.home, path)) return 'outside';
  if (ctx.stateDir && (isInside(path, ctx.stateDir) || isInside(ctx.stateDir, path))) return 'outside';
  return 'scratch';
}
