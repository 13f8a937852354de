import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError } from '../errors.js';

/** A value a person typed, as an error message shows it: quoted, control characters escaped, long ones cut. */
export function shown(value: unknown, max = 60): string {
  const text = String(value);
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut);
}

/**
 * A whole number typed on the command line, from `min` to `max`: digits only (no sign, exponent,
 * fraction, hex or spaces inside), so that what harness uses is exactly what was typed.
 */
export function wholeNumber(name: string, value: unknown, { min = 1, max = 1_000_000_000 }: { min?: number; max?: number } = {}): number {
  const text = typeof value === 'string' ? value.trim() : String(value);
  const range = `a whole number from ${min} to ${max}`;
  if (!/^\d+$/.test(text)) throw new UsageError(`${name}: expected ${range} (found ${shown(value)})`);
  const n = Number(text);
  if (!Number.isSafeInteger(n) || n > max) throw new UsageError(`${name}: ${shown(value, 30)} is too large: expected ${range}`);
  if (n < min) throw new UsageError(`${name}: expected ${range} (found ${shown(value)})`);
  return n;
}

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
/** The longest duration accepted: about a hundred years. */
const MAX_DURATION_MS = 100 * 365 * 86_400_000;

/** A duration (`30m`, `2h`, `7d`, `2w`) in milliseconds, at most about a hundred years; null if `value` is not one. */
export function duration(name: string, value: string): number | null {
  const rel = /^(\d+)\s*([smhdw])$/.exec(value.trim());
  if (!rel) return null;
  const amount = Number(rel[1]);
  const ms = amount * UNITS[rel[2]!]!;
  if (!Number.isSafeInteger(amount) || !Number.isFinite(ms) || ms > MAX_DURATION_MS) {
    throw new UsageError(`${name}: ${shown(value, 30)} is too long ago: expected a duration of at most 100 years, like 30m, 2h, 7d or 2w`);
  }
  return ms;
}

/** `30m`, `2h`, `7d` ago, or an ISO date, as epoch milliseconds. */
export function pointInTime(name: string, value: string, now = Date.now()): number {
  const ms = duration(name, value);
  if (ms !== null) return now - ms;
  const abs = /\d/.test(value) ? Date.parse(value) : Number.NaN;
  if (Number.isNaN(abs)) throw new UsageError(`${name}: expected a duration like 30m, 2h, 7d or a date like 2026-11-21 (found ${shown(value)})`);
  return abs;
}

/** A duration that must be given as one (`7d`, `12h`), not as a date. */
export function durationOnly(name: string, value: string): number {
  const ms = duration(name, value);
  if (ms === null) throw new UsageError(`${name}: expected a duration like 12h, 7d or 2w (found ${shown(value)})`);
  return ms;
}

/** A directory named on the command line (`--cwd`), resolved; the current one when none is given. */
export function existingDir(name: string, value: string | undefined): string {
  if (value === undefined) return resolve(process.cwd());
  if (value.trim() === '') throw new UsageError(`${name}: expected a directory (found "")`);
  const dir = resolve(value);
  let ok = false;
  try {
    ok = statSync(dir).isDirectory();
  } catch {
    // missing or unreadable
  }
  if (!ok) throw new UsageError(`${name}: no such directory: ${shown(dir, 200)}`);
  return dir;
}
