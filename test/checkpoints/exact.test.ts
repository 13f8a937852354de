import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromShown, shown } from '../../src/checkpoints/paths.js';
import { CheckpointStore, describeOutside, type ScanNotice } from '../../src/checkpoints/store.js';

/** The reproductions, one by one, in both modes (the property test mixes them at random). */

const roots: string[] = [];
const stores: CheckpointStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

const GIT_ID = ['-c', 'user.email=t@t', '-c', 'user.name=t', '-c', 'init.defaultBranch=main'];
const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', [...GIT_ID, ...args], { cwd, encoding: 'latin1', stdio: ['ignore', 'pipe', 'pipe'] });

function repo(): { root: string; repo: string } {
  const root = mkdtempSync(join(tmpdir(), 'harness-exact-'));
  roots.push(root);
  const r = join(root, 'repo');
  mkdirSync(r);
  git(r, 'init', '-q');
  return { root, repo: r };
}

async function open(root: string, r: string, track: boolean, indexName?: string): Promise<{ store: CheckpointStore; notices: ScanNotice[] }> {
  const store = CheckpointStore.open(r, join(root, 'state'), { indexName });
  stores.push(store);
  const notices: ScanNotice[] = [];
  store.onNotice((n) => notices.push(n));
  if (track) expect(await store.track()).toBe(true);
  return { store, notices };
}

const meta = (summary: string) => ({ sessionId: 's', kind: 'test', summary });
/** The checkpoint's files as byte path -> "mode blob". */
const listing = (r: string, tree: string): Record<string, string> =>
  Object.fromEntries(
    git(r, 'ls-tree', '-r', '-z', '--full-tree', tree)
      .split('\0')
      .filter(Boolean)
      .map((rec) => [
        rec.slice(rec.indexOf('\t') + 1),
        rec
          .slice(0, rec.indexOf('\t'))
          .split(' ')
          .filter((_, i) => i !== 1)
          .join(' '),
      ]),
  );
const blob = (r: string, data: Buffer | string): string =>
  execFileSync('git', ['hash-object', '--no-filters', '--stdin'], { cwd: r, input: data, encoding: 'utf8' }).trim();

