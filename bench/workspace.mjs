// A realistic layout for the sandbox benches: a git repository under the home directory (not under
// /tmp, which the sandbox makes writable as a whole), a home and a state directory beside it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** Creates the layout; `files` are written into the workspace and committed. */
export function benchWorkspace(name, files = {}) {
  const base = mkdtempSync(join(homedir(), `.harness-bench-${name}-`));
  const workspace = join(base, 'ws');
  const home = join(base, 'home');
  const stateDir = join(base, 'state');
  for (const d of [workspace, home, stateDir]) mkdirSync(d);
  const git = (...args) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args], { cwd: workspace, stdio: 'ignore' });
  git('init', '-q');
  for (const [file, text] of Object.entries(files)) writeFileSync(join(workspace, file), text);
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  return { base, workspace, home, stateDir };
}
