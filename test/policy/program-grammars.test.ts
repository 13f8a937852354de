import { describe, expect, it } from 'vitest';
import { hasFlag, optionArg, optionNamed, readOptionWord, scanArgs } from '../../src/policy/programs/argv.js';
import { programOf } from '../../src/policy/programs/registry.js';
import { commandEffects, symlinkCreated, transferOutput } from '../../src/policy/effects.js';
import { fdExecs, findActions, gitInvocation, xargsCommand, unknownArg } from '../../src/policy/shell/children.js';
import { textArg } from '../../src/policy/shell/words.js';
import { peelWrapper } from '../../src/policy/shell/wrappers.js';
import type { ShellCommand } from '../../src/policy/types.js';

const args = (line: string) => line.split(' ').map((w) => textArg(w));
const takes =
  (...values: string[]) =>
  (o: string) =>
    values.includes(o);

function command(line: string): ShellCommand {
  const argv = args(line);
  return { argv, name: argv[0]!.value, cwd: '/w', redirects: [], stdin: { kind: 'none' }, via: [], text: line, depth: 0, tags: [] };
}

/** The effects of a command line as `op path[/r]` strings. */
function effects(line: string): string[] {
  return commandEffects(command(line), { home: '/home/u' }).map((e) => `${e.op} ${e.path}${e.recursive ? '/r' : ''}`);
}

describe('the shared argv reader', () => {
  it('reads an option word in the three ways the readers split clusters', () => {
    expect(readOptionWord('-xzfa.tgz', takes('-f'))).toEqual({ flags: '-xzf', option: '-f', attached: 'a.tgz' });
    expect(readOptionWord('-xzf', takes('-f'))).toEqual({ flags: '-xzf', option: '-f', attached: null });
    expect(readOptionWord('-Cdir', takes('-C'), 'attached')).toEqual({ flags: '-C', option: '-C', attached: 'dir' });
    expect(readOptionWord('-pC', takes('-C'), 'attached')).toEqual({ flags: '-pC', option: null, attached: null });
    expect(readOptionWord('-He', takes('-e'), 'words')).toEqual({ flags: '-He', option: null, attached: null });
    expect(readOptionWord('--file=x', takes('--file'), 'words')).toEqual({ flags: '--file', option: '--file', attached: 'x' });
  });

  it('scans argv into options with their values and operands, up to `--`', () => {
    const items = scanArgs(args('-rt /d a -- -b'), takes('-t'));
    expect(items.map((x) => ('operand' in x ? x.operand.value : `${x.option.flags}=${x.value?.value}`))).toEqual(['-rt=/d', 'a', '-b']);
  });

  it('finds flags inside clusters and option values in their three forms', () => {
    expect(hasFlag('-rf', ['-r'])).toBe(true);
    expect(hasFlag('--recursive=x', ['--recursive'])).toBe(false);
    expect(optionArg(args('-C dir'), 0)?.value).toBe('dir');
    expect(optionArg(args('-Cdir'), 0)?.value).toBe('dir');
    expect(optionArg(args('--directory=dir'), 0)?.value).toBe('dir');
    expect(optionNamed('-v/a:/b', ['-v', '--volume'])).toBe('-v');
    expect(optionNamed('--volumes-from', ['-v', '--volume'])).toBeUndefined();
  });
});

describe('what the declarations say of files', () => {
  it.each([
    ['curl', 'download'],
    ['wget', 'download'],
    ['tar', 'archive'],
    ['cpio', 'archive'],
    ['unzip', 'archive'],
    ['7z', 'archive'],
    ['dd', 'keyedOperands'],
    ['podman', 'mounts'],
    ['python3', 'serves'],
    ['oc', 'serves'],
    ['http-server', 'serves'],
    ['pdflatex', 'fileCalls'],
    ['duckdb', 'fileCalls'],
    ['find', 'runsOptions'],
    ['fdfind', 'runsOptions'],
    ['xargs', 'runsOptions'],
    ['parallel', 'runsOptions'],
  ])('%s declares %s', (name, field) => {
    expect(programOf(name), `${name}.${field}`).toHaveProperty(field);
  });

  it('keeps the value options of the readers out of what rule matching reads', () => {
    for (const name of ['find', 'fd', 'xargs', 'parallel', 'curl', 'wget']) expect(programOf(name)?.globals, name).toBeUndefined();
  });
});

