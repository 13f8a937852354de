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

/** A file the overlay holds as its own copy instead of a link. */
export interface OverlayFile {
  name: string;
  /** Where the person's version is (default: the entry of the same name in the person's directory). */
  source?: string;
  /** The overlay's version from the person's. */
  content: (mine: Record<string, unknown>) => Record<string, unknown>;
  /** At the end, the top-level keys the agent changed that this admits are written back into the person's file. */
  writeBack?: (key: string) => boolean;
}

export interface ConfigOverlay {
  /** The overlay's copy of each file, by name. */
  paths: Record<string, string>;
  /** Moves what the agent created or replaced in the overlay back into the person's directory. */
  finish: () => void;
}

function writeAtomically(path: string, text: string): void {
  const tmp = `${path}.harness-${process.pid}`;
  writeFileSync(tmp, text, { mode: 0o600 });
  renameSync(tmp, path);
}

/** The person's file with the top-level keys the run changed (from `before` to `after`) applied. */
function mergeChanges(
  current: Record<string, unknown>,
  before: Record<string, unknown>,
  after: Record<string, unknown>,
  admit: (key: string) => boolean,
): Record<string, unknown> {
  const out = { ...current };
  for (const key of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (!admit(key) || JSON.stringify(before[key]) === JSON.stringify(after[key])) continue;
    if (key in after) out[key] = after[key];
    else delete out[key];
  }
  return out;
}

/**
 * A private copy of an agent's config directory for one run: every entry of the person's directory
 * linked (reads and writes reach the person's files), except `files`, which are the overlay's own
 * copies (harness's hooks merged in, or a file the agent must be able to replace atomically).
 */
export function configOverlay(realDir: string, overlayDir: string, files: OverlayFile[], moveBack: (name: string) => boolean = () => true): ConfigOverlay {
  mkdirSync(overlayDir, { recursive: true, mode: 0o700 });
  const own = new Set(files.map((f) => f.name));
  const linked = (existsSync(realDir) ? readdirSync(realDir) : []).filter((name) => !own.has(name));
  for (const name of linked) symlinkSync(join(realDir, name), join(overlayDir, name));
  const paths: Record<string, string> = {};
  const initial = new Map<string, Record<string, unknown>>();
  for (const f of files) {
    const content = f.content(readJsonSettings(f.source ?? join(realDir, f.name)));
    paths[f.name] = join(overlayDir, f.name);
    initial.set(f.name, content);
    writeFileSync(paths[f.name]!, JSON.stringify(content, null, 2), { mode: 0o600 });
  }
  return {
    paths,
    finish: () => {
      for (const f of files) {
        if (!f.writeBack) continue;
        let after: Record<string, unknown>;
        try {
          after = readJsonSettings(paths[f.name]!);
        } catch {
          continue;
        }
        const target = f.source ?? join(realDir, f.name);
        const before = initial.get(f.name)!;
        if (JSON.stringify(after) !== JSON.stringify(before))
          writeAtomically(target, JSON.stringify(mergeChanges(readJsonSettings(target), before, after, f.writeBack), null, 2));
      }
      for (const name of readdirSync(overlayDir)) {
        const from = join(overlayDir, name);
        const to = join(realDir, name);
        // what would make the agent run something on its next start stays in the overlay
        if (own.has(name) || !moveBack(name) || lstatSync(from).isSymbolicLink()) continue;
        // a new entry, or one the agent replaced (written elsewhere and renamed over the link)
        if (existsSync(to) && !linked.includes(name)) continue;
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
