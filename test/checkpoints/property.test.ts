import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
  type Stats,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore, type Checkpoint } from '../../src/checkpoints/store.js';

/*
 * Seeded, replayable property test of the checkpoint store on real git repositories and real files.
 * Each run makes random edits between checkpoints (creates, deletes, renames, binaries, symlinks,
 * mode bits, names that are not UTF-8 or hold newlines, dashes, quotes, glob characters; ignore-rule
 * edits that hide or un-ignore files; .gitattributes with text=auto, eol=crlf, ident, clean/smudge
 * filters, one that fails; writes through mmap that inotify never reports; files a tool writes
 * through an ignore rule; nested repositories; empty directories; fifos), then checks:
 *   - every checkpoint holds exactly what is on disk (names as bytes, content, mode, link targets),
 *     except writes the watcher could not see (mmap) since its last full scan;
 *   - a rollback to any checkpoint (by the session's store, or by a second one as `harness rollback`
 *     after the session) restores it byte for byte, file modes and empty directories included,
 *     removes what the agent added, and leaves alone what checkpoints never held;
 *   - undoing that rollback brings back exactly the state before it (mmap writes included);
 *   - HEAD, branches, the person's index and the stash are untouched.
 *
 * CHECKPOINT_PROPERTY_RUNS=n runs n sequences per mode (default 20: about 25 s on 2 idle cores);
 * CHECKPOINT_PROPERTY_FIRST=n shifts the seeds; DEBUG_OPS=1 prints each operation (DEBUG_PATH=p follows
 * one path, DEBUG_MSG=1 prints each checkpoint's notes); CHECKPOINT_PROPERTY_REPORT=/tmp/x writes the
 * failing seeds of each mode to /tmp/x.full.txt and /tmp/x.watched.txt.
 * Replay one failing seed s of a mode with base b (1000 full scans, 5000 incremental):
 *   CHECKPOINT_PROPERTY_FIRST=$((s-b)) CHECKPOINT_PROPERTY_RUNS=1 DEBUG_OPS=1 npx vitest run test/checkpoints/property.test.ts
 */

const RUNS = Number(process.env.CHECKPOINT_PROPERTY_RUNS ?? 20);
const FIRST = Number(process.env.CHECKPOINT_PROPERTY_FIRST ?? 0);
const STEPS = Number(process.env.CHECKPOINT_PROPERTY_STEPS ?? 8);
const DEBUG = !!process.env.DEBUG_OPS;

/** Deterministic PRNG so a failure can be replayed from its seed. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

// Paths are byte strings: one char per byte (latin1), so any name round-trips.
const bytes = (p: string): Buffer => Buffer.from(p, 'latin1');
const utf8 = (s: string): string => Buffer.from(s, 'utf8').toString('latin1');
/** A path for messages: printable ASCII as is, every other byte as \xNN. */
const show = (p: string): string => p.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

type Entry =
  | { type: 'file'; mode: number; oid: string; data: Buffer; ctimeMs: number }
  | { type: 'link'; oid: string; target: Buffer; ctimeMs: number }
  | { type: 'empty-dir' }
  | { type: 'nested' }
  | { type: 'special' };

/** Everything on disk under the repository (not .git, not inside nested repositories), by byte path. */
type DiskState = Map<string, Entry>;

const blobId = (data: Buffer): string => createHash('sha1').update(`blob ${data.length}\0`).update(data).digest('hex');

function scanDisk(repo: string): DiskState {
  const out: DiskState = new Map();
  const walk = (rel: string): void => {
    const abs = Buffer.concat([Buffer.from(repo), bytes(rel ? `/${rel}` : '')]);
    const names = readdirSync(abs, { encoding: 'buffer' });
    if (rel && names.length === 0) out.set(rel, { type: 'empty-dir' });
    for (const nameBuf of names) {
      const name = nameBuf.toString('latin1');
      const p = rel ? `${rel}/${name}` : name;
      if (p === '.git') continue;
      const a = Buffer.concat([Buffer.from(repo), bytes(`/${p}`)]);
      const st = lstatSync(a);
      if (st.isSymbolicLink()) {
        const target = readlinkSync(a, { encoding: 'buffer' });
        out.set(p, { type: 'link', target, oid: blobId(target), ctimeMs: st.ctimeMs });
      } else if (st.isDirectory()) {
        if (present(Buffer.concat([a, Buffer.from('/.git')]))) out.set(p, { type: 'nested' });
        else walk(p);
      } else if (st.isFile()) {
        const data = readFileSync(a);
        out.set(p, { type: 'file', mode: st.mode & 0o7777, oid: blobId(data), data, ctimeMs: st.ctimeMs });
      } else out.set(p, { type: 'special' });
    }
  };
  walk('');
  return out;
}

