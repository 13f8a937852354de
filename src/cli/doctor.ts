import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { requestedBinary, type AgentAdapter } from '../agents/adapter.js';
import { claudeAdapter } from '../agents/claude.js';
import { codexAdapter } from '../agents/codex.js';
import { createGeminiAdapter } from '../agents/gemini.js';
import { findExecutable } from '../executable.js';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import { closeInterrupted } from '../session/interrupted.js';
import kleur from 'kleur';
import { AuditLog } from '../audit/store.js';
import { loadConfig, type SandboxSettings } from '../config/load.js';
import { asStateError, describeStateProblem, HarnessError, probeState, StateError, stateProblem } from '../errors.js';
import { hookClientPath } from '../hooks/client.js';
import { hookPath } from '../hooks/protocol.js';
import { HookServer } from '../hooks/server.js';
import { bwrapAvailability } from '../sandbox/bwrap.js';
import { nativeLauncher } from '../sandbox/index.js';
import { auditPathFor, findWorkspace, stateDirFor } from '../workspace.js';
import { printJson, useColor } from './output.js';

type Status = 'ok' | 'warn' | 'fail';
interface Check {
  name: string;
  status: Status;
  detail: string;
  fix?: string;
}

/** Versions below which an agent runs a tool when a hook fails: Claude Code learned `onFailure: block` in 2.1.295. */
const MIN_VERSIONS: Record<string, number[]> = { claude: [2, 1, 295] };

function versionAtLeast(text: string, min: number[]): boolean | null {
  const m = /(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!m) return null;
  const v = [Number(m[1]), Number(m[2]), Number(m[3])];
  for (let i = 0; i < 3; i++) if (v[i] !== min[i]) return v[i]! > min[i]!;
  return true;
}

/** The agent's binary: found, it runs, and (where it matters) recent enough to fail closed. */
function agentCheck(agent: AgentAdapter, required: boolean): Check {
  const requested = requestedBinary(agent, process.env);
  const found = findExecutable(requested);
  if (!found) {
    return required
      ? { name: agent.name, status: 'fail', detail: `"${requested}" not found on PATH`, fix: `${agent.installHint}, or set ${agent.binaryEnv}` }
      : { name: agent.name, status: 'ok', detail: `not installed (needed only for harness run ${agent.name}; ${agent.installHint}, or set ${agent.binaryEnv})` };
  }
  const v = spawnSync(found, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  const text = (v.stdout || v.stderr || '').trim().split('\n').pop() ?? '';
  const min = MIN_VERSIONS[agent.name];
  if (min) {
    return versionAtLeast(text, min)
      ? { name: agent.name, status: 'ok', detail: `${text} (${found})` }
      : { name: agent.name, status: 'warn', detail: `${text || 'version unknown'} (${found})`, fix: `upgrade to ${min.join('.')} or newer: older versions run a tool when a hook fails instead of blocking it` };
  }
  return v.status === 0
    ? { name: agent.name, status: 'ok', detail: `${text} (${found})` }
    : { name: agent.name, status: 'warn', detail: `${found} did not run: ${text || `exit ${v.status}`}`, fix: `reinstall it (${agent.installHint})` };
}

/**
 * Whether the OS sandbox runs here: a real bubblewrap probe (it creates nothing on disk). A sandbox
 * that cannot run fails only when the config requires it; under "auto" the run goes ahead with a warning.
 */
function sandboxCheck(mode: SandboxSettings['mode']): Check {
  const available = bwrapAvailability();
  if (mode === 'off') {
    return { name: 'sandbox', status: 'ok', detail: `switched off by sandbox.mode "off" (${available.ok ? `bubblewrap would run: ${available.binary}` : available.problem})` };
  }
  if (available.ok) {
    const native = nativeLauncher();
    return native
      ? { name: 'sandbox', status: 'ok', detail: `bubblewrap (${available.binary}), native launcher (${native})` }
      : {
          name: 'sandbox',
          status: 'warn',
          detail: `bubblewrap (${available.binary}), but the native launcher was not built: the Node one cannot tell the agent from its scripts at the hook endpoint and installs no system call filter`,
          fix: 'install a C compiler (e.g. sudo apt-get install gcc) and reinstall harness',
        };
  }
  return { name: 'sandbox', status: mode === 'required' ? 'fail' : 'warn', detail: available.problem, fix: available.fix };
}

async function hookRoundTrip(): Promise<Check> {
  const server = new HookServer(async () => ({ verdict: 'deny', exitCode: 0, body: '{"ok":true}' }));
  const ep = await server.start();
  try {
    const client = hookClientPath();
    const started = performance.now();
    const r = await new Promise<{ code: number | null; out: string; err: string }>((done) => {
      const child = spawn(client, [ep.host, String(ep.port), hookPath('claude', 'pre'), ep.token, '10']);
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d));
      child.stderr.on('data', (d: Buffer) => (err += d));
      child.on('close', (code) => done({ code, out, err }));
      child.on('error', (e) => done({ code: -1, out: '', err: e.message }));
      child.stdin.end('{"tool_name":"Bash","tool_input":{"command":"true"}}');
    });
    const ms = performance.now() - started;
    if (r.code === 0 && r.out === '{"ok":true}') {
      const native = !client.endsWith('.sh');
      return { name: 'hook round trip', status: native ? 'ok' : 'warn', detail: `${native ? 'native' : 'portable'} client answered in ${ms.toFixed(1)} ms (${client})`, fix: native ? undefined : 'install a C compiler (cc) and run npm run build for the fast native client' };
    }
    return { name: 'hook round trip', status: 'fail', detail: `client exited ${r.code}: ${r.err.trim() || r.out}`, fix: 'run npm run build; check that 127.0.0.1 connections are allowed' };
  } finally {
    await server.stop();
  }
}

