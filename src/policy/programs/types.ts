import type { FileOp, Tag } from '../types.js';
/** The language an interpreter's inline code is written in. */
export type Language = 'python' | 'node' | 'perl' | 'ruby' | 'php' | 'awk' | 'sed' | 'ed' | 'lua' | 'other';

/**
 * One typed declaration per program: everything harness knows about it in one place. The analyzer,
 * the file effects and rule matching read programs through these declarations (registry.ts), and a
 * program nobody declared is judged by the generic mechanisms (any path operand may be read, output
 * options are writes).
 */
export interface ProgramDecl {
  /** The names the program is run by (aliases and distribution names included). */
  names: readonly string[];
  /** Options before the subcommand (`git -C dir`, `kubectl -n ns`, `aws --region r`). */
  globals?: OptionSet;
  /**
   * `globals` lists every option the program takes before its subcommand: another one is unknown,
   * and a rule about the subcommand then matches only possibly (the unknown option may take the next
   * word as its value), which asks instead of allowing silently.
   */
  completeGlobals?: boolean;
  /** Options of a subcommand (`'checkout'`, `'stash push'`); a program without subcommands declares its options in `globals`. */
  options?: Readonly<Record<string, OptionSet>>;
  /** How its operands touch local files. */
  files?: FileSpec;
  /** Options whose value is a file the program writes (`-o FILE`, `--output=FILE`); short ones also in clusters. */
  outputs?: readonly string[];
  /**
   * It builds a program from sources (a compiler, a linker): the program it writes is the command
   * line's own build (`gcc -o /tmp/t t.c && /tmp/t`), run as the project's code is, not a script
   * written with content harness did not see.
   */
  compiles?: true;
  /**
   * Options of a subcommand whose value is a file it writes (`git config --file FILE`), unless a word
   * of `unless` says it only reads it (`--get`, `--list`).
   */
  subcommandOutputs?: Readonly<Record<string, { options: readonly string[]; unless?: readonly string[] }>>;
  /** The remote state it talks to, and what each subcommand does to it. */
  remote?: RemoteDecl;
  /** It changes the machine itself (users, firewall, services, kernel, packages): who may run it is root. */
  privilege?: PrivilegeDecl;
  /** It talks to the network: `fetch` brings content in, `send` can carry stdin out. */
  network?: 'fetch' | 'send' | 'both';
  /** Only these subcommands talk to the network (`openssl s_client`, not `openssl x509`). */
  networkSubcommands?: readonly string[];
  /** Short flags with which it only checks that a port answers, sending and reading no data (`nc -z`); also inside clusters. */
  probeFlags?: readonly string[];
  /** It decodes or transforms its input (base64 -d, xxd -r, gunzip): what it prints is not what was written. */
  decoder?: boolean;
  /** A client that takes transfer commands (`put FILE`) on stdin or in an option. */
  transfer?: TransferDecl;
  /** Its host operands are names it looks up in DNS (dig, nslookup, ping): data in them leaves the machine. */
  resolves?: boolean;
  /**
   * How it runs other commands, read by the analyzer: `eval` its joined arguments, `source` a file in
   * this shell, `xargs` its arguments with stdin's words, `parallel` a template per input, `find`
   * `-exec` commands, `fd` `-x` commands, `ssh` a remote command line, `git` aliases, hooks and `-c` config.
   */
  runs?: 'eval' | 'source' | 'xargs' | 'parallel' | 'find' | 'fd' | 'ssh' | 'git';
  /** The language whose code it runs (`python3.12`, `irb`, `tsx`): how its code and files are read. */
  interpreter?: Language;
  /** It runs another command given after its own options (`sudo`, `timeout 60`, `nice -n 5`). */
  wrapper?: WrapperSpec;
  /** Subcommands that run another command (`npm exec`, `uv run`, `aws-vault exec`). */
  subcommandWrappers?: Readonly<Record<string, WrapperSpec>>;
  /** Where it takes a help or version flag that makes it print and do nothing else. */
  help?: HelpSpec;
  /** Options whose value is a shell command it runs (`rsync -e`), or code harness cannot read (`gdb -x`). */
  codeOptions?: { shell?: readonly string[]; hidden?: readonly string[] };
  /**
   * The options its `runs` reader reads (find's actions and tests, xargs' and fd's values). Not
   * `globals`: those are also what rule matching reads, and they make the program one whose
   * options harness knows.
   */
  runsOptions?: RunsOptions;
  /** Operands of the form KEY=PATH, and what it does to PATH (`dd if=IN of=OUT`). */
  keyedOperands?: Readonly<Record<string, FileOp>>;
  /** It archives or extracts files (tar, cpio, unzip). */
  archive?: ArchiveDecl;
  /** It downloads: where it saves what it fetches, and the files its options send or keep (curl, wget). */
  download?: DownloadDecl;
  /** It starts containers, which can mount paths of the host (docker, podman). */
  mounts?: MountDecl;
  /** It serves the files under a directory over HTTP (`python3 -m http.server`, `php -S`, `http-server DIR`). */
  serves?: ServeDecl;
  /** Text in its arguments (SQL also on stdin) calls functions that name files: TeX's `\input{…}`, SQLite's `readfile('…')`. */
  fileCalls?: 'tex' | 'sql';
}

