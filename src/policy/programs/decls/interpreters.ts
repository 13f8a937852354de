import type { ProgramDecl } from '../types.js';
import type { Language } from '../types.js';

/** Runtimes and the language of the code they run: how their code options, stdin and files are read. */
export const INTERPRETERS: Record<Exclude<Language, 'other'>, readonly string[]> = {
  python: ['python', 'python2', 'python3', 'pypy', 'pypy3'],
  node: ['node', 'nodejs', 'bun', 'deno', 'tsx', 'ts-node', 'esno', 'vite-node'],
  perl: ['perl'],
  ruby: ['ruby', 'irb', 'pry'],
  php: ['php'],
  awk: ['awk', 'gawk', 'mawk', 'nawk', 'busybox-awk'],
  sed: ['sed', 'gsed'],
  ed: ['ed', 'red'],
  lua: ['lua', 'luajit'],
};

/** Runtimes harness has no call table for: their code is judged by what it mentions. */
const OTHER = ['Rscript', 'R', 'osascript', 'pwsh', 'powershell', 'tclsh', 'wish', 'jshell', 'julia', 'elixir', 'iex', 'erl', 'escript', 'racket', 'guile', 'sbcl', 'clisp', 'gst', 'scala', 'groovy', 'kotlin', 'kotlinc', 'jrunscript', 'raku', 'perl6', 'rakudo', 'nim', 'crystal', 'swift', 'dart', 'ocaml', 'ghc', 'ghci', 'runghc', 'runhaskell', 'expect', 'octave', 'matlab', 'qjs', 'rhino', 'jjs', 'tcl'];


export const INTERPRETER_DECLS: ProgramDecl[] = [
  ...Object.entries(INTERPRETERS).flatMap(([language, names]) => names.map((name): ProgramDecl => ({ names: [name], interpreter: language as Language }))),
  ...OTHER.map((name): ProgramDecl => ({ names: [name], interpreter: 'other' })),
];
