import type { Arg, Effect, FileOp, ShellCommand } from './types.js';
import { globBase, hasGlob, isInside, resolvePath } from './paths.js';
import { posix } from 'node:path';
import { interpreterInvocation } from './shell/interpreters.js';
import { languageOf } from './shell/inline-code.js';
import { findMatches, listedBy } from './shell/children.js';
import { textArg } from './shell/words.js';
import { asksOnlyForHelp } from './programs/help.js';
import { programOf } from './programs/registry.js';
import type { FileSpec, ProgramDecl } from './programs/types.js';

const HARMLESS_TARGETS = new Set(['/dev/null', '/dev/stdout', '/dev/stderr', '/dev/tty', '/dev/zero', '/dev/random', '/dev/urandom']);

function isRecursiveFlag(spec: FileSpec, word: string): boolean {
  if (!spec.recursive) return false;
  if (word.startsWith('--')) return spec.recursive.includes(word);
  if (spec.recursive.includes(word)) return true;
  // clusters: -rf contains -r
  return /^-[A-Za-z]+$/.test(word) && spec.recursive.some((f) => f.length === 2 && word.includes(f[1]!));
}

interface Operands {
  paths: Arg[];
  recursive: boolean;
  target: Arg | null;
  optionPaths: { op: FileOp; arg: Arg }[];
}