/** What the reader of a program that runs other commands reads of its options: all whole words. */
export interface RunsOptions {
  /** Options that take the next word as their value. */
  values?: readonly string[];
  /** Actions whose following words are the command it runs: up to `;` or `+` (find -exec), or the rest of argv (fd -x). */
  exec?: readonly string[];
  /** Options whose value is a file of the input words (`xargs -a FILE`, `parallel --arg-file FILE`). */
  inputFiles?: readonly string[];
  /** Tests whose value is the pattern of a matched file's name (`find -name`). */
  names?: readonly string[];
  /** Options whose value is the extension of the files that match (`fd -e`). */
  extensions?: readonly string[];
  /** Tests and actions that do not narrow which files match; any other makes a match only possible. */
  broad?: readonly string[];
  /** Actions that delete the files that match (`find -delete`). */
  deletes?: readonly string[];
}

/**
 * An archiver's options. Its grammar (`style`): tar's (mode letters in any cluster or an old-style
 * first word, the archive in `-f`, the files as operands), cpio's (mode letters, the files listed on
 * stdin), zip's (it extracts, into the directory of its option or the current one).
 */
export interface ArchiveDecl {
  /** (and 7z's: its first operand is the command, `x` or `a`, its switches' values attached: `-oDIR`) */
  style: 'tar' | 'cpio' | 'zip' | '7z';
  /** Modes that extract (a letter also inside a cluster): into the directory option's or the current directory. */
  extract?: readonly string[];
  /** Modes that create or add to an archive, reading the files. */
  create?: readonly string[];
  /** Modes that copy the files into the directory operand (`cpio -p DIR`). */
  copy?: readonly string[];
  /** Options whose value is the archive (`tar -f`). */
  file?: readonly string[];
  /** Options whose value is the directory it extracts into, and its operands are relative to (`tar -C`, `unzip -d`). */
  directory?: readonly string[];
  /** Modes and options with which it extracts to stdout, lists or tests, writing no file (`tar -O`, `unzip -l`, `7z -so`). */
  stdout?: readonly string[];
  /** Options that rename the members it extracts (`tar --transform`, `--strip-components`): a member named lands elsewhere. */
  renames?: readonly string[];
  /** Options that keep members' absolute names and `..` (`tar -P`): what it extracts may land anywhere. */
  absolute?: readonly string[];
  /** Options whose value is the archive's password or the like, not a member (`unzip -P`). */
  values?: readonly string[];
  /** An option after which the operands are members it leaves out (`unzip -x`). */
  excludes?: readonly string[];
  /** Its last operand, when it ends in `/`, is the directory it extracts into (`unrar x a.rar dest/`). */
  directoryOperand?: boolean;
}

/** Where a downloader saves what it fetches, and which of its options name files (as harness reads it). */
export interface DownloadDecl {
  /** Options whose value is the file it saves to (`curl -o`, `wget -O`); a short one also ends a cluster (`-sLo FILE`). */
  output: readonly string[];
  /** Options whose value is the directory a relative output file is saved under (`curl --output-dir`, `wget -P`). */
  directory?: readonly string[];
  /** Options that save to the URL's last segment (`curl -O`), also inside a cluster; `always`: it does unless given an output. */
  remoteName: readonly string[] | 'always';
  /** Options whose value is a file it reads or writes (`curl -T`, `wget -o`); `tree`: a directory it writes under (`wget -P`). */
  files?: Readonly<Record<string, FileOp | 'tree'>>;
  /** Options whose value sends the file after `@` or `<` (`curl -d @FILE`, `-F field=<FILE`). */
  data?: readonly string[];
  /** Other options that take the next word as their value. */
  values?: readonly string[];
  /** Values of its read options that mean stdin, not a file (`curl -T -`); a write option's `-` is always stdout. */
  stdin?: readonly string[];
  /**
   * Its short options are read as getopt reads them: a cluster ends at a letter that takes a value,
   * attached or in the next word (`-sd @FILE`, `-d@FILE`, `-T/etc/passwd`); without, whole words.
   */
  clusters?: 'getopt';
}

