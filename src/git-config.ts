/**
 * A reader of the plain subset of git's config syntax, for what harness asks of a repository before
 * the agent starts (its remotes, whether its work tree is elsewhere) without a git process each
 * time. Anything outside the subset — a value with quotes, escapes or a comment, a continued line,
 * a header with a key after it, the old `[section.sub]` form — makes it give up (null), and the
 * caller asks git itself: its answer is git's or none.
 */

/** One `key = value` of a config file: section and key lower-cased as git does, the subsection as written. */
export interface ConfigEntry {
  section: string;
  subsection: string | null;
  key: string;
  /** null: the key stands alone (`bare`), which git reads as true. */
  value: string | null;
}

const HEADER = /^\s*\[\s*([A-Za-z0-9-]+)(?:\s+"([^"\\\n]*)")?\s*\]\s*(?:[#;].*)?$/;
const ENTRY = /^\s*([A-Za-z][A-Za-z0-9-]*)\s*(?:=\s*([^"\\#;]*?))?\s*$/;
const BLANK = /^\s*(?:[#;].*)?$/;

/** The entries of a config file's text, in order; null when it leaves the plain subset. */
export function plainConfigEntries(text: string): ConfigEntry[] | null {
  const out: ConfigEntry[] = [];
  let section: string | null = null;
  let subsection: string | null = null;
  for (const line of text.split('\n')) {
    // a line continued on the next one: the next is not an entry of its own
    if (line.endsWith('\\') || line.endsWith('\\\r')) return null;
    if (BLANK.test(line)) continue;
    const header = HEADER.exec(line);
    if (header) {
      section = header[1]!.toLowerCase();
      subsection = header[2] ?? null;
      continue;
    }
    const entry = ENTRY.exec(line);
    if (!entry || section === null) return null;
    out.push({ section, subsection, key: entry[1]!.toLowerCase(), value: entry[2] ?? null });
  }
  return out;
}
