import { execFile } from 'node:child_process';

export interface GitEnv {
  gitDir: string;
  /** Where objects, refs and config are: pinned when the store opens, so a `commondir` file planted later cannot move them. */
  commonDir?: string;
  workTree: string;
  indexFile: string;
}

/** Settings that keep checkpoint plumbing from running anything or changing content on the way. */
const SAFE_CONFIG = ['-c', 'core.fsmonitor=false', '-c', 'core.autocrlf=false', '-c', 'core.safecrlf=false', '-c', 'core.hooksPath=/dev/null', '-c', 'gc.auto=0', '-c', 'maintenance.auto=false'];

export class GitError extends Error {
  constructor(
    readonly args: string[],
    readonly stderr: string,
    readonly code: number | null,
  ) {
    super(`git ${args.join(' ')} failed (${code}): ${stderr.trim().split('\n')[0] ?? ''}`);
  }
}

/** The environment every checkpoint git process runs with: our repository, our index, no prompts. */
export function gitProcessEnv(env: GitEnv): NodeJS.ProcessEnv {
  return {
    ...process.env,
    GIT_DIR: env.gitDir,
    GIT_COMMON_DIR: env.commonDir ?? env.gitDir,
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

/** Runs git plumbing against the checkpoint repository, with the private index. */
export function git(env: GitEnv, args: string[], input?: string | Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'git',
      gitArgs(args),
      { cwd: env.workTree, maxBuffer: 256 * 1024 * 1024, encoding: 'utf8', env: gitProcessEnv(env) },
      (error, stdout, stderr) => {
        if (error) reject(new GitError(args, String(stderr), typeof error.code === 'number' ? error.code : null));
        else resolve(String(stdout));
      },
    );
    if (input !== undefined) child.stdin?.end(input);
  });
}