/** How a container runtime's options mount host paths into a container it starts. */
export interface MountDecl {
  /** The subcommands that start one: its first word that is no option, or first two (`run`, `create`, `compose run`). */
  subcommands: readonly string[];
  /** Options whose value is `SRC:DST[:MODE]` (`-v`, `--volume`). */
  volume: readonly string[];
  /** Options whose value is `type=bind,source=SRC[,readonly]` (`--mount`). */
  mount: readonly string[];
  /** The program's own options before the subcommand that take a value (`docker -H HOST run`). */
  globalValues?: readonly string[];
}

/** What a file server serves: the directory of its root option, else its operand or the current directory. */
export interface ServeDecl {
  /** Options whose value is the directory it serves (`-d`, `--root`). */
  root: readonly string[];
  /**
   * It serves only when argv says so: `all` these words are in it (`php -S`, `ruby -run -e httpd`),
   * `any` of them is (`jupyter lab`), the `first` word is (`caddy file-server`), or `option`'s value
   * is one of `values` (`python3 -m http.server`). Absent: whenever it runs.
   */
  when?: { all: readonly string[] } | { any: readonly string[] } | { first: string } | { option: string; values: readonly string[] };
  /** A root option makes it serve even when `when` does not hold (`jupyter-lab --notebook-dir DIR`). */
  rootAlone?: boolean;
  /**
   * Without a root option: `operand`, its first operand (after the last word of `when.all`), else the
   * current directory; `cwd` (the default), the current directory; `none`, nothing.
   */
  otherwise?: 'operand' | 'cwd' | 'none';
}

/**
 * How a command that runs another command lays out its own options. The inner command starts
 * at the first operand after the options (and after `skip` fixed operands such as a duration).
 */
export interface WrapperSpec {
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
  /** Options after which the rest of argv is the command it runs, arguments and all (`gdb --args prog a b`). */
  commandAfter?: readonly string[];
  /**
   * Without one of `commandAfter`, only its first operand is a program it runs, with no arguments:
   * the others are something else (`gdb prog core`, `gdb prog PID`).
   */
  programOperand?: boolean;
}

/** Flags that make a program print help or its version and exit before it acts. */
export interface HelpSpec {
  flags: readonly string[];
  /**
   * - `before-operands`: GNU and BSD utilities. GNU prints help wherever the flag is, but BSD getopt
   *   stops at the first operand (`rm -rf x --help` deletes x there), so only before it.
   * - `after-subcommand`: git turns `git SUB --help` into `git help SUB` only right after SUB.
   * - `anywhere`: option parsers that read every option before running (cobra, npm's nopt,
   *   terraform's cli), up to a literal `--`.
   */
  where: 'before-operands' | 'after-subcommand' | 'anywhere';
  /** Flags that mean help only as the sole word after the subcommand (`git restore -h`). */
  alone?: readonly string[];
  /** Subcommands that hand the rest of argv to another program (`npm exec x --help`). */
  except?: readonly string[];
  /** When set, only these subcommands are the program's own (others are plugins that get argv as is). */
  only?: readonly string[];
}

export interface OptionSet {
  /** Options that take a value (`-n`, `--namespace`); a short one ends a cluster and may be attached (`-nprod`). */
  values?: readonly string[];
  /** Options that take none (only needed where unknown options matter). */
  flags?: readonly string[];
}

export type FileRole = 'delete' | 'write' | 'read' | 'copy' | 'move' | 'link' | 'none';

