import { execFile } from 'node:child_process';

export interface GitEnv {
  gitDir: string;
  /** Where objects, refs and config are: pinned when the store opens, so a `commondir` file planted later cannot move them. */
  commonDir?: string;
  /** Where objects are read and written, when not under `commonDir` (the scan repository borrows the workspace's). */
  objectDir?: string;
  workTree: string;
  indexFile: string;
}

/**
 * Settings that keep checkpoint plumbing from running anything or changing content on the way:
 * no hooks, no fsmonitor, no end-of-line conversion, every mode bit and symlink as it is, and a
 * stat check that a same-size write with the mtime put back still shows (ctime).
 */
const SAFE_CONFIG = [
  ['core.fsmonitor', 'false'],
  ['core.autocrlf', 'false'],
  ['core.safecrlf', 'false'],
  ['core.eol', 'lf'],
  ['core.hooksPath', '/dev/null'],
  ['core.fileMode', 'true'],
  ['core.symlinks', 'true'],
  ['core.trustctime', 'true'],
  ['core.checkStat', 'default'],
  ['core.splitIndex', 'false'],
  ['core.sparseCheckout', 'false'],
  ['gc.auto', '0'],
  ['maintenance.auto', 'false'],
  ['submodule.recurse', 'false'],
].flatMap(([k, v]) => ['-c', `${k}=${v}`]);

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly code: number | null,
  ) {
    super(`git ${args.join(' ')} failed (${code}): ${stderr.trim().split('\n')[0] ?? ''}`);
  }
}

/** The environment every checkpoint git process runs with: our repository, our index, no prompts, nothing inherited that redirects git. */
export function gitProcessEnv(env: GitEnv): NodeJS.ProcessEnv {
  const inherited: NodeJS.ProcessEnv = {};
  // GIT_OBJECT_DIRECTORY, GIT_CONFIG_*, GIT_ATTR_*, GIT_*_PATHSPECS … of the person's shell would change what is recorded
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('GIT_') || k === 'GIT_EXEC_PATH') inherited[k] = v;
  return {
    ...inherited,
    GIT_DIR: env.gitDir,
    GIT_COMMON_DIR: env.commonDir ?? env.gitDir,
    ...(env.objectDir ? { GIT_OBJECT_DIRECTORY: env.objectDir } : {}),
    GIT_WORK_TREE: env.workTree,
    GIT_INDEX_FILE: env.indexFile,
    GIT_OPTIONAL_LOCKS: '0',
    GIT_TERMINAL_PROMPT: '0',
    GIT_FLUSH: '1',
    GIT_AUTHOR_NAME: 'harness',
    GIT_AUTHOR_EMAIL: 'harness@localhost',
    GIT_COMMITTER_NAME: 'harness',
    GIT_COMMITTER_EMAIL: 'harness@localhost',
    LC_ALL: 'C',
  };
}

export function gitArgs(args: string[]): string[] {
  return [...SAFE_CONFIG, ...args];
}

/**
 * Runs git plumbing against the checkpoint repository, with the private index. `raw`: the output
 * as a byte string (latin1), so paths that are not UTF-8 come back exactly.
 */
export async function git(env: GitEnv, args: string[], input?: string | Buffer, options: { raw?: boolean } = {}): Promise<string> {
  // another harness process (a `harness checkpoint` beside a session) may hold the index or a ref for a moment
  for (let attempt = 0; ; attempt++) {
    try {
      return await gitOnce(env, args, input, options);
    } catch (e) {
      if (attempt >= 40 || !(e instanceof GitError) || !/\.lock'?: File exists/.test(e.stderr)) throw e;
      await new Promise((r) => setTimeout(r, 25 + Math.random() * 50));
    }
  }
}

function gitOnce(env: GitEnv, args: string[], input: string | Buffer | undefined, options: { raw?: boolean }): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      gitArgs(args),
      { cwd: env.workTree, maxBuffer: 256 * 1024 * 1024, encoding: options.raw ? 'latin1' : 'utf8', env: gitProcessEnv(env) },
      (error, stdout, stderr) => {
        if (error) reject(new GitError(args, stderr, typeof error.code === 'number' ? error.code : null));
        else resolve(stdout);
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
