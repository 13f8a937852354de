import type { Arg, ShellCommand } from '../types.js';
import { joinPath, resolvePath } from '../paths.js';
import { joinedArgs, textArg } from './words.js';
import { programOf } from '../programs/registry.js';
import { readOption, readOptionWord, withValue } from '../programs/argv.js';
import type { RunsOptions } from '../programs/types.js';

/**
 * Commands that run other commands with arguments they compute (xargs, find -exec, fd -x,
 * parallel, git's script options). Each returns the child commands with the computed
 * arguments as placeholders that say as much as is known about them.
 */

export function unknownArg(name: string): Arg {
  return { value: `$${name}`, dynamic: true, glob: true, pattern: '*' };
}

function globArg(pattern: string): Arg {
  return { value: pattern, dynamic: false, glob: true, pattern };
}

/** The options of a program's `runs` reader, as its declaration gives them. */
function runsOptions(name: string): RunsOptions {
  return programOf(name)?.runsOptions ?? {};
}

const FIND = runsOptions('find');
const FIND_EXEC: ReadonlySet<string> = new Set(FIND.exec);
const FIND_NAME: ReadonlySet<string> = new Set(FIND.names);
/** Tests and actions that do not narrow which files match. */
const FIND_BROAD: ReadonlySet<string> = new Set([...(FIND.names ?? []), ...(FIND.exec ?? []), ...(FIND.deletes ?? []), ...(FIND.broad ?? [])]);

/** What `find ROOTS … -name X` yields: `ROOT/**\/X`, or anything under ROOT. */
export function findMatches(args: Arg[], cwd: string | null, home: string): Arg {
  const roots: string[] = [];
  for (const a of args) {
    if (a.value.startsWith('-') || a.value === '(' || a.value === '!') break;
    roots.push(a.dynamic || cwd === null ? '*' : resolvePath(a.value, cwd, home));
  }
  if (roots.length === 0) roots.push(cwd ?? '*');
  if (roots.length !== 1 || roots[0] === '*') return unknownArg('FIND_MATCH');
  const nameAt = args.findIndex((a) => FIND_NAME.has(a.value));
  const name = nameAt === -1 ? undefined : args[nameAt + 1];
  const hasOr = args.some((a) => a.value === '-o' || a.value === '-or');
  const leaf = name && !name.dynamic && !hasOr && !name.value.includes('/') ? name.value : '*';
  // Other predicates (-type, -empty, -newer …) narrow the match further, so a hit is only possible.
  const execAt = args.findIndex((a) => FIND_EXEC.has(a.value));
  const tests = execAt === -1 ? args : args.slice(0, execAt);
  const narrowed = tests.some((a) => a.value.startsWith('-') && !FIND_BROAD.has(a.value));
  const pattern = joinPath(roots[0]!, `**/${leaf}`);
  return narrowed ? { value: pattern, dynamic: true, glob: true, pattern } : globArg(pattern);
}

/** What a find expression may hold beside its name tests and still be only their alternatives. */
const FIND_ALTERNATION: ReadonlySet<string> = new Set(['(', ')', '-o', '-or', '-a', '-and']);
const FIND_NEGATION: ReadonlySet<string> = new Set(['!', '-not']);
/** Actions on what matched: they choose nothing. */
const FIND_ACTIONS: ReadonlySet<string> = new Set(['-print', '-print0', '-delete', '-prune', '-ls']);

/**
 * `find ROOT \( -name A -o -name B \)`: one match per name (`ROOT/**\/A`, `ROOT/**\/B`), where
 * the tests are name tests joined by -o (and narrowing ones: -type, a negated -path); otherwise
 * the one match of findMatches. The alternatives are what xargs, -exec and -delete get.
 */
