import type { Arg, Effect, FileOp, ShellCommand } from './types.js';
import { globBase, hasGlob, isInside, resolvePath } from './paths.js';
import { posix } from 'node:path';
import { interpreterInvocation } from './shell/interpreters.js';
import { findActions, findAlternatives, listedBy } from './shell/children.js';
import { textArg } from './shell/words.js';
import { asksOnlyForHelp } from './programs/help.js';
import { programOf } from './programs/registry.js';
import { hasFlag, optionArg, optionNamed, readOption, readOptionWord, scanArgs, withValue } from './programs/argv.js';
import { GENERIC_OUTPUTS } from './programs/decls/tools.js';
import type { ArchiveDecl, DownloadDecl, FileSpec, MountDecl, ProgramDecl, ServeDecl } from './programs/types.js';

/** The directory `tar -C DIR` names at `at` (for the data flow, which reads tar's and unzip's targets). */
export { optionArg as tarDirectory } from './programs/argv.js';

const HARMLESS_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty', '/dev/zero', '/dev/random', '/dev/urandom']);

/** `guessed`: a word of a program nobody declared; `members`: a recursive write of files it does not name (an archive's, a tree's). */
type Mark = 'guessed' | 'members';
type Add = (arg: Arg, op: FileOp, recursive?: boolean, mark?: Mark) => void;

interface Operands {
  paths: Arg[];
  recursive: boolean;
  target: Arg | null;
  optionPaths: { op: FileOp; arg: Arg }[];
  /** The option words, as getopt reads them (a cluster cut after its value-taking letter). */
  flags: string[];
}

/** The operands of a program whose `files` declaration says what it does to them, and the paths of its options. */
function splitOperands(spec: FileSpec, args: Arg[]): Operands {
  const out: Operands = { paths: [], recursive: spec.alwaysRecursive ?? false, target: null, optionPaths: [], flags: [] };
  const takes = (o: string): boolean => Boolean(spec.valueOpts?.includes(o) || spec.targetOpts?.includes(o) || (spec.pathOpts && o in spec.pathOpts));
  let skip = spec.skip ?? 0;
  for (const item of scanArgs(args, takes, spec.singleDash ? 'words' : 'getopt')) {
    if ('operand' in item) {
      if (skip > 0) skip--;
      else if (spec.take === undefined || out.paths.length < spec.take) out.paths.push(item.operand);
      continue;
    }
    const { flags, option } = item.option;
    out.flags.push(flags);
    if (spec.recursive && hasFlag(flags, spec.recursive)) out.recursive = true;
    if (option === null) continue;
    if (item.value && spec.targetOpts?.includes(option)) out.target = item.value;
    const op = spec.pathOpts?.[option];
    if (item.value && op) out.optionPaths.push({ op, arg: item.value });
    // grep -e PATTERN: the pattern came from an option, so no operand is the pattern.
    if (spec.patternOpts?.includes(option)) skip = 0;
  }
  return out;
}

export interface EffectContext {
  home: string;
}

export function toEffect(arg: Arg, op: FileOp, cwd: string | null, recursive: boolean, source: string, ctx: EffectContext): Effect | null {
  const raw = arg.dynamic ? arg.pattern : arg.value;
  if (raw === '') return null;
  if (op !== 'read' && HARMLESS_TARGETS.has(raw)) return null;
  if (/^\/dev\/fd\/\d+$/.test(raw) || /^\/proc\/self\/fd\/\d+$/.test(raw)) return null;
  // host:path operands (scp, rsync) are remote: not a local path.
  if (/^[A-Za-z0-9._-]*(@[A-Za-z0-9._-]+)?:/.test(raw) && !raw.startsWith('/') && /^[^/]+:/.test(raw)) return null;
  const unknownStart = arg.dynamic && raw.startsWith('*');
  const relative = !raw.startsWith('/') && !raw.startsWith('~');
  const unknown = unknownStart || (relative && cwd === null);
  const path = unknown ? raw : resolvePath(raw, cwd ?? '/', ctx.home);
  const glob = arg.glob || arg.dynamic || hasGlob(path);
  return { op, path, base: glob ? globBase(path) : path, glob, dynamic: arg.dynamic, unknown, recursive, source };
}

/** The current directory as an argument (unknown when it is). */
function here(cwd: string | null): Arg {
  return { value: cwd ?? '*', dynamic: cwd === null, glob: false, pattern: cwd ?? '*' };
}

/**
 * The files a command reads, writes or deletes, as far as its arguments tell. A program whose
 * declaration gives its own grammar of files (an archiver, a downloader, find, git …) is read by
 * that grammar; one declared by `files` by its operands; any other by what its words look like.
 */