describe.each([
  ['full scans', false],
  ['incremental checkpoints', true],
])('checkpoints are exact (%s)', (_mode, track) => {
  it('a name that is not UTF-8 is recorded, restored and removed as its bytes, and tracking goes on', async () => {
    const { root, repo: r } = repo();
    writeFileSync(join(r, 'a'), 'a');
    const { store, notices } = await open(root, r, track);
    const first = await store.snapshot(meta('first'), { always: true });
    const bad = Buffer.concat([Buffer.from(`${r}/`), Buffer.from('bad\xffname', 'latin1')]);
    writeFileSync(bad, 'x');
    const second = await store.snapshot(meta('with the odd name'));
    expect(second, 'not "unchanged"').not.toBeNull();
    expect(Object.keys(listing(r, second!.tree))).toContain('bad\xffname');
    // the tracker still follows the tree: a later change is seen, incrementally
    writeFileSync(join(r, 'a'), 'b');
    const third = await store.snapshot(meta('later'));
    expect(listing(r, third!.tree)['a']).toBe(`100644 ${blob(r, 'b')}`);
    if (track) expect(notices.filter((n) => n.kind === 'full-scan')).toEqual([]);
    const { changes } = await store.restore(first!, 's');
    expect(changes.map((c) => c.path).sort()).toEqual(['"bad\\377name"', 'a']);
    expect(existsSync(bad)).toBe(false);
    await store.restore(second!, 's');
    expect(readFileSync(bad, 'utf8')).toBe('x');
  });

  it('no attribute, filter or end-of-line conversion either way (text=auto, eol=crlf, clean/smudge, ident, a failing filter)', async () => {
    const { root, repo: r } = repo();
    git(r, 'config', 'core.autocrlf', 'true');
    git(r, 'config', 'filter.rot13.clean', 'tr A-Za-z N-ZA-Mn-za-m');
    git(r, 'config', 'filter.rot13.smudge', 'tr A-Za-z N-ZA-Mn-za-m');
    git(r, 'config', 'filter.broken.clean', 'false');
    git(r, 'config', 'filter.broken.required', 'true');
    writeFileSync(join(r, '.gitattributes'), '* text=auto\n*.lf eol=crlf\n*.rot filter=rot13\n*.id ident\n*.req filter=broken\n');
    const files: Record<string, string> = {
      'crlf.txt': 'one\r\ntwo\r\n',
      'x.lf': 'a\nb\n',
      'data.rot': 'Hello\n',
      'k.id': '$Id$\n',
      'must.req': 'x\n',
      'mixed.txt': 'a\r\nb\nc\r',
    };
    for (const [f, c] of Object.entries(files)) writeFileSync(join(r, f), c);
    const { store } = await open(root, r, track);
    const cp = await store.snapshot(meta('converted?'), { always: true });
    const got = listing(r, cp!.tree);
    for (const [f, c] of Object.entries(files)) expect(got[f], f).toBe(`100644 ${blob(r, c)}`);
    for (const f of Object.keys(files)) writeFileSync(join(r, f), 'clobbered\n');
    await store.restore(cp!, 's');
    for (const [f, c] of Object.entries(files)) expect(readFileSync(join(r, f), 'latin1'), f).toBe(c);
  });

  it('a file hidden behind a new ignore rule is still restored (echo "*.txt" >> .gitignore; rm report.txt), by a second store too', async () => {
    const { root, repo: r } = repo();
    writeFileSync(join(r, 'report.txt'), 'report v1\n');
    const { store } = await open(root, r, track);
    const before = await store.snapshot(meta('report exists'), { always: true });
    appendFileSync(join(r, '.gitignore'), '*.txt\n');
    writeFileSync(join(r, 'report.txt'), 'report v2\n');
    const hidden = await store.snapshot(meta('hidden and changed'));
    expect(listing(r, hidden!.tree)['report.txt']).toBe(`100644 ${blob(r, 'report v2\n')}`);
    rmSync(join(r, 'report.txt'));
    await store.restore(hidden!, 's');
    expect(readFileSync(join(r, 'report.txt'), 'utf8')).toBe('report v2\n');
    store.close();
    // `harness rollback` after the session: its own index, the same answer, and its undo keeps v2
    const { store: cli } = await open(root, r, false, 'cli-index');
    const { saved } = await cli.restore(before!, 's');
    expect(readFileSync(join(r, 'report.txt'), 'utf8')).toBe('report v1\n');
    expect(listing(r, saved!.tree)['report.txt']).toBe(`100644 ${blob(r, 'report v2\n')}`);
    await cli.restore(saved!, 's');
    expect(readFileSync(join(r, 'report.txt'), 'utf8')).toBe('report v2\n');
  });

  it('a file ignored before the session that a tool writes comes back as it was, not deleted, on rollback to before', async () => {
    const { root, repo: r } = repo();
    writeFileSync(join(r, '.gitignore'), '.env\n');
    writeFileSync(join(r, '.env'), 'SECRET=1\n');
    chmodSync(join(r, '.env'), 0o600);
    writeFileSync(join(r, 'a'), 'a');
    const { store } = await open(root, r, track);
    const first = await store.snapshot(meta('before the tool'), { always: true });
    expect(listing(r, first!.tree)['.env']).toBeUndefined();
    writeFileSync(join(r, 'a'), 'b');
    await store.snapshot(meta('the tool writes .env'), { force: [join(r, '.env')] });
    writeFileSync(join(r, '.env'), 'SECRET=leaked\n');
    await store.restore(first!, 's');
    expect(readFileSync(join(r, '.env'), 'utf8')).toBe('SECRET=1\n');
    expect(lstatSync(join(r, '.env')).mode & 0o777).toBe(0o600);
  });

  it('mode bits git does not keep and empty directories are kept beside the tree, named, and restored; nested repositories are named', async () => {
    const { root, repo: r } = repo();
    writeFileSync(join(r, 'secret'), 's');
    chmodSync(join(r, 'secret'), 0o600);
    mkdirSync(join(r, 'empty', 'deeper'), { recursive: true });
    mkdirSync(join(r, 'nested'));
    git(join(r, 'nested'), 'init', '-q');
    writeFileSync(join(r, 'nested', 'n'), 'n');
    git(join(r, 'nested'), 'add', '-A');
    git(join(r, 'nested'), 'commit', '-qm', 'n');
    const { store } = await open(root, r, track);
    const cp = await store.snapshot(meta('odd things'), { always: true });
    expect(cp!.outside).toEqual({ modes: { secret: '0600' }, emptyDirs: ['empty/deeper'], nested: ['nested'] });
    const listed = (await store.list('s'))[0]!;
    expect(describeOutside(listed.outside)).toMatch(/secret 0600.*empty\/deeper.*nested/);
    chmodSync(join(r, 'secret'), 0o644);
    rmSync(join(r, 'empty'), { recursive: true });
    mkdirSync(join(r, 'made'));
    const { notRestored } = await store.restore(cp!, 's');
    expect(lstatSync(join(r, 'secret')).mode & 0o777).toBe(0o600);
    expect(lstatSync(join(r, 'empty', 'deeper')).isDirectory()).toBe(true);
    expect(existsSync(join(r, 'made'))).toBe(false);
    expect(notRestored.join('\n')).toMatch(/nested: a nested repository/);
  });

  it('a fifo is named, not recorded, and left alone', async () => {
    const { root, repo: r } = repo();
    writeFileSync(join(r, 'a'), 'a');
    const { store } = await open(root, r, track);
    const cp = await store.snapshot(meta('plain'), { always: true });
    execFileSync('mkfifo', [join(r, 'pipe')]);
    writeFileSync(join(r, 'a'), 'b');
    const withFifo = await store.snapshot(meta('fifo'));
    expect(withFifo!.outside?.special).toEqual(['pipe']);
    const { notRestored } = await store.restore(cp!, 's');
    expect(lstatSync(join(r, 'pipe')).isFIFO()).toBe(true);
    expect(notRestored.join('\n')).toMatch(/pipe: a fifo/);
  });

  it('a name with a newline is recorded, removed and restored as its bytes', async () => {
    const { root, repo: r } = repo();
    writeFileSync(join(r, 'a'), 'a');
    const { store } = await open(root, r, track);
    const first = await store.snapshot(meta('plain'), { always: true });
    writeFileSync(join(r, 'new\nline'), 'nl');
    const second = await store.snapshot(meta('with a newline'));
    expect(listing(r, second!.tree)['new\nline']).toBe(`100644 ${blob(r, 'nl')}`);
    const { changes } = await store.restore(first!, 's');
    expect(changes.map((c) => c.path)).toEqual(['"new\\nline"']);
    expect(existsSync(join(r, 'new\nline'))).toBe(false);
    await store.restore(second!, 's');
    expect(readFileSync(join(r, 'new\nline'), 'utf8')).toBe('nl');
  });

  it('a directory swapped for a symlink to outside the workspace: the checkpoint holds the link, nothing is read or written through it', async () => {
    const { root, repo: r } = repo();
    mkdirSync(join(r, 'd'));
    writeFileSync(join(r, 'd', 'f'), 'mine\n');
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'f'), 'outside\n');
    const { store } = await open(root, r, track);
    const first = await store.snapshot(meta('d is a directory'), { always: true });
    // a write into d, then d moved away and a link to outside put in its place (one batch of events)
    writeFileSync(join(r, 'd', 'f'), 'changed\n');
    renameSync(join(r, 'd'), join(r, 'd.old'));
    symlinkSync(outside, join(r, 'd'));
    const swapped = await store.snapshot(meta('d is a link'));
    const got = listing(r, swapped!.tree);
    expect(got['d']).toBe(`120000 ${blob(r, outside)}`);
    expect(got['d/f']).toBeUndefined();
    expect(got['d.old/f']).toBe(`100644 ${blob(r, 'changed\n')}`);
    await store.restore(first!, 's');
    expect(lstatSync(join(r, 'd')).isDirectory()).toBe(true);
    expect(readFileSync(join(r, 'd', 'f'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(r, 'd.old'))).toBe(false);
    expect(readFileSync(join(outside, 'f'), 'utf8')).toBe('outside\n');
    expect(readdirSync(outside)).toEqual(['f']);
  });

  it('an ignored directory swapped for a symlink to outside: the rollback reads, writes and chmods nothing through it', async () => {
    const { root, repo: r } = repo();
    writeFileSync(join(r, '.gitignore'), 'cache\n');
    mkdirSync(join(r, 'cache'));
    writeFileSync(join(r, 'cache', 'secret'), 'mine\n');
    chmodSync(join(r, 'cache', 'secret'), 0o600);
    writeFileSync(join(r, 'a'), 'a');
    const { store } = await open(root, r, track);
    // a tool writes cache/secret: recorded, mode bits and all
    const cp = await store.snapshot(meta('the tool writes cache/secret'), { always: true, force: [join(r, 'cache', 'secret')] });
    expect(listing(r, cp!.tree)['cache/secret']).toBe(`100644 ${blob(r, 'mine\n')}`);
    expect(cp!.outside?.modes).toEqual({ 'cache/secret': '0600' });
    const outside = join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(join(outside, 'secret'), 'outside\n');
    chmodSync(join(outside, 'secret'), 0o644);
    rmSync(join(r, 'cache'), { recursive: true });
    symlinkSync(outside, join(r, 'cache'));
    writeFileSync(join(r, 'a'), 'b');
    const { saved, notRestored } = await store.restore(cp!, 's');
    expect(readFileSync(join(outside, 'secret'), 'utf8')).toBe('outside\n');
    expect(lstatSync(join(outside, 'secret')).mode & 0o777).toBe(0o644);
    expect(readdirSync(outside)).toEqual(['secret']);
    expect(readlinkSync(join(r, 'cache'))).toBe(outside);
    expect(listing(r, saved!.tree)['cache/secret']).toBeUndefined();
    expect(notRestored.join('\n')).toMatch(/cache\/secret: not restored, the symlink cache is in the way/);
    expect(readFileSync(join(r, 'a'), 'utf8')).toBe('a');
  });

  it('a file hidden or un-hidden by an edit of .git/info/exclude (not .gitignore): restored when hidden, never deleted when un-hidden', async () => {
    const { root, repo: r } = repo();
    const exclude = join(r, '.git', 'info', 'exclude');
    writeFileSync(join(r, 'report.txt'), 'report v1\n');
    writeFileSync(join(r, 'local.txt'), 'mine, never recorded\n');
    writeFileSync(exclude, 'local.txt\n');
    const { store } = await open(root, r, track);
    const first = await store.snapshot(meta('local.txt hidden'), { always: true });
    expect(Object.keys(listing(r, first!.tree))).toEqual(['report.txt']);
    // report.txt hidden and changed, local.txt no longer hidden
    writeFileSync(exclude, 'report.txt\n');
    writeFileSync(join(r, 'report.txt'), 'report v2\n');
    const second = await store.snapshot(meta('report.txt hidden'));
    expect(listing(r, second!.tree)['report.txt']).toBe(`100644 ${blob(r, 'report v2\n')}`);
    rmSync(join(r, 'report.txt'));
    await store.restore(second!, 's');
    expect(readFileSync(join(r, 'report.txt'), 'utf8')).toBe('report v2\n');
    await store.restore(first!, 's');
    expect(readFileSync(join(r, 'report.txt'), 'utf8')).toBe('report v1\n');
    expect(readFileSync(join(r, 'local.txt'), 'utf8')).toBe('mine, never recorded\n');
  });

  it('core.excludesFile and core.attributesFile in the repository config: ignore rules as git has them, no conversion from the attributes file', async () => {
    const { root, repo: r } = repo();
    writeFileSync(join(root, 'attributes'), '* text eol=crlf filter=rot13\n');
    writeFileSync(join(root, 'excludes'), '*.secret\n');
    git(r, 'config', 'core.attributesFile', join(root, 'attributes'));
    git(r, 'config', 'core.excludesFile', join(root, 'excludes'));
    git(r, 'config', 'filter.rot13.clean', 'tr A-Za-z N-ZA-Mn-za-m');
    git(r, 'config', 'filter.rot13.smudge', 'tr A-Za-z N-ZA-Mn-za-m');
    writeFileSync(join(r, 'a.txt'), 'Hello\n');
    writeFileSync(join(r, 'x.secret'), 'not recorded\n');
    const { store } = await open(root, r, track);
    const cp = await store.snapshot(meta('attributes file, excludes file'), { always: true });
    expect(listing(r, cp!.tree)).toEqual({ 'a.txt': `100644 ${blob(r, 'Hello\n')}` });
    writeFileSync(join(r, 'a.txt'), 'clobbered\n');
    await store.restore(cp!, 's');
    expect(readFileSync(join(r, 'a.txt'), 'latin1')).toBe('Hello\n');
    expect(readFileSync(join(r, 'x.secret'), 'utf8')).toBe('not recorded\n');
  });
});