function present(p: Buffer | string): boolean {
  try {
    lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function lstatOrNull(p: Buffer): Stats | null {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

const GIT_ID = ['-c', 'user.email=t@t', '-c', 'user.name=t', '-c', 'init.defaultBranch=main'];
function git(cwd: string, args: string[], input?: Buffer): string {
  return execFileSync('git', [...GIT_ID, ...args], { cwd, input, encoding: 'latin1', stdio: ['pipe', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
}

function gitState(repo: string): string {
  const g = (...args: string[]) => {
    try {
      return git(repo, args).trim();
    } catch {
      return '(none)';
    }
  };
  return [
    g('symbolic-ref', '-q', 'HEAD'),
    g('rev-parse', 'HEAD'),
    g('for-each-ref', 'refs/heads', 'refs/tags', 'refs/stash'),
    g('ls-files', '-s', '-z'),
    g('stash', 'list'),
  ].join('\n--\n');
}

/** Which of `paths` the repository's ignore rules exclude now (as git judges them, index or not). */
function ignoredNow(repo: string, paths: string[]): Set<string> {
  const out = new Set<string>();
  if (paths.length === 0) return out;
  // "./" keeps a name like ":!x" from reading as pathspec magic (check-ignore takes none)
  const records = git(repo, ['check-ignore', '--no-index', '-z', '--stdin', '-v', '-n'], Buffer.concat(paths.map((p) => bytes(`./${p}\0`)))).split('\0');
  for (let i = 0; i + 3 < records.length; i += 4) if (records[i] && !records[i + 2]!.startsWith('!')) out.add(records[i + 3]!.slice(2));
  return out;
}

/** The checkpoint's tree as path -> "mode oid" (nested repositories left out: they are never restored). */
function treeListing(repo: string, tree: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const record of git(repo, ['ls-tree', '-r', '-z', '--full-tree', tree]).split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, , oid] = record.slice(0, tab).split(' ');
    if (mode !== '160000') out.set(record.slice(tab + 1), `${mode} ${oid}`);
  }
  return out;
}

const gitMode = (e: Entry): string | null =>
  e.type === 'file' ? `${e.mode & 0o100 ? '100755' : '100644'} ${e.oid}` : e.type === 'link' ? `120000 ${e.oid}` : null;

// ---------------------------------------------------------------------------------------------
// The edits

/** Names an agent might produce: plain, nested, unicode (NFC and NFD), not UTF-8, with newlines, dashes, quotes, globs. */
const NAMES = [
  'a',
  'b',
  'sub/d',
  'sub/deep/e',
  'x y',
  utf8('ünï'),
  utf8('café'),
  utf8('cafe\u0301'),
  'bad\xffname',
  '\x80\x81',
  'dir\xfe/f',
  'new\nline',
  'tab\tname',
  '-rf',
  '--help',
  ' lead',
  'trail ',
  '*star',
  'q?',
  '[br]',
  'back\\slash',
  '"quoted"',
  ':!magic',
  ':(top)x',
  '.hidden',
  'report.txt',
  'notes.txt',
  'keep.log',
  'x.log',
  'build/out.o',
  'hid/den',
  'data.rot',
  'need.req',
  'id.id',
  'lines.crlf',
  'enc.u16',
];
const SUFFIX = ['', '', '.txt', '1', '2'];
const MODES = [0o644, 0o755, 0o600, 0o700, 0o664, 0o640, 0o744, 0o4755];
const IGNORE_LINES = ['*.txt', 'hid/', 'sub/', '!keep.log', '!.env', '!old.log', 'notes*', '*.rot', '\\!*', 'x*'];
const ATTR_LINES = [
  '* text=auto',
  '*.txt eol=crlf',
  '*.crlf text eol=lf',
  '*.rot filter=rot13',
  '*.req filter=failing',
  '*.id ident',
  '*.u16 working-tree-encoding=UTF-16',
  'report* text eol=crlf',
  '* -text',
  '[attr]mine filter=rot13',
  '*.txt mine',
];

function content(r: () => number): Buffer {
  switch (Math.floor(r() * 7)) {
    case 0:
      return Buffer.from(`line ${r()}\r\nsecond\r\n`);
    case 1:
      return Buffer.from(`mixed\r\nends\nlone\rcr ${r()}\n`);
    case 2:
      return Buffer.from(Array.from({ length: 1 + Math.floor(r() * 96) }, () => Math.floor(r() * 256)));
    case 3:
      return Buffer.from(`$Id$\nkeyword ${r()}\n`);
    case 4:
      return Buffer.alloc(0);
    case 5:
      return Buffer.from(`abc\0def ${r()}`);
    default:
      return Buffer.from(`text ${r()}\n`.repeat(1 + Math.floor(r() * 4)));
  }
}

interface RunState {
  repo: string;
  r: () => number;
  /** Paths written through mmap (no inotify event) since the store's last full scan. */
  mmapped: Set<string>;
}

/** One random edit; edits the file system cannot do (a path under a file …) are skipped. */
function randomOp(s: RunState): void {
  try {
    randomOpUnchecked(s);
  } catch (e) {
    if (DEBUG) console.log('  (skipped:', (e as Error).message.split('\n')[0], ')');
  }
}

function abs(s: RunState, rel: string): Buffer {
  return Buffer.concat([Buffer.from(s.repo), bytes(`/${rel}`)]);
}

function parentOk(s: RunState, rel: string): boolean {
  // never write through a symlinked or non-directory parent (it may point outside the repository)
  const parts = rel.split('/').slice(0, -1);
  for (let i = 1; i <= parts.length; i++) {
    const st = lstatOrNull(abs(s, parts.slice(0, i).join('/')));
    if (st && !st.isDirectory()) return false;
  }
  return true;
}

function writeFile(s: RunState, rel: string, data: Buffer): void {
  if (!parentOk(s, rel)) return;
  const parts = rel.split('/');
  if (parts.length > 1) mkdirSync(abs(s, parts.slice(0, -1).join('/')), { recursive: true });
  const st = lstatOrNull(abs(s, rel));
  if (st?.isSymbolicLink() || st?.isDirectory() || (st && !st.isFile())) rmSync(abs(s, rel), { recursive: true, force: true });
  writeFileSync(abs(s, rel), data);
  s.mmapped.delete(rel);
}

function randomOpUnchecked(s: RunState): void {
  const { r } = s;
  const disk = scanDisk(s.repo);
  const files = [...disk]
    .filter(([p, e]) => (e.type === 'file' || e.type === 'link') && !p.startsWith('ignored/') && p !== '.gitignore' && p !== '.gitattributes')
    .map(([p]) => p);
  const regular = files.filter((p) => disk.get(p)!.type === 'file');
  const pick = (list: string[]) => list[Math.floor(r() * list.length)];
  const name = () => NAMES[Math.floor(r() * NAMES.length)]! + SUFFIX[Math.floor(r() * SUFFIX.length)]!;
  const op = Math.floor(r() * 22);
  const target = name();
  if (DEBUG) console.log('  op', op, show(target));
  switch (op) {
    case 0:
    case 1: // create or overwrite
      writeFile(s, target, content(r));
      break;
    case 2: {
      // modify an existing file
      const f = pick(regular);
      if (f) writeFile(s, f, content(r));
      break;
    }
    case 3: {
      // delete
      const f = pick(files);
      if (f) rmSync(abs(s, f), { force: true });
      break;
    }
    case 4: {
      // rename
      const f = pick(files);
      if (f && !present(abs(s, target)) && parentOk(s, target)) {
        const parts = target.split('/');
        if (parts.length > 1) mkdirSync(abs(s, parts.slice(0, -1).join('/')), { recursive: true });
        renameSync(abs(s, f), abs(s, target));
        if (s.mmapped.delete(f)) s.mmapped.add(target);
      }
      break;
    }
    case 5:
    case 6: {
      // mode bits: the ones git holds and the ones it does not
      const f = pick(regular);
      if (f) chmodSync(abs(s, f), MODES[Math.floor(r() * MODES.length)]!);
      break;
    }
    case 7: // symlink: relative, outside, absolute, dangling, to a directory, a target that is not UTF-8
      if (!present(abs(s, target)) && parentOk(s, target)) {
        const parts = target.split('/');
        if (parts.length > 1) mkdirSync(abs(s, parts.slice(0, -1).join('/')), { recursive: true });
        symlinkSync(bytes(['a', '../elsewhere', '/etc/hostname', 'missing/x', 'sub', 'bad\xfftarget'][Math.floor(r() * 6)]!), abs(s, target));
      }
      break;
    case 8: // an empty directory, or one emptied
      if (r() < 0.5) mkdirSync(abs(s, `empty${Math.floor(r() * 3)}${r() < 0.3 ? '/inner' : ''}`), { recursive: true });
      else {
        const d = ['sub/deep', 'new0/deeper', 'hid'][Math.floor(r() * 3)]!;
        if (lstatOrNull(abs(s, d))?.isDirectory())
          for (const n of readdirSync(abs(s, d), { encoding: 'buffer' }))
            rmSync(Buffer.concat([abs(s, d), Buffer.from('/'), n]), { recursive: true, force: true });
      }
      break;
    case 9: {
      // a new directory tree in one go
      const base = `new${Math.floor(r() * 3)}/deeper`;
      writeFile(s, `${base}/f`, content(r));
      writeFile(s, `${base}/../g`.replace(/\/deeper\/\.\./, ''), content(r));
      break;
    }
    case 10: {
      // rename or remove a whole directory
      const from = ['sub', 'new0', 'new1', 'sub/deep', 'hid', 'build'][Math.floor(r() * 6)]!;
      const to = ['moved', 'sub2', 'new2', 'dir\xfd'][Math.floor(r() * 4)]!;
      if (r() < 0.3) rmSync(abs(s, from), { recursive: true, force: true });
      else if (lstatOrNull(abs(s, from))?.isDirectory() && !present(abs(s, to))) {
        renameSync(abs(s, from), abs(s, to));
        for (const m of [...s.mmapped]) {
          if (m.startsWith(`${from}/`)) {
            s.mmapped.delete(m);
            s.mmapped.add(to + m.slice(from.length));
          }
        }
      }
      break;
    }
    case 11:
    case 12: // the ignore rules change: hide files that exist, un-ignore ones that do not, or go back
      if (r() < 0.2) writeFileSync(abs(s, '.gitignore'), 'ignored/\n.env\n*.log\nbuild/\n');
      else writeFileSync(abs(s, '.gitignore'), `${IGNORE_LINES[Math.floor(r() * IGNORE_LINES.length)]}\n`, { flag: 'a' });
      break;
    case 13: // attributes that would convert content on the way in or out
      if (r() < 0.2) rmSync(abs(s, '.gitattributes'), { force: true });
      else writeFileSync(abs(s, '.gitattributes'), `${ATTR_LINES[Math.floor(r() * ATTR_LINES.length)]}\n`, { flag: 'a' });
      break;
    case 14: {
      // a write through mmap: same size, no inotify event at all
      const f = pick(regular.filter((p) => (disk.get(p) as { data: Buffer }).data.length > 0));
      if (f) {
        // the path goes as hex: argv would re-encode bytes that are not UTF-8
        const py =
          'import mmap,os,sys\np=bytes.fromhex(sys.argv[1])\nfd=os.open(p,os.O_RDWR)\nm=mmap.mmap(fd,0)\nm[0:1]=bytes([m[0]^0x55])\nm.flush();m.close();os.close(fd)';
        execFileSync('python3', ['-c', py, abs(s, f).toString('hex')], { stdio: 'ignore' });
        s.mmapped.add(f);
      }
      break;
    }
    case 15: // files in a directory ignored from the start (never ours), and new ignored files (the agent's)
      if (r() < 0.4) writeFile(s, `ignored/new${Math.floor(r() * 3)}.bin`, content(r));
      else writeFile(s, ['x.log', 'build/out.o', 'build/sub/deep.o', 'y.log'][Math.floor(r() * 4)]!, content(r));
      break;
    case 16: // a nested repository appears (it is recorded as a gitlink and never touched)
      if (!present(abs(s, 'nested'))) {
        mkdirSync(abs(s, 'nested'));
        writeFileSync(abs(s, 'nested/inner.txt'), 'inner');
        execFileSync('git', ['init', '-q'], { cwd: join(s.repo, 'nested') });
        git(join(s.repo, 'nested'), ['add', '-A']);
        git(join(s.repo, 'nested'), ['commit', '-qm', 'inner']);
      } else writeFileSync(abs(s, 'nested/inner.txt'), `inner ${r()}`);
      break;
    case 17: // a fifo: git cannot hold it, rollback leaves it
      if (!present(abs(s, 'pipe0'))) execFileSync('mkfifo', [join(s.repo, 'pipe0')]);
      break;
    case 18: {
      // a file replaced by a directory, or a directory by a file
      const f = pick(files);
      if (f && parentOk(s, f)) {
        rmSync(abs(s, f), { force: true });
        writeFile(s, `${f}/inside`, content(r));
      } else if (lstatOrNull(abs(s, 'sub'))?.isDirectory()) {
        rmSync(abs(s, 'sub'), { recursive: true, force: true });
        writeFileSync(abs(s, 'sub'), content(r));
      }
      break;
    }
    case 19: // same size, same mtime: only ctime tells
      {
        const f = pick(regular.filter((p) => (disk.get(p) as { data: Buffer }).data.length > 0));
        if (f) {
          const st = lstatSync(abs(s, f));
          const data = readFileSync(abs(s, f));
          data[0] = data[0]! ^ 0x20;
          writeFileSync(abs(s, f), data);
          utimesSync(abs(s, f), st.atime, st.mtime);
        }
      }
      break;
    default: // delete a file the person ignored before the session (never ours) or one just made
      if (r() < 0.3) rmSync(abs(s, 'old.log'), { force: true });
      else writeFile(s, target, content(r));
  }
}

// ---------------------------------------------------------------------------------------------
// What a checkpoint must hold (the oracle), from the test's own knowledge of the disk

/** The "pre-existing ignored" paths of the run: ignored when the session started (never ours unless a tool writes them). */
const BASELINE_IGNORED = ['ignored', '.env', 'old.log'];
const underBaseline = (p: string): boolean => BASELINE_IGNORED.some((b) => p === b || p.startsWith(`${b}/`));

interface Domain {
  /** Paths the checkpoint must hold (files, links, empty directories). */
  paths: Set<string>;
}

/**
 * The paths a checkpoint must record: everything on disk that git can hold, except what was ignored
 * when the session started (and nested repositories). A file stays recorded once recorded (hiding it
 * behind a new ignore rule does not drop it); a file a tool is about to write is recorded even if
 * ignored. A session store that watches the tree also records ignored files the agent creates
 * during the session; a store that only scans (or the CLI's) records what git does not ignore.
 */
/** A file or link, or an empty directory: what stays recorded at a path stays so only as the same kind of thing. */
const kind = (e: Entry | undefined): string | undefined => (e?.type === 'file' || e?.type === 'link' ? 'blob' : e?.type);

function domain(
  repo: string,
  disk: DiskState,
  previous: Set<string>,
  previousKind: (p: string) => string | undefined,
  forced: string[],
  watching: boolean,
): Domain {
  const candidates = [...disk].filter(([, e]) => e.type === 'file' || e.type === 'link' || e.type === 'empty-dir').map(([p]) => p);
  // nothing inside a nested repository, and nothing in a directory that is a nested repository
  const nested = [...disk].filter(([, e]) => e.type === 'nested').map(([p]) => p);
  const free = candidates.filter((p) => !nested.some((n) => p.startsWith(`${n}/`)));
  const ignored = ignoredNow(repo, free);
  const paths = new Set<string>();
  for (const p of free) {
    const sticky = previous.has(p) && previousKind(p) === kind(disk.get(p));
    if (sticky || forced.includes(p) || !ignored.has(p) || (watching && !underBaseline(p))) paths.add(p);
  }
  return { paths };
}

/**
 * Paths a checkpoint records for the first time although they were on disk, unrecorded, at the
 * previous one (a tool writes an ignored file, or the ignore rules stopped hiding it): a rollback to
 * before it brings them back instead of deleting them. Known by the inode: unchanged (ctime) since
 * the previous checkpoint's scan began.
 */
function adoptions(now: Set<string>, disk: DiskState, previous: Set<string>, forced: string[], rulesChanged: boolean, since: number): Set<string> {
  const out = new Set<string>();
  if (forced.length === 0 && !rulesChanged) return out;
  for (const p of now) {
    if (previous.has(p) || (!rulesChanged && !forced.includes(p))) continue;
    const e = disk.get(p)!;
    if ((e.type === 'file' || e.type === 'link') && e.ctimeMs < since) out.add(p);
  }
  return out;
}

const entryId = (e: Entry | undefined): string => (e ? ('oid' in e ? e.oid : e.type) : 'absent');
const gitignoreChanged = (a: DiskState, b: DiskState): boolean => entryId(a.get('.gitignore')) !== entryId(b.get('.gitignore'));

interface Recorded {
  cp: Checkpoint;
  disk: DiskState;
  domain: Domain;
  /** Paths first recorded here that existed before (unrecorded): a rollback to before this brings them back, never deletes them. */
  adopted: Set<string>;
  /** Contents of the checkpoint as git holds them. */
  listing: Map<string, string>;
  /** When the checkpoint was asked for (its scan began after). */
  started: number;
}

/** Differences between the checkpoint's tree and what it must hold; `stale` are mmap-written paths (content may lag). */
function checkpointDiff(rec: Recorded, stale: Set<string>): string[] {
  const problems: string[] = [];
  for (const p of rec.domain.paths) {
    const e = rec.disk.get(p)!;
    const want = gitMode(e);
    if (!want) continue;
    const got = rec.listing.get(p);
    if (got === want) continue;
    if (stale.has(p) && got && got.slice(0, 6) === want.slice(0, 6)) continue;
    problems.push(`${show(p)}: checkpoint has ${got ?? 'nothing'}, disk ${want}`);
  }
  for (const [p, got] of rec.listing)
    if (!rec.domain.paths.has(p))
      problems.push(`${show(p)}: checkpoint has ${got} that it should not (${rec.disk.has(p) ? 'not to be recorded' : 'not on disk'})`);
  return problems;
}

function describeEntry(e: Entry | undefined): string {
  if (!e) return 'absent';
  if (e.type === 'file') return `file ${e.mode.toString(8)} ${e.oid.slice(0, 8)} ${JSON.stringify(e.data.subarray(0, 24).toString('latin1'))}`;
  if (e.type === 'link') return `link -> ${show(e.target.toString('latin1'))}`;
  return e.type;
}

function sameEntry(a: Entry | undefined, b: Entry | undefined, oid?: string): boolean {
  if (!a || !b) return a === b;
  if (a.type !== b.type) return false;
  if (a.type === 'file' && b.type === 'file') return a.mode === b.mode && a.oid === (oid ?? b.oid);
  if (a.type === 'link' && b.type === 'link') return a.target.equals(b.target);
  return true;
}

/**
 * What the disk must look like after restoring `target`, from the state just before (`before`, as
 * the checkpoint taken first must have seen it) and the adoptions of the checkpoints after the target.
 */
function restoreDiff(after: DiskState, target: Recorded, before: DiskState, beforeDomain: Set<string>, adoptedLater: Map<string, Entry>): string[] {
  const problems: string[] = [];
  const all = new Set([...after.keys(), ...before.keys(), ...target.domain.paths, ...adoptedLater.keys()]);
  const isDir = (p: string) => [...after.keys()].some((q) => q.startsWith(`${p}/`));
  // unrecorded entries are never clobbered: a target path they are in the way of stays as it was
  const unrecorded = [...before.keys()].filter((q) => !beforeDomain.has(q) && !target.domain.paths.has(q) && !adoptedLater.has(q));
  const unrecordedAt = new Set([...before.keys()].filter((q) => !beforeDomain.has(q)));
  // (a file of the target where an unrecorded file is: the checkpoint before the rollback records that one first)
  const blocked = (p: string) =>
    unrecorded.some((q) => q.startsWith(`${p}/`) || p.startsWith(`${q}/`)) || (unrecordedAt.has(p) && kind(before.get(p)) !== 'blob');
  const blockedAdopted = (p: string) => blocked(p) || unrecordedAt.has(p);
  for (const p of all) {
    const got = after.get(p);
    let want: Entry | undefined;
    let oid: string | undefined;
    if (target.domain.paths.has(p) && blocked(p)) want = beforeDomain.has(p) ? undefined : before.get(p);
    else if (target.domain.paths.has(p)) {
      want = target.disk.get(p);
      // the target's content as recorded (a write it missed through mmap is not in it)
      const listed = target.listing.get(p);
      if (want?.type === 'file' && listed) oid = listed.slice(7);
    } else if (adoptedLater.has(p)) want = blockedAdopted(p) ? before.get(p) : adoptedLater.get(p);
    else if (beforeDomain.has(p))
      want = undefined; // recorded now, not then: the agent made it
    else want = before.get(p); // never recorded: left as it was
    if (want?.type === 'empty-dir' && !got && isDir(p)) continue; // an empty directory that holds unrecorded files now
    if (!sameEntry(got, want, oid))
      problems.push(`${show(p)}: ${describeEntry(got)}, expected ${describeEntry(want)}${oid ? ` (recorded ${oid.slice(0, 8)})` : ''}`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------

async function oneRun(seed: number, watching: boolean): Promise<string[]> {
  const r = rng(seed);
  const root = mkdtempSync(join(tmpdir(), 'harness-prop-'));
  const repo = join(root, 'repo');
  const problems: string[] = [];
  const stores: CheckpointStore[] = [];
  try {
    mkdirSync(repo);
    execFileSync('git', ['init', '-q'], { cwd: repo });
    git(repo, ['config', 'filter.rot13.clean', 'tr A-Za-z N-ZA-Mn-za-m']);
    git(repo, ['config', 'filter.rot13.smudge', 'tr A-Za-z N-ZA-Mn-za-m']);
    git(repo, ['config', 'filter.failing.clean', 'false']);
    git(repo, ['config', 'filter.failing.smudge', 'false']);
    git(repo, ['config', 'filter.failing.required', 'true']);
    if (r() < 0.5) git(repo, ['config', 'core.autocrlf', 'true']);
    writeFileSync(join(repo, '.gitignore'), 'ignored/\n.env\n*.log\nbuild/\n');
    mkdirSync(join(repo, 'ignored'));
    writeFileSync(join(repo, 'ignored', 'cache.bin'), 'not mine');
    writeFileSync(join(repo, '.env'), 'SECRET=1\n');
    chmodSync(join(repo, '.env'), 0o600);
    writeFileSync(join(repo, 'old.log'), 'old log\n');
    writeFileSync(join(repo, 'a'), 'first\r\n');
    if (r() < 0.5) writeFileSync(join(repo, '.gitattributes'), '* text=auto\n');
    if (r() < 0.7) git(repo, ['add', '-A']);
    if (r() < 0.5) git(repo, ['commit', '-q', '--allow-empty', '-m', 'init']);
    const gitBefore = gitState(repo);
    const store = CheckpointStore.open(repo, join(root, 'state'));
    stores.push(store);
    if (DEBUG) (store as { onNotice?: (l: (n: unknown) => void) => void }).onNotice?.((n) => console.log('  notice', JSON.stringify(n)));
    if (watching) expect(await store.track()).toBe(true);
    const session = `s${seed}`;
    const s: RunState = { repo, r, mmapped: new Set() };
    const recorded: Recorded[] = [];
    let previous = new Set<string>();
    /** Paths a tool said it writes: a watching store records them from then on, where ignored too. */
    const claimed = new Set<string>();
    let fullScans = store.scans.full;
    for (let step = 0; step < STEPS; step++) {
      // sometimes the call is a file tool's write: the file is recorded first, even if ignored
      const tool = r() < 0.3 ? ['.env', 'old.log', 'x.log', 'notes.txt', 'a', 'ignored/cache.bin', 'build/out.o'][Math.floor(r() * 7)]! : null;
      const force = tool ? [tool] : [];
      if (tool && watching) claimed.add(tool);
      const recordedAnyway = watching ? [...new Set([...force, ...claimed])] : force;
      const always = r() < 0.6;
      const started = Date.now();
      let cp: Checkpoint | null;
      try {
        cp = await store.snapshot({ sessionId: session, kind: 'test', summary: `step ${step}` }, { always, force: force.map((p) => join(repo, p)) });
      } catch (e) {
        problems.push(`step ${step}: the checkpoint failed: ${(e as Error).message.split('\n')[0]}`);
        return problems;
      }
      if (store.scans.full !== fullScans) {
        fullScans = store.scans.full;
        s.mmapped.clear();
      }
      const disk = scanDisk(repo);
      // a tool writes files: a directory at that path is not what it writes
      const last0 = recorded[recorded.length - 1];
      const dom = domain(
        repo,
        disk,
        previous,
        (p) => kind(last0?.disk.get(p)),
        recordedAnyway.filter((p) => kind(disk.get(p)) === 'blob'),
        watching,
      );
      const last = recorded[recorded.length - 1];
      if (!cp) {
        // "unchanged": the last checkpoint must hold exactly what is on disk now
        if (!last) {
          problems.push(`step ${step}: no checkpoint and none before it`);
          return problems;
        }
        cp = last.cp;
      }
      const listing = treeListing(repo, cp.tree);
      const rulesChanged = last !== undefined && gitignoreChanged(last.disk, disk);
      const adopted = last ? adoptions(dom.paths, disk, previous, recordedAnyway, rulesChanged, last.started) : new Set<string>();
      const rec: Recorded = { cp, disk, domain: dom, adopted, listing, started };
      if (DEBUG) console.log(`snapshot ${step} ${cp.id.slice(0, 8)}${tool ? ` (tool writes ${tool})` : ''}`);
      if (process.env.DEBUG_MSG)
        console.log(
          git(repo, ['show', '-s', '--format=%B', cp.id])
            .split('\n')
            .find((l) => l.startsWith('harness-checkpoint')),
        );
      if (process.env.DEBUG_PATH)
        console.log(
          '  ',
          process.env.DEBUG_PATH,
          describeEntry(disk.get(process.env.DEBUG_PATH)),
          'recorded:',
          listing.get(process.env.DEBUG_PATH),
          'must:',
          dom.paths.has(process.env.DEBUG_PATH),
        );
      const diff = checkpointDiff(rec, s.mmapped);
      if (diff.length > 0) problems.push(`step ${step}: checkpoint ${always ? '' : '(maybe unchanged) '}differs from the disk: ${diff.slice(0, 6).join('; ')}`);
      recorded.push(rec);
      previous = dom.paths;
      if (tool) writeFile(s, tool, Buffer.from(`written by the tool ${r()}\n`));
      for (let k = 0; k < 1 + Math.floor(r() * 4); k++) randomOp(s);
    }

    // roll back to a random checkpoint: by the session's store, or by a second one (the CLI, after the session)
    const pickAt = Math.floor(r() * recorded.length);
    const target = recorded[pickAt]!;
    const viaCli = r() < 0.35;
    let restorer = store;
    if (viaCli) {
      store.close();
      restorer = CheckpointStore.open(repo, join(root, 'state'), { indexName: 'cli-index' });
      stores.push(restorer);
    }
    const beforeRollback = scanDisk(repo);
    const head = recorded[recorded.length - 1]!;
    // the checkpoint taken first must see everything: a full reconcile (mmap writes included)
    // files of the target on disk but not recorded now are recorded first (the rollback writes over them)
    const overwritten = [...target.domain.paths].filter((p) => kind(target.disk.get(p)) === 'blob' && kind(beforeRollback.get(p)) === 'blob');
    // the session's own store also records what tools said they write (a second store does not know)
    const claims = watching && !viaCli ? [...claimed].filter((p) => kind(beforeRollback.get(p)) === 'blob') : [];
    const beforeDomain = domain(repo, beforeRollback, previous, (p) => kind(head.disk.get(p)), [...overwritten, ...claims], watching && !viaCli).paths;
    const savedStarted = Date.now();
    // a second store knows the session's last commit, not the later checkpoints that found nothing changed
    const committed = recorded.find((rec) => rec.cp.id === head.cp.id) ?? head;
    const savedAdopted = adoptions(
      beforeDomain,
      beforeRollback,
      previous,
      [],
      gitignoreChanged(head.disk, beforeRollback),
      viaCli ? committed.started : head.started,
    );
    const adoptedLater = new Map<string, Entry>();
    const laterOnes: { adopted: Set<string>; disk: DiskState }[] = [...recorded.slice(pickAt + 1), { adopted: savedAdopted, disk: beforeRollback }];
    for (const rec of laterOnes) for (const p of rec.adopted) if (!adoptedLater.has(p) && !target.domain.paths.has(p)) adoptedLater.set(p, rec.disk.get(p)!);
    if (DEBUG) console.log(`rollback to step ${pickAt}${viaCli ? ' (by a second store)' : ''}`);
    const restored = await restorer.restore(target.cp, session);
    const { saved } = restored;
    if (DEBUG) console.log('restored', JSON.stringify(restored.changes), JSON.stringify(restored.notRestored));
    if (process.env.DEBUG_PATH)
      for (const [when, d] of [
        ['before', beforeRollback],
        ['target', target.disk],
        ['after', scanDisk(repo)],
      ] as const)
        console.log(
          when,
          describeEntry(d.get(process.env.DEBUG_PATH)),
          'recorded then:',
          target.listing.get(process.env.DEBUG_PATH),
          'saved:',
          treeListing(repo, restored.saved!.tree).get(process.env.DEBUG_PATH),
        );
    const afterRollback = scanDisk(repo);
    const rolled = restoreDiff(afterRollback, target, beforeRollback, beforeDomain, adoptedLater);
    if (rolled.length > 0) problems.push(`rollback to step ${pickAt}${viaCli ? ' (second store)' : ''}: ${rolled.slice(0, 6).join('; ')}`);
    if (gitState(repo) !== gitBefore) problems.push('rollback changed HEAD, a branch, the index or the stash');
    const cache = afterRollback.get('ignored/cache.bin');
    if (
      !target.domain.paths.has('ignored/cache.bin') &&
      !adoptedLater.has('ignored/cache.bin') &&
      !(cache?.type === 'file' && cache.data.toString() === 'not mine')
    )
      problems.push(`rollback changed a file ignored before the session (ignored/cache.bin: ${describeEntry(cache)})`);
    if (!saved) return [...problems, 'the rollback took no checkpoint of the present first'];
    // the saved checkpoint holds the present exactly (a full reconcile, mmap writes included)
    const savedRec: Recorded = {
      cp: saved,
      disk: beforeRollback,
      domain: { paths: beforeDomain },
      adopted: savedAdopted,
      listing: treeListing(repo, saved.tree),
      started: savedStarted,
    };
    const savedDiff = checkpointDiff(savedRec, new Set());
    if (savedDiff.length > 0) problems.push(`the checkpoint before the rollback misses the present: ${savedDiff.slice(0, 6).join('; ')}`);
    // and the rollback itself can be undone
    // what the rollback restored is recorded from now on, as what was recorded before it
    // (not what was in the way and left alone)
    const rewritten = new Set(
      [...target.domain.paths, ...adoptedLater.keys()].filter(
        (p) => kind(afterRollback.get(p)) === kind(target.domain.paths.has(p) ? target.disk.get(p) : adoptedLater.get(p)),
      ),
    );
    const afterDomain = domain(
      repo,
      afterRollback,
      new Set([...beforeDomain, ...rewritten]),
      (p) => kind(rewritten.has(p) ? afterRollback.get(p) : beforeRollback.get(p)),
      [],
      watching && !viaCli,
    ).paths;
    const undoAdopted = adoptions(afterDomain, afterRollback, beforeDomain, [], gitignoreChanged(beforeRollback, afterRollback), savedStarted);
    const adoptedByUndo = new Map([...undoAdopted].filter((p) => !beforeDomain.has(p)).map((p) => [p, afterRollback.get(p)!] as const));
    const undoneBy = await restorer.restore(saved, session);
    if (DEBUG) console.log('undo', JSON.stringify(undoneBy.changes));
    const undone = restoreDiff(scanDisk(repo), savedRec, afterRollback, afterDomain, adoptedByUndo);
    if (undone.length > 0) problems.push(`undo of the rollback: ${undone.slice(0, 6).join('; ')}`);
    if (present(join(repo, 'nested'))) {
      const inner = readFileSync(join(repo, 'nested', 'inner.txt'), 'utf8');
      if (!inner.startsWith('inner')) problems.push('a nested repository was touched');
    }
    return problems;
  } finally {
    for (const st of stores) st.close();
    rmSync(root, { recursive: true, force: true });
  }
}

describe.each([
  ['full scans', false, 1000],
  ['incremental (watched) checkpoints', true, 5000],
])('checkpoints: property test with %s (random edits, rollback to any checkpoint)', (_mode, watching, base) => {
  it(`records and restores exactly what is on disk (${RUNS} seeded runs)`, async () => {
    const failures: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      const seed = base + FIRST + run;
      if (DEBUG) console.log(`--- seed ${seed}`);
      let problems: string[];
      try {
        problems = await oneRun(seed, watching);
      } catch (e) {
        problems = [`threw: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`];
      }
      if (problems.length > 0) failures.push(`seed ${seed}: ${problems.join(' || ')}`);
    }
    if (process.env.CHECKPOINT_PROPERTY_REPORT)
      writeFileSync(
        `${process.env.CHECKPOINT_PROPERTY_REPORT}.${watching ? 'watched' : 'full'}.txt`,
        `${failures.length} of ${RUNS} runs failed\n${failures.join('\n')}\n`,
      );
    expect(failures, `${failures.length} of ${RUNS} runs failed`).toEqual([]);
  }, 1_800_000);
});