export interface FileSpec {
  role: FileRole;
  /** Options taking a value (other than path options). */
  valueOpts?: readonly string[];
  /** Flags that make the operation recursive; single letters match inside clusters. */
  recursive?: readonly string[];
  /** Leading operands that are not paths (chmod MODE, grep PATTERN). */
  skip?: number;
  /** Only this many operands are paths; the rest are something else (sqlite3 DB then SQL). */
  take?: number;
  /** Works through directories recursively without being asked to (rg and ag read them, rimraf deletes them). */
  alwaysRecursive?: boolean;
  /** `-t DIR` style target-directory options for copy/move/link. */
  targetOpts?: readonly string[];
  /** Options whose value is a path and the op done on it. */
  pathOpts?: Readonly<Record<string, FileOp>>;
  /** Options are whole words with one dash (`-cmd`, `-in`), never clusters. */
  singleDash?: boolean;
  /** The operand at this position (0-based) is written, not read (`uniq IN OUT`, `xxd -r IN OUT`). */
  outputOperand?: number;
  /** It writes the operands' attributes (mode, owner, times, flags), never their content (chmod, touch). */
  attributesOnly?: boolean;
  /** Options that give what the skipped operands would (`grep -e PATTERN`, `-f FILE`): with one, no operand is skipped. */
  patternOpts?: readonly string[];
  /** A copy's source ending in `/` stands for what is in it, copied into the target itself (`rsync src/ dst`). */
  slashContents?: boolean;
  /** Options that make a copy delete what the target holds and the sources do not (`rsync --delete`). */
  deleteOpts?: readonly string[];
  /** Options with which it only says what it would do (`rsync -n`): it writes and deletes nothing. */
  dryRunOpts?: readonly string[];
  /**
   * It replaces each operand with its compressed or decompressed copy beside it (gzip, xz, bzip2):
   * the operand is deleted and the copy written. `keep` options keep the operand, `stdout` ones write
   * the copy to stdout (or only list or test), and with `only` it deletes the operand just with one of
   * those options (`zstd --rm`).
   */
  replaces?: { keep?: readonly string[]; stdout?: readonly string[]; only?: readonly string[] };
}

/**
 * What a subcommand does to remote state:
 * - `read`: looks (list, get, describe, logs);
 * - `routine`: a change that is part of everyday work with the tool (`gh pr create`);
 * - `change`: changes shared state (deploy, scale, create, set);
 * - `irreversible`: deletes or destroys what cannot be brought back (delete, purge, drop, yank);
 * - `secret`: reads or writes a secret (vault kv get, kubectl get secret, gh secret set);
 * - `exec`: runs commands on remote machines (ssm send-command, kubectl exec).
 */
export type RemoteEffect = 'read' | 'routine' | 'change' | 'irreversible' | 'secret' | 'exec';

export interface RemoteDecl {
  /** What the service is, for explanations ("AWS", "a Kubernetes cluster"). */
  service: string;
  /**
   * Effects of subcommand paths, most specific first wins (`'secretsmanager'`, `'ssm send-command'`,
   * `'pr'`): the declared path is what it says (even `kind delete`: routine); the words after it
   * are judged by their verbs, a destroying verb always winning, a change under a routine path routine.
   */
  effects?: Readonly<Record<string, RemoteEffect>>;
  /** What a subcommand whose words name no known verb does. Default `change`. */
  unknown?: RemoteEffect;
  /** Every read is of secrets (vault, op, doppler, pass). */
  secrets?: boolean;
  /** Options that turn any subcommand into a dry run (`--dry-run`, `-n`). */
  dryRun?: readonly string[];
  /** Options naming an HTTP method (`gh api -X DELETE`): GET/HEAD read, DELETE is irreversible, others change. */
  method?: readonly string[];
  /** Options that give a request body, making it a POST unless a method says otherwise (`gh api -f key=v`). */
  bodyOptions?: readonly string[];
  /** Request paths whose writes are not routine (`gh api -X PUT repos/o/r/collaborators/x`). */
  sensitiveUrl?: RegExp;
  /** Positional words that can name the subcommand (`aws ec2 terminate-instances`: 2). Default 3. */
  depth?: number;
  /**
   * The only changing verbs that reach the service, for a tool whose other subcommands are local
   * work (a build tool's goals: `spotless:apply`, `versions:set`; its `publish` and `deploy` do
   * reach a repository). Any other changing verb is routine; destroying verbs still count.
   */
  reach?: readonly string[];
}

export type PrivilegeDecl =
  /** Every use changes the machine. */
  | { when: 'always' }
  /** Only these subcommands do (`systemctl stop`, `apt-get install`); `unless` options make it the user's own (`--user`). */
  | { when: 'subcommands'; subcommands: readonly string[]; unless?: readonly string[] }
  /** Only with one of these options or operand forms (`sysctl -w`, `sysctl key=value`). */
  | { when: 'options'; options: readonly string[]; operand?: RegExp };

export interface TransferDecl {
  /** Commands that send a local file (`put`, `mput`). */
  uploads: readonly string[];
  /** Options whose value is a list of commands (`lftp -c 'put x'`, `smbclient -c`). */
  commandOptions: readonly string[];
  /** Options whose value is a file of commands (`sftp -b batch`): unseen, so possibly an upload. */
  batchOptions?: readonly string[];
  /** Options that make the client send (`ftp -u`, `tftp -p`, `smbclient -Tc`). */
  uploadOptions?: readonly string[];
}
