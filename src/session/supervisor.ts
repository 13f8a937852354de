import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findExecutable } from '../executable.js';
import { claudeAdapter, type HookTransport } from '../agents/claude.js';
import { AuditLog } from '../audit/store.js';
import { policyFor } from '../config/policy.js';
import { HarnessError } from '../errors.js';
import { HookServer } from '../hooks/server.js';
import { auditPathFor, findWorkspace, runtimeDirFor, stateDirFor } from '../workspace.js';
import { ApprovalBus } from './approvals.js';
import { createHookHandler } from './hook-handler.js';
import { CheckpointStore } from '../checkpoints/store.js';
import { PtyTerminal } from './terminal.js';
import { ControlServer } from './control.js';
import { ToolGate } from './tool-gate.js';
import { rollbackNotice } from './rollback-notice.js';

export interface RunOptions {
  agent: string;
  args: string[];
  cwd: string;
  configPath?: string;
  transport: HookTransport;
  /** The agent binary; default from HARNESS_CLAUDE_BIN, else `claude` on PATH. */
  binary?: string;
  version: string;
}

export interface SessionResult {
  exitCode: number;
  sessionId: string;
  auditPath: string;
}

/** Supervises one agent run: hooks → policy → approvals → audit; the agent's exit code is returned. */
export async function runSession(opts: RunOptions): Promise<SessionResult> {
  if (opts.agent !== 'claude') throw new HarnessError(`unknown agent "${opts.agent}": harness can run claude (codex and gemini come later)`, 2);
  const adapter = claudeAdapter;
  adapter.checkArgs(opts.args);
  const workspace = findWorkspace(opts.cwd);
  const { policy, loaded } = policyFor(workspace, opts.configPath);
  const requested = opts.binary ?? process.env.HARNESS_CLAUDE_BIN ?? adapter.defaultBinary;
  const binary = findExecutable(requested);
  if (!binary) throw new HarnessError(`Claude Code was not found ("${requested}"). Install it (npm install -g @anthropic-ai/claude-code) or point HARNESS_CLAUDE_BIN at the binary.`);

  const sessionId = randomUUID();
  const runtimeDir = runtimeDirFor(workspace, sessionId);
  mkdirSync(runtimeDir, { recursive: true, mode: 0o700 });
  const auditPath = auditPathFor(workspace, process.env, loaded.config.audit?.path);
  const audit = AuditLog.open(auditPath);
  audit.startSession({ id: sessionId, agent: adapter.name, workspace, argv: opts.args, configPath: loaded.path, version: opts.version });

  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  const approvals = new ApprovalBus(loaded.approvals.whenNoTty);

  const checkpoints = loaded.checkpoints.enabled ? CheckpointStore.open(workspace, stateDirFor(workspace), { maxFileBytes: loaded.checkpoints.maxFileBytes }) : undefined;
  // the first full scan runs while the agent starts; the first checkpoint waits for it
  const tracking = checkpoints?.track().catch(() => false);
  const gate = new ToolGate();
  const server = new HookServer(
    createHookHandler({ adapter, policy, audit, approvals, sessionId, workspace, approvalTimeoutSeconds: loaded.approvals.timeoutSeconds, checkpoints, gate }),
  );
  const endpoint = await server.start();
  const control = new ControlServer({
    rollback: async (to) => {
      if (!checkpoints) throw new Error('checkpoints are switched off in this session');
      const target = await checkpoints.resolve(to);
      return gate.exclusive(async () => {
        const { saved, changes } = await checkpoints.restore(target, sessionId);
        audit.checkpoint({ sessionId, toolUseId: null, commit: saved?.id ?? null, summary: `rolled back to ${target.id.slice(0, 12)} at the person's request (${changes.length} file(s) changed)` });
        return { result: { saved: saved?.id ?? null, changes }, notice: rollbackNotice(target.id, changes) };
      }, 60_000);
    },
  });
  await control.start(runtimeDir);
  const hookTimeout = loaded.approvals.timeoutSeconds + 30;
  const settingsPath = adapter.writeSettings(runtimeDir, endpoint, opts.transport, hookTimeout);
  const args = [...opts.args, '--settings', settingsPath];
  const env = { ...process.env, HARNESS_SESSION_ID: sessionId };

  let exitCode: number;
  const stopSignals = ['SIGTERM', 'SIGHUP'] as const;
  try {
    if (interactive) {
      const terminal = new PtyTerminal(process.stdin, process.stdout);
      approvals.attach(
        (request) => void terminal.ask(request).then((answer) => approvals.answer(request.id, answer)),
        (id, answer) => terminal.settle(answer, id),
      );
      const stop = (): void => terminal.kill('SIGTERM');
      stopSignals.forEach((s) => process.on(s, stop));
      try {
        exitCode = await terminal.run(binary, args, env, opts.cwd);
      } finally {
        stopSignals.forEach((s) => process.off(s, stop));
      }
    } else {
      const child = spawn(binary, args, { stdio: 'inherit', env, cwd: opts.cwd });
      const forward = (signal: NodeJS.Signals): void => void child.kill(signal);
      const forwarded = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
      forwarded.forEach((s) => process.on(s, forward));
      try {
        exitCode = await new Promise<number>((resolve, reject) => {
          child.once('error', reject);
          child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 + (({ SIGINT: 2, SIGTERM: 15, SIGHUP: 1, SIGKILL: 9 } as Record<string, number>)[signal] ?? 1) : 1)));
        });
      } finally {
        forwarded.forEach((s) => process.off(s, forward));
      }
    }
  } finally {
    approvals.denyAll();
    approvals.detach();
    await server.stop();
    await control.stop();
    await tracking;
    checkpoints?.close();
    rmSync(runtimeDir, { recursive: true, force: true });
  }
  audit.endSession(sessionId, exitCode);
  audit.close();
  return { exitCode, sessionId, auditPath };
}
