import type { Arg, Tag } from '../types.js';
import { joinedArgs, textArg } from './words.js';

/**
 * How a command that runs another command lays out its own options. The inner command starts
 * at the first operand after the options (and after `skip` fixed operands such as a duration).
 */
interface WrapperSpec {
  /** Options that take the next word as their value (long options also accept `--opt=value`). */
  valueOpts?: readonly string[];
  /** Options whose value is a shell script string. */
  scriptOpts?: readonly string[];
  /** Options whose value becomes the working directory of the inner command. */
  cwdOpts?: readonly string[];
  /** Fixed operands between the options and the inner command. */
  skip?: number;
  /** NAME=value words before the inner command are environment assignments. */
  assignments?: boolean;
  /** With no inner command, these options still run a shell (sudo -s). */
  shellOpts?: readonly string[];
  /** Options that make the wrapper only look a command up, not run it (command -v). */
  lookupOpts?: readonly string[];
  /** The remaining words are joined and run by a shell (watch, ssh-like). */
  joinAsScript?: boolean;
  /** Options that turn joinAsScript off (watch -x). */
  execOpts?: readonly string[];
  /** The script option may come after operands too (`su root -c CMD`). */
  scriptAnywhere?: boolean;
  tags?: readonly Tag[];
  /** Options that say something about what runs (`systemd-run --on-calendar`: later, on a timer). */
  tagOpts?: Readonly<Record<string, Tag>>;
  /** Options whose value is a file the wrapper writes (`strace -o FILE`, `time -o FILE`). */
  outputOpts?: readonly string[];
  /** Its operands (other than the command) are files it writes (`script FILE`). */
  writesOperands?: boolean;
}

const PRIVILEGE: readonly Tag[] = ['privilege'];
const SYSTEMD_TIMERS = ['--on-calendar', '--on-active', '--on-boot', '--on-startup', '--on-unit-active', '--on-unit-inactive', '--on-clock-change', '--on-timezone-change', '--timer-property'];

const WRAPPERS: Record<string, WrapperSpec> = {
  sudo: {
    valueOpts: ['-u', '-g', '-h', '-p', '-C', '-D', '-r', '-t', '-U', '-T', '--user', '--group', '--host', '--prompt', '--close-from', '--chdir', '--role', '--type', '--other-user', '--command-timeout'],
    cwdOpts: ['-D', '--chdir'],
    shellOpts: ['-s', '-i', '--shell', '--login'],
    assignments: true,
    tags: PRIVILEGE,
  },
  doas: { valueOpts: ['-u', '-C'], shellOpts: ['-s'], tags: PRIVILEGE },
  pkexec: { valueOpts: ['--user'], tags: PRIVILEGE },
  run0: { valueOpts: ['-u', '--user', '-g', '--group', '-D', '--chdir', '--setenv', '--unit', '-p', '--property'], cwdOpts: ['-D', '--chdir'], tags: PRIVILEGE },
  env: {
    valueOpts: ['-u', '--unset', '-C', '--chdir', '-P', '--default-signal', '--ignore-signal', '--block-signal'],
    cwdOpts: ['-C', '--chdir'],
    assignments: true,
  },
  command: { lookupOpts: ['-v', '-V'] },
  builtin: {},
  exec: { valueOpts: ['-a'] },
  nohup: {},
  nice: { valueOpts: ['-n', '--adjustment'] },
  ionice: { valueOpts: ['-c', '-n', '--class', '--classdata'] },
  chrt: { skip: 1 },
  taskset: { skip: 1 },
  timeout: { valueOpts: ['-s', '-k', '--signal', '--kill-after'], skip: 1 },
  time: { valueOpts: ['-o', '-f', '--output', '--format'], outputOpts: ['-o', '--output'] },
  stdbuf: { valueOpts: ['-i', '-o', '-e', '--input', '--output', '--error'] },
  setsid: {},
  flock: { valueOpts: ['-w', '-E', '--timeout', '--conflict-exit-code'], scriptOpts: ['-c', '--command'], scriptAnywhere: true, skip: 1 },
  watch: { valueOpts: ['-n', '--interval', '-q', '--equexit'], joinAsScript: true, execOpts: ['-x', '--exec'] },
  nocorrect: {},
  noglob: {},
  unbuffer: {},
  caffeinate: { valueOpts: ['-t', '-w'] },
  'systemd-run': {
    valueOpts: ['-u', '--unit', '-p', '--property', '-E', '--setenv', '--uid', '--gid', '-M', '--machine', '--working-directory', '--description', '--slice', ...SYSTEMD_TIMERS],
    cwdOpts: ['--working-directory'],
    tagOpts: Object.fromEntries(SYSTEMD_TIMERS.map((o) => [o, 'scheduled'])),
  },
  runuser: { valueOpts: ['-u', '-g', '-G', '--user', '--group', '--supp-group', '-s', '--shell'], scriptOpts: ['-c', '--command'], scriptAnywhere: true, tags: PRIVILEGE },
  su: { valueOpts: ['-g', '-G', '--group', '--supp-group', '-s', '--shell'], scriptOpts: ['-c', '--command'], scriptAnywhere: true, shellOpts: ['-', '-l', '--login'], tags: PRIVILEGE },
  sg: { scriptOpts: ['-c'], scriptAnywhere: true },
  chroot: { valueOpts: ['--userspec', '--groups'], skip: 1, tags: PRIVILEGE },
  strace: { valueOpts: ['-o', '-e', '-p', '-s', '-u', '-E', '-P', '-a', '-b', '-I', '-O', '-S', '-X', '--output'], outputOpts: ['-o', '--output'] },
  ltrace: { valueOpts: ['-o', '-e', '-p', '-s', '-u', '-a', '-n', '-F', '--output'], outputOpts: ['-o', '--output'] },
  'xvfb-run': { valueOpts: ['-n', '-s', '-f', '-e', '-p', '--server-num', '--server-args', '--auth-file', '--error-file'] },
  'dbus-run-session': {},
  busybox: {},
  toybox: {},
  ccache: {},
  sccache: {},
  npx: { valueOpts: ['-p', '--package'], scriptOpts: ['-c', '--call'] },
  bunx: { valueOpts: ['-p', '--package'] },
  pnpx: {},
  'cross-env': { assignments: true },
  dotenv: { valueOpts: ['-e', '-v', '-c'] },
  'direnv-exec': { skip: 1 },
  script: {
    valueOpts: ['-t', '-T', '-I', '-O', '-B', '-E', '-m', '--timing', '--log-in', '--log-out', '--log-io', '--log-timing', '--echo', '--logging-format'],
    scriptOpts: ['-c', '--command'],
    scriptAnywhere: true,
    outputOpts: ['-T', '-I', '-O', '-B', '--timing', '--log-in', '--log-out', '--log-io', '--log-timing'],
    writesOperands: true,
  },
  'nix-shell': { valueOpts: ['-p', '-I', '-A', '--arg', '--argstr', '--packages'], scriptOpts: ['--run', '--command'] },
  entr: {},
  summon: { valueOpts: ['-p', '--provider', '-f', '--yaml', '-D', '--environment'] },
  envchain: { skip: 1 },
};

