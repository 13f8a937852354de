// A realistic layout for the sandbox benches: a git repository under the home directory (not under
// /tmp, which the sandbox makes writable as a whole), a home and a state directory beside it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * What the sandbox is started with in the benches: the workspace layout and the loaded config, no
 * agent state, endpoints or protected files; `extra` adds the ports, the environment and the gate.
 */
export function sandboxRequest({ workspace, home, stateDir }, loaded, extra) {
  return {
    settings: loaded.sandbox,
    workspace,
    home,
    stateDir,
    configPath: loaded.path,
    rules: loaded.sources,
    agentState: [],
    endpoints: [],
    injected: [],
    protectedFiles: [],
    agentConfig: { files: [], dirs: [] },
    writableState: [],
    interactive: false,
    ...extra,
  };
}

/** Creates the layout; `files` are written into the workspace and committed. */
export function benchWorkspace(name, files = {}) {
  const base = mkdtempSync(join(homedir(), `.harness-bench-${name}-`));
  const workspace = join(base, 'ws');
  const home = join(base, 'home');
  const stateDir = join(base, 'state');
  for (const d of [workspace, home, stateDir]) mkdirSync(d);
  const git = (...args) =>
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args], { cwd: workspace, stdio: 'ignore' });
  git('init', '-q');
  for (const [file, text] of Object.entries(files)) writeFileSync(join(workspace, file), text);
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  return { base, workspace, home, stateDir };
}
