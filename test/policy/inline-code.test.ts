import { describe, expect, it } from 'vitest';
import { analyzeCode } from '../../src/policy/shell/inline-code.js';

describe('inline code', () => {
  it.each([
    ['python', "import os; os.system('rm -rf ~')", ['rm -rf ~']],
    ['python', "__import__('os').system('ls')", ['ls']],
    ['python', "import subprocess; subprocess.run(['rm', '-rf', '/tmp/x'])", ['rm -rf /tmp/x']],
    ['node', "require('child_process').execSync('git push -f')", ['git push -f']],
    ['perl', 'system("rm -rf /")', ['rm -rf /']],
    ['ruby', '`rm -rf ~`', ['rm -rf ~']],
    ['awk', 'BEGIN{system("rm -rf /")}', ['rm -rf /']],
  ] as const)('%s: %s', (lang, code, shell) => {
    expect(analyzeCode(lang, code).shell).toEqual(shell);
  });

  it.each([
    ['python', "import shutil; shutil.rmtree('/home/dev')", { op: 'delete', path: '/home/dev', recursive: true }],
    ['node', "require('fs').rmSync(require('os').homedir(), {recursive: true})", { op: 'delete', path: '~', recursive: true }],
    ['node', "require('fs').readFileSync(process.env.HOME + '/.aws/credentials')", { op: 'read', path: '~/.aws/credentials', recursive: false }],
    ['python', "open('/etc/passwd', 'w').write('x')", { op: 'write', path: '/etc/passwd', recursive: false }],
    ['python', "from pathlib import Path; Path.home() / '.ssh' / 'id_rsa'", null],
  ] as const)('%s effects: %s', (lang, code, effect) => {
    const found = analyzeCode(lang, code).effects;
    if (effect) expect(found).toContainEqual(effect);
  });

  it('flags exec with computed arguments as unknown', () => {
    expect(analyzeCode('python', 'import os; os.system(cmd)').unknownExec).toBe(true);
    expect(analyzeCode('node', 'eval(atob(x))').unknownExec).toBe(true);
    expect(analyzeCode('python', 'print(1)')).toEqual({ shell: [], effects: [], unknownExec: false, unknownMutation: false });
  });

  it('sees sed e commands and w files', () => {
    expect(analyzeCode('sed', '1e rm -rf ~').shell).toEqual(['rm -rf ~']);
    expect(analyzeCode('sed', 's/a/b/w /etc/x').effects).toContainEqual({ op: 'write', path: '/etc/x', recursive: false });
  });
});

describe('computed paths and argument lists in one-liners', () => {
  it.each([
    ['perl', 'system "rm", "-rf", $ENV{HOME}', ['rm -rf ~']],
    ['php', 'system("rm -rf " . getenv("HOME"));', ['rm -rf ~']],
    ['python', "__import__('subprocess').run(['rm', '-rf', '/x'])", ['rm -rf /x']],
  ] as const)('%s: %s', (lang, code, shell) => {
    expect(analyzeCode(lang, code).shell).toEqual(shell);
  });

  it.each([
    ['ruby', 'puts File.read(File.expand_path("~/.aws/credentials"))', '~/.aws/credentials'],
    ['python', "open(os.path.expanduser('~/.netrc')).read()", '~/.netrc'],
    ['php', 'echo file_get_contents(getenv("HOME")."/.aws/credentials");', '~/.aws/credentials'],
    ['python', "__import__('shutil').rmtree('/home/dev')", '/home/dev'],
  ] as const)('%s effects: %s', (lang, code, path) => {
    expect(analyzeCode(lang, code).effects.map((e) => e.path)).toContain(path);
  });
});
