import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { AuditLog, type LogRow } from '../../src/audit/store.js';
import { auditPathFor } from '../../src/workspace.js';

export const CLAUDE_BIN = new URL('../../node_modules/.bin/claude', import.meta.url).pathname;
export const CODEX_BIN = new URL('../../node_modules/.bin/codex', import.meta.url).pathname;
export const GEMINI_BIN = new URL('../../node_modules/.bin/gemini', import.meta.url).pathname;
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

export interface Sandbox {
  root: string;
  repo: string;
  home: string;
  state: string;
  env: NodeJS.ProcessEnv;
}

/** A temp git repo, a temp HOME and harness state outside both, with an environment that uses them. */
function baseSandbox(parent = tmpdir()): Sandbox {
  const root = mkdtempSync(join(parent, 'harness-e2e-'));
  const repo = join(root, 'repo');
  const home = join(root, 'home');
  const state = join(root, 'state');
  for (const d of [repo, home, state, join(root, 't'), join(root, 'x')]) mkdirSync(d, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    TMPDIR: join(root, 't'),
    XDG_RUNTIME_DIR: join(root, 'x'),
    HARNESS_STATE_DIR: state,
    NO_COLOR: '1',
  };
  return { root, repo, home, state, env };
}

/** A sandbox in which the real Claude Code talks only to `modelUrl`. */
export function claudeSandbox(modelUrl: string, parent?: string): Sandbox {
  const sb = baseSandbox(parent);
  mkdirSync(join(sb.home, '.claude'));
  // Interactive runs need onboarding and trust already done.
  writeFileSync(
    join(sb.home, '.claude.json'),
    JSON.stringify({
      hasCompletedOnboarding: true,
      projects: { [sb.repo]: { hasTrustDialogAccepted: true } },
      customApiKeyResponses: { approved: ['sk-test'] },
    }),
  );
  writeFileSync(join(sb.home, '.claude', 'settings.json'), JSON.stringify({ skipDangerousModePermissionPrompt: true }));
  Object.assign(sb.env, {
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'sk-test',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_TMPDIR: join(sb.root, 't'),
    IS_SANDBOX: '1',
    HARNESS_CLAUDE_BIN: CLAUDE_BIN,
  });
  return sb;
}

/** A sandbox in which the real Codex CLI talks only to `modelUrl` (its Responses API), logged in and trusting the repo. */
export function codexSandbox(modelUrl: string, parent?: string): Sandbox {
  const sb = baseSandbox(parent);
  const codexHome = join(sb.home, '.codex');
  mkdirSync(codexHome);
  writeFileSync(
    join(codexHome, 'config.toml'),
    [
      'model = "gpt-5.5"',
      'model_provider = "fake"',
      '[model_providers.fake]',
      'name = "fake"',
      `base_url = "${modelUrl}/v1"`,
      'wire_api = "responses"',
      'env_key = "FAKE_KEY"',
      '[notice.model_migrations]',
      '"gpt-5.5" = "gpt-6-sol"',
      `[projects.${JSON.stringify(sb.repo)}]`,
      'trust_level = "trusted"',
      '',
    ].join('\n'),
  );
  writeFileSync(join(codexHome, 'auth.json'), JSON.stringify({ auth_mode: 'apikey', OPENAI_API_KEY: 'sk-fake' }));
  Object.assign(sb.env, { FAKE_KEY: 'x', HARNESS_CODEX_BIN: CODEX_BIN });
  return sb;
}

/** A sandbox in which the real Gemini CLI talks only to `modelUrl` with an API key. */
export function geminiSandbox(modelUrl: string, parent?: string): Sandbox {
  const sb = baseSandbox(parent);
  mkdirSync(join(sb.home, '.gemini'));
  writeFileSync(
    join(sb.home, '.gemini', 'settings.json'),
    JSON.stringify({ security: { auth: { selectedType: 'gemini-api-key' } }, ui: { theme: 'Default' } }),
  );
  Object.assign(sb.env, { GOOGLE_GEMINI_BASE_URL: modelUrl, GEMINI_API_KEY: 'fake-key', HARNESS_GEMINI_BIN: GEMINI_BIN });
  return sb;
}

/** What the audit log holds for the latest session in a sandbox. */
export function latestSession(sb: { repo: string; env: NodeJS.ProcessEnv }): {
  rows: LogRow[];
  checkpoints: ReturnType<AuditLog['checkpointsOf']>;
  changes: ReturnType<AuditLog['changesOf']>;
  events: ReturnType<AuditLog['eventsOf']>;
  rollbacks: ReturnType<AuditLog['rollbacksOf']>;
} {
  const log = AuditLog.open(auditPathFor(sb.repo, sb.env));
  try {
    const sessionId = log.latestSessionId()!;
    return {
      rows: log.query({ sessionId }),
      checkpoints: log.checkpointsOf(sessionId),
      changes: log.changesOf(sessionId),
      events: log.eventsOf(sessionId),
      rollbacks: log.rollbacksOf(sessionId),
    };
  } finally {
    log.close();
  }
}
