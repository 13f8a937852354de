import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { AuditLog, type LogRow } from '../../src/audit/store.js';
import { auditPathFor } from '../../src/workspace.js';

export const CLAUDE_BIN = new URL('../../node_modules/.bin/claude', import.meta.url).pathname;
export const HARNESS_BIN = new URL('../../bin/harness', import.meta.url).pathname;

/** Runs the built harness CLI to completion, collecting its output. */
export function runHarness(args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [HARNESS_BIN, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A temp git repo and a temp HOME in which the real Claude Code talks only to `modelUrl`. */
export function claudeSandbox(modelUrl: string): { root: string; repo: string; home: string; state: string; env: NodeJS.ProcessEnv } {
  const root = mkdtempSync(join(tmpdir(), 'harness-e2e-'));
  const repo = join(root, 'repo');
  const home = join(root, 'home');
  const state = join(root, 'state');
  for (const d of [repo, home, state, join(root, 't'), join(root, 'x'), join(home, '.claude')]) mkdirSync(d, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  // Interactive runs need onboarding and trust already done.
  writeFileSync(join(home, '.claude.json'), JSON.stringify({ hasCompletedOnboarding: true, projects: { [repo]: { hasTrustDialogAccepted: true } }, customApiKeyResponses: { approved: ['sk-test'] } }));
  writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify({ skipDangerousModePermissionPrompt: true }));
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'sk-test',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_TMPDIR: join(root, 't'),
    TMPDIR: join(root, 't'),
    XDG_RUNTIME_DIR: join(root, 'x'),
    IS_SANDBOX: '1',
    HARNESS_STATE_DIR: state,
    HARNESS_CLAUDE_BIN: CLAUDE_BIN,
    NO_COLOR: '1',
  };
  return { root, repo, home, state, env };
}

/** What the audit log holds for the latest session in a sandbox. */
export function latestSession(sb: { repo: string; env: NodeJS.ProcessEnv }): { rows: LogRow[]; checkpoints: ReturnType<AuditLog['checkpointsOf']>; changes: ReturnType<AuditLog['changesOf']> } {
  const log = AuditLog.open(auditPathFor(sb.repo, sb.env));
  try {
    const sessionId = log.latestSessionId()!;
    return { rows: log.query({ sessionId }), checkpoints: log.checkpointsOf(sessionId), changes: log.changesOf(sessionId) };
  } finally {
    log.close();
  }
}