export function findAlternatives(args: Arg[], cwd: string | null, home: string): Arg[] {
  const one = findMatches(args, cwd, home);
  if (!args.some((a) => a.value === '-o' || a.value === '-or') || one.pattern === '*' || one.value.startsWith('$')) return [one];
  const execAt = args.findIndex((a) => FIND_EXEC.has(a.value));
  const tests = execAt === -1 ? args : args.slice(0, execAt);
  const start = tests.findIndex((a) => a.value.startsWith('-') || a.value === '(' || a.value === '!');
  const names: string[] = [];
  for (let i = start; i !== -1 && i < tests.length; i++) {
    const w = tests[i]!;
    if (w.dynamic) return [one];
    if (FIND_ALTERNATION.has(w.value) || FIND_ACTIONS.has(w.value)) continue;
    if (FIND_NEGATION.has(w.value)) {
      // a negated path narrows; a negated name would add everything else
      if (tests[i + 1]?.value !== '-path' && tests[i + 1]?.value !== '-wholename') return [one];
      i += 2;
      continue;
    }
    if (FIND_NAME.has(w.value)) {
      const name = tests[i + 1];
      if (!name || name.dynamic || name.value.includes('/')) return [one];
      names.push(name.value);
      i++;
      continue;
    }
    if (w.value === '-type' || w.value === '-maxdepth' || w.value === '-mindepth') {
      i++;
      continue;
    }
    return [one];
  }
  if (names.length < 2 || !one.pattern.endsWith('/**/*')) return [one];
  const root = one.pattern.slice(0, -'/**/*'.length) || '/';
  return names.map((n) => {
    const pattern = joinPath(root, `**/${n}`);
    return { value: pattern, dynamic: one.dynamic, glob: true, pattern };
  });
}

function substitute(args: Arg[], token: string, value: Arg): Arg[] {
  return args.map((a) => {
    if (!a.value.includes(token)) return a;
    if (a.value === token) return value;
    return { value: a.value.split(token).join(value.value), dynamic: true, glob: true, pattern: a.pattern.split(token).join('*') };
  });
}

/** find's argv as its own words and the commands of its -exec/-ok actions (each up to `;` or `+`). */
function findParts(args: Arg[]): { actions: string[]; commands: Arg[][] } {
  const actions: string[] = [];
  const commands: Arg[][] = [];
  for (let i = 0; i < args.length; i++) {
    if (!FIND_EXEC.has(args[i]!.value)) {
      actions.push(args[i]!.value);
      continue;
    }
    const command: Arg[] = [];
    for (i++; i < args.length && args[i]!.value !== ';' && args[i]!.value !== '+'; i++) command.push(args[i]!);
    commands.push(command);
  }
  return { actions, commands };
}

/** find's own words, without the commands of its -exec/-ok actions. */
export function findActions(args: Arg[]): string[] {
  return findParts(args).actions;
}

export function findExecs(args: Arg[], cwd: string | null, home: string): Arg[][] {
  const matches = findAlternatives(args, cwd, home);
  return findParts(args)
    .commands.filter((c) => c.length > 0)
    .flatMap((c) => matches.map((match) => substitute(c, '{}', match)));
}

const FD = runsOptions('fd');
const FD_VALUES: ReadonlySet<string> = new Set(FD.values);

/** fd [PATTERN] [PATH…] -x CMD: `{}` is anything under the search paths. */
export function fdExecs(args: Arg[], cwd: string | null, home: string): Arg[][] {
  const at = args.findIndex((a) => FD.exec?.includes(a.value));
  if (at === -1) return [];
  const positional: Arg[] = [];
  for (let i = 0; i < at; i++) {
    const w = args[i]!.value;
    if (w.startsWith('-')) {
      if (readOption(w, FD_VALUES, 'words').takesNext) i++;
      continue;
    }
    positional.push(args[i]!);
  }
  const roots = positional.slice(1);
  const root = roots.length === 1 && !roots[0]!.dynamic && cwd !== null ? resolvePath(roots[0]!.value, cwd, home) : roots.length === 0 ? cwd : null;
  const extAt = args.findIndex((a, i) => i < at && FD.extensions?.includes(a.value));
  const ext = extAt === -1 ? undefined : args[extAt + 1]?.value;
  const match = root ? globArg(joinPath(root, ext ? `**/*.${ext}` : '**')) : unknownArg('FD_MATCH');
  let child = args.slice(at + 1);
  if (!child.some((a) => /\{[^}]*\}/.test(a.value))) child = [...child, match];
  child = child.map((a) => (/\{[^}]*\}/.test(a.value) ? (/^\{[^}]*\}$/.test(a.value) ? match : { ...unknownArg('FD_MATCH') }) : a));
  return child.length > 0 ? [child] : [];
}

const XARGS_VALUES: ReadonlySet<string> = new Set(runsOptions('xargs').values);

