import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LooseObjectWriter } from '../../src/checkpoints/objects.js';
import { toRaw } from '../../src/checkpoints/paths.js';
import { TreeModel, type LeafMode } from '../../src/checkpoints/tree-model.js';

const root = mkdtempSync(join(tmpdir(), 'harness-tree-'));
execFileSync('git', ['init', '-q', '--bare', root]);
afterAll(() => rmSync(root, { recursive: true, force: true }));
const writer = new LooseObjectWriter(join(root, 'objects'), 'sha1');
const git = (args: string[], input?: string): string => execFileSync('git', args, { env: { ...process.env, GIT_DIR: root }, encoding: 'utf8', input }).trim();
const blob = (text: string): string => writer.write('blob', Buffer.from(text));

/** git's own tree for the same files: update-index into a scratch index, write-tree. */
function gitTree(files: [string, LeafMode, string][]): string {
  const index = join(root, `index-${Math.random()}`);
  const env = { ...process.env, GIT_DIR: root, GIT_INDEX_FILE: index };
  execFileSync('git', ['update-index', '--add', '-z', '--index-info'], { env, input: files.map(([p, m, oid]) => `${m} ${oid}\t${p}\0`).join('') });
  const tree = execFileSync('git', ['write-tree'], { env, encoding: 'utf8' }).trim();
  rmSync(index, { force: true });
  return tree;
}

describe('tree model: the trees it writes are the trees git writes', () => {
  const cases: [string, [string, LeafMode, string][]][] = [
    ['one file', [['a.txt', '100644', blob('a')]]],
    [
      'directory sorts as if it ended in a slash',
      [
        ['a-b', '100644', blob('1')],
        ['a/b', '100644', blob('2')],
        ['a.c', '100644', blob('3')],
        ['a0', '100644', blob('4')],
      ],
    ],
    [
      'modes: executable, symlink',
      [
        ['run.sh', '100755', blob('#!/bin/sh')],
        ['link', '120000', blob('run.sh')],
      ],
    ],
    [
      'byte order, not UTF-16 order',
      [
        ['\u{1F600}', '100644', blob('emoji')],
        ['\uFF21', '100644', blob('fullwidth')],
        ['z', '100644', blob('z')],
        ['ünï', '100644', blob('u')],
      ],
    ],
    [
      'deep paths and spaces',
      [
        ['x y/z w/deep/file', '100644', blob('d')],
        ['x y/top', '100644', blob('t')],
      ],
    ],
  ];
  it.each(cases)('%s', (_name, files) => {
    // the model's paths are byte strings (one char per byte)
    const model = new TreeModel();
    for (const [p, mode, oid] of files) model.set(toRaw(p), { mode, oid });
    expect(model.writeTree(writer)).toBe(gitTree(files));
  });

  it('round-trips through ls-tree and rewrites only what changed', () => {
    const files: [string, LeafMode, string][] = [
      ['src/a.ts', '100644', blob('a')],
      ['src/lib/b.ts', '100644', blob('b')],
      ['docs/c.md', '100644', blob('c')],
    ];
    const tree = gitTree(files);
    const model = TreeModel.fromLsTree(tree, git(['ls-tree', '-r', '-t', '-z', '--full-tree', tree]));
    expect(model.size).toBe(3);
    expect(model.writeTree(writer)).toBe(tree);
    model.set('src/lib/b.ts', { mode: '100755', oid: blob('b2') });
    model.remove('docs/c.md');
    const expected = gitTree([
      ['src/a.ts', '100644', files[0]![2]],
      ['src/lib/b.ts', '100755', blob('b2')],
    ]);
    expect(model.writeTree(writer)).toBe(expected);
    expect(model.size).toBe(2);
    expect(model.directories().sort()).toEqual(['', 'src', 'src/lib']);
  });

  it('a file replacing a directory (and back) leaves no trace of the old one', () => {
    const model = new TreeModel();
    model.set('d/x', { mode: '100644', oid: blob('x') });
    model.set('d/y/z', { mode: '100644', oid: blob('z') });
    model.set('d', { mode: '100644', oid: blob('now a file') });
    expect(model.size).toBe(1);
    expect(model.writeTree(writer)).toBe(gitTree([['d', '100644', blob('now a file')]]));
    model.set('d/again', { mode: '100644', oid: blob('dir again') });
    expect(model.writeTree(writer)).toBe(gitTree([['d/again', '100644', blob('dir again')]]));
  });

  it('names that are not UTF-8 keep their bytes', () => {
    const model = new TreeModel();
    model.set('bad\xffname', { mode: '100644', oid: blob('x') });
    model.set('dir\xfe/f', { mode: '100644', oid: blob('y') });
    const tree = model.writeTree(writer);
    const listing = execFileSync('git', ['ls-tree', '-r', '-z', '--name-only', tree], { env: { ...process.env, GIT_DIR: root } });
    expect(listing.toString('latin1').split('\0').filter(Boolean).sort()).toEqual(['bad\xffname', 'dir\xfe/f']);
  });

  it('knows what lies inside a nested repository', () => {
    const model = new TreeModel();
    model.set('vendor/lib', { mode: '160000', oid: 'a'.repeat(40) });
    expect(model.insideGitlink('vendor/lib/file.c')).toBe(true);
    expect(model.insideGitlink('vendor/other')).toBe(false);
  });
});
