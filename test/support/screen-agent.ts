import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HARNESS_BIN } from './agent-env.js';
import { PtyDriver, type Seen } from './pty-driver.js';
import { until } from './until.js';

const FIXTURE = new URL('../fixtures/screen-agent.mjs', import.meta.url).pathname;

export type ScreenMode = 'normal' | 'alt';

/** What the fixture shows once it has drawn its screen, by mode. */
export const READY: Record<ScreenMode, string> = { normal: 'prompt>', alt: 'status: waiting' };

export interface ScreenAgent {
  term: PtyDriver;
  /** The hook's answer (JSON) and every byte the agent was sent. */
  files: { result: string; input: string };
}

/**
 * `harness run` in a real 100x30 pty over test/fixtures/screen-agent.mjs, which draws a screen
 * (normal or alternate) and on "g" calls the hook with `command` (its default: git reset --hard).
 */
export function startScreenAgent(mode: ScreenMode, options: { command?: string; name?: string } = {}): ScreenAgent {
  const root = mkdtempSync(join(tmpdir(), `harness-${options.name ?? 'screen'}-`));
  const repo = join(root, 'repo');
  mkdirSync(repo);
  execFileSync('git', ['init', '-q'], { cwd: repo });
  // the agent's temp dir: the one place outside the repository the sandbox lets it write
  const scratch = join(root, 't');
  mkdirSync(scratch);
  const files = { result: join(scratch, 'hook-result.json'), input: join(scratch, 'agent-input.txt') };
  const env = {
    PATH: process.env.PATH,
    HOME: root,
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    TMPDIR: scratch,
    HARNESS_STATE_DIR: join(root, 'state'),
    SCREEN_AGENT_MODE: mode,
    ...(options.command ? { SCREEN_AGENT_COMMAND: options.command } : {}),
    SCREEN_AGENT_RESULT: files.result,
    SCREEN_AGENT_INPUT: files.input,
  };
  const term = new PtyDriver(process.execPath, [HARNESS_BIN, 'run', '--agent-bin', FIXTURE, '--no-summary', 'claude'], { cwd: repo, env, cols: 100, rows: 30 });
  return { term, files };
}

/**
 * The screen once the fixture has drawn all of it: the ready text is there and the cursor is where
 * the fixture leaves it last (alt: row 5, column 30; normal: after "prompt> ").
 */
export function drawnScreen(term: PtyDriver, mode: ScreenMode): Promise<Seen> {
  const done = (s: Seen): boolean => {
    const [x, y] = s.cursor;
    return mode === 'alt' ? s.lines.at(-1)!.includes(READY.alt) && x === 29 && y === 4 : s.lines[y]!.startsWith('prompt> ') && x === 8;
  };
  return term.waitForSeen(done, `the ${mode} screen drawn`);
}

/** The answer the fixture agent got from harness's hook, once it has it. */
export async function hookReply(path: string): Promise<{ hookSpecificOutput: { permissionDecision: string; permissionDecisionReason?: string } }> {
  await until(`the hook's answer in ${path}`, () => existsSync(path), 15_000);
  return JSON.parse(readFileSync(path, 'utf8'));
}

/** "q" ends the fixture; resolves to its exit code and every key it was sent. */
export async function quit(agent: ScreenAgent): Promise<{ code: number; input: string }> {
  agent.term.type('q');
  const code = await agent.term.exited;
  return { code, input: readFileSync(agent.files.input, 'utf8') };
}
