import type { LooseObjectWriter } from './objects.js';

/** Regular file, executable file, symlink, gitlink (a nested repository or submodule). */
export type LeafMode = '100644' | '100755' | '120000' | '160000';

export interface Leaf {
  mode: LeafMode;
  oid: string;
}

/** A directory of the snapshot; `oid` is its tree id, or null once something under it changed. */
export class Dir {
  readonly children = new Map<string, Leaf | Dir>();
  oid: string | null = null;
}

export const GITLINK_MODE = '160000';
const LEAF_MODES = new Set<string>(['100644', '100755', '120000', GITLINK_MODE]);

function components(path: string): string[] {
  return path.split('/').filter((c) => c !== '' && c !== '.');
}

/**
 * The working tree as the last checkpoint saw it, in memory: the files git would record, with the
 * tree ids of untouched directories kept, so a checkpoint after a small change rewrites only the
 * trees on the changed paths — its cost does not grow with the size of the repository.
 */
export class TreeModel {
  readonly root = new Dir();
  private leaves = 0;

  get size(): number {
    return this.leaves;
  }

  /** Builds the model from `git ls-tree -r -t -z --full-tree <tree>` output (read as a byte string). */
  static fromLsTree(rootOid: string, listing: string): TreeModel {
    const model = new TreeModel();
    for (const record of listing.split('\0')) {
      if (!record) continue;
      const tab = record.indexOf('\t');
      const [mode, type, oid] = record.slice(0, tab).split(' ');
      const path = record.slice(tab + 1);
      if (type === 'tree') model.dirAt(path, true)!.oid = oid!;
      else if (LEAF_MODES.has(mode!)) model.set(path, { mode: mode as LeafMode, oid: oid! }, false);
    }
    model.root.oid = rootOid;
    return model;
  }

  get(path: string): Leaf | Dir | undefined {
    let node: Leaf | Dir | undefined = this.root;
    for (const c of components(path)) {
      if (!(node instanceof Dir)) return undefined;
      node = node.children.get(c);
    }
    return node;
  }

  /** The file (or gitlink) recorded at `path`, if that is what is there. */
  leaf(path: string): Leaf | undefined {
    const node = this.get(path);
    return node instanceof Dir ? undefined : node;
  }

  /** True when a parent of `path` is a gitlink: the content of a nested repository is not ours. */
  insideGitlink(path: string): boolean {
    let node: Leaf | Dir | undefined = this.root;
    for (const c of components(path).slice(0, -1)) {
      if (!(node instanceof Dir)) return false;
      node = node.children.get(c);
      if (node && !(node instanceof Dir) && node.mode === GITLINK_MODE) return true;
    }
    return false;
  }

  private dirAt(path: string, create: boolean, invalidate = false): Dir | undefined {
    let dir = this.root;
    if (invalidate) dir.oid = null;
    for (const c of components(path)) {
      let next = dir.children.get(c);
      if (!(next instanceof Dir)) {
        if (!create) return undefined;
        if (next) this.leaves--;
        next = new Dir();
        dir.children.set(c, next);
      }
      dir = next;
      if (invalidate) dir.oid = null;
    }
    return dir;
  }

  /** Records a file at `path`, replacing whatever was there (a directory there goes with it). */
  set(path: string, leaf: Leaf, invalidate = true): void {
    const parts = components(path);
    const name = parts.pop();
    if (!name) return;
    const dir = this.dirAt(parts.join('/'), true, invalidate)!;
    const old = dir.children.get(name);
    if (old instanceof Dir) this.leaves -= countLeaves(old);
    else if (old) this.leaves--;
    dir.children.set(name, { mode: leaf.mode, oid: leaf.oid });
    this.leaves++;
  }

  /** Forgets `path` (a file or a whole directory); directories left empty go too, as in git. */
  remove(path: string): boolean {
    const parts = components(path);
    const chain: Dir[] = [this.root];
    for (const c of parts.slice(0, -1)) {
      const next = chain[chain.length - 1]!.children.get(c);
      if (!(next instanceof Dir)) return false;
      chain.push(next);
    }
    const name = parts[parts.length - 1];
    const parent = chain[chain.length - 1]!;
    const old = name === undefined ? undefined : parent.children.get(name);
    if (old === undefined) return false;
    this.leaves -= old instanceof Dir ? countLeaves(old) : 1;
    parent.children.delete(name!);
    for (const d of chain) d.oid = null;
    for (let i = chain.length - 1; i > 0 && chain[i]!.children.size === 0; i--) chain[i - 1]!.children.delete(parts[i - 1]!);
    return true;
  }

  /** Paths of the nested repositories (gitlinks). */
  gitlinks(): string[] {
    const out: string[] = [];
    const walk = (dir: Dir, prefix: string): void => {
      for (const [name, child] of dir.children) {
        const path = prefix ? `${prefix}/${name}` : name;
        if (child instanceof Dir) walk(child, path);
        else if (child.mode === GITLINK_MODE) out.push(path);
      }
    };
    walk(this.root, '');
    return out;
  }

  /** Paths of every directory that holds something, '' for the root. */
  directories(): string[] {
    const out: string[] = [];
    const walk = (dir: Dir, prefix: string): void => {
      out.push(prefix);
      for (const [name, child] of dir.children) if (child instanceof Dir) walk(child, prefix ? `${prefix}/${name}` : name);
    };
    walk(this.root, '');
    return out;
  }

  /** Writes the trees that changed since the last call and returns the root tree id. */
  writeTree(writer: LooseObjectWriter): string {
    const write = (dir: Dir): string => {
      if (dir.oid) return dir.oid;
      const entries = [...dir.children].map(([name, child]) => {
        const isDir = child instanceof Dir;
        // names are byte strings (latin1): the tree holds the exact bytes
        return { key: Buffer.from(isDir ? `${name}/` : name, 'latin1'), name, mode: isDir ? '40000' : child.mode, oid: isDir ? write(child) : child.oid };
      });
      entries.sort((a, b) => Buffer.compare(a.key, b.key));
      const oidBytes = writer.format === 'sha1' ? 20 : 32;
      const parts: Buffer[] = [];
      for (const e of entries) parts.push(Buffer.from(`${e.mode} ${e.name}\0`, 'latin1'), Buffer.from(e.oid, 'hex').subarray(0, oidBytes));
      dir.oid = writer.write('tree', Buffer.concat(parts));
      return dir.oid;
    };
    return write(this.root);
  }
}

function countLeaves(dir: Dir): number {
  let n = 0;
  for (const child of dir.children.values()) n += child instanceof Dir ? countLeaves(child) : 1;
  return n;
}