export async function runChecks(cwd: string, configPath?: string): Promise<Check[]> {
  const checks: Check[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number);
  checks.push(major! > 20 || (major === 20 && minor! >= 19) ? { name: 'node', status: 'ok', detail: process.version } : { name: 'node', status: 'fail', detail: process.version, fix: 'install Node.js 20.19 or newer' });

  const workspace = findWorkspace(cwd);
  const isGit = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8' }).status === 0;
  checks.push(isGit ? { name: 'git repository', status: 'ok', detail: workspace } : { name: 'git repository', status: 'warn', detail: `${workspace} is not inside a git repository`, fix: 'run harness inside your repository (git init for a new one)' });

  let auditConfigured: string | undefined;
  // an unreadable config fails its own check; the sandbox is then checked as under the default mode
  let sandboxMode: SandboxSettings['mode'] = 'auto';
  try {
    const loaded = loadConfig(workspace, configPath);
    auditConfigured = loaded.config.audit?.path;
    sandboxMode = loaded.sandbox.mode;
    checks.push({ name: 'config', status: 'ok', detail: `${loaded.path ?? 'none (the recommended pack applies)'}; ${loaded.sources.length} rules from ${loaded.packs.join(', ')}` });
  } catch (e) {
    checks.push({ name: 'config', status: 'fail', detail: e instanceof Error ? e.message : String(e), fix: 'fix the fields named above; harness check shows the effect' });
  }

  checks.push(agentCheck(claudeAdapter, true));
  // the other agents are optional: reported when installed, noted when not
  checks.push(agentCheck(codexAdapter, false), agentCheck(createGeminiAdapter(), false));

  const state = stateDirFor(workspace);
  try {
    mkdirSync(state, { recursive: true, mode: 0o700 });
    const probe = join(state, `.doctor-${process.pid}`);
    writeFileSync(probe, 'x');
    rmSync(probe);
    checks.push({ name: 'state directory', status: 'ok', detail: state });
  } catch (e) {
    const problem = stateProblem(e) ?? probeState(state);
    checks.push({ name: 'state directory', status: 'fail', detail: problem ? describeStateProblem("harness's state", state, problem) : `${state}: ${(e as Error).message}`, fix: 'make it writable, or set HARNESS_STATE_DIR' });
  }

  try {
    const auditPath = auditPathFor(workspace, process.env, auditConfigured);
    const log = AuditLog.open(auditPath);
    checks.push({ name: 'audit log', status: 'ok', detail: `${auditPath} (schema ${log.schemaVersion})` });
    // sessions whose supervisor died are closed (their runtime files removed)
    closeInterrupted(log, workspace);
    log.close();
  } catch (caught) {
    const e = asStateError(caught, 'the audit log', auditPathFor(workspace, process.env, auditConfigured));
    checks.push({
      name: 'audit log',
      status: 'fail',
      detail: (e as Error).message,
      fix: e instanceof StateError ? 'make the state directory writable (free space), or set HARNESS_STATE_DIR or audit.path' : 'reinstall (npm install builds better-sqlite3) or check the state directory',
    });
  }

  try {
    await import('node-pty');
    checks.push({ name: 'terminal (node-pty)', status: 'ok', detail: 'loaded' });
  } catch (e) {
    checks.push({ name: 'terminal (node-pty)', status: 'fail', detail: (e as Error).message, fix: 'reinstall with build tools present (python3, make, g++): npm install' });
  }

  checks.push(sandboxCheck(sandboxMode));
  checks.push(await hookRoundTrip());
  return checks;
}

export function registerDoctor(program: Command): void {
  program
    .command('doctor')
    .description('check that harness can supervise an agent here, and say what to fix')
    .option('--json', 'print the checks as JSON')
    .option('-c, --config <file>', 'config file to check')
    .action(async (opts: { json?: boolean; config?: string }) => {
      const checks = await runChecks(resolve(process.cwd()), opts.config);
      const failed = checks.filter((c) => c.status === 'fail').length;
      if (opts.json) printJson({ ok: failed === 0, checks });
      else {
        useColor();
        const mark = { ok: kleur.green('ok  '), warn: kleur.yellow('warn'), fail: kleur.red('FAIL') };
        for (const c of checks) {
          process.stdout.write(`${mark[c.status]} ${c.name.padEnd(20)} ${c.detail}\n`);
          if (c.fix && c.status !== 'ok') process.stdout.write(`     ${kleur.dim(`fix: ${c.fix}`)}\n`);
        }
      }
      if (failed > 0) throw new HarnessError(`${failed} check(s) failed`, 1);
    });
}
