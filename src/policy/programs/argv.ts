import type { Arg } from '../types.js';
import type { OptionSet, ProgramDecl } from './types.js';

/**
 * The one argv reading shared by rule matching, remote effects and help detection: the positional
 * words (subcommand first), the option words as getopt reads them, and — when an option the
 * program's declaration does not know stands before the subcommand — the other reading in which
 * that option took the next word as its value.
 */
export interface ProgramArgs {
  /** Positional words, statically known ones only. */
  words: string[];
  /** Index into `words` at which a computed argument stood (-1: none). */
  dynamicAt: number;
  /** Another reading of `words`, when an unknown option may have taken a value. */
  alternative: string[] | null;
  /** Option words, a cluster cut after its first value-taking option (`-bfeature` → `-b`). */
  options: string[];
  /** A computed word could be any option. */
  dynamicOptions: boolean;
  /** Options before the subcommand the declaration does not know. */
  unknown: string[];
}

function has(set: OptionSet | undefined, o: string): boolean {
  return set?.values?.includes(o) ?? false;
}

/**
 * How a reader splits a short option word. Long options take `--opt=value` in each.
 * - `getopt`: a cluster ends at its first value-taking letter, the rest of the word is its value (`-xzfa.tgz`);
 * - `attached`: only the first letter may take a value, attached to it (`-Cdir`), not after flags;
 * - `words`: whole words only (`-name`, `-cmd`): a value is always the next word.
 */
export type Clusters = 'getopt' | 'attached' | 'words';

/** One option word as a reader of argv sees it. */
export interface OptionWord {
  /** The option part: a cluster cut after its value-taking letter (`-fbx` → `-fb`), a long option without `=value`. */
  flags: string;
  /** The option in it that takes a value (`-b`, `--file`); null when none does. */
  option: string | null;
  /** That option's value when it is in the same word (`-bx`, `--file=x`); null when it is the next word. */
  attached: string | null;
}

/** An option word in which no option takes a value. */
function plain(flags: string): OptionWord {
  return { flags, option: null, attached: null };
}

/** A letter or digit: what a short-option cluster is made of. */
function alnum(code: number): boolean {
  return (code >= 48 && code <= 57) || ((code | 32) >= 97 && (code | 32) <= 122);
}

/** How one option word is read, given which options take a value. */
export function readOptionWord(word: string, takes: (option: string) => boolean, clusters: Clusters = 'getopt'): OptionWord {
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    const flags = eq < 0 ? word : word.slice(0, eq);
    return { flags, option: takes(flags) ? flags : null, attached: eq < 0 ? null : word.slice(eq + 1) };
  }
  if (takes(word)) return { flags: word, option: word, attached: null };
  if (word.charCodeAt(0) !== 45 || word.length <= 2 || clusters === 'words') return plain(word);
  if (clusters === 'attached') {
    const option = word.slice(0, 2);
    return takes(option) ? { flags: option, option, attached: word.slice(2) } : plain(word);
  }
  for (let j = 1; j < word.length && alnum(word.charCodeAt(j)); j++) {
    const option = `-${word[j]}`;
    if (takes(option)) return { flags: word.slice(0, j + 1), option, attached: j === word.length - 1 ? null : word.slice(j + 1) };
  }
  return plain(word);
}

function taking(values: ReadonlySet<string> | readonly string[]): (option: string) => boolean {
  return Array.isArray(values) ? (o) => (values as readonly string[]).includes(o) : (o) => (values as ReadonlySet<string>).has(o);
}

/**
 * How getopt reads one option word, given the options that take a value: `word` is the option part
 * (a cluster cut after its first value-taking letter: `-fbx` → `-fb`; a long option as it is),
 * `takesNext` says whether the following word is that option's value.
 */
export function readOption(word: string, values: ReadonlySet<string> | readonly string[], clusters: Clusters = 'getopt'): { word: string; takesNext: boolean } {
  const read = readOptionWord(word, taking(values), clusters);
  return { word: word.startsWith('--') ? word : read.flags, takesNext: read.option !== null && read.attached === null };
}

/** Does the option word carry one of `flags`? A single letter also inside a cluster (`-rf` has `-r`). */
export function hasFlag(word: string, flags: readonly string[]): boolean {
  if (flags.includes(word)) return true;
  return !word.startsWith('--') && /^-[A-Za-z]+$/.test(word) && flags.some((f) => f.length === 2 && word.includes(f[1]!));
}

/** A word of argv as a reader sees it: an operand, or an option with its value (attached, or the next word). */
export type ArgvItem = { operand: Arg } | { option: OptionWord; value: Arg | undefined };