/** `pkg-manager SUB … command` forms: the words after SUB (and its options) are a command. */
const SUBCOMMAND_WRAPPERS: Record<string, Record<string, WrapperSpec>> = {
  npm: { exec: { valueOpts: ['-p', '--package', '-w', '--workspace'], scriptOpts: ['-c', '--call'] }, x: { valueOpts: ['-p', '--package'], scriptOpts: ['-c', '--call'] } },
  pnpm: { exec: { valueOpts: ['-C', '--dir', '--filter', '-F'] }, dlx: { valueOpts: ['--package'] } },
  yarn: { exec: {}, dlx: { valueOpts: ['-p', '--package'] } },
  bun: { x: {} },
  uv: { run: { valueOpts: ['--with', '--python', '-p', '--directory', '--project', '--env-file', '--extra', '--group', '--package', '--index', '--index-url'] }, tool: {} },
  uvx: {},
  poetry: { run: {} },
  pipenv: { run: {} },
  pdm: { run: {} },
  hatch: { run: {} },
  bundle: { exec: {} },
  conda: { run: { valueOpts: ['-n', '--name', '-p', '--prefix', '--cwd'] } },
  mamba: { run: { valueOpts: ['-n', '--name', '-p', '--prefix', '--cwd'] } },
  mise: { exec: { valueOpts: ['-C', '--cd'] }, x: { valueOpts: ['-C', '--cd'] } },
  asdf: { exec: {} },
  rbenv: { exec: {} },
  pyenv: { exec: {} },
  direnv: { exec: { skip: 1 } },
  nix: { develop: { scriptOpts: ['-c', '--command'] }, shell: { scriptOpts: ['-c', '--command'] } },
  devbox: { run: {} },
  doppler: { run: { valueOpts: ['-p', '--project', '-c', '--config', '--command'] } },
  op: { run: { valueOpts: ['--env-file'] } },
  'aws-vault': { exec: { skip: 1 } },
  infisical: { run: { valueOpts: ['--env', '--path', '--projectId', '--token', '--domain', '--tags', '--watch-fallback-interval'] } },
  teller: { run: { valueOpts: ['-c', '--config'] } },
  chamber: { exec: {} },
  berglas: { exec: { valueOpts: ['--local'] } },
  railway: { run: { valueOpts: ['-s', '--service', '-e', '--environment'] } },
  sops: { 'exec-env': { skip: 1 }, 'exec-file': { skip: 1 } },

  opam: { exec: {} },
};

