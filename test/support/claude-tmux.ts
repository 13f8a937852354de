import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { claudeSandbox, HARNESS_BIN } from './agent-env.js';
import type { Tmux } from './tmux.js';

/** `harness run claude` in tmux (120x40), with a first prompt submitted once Claude Code is ready; resolves to the screen it was ready on. */
export async function startClaude(t: Tmux, sb: { repo: string; env: NodeJS.ProcessEnv }, prompt: string): Promise<string> {
  t.start([process.execPath, HARNESS_BIN, 'run', 'claude', '--', '--dangerously-skip-permissions'], { cwd: sb.repo, env: sb.env, cols: 120, rows: 40 });
  const ready = await t.waitFor('bypass permissions');
  await t.submit(prompt);
  return ready;
}

/** `/exit`, and the exit code of `harness run`. */
export async function exitClaude(t: Tmux): Promise<number> {
  await t.submit('/exit');
  return t.exitCode();
}

/** A Claude Code sandbox against the model at `url` whose repository has `rules` in its harness.config.json; `commit`: one empty commit first. */
export function sandboxWithRules(url: string, rules: object[], options: { commit?: boolean } = {}): ReturnType<typeof claudeSandbox> {
  const sb = claudeSandbox(url);
  writeFileSync(join(sb.repo, 'harness.config.json'), JSON.stringify({ rules }));
  if (options.commit) execFileSync('git', ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '--allow-empty', '-m', 'init'], { cwd: sb.repo });
  return sb;
}
