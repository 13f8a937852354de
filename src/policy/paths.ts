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
  const normalized = posix.normalize(abs);
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