export type Peeled =
  | { kind: 'final' }
  | { kind: 'lookup' }
  | { kind: 'inner'; via: string; argv: Arg[]; cwd?: Arg; tags: readonly Tag[]; writes: Arg[] }
  | { kind: 'script'; via: string; script: Arg; cwd?: Arg; tags: readonly Tag[]; writes: Arg[] }
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
    } else if (spec.writesOperands && !word.startsWith('-')) writes.push(arg);
  }
  return writes;
}

function peelWith(spec: WrapperSpec, via: string, args: Arg[]): Peeled {
  const tags = [...(spec.tags ?? [])];
  if (spec.scriptAnywhere) {
    // also clusters ending in the script letter: `script -qc CMD`
    const at = args.findIndex((a) => has(spec.scriptOpts, optionName(a.value)) || (/^-[A-Za-z]+$/.test(a.value) && has(spec.scriptOpts, `-${a.value.slice(-1)}`)));
    const script = at === -1 ? undefined : args[at + 1];
    if (script) return { kind: 'script', via: `${via} ${args[at]!.value}`, script, tags, writes: wrapperWrites(spec, args, new Set([args[at]!, script])) };
    // `su`, `su root`, `script log.txt`: an interactive shell (flock's operands are a lock and a command)
    if (at === -1 && !spec.skip && !args.some((a) => a.value.startsWith('-') && !has(spec.shellOpts, a.value) && !has(spec.valueOpts, optionName(a.value)) && !has(spec.outputOpts, optionName(a.value)))) {
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
    const glued = gluedShort(spec.valueOpts, word) ?? gluedShort(spec.scriptOpts, word);
    if (has(spec.lookupOpts, name)) return { kind: 'lookup' };
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
    }
  }
  const writes = wrapperWrites(spec, args.slice(0, i), new Set());
  if (spec.assignments) {
    while (i < args.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(args[i]!.value)) i++;
  }
  i += spec.skip ?? 0;
  const rest = args.slice(i);
  if (rest.length === 0) return shell ? { kind: 'shell', via, tags, writes } : { kind: 'final' };
  if (joinAsScript) {
    return { kind: 'script', via, script: joinedArgs(rest), cwd, tags, writes };
  }
  return { kind: 'inner', via, argv: rest, cwd, tags, writes };
}

/**
 * env's own argument forms: `-S STRING` splits STRING into words that stand where it stood
 * (`env -S 'PATH=/bin git' reset --hard`), and `-` is `-i`.
 */
function envWords(args: Arg[]): Arg[] {
  const out: Arg[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const w = a.value;
    if (w === '-') continue;
    // `-S STR`, `-SSTR`, `--split-string=STR`, and clusters ending in S (`-iS STR`)
    const cluster = /^-[A-Za-z]*S$/.test(w) && w !== '-S';
    const split = w === '-S' || w === '--split-string' || cluster ? args[++i] : w.startsWith('--split-string=') ? { ...a, value: w.slice(15) } : /^-S./.test(w) ? { ...a, value: w.slice(2) } : null;
    if (split === null) {
      out.push(a);
      if (!w.startsWith('-') || a.dynamic) return [...out, ...args.slice(i + 1)];
      continue;
    }
    if (!split) break;
    if (split.dynamic) return [...out, split, ...args.slice(i + 1)];
    // env splits at blanks and `\_`; it expands `${VAR}` itself: a word with one is computed
    out.push(...split.value.replace(/\\_/g, ' ').split(/\s+/).filter(Boolean).map((word) => (word.includes('$') ? { value: word, dynamic: true, glob: true, pattern: word.replace(/\$\{?\w+\}?/g, '*') } : textArg(word))));
  }
  return out;
}

/** One layer of wrapper removed from `argv`, or `final` when argv[0] runs no other command. */
export function peelWrapper(name: string, argv: Arg[]): Peeled {
  let args = argv.slice(1);
  // `java -jar jenkins-cli.jar …` is the program the jar is (`jenkins-cli`)
  if (name === 'java') {
    const at = args.findIndex((a) => a.value === '-jar');
    const jar = at === -1 ? undefined : args[at + 1];
    if (jar && !jar.dynamic) {
      const program = jar.value.split('/').pop()!.replace(/\.jar$/i, '').replace(/[-_.]?v?\d+(?:\.\d+)*(?:-[\w.]+)?$/, '');
      return { kind: 'inner', via: `java -jar ${jar.value}`, argv: [textArg(program), ...args.slice(at + 2)], tags: [], writes: [] };
    }
  }
  if (name === 'env') args = envWords(args);
  if (name === 'env' && args.length === 0) return { kind: 'final' };
  const spec = WRAPPERS[name];
  if (spec) return peelWith(spec, name, args);
  const subs = SUBCOMMAND_WRAPPERS[name];
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

export type ShellInvocation =
  | { mode: 'script'; script: Arg; options: string }
  | { mode: 'file'; file: Arg }
  | { mode: 'stdin' };

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

