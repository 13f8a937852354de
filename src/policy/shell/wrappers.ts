import type { Arg, Tag } from '../types.js';
import type { WrapperSpec } from '../programs/types.js';
import { programOf } from '../programs/registry.js';
import { joinedArgs, textArg } from './words.js';

export type Peeled =
  | { kind: 'final' }
  | { kind: 'lookup' }
  | { kind: 'inner'; via: string; argv: Arg[]; cwd?: Arg | undefined; tags: readonly Tag[]; writes: Arg[]; own?: Arg[] }
  | { kind: 'script'; via: string; script: Arg; cwd?: Arg | undefined; tags: readonly Tag[]; writes: Arg[] }
  | { kind: 'shell'; via: string; tags: readonly Tag[]; writes: Arg[] };

function optionName(word: string): string {
  const eq = word.indexOf('=');
  return word.startsWith('--') && eq > 0 ? word.slice(0, eq) : word;
}

function inlineValue(word: string): string | null {
  const eq = word.indexOf('=');
  return word.startsWith('--') && eq > 0 ? word.slice(eq + 1) : null;
}

function has(list: readonly string[] | undefined, word: string): boolean {
  return list !== undefined && list.includes(word);
}

/** Short options given as `-uroot` carry their value glued on. */
function gluedShort(list: readonly string[] | undefined, word: string): string | null {
  if (!list || word.startsWith('--') || word.length <= 2) return null;
  const head = word.slice(0, 2);
  return list.includes(head) ? head : null;
}

/**
 * A cluster of short flags whose last letter takes the next word as its value (`strace -fp PID`),
 * for programs whose options are all short letters or `--long` (gdb's `-nx`, `-ex` are whole words).
 */
function clusterTakingValue(list: readonly string[] | undefined, word: string): boolean {
  return list !== undefined && /^-[A-Za-z]{2,}$/.test(word) && list.includes(`-${word.slice(-1)}`) && list.every((o) => o.startsWith('--') || o.length === 2);
}

/** The files a wrapper writes by its options (`strace -o FILE`) or operands (`script FILE`). */
function wrapperWrites(spec: WrapperSpec, args: Arg[], skip: ReadonlySet<Arg>): Arg[] {
  const writes: Arg[] = [];
  if (!spec.outputOpts && !spec.writesOperands) return writes;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (skip.has(arg)) continue;
    const word = arg.value;
    const name = optionName(word);
    const glued = gluedShort(spec.outputOpts, word);
    if (has(spec.outputOpts, name) || glued) {
      const inline = inlineValue(word) ?? (glued ? word.slice(2) : null);
      const value = inline !== null ? { ...arg, value: inline, pattern: inline } : args[++i];
      if (value) writes.push(value);
    } else if (has(spec.valueOpts, name) || has(spec.scriptOpts, name)) {
      if (inlineValue(word) === null && !gluedShort(spec.valueOpts, word)) i++;
    } else if (clusterTakingValue(spec.outputOpts, word)) {
      const value = args[++i];
      if (value) writes.push(value);
    } else if (clusterTakingValue(spec.valueOpts, word)) i++;
    else if (spec.writesOperands && !word.startsWith('-')) writes.push(arg);
  }
  return writes;
}

