import type { Arg, RedirectIR, ShellCommand, StdinSource } from '../types.js';
import { isInside, resolvePath } from '../paths.js';
import { tarDirectory, transferOutput } from '../effects.js';
import { programOf } from '../programs/registry.js';
import { textArg } from './words.js';
import { GIT_REMOTE_PUSH_KEYS } from './children.js';

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
  /** Files this line only appended known text to: all that is not known of them is what was on disk. */
  readonly appendedToDisk = new Set<string>();
  /** Git remotes this command line adds (`git remote add x URL`), for a later `git push x`. */
  readonly gitRemotes = new Map<string, Arg>();
  /** Git aliases this command line defines (`git config alias.x …`) for later `git x`. */
  readonly gitAliases = new Map<string, Arg>();
  /**
   * How this command line set a remote to push (`git config remote.origin.push +refs/heads/*:…`,
   * `remote.x.mirror true`, `git remote set-url --push x URL`): a later `git push` pushes that way.
   */
  readonly gitPushConfig = new Map<string, [string, Arg][]>();

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
        const before = this.written.get(path);
        const known = content !== null && !content.dynamic;
        if (r.kind === 'append' && known && (before === undefined || this.appendedToDisk.has(path))) this.appendedToDisk.add(path);
        else this.appendedToDisk.delete(path);
        this.written.set(path, r.kind === 'append' ? appended(before, content) : content);
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

  /**
   * `git config [--add] remote.NAME.push|mirror|pushurl VALUE`, `git remote set-url --push NAME URL`,
   * `git remote add --mirror[=push] NAME URL`: settings a later `git push` of this line obeys.
   */
  rememberGitPushConfig(subcommand: string | null, rest: Arg[]): void {
    const words = rest.filter((a) => !a.value.startsWith('-'));
    const options = rest.filter((a) => a.value.startsWith('-')).map((a) => a.value);
    const remember = (remote: string, key: string, value: Arg): void => {
      const known = this.gitPushConfig.get(remote) ?? [];
      known.push([key, value]);
      this.gitPushConfig.set(remote, known);
    };
    if (subcommand === 'config' && words[0] && words[1]) {
      const m = GIT_REMOTE_PUSH_KEYS.exec(words[0].value) ? /^remote\.(.+)\.([^.]+)$/.exec(words[0].value) : null;
      if (m) remember(m[1]!, m[2]!.toLowerCase(), words[1]);
    } else if (subcommand === 'remote' && words[0]?.value === 'set-url' && options.includes('--push') && words[1] && words[2]) {
      remember(words[1].value, 'pushurl', words[2]);
    } else if (subcommand === 'remote' && words[0]?.value === 'add' && words[1] && options.some((o) => o === '--mirror' || o === '--mirror=push')) {
      remember(words[1].value, 'mirror', textArg('true'));
    }
  }

  /**
   * The arguments a `git push` gets from the remote settings this line or its `-c` options made: a
   * mirror push is `--mirror`, the configured refspecs are pushed when none is given, and a push URL
   * replaces the remote's name. Without a remote operand, the settings of any remote may apply.
   */
  pushAsConfigured(argv: Arg[], inline: [string, Arg][]): Arg[] {
    const settings = new Map(this.gitPushConfig);
    for (const [key, value] of inline) {
      const m = /^remote\.(.+)\.([^.]+)$/.exec(key);
      if (m) settings.set(m[1]!, [...(settings.get(m[1]!) ?? []), [m[2]!.toLowerCase(), value]]);
    }
    if (settings.size === 0) return argv;
    const at = argv.findIndex((a) => a.value === 'push');
    const operands = argv.slice(at + 1).filter((a) => !a.value.startsWith('-'));
    const remote = operands[0]?.value;
    const applying = remote === undefined ? [...settings.values()].flat() : (settings.get(remote) ?? []);
    const extra: Arg[] = [];
    let out = argv;
    for (const [key, value] of applying) {
      if (key === 'mirror' && (value.dynamic || /^(true|yes|on|1|)$/i.test(value.value))) extra.push(textArg('--mirror'));
      else if (key === 'push' && operands.length < 2) extra.push(value);
      else if (key === 'pushurl') {
        if (remote === undefined) extra.push(value);
        else out = out.map((a) => (a.value === remote ? value : a));
      }
    }
    return [...out, ...extra];
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
  if (probesOnly(decl, command)) return null;
  return decl.network;
}

/** `nc -z host port`, `nc -zv …`: it only checks that the port answers (unless told to run something: `-e`, `-c`). */
function probesOnly(decl: { probeFlags?: readonly string[] }, command: ShellCommand): boolean {
  const flags = decl.probeFlags;
  if (!flags) return false;
  const words = command.argv.slice(1).map((a) => a.value);
  if (words.some((w) => /^-[A-Za-z]*[ec]/.test(w) || w.startsWith('--exec') || w.startsWith('--sh-exec') || w.startsWith('--lua-exec'))) return false;
  return words.some((w) => /^-[A-Za-z]+$/.test(w) && flags.some((f) => w.slice(1).includes(f.slice(1))));
}

export function fetchesFromNetwork(command: ShellCommand): boolean {
  return networkUse(command) !== null;
}

export function sendsToNetwork(command: ShellCommand): boolean {
  const use = networkUse(command);
  return use === 'send' || use === 'both';
}
