import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
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
