import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HarnessError } from '../errors.js';

/** JSON with // and /* comments (as agents' settings files allow): comments outside strings removed. */
export function stripJsonComments(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      out += text.slice(start, ++i);
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? text.length : end + 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** A settings file as an object: {} when absent; an unreadable one is an error naming it. */
export function readJsonSettings(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return {};
  }
  try {
    const value: unknown = text.trim() === '' ? {} : JSON.parse(stripJsonComments(text));
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
    throw new Error('not a JSON object');
  } catch (error) {
    throw new HarnessError(`${path}: ${error instanceof Error ? error.message : String(error)}. Fix the file (it must be one JSON object) and run again.`, 2);
  }
}

export interface ConfigOverlay {
  /** harness's merged settings file in the overlay. */
  settingsPath: string;
  /** Moves what the agent created in the overlay into the person's directory (never over a file there). */
  finish: () => void;
}

/**
 * A private copy of an agent's config directory for one run: every entry of the person's directory
 * linked (reads and writes reach the person's files), except the settings file, which is the
 * person's settings passed through `merge`. Nothing in the person's directory is changed.
 */
export function configOverlay(realDir: string, overlayDir: string, settingsName: string, merge: (mine: Record<string, unknown>) => Record<string, unknown>): ConfigOverlay {
  mkdirSync(overlayDir, { recursive: true, mode: 0o700 });
  const entries = existsSync(realDir) ? readdirSync(realDir) : [];
  for (const name of entries) if (name !== settingsName) symlinkSync(join(realDir, name), join(overlayDir, name));
  const settingsPath = join(overlayDir, settingsName);
  writeFileSync(settingsPath, JSON.stringify(merge(readJsonSettings(join(realDir, settingsName))), null, 2), { mode: 0o600 });
  return {
    settingsPath,
    finish: () => {
      for (const name of readdirSync(overlayDir)) {
        const from = join(overlayDir, name);
        const to = join(realDir, name);
        if (name === settingsName || lstatSync(from).isSymbolicLink() || existsSync(to)) continue;
        try {
          mkdirSync(realDir, { recursive: true, mode: 0o700 });
          renameSync(from, to);
        } catch {
          // another file system: copy, then drop the private one
          cpSync(from, to, { recursive: true });
          rmSync(from, { recursive: true, force: true });
        }
      }
    },
  };
}
