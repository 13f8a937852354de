import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { filesBackend, moveRef } from '../../src/checkpoints/refs.js';

const REF = 'refs/harness/sessions/s1';
const ZERO = '0'.repeat(40);

describe('moving a checkpoint ref in-process, as git does', () => {
  let repo: string;
  let gitDir: string;
  const git = (...args: string[]): string => execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const commit = (n: number): string => git('commit-tree', '-m', `c${n}`, git('mktree'));
  beforeEach(() => {
    repo = mkdtempSync(join(tmpdir(), 'harness-refs-'));
    git('init', '-q');
    gitDir = join(repo, '.git');
  });
  afterEach(() => rmSync(repo, { recursive: true, force: true }));

  it('creates the ref from nothing, then moves it from the value expected; git reads what was written', () => {
    const [a, b] = [commit(1), commit(2)];
    expect(moveRef(gitDir, REF, a, ZERO)).toEqual({ kind: 'moved' });
    expect(git('rev-parse', REF)).toBe(a);
    expect(moveRef(gitDir, REF, b, a)).toEqual({ kind: 'moved' });
    expect(git('rev-parse', REF)).toBe(b);
    expect(git('for-each-ref', '--format=%(refname)', 'refs/harness/')).toBe(REF);
    expect(existsSync(join(gitDir, `${REF}.lock`))).toBe(false);
  });

  it.each([
    ['a ref that exists where none was expected', (a: string): [string | null, string] => [a, ZERO], /reference already exists/],
    ['a ref that moved since (another process)', (a: string): [string | null, string] => [a, 'f'.repeat(40)], /is at [0-9a-f]{40} but expected f{40}/],
    ['a ref that is gone where one was expected', (a: string): [string | null, string] => [null, a], /is at nothing but expected/],
  ] as const)('refuses %s, and leaves the ref and no lock behind', (_what, values, message) => {
    const a = commit(1);
    const [existing, expected] = values(a);
    if (existing) git('update-ref', REF, existing);
    const move = moveRef(gitDir, REF, commit(3), expected);
    expect(move.kind).toBe('refused');
    expect(move.kind === 'refused' && move.message).toMatch(message);
    expect(git('for-each-ref', '--format=%(objectname)', REF)).toBe(existing ?? '');
    expect(existsSync(join(gitDir, `${REF}.lock`))).toBe(false);
  });

  it('a ref git packed (git gc, pack-refs) is compared by its packed value, and the move overrides it', () => {
    const [a, b] = [commit(1), commit(2)];
    git('update-ref', REF, a);
    git('update-ref', 'refs/harness/sessions/other', b);
    git('pack-refs', '--all');
    expect(existsSync(join(gitDir, REF))).toBe(false);
    expect(moveRef(gitDir, REF, b, 'e'.repeat(40)).kind).toBe('refused');
    expect(moveRef(gitDir, REF, b, a)).toEqual({ kind: 'moved' });
    expect(git('rev-parse', REF)).toBe(b);
    expect(git('rev-parse', 'refs/harness/sessions/other')).toBe(b);
  });

  it('a lock someone holds (git in the middle of moving it) refuses the move and is left to its owner', () => {
    const a = commit(1);
    mkdirSync(join(gitDir, 'refs/harness/sessions'), { recursive: true });
    writeFileSync(join(gitDir, `${REF}.lock`), '');
    const move = moveRef(gitDir, REF, a, ZERO);
    expect(move).toEqual({ kind: 'refused', message: expect.stringMatching(/File exists/) });
    expect(existsSync(join(gitDir, `${REF}.lock`))).toBe(true);
  });

  it('is left to git for a ref with a reflog, a symbolic ref, or a path it cannot create', () => {
    const a = commit(1);
    mkdirSync(join(gitDir, 'logs/refs/harness/sessions'), { recursive: true });
    writeFileSync(join(gitDir, 'logs', REF), '');
    expect(moveRef(gitDir, REF, a, ZERO).kind).toBe('ask-git');
    rmSync(join(gitDir, 'logs'), { recursive: true });
    git('symbolic-ref', REF, 'refs/heads/main');
    expect(moveRef(gitDir, REF, a, ZERO).kind).toBe('ask-git');
    expect(readFileSync(join(gitDir, REF), 'utf8')).toBe('ref: refs/heads/main\n');
    // a file where a directory of the ref's path should be
    writeFileSync(join(gitDir, 'refs/harness/file'), '');
    expect(moveRef(gitDir, 'refs/harness/file/s2', a, ZERO).kind).toBe('ask-git');
  });

  it.each([
    ['a plain repository', '', true],
    ['reftable (extensions.refStorage)', '[extensions]\n\trefStorage = reftable\n', false],
    ['files named as the backend', '[extensions]\n\trefstorage = files\n', true],
    ['every ref update logged (core.logAllRefUpdates = always)', '[core]\n\tlogAllRefUpdates = always\n', false],
    ['logged as usual (true)', '[core]\n\tlogallrefupdates = true\n', true],
  ])('the files backend here: %s -> %s', (_what, extra, expected) => {
    writeFileSync(join(gitDir, 'config'), `${readFileSync(join(gitDir, 'config'), 'utf8')}${extra}`);
    expect(filesBackend(gitDir)).toBe(expected);
  });

  it('a reftable directory, or no config at all, is not the files backend', () => {
    mkdirSync(join(gitDir, 'reftable'));
    expect(filesBackend(gitDir)).toBe(false);
    expect(filesBackend(join(repo, 'nowhere'))).toBe(false);
  });
});