/**
 * The words of `args` in order, read as getopt does: options (a value-taking one with its value) up
 * to `--`, and operands. A computed word is never an option.
 */
export function scanArgs(args: readonly Arg[], takes: (option: string) => boolean, clusters: Clusters = 'getopt'): ArgvItem[] {
  const out: ArgvItem[] = [];
  let optionsDone = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const word = arg.value;
    if (!optionsDone && word === '--') {
      optionsDone = true;
      continue;
    }
    if (optionsDone || arg.dynamic || !word.startsWith('-') || word.length === 1) {
      out.push({ operand: arg });
      continue;
    }
    const option = readOptionWord(word, takes, clusters);
    out.push({ option, value: option.option === null ? undefined : option.attached !== null ? withValue(arg, option.attached) : args[++i] });
  }
  return out;
}

/** The word `arg` with another text: a value taken out of it (`--file=x` → `x`). */
export function withValue(arg: Arg, value: string): Arg {
  return { ...arg, value, pattern: value };
}

/** The value of the option word at `at`: after `=` (`--directory=DIR`), attached (`-CDIR`), or the next word (`-C DIR`). */
export function optionArg(args: readonly Arg[], at: number): Arg | undefined {
  const a = args[at]!;
  const skip = a.value.startsWith('--') ? a.value.indexOf('=') + 1 : a.value.length > 2 ? 2 : 0;
  return skip > 0 ? { ...a, value: a.value.slice(skip), pattern: a.pattern.slice(skip) } : args[at + 1];
}

/** Which of `names` the option word is: itself, a long one with `=value`, a short one with its value attached (`-vX`). */
export function optionNamed(word: string, names: readonly string[]): string | undefined {
  return names.find((n) => word.startsWith(n) && (word.length === n.length || (n.startsWith('--') ? word.charCodeAt(n.length) === 61 : word.length > 2)));
}

/** The value-taking options in force after the subcommand path `words` (its first one or two words). */
export function subcommandValues(decl: ProgramDecl | undefined, words: readonly string[]): Set<string> {
  const out = new Set<string>();
  const table = decl?.options;
  if (!table) return out;
  for (let k = 1; k <= words.length && k <= 2; k++) for (const o of table[words.slice(0, k).join(' ')]?.values ?? []) out.add(o);
  return out;
}

function known(decl: ProgramDecl, option: string): boolean {
  const name = option.startsWith('--') ? option.split('=')[0]! : option.slice(0, 2);
  return (
    has(decl.globals, name) ||
    (decl.globals?.flags?.includes(name) ?? false) ||
    (!option.startsWith('--') && Array.from(option.slice(1)).every((c) => decl.globals?.flags?.includes(`-${c}`) || has(decl.globals, `-${c}`)))
  );
}

export function parseArgs(decl: ProgramDecl | undefined, argv: readonly Arg[]): ProgramArgs {
  const out: ProgramArgs = { words: [], dynamicAt: -1, alternative: null, options: [], dynamicOptions: false, unknown: [] };
  const globals = decl?.globals?.values ?? [];
  let subValues = new Set<string>();
  let valuesFor = -1;
  /** An unknown option stood right before the first positional word: it may have been its value. */
  let ambiguous = false;
  let lastUnknown = -2;
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.dynamic && a.pattern.startsWith('*')) {
      out.dynamicOptions = true;
      if (out.dynamicAt === -1) out.dynamicAt = out.words.length;
      continue;
    }
    if (a.value === '--' && !a.dynamic) {
      out.options.push('--');
      for (const rest of args.slice(i + 1)) {
        if (!rest.dynamic) out.words.push(rest.value);
        else if (out.dynamicAt === -1) out.dynamicAt = out.words.length;
      }
      break;
    }
    const text = a.dynamic ? a.pattern : a.value;
    if (!text.startsWith('-') || text === '-') {
      if (out.words.length === 0 && lastUnknown === i - 1) ambiguous = true;
      if (!a.dynamic) out.words.push(text);
      else if (out.dynamicAt === -1) out.dynamicAt = out.words.length;
      continue;
    }
    const before = out.words.length === 0;
    if (before && decl?.completeGlobals && !known(decl, text)) {
      out.unknown.push(text);
      if (!text.includes('=')) lastUnknown = i;
    }
    if (!before && valuesFor !== Math.min(out.words.length, 2)) {
      valuesFor = Math.min(out.words.length, 2);
      subValues = subcommandValues(decl, out.words);
    }
    // a program declared without subcommands takes its options anywhere
    const read = readOption(text, before || !decl?.options ? globals : subValues);
    out.options.push(read.word);
    if (read.takesNext) i++;
  }
  if (ambiguous) out.alternative = out.words.slice(1);
  return out;
}