function splitOperands(spec: FileSpec, args: Arg[]): Operands {
  const out: Operands = { paths: [], recursive: spec.alwaysRecursive ?? false, target: null, optionPaths: [] };
  let skip = spec.skip ?? 0;
  let optionsDone = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const word = arg.value;
    if (!optionsDone && word === '--') {
      optionsDone = true;
      continue;
    }
    if (!optionsDone && word.startsWith('-') && word.length > 1 && !arg.dynamic) {
      const takes = (o: string): boolean => Boolean(spec.valueOpts?.includes(o) || spec.targetOpts?.includes(o) || (spec.pathOpts && o in spec.pathOpts));
      const eq = word.startsWith('--') ? word.indexOf('=') : -1;
      let opt = eq > 0 ? word.slice(0, eq) : word;
      let attached: string | null = eq > 0 ? word.slice(eq + 1) : null;
      let flags = opt;
      if (!word.startsWith('--') && !spec.singleDash && !takes(word)) {
        // getopt: a value-taking letter ends the cluster and the rest of the word is its value (`grep -epat`, `cp -t/dir`)
        let at = 1;
        while (at < word.length && /[A-Za-z0-9]/.test(word[at]!) && !takes(`-${word[at]}`)) at++;
        if (at < word.length && takes(`-${word[at]}`)) {
          flags = word.slice(0, at + 1);
          opt = `-${word[at]}`;
          attached = at + 1 < word.length ? word.slice(at + 1) : null;
        }
      }
      if (isRecursiveFlag(spec, flags)) out.recursive = true;
      if (takes(opt)) {
        const value = attached !== null ? { ...arg, value: attached, pattern: attached } : args[++i];
        if (value && spec.targetOpts?.includes(opt)) out.target = value;
        const op = spec.pathOpts?.[opt];
        if (value && op) out.optionPaths.push({ op, arg: value });
        // grep -e PATTERN: the pattern came from an option, so no operand is the pattern.
        if ((opt === '-e' || opt === '--regexp' || opt === '-f' || opt === '--file') && spec.skip === 1) skip = 0;
      }
      continue;
    }
    if (skip > 0) {
      skip--;
      continue;
    }
    if (spec.take === undefined || out.paths.length < spec.take) out.paths.push(arg);
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

/** The files a command reads, writes or deletes, as far as its arguments tell. */
export function commandEffects(command: ShellCommand, ctx: EffectContext): Effect[] {
  const effects: Effect[] = [];
  const add = (arg: Arg, op: FileOp, recursive = false, guessed = false): void => {
    const effect = toEffect(arg, op, command.cwd, recursive, command.text, ctx);
    if (effect && guessed) effect.guessed = true;
    if (effect) effects.push(effect);
  };
  for (const r of command.redirects) {
    if (r.kind === 'dup') continue;
    add(r.target, r.kind === 'read' ? 'read' : 'write');
  }
  // `rm --help`, `git restore --help`: the program prints text and touches none of its arguments
  if (asksOnlyForHelp(command)) return effects;
  const args = command.argv.slice(1);
  const name = command.name;
  for (const a of args) {
    // `file:///path` URLs name local files (`curl file:///etc/shadow`, `lwp-request file://…`)
    if (a.value.length < 8 || (a.value.charCodeAt(0) | 32) !== 102) continue;
    const m = /^file:\/\/(?:localhost)?(\/[^?#]*)/i.exec(a.value);
    if (m) add({ ...a, value: safeDecode(m[1]!), pattern: m[1]! }, 'read', false, programOf(name) === undefined);
  }
  if (command.codeEffects) {
    for (const e of command.codeEffects) add({ value: e.path, dynamic: false, glob: hasGlob(e.path), pattern: e.path }, e.op, e.recursive, e.guessed);
    return effects;
  }
  if (name === 'dd') {
    for (const a of args) {
      const m = /^(if|of)=(.*)$/s.exec(a.value);
      if (m) add({ ...a, value: m[2]!, pattern: a.pattern.replace(/^(if|of)=/, '') }, m[1] === 'of' ? 'write' : 'read');
    }
    return effects;
  }
  if (name === 'curl' || name === 'wget') {
    transferEffects(name, args, add);
    return effects;
  }
  if (name === 'find') {
    // `-delete` as find's action, not as a word of an -exec command (`find . -exec echo -delete \;`)
    if (findActions(args).includes('-delete')) add(findMatches(args, command.cwd, ctx.home), 'delete');
    for (let i = 0; i < args.length; i++) {
      if (/^-f(print0?|printf|ls)$/.test(args[i]!.value) && args[i + 1]) add(args[i + 1]!, 'write');
    }
    return effects;
  }
  // a file server: everything under the directory it serves can be read from the network
  const served = servedDirectory(name, args, command.cwd);
  if (served) add(served, 'read', true);
  // TeX reads the files its document text names (`\input{…}`, `\verbatiminput{…}`)
  if (/^(?:pdf|xe|lua)?(?:la)?tex$|^latexmk$/.test(name)) {
    for (const a of args) for (const m of a.value.matchAll(/\\(?:input|include|verbatiminput|lstinputlisting|openin\d*|includegraphics)\s*(?:\[[^\]]*\])?\{([^}]+)\}/g)) add(textArg(m[1]!), 'read');
  }
  // SQLite's file functions in the SQL it is given
  if (name === 'sqlite3' || name === 'duckdb') {
    const text = [...args.map((a) => a.value), command.stdin.kind === 'text' ? command.stdin.text.value : ''].join('\n');
    for (const m of text.matchAll(/\b(readfile|writefile|edit|read_text|read_blob|read_csv(?:_auto)?|read_json(?:_auto)?)\s*\(\s*'([^']+)'/gi)) add(textArg(m[2]!), /^(?:writefile|edit)$/i.test(m[1]!) ? 'write' : 'read');
  }
  if (name === 'cpio') {
    cpioEffects(command, args, ctx, add);
    return effects;
  }
  const language = languageOf(name);
  if (language && language !== 'other') {
    // Files handed to a program or one-liner are read by it (rewritten with -i).
    const inv = interpreterInvocation(language, name, args);
    for (const a of inv.operands) add(a, inv.inPlace ? 'write' : 'read');
    if (inv.source.mode === 'file') add(inv.source.file, 'read');
    return effects;
  }
  if (name === 'git') {
    gitEffects(args, add);
    return effects;
  }
  if (name === 'xargs') {
    for (let i = 0; i < args.length; i++) {
      const w = args[i]!.value;
      if ((w === '-a' || w === '--arg-file') && args[i + 1]) add(args[i + 1]!, 'read');
      else if (w.startsWith('--arg-file=')) add({ ...args[i]!, value: w.slice(11), pattern: w.slice(11) }, 'read');
      if (!w.startsWith('-')) break;
    }
    return effects;
  }
  if (name === 'unzip') {
    const d = args.findIndex((a) => a.value === '-d');
    add(d !== -1 && args[d + 1] ? args[d + 1]! : { value: command.cwd ?? '*', dynamic: command.cwd === null, glob: false, pattern: command.cwd ?? '*' }, 'write', true);
    return effects;
  }
  if (CONTAINER_RUNTIMES.has(name)) {
    mountEffects(args, add);
    return effects;
  }
  if (name === 'tar') {
    tarEffects(args, command.cwd, add);
    return effects;
  }
  const decl = programOf(name);
  outputWrites(decl, args, add);
  const spec = decl?.files;
  if (!spec) {
    // A program harness knows nothing of may read any file it is handed.
    guessedReads(decl, args, add);
    return effects;
  }
  if (spec.role === 'none') return effects;
  const ops = splitOperands(spec, args);
  for (const { op, arg } of ops.optionPaths) add(arg, op);
  const paths = ops.paths;
  switch (spec.role) {
    case 'read':
      paths.forEach((p, i) => add(p, i === spec.outputOperand ? 'write' : 'read', ops.recursive));
      break;
    case 'write':
      paths.forEach((p) => add(p, 'write', ops.recursive));
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
      if (target) add(target, 'write', ops.recursive || spec.role === 'move');
      break;
    }
    case 'link': {
      // A link to a file is a way to read it: the sources count as reads.
      const target = ops.target ?? (paths.length > 1 ? paths[paths.length - 1]! : null);
      const sources = ops.target ? paths : paths.length > 1 ? paths.slice(0, -1) : paths;
      sources.forEach((s) => add(s, 'read'));
      if (target) add(target, 'write');
      break;
    }
  }
  return effects;
}

/** The directory a command serves over HTTP (`python3 -m http.server`, `php -S host:port -t DIR`, `npx http-server DIR`), when it is one. */
function servedDirectory(name: string, args: Arg[], cwd: string | null): Arg | null {
  const here: Arg = { value: cwd ?? '*', dynamic: cwd === null, glob: false, pattern: cwd ?? '*' };
  const after = (names: readonly string[]): Arg | undefined => {
    const at = args.findIndex((a) => names.includes(a.value));
    if (at !== -1) return args[at + 1];
    const eq = args.find((a) => names.some((n) => n.startsWith('--') && a.value.startsWith(`${n}=`)));
    return eq ? { ...eq, value: eq.value.slice(eq.value.indexOf('=') + 1), pattern: eq.pattern.slice(eq.pattern.indexOf('=') + 1) } : undefined;
  };
  const positional = (from: number): Arg | undefined => args.slice(from).find((a) => !a.value.startsWith('-') && !/^\d+$/.test(a.value));
  if (languageOf(name) === 'python') {
    const m = args.findIndex((a) => a.value === '-m');
    if (m === -1 || !/^(?:http\.server|SimpleHTTPServer|uploadserver|RangeHTTPServer)$/.test(args[m + 1]?.value ?? '')) return null;
    return after(['-d', '--directory']) ?? here;
  }
  if (languageOf(name) === 'php') return args.some((a) => a.value === '-S') ? (after(['-t']) ?? here) : null;
  if (languageOf(name) === 'ruby') return args.some((a) => a.value === '-run') && args.some((a) => a.value === 'httpd') ? (positional(args.findIndex((a) => a.value === 'httpd') + 1) ?? here) : null;
  if ((name === 'busybox' && args[0]?.value === 'httpd') || name === 'httpd' || name === 'lighttpd') return after(['-h']) ?? here;
  if (name === 'jupyter' || name === 'jupyter-lab' || name === 'jupyter-notebook') return after(['--notebook-dir', '--ServerApp.root_dir', '--NotebookApp.notebook_dir']) ?? (args.some((a) => /^(?:lab|notebook|server)$/.test(a.value)) ? here : null);
  if ((name === 'kubectl' || name === 'oc') && args.some((a) => a.value === 'proxy')) return after(['--www', '-w']) ?? null;
  if (['http-server', 'serve', 'live-server', 'static-server', 'httpserver', 'miniserve', 'caddy', 'darkhttpd', 'webfsd'].includes(name)) {
    if (name === 'caddy') return args[0]?.value === 'file-server' ? (after(['--root', '-r']) ?? here) : null;
    return after(['--root', '-r', '-d', '--dir']) ?? positional(0) ?? here;
  }
  return null;
}

/** cpio: `-o` archives the files named on stdin, `-p DIR` copies them into DIR, `-i` extracts into the current directory. */
function cpioEffects(command: ShellCommand, args: Arg[], ctx: EffectContext, add: (arg: Arg, op: FileOp, recursive?: boolean) => void): void {
  const modes = args.filter((a) => /^-[A-Za-z]+$/.test(a.value)).map((a) => a.value.slice(1)).join('');
  const listed = command.stdin.kind === 'pipe' ? listedBy(command.stdin.producers, ctx.home) : null;
  if (/[op]/.test(modes) || args.some((a) => a.value === '--create' || a.value === '--pass-through')) add(listed ?? { value: '*', dynamic: true, glob: true, pattern: '*' }, 'read', true);
  if (/p/.test(modes) || args.some((a) => a.value === '--pass-through')) {
    const dir = args.find((a) => !a.value.startsWith('-'));
    if (dir) add(dir, 'write', true);
  }
  if (/i/.test(modes) || args.some((a) => a.value === '--extract')) add({ value: command.cwd ?? '*', dynamic: command.cwd === null, glob: false, pattern: command.cwd ?? '*' }, 'write', true);
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** find's own words, without the commands of its -exec/-ok actions. */
function findActions(args: Arg[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!.value;
    if (/^-(exec|execdir|ok|okdir)$/.test(w)) {
      while (i + 1 < args.length && args[i + 1]!.value !== ';' && args[i + 1]!.value !== '+') i++;
      i++;
      continue;
    }
    out.push(w);
  }
  return out;
}

/** Long options that name an output file in most programs; short ones (`-o`) mean different things in each. */
const GENERIC_OUTPUTS = ['--output', '--output-file', '--outfile', '--out-file', '--log-file', '--logfile', '--output-document', '--save-to', '--dump-file', '--write-to', '--output-path', '--pid-file', '--pidfile', '--trace-file', '--report-file', '--outdir', '--out-dir', '--output-dir', '--output-directory'];

const GENERIC_OUTPUT_SET: ReadonlySet<string> = new Set(GENERIC_OUTPUTS);

/** A value that names a file rather than a format (`--output=report.json`, not `--output=json` or `-o jsonpath={…}`). */
function looksLikePath(value: string): boolean {
  return /[/.~]/.test(value) && !/[={}\s]/.test(value) && !/^[a-z]+:\/\//i.test(value);
}

/** Files a program writes through its own output options (`-o FILE`, `--output=FILE`). */
function outputWrites(decl: ProgramDecl | undefined, args: Arg[], add: (arg: Arg, op: FileOp, recursive?: boolean) => void): void {
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
    else if (!declared && (w === '-o' || w === '-O') && args[i + 1] && /^(?:\/|~\/)/.test(args[i + 1]!.value)) value = args[i + 1];
    if (!value || value.value === '-' || (!declared && !value.dynamic && !looksLikePath(value.value))) continue;
    add(value, 'write', /dir/i.test(option));
  }
}

/** Words of one command taken as possible reads, before only path-like words are. */
const MAX_GUESSED = 256;

/** Options of a program nobody declared are unknown: a word after one may be its value or an operand, so every word counts. */
function guessedReads(decl: ProgramDecl | undefined, args: Arg[], add: (arg: Arg, op: FileOp, recursive?: boolean, guessed?: boolean) => void): void {
  const values = decl?.globals?.values ?? [];
  let operands = false;
  // each distinct word once; past MAX_GUESSED only words that look like paths (a long argv must not make harness slow)
  const seen = new Set<string>();
  const guess = (a: Arg): void => {
    if (seen.has(a.value) || seen.size >= MAX_GUESSED * 4 || (seen.size >= MAX_GUESSED && !/^[~./]|\//.test(a.value))) return;
    seen.add(a.value);
    // a program nobody declared may read or write what it is handed: both are checked by the path
    // rules (a guessed effect gets no default verdict, so an ordinary path outside costs nothing)
    add(a, 'read', false, true);
    // a glob (`cspell "**/*"`) names files to look at, not one to write
    if (!a.glob && !hasGlob(a.value)) add(a, 'write', false, true);
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

const CURL_VALUE = new Set(['-H', '--header', '-X', '--request', '-u', '--user', '-A', '--user-agent', '-e', '--referer', '-m', '--max-time', '--connect-timeout', '-w', '--write-out', '-x', '--proxy', '-r', '--range', '--retry', '-y', '-Y', '-z', '--resolve', '--url', '-E', '--cert', '--cacert', '--key', '--data-urlencode', '--form-string', '--json']);
const CURL_UPLOAD_DATA = new Set(['-d', '--data', '--data-binary', '--data-ascii', '--data-raw', '--data-urlencode', '--json']);

/**
 * The file curl/wget save what they fetch to: an explicit `-o FILE` (wget `-O FILE`), else — for
 * `curl -O` and plain `wget` — the URL's last segment. Null when the output goes to stdout.
 */
export function transferOutput(name: string, args: Arg[]): { file: Arg; explicit: boolean } | null {
  let output: Arg | null = null;
  let remoteName = name === 'wget';
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const w = a.value;
    if (name === 'curl' && (w === '--output' || /^-[a-zA-Z]*o$/.test(w))) output = args[++i] ?? null;
    else if (name === 'curl' && w.startsWith('--output=')) output = { ...a, value: w.slice(9), pattern: w.slice(9) };
    else if (name === 'curl' && (w === '--remote-name' || /^-[a-zA-Z]*O[a-zA-Z]*$/.test(w))) remoteName = true;
    else if (name === 'wget' && (w === '--output-document' || /^-[a-zA-Z]*O$/.test(w))) output = args[++i] ?? null;
    else if (name === 'wget' && w.startsWith('--output-document=')) output = { ...a, value: w.slice(18), pattern: w.slice(18) };
  }
  if (output) return output.value === '-' ? null : { file: output, explicit: true };
  const url = args.find((a) => /^[a-z]+:\/\//i.test(a.value));
  const urlName = url && remoteName ? url.value.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() : undefined;
  return urlName ? { file: textArg(urlName, url!.dynamic), explicit: false } : null;
}

/** curl/wget: output files are writes; uploaded files are reads (and the rules see the upload). */
function transferEffects(name: string, args: Arg[], add: (arg: Arg, op: FileOp, recursive?: boolean) => void): void {
  const output = transferOutput(name, args);
  if (output?.explicit) add(output.file, 'write');
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const word = arg.value;
    const eq = word.startsWith('--') ? word.indexOf('=') : -1;
    const opt = eq > 0 ? word.slice(0, eq) : word;
    // a short option with its value attached (`-T/etc/passwd`, `-d@file`)
    const attached = !word.startsWith('--') && /^-[TdFKEo]./.test(word) && name === 'curl' ? word.slice(2) : null;
    const value = (): Arg | undefined => (attached !== null ? { ...arg, value: attached, pattern: attached } : eq > 0 ? { ...arg, value: word.slice(eq + 1), pattern: word.slice(eq + 1) } : args[++i]);
    const opt2 = attached !== null ? word.slice(0, 2) : opt;
    if (name === 'curl' && opt2 !== opt) {
      if (opt2 === '-T' || opt2 === '-K' || opt2 === '-E') add(value()!, 'read');
      else if (opt2 === '-o') continue;
      else {
        const v = value()!;
        const at = /(?:^|=)[@<]([^;]+)/.exec(v.value);
        if (at && at[1] !== '-') add({ ...v, value: at[1]!, pattern: at[1]! }, 'read');
      }
      continue;
    }
    if (name === 'curl') {
      if (opt === '-o' || opt === '--output' || /^-[A-Za-z]+o$/.test(word)) {
        if (eq < 0) i++; // the output file: handled by transferOutput
      } else if (opt === '-c' || opt === '--cookie-jar' || opt === '-D' || opt === '--dump-header' || opt === '--trace' || opt === '--trace-ascii') {
        const v = value();
        if (v && v.value !== '-') add(v, 'write');
      } else if (opt === '-T' || opt === '--upload-file' || opt === '-K' || opt === '--config' || opt === '--cert' || opt === '--key' || opt === '-E') {
        const v = value();
        if (v && v.value !== '-' && v.value !== '.') add(v, 'read');
      } else if (CURL_UPLOAD_DATA.has(opt) || opt === '-F' || opt === '--form') {
        const v = value();
        const at = v ? /(?:^|=)[@<]([^;]+)/.exec(v.value) : null;
        if (v && at && at[1] !== '-') add({ ...v, value: at[1]!, pattern: at[1]! }, 'read');
      } else if (CURL_VALUE.has(opt) && eq < 0) {
        i++;
      }
    } else {
      if (opt === '-O' || opt === '--output-document') {
        if (eq < 0) i++; // the output document: handled by transferOutput
      } else if (opt === '-o' || opt === '--output-file' || opt === '-a' || opt === '--append-output' || opt === '-P' || opt === '--directory-prefix') {
        const v = value();
        if (v && v.value !== '-') add(v, 'write', opt === '-P' || opt === '--directory-prefix');
      } else if (opt === '--post-file' || opt === '--body-file' || opt === '-i' || opt === '--input-file' || opt === '--load-cookies') {
        const v = value();
        if (v) add(v, 'read');
      }
    }
  }
}

const CONTAINER_RUNTIMES = new Set(['docker', 'podman', 'nerdctl']);

/** `docker run -v SRC:DST[:ro]` / `--mount type=bind,source=SRC`: the container can read or write SRC. */
function mountEffects(args: Arg[], add: (arg: Arg, op: FileOp, recursive?: boolean) => void): void {
  const sub = args.find((a) => !a.value.startsWith('-'))?.value;
  if (sub !== 'run' && sub !== 'create' && sub !== 'container') return;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!.value;
    let spec: string | null = null;
    if (w === '-v' || w === '--volume') spec = args[i + 1]?.value ?? null;
    else if (w.startsWith('--volume=')) spec = w.slice(9);
    else if (w.startsWith('-v') && w.length > 2) spec = w.slice(2);
    if (spec) {
      const [source, , mode] = spec.split(':');
      if (source && (source.startsWith('/') || source.startsWith('.') || source.startsWith('~') || source.startsWith('$'))) {
        add({ value: source, dynamic: args[i + 1]?.dynamic ?? false, glob: false, pattern: source }, mode?.split(',').includes('ro') ? 'read' : 'write', true);
      }
    }
    const mount = w === '--mount' ? args[i + 1]?.value : w.startsWith('--mount=') ? w.slice(8) : undefined;
    if (mount) {
      const fields = Object.fromEntries(mount.split(',').map((kv) => kv.split('=') as [string, string]));
      const source = fields.source ?? fields.src;
      if (source) add(textArg(source), 'readonly' in fields || fields.ro === 'true' ? 'read' : 'write', true);
    }
  }
}

/** The directory of tar's `-C DIR`, `-CDIR` or `--directory=DIR` at `at`. */
export function tarDirectory(args: Arg[], at: number): Arg | undefined {
  const a = args[at]!;
  if (a.value === '-C' || a.value === '--directory') return args[at + 1];
  const skip = a.value.startsWith('--directory=') ? 12 : 2;
  return { ...a, value: a.value.slice(skip), pattern: a.pattern.slice(skip) };
}

function tarEffects(args: Arg[], cwd: string | null, add: (arg: Arg, op: FileOp, recursive?: boolean) => void): void {
  // operands are relative to -C DIR when it comes first
  const dirAt = args.findIndex((a) => a.value === '-C' || a.value === '--directory' || /^-C./.test(a.value) || a.value.startsWith('--directory='));
  const dirArg = dirAt === -1 ? undefined : tarDirectory(args, dirAt);
  const base = dirArg && !dirArg.dynamic && cwd !== null ? resolvePath(dirArg.value, cwd, '/') : null;
  const underBase = (a: Arg): Arg => (base && !a.value.startsWith('/') && !a.value.startsWith('~') ? { ...a, value: `${base}/${a.value}`, pattern: `${base}/${a.pattern}` } : a);
  // the mode letters of every short-option cluster (and of an old-style first word), up to an attached
  // value: `-C dir -xzf x`, `-v -x -f x`, `-xzfx.tgz` (`-C`'s own value is not a cluster)
  const modeLetters = args
    .map((a, i) => (i === 0 && /^[A-Za-z]+$/.test(a.value) ? a.value : /^-[A-Za-z]/.test(a.value) && args[i - 1]?.value !== '-C' ? a.value.slice(1) : ''))
    .map((w) => w.replace(/[fCTXb].*$/, ''))
    .join('');
  const extracting = /x/.test(modeLetters) || args.some((a) => a.value === '--extract' || a.value === '--get');
  const creating = /[cru]/.test(modeLetters) || args.some((a) => a.value === '--create' || a.value === '--append');
  let dir: Arg | null = null;
  let archive: Arg | null = null;
  const operands: Arg[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.value === '-C' || a.value === '--directory') dir = args[++i] ?? null;
    else if (a.value.startsWith('--directory=')) dir = { ...a, value: a.value.slice(12), pattern: a.pattern.slice(12) };
    // getopt: the value attached to the option (`-C/dir`, `-xzfx.tgz`)
    else if (/^-C./.test(a.value)) dir = { ...a, value: a.value.slice(2), pattern: a.pattern.slice(2) };
    else if (/^-[A-Za-z]*f./.test(a.value) && !a.value.startsWith('--')) {
      const at = a.value.indexOf('f') + 1;
      archive = { ...a, value: a.value.slice(at), pattern: a.pattern.slice(a.pattern.indexOf('f') + 1) };
    }
    else if (a.value === '-f' || a.value === '--file') archive = args[++i] ?? null;
    else if (/^-?[A-Za-z]*f$/.test(a.value) && !a.value.startsWith("--") && (a.value.startsWith("-") || i === 0)) archive = args[++i] ?? null;
    else if (a.value.startsWith('-') || (i === 0 && /^[A-Za-z]+$/.test(a.value))) continue;
    else operands.push(a);
  }
  if (extracting) {
    add(dir ?? { value: cwd ?? '*', dynamic: cwd === null, glob: false, pattern: cwd ?? '*' }, 'write', true);
    if (archive) add(archive, 'read');
  } else if (creating) {
    if (archive) add(archive, 'write');
    operands.forEach((o) => add(underBase(o), 'read', true));
  } else if (archive) {
    add(archive, 'read');
  }
}

/** Git subcommands that change or expose working-tree files by path. */
function gitEffects(args: Arg[], add: (arg: Arg, op: FileOp, recursive?: boolean) => void): void {
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!.value;
    // git log/diff/format-patch --output=FILE, -o DIR
    if (w.startsWith('--output=')) add({ ...args[i]!, value: w.slice(9), pattern: w.slice(9) }, 'write');
    else if ((w === '--output' || w === '--output-directory') && args[i + 1]) add(args[i + 1]!, 'write', true);
  }
  let i = 0;
  const globals = programOf('git')?.globals?.values ?? [];
  while (i < args.length && args[i]!.value.startsWith('-')) i += globals.includes(args[i]!.value) ? 2 : 1;
  const sub = args[i]?.value;
  const rest = args.slice(i + 1);
  const operands = (after: number = 0): Arg[] => {
    const dd = rest.findIndex((a) => a.value === '--');
    const list = dd === -1 ? rest.slice(after) : rest.slice(dd + 1);
    return list.filter((a) => !a.value.startsWith('-') || dd !== -1);
  };
  switch (sub) {
    case 'rm':
      operands().forEach((a) => add(a, 'delete', rest.some((r) => /^-[a-zA-Z]*r/.test(r.value))));
      break;
    case 'worktree':
      if (rest[0]?.value === 'add') {
        const path = rest.slice(1).find((a) => !a.value.startsWith('-'));
        if (path) add(path, 'write', true);
      }
      break;
    case 'diff':
      // outside the repository (or with --no-index) git diff compares the files themselves
      if (rest.some((a) => a.value === '--no-index')) operands().forEach((a) => add(a, 'read'));
      else operands().filter((a) => /^(?:\/|~|\.\.\/)/.test(a.value)).forEach((a) => add(a, 'read'));
      break;
    case 'hash-object':
      // stores the file's content in the object database (and prints its id)
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
      operands().filter((a) => !['--source', '-s'].includes(a.value)).forEach((a) => add(a, 'write'));
      break;
    case 'stash':
      if (rest[0]?.value === 'push' && rest.some((a) => a.value === '--')) operands().forEach((a) => add(a, 'write'));
      else if (rest[0]?.value === 'push') rest.slice(1).filter((a) => !a.value.startsWith('-')).forEach((a) => add(a, 'write'));
      break;
    case 'clone': {
      const positional = rest.filter((a) => !a.value.startsWith('-'));
      if (positional.length >= 2) add(positional[positional.length - 1]!, 'write', true);
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
  }
}

/** `ln -s TARGET LINK` in this command line: later paths through LINK lead to TARGET. */
export function symlinkCreated(command: ShellCommand, ctx: EffectContext): { link: string; target: string } | null {
  if (command.name !== 'ln' || command.cwd === null) return null;
  const args = command.argv.slice(1);
  if (!args.some((a) => /^-[a-zA-Z]*s/.test(a.value) || a.value === '--symbolic')) return null;
  const ops = splitOperands(programOf('ln')!.files!, args);
  const [target, link] = ops.paths;
  if (!target || !link || target.dynamic || link.dynamic) return null;
  const linkPath = resolvePath(link.value, command.cwd, ctx.home);
  const targetPath = target.value.startsWith('/') || target.value.startsWith('~') ? resolvePath(target.value, '/', ctx.home) : posix.resolve(posix.dirname(linkPath), target.value);
  return { link: linkPath, target: targetPath };
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