/** What the words fed to xargs are, judged by the command that prints them. */
/** The words fed to xargs, one placeholder per alternative where the producer has them (`find … -o …`). */
export function listedAll(producers: ShellCommand[], home: string): Arg[] {
  const last = producers[producers.length - 1];
  if (last?.name === 'find' && last.cwd !== null) return findAlternatives(last.argv.slice(1), last.cwd, home);
  return [listedBy(producers, home)];
}

export function listedBy(producers: ShellCommand[], home: string): Arg {
  const last = producers[producers.length - 1];
  if (!last || last.cwd === null) return unknownArg('XARGS_INPUT');
  const args = last.argv.slice(1);
  const positional = args.filter((a) => !a.value.startsWith('-'));
  const under = (dir: Arg | undefined): Arg =>
    dir && !dir.dynamic
      ? globArg(joinPath(resolvePath(dir.value, last.cwd!, home), '**'))
      : dir
        ? unknownArg('XARGS_INPUT')
        : globArg(joinPath(last.cwd!, '**'));
  switch (last.name) {
    case 'find':
      return findMatches(args, last.cwd, home);
    case 'fd':
    case 'fdfind':
      return under(positional[1]);
    case 'ls':
      return under(positional[0]);
    case 'git': {
      if (!['ls-files', 'diff', 'grep', 'status'].includes(positional[0]?.value ?? '')) return unknownArg('XARGS_INPUT');
      // `git ls-files '*.snap'`: the pathspec says which files
      const dashes = args.findIndex((a) => a.value === '--');
      const specs = positional[0]?.value === 'ls-files' ? positional.slice(1) : dashes === -1 ? [] : args.slice(dashes + 1);
      const spec = specs.length === 1 && !specs[0]!.dynamic ? specs[0]!.value : null;
      if (spec === null) return globArg(joinPath(last.cwd, '**'));
      return globArg(joinPath(last.cwd, spec.includes('/') ? spec : `**/${spec}`));
    }
    case 'echo':
    case 'printf': {
      // `echo ok | xargs rm`: one known word is the argument
      const words = args.filter((a) => !(last.name === 'echo' && /^-[neE]+$/.test(a.value)));
      return words.length === 1 && !words[0]!.dynamic && !/[\s\\%]/.test(words[0]!.value) ? textArg(words[0]!.value) : unknownArg('XARGS_INPUT');
    }
    case 'grep':
    case 'rg':
    case 'ag':
      return args.some((a) => /^-[A-Za-z]*l/.test(a.value) || a.value === '--files-with-matches' || a.value === '--files')
        ? under(positional[1])
        : unknownArg('XARGS_INPUT');
    default:
      return unknownArg('XARGS_INPUT');
  }
}

/** More items of a given input than this are not followed one by one: the input is unknown. */
const MAX_XARGS_ITEMS = 16;

/**
 * The items xargs reads from a text it is given (a here-string or here-document): lines with a
 * replacement string or a delimiter, else blank-separated words; null when the text is not known
 * or holds more than MAX_XARGS_ITEMS.
 */
export function xargsItems(text: Arg, args: Arg[]): Arg[] | null {
  if (text.dynamic) return null;
  const lines = args.some((a) => /^-(?:[IiJL0d]|-replace|-null|-delimiter)/.test(a.value));
  const items = text.value.split(lines ? /\n/ : /\s+/).filter((w) => w.trim() !== '');
  return items.length > 0 && items.length <= MAX_XARGS_ITEMS ? items.map((w) => textArg(lines ? w : w.trim())) : null;
}

/** `xargs [opts] cmd args…` → cmd args… with the words xargs will add (`all`: each alternative of them, appended together). */
export function xargsCommand(args: Arg[], input: Arg, all: Arg[] = [input]): Arg[] {
  let replace: string | null = null;
  let i = 0;
  for (; i < args.length; i++) {
    const word = args[i]!.value;
    if (word === '--') {
      i++;
      break;
    }
    if (!word.startsWith('-')) break;
    const eq = word.indexOf('=');
    const opt = eq > 0 ? word.slice(0, eq) : word;
    // -I R and BSD -J R take a separate value; --replace[=R] only an attached one
    if (opt === '-I' || opt === '-J') replace = args[i + 1]?.value ?? '{}';
    else if (opt === '--replace') replace = eq > 0 ? word.slice(eq + 1) : '{}';
    else if ((word.startsWith('-I') || word.startsWith('-J')) && word.length > 2) replace = word.slice(2);
    else if (opt === '-i') replace = '{}';
    if (readOption(word, XARGS_VALUES, 'words').takesNext) i++;
  }
  const inner = args.slice(i);
  if (inner.length === 0) return [textArg('echo'), input];
  if (replace !== null) return substitute(inner, replace, input);
  return [...inner, ...all];
}

