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
 * How getopt reads one option word, given the options that take a value: `word` is the option part
 * (a cluster cut after its first value-taking letter: `-fbx` → `-fb`), `takesNext` says whether the
 * following word is that option's value.
 */
export function readOption(word: string, values: ReadonlySet<string> | readonly string[]): { word: string; takesNext: boolean } {
  const takes = (o: string): boolean => (Array.isArray(values) ? (values as readonly string[]).includes(o) : (values as ReadonlySet<string>).has(o));
  if (word.startsWith('--')) {
    const eq = word.indexOf('=');
    return { word, takesNext: eq < 0 && takes(word) };
  }
  if (takes(word)) return { word, takesNext: true };
  if (!word.startsWith('-') || word.length <= 2) return { word, takesNext: false };
  for (let j = 1; j < word.length; j++) {
    const c = word[j]!;
    if (!/[A-Za-z0-9]/.test(c)) break;
    if (takes(`-${c}`)) return { word: word.slice(0, j + 1), takesNext: j === word.length - 1 };
  }
  return { word, takesNext: false };
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
  return has(decl.globals, name) || (decl.globals?.flags?.includes(name) ?? false) || (!option.startsWith('--') && [...option.slice(1)].every((c) => decl.globals?.flags?.includes(`-${c}`) || has(decl.globals, `-${c}`)));
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
