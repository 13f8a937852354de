import { describe, expect, it } from 'vitest';
import { readOption } from '../../src/policy/programs/argv.js';
import { asksOnlyForHelp } from '../../src/policy/programs/help.js';
import { textArg } from '../../src/policy/shell/words.js';
import type { ShellCommand } from '../../src/policy/types.js';

function command(...words: string[]): ShellCommand {
  const argv = words.map((w) => (w.startsWith('$') ? { value: w, dynamic: true, glob: true, pattern: '*' } : textArg(w)));
  return { argv, name: words[0]!, cwd: '/w', redirects: [], stdin: { kind: 'none' }, via: [], text: words.join(' '), depth: 0, tags: [] };
}

describe('option words read like getopt', () => {
  it('ends a cluster at its first value-taking letter', () => {
    expect(readOption('-bfeature', ['-b'])).toEqual({ word: '-b', takesNext: false });
    expect(readOption('-fb', ['-b'])).toEqual({ word: '-fb', takesNext: true });
    expect(readOption('-e/bin/sh', ['-e'])).toEqual({ word: '-e', takesNext: false });
    expect(readOption('-m', ['-m'])).toEqual({ word: '-m', takesNext: true });
    expect(readOption('--message', ['--message'])).toEqual({ word: '--message', takesNext: true });
    expect(readOption('--message=x', ['--message'])).toEqual({ word: '--message=x', takesNext: false });
    expect(readOption('-rf', [])).toEqual({ word: '-rf', takesNext: false });
  });
});

describe('commands that only ask for help', () => {
  it.each([
    [['rm', '--help'], true],
    [['rm', '-rf', '--help', 'x'], true],
    [['rm', '-rf', 'x', '--help'], false],
    [['rm', '$F', '--help'], false],
    [['rm', '--', '--help'], false],
    [['git', 'restore', '--help'], true],
    [['git', '-C', 'sub', 'restore', '--help'], true],
    [['git', 'push', '--force', '--help'], false],
    [['git', 'restore', '-h'], true],
    [['git', 'restore', '-h', 'x'], false],
    [['kubectl', '-n', 'prod', 'delete', 'pod', 'x', '--help'], true],
    [['kubectl', 'some-plugin', '--help'], false],
    [['npm', 'publish', '--help'], true],
    [['npm', 'run', 'deploy', '--help'], false],
    [['terraform', 'destroy', '-auto-approve', '-help'], true],
    [['docker', 'run', 'img', '--help'], false],
  ])('%j → %s', (words, expected) => {
    expect(asksOnlyForHelp(command(...words))).toBe(expected);
  });
});
