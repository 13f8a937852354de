import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src/checkpoints/store.js';
import { DirtyWatcher } from '../../src/checkpoints/watcher.js';

describe.runIf(DirtyWatcher.supported())('incremental checkpoints: files a tool writes where ignore rules hid everything from the start', () => {
  it('a file a Write creates in a directory ignored since the session began is recorded by the next checkpoint, and a rollback to before the Write removes it', async () => {
    const root = mkdtempSync(join(tmpdir(), 'harness-tracker-'));
    const ws = join(root, 'ws');
    mkdirSync(join(ws, 'build'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: ws });
    writeFileSync(join(ws, '.gitignore'), 'build/\n');
    writeFileSync(join(ws, 'build', 'out.js'), 'build output, ignored before the session\n');
    const store = CheckpointStore.open(ws, join(root, 'state'));
    const listed = (tree: string) => execFileSync('git', ['ls-tree', '-r', '--name-only', tree], { cwd: ws, encoding: 'utf8' }).split('\n').filter(Boolean);
    try {
      expect(await store.track()).toBe(true);
      // the checkpoint before a Write of build/gen.txt (it does not exist yet), then the Write
      const before = await store.snapshot(
        { sessionId: 's', kind: 'Write', summary: 'write build/gen.txt' },
        { force: [join(ws, 'build', 'gen.txt')], always: true },
      );
      writeFileSync(join(ws, 'build', 'gen.txt'), 'written by the tool\n');
      // the next call's checkpoint
      writeFileSync(join(ws, 'a.txt'), 'a\n');
      const after = await store.snapshot({ sessionId: 's', kind: 'Bash', summary: 'next' });
      expect(listed(before!.tree)).toEqual(['.gitignore']);
      expect(listed(after!.tree)).toEqual(['.gitignore', 'a.txt', 'build/gen.txt']);
      await store.restore(before!, 's');
      expect(existsSync(join(ws, 'build', 'gen.txt'))).toBe(false);
      expect(existsSync(join(ws, 'a.txt'))).toBe(false);
      // what was ignored from the start stays as it was
      expect(existsSync(join(ws, 'build', 'out.js'))).toBe(true);
    } finally {
      store.close();
    }
  }, 60_000);
});

describe.runIf(DirtyWatcher.supported())('the first scan waiting for the agent to settle (trackWhen)', () => {
  const repo = () => {
    const root = mkdtempSync(join(tmpdir(), 'harness-soon-'));
    const ws = join(root, 'ws');
    mkdirSync(ws, { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: ws });
    writeFileSync(join(ws, 'a.txt'), 'a\n');
    return { ws, state: join(root, 'state') };
  };

  it.each([
    ['a checkpoint', (s: CheckpointStore) => s.snapshot({ sessionId: 's', kind: 'Write', summary: 'w' }, { always: true })],
    ['a diff', (s: CheckpointStore) => s.changesSince('4b825dc642cb6eb9a060e54bf8d69288fbee4904')],
  ])(
    '%s asked for during the head start begins tracking at once, and is answered from the tracked tree after one full scan',
    async (_what, work) => {
      const { ws, state } = repo();
      const store = CheckpointStore.open(ws, state);
      try {
        // the agent never settles: only the work asked for can begin the scan
        const tracking = store.trackWhen(new Promise(() => undefined));
        expect(store.scans.full).toBe(0);
        await work(store);
        expect(await tracking).toBe(true);
        expect(store.scans).toMatchObject({ full: 1 });
        writeFileSync(join(ws, 'b.txt'), 'b\n');
        const next = await store.snapshot({ sessionId: 's', kind: 'Write', summary: 'next' });
        expect(next).not.toBeNull();
        expect(store.scans).toMatchObject({ full: 1, incremental: 2 });
      } finally {
        store.close();
      }
    },
    60_000,
  );

  it('begins by itself once the agent has settled, and once only', async () => {
    const { ws, state } = repo();
    const store = CheckpointStore.open(ws, state);
    try {
      let settle!: () => void;
      const tracking = store.trackWhen(new Promise<void>((r) => (settle = r)));
      await new Promise((r) => setImmediate(r));
      expect(store.scans.full).toBe(0);
      settle();
      expect(await tracking).toBe(true);
      await store.snapshot({ sessionId: 's', kind: 'Write', summary: 'w' }, { always: true });
      expect(store.scans).toMatchObject({ full: 1, incremental: 1 });
      expect(store.scans.full).toBe(1);
    } finally {
      store.close();
    }
  }, 60_000);

  it('a store closed while the agent starts never scans, and says it is not tracking', async () => {
    const { ws, state } = repo();
    const store = CheckpointStore.open(ws, state);
    const tracking = store.trackWhen(new Promise(() => undefined));
    store.close();
    expect(await tracking).toBe(false);
    expect(store.scans.full).toBe(0);
  }, 60_000);
});

