import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CheckpointStore } from '../../src/checkpoints/store.js';
import { DirtyWatcher } from '../../src/checkpoints/watcher.js';
import { until } from '../support/until.js';

/** How many events the kernel queues per inotify instance before it drops the rest. */
const QUEUE = Number(readFileSync('/proc/sys/fs/inotify/max_queued_events', 'utf8').trim());

/**
 * More events than the kernel queues, made while the event loop is blocked (as a long synchronous
 * stretch of harness's own work would block it): the queue overflows, and the events after it,
 * here the write to `last.txt`, are lost. Node's watcher never says so (libuv drops the overflow
 * event), so the watcher has to notice on its own.
 */
function overflow(dir: string): void {
  execFileSync('python3', [
    '-c',
    `import os\nfor i in range(${QUEUE + 4000}): open(os.path.join(${JSON.stringify(dir)}, 'f%d' % i), 'w').close()\nopen(os.path.join(${JSON.stringify(dir)}, 'last.txt'), 'w').write('after the overflow')`,
  ]);
}

describe.runIf(DirtyWatcher.supported())('changes inotify does not report: a queue overflow, writes through mmap', () => {
  it('marks the set lost when the kernel may have dropped events', async () => {
    const root = mkdtempSync(join(tmpdir(), 'harness-watch-'));
    const ws = join(root, 'ws');
    mkdirSync(join(ws, 'd'), { recursive: true });
    const w = new DirtyWatcher(ws, join(root, 'state'));
    try {
      expect(w.watch('') && w.watch('d')).toBe(true);
      expect(await w.barrier()).toBe(true);
      expect(w.take()).toEqual({ paths: [], lost: null });
      let heard = 0;
      w.listener = () => void heard++;
      overflow(join(ws, 'd'));
      // the loop runs again: what the kernel kept is read
      await until('the events the kernel kept', () => heard >= QUEUE - 100, 60_000);
      expect(await w.barrier(20_000)).toBe(true);
      const { paths, lost } = w.take();
      expect(paths).not.toContain('d/last.txt');
      expect(lost).toMatch(/overflow/);
    } finally {
      w.close();
    }
  }, 120_000);

  it('a checkpoint after the overflow holds the file whose event was dropped', async () => {
    const root = mkdtempSync(join(tmpdir(), 'harness-watch-'));
    const ws = join(root, 'ws');
    mkdirSync(join(ws, 'd'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: ws });
    writeFileSync(join(ws, 'keep.txt'), 'k\n');
    const store = CheckpointStore.open(ws, join(root, 'state'));
    try {
      expect(await store.track()).toBe(true);
      await store.snapshot({ sessionId: 's', kind: 'start', summary: 'start' }, { always: true });
      let heard = 0;
      const off = store.onChange((p) => void (heard += p.length));
      overflow(join(ws, 'd'));
      await until('the events the kernel kept', () => heard >= QUEUE - 100, 60_000);
      off();
      const cp = await store.snapshot({ sessionId: 's', kind: 'after', summary: 'after' });
      const listed = execFileSync('git', ['ls-tree', '-r', '--name-only', cp!.tree], { cwd: ws, encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n');
      expect(listed).toContain('d/last.txt');
      expect(listed.filter((l) => l.startsWith('d/f'))).toHaveLength(QUEUE + 4000);
    } finally {
      store.close();
    }
  }, 120_000);

  it('a write through mmap (no inotify event) to a file written lately is in the next checkpoint, not only in the reconcile before a rollback', async () => {
    const root = mkdtempSync(join(tmpdir(), 'harness-watch-'));
    const ws = join(root, 'ws');
    mkdirSync(ws, { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: ws });
    writeFileSync(join(ws, 'keep.txt'), 'k\n');
    const store = CheckpointStore.open(ws, join(root, 'state'));
    const blob = (tree: string, path: string) => execFileSync('git', ['cat-file', 'blob', `${tree}:${path}`], { cwd: ws, encoding: 'utf8' });
    try {
      expect(await store.track()).toBe(true);
      await store.snapshot({ sessionId: 's', kind: 'start', summary: 'start' }, { always: true });
      writeFileSync(join(ws, 'mapped.bin'), 'aaaa-before\n');
      const first = await store.snapshot({ sessionId: 's', kind: 'one', summary: 'one' });
      expect(blob(first!.tree, 'mapped.bin')).toBe('aaaa-before\n');
      for (const [n, text] of [
        [1, 'bbbb'],
        [2, 'cccc'],
      ] as const) {
        // same size, through a shared mapping: the kernel sends no inotify event for it
        execFileSync('python3', [
          '-c',
          `import mmap,os\nfd=os.open(${JSON.stringify(join(ws, 'mapped.bin'))},os.O_RDWR)\nm=mmap.mmap(fd,0)\nm[0:4]=b'${text}'\nm.flush();m.close();os.close(fd)`,
        ]);
        const next = await store.snapshot({ sessionId: 's', kind: `mmap ${n}`, summary: 'mmap' });
        expect(next, `checkpoint after mmap write ${n}`).not.toBeNull();
        expect(blob(next!.tree, 'mapped.bin')).toBe(`${text}-before\n`);
      }
      expect(store.scans.full).toBe(1);
    } finally {
      store.close();
    }
  }, 60_000);
});
