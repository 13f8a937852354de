import { readFileSync, type Stats } from 'node:fs';
import { fromShown, shown } from './paths.js';

/**
 * What a checkpoint holds beside its git tree, because a git tree cannot: mode bits other than the
 * two git keeps (a checkout gives 0666 or 0777 less the umask), empty directories; and what it
 * names without holding: nested repositories (recorded as a gitlink, never restored) and fifos,
 * sockets, devices. Kept in the checkpoint's message, paths as `shown` gives them, each list capped.
 */
export interface OutsideGit {
  /** Path -> octal mode bits, for files whose bits a checkout would not give back. */
  modes?: Record<string, string>;
  emptyDirs?: string[];
  /** Nested repositories: their content is not in the checkpoint, a rollback leaves them as they are. */
  nested?: string[];
  /** Fifos, sockets, devices: not recorded, never touched. */
  special?: string[];
  /** How many entries in all, when more than the lists hold. */
  count?: number;
}

/** Entries per list a checkpoint message holds (the count is always complete). */
export const OUTSIDE_LISTED = 200;

let cachedUmask: number | null = null;

/** The process's umask (what a checkout's new files lose). */
export function umask(): number {
  if (cachedUmask !== null) return cachedUmask;
  try {
    const m = /^Umask:\s*([0-7]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return (cachedUmask = parseInt(m[1]!, 8));
  } catch {
    // not Linux
  }
  const old = process.umask(0o022);
  process.umask(old);
  return (cachedUmask = old);
}

/** The mode bits of a regular file when a checkout would not give them back, else null. */
export function unusualMode(st: Stats): number | null {
  const bits = st.mode & 0o7777;
  const given = (st.mode & 0o100 ? 0o777 : 0o666) & ~umask();
  return bits === given ? null : bits;
}

/** In-memory form: byte-string paths. */
export interface OutsideSets {
  modes: Map<string, number>;
  emptyDirs: Set<string>;
  nested: Set<string>;
  special: Set<string>;
}

export function emptySets(): OutsideSets {
  return { modes: new Map(), emptyDirs: new Set(), nested: new Set(), special: new Set() };
}

export function toMessage(sets: OutsideSets): OutsideGit | undefined {
  const count = sets.modes.size + sets.emptyDirs.size + sets.nested.size + sets.special.size;
  if (count === 0) return undefined;
  // sorted, so the same state gives the same notes (in a pathological tree only the first ones seen)
  const first = <T>(items: T[], by: (t: T) => string): T[] =>
    items.length > 25 * OUTSIDE_LISTED
      ? items.slice(0, OUTSIDE_LISTED)
      : items.sort((a, b) => (by(a) < by(b) ? -1 : by(a) > by(b) ? 1 : 0)).slice(0, OUTSIDE_LISTED);
  const list = (s: Iterable<string>) => first([...s], (p) => p).map(shown);
  const out: OutsideGit = {};
  if (sets.modes.size > 0) out.modes = Object.fromEntries(first([...sets.modes], ([p]) => p).map(([p, m]) => [shown(p), m.toString(8).padStart(4, '0')]));
  if (sets.emptyDirs.size > 0) out.emptyDirs = list(sets.emptyDirs);
  if (sets.nested.size > 0) out.nested = list(sets.nested);
  if (sets.special.size > 0) out.special = list(sets.special);
  const listed = Object.keys(out.modes ?? {}).length + (out.emptyDirs?.length ?? 0) + (out.nested?.length ?? 0) + (out.special?.length ?? 0);
  if (listed < count) out.count = count;
  return out;
}

export function fromMessage(o: OutsideGit | undefined): OutsideSets {
  const sets = emptySets();
  if (!o) return sets;
  for (const [p, m] of Object.entries(o.modes ?? {})) if (/^[0-7]{3,4}$/.test(m)) sets.modes.set(fromShown(p), parseInt(m, 8));
  for (const p of o.emptyDirs ?? []) sets.emptyDirs.add(fromShown(p));
  for (const p of o.nested ?? []) sets.nested.add(fromShown(p));
  for (const p of o.special ?? []) sets.special.add(fromShown(p));
  return sets;
}

/** A stable key: two checkpoints with the same tree and key hold the same thing. */
export function outsideKey(o: OutsideGit | undefined): string {
  return o ? JSON.stringify(o) : '';
}

const some = (items: string[], n = 3): string => items.slice(0, n).join(', ') + (items.length > n ? ` and ${items.length - n} more` : '');

/** One line for a checkpoint listing: what it holds outside git's tree, or null. */
export function describeOutside(o: OutsideGit | undefined): string | null {
  if (!o) return null;
  const parts: string[] = [];
  const modes = Object.entries(o.modes ?? {});
  if (modes.length) parts.push(`mode bits git does not keep: ${some(modes.map(([p, m]) => `${p} ${m}`))} (kept beside the tree)`);
  if (o.emptyDirs?.length) parts.push(`empty directories: ${some(o.emptyDirs)} (kept beside the tree)`);
  if (o.nested?.length) parts.push(`nested repositories, not recorded, never rolled back: ${some(o.nested)}`);
  if (o.special?.length) parts.push(`fifos, sockets or devices, not recorded: ${some(o.special)}`);
  if (o.count) parts.push(`${o.count} such entries in all, not all named here (those not named are not restored exactly)`);
  return parts.length ? parts.join('; ') : null;
}