function peelWith(spec: WrapperSpec, via: string, args: Arg[]): Peeled {
  const tags = [...(spec.tags ?? [])];
  if (spec.scriptAnywhere) {
    // also clusters ending in the script letter: `script -qc CMD`
    const at = args.findIndex(
      (a) => has(spec.scriptOpts, optionName(a.value)) || (/^-[A-Za-z]+$/.test(a.value) && has(spec.scriptOpts, `-${a.value.slice(-1)}`)),
    );
    const script = at === -1 ? undefined : args[at + 1];
    if (script) return { kind: 'script', via: `${via} ${args[at]!.value}`, script, tags, writes: wrapperWrites(spec, args, new Set([args[at]!, script])) };
    // `su`, `su root`, `script log.txt`: an interactive shell (flock's operands are a lock and a command)
    if (
      at === -1 &&
      !spec.skip &&
      !args.some(
        (a) =>
          a.value.startsWith('-') && !has(spec.shellOpts, a.value) && !has(spec.valueOpts, optionName(a.value)) && !has(spec.outputOpts, optionName(a.value)),
      )
    ) {
      return { kind: 'shell', via, tags, writes: wrapperWrites(spec, args, new Set()) };
    }
  }
  let cwd: Arg | undefined;
  let i = 0;
  let joinAsScript = spec.joinAsScript ?? false;
  let shell = false;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    const word = arg.value;
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-') || word === '-' || arg.dynamic) {
      if (word === '-' && has(spec.shellOpts, '-')) {
        shell = true;
        continue;
      }
      break;
    }
    const name = optionName(word);
    // a whole word the wrapper knows is that option (`gdb -ex`, not `-e` with `x`)
    const whole = has(spec.valueOpts, name) || has(spec.scriptOpts, name);
    const glued = whole ? null : (gluedShort(spec.valueOpts, word) ?? gluedShort(spec.scriptOpts, word));
    if (has(spec.lookupOpts, name)) return { kind: 'lookup' };
    if (has(spec.commandAfter, name)) {
      const rest = args.slice(i + 1);
      const writes = wrapperWrites(spec, args.slice(0, i), new Set());
      return rest.length === 0 ? { kind: 'final' } : { kind: 'inner', via: `${via} ${name}`, argv: rest, cwd, tags, writes, own: args.slice(0, i) };
    }
    if (has(spec.execOpts, name)) joinAsScript = false;
    if (has(spec.shellOpts, name)) shell = true;
    const tag = spec.tagOpts?.[name];
    if (tag && !tags.includes(tag)) tags.push(tag);
    if (has(spec.scriptOpts, name) || (glued && has(spec.scriptOpts, glued))) {
      const inline = inlineValue(word) ?? (glued ? word.slice(2) : null);
      const script = inline !== null ? { ...arg, value: inline, pattern: inline } : args[i + 1];
      if (!script) return { kind: 'final' };
      return { kind: 'script', via: `${via} ${name}`, script, cwd, tags, writes: wrapperWrites(spec, args.slice(0, i), new Set()) };
    }
    if (has(spec.valueOpts, name) || glued) {
      const inline = inlineValue(word) ?? (glued ? word.slice(2) : null);
      const value = inline !== null ? { ...arg, value: inline, pattern: inline } : args[++i];
      if (value && (has(spec.cwdOpts, name) || (glued && has(spec.cwdOpts, glued)))) cwd = value;
    } else if (clusterTakingValue(spec.valueOpts, word)) {
      const value = args[++i];
      if (value && has(spec.cwdOpts, `-${word.slice(-1)}`)) cwd = value;
    }
  }
  const writes = wrapperWrites(spec, args.slice(0, i), new Set());
  if (spec.assignments) {
    while (i < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i]!.value)) i++;
  }
  i += spec.skip ?? 0;
  // `aws-vault exec PROFILE -- cmd`: the end of options after the fixed operands
  if (spec.skip && args[i]?.value === '--') i++;
  const own = args.slice(0, i);
  const rest = spec.programOperand ? args.slice(i, i + 1) : args.slice(i);
  if (rest.length === 0) return shell ? { kind: 'shell', via, tags, writes } : { kind: 'final' };
  if (joinAsScript) {
    return { kind: 'script', via, script: joinedArgs(rest), cwd, tags, writes };
  }
  return { kind: 'inner', via, argv: rest, cwd, tags, writes, own };
}

/**
 * env's own argument forms: `-S STRING` splits STRING into words that stand where it stood
 * (`env -S 'PATH=/bin git' reset --hard`), and `-` is `-i`.
 */
