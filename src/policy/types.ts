export type Verdict = 'allow' | 'ask' | 'deny';

export const VERDICT_RANK: Record<Verdict, number> = { allow: 0, ask: 1, deny: 2 };

export function strongest(a: Verdict, b: Verdict): Verdict {
  return VERDICT_RANK[a] >= VERDICT_RANK[b] ? a : b;
}

export type FileOp = 'read' | 'write' | 'delete';

/** What the agent wants to do, in agent-neutral form. */
export type ToolCall =
  | { kind: 'shell'; command: string; cwd?: string | undefined }
  | { kind: 'file'; op: FileOp; path: string; cwd?: string | undefined }
  | { kind: 'fetch' | 'mcp' | 'other'; tool: string }
  /** A call harness asks about whatever the rules say (an unknown tool, a malformed input, work out of its reach). */
  | { kind: 'concern'; concern: ToolConcern; tool: string; detail?: string };

/** Why a tool call is asked whatever the rules say (see concerns.ts for each one's rule id and reason). */
export type ToolConcern = 'unknown-tool' | 'bad-input' | 'worktree' | 'scheduled' | 'workflow' | 'remote' | 'other-session' | 'other-shell';

/** Facts about the machine the pure engine may not look up itself. */
export interface PolicyContext {
  /** Absolute path of the workspace root (the repository the agent works in). */
  workspace: string;
  /** Absolute path of the person's home directory. */
  home: string;
  /** harness's state directory for this workspace, when known. */
  stateDir?: string;
  /** The config file in force, when there is one. */
  configPath?: string;
  /** The audit database, when it is not inside the state directory. */
  auditPath?: string;
  /**
   * Scratch directories: the system temp dirs and the agent's `$TMPDIR`. What is strictly inside
   * one (not HOME, not harness's state) is judged like the workspace, not like "outside".
   */
  scratch?: string[];
  /** Variables of the agent's environment harness knows (it launched the agent): `$TMPDIR`. */
  vars?: Record<string, string>;
}

/** One word of a command after quote removal. `dynamic` words hold unresolved expansions. */
export interface Arg {
  value: string;
  dynamic: boolean;
  glob: boolean;
  /** The value as a glob: unresolvable parts become `*`. */
  pattern: string;
}

export type RedirectKind = 'read' | 'write' | 'append' | 'dup' | 'readwrite';

export interface RedirectIR {
  kind: RedirectKind;
  target: Arg;
  fd: number | null;
}

export type StdinSource =
  | { kind: 'none' }
  | { kind: 'pipe'; producers: ShellCommand[] }
  | { kind: 'text'; text: Arg; origin: 'heredoc' | 'herestring' | 'file' }
  | { kind: 'file'; target: Arg };

/** A simple command as harness sees it, after wrappers were peeled off. */
export interface ShellCommand {
  argv: Arg[];
  /** Basename of the command word, '' when it cannot be known statically. */
  name: string;
  /** Effective working directory; null when a `cd` made it unknowable. */
  cwd: string | null;
  redirects: RedirectIR[];
  stdin: StdinSource;
  /** Wrappers and interpreters that led here, outermost first (e.g. ["sudo", "bash -c"]). */
  via: string[];
  /** Source text of the command (for explanations). */
  text: string;
  depth: number;
  /** Analysis notes that make this command suspicious by themselves. */
  tags: Tag[];
  /** The file this command was found in, when harness judged a script's content (`deploy.sh`, a Makefile). */
  file?: string;
  /** The program or script file this command runs, when it lies outside the workspace and the usual program directories. */
  runs?: string;
  /** For the file operations of interpreter code (`python -c "open('x','w')"`): what the code does to files. */
  codeEffects?: CodeEffect[];
  /**
   * Harness does not know that this runs: a program it has no declaration for may start it
   * (`setpriv rm -rf ~`, `firejail rm …`). What the rules find in it asks, it does not deny.
   */
  maybe?: true;
}

/** A file operation found in interpreter code; `guessed` when the code only names the path. */
export interface CodeEffect {
  op: FileOp;
  path: string;
  recursive: boolean;
  guessed?: boolean;
}

/**
 * Facts the analysis establishes that no argv pattern can express. Rules can match them
 * (`"tag": "…"`), and the core turns the unknowable ones into `ask`.
 */