export function commandEffects(command: ShellCommand, ctx: EffectContext): Effect[] {
  const effects: Effect[] = [];
  const add: Add = (arg, op, recursive = false, mark) => {
    const effect = toEffect(arg, op, command.cwd, recursive, command.text, ctx);
    if (effect && mark === 'guessed') effect.guessed = true;
    if (effect && mark === 'members' && op === 'write' && recursive) effect.members = true;
    if (effect) effects.push(effect);
  };
  for (const r of command.redirects) {
    if (r.kind === 'dup') continue;
    add(r.target, r.kind === 'read' ? 'read' : 'write');
  }
  // `rm --help`, `git restore --help`: the program prints text and touches none of its arguments
  if (asksOnlyForHelp(command)) return effects;
  const args = command.argv.slice(1);
  const decl = programOf(command.name);
  for (const a of args) {
    // `file:///path` URLs name local files (`curl file:///etc/shadow`, `lwp-request file://…`)
    if (a.value.length < 8 || (a.value.charCodeAt(0) | 32) !== 102) continue;
    const m = /^file:\/\/(?:localhost)?(\/[^?#]*)/i.exec(a.value);
    if (m) add({ ...a, value: safeDecode(m[1]!), pattern: m[1]! }, 'read', false, decl === undefined ? 'guessed' : undefined);
  }
  if (command.codeEffects) {
    for (const e of command.codeEffects)
      add({ value: e.path, dynamic: false, glob: hasGlob(e.path), pattern: e.path }, e.op, e.recursive, e.guessed ? 'guessed' : undefined);
    return effects;
  }
  if (decl?.keyedOperands) {
    keyedEffects(decl.keyedOperands, args, add);
    return effects;
  }
  if (decl?.download) {
    downloadEffects(decl.download, args, add);
    return effects;
  }
  if (decl?.runs === 'find') {
    findEffects(decl, args, command.cwd, ctx, add);
    return effects;
  }
  // a file server: everything under the directory it serves can be read from the network
  const served = decl?.serves ? servedDirectory(decl.serves, args, command.cwd) : null;
  if (served) add(served, 'read', true);
  if (decl?.fileCalls) fileCallEffects(decl.fileCalls, command, args, add);
  if (decl?.archive) {
    archiveEffects(decl.archive, decl, command, args, ctx, add);
    return effects;
  }
  const language = decl?.interpreter;
  if (language && language !== 'other') {
    // Files handed to a program or one-liner are read by it (rewritten with -i).
    const inv = interpreterInvocation(language, command.name, args);
    for (const a of inv.operands) add(a, inv.inPlace ? 'write' : 'read');
    if (inv.source.mode === 'file') add(inv.source.file, 'read');
    return effects;
  }
  if (decl?.runs === 'git') {
    gitEffects(decl, args, add);
    return effects;
  }
  if (decl?.runs === 'xargs') {
    inputFileReads(decl.runsOptions?.inputFiles ?? [], args, add);
    return effects;
  }
  if (decl?.mounts) {
    mountEffects(decl.mounts, args, add);
    // `docker save -o FILE`, `docker build -o DIR`
    if (decl.outputs) outputWrites(decl, args, add);
    return effects;
  }
  outputWrites(decl, args, add);
  const spec = decl?.files;
  if (!spec) {
    // A program harness knows nothing of may read any file it is handed.
    guessedReads(decl, args, add);
    return effects;
  }
  if (spec.role === 'none') return effects;
  const ops = splitOperands(spec, args);
  // a program that reads trees reads the ones its options name as trees too (`gitleaks --source DIR`)
  for (const { op, arg } of ops.optionPaths) add(arg, op, op === 'read' && spec.alwaysRecursive === true);
  const paths = ops.paths;
  const flagged = (names: readonly string[] | undefined): boolean => names !== undefined && ops.flags.some((f) => hasFlag(f, names));
  // `rsync -n`: it only says what it would do
  if (flagged(spec.dryRunOpts)) {
    if (spec.role === 'copy' || spec.role === 'move') (ops.target ? paths : paths.slice(0, -1)).forEach((p) => add(p, 'read', ops.recursive));
    return effects;
  }
  switch (spec.role) {
    case 'read':
      if (spec.replaces) {
        replacedEffects(spec.replaces, paths, ops.recursive, flagged, add);
        break;
      }
      paths.forEach((p, i) => add(p, i === spec.outputOperand ? 'write' : 'read', ops.recursive));
      break;
    case 'write':
      for (const p of paths) {
        const at = effects.length;
        add(p, 'write', ops.recursive);
        // (an operand with no effect, such as /dev/null, adds none: nothing else is marked)
        if (spec.attributesOnly && effects.length > at) effects[at]!.attributes = true;
      }
      break;
    case 'delete':
      paths.forEach((p) => add(p, 'delete', ops.recursive));
      break;
    case 'copy':
    case 'move': {
      const target = ops.target ?? (paths.length > 1 ? paths[paths.length - 1]! : null);
      const sources = ops.target ? paths : paths.slice(0, -1);
      for (const s of sources) {
        add(s, 'read', ops.recursive);
        if (spec.role === 'move') add(s, 'delete', true);
      }
      if (target) {
        const tree = ops.recursive || spec.role === 'move';
        add(target, 'write', tree);
        copiedInto(spec, target, sources, ops.target !== null, tree, add);
        // `rsync --delete src/ dst/`: what dst holds and src does not goes
        if (flagged(spec.deleteOpts)) add(target, 'delete', true);
      }
      break;
    }
    case 'link': {
      // A link is a way to reach its source later: a symbolic one reads it (a directory: all of it, as
      // a recursive read) and may be written through (a file the rules protect: `ln -s ~/.bashrc rc`),
      // a hard one is the same file, so writing through it writes the source.
      const target = ops.target ?? (paths.length > 1 ? paths[paths.length - 1]! : null);
      const sources = ops.target ? paths : paths.length > 1 ? paths.slice(0, -1) : paths;
      const symbolic = ops.flags.some((f) => hasFlag(f, ['-s', '--symbolic']));
      for (const s of sources) {
        add(s, symbolic ? 'read' : 'write', symbolic);
        if (symbolic) add(s, 'write', true, 'guessed');
      }
      if (target) {
        add(target, 'write');
        // `ln -s /tmp/settings.json .claude/`: the link is made in the directory under the source's name
        copiedInto(spec, target, sources, ops.target !== null, false, add);
      }
      break;
    }
  }
  return effects;
}

/** `DIR/NAME` as an argument: a name under a directory argument (a leading `/` of the name dropped, as tar and cp do). */
function under(dir: Arg, name: Arg): Arg {
  const rel = name.value.replace(/^\/+/, '');
  const value = dir.value.endsWith('/') ? `${dir.value}${rel}` : `${dir.value}/${rel}`;
  const pattern = `${dir.pattern.replace(/\/$/, '')}/${name.pattern.replace(/^\/+/, '')}`;
  return { value, dynamic: dir.dynamic || name.dynamic, glob: dir.glob || name.glob, pattern };
}

/** A target that is surely an existing directory: `.`, `..`, `~`, or a path ending in `/`. */
function isDirectoryWord(word: string): boolean {
  return word.endsWith('/') || /(?:^|\/)\.\.?$/.test(word) || word === '~';
}

/**
 * Where a copy or a move puts each source: `TARGET/NAME` when the target is a directory, the target
 * itself when it is a new name; a tree copied brings files nobody named (`cp -r evil/.claude .` writes
 * `./.claude`, `cp -a evil/. .` and `rsync -a evil/ .` what evil holds into `.`).
 */
function copiedInto(spec: FileSpec, target: Arg, sources: Arg[], targetOption: boolean, tree: boolean, add: Add): void {
  const mark = tree ? 'members' : undefined;
  // one source to a new name: it (or its content) lands at the target itself
  if (sources.length === 1 && !targetOption && !isDirectoryWord(target.value)) add(target, 'write', tree, mark);
  for (const s of sources) {
    const word = s.dynamic ? s.pattern : s.value;
    const contents = /(?:^|\/)\.\/*$/.test(word) || (spec.slashContents === true && word.endsWith('/'));
    if (contents) {
      add(target, 'write', tree, mark);
      continue;
    }
    const name = posix.basename(word);
    if (name === '' || name === '..' || name === '/') continue;
    add(
      under(target, s.dynamic ? { ...s, value: name, pattern: name, glob: true } : { ...s, value: name, pattern: posix.basename(s.pattern) }),
      'write',
      tree,
      mark,
    );
  }
}

/** A compressor's operands: each read, its copy written beside it and (unless kept) the operand deleted. */
function replacedEffects(
  replaces: NonNullable<FileSpec['replaces']>,
  paths: Arg[],
  recursive: boolean,
  flagged: (names: readonly string[] | undefined) => boolean,
  add: Add,
): void {
  const stdout = flagged(replaces.stdout);
  const deletes = !stdout && (replaces.only ? flagged(replaces.only) : !flagged(replaces.keep));
  for (const p of paths) {
    add(p, 'read', recursive);
    if (stdout) continue;
    // the copy beside it (`x.gz` of `x`, `x` of `x.gz`): a write where the operand is
    add(p, 'write', recursive);
    if (deletes) add(p, 'delete', recursive);
  }
}

/** `dd if=IN of=OUT`: operands that name a file after their key. */
function keyedEffects(keyed: Readonly<Record<string, FileOp>>, args: Arg[], add: Add): void {
  for (const a of args) {
    const eq = a.value.indexOf('=');
    const key = a.value.slice(0, eq);
    if (eq <= 0 || !Object.hasOwn(keyed, key)) continue;
    const pattern = a.pattern.startsWith(`${key}=`) ? a.pattern.slice(eq + 1) : a.pattern;
    add({ ...a, value: a.value.slice(eq + 1), pattern }, keyed[key]!);
  }
}

/** The directory a file server serves, when this command line serves one. */
function servedDirectory(serves: ServeDecl, args: Arg[], cwd: string | null): Arg | null {
  const after = (names: readonly string[]): Arg | undefined => {
    const at = args.findIndex((a) => names.includes(a.value));
    if (at !== -1) return args[at + 1];
    const eq = args.find((a) => names.some((n) => n.startsWith('--') && a.value.startsWith(`${n}=`)));
    return eq ? { ...eq, value: eq.value.slice(eq.value.indexOf('=') + 1), pattern: eq.pattern.slice(eq.pattern.indexOf('=') + 1) } : undefined;
  };
  const when = serves.when;
  if (when !== undefined && !servesWhen(when, args)) return serves.rootAlone ? (after(serves.root) ?? null) : null;
  const root = after(serves.root);
  if (root) return root;
  if (serves.otherwise === 'none') return null;
  if (serves.otherwise === 'operand') {
    // the first operand after the words that made it serve (`ruby -run -e httpd DIR`)
    const from = when && 'all' in when ? args.findIndex((a) => a.value === when.all[when.all.length - 1]) + 1 : 0;
    const operand = args.slice(from).find((a) => !a.value.startsWith('-') && !/^\d+$/.test(a.value));
    if (operand) return operand;
  }
  return here(cwd);
}

/** Does argv say it serves (`php -S`, `caddy file-server`, `python3 -m http.server`)? */
function servesWhen(when: NonNullable<ServeDecl['when']>, args: Arg[]): boolean {
  if ('all' in when) return when.all.every((w) => args.some((a) => a.value === w));
  if ('any' in when) return args.some((a) => when.any.includes(a.value));
  if ('first' in when) return args[0]?.value === when.first;
  const at = args.findIndex((a) => a.value === when.option);
  return at !== -1 && when.values.includes(args[at + 1]?.value ?? '');
}

const TEX_INPUTS = /\\(?:input|include|verbatiminput|lstinputlisting|openin\d*|includegraphics)\s*(?:\[[^\]]*\])?\{([^}]+)\}/g;
const SQL_FILE_CALLS = /\b(readfile|writefile|edit|read_text|read_blob|read_csv(?:_auto)?|read_json(?:_auto)?)\s*\(\s*'([^']+)'/gi;

/** The files named by calls in its arguments' text: TeX's `\input{…}`, SQL's `readfile('…')` (also in SQL on stdin). */
function fileCallEffects(kind: NonNullable<ProgramDecl['fileCalls']>, command: ShellCommand, args: Arg[], add: Add): void {
  if (kind === 'tex') {
    for (const a of args) for (const m of a.value.matchAll(TEX_INPUTS)) add(textArg(m[1]!), 'read');
    return;
  }
  const text = [...args.map((a) => a.value), command.stdin.kind === 'text' ? command.stdin.text.value : ''].join('\n');
  for (const m of text.matchAll(SQL_FILE_CALLS)) add(textArg(m[2]!), /^(?:writefile|edit)$/i.test(m[1]!) ? 'write' : 'read');
}

/** The letters of `modes` (also inside `letters`, a command line's clusters) or its long options in argv. */
function inMode(letters: string, args: Arg[], modes: readonly string[] = []): boolean {
  return modes.some((m) => (m.startsWith('--') ? args.some((a) => a.value === m || a.value.startsWith(`${m}=`)) : letters.includes(m[1]!)));
}

function archiveEffects(archive: ArchiveDecl, decl: ProgramDecl, command: ShellCommand, args: Arg[], ctx: EffectContext, add: Add): void {
  if (archive.style === 'tar') tarEffects(archive, decl.files, args, command.cwd, add);
  else if (archive.style === 'cpio') cpioEffects(archive, command, args, ctx, add);
  else if (archive.style === '7z') sevenZipEffects(archive, args, command.cwd, add);
  else zipEffects(archive, args, command.cwd, add);
}

/**
 * What an extraction writes into `dir`: the members named (under it, recursively: one may be a
 * directory), or — none named, or renamed as they land — whatever the archive holds.
 */
function extracted(dir: Arg, members: Arg[], renamed: boolean, add: Add): void {
  if (members.length === 0 || renamed) add(dir, 'write', true, 'members');
  else for (const m of members) add(under(dir, m), 'write', true, 'members');
}

/** unzip: the archive, then members (after `-x`, members left out), into `-d DIR` or the current directory; `-l`, `-p` … write nothing. */
function zipEffects(archive: ArchiveDecl, args: Arg[], cwd: string | null, add: Add): void {
  const takes = (o: string): boolean => Boolean(archive.directory?.includes(o) || archive.values?.includes(o));
  let dir: Arg | null = null;
  let file: Arg | null = null;
  let excluding = false;
  let stdout = false;
  const members: Arg[] = [];
  for (const item of scanArgs(args, takes)) {
    if ('operand' in item) {
      if (file === null) file = item.operand;
      else if (!excluding) members.push(item.operand);
      continue;
    }
    const { flags, option } = item.option;
    excluding = archive.excludes !== undefined && hasFlag(flags, archive.excludes);
    if (archive.stdout && hasFlag(flags, archive.stdout)) stdout = true;
    if (option !== null && archive.directory?.includes(option) && item.value) dir = item.value;
  }
  if (file) add(file, 'read');
  if (!stdout) extracted(dir ?? here(cwd), members, false, add);
}

/** 7z: `x`/`e` extract into `-oDIR` (or the current directory), `a`/`u`/`d` write the archive; switches are whole words with attached values. */
function sevenZipEffects(archive: ArchiveDecl, args: Arg[], cwd: string | null, add: Add): void {
  const operands: Arg[] = [];
  let dir: Arg | null = null;
  let stdout = false;
  let switches = true;
  for (const a of args) {
    const w = a.value;
    if (switches && w === '--') switches = false;
    else if (switches && w.startsWith('-') && !a.dynamic) {
      const option = optionNamed(w, archive.directory ?? []);
      if (option !== undefined && w.length > option.length) dir = withValue(a, w.slice(option.length));
      if (archive.stdout?.includes(w)) stdout = true;
    } else operands.push(a);
  }
  const [mode, file, ...members] = operands;
  if (!mode || !file) return;
  // `unrar x a.rar dest/`: a last operand ending in `/` is the directory it extracts into
  const last = members[members.length - 1];
  if (archive.directoryOperand && last && last.value.endsWith('/')) dir = members.pop()!;
  if (archive.create?.includes(mode.value)) {
    add(file, 'write');
    members.forEach((m) => add(m, 'read', true));
  } else {
    add(file, 'read');
    // `e` drops the members' directories: what it writes is the directory's
    if (archive.extract?.includes(mode.value) && !stdout) extracted(dir ?? here(cwd), members, mode.value === 'e', add);
  }
}

/** cpio: `-o` archives the files named on stdin, `-p DIR` copies them into DIR, `-i` extracts into the current directory. */
function cpioEffects(archive: ArchiveDecl, command: ShellCommand, args: Arg[], ctx: EffectContext, add: Add): void {
  const modes = args
    .filter((a) => /^-[A-Za-z]+$/.test(a.value))
    .map((a) => a.value.slice(1))
    .join('');
  const listed = command.stdin.kind === 'pipe' ? listedBy(command.stdin.producers, ctx.home) : null;
  if (inMode(modes, args, [...(archive.create ?? []), ...(archive.copy ?? [])]))
    add(listed ?? { value: '*', dynamic: true, glob: true, pattern: '*' }, 'read', true);
  if (inMode(modes, args, archive.copy)) {
    const dir = args.find((a) => !a.value.startsWith('-'));
    if (dir) add(dir, 'write', true);
  }
  if (inMode(modes, args, archive.extract)) add(here(command.cwd), 'write', true, 'members');
}

/** A long option's name without its `=value`. */
function optionName(word: string): string {
  const eq = word.startsWith('--') ? word.indexOf('=') : -1;
  return eq > 0 ? word.slice(0, eq) : word;
}

/** Where one of `letters` stands in a short-option cluster with only letters before it (`-xzfa.tgz` → 3), else -1. */
function clusterLetterAt(word: string, letters: string): number {
  if (!word.startsWith('-') || word.startsWith('--')) return -1;
  for (let j = 1; j < word.length; j++) {
    if (letters.includes(word[j]!)) return j;
    if (!/[A-Za-z]/.test(word[j]!)) return -1;
  }
  return -1;
}

/** The letters of the short options among `names` (`['-f', '--file']` → `f`). */
function letters(names: readonly string[]): string {
  return names
    .filter((o) => o.length === 2)
    .map((o) => o[1]!)
    .join('');
}

const TAR_LETTERS = new WeakMap<ArchiveDecl, { value: string; archive: string; dir: readonly string[] }>();

/** tar's option letters, from its declaration: those that take a value (they end the mode letters of a cluster), the archive's, the directory's. */
function tarLetters(tar: ArchiveDecl, files: FileSpec | undefined): { value: string; archive: string; dir: readonly string[] } {
  let known = TAR_LETTERS.get(tar);
  if (!known) {
    const archives = tar.file ?? [];
    const dirs = tar.directory ?? [];
    known = {
      value: letters([...(files?.valueOpts ?? []), ...Object.keys(files?.pathOpts ?? {}), ...archives, ...dirs]),
      archive: letters(archives),
      dir: dirs.filter((o) => o.length === 2),
    };
    TAR_LETTERS.set(tar, known);
  }
  return known;
}

function tarEffects(tar: ArchiveDecl, files: FileSpec | undefined, args: Arg[], cwd: string | null, add: Add): void {
  const dirs = tar.directory ?? [];
  const archives = tar.file ?? [];
  const { value: valueLetters, archive: archiveLetters, dir: dirLetters } = tarLetters(tar, files);
  // operands are relative to -C DIR when it comes first
  const dirAt = args.findIndex((a) => optionNamed(a.value, dirs) !== undefined);
  const dirArg = dirAt === -1 ? undefined : optionArg(args, dirAt);
  const base = dirArg && !dirArg.dynamic && cwd !== null ? resolvePath(dirArg.value, cwd, '/') : null;
  const underBase = (a: Arg): Arg =>
    base && !a.value.startsWith('/') && !a.value.startsWith('~') ? { ...a, value: `${base}/${a.value}`, pattern: `${base}/${a.pattern}` } : a;
  // the mode letters of every short-option cluster (and of an old-style first word), up to a value-taking
  // letter: `-C dir -xzf x`, `-v -x -f x`, `-xzfx.tgz` (`-C`'s own value is not a cluster)
  const modeLetters = args
    .map((a, i) =>
      i === 0 && /^[A-Za-z]+$/.test(a.value) ? a.value : /^-[A-Za-z]/.test(a.value) && !dirLetters.includes(args[i - 1]?.value ?? '') ? a.value.slice(1) : '',
    )
    .map((w) => {
      let k = 0;
      while (k < w.length && !valueLetters.includes(w[k]!)) k++;
      return w.slice(0, k);
    })
    .join('');
  const extracting = inMode(modeLetters, args, tar.extract) && !inMode(modeLetters, args, tar.stdout);
  const creating = inMode(modeLetters, args, tar.create);
  let dir: Arg | null = null;
  let archive: Arg | null = null;
  let listed = false;
  const operands: Arg[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const w = a.value;
    const dirOption = optionNamed(w, dirs);
    // getopt: the value attached to the option (`-C/dir`, `-xzfx.tgz`)
    const at = clusterLetterAt(w, archiveLetters);
    const oldStyle = i === 0 && /^[A-Za-z]+$/.test(w);
    if (dirOption !== undefined) dir = w === dirOption ? (args[++i] ?? null) : optionArg(args, i)!;
    else if (at !== -1 && at < w.length - 1) archive = { ...a, value: w.slice(at + 1), pattern: a.pattern.slice(a.pattern.indexOf(w[at]!) + 1) };
    else if (archives.includes(w) || at !== -1 || (oldStyle && archiveLetters.includes(w[w.length - 1]!))) archive = args[++i] ?? null;
    else if (w.startsWith('-') || oldStyle) {
      // another option's value is no member (`--exclude x`); a list of them in a file names members harness cannot see
      if (files?.valueOpts?.includes(w) || (files?.pathOpts && Object.hasOwn(files.pathOpts, w))) i++;
      if (files?.pathOpts && Object.hasOwn(files.pathOpts, optionName(w))) listed = true;
    } else operands.push(a);
  }
  if (extracting) {
    // `tar -xPf x.tar`: members with absolute names (or `..`) land where they say, anywhere
    const anywhere = inMode(modeLetters, args, tar.absolute);
    extracted(anywhere ? textArg('/') : (dir ?? here(cwd)), operands, anywhere || listed || inMode(modeLetters, args, tar.renames), add);
    if (archive) add(archive, 'read');
  } else if (creating) {
    if (archive) add(archive, 'write');
    operands.forEach((o) => add(underBase(o), 'read', true));
  } else if (archive) {
    add(archive, 'read');
  }
}

/** find: `-delete` as its action, not as a word of an -exec command (`find . -exec echo -delete \;`), and its `-fprint FILE` writes. */
function findEffects(decl: ProgramDecl, args: Arg[], cwd: string | null, ctx: EffectContext, add: Add): void {
  const actions = findActions(args);
  if (decl.runsOptions?.deletes?.some((d) => actions.includes(d))) for (const match of findAlternatives(args, cwd, ctx.home)) add(match, 'delete');
  for (let i = 0; i < args.length; i++) {
    if (decl.outputs?.includes(args[i]!.value) && args[i + 1]) add(args[i + 1]!, 'write');
  }
}

/** xargs -a FILE: the words it reads come from FILE (its options end at the first other word). */
function inputFileReads(names: readonly string[], args: Arg[], add: Add): void {
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!.value;
    const long = names.find((n) => n.startsWith('--') && w.startsWith(`${n}=`));
    if (names.includes(w) && args[i + 1]) add(args[i + 1]!, 'read');
    else if (long) add(withValue(args[i]!, w.slice(long.length + 1)), 'read');
    if (!w.startsWith('-')) break;
  }
}

