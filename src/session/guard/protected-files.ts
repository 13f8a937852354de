import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, symlinkSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { dirname, join } from 'node:path';

/** Whose file it is decides what harness does when it changes behind its back. */
/** `runs-code`: a file that makes git or an agent run a program (git's config moved elsewhere, the agent's own hooks). */
export type ProtectedKind = 'harness-config' | 'harness-settings' | 'agent-settings' | 'git' | 'runs-code';

export interface ProtectedSpec {
  path: string;
  kind: ProtectedKind;
  /** A directory whose every entry is protected (.git/hooks). */
  directory?: boolean;
}

interface FileState {
  content: Buffer | null;
  mode: number;
  /** A symlink's target. */
  link?: string;
  /** Known only by size and time or type: compared, never restored. */
  opaque?: boolean;
  /** inode, size, change time and mode: while these stay, the content has not changed. */
  stamp: string;
}

const ABSENT: FileState = { content: null, mode: 0, stamp: 'absent' };

function stampOf(path: string): string {
  try {
    const st = lstatSync(path, { bigint: true });
    return `${st.ino}:${st.size}:${st.ctimeNs}:${st.mode}`;
  } catch {
    return 'absent';
  }
}

export interface ProtectedChange {
  path: string;
  kind: ProtectedKind;
  /** The file as harness last accepted it (null: it did not exist). */
  before: Buffer | null;
  after: Buffer | null;
}

/** Larger files are compared by size and time only (protected files are small; this bounds the work). */
const MAX_COMPARE = 4 * 1024 * 1024;

/** The file now; `known` is reused without reading when the file's stamp has not moved. */
function readState(path: string, known?: FileState): FileState {
  const stamp = stampOf(path);
  if (known && known.stamp === stamp) return known;
  try {
    const st = lstatSync(path);
    if (st.isSymbolicLink()) {
      const link = readlinkSync(path);
      return { content: Buffer.from(`symlink:${link}`), mode: st.mode, link, stamp };
    }
    if (!st.isFile()) return { content: Buffer.from(`not-a-file:${st.mode}`), mode: st.mode, opaque: true, stamp };
    if (st.size > MAX_COMPARE) return { content: Buffer.from(`large:${st.size}:${st.mtimeMs}`), mode: st.mode, opaque: true, stamp };
    return { content: readFileSync(path), mode: st.mode, stamp };
  } catch {
    return ABSENT;
  }
}

const same = (a: FileState, b: FileState): boolean =>
  a.content === null ? b.content === null : b.content !== null && a.content.equals(b.content) && (a.mode & 0o777) === (b.mode & 0o777);

/**
 * Files the agent may not change (the harness config, the injected hook settings, the agent's
 * settings, .git/hooks and .git/config), remembered as they were when harness last accepted them.
 * `changes()` says which differ now; `restore()` puts one back; `accept()` takes the present as
 * the new good state. Watches their directories so a change is seen at once, not only at the next
 * tool call.
 */
export class ProtectedFiles {
  private readonly good = new Map<string, FileState>();
  /** What was last reported, so one change is reported once. */
  private readonly reported = new Map<string, FileState>();
  private readonly kinds = new Map<string, ProtectedKind>();
  private readonly watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly specs: ProtectedSpec[]) {
    for (const path of this.paths()) this.good.set(path, readState(path));
  }

  /** Every protected path now: the files, and the entries of protected directories. */
  private paths(): string[] {
    const out = new Set<string>();
    const add = (path: string, kind: ProtectedKind): void => {
      out.add(path);
      this.kinds.set(path, kind);
    };
    for (const spec of this.specs) {
      if (!spec.directory) {
        add(spec.path, spec.kind);
        continue;
      }
      try {
        for (const name of readdirSync(spec.path).slice(0, 1000)) add(join(spec.path, name), spec.kind);
      } catch {
        // absent: entries appearing later are new files
      }
    }
    // entries that were there and are gone are still protected (a deleted hook is a change too)
    for (const path of this.good.keys()) out.add(path);
    return [...out];
  }

  kindOf(path: string): ProtectedKind | null {
    return this.kinds.get(path) ?? null;
  }

  /** Protected files that differ from their good state and were not reported yet. */
  changes(): ProtectedChange[] {
    const out: ProtectedChange[] = [];
    for (const path of this.paths()) {
      const good = this.good.get(path) ?? ABSENT;
      const last = this.reported.get(path);
      const now = readState(path, last ?? good);
      if (same(now, good)) {
        this.reported.delete(path);
        continue;
      }
      if (last && same(now, last)) continue;
      this.reported.set(path, now);
      out.push({ path, kind: this.kindOf(path) ?? 'git', before: good.content, after: now.content });
    }
    return out;
  }

  /** The file as it is now becomes its good state (the person changed it). */
  accept(path: string): void {
    this.good.set(path, readState(path));
    this.reported.delete(path);
  }

  /** Puts the file back as harness last accepted it (removes it if it did not exist); false when it cannot. */
  restore(path: string): boolean {
    const good = this.good.get(path) ?? ABSENT;
    if (good.opaque) return false;
    try {
      rmSync(path, { force: true, recursive: true });
      if (good.content !== null) {
        mkdirSync(dirname(path), { recursive: true });
        if (good.link !== undefined) symlinkSync(good.link, path);
        else {
          writeFileSync(path, good.content, { mode: good.mode & 0o777 });
          chmodSync(path, good.mode & 0o777);
        }
      }
    } catch {
      return false;
    }
    // the same content under a new inode and change time: remember the new stamp
    this.good.set(path, { ...good, stamp: stampOf(path) });
    this.reported.delete(path);
    return true;
  }

  /** Calls `onChange` shortly after anything happens in a protected file's directory. */
  watch(onChange: () => void): void {
    const dirs = new Set(this.specs.map((s) => (s.directory ? s.path : dirname(s.path))));
    for (const dir of dirs) {
      try {
        const w = watch(dir, { persistent: false }, () => {
          if (this.timer) clearTimeout(this.timer);
          this.timer = setTimeout(() => {
            this.timer = null;
            onChange();
          }, 30);
        });
        w.on('error', () => w.close());
        this.watchers.push(w);
      } catch {
        // a directory that does not exist yet: the check at every tool call still covers it
      }
    }
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const w of this.watchers) w.close();
    this.watchers.length = 0;
  }
}