const PARALLEL = runsOptions('parallel');
const PARALLEL_VALUES: ReadonlySet<string> = new Set(PARALLEL.values);
/** More command lines than this from `:::` inputs are judged as one line with unknown inputs. */
const MAX_PARALLEL_JOBS = 16;

/**
 * GNU parallel: the command template (run by a shell, inputs quoted) and commands given as inputs.
 * Inputs after `:::` are data: each job is the template with one combination of them (`:::+` pairs
 * with the group before), put in the replacement strings (`{}`, `{.}`, `{/}`, `{//}`, `{/.}`, `{1}` …)
 * or appended. Inputs from files or stdin (`::::`, `-a`, a pipe) are unknown.
 */
export function parallelScripts(args: Arg[]): Arg[] {
  const sep = args.findIndex((a) => a.value === ':::' || a.value === '::::' || a.value === ':::+' || a.value === '::::+');
  const head = sep === -1 ? args : args.slice(0, sep);
  let i = 0;
  let fromFile = false;
  let customReplace: string | null = null;
  while (i < head.length && head[i]!.value.startsWith('-')) {
    if (PARALLEL.inputFiles?.includes(head[i]!.value)) fromFile = true;
    // other replacement strings or separators than the default: not followed
    if (/^(-I|-X|--replace|--arg-sep|--.*replace|--colsep|-C|--rpl)$/.test(head[i]!.value)) {
      fromFile = true;
      // another replacement string: it stands for the unknown input like {} does
      if (head[i]!.value === '-I' && head[i + 1]) customReplace = head[i + 1]!.value;
    }
    if (readOption(head[i]!.value, PARALLEL_VALUES, 'words').takesNext) i++;
    i++;
  }
  const words = head.slice(i);
  const groups = sep === -1 ? null : parallelGroups(args.slice(sep));
  if (words.length > 0) {
    const unknownInputs = (): Arg[] => {
      const hasPlaceholder = words.some((w) => /\{[^}]*\}/.test(w.value));
      const line = (quoteWords: boolean): Arg => {
        const mark = (text: string, by: string): string => (customReplace ? text.split(customReplace).join(by) : text).replace(/\{[^}]*\}/g, by);
        const value =
          words
            .map((w) => (quoteWords ? shellQuote(mark(w.value, '$PARALLEL_ARG')).replace(/^'(.*)'$/s, '"$1"') : mark(w.value, '"$PARALLEL_ARG"')))
            .join(' ') + (hasPlaceholder || customReplace ? '' : ' "$PARALLEL_ARG"');
        return textArg(
          value,
          words.some((w) => w.dynamic),
        );
      };
      return words.length > 1 && words.some((w) => /[\s;&|<>()$`'"\\]/.test(w.value)) ? [line(false), line(true)] : [line(false)];
    };
    const jobs = groups && !fromFile ? parallelJobs(groups) : null;
    if (!jobs) return unknownInputs();
    // The template words are joined for the shell; whether a word's own quoting survives differs
    // between versions and modes (`parallel bash -c 'rm -rf {}' ::: /`), so a word with blanks or
    // shell syntax in it is judged both ways.
    const ambiguous = words.length > 1 && words.some((w) => /[\s;&|<>()$`'"\\]/.test(w.value));
    const compose = (inputs: string[], quoteWords: boolean): Arg => {
      let replaced = false;
      const line = words.map((w) => {
        const word = w.value.replace(/\{(\d*)([./]*|\/\/|#|%)?\}/g, (m, n: string, op: string | undefined) => {
          const input = n === '' ? inputs.join(' ') : inputs[Number(n) - 1];
          replaced = true;
          if (op === '#' || op === '%') return '1';
          if (input === undefined) return m;
          const value = parallelReplace(input, op ?? '');
          return quoteWords ? value : shellQuote(value);
        });
        return quoteWords ? shellQuote(word) : word;
      });
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the replace callback, which the checker does not follow
      const text = line.join(' ') + (replaced ? '' : ` ${inputs.map(shellQuote).join(' ')}`);
      // an unknown replacement string left in the line
      return textArg(text, words.some((w) => w.dynamic) || /\{[^}]*\}/.test(line.join(' ')));
    };
    return jobs.flatMap((inputs) => (ambiguous ? [compose(inputs, false), compose(inputs, true)] : [compose(inputs, false)]));
  }
  if (sep === -1) return [{ value: '$PARALLEL_INPUT', dynamic: true, glob: false, pattern: '*' }];
  return args.slice(sep + 1).filter((a) => !a.value.startsWith(':::'));
}

/** The `:::` groups of inputs; null when one comes from a file (`::::`) or is unknown. */
function parallelGroups(rest: Arg[]): { values: string[]; linked: boolean }[] | null {
  const groups: { values: string[]; linked: boolean }[] = [];
  for (const a of rest) {
    if (a.value === '::::' || a.value === '::::+') return null;
    if (a.value === ':::' || a.value === ':::+') {
      groups.push({ values: [], linked: a.value === ':::+' && groups.length > 0 });
      continue;
    }
    if (a.dynamic || a.glob) return null;
    groups[groups.length - 1]!.values.push(a.value);
  }
  return groups.some((g) => g.values.length === 0) ? null : groups;
}

/** Every combination of inputs parallel runs (`:::+` zips with the group before); null past the bound. */
function parallelJobs(groups: { values: string[]; linked: boolean }[]): string[][] | null {
  // linked groups form columns of one dimension
  const dims: string[][][] = [];
  for (const g of groups) {
    if (g.linked) {
      const last = dims[dims.length - 1]!;
      const n = Math.min(last.length, g.values.length);
      dims[dims.length - 1] = last.slice(0, n).map((row, k) => [...row, g.values[k]!]);
    } else dims.push(g.values.map((v) => [v]));
  }
  let jobs: string[][] = [[]];
  for (const dim of dims) {
    if (jobs.length * dim.length > MAX_PARALLEL_JOBS) return null;
    jobs = jobs.flatMap((job) => dim.map((row) => [...job, ...row]));
  }
  return jobs;
}

/** `{.}` no extension, `{/}` basename, `{//}` dirname, `{/.}` basename without extension. */
function parallelReplace(input: string, op: string): string {
  const base = input.replace(/^.*\//, '');
  switch (op) {
    case '.':
      return input.replace(/\.[^./]*$/, '');
    case '/':
      return base;
    case '//':
      return input.includes('/') ? input.replace(/\/[^/]*$/, '') || '/' : '.';
    case '/.':
      return base.replace(/\.[^.]*$/, '');
    default:
      return input;
  }
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}

const GIT_VALUES: ReadonlySet<string> = new Set(programOf('git')?.globals?.values);
/** Config keys whose value git runs as a shell command: analyzed like any other script. */
const GIT_SHELL_KEYS =
  /^(core\.(sshcommand|pager|editor)|(man|browser|mergetool|difftool)\..+\.cmd|pager\..+|sequence\.editor|interactive\.difffilter|diff\.external|diff\..*\.(command|textconv)|merge\..*\.driver|filter\..*\.(clean|smudge|process)|gpg\.(program|.*\.program)|instaweb\.httpd|remote\..+\.(uploadpack|receivepack)|sendemail\.(smtpserver|sendmailcmd|tocmd|cccmd))$/i;
/** Config keys that make git run code harness cannot see (a hooks directory, an included config …). */
const GIT_EXEC_KEYS =
  /^(core\.(hookspath|fsmonitor|askpass|gitproxy)|(man|browser|mergetool|difftool)\..+\.path|credential\.helper|uploadpack\.packobjectshook|protocol\.(allow|.+\.allow)|url\..*|include\.path|includeif\..*|core\.worktree)$/i;

/** Remote settings that decide how `git push` pushes: its refspecs (`+…` forces), mirroring, the push URL. */
export const GIT_REMOTE_PUSH_KEYS = /^remote\..+\.(push|mirror|pushurl)$/i;

export interface GitInvocation {
  cwd: Arg | null;
  subcommand: string | null;
  rest: Arg[];
  aliases: Map<string, Arg>;
  /** Shell commands given in `-c key=value` settings git will run. */
  configScripts: Arg[];
  /** A `-c` setting makes git run a program of the caller's choosing. */
  execConfig: boolean;
  /** `-c remote.NAME.push=…`, `.mirror`, `.pushurl`: where and how this command pushes. */
  remoteConfig: [string, Arg][];
}

export function gitInvocation(args: Arg[], knownAliases: ReadonlyMap<string, Arg> = new Map()): GitInvocation {
  let cwd: Arg | null = null;
  const aliases = new Map<string, Arg>(knownAliases);
  const configScripts: Arg[] = [];
  const remoteConfig: [string, Arg][] = [];
  let execConfig = false;
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i]!;
    const word = arg.value;
    if (!word.startsWith('-')) break;
    // `-Cdir`, `-cKEY=V`: git takes a value attached to its short options
    const read = readOptionWord(word, (o) => GIT_VALUES.has(o), 'attached');
    // `--exec-path=DIR` runs git's subcommands from DIR
    if (read.flags === '--exec-path' && read.attached !== null) execConfig = true;
    const opt = read.option;
    if (opt === null) continue;
    const value = read.attached !== null ? withValue(arg, read.attached) : args[++i];
    if (!value) continue;
    if (opt === '-C') {
      cwd = cwd && !value.value.startsWith('/') ? { ...value, value: joinPath(cwd.value, value.value) } : value;
    } else if (opt === '-c') {
      const kv = value.value;
      const sep = kv.indexOf('=');
      const key = sep === -1 ? kv : kv.slice(0, sep);
      const val = sep === -1 ? '' : kv.slice(sep + 1);
      const alias = /^alias\.(.+)$/i.exec(key);
      if (alias) {
        const body = val.startsWith('!') ? val.slice(1) : `git ${val}`;
        aliases.set(alias[1]!, textArg(body, value.dynamic));
      }
      if (GIT_REMOTE_PUSH_KEYS.test(key)) remoteConfig.push([key, textArg(val, value.dynamic)]);
      if (GIT_SHELL_KEYS.test(key)) configScripts.push(textArg(val, value.dynamic));
      else if (GIT_EXEC_KEYS.test(key) || (value.dynamic && !alias)) execConfig = true;
    } else if (opt === '--config-env') {
      execConfig = true;
    }
  }
  return { cwd, subcommand: args[i]?.value ?? null, rest: args.slice(i + 1), aliases, configScripts, execConfig, remoteConfig };
}