/** A repository of `dirs` directories of 100 files each, and a checkpoint store for it. */
function repository(dirs: number): { ws: string; files: string[]; store: CheckpointStore } {
  const root = mkdtempSync(join(tmpdir(), 'harness-tracker-'));
  const ws = join(root, 'ws');
  const files: string[] = [];
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(ws, `d${d}`), { recursive: true });
    for (let f = 0; f < 100; f++) {
      writeFileSync(join(ws, `d${d}`, `f${f}`), `${d} ${f}\n`);
      files.push(`d${d}/f${f}`);
    }
  }
  execFileSync('git', ['init', '-q'], { cwd: ws });
  return { ws, files, store: CheckpointStore.open(ws, join(root, 'state')) };
}

describe.runIf(DirtyWatcher.supported())('mode bits read during the first full scan', () => {
  it('files the agent chmods while harness scans (a background job of its own) are recorded as they are on disk by the next checkpoint', async () => {
    const { ws, files, store } = repository(30);
    try {
      const scan = { done: false };
      const tracking = store.track().finally(() => (scan.done = true));
      // files made private and public again, one after another, all the while the scan runs: before
      // the walk reaches them, between the walk and git's scan (when the early mode pass reads them), after
      // (forty of them, spread over the tree: fewer than a checkpoint lists by name)
      const toggled = files.filter((_, i) => i % 75 === 0);
      let changes = 0;
      for (let n = 0; !scan.done; n++) {
        const file = join(ws, toggled[n % toggled.length]!);
        chmodSync(file, (lstatSync(file).mode & 0o777) === 0o600 ? 0o644 : 0o600);
        changes++;
        await new Promise((r) => setImmediate(r));
      }
      expect(await tracking).toBe(true);
      expect(changes).toBeGreaterThan(0);
      const cp = await store.snapshot({ sessionId: 's', kind: 'Bash', summary: 'after the scan' }, { always: true });
      const onDisk = Object.fromEntries(files.filter((f) => (lstatSync(join(ws, f)).mode & 0o777) === 0o600).map((f) => [f, '0600']));
      expect(cp!.outside?.modes ?? {}).toEqual(onDisk);
    } finally {
      store.close();
    }
  }, 120_000);

  it('a file chmodded once the scan is done but before all its mode bits are applied keeps the mode the next checkpoint reads', async () => {
    const { ws, files, store } = repository(120);
    try {
      expect(await store.track()).toBe(true);
      // the mode bits of 12,000 files are applied in slices after the scan: these were read before the chmod
      const chmodded = files.filter((_, i) => i % 80 === 0);
      for (const f of chmodded) chmodSync(join(ws, f), 0o600);
      const cp = await store.snapshot({ sessionId: 's', kind: 'Bash', summary: 'chmod' }, { always: true });
      expect(Object.keys(cp!.outside?.modes ?? {}).sort()).toEqual([...chmodded].sort());
    } finally {
      store.close();
    }
  }, 120_000);
});