const GENERIC_OUTPUT_SET: ReadonlySet<string> = new Set(GENERIC_OUTPUTS.long);

/** A value that names a file rather than a format (`--output=report.json`, not `--output=json` or `-o jsonpath={…}`). */
function looksLikePath(value: string): boolean {
  return /[/.~]/.test(value) && !/[={}\s]/.test(value) && !/^[a-z]+:\/\//i.test(value);
}

/** Files a program writes through its own output options (`-o FILE`, `--output=FILE`). */
function outputWrites(decl: ProgramDecl | undefined, args: Arg[], add: Add): void {
  const declared = decl?.outputs;
  const names = declared ? new Set(declared) : GENERIC_OUTPUT_SET;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const w = a.value;
    if (w === '--') break;
    let value: Arg | undefined;
    let option = w;
    const eq = w.startsWith('--') ? w.indexOf('=') : -1;
    if (eq > 0 && names.has(w.slice(0, eq))) {
      option = w.slice(0, eq);
      value = { ...a, value: w.slice(eq + 1), pattern: a.pattern.slice(a.pattern.indexOf('=') + 1) };
    } else if (names.has(w)) value = args[i + 1];
    else if (declared && !w.startsWith('--') && w.length > 2 && names.has(w.slice(0, 2))) {
      option = w.slice(0, 2);
      value = { ...a, value: w.slice(2), pattern: a.pattern.slice(2) };
    }
    // `-o /abs/path` of a program nobody declared: short options mean different things in each, but a path there is a path
    else if (!declared && GENERIC_OUTPUTS.short.includes(w) && args[i + 1] && /^(?:\/|~\/)/.test(args[i + 1]!.value)) value = args[i + 1];
    if (!value || value.value === '-' || (!declared && !value.dynamic && !looksLikePath(value.value))) continue;
    add(value, 'write', /dir/i.test(option));
  }
}