describe('incremental checkpoints never turn a doubt into "unchanged"', () => {
  it('a write through mmap (no inotify event) is in the checkpoint a rollback takes first, and the reconcile says so', async () => {
    const { root, repo: r } = repo();
    writeFileSync(join(r, 'mapped.bin'), 'hello world\n');
    writeFileSync(join(r, 'other'), 'v1');
    const { store, notices } = await open(root, r, true);
    const first = await store.snapshot(meta('first'), { always: true });
    execFileSync(
      'python3',
      ['-c', "import mmap,os\nfd=os.open('mapped.bin',os.O_RDWR)\nm=mmap.mmap(fd,0)\nm[0:5]=b'HELLO'\nm.flush();m.close();os.close(fd)"],
      { cwd: r },
    );
    writeFileSync(join(r, 'other'), 'v2');
    const { saved } = await store.restore(first!, 's');
    expect(listing(r, saved!.tree)['mapped.bin']).toBe(`100644 ${blob(r, 'HELLO world\n')}`);
    expect(readFileSync(join(r, 'mapped.bin'), 'utf8')).toBe('hello world\n');
    expect(notices.some((n) => n.kind === 'reconcile' && n.message.includes('mapped.bin'))).toBe(true);
    await store.restore(saved!, 's');
    expect(readFileSync(join(r, 'mapped.bin'), 'utf8')).toBe('HELLO world\n');
  });

  it('a fall back to a full scan says why', async () => {
    const { root, repo: r } = repo();
    writeFileSync(join(r, 'a'), 'a');
    const { store, notices } = await open(root, r, true);
    await store.snapshot(meta('first'), { always: true });
    appendFileSync(join(r, '.gitignore'), '*.tmp\n');
    await store.snapshot(meta('rules'));
    mkdirSync(join(r, 'inner'));
    git(join(r, 'inner'), 'init', '-q');
    await store.snapshot(meta('nested'));
    expect(notices.map((n) => n.message)).toEqual([
      'checkpoint by a full scan: .gitignore changed',
      'checkpoint by a full scan: a new nested repository at inner',
    ]);
  });
});

describe('paths as people see them', () => {
  it.each([['plain.txt'], ['ünï'], ['bad\xffname'], ['new\nline'], ['"quoted"'], ['tab\there'], ['back\\slash'], ['\x80\x81'], ['caf\xc3\xa9']])(
    '%j round-trips',
    (raw) => {
      // raw is a byte string here (one char per byte), except the UTF-8 text case
      const bytes = raw === 'ünï' ? Buffer.from(raw, 'utf8').toString('latin1') : raw;
      expect(fromShown(shown(bytes))).toBe(bytes);
      expect(shown(bytes)).not.toMatch(/[\x00-\x1f\x7f]/);
    },
  );

  it('readdir agrees: a name on disk comes back as the same bytes', () => {
    const { repo: r } = repo();
    writeFileSync(Buffer.concat([Buffer.from(`${r}/`), Buffer.from([0x62, 0xff])]), '');
    const names = readdirSync(r, { encoding: 'buffer' }).map((b) => b.toString('latin1'));
    expect(names).toContain('b\xff');
    expect(shown('b\xff')).toBe('"b\\377"');
  });
});
