import type { ShellCommand } from './types.js';
import { asksOnlyForHelp } from './programs/help.js';

/** Commands that never change files by themselves (their redirections are judged separately). */
const READ_ONLY = new Set([
  'ls',
  'cat',
  'head',
  'tail',
  'less',
  'more',
  'bat',
  'grep',
  'egrep',
  'fgrep',
  'rg',
  'ag',
  'pwd',
  'echo',
  'printf',
  'which',
  'type',
  'whoami',
  'id',
  'date',
  'wc',
  'uniq',
  'cut',
  'tr',
  'diff',
  'cmp',
  'comm',
  'file',
  'stat',
  'du',
  'df',
  'printenv',
  'uname',
  'hostname',
  'true',
  'false',
  'test',
  '[',
  '[[',
  'jq',
  'yq',
  'tree',
  'realpath',
  'dirname',
  'basename',
  'readlink',
  'md5sum',
  'sha1sum',
  'sha256sum',
  'sha512sum',
  'nl',
  'column',
  'od',
  'xxd',
  'hexdump',
  'strings',
  'cd',
  'pushd',
  'popd',
  'sleep',
  'seq',
  'expr',
  'tac',
  'rev',
  'fold',
  'paste',
  'ps',
  'env',
  'lsof',
  'free',
  'uptime',
  'w',
  'who',
  'locale',
  'man',
  'help',
  'history',
  'command',
  'hash',
  'ldd',
  'nproc',
]);

const GIT_READ_ONLY = new Set([
  'status',
  'diff',
  'log',
  'show',
  'rev-parse',
  'ls-files',
  'ls-tree',
  'blame',
  'grep',
  'describe',
  'cat-file',
  'rev-list',
  'shortlog',
  'reflog',
  'show-ref',
  'for-each-ref',
  'merge-base',
  'name-rev',
  'whatchanged',
  'cherry',
  'count-objects',
  'var',
  'version',
  'help',
]);

export function isReadOnly(command: ShellCommand): boolean {
  if (command.tags.length > 0) return false;
  if (asksOnlyForHelp(command)) return true;
  const args = command.argv.slice(1).map((a) => a.value);
  if (command.name === 'git') {
    const sub = args.find((a) => !a.startsWith('-'));
    if (sub === undefined) return true;
    if (GIT_READ_ONLY.has(sub)) return true;
    if (sub === 'branch' || sub === 'tag' || sub === 'remote' || sub === 'stash')
      return args.length === 1 || args.some((a) => a === '-l' || a === '--list' || a === '-v' || a === '-a' || a === 'list');
    if (sub === 'config') return args.some((a) => a === '--get' || a === '--list' || a === '-l' || a === '--get-all' || a === '--get-regexp');
    return false;
  }
  if (command.name === 'find') return !args.some((a) => /^-(delete|exec|execdir|ok|okdir|fprint0?|fprintf|fls)$/.test(a));
  if (command.name === 'sort') return !args.some((a) => a === '-o' || a.startsWith('--output'));
  if (command.name === 'env') return args.length === 0;
  return READ_ONLY.has(command.name);
}