export const TAGS = [
  'dynamic-command',
  'dynamic-code',
  'hidden-code',
  'code-from-network',
  'parse-error',
  'limit',
  'privilege',
  'exec-outside',
  'stdin-to-network',
  /** A remote service's state changes (deploy, scale, create) — not routine work with it. */
  'remote-change',
  /** A remote service loses what cannot be brought back (delete, purge, drop, yank). */
  'remote-irreversible',
  /** A secret is read from or written to a remote service (vault kv get, kubectl get secret). */
  'remote-secret',
  /** Commands run on remote machines (ssm send-command, kubectl exec). */
  'remote-exec',
  /** The machine itself changes: users, firewall, services, kernel, mounts, system packages. */
  'system-change',
  /** Code is scheduled to run later or at every boot (cron, at, systemd timers). */
  'scheduled',
  /** A transfer client sends local files (sftp/ftp/smbclient put). */
  'upload',
  /** A host name is built from computed data: the data leaves in the DNS lookup. */
  'data-in-hostname',
  /** A package or program run from a URL or a repository rather than a registry (`npx github:u/x`, `deno run https://…`). */
  'remote-package',
  /** Something runs without end and eats the machine: a fork bomb (`:(){ :|:& };:`), a loop that keeps starting jobs, dd from /dev/zero with no count. */
  'runaway',
  /** Processes killed by a broad name or pattern (`killall node`, `pkill -f python`, `pkill -u dev`), not one command line (`pkill -f "vite --port 5173"`). */
  'kill-by-name',
  /** A manifest made to take a dependency from a URL, a repository or a fork instead of the registry (`npm pkg set dependencies.x=github:…`, `go mod edit -replace`). */
  'dependency-from-url',
  /** A package installed by a name one typing slip from a much-installed one (`pip install reqeusts`, `npm i crossenv`): the shape of a typosquat. */
  'typosquat',
  /** A lockfile edited by hand, not by its package manager (`sed -i … package-lock.json`, a file moved over `yarn.lock`). */
  'lockfile-edit',
  /** A network client is pointed at a cloud metadata endpoint, in any spelling of its address. */
  'metadata-endpoint',
  /** TLS or package verification turned off, or a package manager sent to another registry (`NODE_TLS_REJECT_UNAUTHORIZED=0`, `GOSUMDB=off`, an .npmrc with another registry). */
  'verification-off',
  /** A command planted in a file of the project that runs later (CI, Makefile, Dockerfile, package scripts) fetches and runs code or sends data out. */
  'planted-code',
  /** A process lookup whose pattern finds harness's own processes (`ps aux | grep [h]arness`, `pgrep 'h.rness'`). */
  'supervisor-lookup',
  /** A network command's arguments or input carry a variable named like a secret (`curl -H "Authorization: $GITHUB_TOKEN"`). */
  'secret-to-network',
  /** Code prints or dumps the whole environment (`node -p process.env`, `print(os.environ)`). */
  'env-dump',
  /** A secret-named variable is printed where the agent reads it (`printenv AWS_SECRET_ACCESS_KEY`, `echo $GITHUB_TOKEN`). */
  'secret-shown',
] as const;

export type Tag = (typeof TAGS)[number];

export interface Effect {
  op: FileOp;
  /** Absolute, normalized path; may contain glob characters when `glob` is set. */
  path: string;
  /** The longest directory prefix without glob characters. */
  base: string;
  glob: boolean;
  /** Part of the path comes from an expansion harness could not resolve. */
  dynamic: boolean;
  /** Where the path lands cannot be told at all (dynamic start, unknown cwd). */
  unknown: boolean;
  recursive: boolean;
  /** Which command produced the effect, for explanations. */
  source: string;
  /**
   * The program is not declared (or the code only names the path): the operand may be a file it
   * reads. Rules match it as possible, which asks instead of denying.
   */
  guessed?: boolean;
  /** A write of the file's attributes (mode, owner, times, flags), not of its content (`chmod +x x.sh`). */
  attributes?: boolean;
  /**
   * A recursive write of files the command line does not name, under the directory: an archive's
   * members, a copied tree's content. Any protected file inside may be among them.
   */
  members?: boolean;
}

export interface RuleHit {
  ruleId: string;
  verdict: Verdict;
  reason: string;
  /** `possible` hits rest on parts harness could not resolve; a possible deny is reported as ask. */
  certainty: 'certain' | 'possible';
  command?: string;
  path?: string;
}

export interface ExplainedCommand {
  argv: string[];
  cwd: string | null;
  via: string[];
  text: string;
  tags: Tag[];
  effects: { op: FileOp; path: string; recursive: boolean; unknown: boolean }[];
}

/** A file the session read for a decision (a script a command runs), or why it could not. */
export type ScriptFile =
  | { text: string; sha256: string /** Where a link led. */; realPath?: string }
  /** `protected`: the file (or where its link leads) is one the rules keep from reading; its content is not read. */
  | { unreadable: 'missing' | 'binary' | 'too large' | 'not a regular file' | 'unreadable' | 'protected'; realPath?: string };

/** A file whose content a decision judged: the command runs it, and this was its content then. */
export interface JudgedFile {
  path: string;
  /** null when it could not be judged (`note` says why). */
  sha256: string | null;
  note?: string;
}

export interface Decision {
  verdict: Verdict;
  ruleId: string | null;
  reason: string;
  mutates: boolean;
  hits: RuleHit[];
  commands: ExplainedCommand[];
  /** Files the command runs whose content this decision judged. */
  scripts?: JudgedFile[];
  /** Files the command runs that the session has not read yet: read them and decide again. */
  needs?: string[];
}