/** Shell code that git subcommands take as arguments and run. */
export function gitScripts(git: GitInvocation): { scripts: Arg[]; argvs: Arg[][] } {
  const scripts: Arg[] = [];
  const argvs: Arg[][] = [];
  const rest = git.rest;
  const optionValue = (names: string[]): void => {
    for (let i = 0; i < rest.length; i++) {
      const w = rest[i]!.value;
      for (const n of names) {
        if (w === n && rest[i + 1]) scripts.push(rest[i + 1]!);
        else if (n.startsWith('--') && w.startsWith(`${n}=`)) scripts.push({ ...rest[i]!, value: w.slice(n.length + 1), pattern: w.slice(n.length + 1) });
      }
    }
  };
  const alias = git.aliases.get(git.subcommand ?? '');
  if (alias) {
    // the alias runs with the rest of the command line appended
    scripts.push(joinedArgs([alias, ...rest]));
  }
  scripts.push(...git.configScripts);
  switch (git.subcommand) {
    case 'submodule': {
      const at = rest.findIndex((a) => a.value === 'foreach');
      const words = at === -1 ? [] : rest.slice(at + 1).filter((a) => a.value !== '--recursive' && a.value !== '-q' && a.value !== '--quiet');
      if (words.length > 0) scripts.push(joinedArgs(words));
      break;
    }
    case 'bisect':
      if (rest[0]?.value === 'run' && rest.length > 1) argvs.push(rest.slice(1));
      break;
    case 'rebase':
      optionValue(['-x', '--exec']);
      break;
    case 'difftool':
    case 'mergetool':
      optionValue(['-x', '--extcmd']);
      break;
    case 'grep': {
      // -O<pager>, --open-files-in-pager=<pager>: the matching files are opened with that command
      optionValue(['--open-files-in-pager']);
      for (const a of rest) if (/^-O./.test(a.value)) scripts.push({ ...a, value: a.value.slice(2), pattern: a.pattern.slice(2) });
      break;
    }
    case 'filter-branch':
      optionValue(['--tree-filter', '--index-filter', '--msg-filter', '--commit-filter', '--env-filter', '--parent-filter', '--tag-name-filter']);
      break;
    case null:
      // no subcommand: only the aliases and -c settings above run code
      break;
  }
  return { scripts, argvs };
}