function envWords(args: Arg[], vars: ReadonlyMap<string, string>): Arg[] {
  const out: Arg[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const w = a.value;
    if (w === '-') continue;
    // `-S STR`, `-SSTR`, `--split-string=STR`, and clusters ending in S (`-iS STR`)
    const cluster = /^-[A-Za-z]*S$/.test(w) && w !== '-S';
    const split =
      w === '-S' || w === '--split-string' || cluster
        ? args[++i]
        : w.startsWith('--split-string=')
          ? { ...a, value: w.slice(15) }
          : /^-S./.test(w)
            ? { ...a, value: w.slice(2) }
            : null;
    if (split === null) {
      out.push(a);
      if (!w.startsWith('-') || a.dynamic) return [...out, ...args.slice(i + 1)];
      continue;
    }
    if (!split) break;
    if (split.dynamic) return [...out, split, ...args.slice(i + 1)];
    // env splits at blanks and `\_`; it expands `${VAR}` itself, from the environment: a known one (HOME,
    // the agent's) is its value, another one makes the word computed
    const words = split.value
      .replace(/\\_/g, ' ')
      .split(/\s+/)
      .filter(Boolean)
      .map((word) => word.replace(/\$\{(\w+)\}/g, (ref, v: string) => vars.get(v) ?? ref));
    out.push(
      ...words.map((word) => (word.includes('$') ? { value: word, dynamic: true, glob: true, pattern: word.replace(/\$\{?\w+\}?/g, '*') } : textArg(word))),
    );
  }
  return out;
}

/** One layer of wrapper removed from `argv`, or `final` when argv[0] runs no other command. */
/** `env`: the environment it runs in, for the `${VAR}` its `-S` string expands (HOME and the agent's known variables). */
export function peelWrapper(name: string, argv: Arg[], env: ReadonlyMap<string, string> = new Map()): Peeled {
  let args = argv.slice(1);
  // `java -jar jenkins-cli.jar …` is the program the jar is (`jenkins-cli`)
  if (name === 'java') {
    const at = args.findIndex((a) => a.value === '-jar');
    const jar = at === -1 ? undefined : args[at + 1];
    if (jar && !jar.dynamic) {
      const program = jar.value
        .split('/')
        .pop()!
        .replace(/\.jar$/i, '')
        .replace(/[-_.]?v?\d+(?:\.\d+)*(?:-[\w.]+)?$/, '');
      return { kind: 'inner', via: `java -jar ${jar.value}`, argv: [textArg(program), ...args.slice(at + 2)], tags: [], writes: [] };
    }
  }
  if (name === 'env') args = envWords(args, env);
  if (name === 'env' && args.length === 0) return { kind: 'final' };
  const decl = programOf(name);
  const spec = decl?.wrapper;
  if (spec) return peelWith(spec, name, args);
  const subs = decl?.subcommandWrappers;
  if (subs) {
    if (Object.keys(subs).length === 0) return peelWith({}, name, args);
    const subIndex = args.findIndex((a) => !a.value.startsWith('-'));
    const sub = subIndex === -1 ? undefined : args[subIndex]!.value;
    const subSpec = sub !== undefined ? subs[sub] : undefined;
    if (subSpec) return peelWith(subSpec, `${name} ${sub}`, args.slice(subIndex + 1));
  }
  return { kind: 'final' };
}

export const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'ash', 'mksh', 'yash', 'posh', 'fish', 'rbash', 'csh', 'tcsh']);

export type ShellInvocation = { mode: 'script'; script: Arg; options: string } | { mode: 'file'; file: Arg } | { mode: 'stdin' };

const SHELL_VALUE_OPTS = new Set(['-o', '+o', '-O', '+O', '--rcfile', '--init-file']);

/** How a shell was asked to get its code: `-c STRING`, a script file, or stdin. */
export function shellInvocation(args: Arg[]): ShellInvocation {
  let commandMode = false;
  let options = '';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const word = arg.value;
    if (word === '--' || word === '-') {
      const next = args[i + 1];
      if (commandMode && next) return { mode: 'script', script: next, options };
      if (options.includes('s')) return { mode: 'stdin' };
      return next && word === '--' ? { mode: 'file', file: next } : { mode: 'stdin' };
    }
    if (SHELL_VALUE_OPTS.has(word)) {
      i++;
      continue;
    }
    if (/^[-+][A-Za-z]+$/.test(word) && !arg.dynamic) {
      options += word.slice(1);
      if (word.startsWith('-') && word.includes('c')) commandMode = true;
      // -o/-O inside a cluster (`-euxo pipefail`) take the next word as their value
      if (/[oO]/.test(word.slice(1))) i++;
      continue;
    }
    if (word.startsWith('--') && !arg.dynamic) {
      continue;
    }
    if (commandMode) return { mode: 'script', script: arg, options };
    // -s: commands come from stdin; the words are positional parameters
    if (options.includes('s')) return { mode: 'stdin' };
    return { mode: 'file', file: arg };
  }
  return { mode: 'stdin' };
}
