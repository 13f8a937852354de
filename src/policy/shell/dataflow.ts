import type { Arg, RedirectIR, ShellCommand, StdinSource } from '../types.js';
import { isInside, resolvePath } from '../paths.js';
import { tarDirectory, transferOutput } from '../effects.js';
import { programOf } from '../programs/registry.js';
import { textArg } from './words.js';

/**
 * The data flow of one command line, as the walker (analyze.ts) records it: what its commands
 * wrote, downloaded, unpacked and cloned, which commands produced each substituted word, and the
 * git aliases and remotes it defined. Later commands of the line are judged by it (`curl -o x.sh …
 * && bash x.sh` runs network code; `cat > t.py <<EOF … ; python t.py` runs what was written).
 */
export class LineFlow {
  /** Commands run by substitutions inside an arg (`$(…)`, `<(…)`), keyed by that arg. */
  readonly substitutions = new WeakMap<Arg, ShellCommand[]>();
  /** Files this command line downloads, and files it writes: running them later is judged by that. */
  readonly downloaded = new Set<string>();
  /** Directories this command line unpacked network content into. */
  readonly downloadedDirs = new Set<string>();
  /** Path → what this command line wrote there (null: unknown content). */
  readonly written = new Map<string, Arg | null>();
  /** Git remotes this command line adds (`git remote add x URL`), for a later `git push x`. */
  readonly gitRemotes = new Map<string, Arg>();
  /** Git aliases this command line defines (`git config alias.x …`) for later `git x`. */
  readonly gitAliases = new Map<string, Arg>();

  constructor(private readonly home: string) {}

  /** Downloaded on this line, or under a directory that was (cloned, unpacked from the network). */
  isDownloaded(path: string): boolean {
    return this.downloaded.has(path) || [...this.downloadedDirs].some((d) => isInside(path, d));
  }

  remember(arg: Arg, commands: ShellCommand[]): Arg {
    if (commands.length > 0) this.substitutions.set(arg, commands);
    return arg;
  }

  rememberWritten(redirects: RedirectIR[], cwd: string | null, content: Arg | null): void {
    if (cwd === null) return;
    for (const r of redirects) {
      if ((r.kind === 'write' || r.kind === 'append') && !r.target.dynamic && (r.fd === null || r.fd === 1)) {
        const path = resolvePath(r.target.value, cwd, this.home);
        this.written.set(path, r.kind === 'append' ? appended(this.written.get(path), content) : content);
      }
    }
  }

  /** Does this command's output come from the network (directly, or through filters)? */
  fromNetwork(command: ShellCommand, depth = 0): boolean {
    if (fetchesFromNetwork(command)) return true;
    if (depth > 8) return false;
    if (command.stdin.kind === 'pipe') return command.stdin.producers.some((p) => this.fromNetwork(p, depth + 1));
    if (command.stdin.kind === 'file' || command.stdin.kind === 'text') {
      const arg = command.stdin.kind === 'file' ? command.stdin.target : command.stdin.text;
      return (this.substitutions.get(arg) ?? []).some((p) => this.fromNetwork(p, depth + 1));
    }
    return false;
  }

  argFromNetwork(arg: Arg): boolean {
    return (this.substitutions.get(arg) ?? []).some((p) => this.fromNetwork(p));
  }

  /** `git config [--global] alias.NAME VALUE` defines what a later `git NAME` runs. */
  rememberGitAlias(subcommand: string | null, rest: Arg[]): void {
    if (subcommand !== 'config') return;
    const words = rest.filter((a) => !a.value.startsWith('-'));
    const m = words[0] ? /^alias\.(.+)$/i.exec(words[0].value) : null;
    if (m && words[1]) {
      const v = words[1];
      const body = v.value.startsWith('!') ? v.value.slice(1) : `git ${v.value}`;
      this.gitAliases.set(m[1]!, textArg(body, v.dynamic));
    }
  }

  /** `git clone URL DIR`: what is under DIR came from the network (a local path clones local code). */
  rememberCloned(rest: Arg[], cwd: string): void {
    const operands = rest.filter((a) => !a.value.startsWith('-'));
    const source = operands[0];
    if (!source || (!/^[a-z][a-z0-9+.-]*:\/\/|^[\w.-]+@[\w.-]+:/i.test(source.value) && !source.dynamic)) return;
    const dir =
      operands[1] ??
      textArg(
        source.value
          .replace(/\/+$/, '')
          .replace(/\.git$/, '')
          .split(/[/:]/)
          .pop() ?? '',
      );
    if (!dir.dynamic && dir.value !== '') this.downloadedDirs.add(resolvePath(dir.value, cwd, this.home));
  }

  /** Remembers where curl/wget save what they fetch, so running it later counts as network code. */
  rememberDownloads(name: string, args: Arg[], cwd: string | null): void {
    const output = cwd === null ? null : transferOutput(name, args);
    if (output && !output.file.dynamic) this.downloaded.add(resolvePath(output.file.value, cwd!, this.home));
  }

  /** `curl … | tar x`, `tar xf downloaded.tgz`: what lands in the target directory came from the network. */
  rememberUnpacked(name: string, args: Arg[], cwd: string, stdin: StdinSource): void {
    const fromPipe = stdin.kind === 'pipe' && stdin.producers.some((p) => this.fromNetwork(p));
    const archive = args.find((a) => !a.value.startsWith('-') && /\.(t?gz|tar|tgz|zip|xz|bz2|zst)$/.test(a.value));
    const fromFile = archive !== undefined && this.downloaded.has(resolvePath(archive.value, cwd, this.home));
    if (!fromPipe && !fromFile) return;
    const dirAt = args.findIndex(
      (a) =>
        a.value === '-C' || a.value === '--directory' || a.value === '-d' || (name !== 'unzip' && (/^-C./.test(a.value) || a.value.startsWith('--directory='))),
    );
    const dir = dirAt === -1 ? undefined : args[dirAt]!.value === '-d' ? args[dirAt + 1] : tarDirectory(args, dirAt);
    this.downloadedDirs.add(dir && !dir.dynamic ? resolvePath(dir.value, cwd, this.home) : cwd);
  }
}

/**
 * A file's content after an append: what this line wrote before, then the new text. Appended to what
 * was on disk, the whole is not known (dynamic), but the code in the known part still counts.
 */
function appended(before: Arg | null | undefined, text: Arg | null): Arg | null {
  if (text === null || before === null) return null;
  if (before === undefined) return { ...text, dynamic: true };
  return { value: before.value + text.value, dynamic: before.dynamic || text.dynamic, glob: false, pattern: before.value + text.value };
}

/** What a program's declaration says of the network, for this command (`openssl x509` talks to none). */
function networkUse(command: ShellCommand): 'fetch' | 'send' | 'both' | null {
  const decl = programOf(command.name);
  if (!decl?.network) return null;
  if (decl.networkSubcommands && !decl.networkSubcommands.includes(command.argv.find((a, i) => i > 0 && !a.value.startsWith('-'))?.value ?? '')) return null;
  return decl.network;
}

export function fetchesFromNetwork(command: ShellCommand): boolean {
  return networkUse(command) !== null;
}

export function sendsToNetwork(command: ShellCommand): boolean {
  const use = networkUse(command);
  return use === 'send' || use === 'both';
}
