import { posix } from 'node:path';
import picomatch from 'picomatch';
import type { Arg, Effect, PolicyContext, ShellCommand } from './types.js';
import { globBase, isInside, locationOf } from './paths.js';
import { echoedText } from './shell/analyze.js';
import { compileLinearRegex } from './regex.js';
import type { RuleSpec } from './rule-schema.js';
export type { Example, RuleSpec } from './rule-schema.js';
import { ARGS_GLOB, globMatcher, PATHS_GLOB } from './globs.js';
import { parseArgs, readOption, type ProgramArgs } from './programs/argv.js';
import type { ProgramDecl } from './programs/types.js';
import { programOf } from './programs/registry.js';

/** What the command reads on stdin, when that is text harness can see (heredoc, here-string, echo |). */
function stdinText(command: ShellCommand): Arg | null {
  if (command.stdin.kind === 'text') return command.stdin.text;
  if (command.stdin.kind === 'pipe') return echoedText(command.stdin.producers);
  return null;
}

export type Certainty = 'certain' | 'possible';

export interface CompiledRule {
  spec: RuleSpec;
  /** Where the rule came from: a pack name or the config file. */
  origin: string;
  matchCommand?: ((command: ShellCommand) => Certainty | null) | undefined;
  matchEffect?: ((effect: Effect) => Certainty | null) | undefined;
}