describe('effects read by the grammar a declaration names', () => {
  it.each([
    ['dd if=/etc/passwd of=/tmp/x bs=1M', ['read /etc/passwd', 'write /tmp/x']],
    ['curl -sSo out.html https://h/x', ['write /w/out.html']],
    ['curl -T/etc/passwd -d @/w/body https://h/', ['read /etc/passwd', 'read /w/body']],
    ['wget -P /tmp/d https://h/x.tgz', ['write /tmp/d/x.tgz', 'write /tmp/d/r']],
    ['curl --output-dir /tmp/d -o x.json https://h/x', ['write /tmp/d/x.json']],
    ['curl --output-dir=/tmp/d -O https://h/a/x.sh', ['write /tmp/d/x.sh']],
    ['tar -C /tmp/d -xzf a.tgz', ['write /tmp/d/r', 'read /w/a.tgz']],
    ['tar czf out.tgz src', ['write /w/out.tgz', 'read /w/src/r']],
    ['unzip a.zip -d /tmp/u', ['read /w/a.zip', 'write /tmp/u/r']],
    ['unzip -q a.zip -d/tmp/u', ['read /w/a.zip', 'write /tmp/u/r']],
    ['unzip a.zip docs/a.md -x docs/b.md', ['read /w/a.zip', 'write /w/docs/a.md/r']],
    ['unzip -l a.zip', ['read /w/a.zip']],
    ['7z x a.7z -o/tmp/u', ['read /w/a.7z', 'write /tmp/u/r']],
    ['7z a out.7z src', ['write /w/out.7z', 'read /w/src/r']],
    ['7z x -so a.7z', ['read /w/a.7z']],
    // named members land under the directory; renamed ones anywhere in it
    ['tar -xf a.tar -C /tmp/d src/a.c', ['write /tmp/d/src/a.c/r', 'read /w/a.tar']],
    ['tar -xf a.tar --strip-components=1 src', ['write /w/r', 'read /w/a.tar']],
    ['tar -xOf a.tar src/a.c', ['read /w/a.tar']],
    // a copy lands in the target directory under its own name, or is the target
    ['cp -r a/.claude .', ['read /w/a/.claude/r', 'write /w/r', 'write /w/.claude/r']],
    ['cp -r a b', ['read /w/a/r', 'write /w/b/r', 'write /w/b/r', 'write /w/b/a/r']],
    ['cp -t /d x', ['read /w/x', 'write /d', 'write /d/x']],
    ['rsync -a a/ /d', ['read /w/a/r', 'write /d/r', 'write /d/r', 'write /d/r']],
    ['rsync -a --delete a/ /d/', ['read /w/a/r', 'write /d/r', 'write /d/r', 'delete /d/r']],
    ['rsync -an --delete a/ /d/', ['read /w/a/r']],
    // compressors replace their operands
    ['gzip -r /d', ['read /d/r', 'write /d/r', 'delete /d/r']],
    ['gzip -k x', ['read /w/x', 'write /w/x']],
    ['gzip -dc x.gz', ['read /w/x.gz']],
    ['zstd x', ['read /w/x', 'write /w/x']],
    ['zstd --rm x', ['read /w/x', 'write /w/x', 'delete /w/x']],
    ['git config -f /d/c k v', ['write /d/c']],
    ['git config --file=/d/c --get k', []],
    ['docker run -v /etc:/e:ro alpine', ['read /etc/r']],
    ['find . -name *.log -delete', ['delete /w/**/*.log']],
    ['find . -fprint /tmp/list', ['write /tmp/list']],
    ['git diff --output=/tmp/p', ['write /tmp/p']],
    ['xargs -a /w/list rm', ['read /w/list']],
    // (and the interpreter's operand, read as a file)
    ['python3 -m http.server -d /srv', ['read /srv/r', 'read /srv']],
    ['kubectl proxy --www /srv', ['read /srv/r', 'read /w/proxy', 'write /w/proxy', 'read /srv', 'write /srv']],
    // the pattern came from -e: no operand is skipped
    ['grep -e pat file', ['read /w/file']],
  ])('%s', (line, expected) => {
    expect(effects(line)).toEqual(expected);
  });

  it('reads where a downloader saves and what a symlink points to', () => {
    expect(transferOutput('wget', args('https://h/a/x.sh'))?.file.value).toBe('x.sh');
    expect(transferOutput('curl', args('https://h/a/x.sh'))).toBeNull();
    expect(symlinkCreated(command('ln -s /etc/shadow s'), { home: '/home/u' })).toEqual({ link: '/w/s', target: '/etc/shadow' });
  });
});

describe('the child-command readers read their options from the declarations', () => {
  it('skips the values of declared options', () => {
    expect(xargsCommand(args('-n 1 rm'), unknownArg('X')).map((a) => a.value)).toEqual(['rm', '$X']);
    expect(fdExecs(args('-e rs pat src -x wc'), '/w', '/home/u')).toEqual([
      [textArg('wc'), { value: '/w/src/**/*.rs', dynamic: false, glob: true, pattern: '/w/src/**/*.rs' }],
    ]);
    expect(findActions(args('. -exec echo -delete ; -print'))).toEqual(['.', '-print']);
    const git = gitInvocation(args('-Cdir -c alias.x=!id x'));
    expect([git.cwd?.value, git.subcommand, git.aliases.get('x')?.value]).toEqual(['dir', 'x', 'id']);
  });
});

describe('programs that run their operand, as their wrapper declarations say', () => {
  const inner = (line: string): string | null => {
    const argv = args(line);
    const peeled = peelWrapper(argv[0]!.value, argv);
    if (peeled.kind === 'inner') return peeled.argv.map((a) => a.value).join(' ');
    if (peeled.kind === 'script') return `script: ${peeled.script.value}`;
    return null;
  };
  it.each([
    ['valgrind --leak-check=full rm -rf /d', 'rm -rf /d'],
    // gdb: the words after --args, else only the program (a core file or pid is no argument)
    ['gdb -batch -ex run --args rm -rf /d', 'rm -rf /d'],
    ['gdb -q ./a.out core', './a.out'],
    ['gdb -p 42', null],
    ['perf stat -e cycles -r 3 rm x', 'rm x'],
    ['perf record -o p.data -g ./a.out', './a.out'],
    ['perf report', null],
    ['watchexec -e ts -- npm test', 'script: npm test'],
    ['watchexec -n -- npm test', 'npm test'],
    ['aws-vault exec prod -- rm x', 'rm x'],
    ['chronic -e make', 'make'],
  ])('%s', (line, expected) => {
    expect(inner(line)).toBe(expected);
  });
});