/** Words of one command taken as possible reads, before only path-like words are. */
const MAX_GUESSED = 256;

/** Options of a program nobody declared are unknown: a word after one may be its value or an operand, so every word counts. */
function guessedReads(decl: ProgramDecl | undefined, args: Arg[], add: Add): void {
  const values = decl?.globals?.values ?? [];
  let operands = false;
  // each distinct word once; past MAX_GUESSED only words that look like paths (a long argv must not make harness slow)
  const seen = new Set<string>();
  const guess = (a: Arg): void => {
    if (seen.has(a.value) || seen.size >= MAX_GUESSED * 4 || (seen.size >= MAX_GUESSED && !/^[~./]|\//.test(a.value))) return;
    seen.add(a.value);
    // a program nobody declared may read or write what it is handed: both are checked by the path
    // rules (a guessed effect gets no default verdict, so an ordinary path outside costs nothing)
    add(a, 'read', false, 'guessed');
    // a glob (`cspell "**/*"`) names files to look at, not one to write
    if (!a.glob && !hasGlob(a.value)) add(a, 'write', false, 'guessed');
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const w = a.value;
    if (!operands && w === '--') {
      operands = true;
      continue;
    }
    if (!operands && w.startsWith('-') && !a.dynamic) {
      if (values.includes(w)) i++;
      // `--config=~/.aws/credentials`: an attached value that names a file
      const eq = w.indexOf('=');
      const attached = eq > 0 ? w.slice(eq + 1).replace(/^@/, '') : '';
      if (attached && looksLikePath(attached)) guess({ ...a, value: attached, pattern: attached });
      continue;
    }
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(w) || /^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) continue;
    // `@FILE`: a response file, read for more arguments (gcc, readelf, javac, many CLIs)
    if (w.startsWith('@') && w.length > 1) guess({ ...a, value: w.slice(1), pattern: a.pattern.slice(1) });
    else guess(a);
  }
}

/** Is the word a downloader's output option: one of them, or a cluster that ends with a short one (`-sLo FILE`)? */
function isOutputWord(download: DownloadDecl, word: string): boolean {
  return download.output.includes(word) || (/^-[A-Za-z]+$/.test(word) && download.output.some((o) => o.length === 2 && word.endsWith(o[1]!)));
}

/** The file a downloader saves to: its output option's, else (`curl -O`, plain `wget`) the URL's last segment. Null: stdout. */
function savedTo(download: DownloadDecl, args: Arg[]): { file: Arg; explicit: boolean } | null {
  let output: Arg | null = null;
  let dir: Arg | null = null;
  let remoteName = download.remoteName === 'always';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const w = a.value;
    const long = download.output.find((o) => o.startsWith('--') && w.startsWith(`${o}=`));
    const dirOption = download.directory ? optionNamed(w, download.directory) : undefined;
    const glued = w.length > 2 && !w.startsWith('--') ? download.output.find((o) => o.length === 2 && w.startsWith(o)) : undefined;
    if (isOutputWord(download, w)) output = args[++i] ?? null;
    else if (long) output = withValue(a, w.slice(long.length + 1));
    // `-o/path`, `-Ofile`: the value glued to the option
    else if (glued) output = withValue(a, w.slice(2));
    else if (dirOption !== undefined) dir = (w === dirOption ? args[++i] : optionArg(args, i)) ?? null;
    else if (download.remoteName !== 'always' && hasFlag(w, download.remoteName)) remoteName = true;
  }
  // `--output-dir DIR` / `-P DIR`: a relative output file is saved under it
  const placed = (file: Arg): Arg => (dir && !/^[/~]/.test(file.value) ? under(dir, file) : file);
  if (output) return output.value === '-' ? null : { file: placed(output), explicit: true };
  const url = args.find((a) => /^[a-z]+:\/\//i.test(a.value));
  const urlName =
    url && remoteName
      ? url.value
          .replace(/[?#].*$/, '')
          .replace(/\/+$/, '')
          .split('/')
          .pop()
      : undefined;
  return urlName ? { file: placed(textArg(urlName, url!.dynamic)), explicit: dir !== null } : null;
}

/**
 * The file curl/wget save what they fetch to: an explicit `-o FILE` (wget `-O FILE`), else — for
 * `curl -O` and plain `wget` — the URL's last segment. Null when the output goes to stdout.
 */
export function transferOutput(name: string, args: Arg[]): { file: Arg; explicit: boolean } | null {
  const download = programOf(name)?.download;
  return download ? savedTo(download, args) : null;
}

/** A downloader: output files are writes; uploaded files are reads (and the rules see the upload). */
function downloadEffects(download: DownloadDecl, args: Arg[], add: Add): void {
  const output = savedTo(download, args);
  if (output?.explicit) add(output.file, 'write');
  const files = download.files ?? {};
  const takes = (o: string): boolean =>
    download.output.includes(o) || Object.hasOwn(files, o) || [download.directory, download.data, download.values].some((list) => list?.includes(o));
  // curl reads its short options as getopt does (`-sd @FILE`, `-d@FILE`, `-sSLo FILE`); the others, whole words
  const clusters = download.clusters ?? 'words';
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (!arg.value.startsWith('-') || arg.value === '-') continue;
    const read = readOptionWord(arg.value, takes, clusters);
    const opt = read.option;
    if (opt === null) continue;
    const v = read.attached !== null ? withValue(arg, read.attached) : args[++i];
    // the output file is read by savedTo
    if (download.output.includes(opt) || !v) continue;
    const use = Object.hasOwn(files, opt) ? files[opt] : undefined;
    if (use) {
      // `-` (and curl's `-T .`) is stdin or stdout; an attached value is taken as it is
      const stdio = use === 'read' ? (download.stdin ?? []) : ['-'];
      if (read.attached !== null || !stdio.includes(v.value)) add(v, use === 'tree' ? 'write' : use, use === 'tree');
    } else if (download.data?.includes(opt)) {
      const at = /(?:^|=)[@<]([^;]+)/.exec(v.value);
      if (at && at[1] !== '-') add(withValue(v, at[1]!), 'read');
    }
  }
}

/** `docker run -v SRC:DST[:ro]` / `--mount type=bind,source=SRC`: the container can read or write SRC. */
function mountEffects(mounts: MountDecl, args: Arg[], add: Add): void {
  // the first words that are neither options nor values of the program's own (`docker -H unix:///… run`, `docker compose run`)
  const operands = args.filter((a, i) => !a.value.startsWith('-') && !(i > 0 && mounts.globalValues?.includes(args[i - 1]!.value)));
  const words = operands.map((a) => a.value);
  // `docker cp SRC CONTAINER:DST` reads SRC (a tree), `docker cp CONTAINER:SRC DST` writes DST
  const cp = words[0] === 'cp' ? 1 : words[0] === 'container' && words[1] === 'cp' ? 2 : 0;
  if (cp > 0) {
    const [from, to] = operands.slice(cp);
    const inContainer = (a: Arg): boolean => /^[A-Za-z0-9][\w.-]*:/.test(a.value);
    if (from && to && inContainer(to) && !inContainer(from)) add(from, 'read', true);
    if (from && to && inContainer(from) && !inContainer(to) && to.value !== '-') add(to, 'write', true);
    return;
  }
  if (!mounts.subcommands.some((sub) => sub === words[0] || sub === `${words[0]} ${words[1]}`)) return;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!.value;
    const spec = optionNamed(w, mounts.volume) !== undefined ? (optionArg(args, i)?.value ?? null) : null;
    if (spec) {
      const [source, , mode] = spec.split(':');
      if (source && (source.startsWith('/') || source.startsWith('.') || source.startsWith('~') || source.startsWith('$'))) {
        add({ value: source, dynamic: args[i + 1]?.dynamic ?? false, glob: false, pattern: source }, mode?.split(',').includes('ro') ? 'read' : 'write', true);
      }
    }
    const mount = optionNamed(w, mounts.mount) !== undefined ? optionArg(args, i)?.value : undefined;
    if (mount) {
      const fields = Object.fromEntries(mount.split(',').map((kv) => kv.split('=') as [string, string]));
      const source = fields.source ?? fields.src;
      if (source) add(textArg(source), 'readonly' in fields || fields.ro === 'true' ? 'read' : 'write', true);
    }
  }
}

/** `git clone`'s options that take a value. */
const CLONE_VALUES = [
  '-b',
  '--branch',
  '-o',
  '--origin',
  '--depth',
  '-c',
  '--config',
  '--reference',
  '--reference-if-able',
  '--template',
  '-u',
  '--upload-pack',
  '--separate-git-dir',
  '-j',
  '--jobs',
  '--filter',
  '--shallow-since',
  '--shallow-exclude',
  '--bundle-uri',
  '--server-option',
];

/** Git subcommands that change or expose working-tree files by path. */
function gitEffects(decl: ProgramDecl, args: Arg[], add: Add): void {
  const outputs = decl.outputs ?? [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!.value;
    // git log/diff/format-patch --output=FILE, --output FILE, --output-directory DIR (as before, not --output-directory=DIR)
    const attached = outputs.find((o) => !/dir/i.test(o) && w.startsWith(`${o}=`));
    if (attached) add(withValue(args[i]!, w.slice(attached.length + 1)), 'write');
    else if (outputs.includes(w) && args[i + 1]) add(args[i + 1]!, 'write', true);
  }
  let i = 0;
  const globals = decl.globals?.values ?? [];
  while (i < args.length && args[i]!.value.startsWith('-')) i += readOption(args[i]!.value, globals, 'words').takesNext ? 2 : 1;
  const sub = args[i]?.value;
  const rest = args.slice(i + 1);
  // `git config --file FILE KEY VALUE`: it writes FILE
  const own = sub !== undefined && decl.subcommandOutputs ? decl.subcommandOutputs[sub] : undefined;
  if (own && !rest.some((a) => own.unless?.includes(a.value.split('=')[0]!))) {
    for (let k = 0; k < rest.length; k++) {
      const option = optionNamed(rest[k]!.value, own.options);
      const value = option === undefined ? undefined : optionArg(rest, k);
      if (value) add(value, 'write');
    }
  }
  const operands = (after: number = 0): Arg[] => {
    const dd = rest.findIndex((a) => a.value === '--');
    const list = dd === -1 ? rest.slice(after) : rest.slice(dd + 1);
    return list.filter((a) => !a.value.startsWith('-') || dd !== -1);
  };
  switch (sub) {
    case 'rm': {
      // --cached takes the paths out of the index only: the files stay
      const dd = rest.findIndex((a) => a.value === '--');
      if ((dd === -1 ? rest : rest.slice(0, dd)).some((a) => a.value === '--cached')) break;
      operands().forEach((a) =>
        add(
          a,
          'delete',
          rest.some((r) => /^-[a-zA-Z]*r/.test(r.value)),
        ),
      );
      break;
    }
    case 'worktree':
      if (rest[0]?.value === 'add') {
        const path = rest.slice(1).find((a) => !a.value.startsWith('-'));
        if (path) add(path, 'write', true);
      }
      break;
    case 'diff':
      // outside the repository (or with --no-index) git diff compares the files themselves
      if (rest.some((a) => a.value === '--no-index')) operands().forEach((a) => add(a, 'read'));
      else
        operands()
          .filter((a) => /^(?:\/|~|\.\.\/)/.test(a.value))
          .forEach((a) => add(a, 'read'));
      break;
    case 'hash-object':
    case 'add':
      // stores the file's content in the object database (and prints its id); add stages it for
      // the next commit, from where a push takes it (`git add -f .env` reads the secret)
      operands().forEach((a) => add(a, 'read'));
      break;
    case 'mv': {
      const ops = operands();
      ops.slice(0, -1).forEach((a) => add(a, 'delete', true));
      if (ops.length > 1) add(ops[ops.length - 1]!, 'write', true);
      break;
    }
    case 'checkout':
      if (rest.some((a) => a.value === '--')) operands().forEach((a) => add(a, 'write'));
      break;
    case 'restore':
      operands()
        .filter((a) => !['--source', '-s'].includes(a.value))
        .forEach((a) => add(a, 'write'));
      break;
    case 'stash':
      if (rest[0]?.value === 'push' && rest.some((a) => a.value === '--')) operands().forEach((a) => add(a, 'write'));
      else if (rest[0]?.value === 'push')
        rest
          .slice(1)
          .filter((a) => !a.value.startsWith('-'))
          .forEach((a) => add(a, 'write'));
      break;
    case 'clone': {
      // a tree nobody named, in the directory given or the one named after the repository
      const takes = (o: string): boolean => CLONE_VALUES.includes(o);
      const positional = scanArgs(rest, takes).flatMap((item) => ('operand' in item ? [item.operand] : []));
      const url = positional[0];
      const named = url && !url.dynamic ? /([^/:]+?)(?:\.git)?\/*$/.exec(url.value)?.[1] : undefined;
      if (positional.length >= 2) add(positional[positional.length - 1]!, 'write', true, 'members');
      else if (named) add(textArg(named), 'write', true, 'members');
      break;
    }
    case 'log':
    case 'format-patch':
      break;
    case 'show':
    case 'cat-file':
      // `git show REV:path` prints a file's content as committed.
      for (const a of rest) {
        const m = /^[^:\s]*:(.+)$/.exec(a.value);
        if (m && !a.value.startsWith('-')) add({ ...a, value: m[1]!, pattern: m[1]! }, 'read');
      }
      break;
    case undefined:
      // no subcommand: only the outputs above
      break;
  }
}

/** `ln -s TARGET LINK` in this command line: later paths through LINK lead to TARGET. */
export function symlinkCreated(command: ShellCommand, ctx: EffectContext): { link: string; target: string } | null {
  const spec = programOf(command.name)?.files;
  if (spec?.role !== 'link' || command.cwd === null) return null;
  const args = command.argv.slice(1);
  if (!args.some((a) => /^-[a-zA-Z]*s/.test(a.value) || a.value === '--symbolic')) return null;
  const ops = splitOperands(spec, args);
  const [target, link] = ops.paths;
  if (!target || !link || target.dynamic || link.dynamic) return null;
  const linkPath = resolvePath(link.value, command.cwd, ctx.home);
  const targetPath =
    target.value.startsWith('/') || target.value.startsWith('~')
      ? resolvePath(target.value, '/', ctx.home)
      : posix.resolve(posix.dirname(linkPath), target.value);
  return { link: linkPath, target: targetPath };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** An effect seen through the symlinks created earlier in the same command line. */
export function throughLinks(effect: Effect, links: ReadonlyMap<string, string>): Effect {
  for (const [link, target] of links) {
    if (effect.unknown || !isInside(effect.path, link)) continue;
    const rest = effect.path.slice(link.length);
    const path = posix.normalize(target + rest) || '/';
    return { ...effect, path, base: effect.glob ? globBase(path) : path };
  }
  return effect;
}