function list(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** The command's argv as its program's declaration reads it (the one shared parser). */
function programArgs(command: ShellCommand): ProgramArgs {
  return parseArgs(programOf(command.name), command.argv);
}

function subcommandMatcher(subcommands: string[]): ((command: ShellCommand) => Certainty | null) | null {
  // (a "|" inside a word of the built-in packs' older form still reads as alternatives)
  const sequences = subcommands.map((s) =>
    s
      .trim()
      .split(/\s+/)
      .map((token) => new Set(token.split('|'))),
  );
  if (sequences.length === 0) return null;
  const matches = (words: readonly string[], dynamicAt: number): Certainty | null => {
    let possible = false;
    for (const seq of sequences) {
      let ok = true;
      for (let k = 0; k < seq.length; k++) {
        if (dynamicAt !== -1 && dynamicAt <= k) {
          possible = true;
          ok = false;
          break;
        }
        if (!seq[k]!.has(words[k] ?? '')) {
          ok = false;
          break;
        }
      }
      if (ok) return 'certain';
    }
    return possible ? 'possible' : null;
  };
  return (command) => {
    const args = programArgs(command);
    const reading = matches(args.words, args.dynamicAt);
    if (reading) return reading;
    // an option the program's declaration does not know may have taken the next word as its value
    return args.alternative && matches(args.alternative, args.dynamicAt === -1 ? -1 : Math.max(0, args.dynamicAt - 1)) ? 'possible' : null;
  };
}

/** Does `arg` carry the flag? Single-letter flags also count inside clusters (`-rf`); long flags accept `=value` and unique prefixes. */
export function argHasFlag(arg: string, flag: string): boolean {
  if (flag === '--') return arg === '--';
  if (arg === flag) return true;
  if (flag.startsWith('--')) {
    if (arg.startsWith(flag + '=')) return true;
    return arg.startsWith('--') && arg.length >= 5 && !arg.includes('=') && flag.startsWith(arg);
  }
  if (flag.length === 2 && flag.startsWith('-')) return /^-[A-Za-z0-9]+$/.test(arg) && arg.slice(1).includes(flag[1]!);
  // single-dash long options (find -delete, terraform -destroy)
  return arg.startsWith(flag + '=');
}

const valueOptionsOf = new WeakMap<ProgramDecl, ReadonlySet<string>>();

/** The options of a program that take a value (its globals, and a downloader's): where a short-option cluster ends. */
function valueOptions(decl: ProgramDecl | undefined): ReadonlySet<string> {
  if (!decl) return new Set();
  let known = valueOptionsOf.get(decl);
  if (!known) {
    const d = decl.download;
    known = new Set([
      ...(decl.globals?.values ?? []),
      ...(d ? [...d.output, ...(d.directory ?? []), ...Object.keys(d.files ?? {}), ...(d.data ?? []), ...(d.values ?? [])] : []),
    ]);
    valueOptionsOf.set(decl, known);
  }
  return known;
}

function flagsMatcher(spec: RuleSpec): ((command: ShellCommand) => Certainty | null) | null {
  if (!spec.flags) return null;
  const f = Array.isArray(spec.flags) ? { any: spec.flags } : spec.flags;
  return (command) => {
    const parsed = programArgs(command);
    // a cluster read up to the option that takes a value: `-XGET` is -X with GET (no -T in it), `-T/etc/passwd` is -T
    const takes = valueOptions(programOf(command.name));
    const args = { words: parsed.options.map((w) => readOption(w, takes).word), dynamic: parsed.dynamicOptions };
    const present = (flag: string): boolean => args.words.some((w) => argHasFlag(w, flag));
    let certainty: Certainty = 'certain';
    if (f.any && f.any.length > 0 && !f.any.some(present)) {
      if (!args.dynamic) return null;
      certainty = 'possible';
    }
    for (const flag of f.all ?? []) {
      if (!present(flag)) {
        if (!args.dynamic) return null;
        certainty = 'possible';
      }
    }
    if ((f.none ?? []).some(present)) return null;
    if (f.none && f.none.length > 0 && args.dynamic) certainty = 'possible';
    return certainty;
  };
}

function argsMatcher(spec: RuleSpec): ((command: ShellCommand) => Certainty | null) | null {
  if (!spec.args || spec.args.length === 0) return null;
  const isMatch = globMatcher(spec.args, ARGS_GLOB);
  return (command) => {
    const args = command.argv.slice(1);
    if (args.some((a) => !a.dynamic && isMatch(a.value.replace(/^\.\//, '')))) return 'certain';
    // A computed argument could match when its known parts fit: `refs/harness/$X` does, `$(date)` does not.
    return args.some((a) => a.dynamic && a.pattern !== '*' && isMatch(a.pattern)) ? 'possible' : null;
  };
}

const CODE_OPTIONS = new Set(['-c', '-e', '--command', '--execute', '-q', '--query', '--eval', '-x']);

function regexMatcher(spec: RuleSpec): ((command: ShellCommand) => Certainty | null) | null {
  if (!spec.argsRegex) return null;
  // Never V8's backtracking engine: `^(a+)+$` would stall every decision on a long run of "a".
  const re = compileLinearRegex(spec.argsRegex, { ignoreCase: true });
  return (command) => {
    const parts = command.argv.slice(1).map((a: Arg) => a.value);
    const input = stdinText(command);
    if (input) parts.push(input.value);
    const text = parts.join(' ');
    // At most 65536 characters x MAX_PROGRAM steps each.
    const test = (t: string): boolean => re.test(t.length > 65536 ? t.slice(0, 65536) : t);
    if (test(text)) return 'certain';
    const args = command.argv;
    // the code or query an option gives, as the unit it is: its end is the statement's end (`mysql -e 'DELETE FROM t' db`)
    if (args.some((a, i) => !a.dynamic && CODE_OPTIONS.has(args[i - 1]?.value ?? '') && test(a.value))) return 'certain';
    // Only code or a query that is wholly unknown (`psql -c "$SQL"`, a computed heredoc) could still hold a match.
    const unknown = args.some((a, i) => a.dynamic && a.pattern === '*' && CODE_OPTIONS.has(args[i - 1]?.value ?? '')) || (input?.dynamic ?? false);
    return unknown ? 'possible' : null;
  };
}

function weakest(a: Certainty, b: Certainty): Certainty {
  return a === 'possible' || b === 'possible' ? 'possible' : 'certain';
}

/** The programs a command rule names. */
export function commandNames(spec: RuleSpec): string[] {
  const c = spec.command;
  return c === undefined ? [] : typeof c === 'string' ? [c] : Array.isArray(c) ? c : Object.keys(c);
}

function compileCommand(spec: RuleSpec): CompiledRule['matchCommand'] {
  const names = new Set(commandNames(spec));
  const perProgram = typeof spec.command === 'object' && !Array.isArray(spec.command) ? spec.command : null;
  const subcommands = new Map(perProgram ? Object.entries(perProgram).map(([name, subs]) => [name, subcommandMatcher(list(subs))] as const) : []);
  const shared = perProgram ? null : subcommandMatcher(list(spec.subcommand));
  const matchers = [flagsMatcher(spec), argsMatcher(spec), regexMatcher(spec)].filter((m): m is (c: ShellCommand) => Certainty | null => m !== null);
  return (command) => {
    if (!names.has(command.name)) return null;
    let certainty: Certainty = 'certain';
    const sub = perProgram ? subcommands.get(command.name) : shared;
    if (sub) {
      const r = sub(command);
      if (r === null) return null;
      certainty = weakest(certainty, r);
    }
    for (const m of matchers) {
      const r = m(command);
      if (r === null) return null;
      certainty = weakest(certainty, r);
    }
    return certainty;
  };
}

/** Expands `~`, `{workspace}`, `{home}`, `{state}`, `{config}`; relative patterns are workspace-relative. */
export function expandPattern(pattern: string, ctx: PolicyContext): string | null {
  let p = pattern;
  if (p.includes('{state}')) {
    if (!ctx.stateDir) return null;
    p = p.split('{state}').join(ctx.stateDir);
  }
  if (p.includes('{config}')) {
    if (!ctx.configPath) return null;
    p = p.split('{config}').join(ctx.configPath);
  }
  if (p.includes('{audit}')) {
    if (!ctx.auditPath) return null;
    p = p.split('{audit}').join(ctx.auditPath);
  }
  p = p.split('{workspace}').join(ctx.workspace).split('{home}').join(ctx.home);
  if (p === '~' || p.startsWith('~/')) p = ctx.home + p.slice(1);
  if (!p.startsWith('/')) p = ctx.workspace.replace(/\/$/, '') + '/' + p.replace(/^\.\//, '');
  return p.length > 1 ? p.replace(/\/+$/, '') : p;
}

/** Matchers of a glob's leading parts, compiled once (a decision meets the same few again and again). */
const LEADS = new Map<string, (path: string) => boolean>();
function leadMatcher(lead: string): (path: string) => boolean {
  let m = LEADS.get(lead);
  if (!m) {
    if (LEADS.size >= 512) LEADS.clear();
    m = picomatch(lead, { dot: false, nocase: true });
    LEADS.set(lead, m);
  }
  return m;
}

function compilePaths(spec: RuleSpec, ctx: PolicyContext): CompiledRule['matchEffect'] {
  const patterns = (spec.paths ?? []).map((p) => expandPattern(p, ctx)).filter((p): p is string => p !== null);
  if (patterns.length === 0) return () => null;
  const exceptions = (spec.except ?? []).map((p) => expandPattern(p, ctx)).filter((p): p is string => p !== null);
  // Case-insensitive: on macOS and Windows `.GIT/hooks` and `.Claude/Settings.json` are the protected files.
  const isMatch = globMatcher(patterns, PATHS_GLOB);
  const isException = exceptions.length > 0 ? globMatcher(exceptions, PATHS_GLOB) : () => false;
  // Concrete places the rule protects (`~/.ssh` of `~/.ssh/**`), and file names it protects anywhere (`.env` of `/**/.env`).
  const places = patterns.map((p) => globBase(p)).filter((b, i) => b !== '/' && (patterns[i] === b || patterns[i] === `${b}/**`));
  /** The protected places that are directories, everything in them protected (`~/.ssh` of `~/.ssh/**`). */
  const folders = patterns.map((p) => globBase(p)).filter((b, i) => b !== '/' && patterns[i] === `${b}/**`);
  const names = patterns.map((p) => /^(?:.*\/)?\*\*\/([^/*?[\]{}]+)$/.exec(p)?.[1]).filter((n): n is string => n !== undefined);
  const ops = spec.ops ? new Set(spec.ops) : null;
  const home = ctx.home;
  return (effect) => {
    if (effect.unknown) return null;
    if (ops && !ops.has(effect.op)) return null;
    if (spec.location) {
      // scratch space (a temp dir) is not "outside": what a rule says about outside does not reach it
      const where = locationOf(effect.glob ? effect.base : effect.path, ctx);
      if (spec.location === 'inside' ? where !== 'inside' : where !== 'outside') return null;
    }
    const sure: Certainty = effect.dynamic || effect.guessed ? 'possible' : 'certain';
    if (spec.recursive && !effect.recursive && !effect.glob) return null;
    if (isMatch(effect.path)) return isException(effect.path) ? null : sure;
    // A recursive delete or read of a directory reaches everything the rule protects inside it.
    // (Recursive writes — chmod -R, mounts — are judged on the directory itself; one of members it
    // does not name — an archive extracted, a tree copied in — may write what the rule protects.)
    if (effect.recursive && !effect.glob && !spec.recursive && (effect.op !== 'write' || effect.members)) {
      const inside = places.find((p) => isInside(p, effect.path) && !isException(p));
      if (inside) return effect.op === 'write' || effect.path === home || effect.path === '/' || effect.dynamic ? 'possible' : 'certain';
    }
    if (!effect.glob) return null;
    // A glob operand stands for anything under its base: the rule matches if it covers that
    // base (rm -rf ~/*), or if the glob itself can name a protected place (cat ~/.ss*, tar .env*).
    const rest = effect.path.slice(effect.base.length).replace(/^\//, '');
    const everything = /^(?:\*\*?|\.\*)(?:\/\*\*?)*$/.test(rest);
    if (everything && (!spec.recursive || effect.recursive || rest.includes('**')) && isMatch(effect.base)) return sure;
    // "Everything under X" may include a protected file without naming it: a possible match for
    // writes and deletes; reading everything (wc, grep over a listing) is not treated as reading secrets.
    const operand = picomatch(effect.path, { dot: false, nocase: true });
    // Reading everything under a far directory (`wc -l ~/*`, `grep -r x /`) is not reading secrets;
    // reading everything directly in one that holds protected files (`cat ~/.aws/*`) is.
    const candidates =
      everything && effect.op === 'read'
        ? places.filter((p) => posix.dirname(p) === effect.base && effect.base !== home && effect.base !== '/')
        : [...places.filter((p) => isInside(p, effect.base)), ...names.map((n) => `${effect.base}/${n}`)];
    if (candidates.some((c) => operand(c) && isMatch(c) && !isException(c))) return everything ? 'possible' : sure;
    // a glob deeper than a protected place whose leading parts name it names what is inside it
    // (`cat ~/.ss*/id*`, `cp ~/.*/* .`; not `~/*/*`: `*` does not match a dot directory)
    const parts = effect.path.split('/');
    const within = folders.some((p) => {
      const depth = p.split('/').length;
      if (parts.length <= depth || !isInside(p, effect.base)) return false;
      const lead = parts.slice(0, depth).join('/');
      return !lead.includes('**') && leadMatcher(lead)(p) && !isException(p);
    });
    return within ? 'possible' : null;
  };
}

export function compileRule(spec: RuleSpec, origin: string, ctx: PolicyContext): CompiledRule {
  const rule: CompiledRule = { spec, origin };
  if (spec.command !== undefined) rule.matchCommand = compileCommand(spec);
  else if (spec.tag !== undefined) {
    const tag = spec.tag;
    rule.matchCommand = (command) => (command.tags.includes(tag) ? 'certain' : null);
  }
  if (spec.paths !== undefined) rule.matchEffect = compilePaths(spec, ctx);
  return rule;
}
