import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { release } from 'node:os';
import { dirname, join } from 'node:path';
import picomatch from 'picomatch';
import { findExecutable } from '../executable.js';
import type { SandboxProfile } from './profile.js';

type Mount = { path: string; how: 'scratch' | 'rw' | 'ro' | 'hide' };

function kindOf(path: string): 'dir' | 'file' | null {
  try {
    return statSync(path).isDirectory() ? 'dir' : 'file';
  } catch {
    return null;
  }
}

/** A path whose last part is a pattern (`/etc/ssh/*_key`): the entries of its directory it matches. */
function expand(path: string): string[] {
  const base = path.slice(path.lastIndexOf('/') + 1);
  if (!/[*?[\]{}]/.test(base)) return [path];
  const dir = path.slice(0, path.lastIndexOf('/')) || '/';
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  // most such directories (other tools' secrets) do not exist: no pattern compiled for them
  if (names.length === 0) return [];
  const match = picomatch(base, { dot: true });
  return names.filter((name) => match(name)).map((name) => join(dir, name));
}

/** The path with its links resolved (bubblewrap mounts on the link's target anyway); null if absent. */
function real(path: string): string | null {
  try {
    return realpathSync(path);
  } catch {
    return null;
  }
}

const inside = (path: string, dir: string): boolean => path.startsWith(dir === '/' ? '/' : `${dir}/`);

/**
 * A protected path inside a writable tree is bound read-only; renaming a directory above it would
 * carry the mount away and leave a writable copy in its place. Every directory between the writable
 * root and the protected path is bound onto itself, and a mount point cannot be renamed (EBUSY).
 */
function anchors(guarded: Mount[], mounts: Mount[]): Mount[] {
  // only trees bound from the host: a private /tmp holds nothing to carry away
  const roots = mounts.filter((m) => m.how === 'rw').map((m) => m.path);
  const out = new Map<string, Mount>();
  for (const { path } of guarded) {
    const root = roots.filter((r) => inside(path, r)).sort((a, b) => b.length - a.length)[0];
    if (!root) continue;
    for (let dir = path.slice(0, path.lastIndexOf('/')); dir.length > root.length && inside(dir, root); dir = dir.slice(0, dir.lastIndexOf('/'))) {
      out.set(dir, { path: dir, how: 'rw' });
    }
  }
  return [...out.values()].sort((a, b) => depth(a.path) - depth(b.path));
}

const depth = (p: string): number => p.split('/').filter(Boolean).length;

/**
 * The bubblewrap command line for a profile: the host's root read-only, the writable trees bound
 * back read-write (deeper binds over shallower ones), secrets hidden, harness's own files read-only
 * on top of everything; its own PID, network, IPC and user namespaces, no capabilities; killed with
 * the supervisor.
 * Paths that do not exist are left out: nothing can create them in a read-only tree.
 */
export function bwrapArgs(profile: SandboxProfile, opts: { newSession: boolean; emptyFile: string }): string[] {
  const args = ['--ro-bind', '/', '/', '--dev', '/dev', '--proc', '/proc'];
  // no capabilities inside, even for root: none to undo the mounts with, none to read the
  // non-dumpable launcher's memory through /proc
  args.push(
    '--unshare-user',
    '--unshare-pid',
    '--unshare-net',
    '--unshare-ipc',
    '--unshare-cgroup-try',
    '--die-with-parent',
    '--disable-userns',
    '--cap-drop',
    'ALL',
  );
  if (opts.newSession) args.push('--new-session');
  const resolved = (paths: string[], how: Mount['how']): Mount[] =>
    paths.flatMap(expand).flatMap((p) => {
      const path = real(p);
      return path ? [{ path, how }] : [];
    });
  const mounts: Mount[] = [
    ...resolved(profile.scratch, 'scratch'),
    ...resolved(profile.writable, 'rw'),
    ...resolved(profile.readOnly, 'ro'),
    ...resolved(profile.hidden, 'hide'),
  ].sort((a, b) => depth(a.path) - depth(b.path));
  const seen = new Set<string>();
  // hidden directories become read-only last, once whatever is bound inside them is in place
  const remount: string[] = [];
  const guarded = resolved(profile.protected, 'ro');
  // anchors go in depth order with the rest, under whatever is mounted deeper
  const ordered = [...mounts, ...anchors(guarded, mounts)].sort((a, b) => depth(a.path) - depth(b.path));
  for (const m of [...ordered, ...guarded]) {
    const kind = kindOf(m.path);
    if (!kind) continue;
    const key = `${m.how}:${m.path}`;
    if (seen.has(key) && m.how !== 'ro') continue;
    seen.add(key);
    if (m.how === 'scratch') args.push('--tmpfs', m.path);
    else if (m.how === 'rw') args.push('--bind', m.path, m.path);
    else if (m.how === 'ro') args.push('--ro-bind', m.path, m.path);
    else if (kind === 'dir') {
      args.push('--tmpfs', m.path);
      remount.push(m.path);
    }
    // an empty regular file: /dev/null would be a device on a nodev mount, which fails to open
    else args.push('--ro-bind', opts.emptyFile, m.path);
  }
  for (const path of remount) args.push('--remount-ro', path);
  return args;
}

