import { describe, expect, it } from 'vitest';
import { buildRegistry, declaredPrograms, programOf } from '../../src/policy/programs/registry.js';
import { parseArgs } from '../../src/policy/programs/argv.js';
import { textArg } from '../../src/policy/shell/words.js';

const argv = (line: string) => line.split(' ').map((w) => textArg(w));

describe('the program registry: one declaration per program, each fact once', () => {
  it('merges a program declared by several families, field by field', () => {
    const registry = buildRegistry([[{ names: ['x'], files: { role: 'read' } }], [{ names: ['x', 'x2'], outputs: ['-o'] }]]);
    expect(registry.get('x')).toMatchObject({ files: { role: 'read' }, outputs: ['-o'] });
    expect(registry.get('x2')).toMatchObject({ files: { role: 'read' }, outputs: ['-o'] });
  });

  it('refuses the same field of one program declared twice', () => {
    expect(() => buildRegistry([[{ names: ['x'], outputs: ['-o'] }], [{ names: ['x'], outputs: ['--out'] }]])).toThrow(
      /program x: outputs is declared twice, differently/,
    );
    // the same fact stated for two names of one program is one fact
    expect(buildRegistry([[{ names: ['x', 'y'], outputs: ['-o'] }], [{ names: ['y'], outputs: ['-o'] }]]).get('x')).toMatchObject({ outputs: ['-o'] });
  });

  it.each([
    ['git', ['globals', 'options', 'help', 'codeOptions']],
    ['sudo', ['wrapper']],
    ['npm', ['globals', 'subcommandWrappers', 'help']],
    ['aws', ['globals', 'remote']],
    ['systemctl', ['privilege']],
    ['cp', ['files']],
    ['sftp', ['transfer']],
    ['dig', ['resolves']],
    ['openssl', ['files', 'network', 'decoder', 'codeOptions']],
  ])('%s has what its families declare', (name, fields) => {
    const decl = programOf(name);
    for (const f of fields) expect(decl, `${name}.${f}`).toHaveProperty(f);
  });

  it('a versioned name is its program (python3.12, lua5.4)', () => {
    expect(programOf('python3.12')?.interpreter).toBe('python');
    expect(programOf('lua5.4')?.interpreter).toBe('lua');
    expect(programOf('xargs')?.runs).toBe('xargs');
    expect(programOf('no-such-program-here')).toBeUndefined();
  });

  it('declares several hundred programs', () => {
    expect(declaredPrograms().length).toBeGreaterThan(800);
  });
});

describe('the shared argv parser', () => {
  it.each([
    ['kubectl --foo prod delete ns x', ['prod', 'delete', 'ns', 'x'], ['delete', 'ns', 'x']],
    ['git -C dir push --force origin', ['push', 'origin'], null],
    ['git --attr-source HEAD push --force origin', ['push', 'origin'], null],
    ['git --new-thing x push --force origin', ['x', 'push', 'origin'], ['push', 'origin']],
    ['kubectl -n prod get -o yaml secret db', ['get', 'secret', 'db'], null],
    ['git checkout -bfeature main', ['checkout', 'main'], null],
  ])('%s', (line, words, alternative) => {
    const args = argv(line);
    const parsed = parseArgs(programOf(args[0]!.value), args);
    expect(parsed.words).toEqual(words);
    expect(parsed.alternative).toEqual(alternative);
  });
});
