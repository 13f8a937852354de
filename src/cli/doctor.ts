import { spawn, spawnSync } from 'node:child_process';
import { accessSync, closeSync, constants, existsSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statfsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { requestedBinary, type AgentAdapter } from '../agents/adapter.js';
import { claudeAdapter } from '../agents/claude.js';
import { codexAdapter } from '../agents/codex.js';
import { createGeminiAdapter } from '../agents/gemini.js';
import { findExecutable } from '../executable.js';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import kleur from 'kleur';
import { loadConfig, type SandboxSettings } from '../config/load.js';
import { describeStateProblem, HarnessError, stateProblem } from '../errors.js';
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
  fix?: string | undefined;
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

/** The name people install harness by (npm install -g …), for the fixes doctor suggests. */
function packageName(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string }).name;
  } catch {
    return 'agent-harness-cli';
  }
}
const REINSTALL = `reinstall harness (npm install -g ${packageName()}; in a checkout: npm install)`;

/**
 * Runs `fn` with an environment whose HOME (and XDG directories) is a temp directory removed
 * afterwards: doctor creates nothing, and some agents write their state at start-up, even for
 * --version (Gemini CLI makes ~/.gemini).
 */
function inThrowawayHome<T>(fn: (env: NodeJS.ProcessEnv) => T): T {
  const home = mkdtempSync(join(tmpdir(), 'harness-doctor-home-'));
  try {
    return fn({
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      XDG_STATE_HOME: join(home, '.local', 'state'),
      XDG_CACHE_HOME: join(home, '.cache'),
      XDG_DATA_HOME: join(home, '.local', 'share'),
    });
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** The agent's binary: found, it runs, and (where it matters) recent enough to fail closed. */
function agentCheck(agent: AgentAdapter, required: boolean): Check {
  const requested = requestedBinary(agent, process.env);
  const found = findExecutable(requested);
  if (!found) {
    return required
      ? { name: agent.name, status: 'fail', detail: `"${requested}" not found on PATH`, fix: `${agent.installHint}, or set ${agent.binaryEnv}` }
      : {
          name: agent.name,
          status: 'ok',
          detail: `not installed (needed only for harness run ${agent.name}; ${agent.installHint}, or set ${agent.binaryEnv})`,
        };
  }
  const v = inThrowawayHome((env) => spawnSync(found, ['--version'], { encoding: 'utf8', timeout: 20_000, env }));
  const text = (v.stdout || v.stderr || '').trim().split('\n').pop() ?? '';
  const min = MIN_VERSIONS[agent.name];
  if (min) {
    return versionAtLeast(text, min)
      ? { name: agent.name, status: 'ok', detail: `${text} (${found})` }
      : {
          name: agent.name,
          status: 'warn',
          detail: `${text || 'version unknown'} (${found})`,
          fix: `upgrade to ${min.join('.')} or newer: older versions run a tool when a hook fails instead of blocking it`,
        };
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
    return {
      name: 'sandbox',
      status: 'ok',
      detail: `switched off by sandbox.mode "off" (${available.ok ? `bubblewrap would run: ${available.binary}` : available.problem})`,
    };
  }
  if (available.ok) {
    const native = nativeLauncher();
    return native
      ? { name: 'sandbox', status: 'ok', detail: `bubblewrap (${available.binary}), native launcher (${native})` }
      : {
          name: 'sandbox',
          status: 'warn',
          detail: `bubblewrap (${available.binary}), but the native launcher was not built: the Node one cannot tell the agent from its scripts at the hook endpoint and installs no system call filter`,
          fix: `install a C compiler (e.g. sudo apt-get install gcc) and ${REINSTALL}: the install builds it`,
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
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('close', (code) => done({ code, out, err }));
      child.on('error', (e) => done({ code: -1, out: '', err: e.message }));
      child.stdin.end('{"tool_name":"Bash","tool_input":{"command":"true"}}');
    });
    const ms = performance.now() - started;
    const native = !client.endsWith('.sh');
    const which = native
      ? 'native hook client (built for this machine when harness was installed)'
      : 'portable hook client (no C compiler when harness was installed: slower, equally fail-closed)';
    if (r.code === 0 && r.out === '{"ok":true}') {
      return {
        name: 'hook round trip',
        status: native ? 'ok' : 'warn',
        detail: `${which} answered in ${ms.toFixed(1)} ms (${client})`,
        fix: native ? undefined : `install a C compiler (e.g. sudo apt-get install gcc) and ${REINSTALL} for the native client`,
      };
    }
    return {
      name: 'hook round trip',
      status: 'fail',
      detail: `${which} exited ${r.code}: ${r.err.trim() || r.out}`,
      fix: `${REINSTALL}; check that 127.0.0.1 connections are allowed`,
    };
  } finally {
    await server.stop();
  }
}

/** Whether `dir` (or, before it exists, the directory it will be made in) can be written: asked of the file system, nothing written. */
function writable(dir: string): { at: string; problem: string | null } {
  let at = resolve(dir);
  while (!existsSync(at) && dirname(at) !== at) at = dirname(at);
  try {
    accessSync(at, constants.W_OK | constants.X_OK);
  } catch (e) {
    const problem = stateProblem(e);
    return {
      at,
      problem: problem && problem !== 'denied' ? describeStateProblem("harness's state", dir, problem) : `cannot write ${at}: ${(e as Error).message}`,
    };
  }
  try {
    const fs = statfsSync(at);
    // root may use the blocks kept back for it
    if ((process.getuid?.() === 0 ? fs.bfree : fs.bavail) === 0) return { at, problem: describeStateProblem("harness's state", dir, 'full') };
  } catch {
    // no answer about free space is no problem found
  }
  return { at, problem: null };
}

/** harness's state directory: there and writable, or creatable by the first run. */
function stateCheck(state: string): Check {
  const { at, problem } = writable(state);
  if (problem) return { name: 'state directory', status: 'fail', detail: problem, fix: 'make it writable, or set HARNESS_STATE_DIR' };
  return { name: 'state directory', status: 'ok', detail: at === resolve(state) ? state : `${state} (not there yet: the first harness run creates it)` };
}

/**
 * The audit log: its driver (better-sqlite3, a native module) loads and works, and the database,
 * when there is one, is readable. Its schema version comes from the file's header, because
 * opening a database in WAL mode, even read-only, leaves files beside it.
 */
async function auditCheck(path: string): Promise<Check> {
  try {
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(':memory:');
    db.prepare('select 1').get();
    db.close();
  } catch (e) {
    return {
      name: 'audit log',
      status: 'fail',
      detail: `the SQLite driver (better-sqlite3) does not load: ${(e as Error).message.split('\n')[0]}`,
      fix: `${REINSTALL} with build tools present (python3, make, g++)`,
    };
  }
  if (!existsSync(path)) {
    const { problem } = writable(dirname(path));
    return problem
      ? { name: 'audit log', status: 'fail', detail: problem, fix: 'make the state directory writable (free space), or set HARNESS_STATE_DIR or audit.path' }
      : { name: 'audit log', status: 'ok', detail: `${path} (not there yet: the first harness run creates it)` };
  }
  try {
    accessSync(path, constants.W_OK);
  } catch (e) {
    const problem = stateProblem(e);
    return {
      name: 'audit log',
      status: 'fail',
      detail: problem && problem !== 'denied' ? describeStateProblem('the audit log', path, problem) : `cannot write ${path}: ${(e as Error).message}`,
      fix: 'make it writable, or set HARNESS_STATE_DIR or audit.path',
    };
  }
  try {
    const header = Buffer.alloc(100);
    const fd = openSync(path, 'r');
    let read: number;
    try {
      read = readSync(fd, header, 0, 100, 0);
    } finally {
      closeSync(fd);
    }
    // an empty file is a database SQLite has not written to yet
    if (read === 0) return { name: 'audit log', status: 'ok', detail: `${path} (empty: the first harness run sets it up)` };
    if (header.toString('latin1', 0, 16) !== 'SQLite format 3\0')
      return {
        name: 'audit log',
        status: 'fail',
        detail: `${path} is not an SQLite database`,
        fix: 'move it away (harness starts a new log), or set audit.path',
      };
    return { name: 'audit log', status: 'ok', detail: `${path} (schema ${header.readUInt32BE(60)})` };
  } catch (e) {
    return {
      name: 'audit log',
      status: 'fail',
      detail: `cannot read ${path}: ${(e as Error).message}`,
      fix: 'make it readable, or set HARNESS_STATE_DIR or audit.path',
    };
  }
}

export async function runChecks(cwd: string, configPath?: string): Promise<Check[]> {
  const checks: Check[] = [];
  const [major, minor] = process.versions.node.split('.').map(Number);
  checks.push(
    major! > 20 || (major === 20 && minor! >= 19)
      ? { name: 'node', status: 'ok', detail: process.version }
      : { name: 'node', status: 'fail', detail: process.version, fix: 'install Node.js 20.19 or newer' },
  );

  const workspace = findWorkspace(cwd);
  const isGit = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8' }).status === 0;
  checks.push(
    isGit
      ? { name: 'git repository', status: 'ok', detail: workspace }
      : {
          name: 'git repository',
          status: 'warn',
          detail: `${workspace} is not inside a git repository`,
          fix: 'run harness inside your repository (git init for a new one)',
        },
  );

  let auditConfigured: string | undefined;
  // an unreadable config fails its own check; the sandbox is then checked as under the default mode
  let sandboxMode: SandboxSettings['mode'] = 'auto';
  try {
    const loaded = loadConfig(workspace, configPath);
    auditConfigured = loaded.config.audit?.path;
    sandboxMode = loaded.sandbox.mode;
    checks.push({
      name: 'config',
      status: 'ok',
      detail: `${loaded.path ?? 'none (the recommended pack applies; harness init writes a starter config)'}; ${loaded.sources.length} rules from ${loaded.packs.join(', ')}`,
    });
  } catch (e) {
    checks.push({
      name: 'config',
      status: 'fail',
      detail: e instanceof Error ? e.message : String(e),
      fix: 'fix the fields named above; harness check shows the effect',
    });
  }

  checks.push(agentCheck(claudeAdapter, true));
  // the other agents are optional: reported when installed, noted when not
  checks.push(agentCheck(codexAdapter, false), agentCheck(createGeminiAdapter(), false));

  checks.push(stateCheck(stateDirFor(workspace)));
  checks.push(await auditCheck(auditPathFor(workspace, process.env, auditConfigured)));

  try {
    await import('node-pty');
    checks.push({ name: 'terminal (node-pty)', status: 'ok', detail: 'loaded' });
  } catch (e) {
    checks.push({
      name: 'terminal (node-pty)',
      status: 'fail',
      detail: (e as Error).message,
      fix: `${REINSTALL} with build tools present (python3, make, g++)`,
    });
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