export type Availability = { ok: true; binary: string } | { ok: false; problem: string; fix: string };

let cached: Availability | null = null;

/** Whether bubblewrap runs here, and if not what to do about it. Probed once per process. */
export function bwrapAvailability(): Availability {
  if (cached) return cached;
  cached = probe();
  return cached;
}

/**
 * The same, from an earlier session's probe when nothing it depends on has changed: the probe runs
 * bubblewrap, 10 to 30 ms a session's start waits for. Only a probe that succeeded is kept (in
 * harness's state, which the agent can neither read nor write), for this bwrap binary (its path,
 * inode, size and mtime), this kernel and its user-namespace settings, this user. Whatever cannot
 * be read or does not match means a probe. A system changed in a way this does not see makes the
 * sandbox fail to start: the session then drops the record and probes again (`reprobe`), and the
 * agent never runs outside the sandbox because of a stale record.
 */
export function bwrapAvailabilityCached(file: string): { availability: Availability; from: 'record' | 'probe' } {
  if (cached) return { availability: cached, from: 'probe' };
  const key = probeKey();
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as { format?: unknown; key?: unknown };
    if (key && record.format === 1 && record.key === key.key) {
      cached = { ok: true, binary: key.binary };
      return { availability: cached, from: 'record' };
    }
  } catch {
    // no record: probe
  }
  const availability = bwrapAvailability();
  if (availability.ok && key && availability.binary === key.binary) keepRecord(file, key.key);
  return { availability, from: 'probe' };
}

/** After a start that failed on a recorded probe: the record dropped, bubblewrap probed again. */
export function reprobe(file: string): Availability {
  rmSync(file, { force: true });
  cached = null;
  return bwrapAvailability();
}

function probeKey(): { binary: string; key: string } | null {
  if (process.platform !== 'linux') return null;
  const binary = findExecutable('bwrap');
  if (!binary) return null;
  try {
    const st = statSync(binary);
    const setting = (path: string): string => {
      try {
        return readFileSync(path, 'utf8').trim();
      } catch {
        return '-';
      }
    };
    const namespaces = [
      '/proc/sys/user/max_user_namespaces',
      '/proc/sys/kernel/unprivileged_userns_clone',
      '/proc/sys/kernel/apparmor_restrict_unprivileged_userns',
    ].map(setting);
    return { binary, key: JSON.stringify([binary, st.ino, st.size, st.mtimeMs, release(), process.getuid?.() ?? -1, ...namespaces]) };
  } catch {
    return null;
  }
}

function keepRecord(file: string, key: string): void {
  const temp = `${file}.${process.pid}`;
  try {
    mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
    writeFileSync(temp, JSON.stringify({ format: 1, key }), { mode: 0o600 });
    renameSync(temp, file);
  } catch {
    rmSync(temp, { force: true });
  }
}

function probe(): Availability {
  if (process.platform !== 'linux') {
    return {
      ok: false,
      problem: `no OS sandbox for ${process.platform} yet (macOS Seatbelt is planned)`,
      fix: 'run with --no-sandbox, or set sandbox.mode to "off"',
    };
  }
  const binary = findExecutable('bwrap');
  if (!binary)
    return {
      ok: false,
      problem: 'bubblewrap (bwrap) is not installed',
      fix: 'install it: sudo apt-get install bubblewrap (Debian/Ubuntu), sudo dnf install bubblewrap (Fedora)',
    };
  try {
    execFileSync(
      binary,
      [
        '--ro-bind',
        '/',
        '/',
        '--dev',
        '/dev',
        '--proc',
        '/proc',
        '--unshare-user',
        '--unshare-pid',
        '--unshare-net',
        '--die-with-parent',
        '--disable-userns',
        'true',
      ],
      {
        stdio: ['ignore', 'ignore', 'pipe'],
        timeout: 10_000,
      },
    );
    return { ok: true, binary };
  } catch (e) {
    const stderr = String((e as { stderr?: Buffer }).stderr ?? '').trim();
    let restricted = '';
    try {
      restricted = execFileSync('sysctl', ['-n', 'kernel.apparmor_restrict_unprivileged_userns'], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim();
    } catch {
      // no such setting: not Ubuntu's AppArmor restriction
    }
    if (/unknown option|unrecognized option/i.test(stderr)) {
      return {
        ok: false,
        problem: `this bubblewrap is too old (${stderr})`,
        fix: "install bubblewrap 0.8 or newer (it has --disable-userns), e.g. from your distribution's backports",
      };
    }
    if (restricted === '1') {
      return {
        ok: false,
        problem: `bubblewrap cannot create user namespaces: AppArmor restricts them (kernel.apparmor_restrict_unprivileged_userns=1)${stderr ? `: ${stderr}` : ''}`,
        fix: 'allow bwrap an AppArmor profile with "userns" (see the bubblewrap package of your release), or: sudo sysctl kernel.apparmor_restrict_unprivileged_userns=0',
      };
    }
    return {
      ok: false,
      problem: `bubblewrap does not run here${stderr ? `: ${stderr}` : ''}`,
      fix: 'check that user namespaces are enabled (sysctl user.max_user_namespaces > 0), or run with --no-sandbox',
    };
  }
}
