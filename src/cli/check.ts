import { createInterface } from 'node:readline';
import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { type Decision, type FileOp, type Policy, type ToolCall } from '../policy/index.js';
import { decideReading } from '../session/hook/decide-event.js';
import { policyFor } from '../config/policy.js';
import { findWorkspace, homeWorkspaceProblem } from '../workspace.js';
import { formatDecision, paintVerdict, printJson, useColor } from './output.js';
import { loadConfig } from '../config/load.js';
import { gitRemoteHosts, hostPolicyFor } from '../config/network.js';
import { parseDestination } from '../policy/network.js';
import { adapterFor, AGENT_NAMES } from '../agents/index.js';
import kleur from 'kleur';

interface CheckOptions {
  host?: string;
  agent?: string;
  cwd?: string;
  json?: boolean;
  jsonl?: boolean;
  path?: string;
  op?: string;
  config?: string;
  /** `--exit-zero`: exit 0 whatever the verdict. */
  exitZero?: boolean;
}

/**
 * The exit code of one decision: 0 allow, 3 ask, 4 deny. Not 1 or 2: those stay a failure and a
 * usage error, so a script can tell "harness refused the command" from "harness could not check it".
 */
export const VERDICT_EXIT_CODES = { allow: 0, ask: 3, deny: 4 } as const;

function exitFor(verdict: Decision['verdict'], opts: CheckOptions): void {
  if (!opts.exitZero) process.exitCode = VERDICT_EXIT_CODES[verdict];
}

const OPS = new Set(['read', 'write', 'delete']);

function parseOp(op: string | undefined, where: string): FileOp {
  const value = op ?? 'read';
  if (!OPS.has(value)) throw new UsageError(`${where}: op must be read, write or delete (found "${value}")`);
  return value as FileOp;
}

/** One line of `--jsonl` input as a tool call. */
function lineToCall(line: string, defaultCwd: string): ToolCall {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    throw new Error(`not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (value === null || typeof value !== 'object') throw new Error('expected an object with "command" or "path"');
  const o = value as Record<string, unknown>;
  const cwd = typeof o.cwd === 'string' ? (isAbsolute(o.cwd) ? o.cwd : resolve(defaultCwd, o.cwd)) : defaultCwd;
  if (typeof o.command === 'string') return { kind: 'shell', command: o.command, cwd };
  if (typeof o.path === 'string') return { kind: 'file', op: parseOp(typeof o.op === 'string' ? o.op : undefined, 'op'), path: o.path, cwd };
  throw new Error('expected an object with "command" (string) or "path" (string)');
}

function summary(decision: Decision): Record<string, unknown> {
  return { verdict: decision.verdict, ruleId: decision.ruleId, reason: decision.reason, mutates: decision.mutates };
}

async function checkJsonl(policy: Policy, cwd: string): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let out: Record<string, unknown>;
    try {
      out = summary(decideReading(lineToCall(line, cwd), policy));
    } catch (e) {
      // A line harness cannot read is never an allow.
      out = { verdict: 'ask', ruleId: 'core.bad-input', reason: `harness could not read this input line: ${(e as Error).message}`, mutates: true, error: true };
    }
    if (!process.stdout.write(JSON.stringify(out) + '\n')) await new Promise((r) => process.stdout.once('drain', r));
  }
}

/** `harness check --host`: the network decision for one destination, with every rule that speaks about it. */
function checkHost(destination: string, agent: string | undefined, workspace: string, opts: CheckOptions): void {
  const target = parseDestination(destination);
  if (!target) throw new UsageError(`--host: expected host, host:port or a URL (found "${destination}")`);
  const names = agent === undefined ? AGENT_NAMES : [agent];
  const agents = names.map((name) => {
    const adapter = adapterFor(name);
    if (!adapter) throw new UsageError(`--agent: expected ${AGENT_NAMES.join(', ')} (found "${name}")`);
    return { agent: name, endpoints: adapter.sandboxNeeds([], process.env).endpoints };
  });
  const loaded = loadConfig(workspace, opts.config);
  const policy = hostPolicyFor(loaded.sandbox, agents, gitRemoteHosts(workspace));
  const decision = policy.decide(target.host, target.port);
  const matching = policy.matching(target.host, target.port).filter((m) => m.id !== decision.ruleId);
  const subject = `connect ${target.host}:${target.port}`;
  exitFor(decision.verdict, opts);
  if (opts.json) return printJson({ ...decision, host: target.host, port: target.port, otherRules: matching, workspace });
  useColor();
  const lines = [`${paintVerdict(decision.verdict)} ${kleur.bold(decision.ruleId)}  ${kleur.dim(subject)}`, `      ${decision.reason}`];
  if (decision.verdict === 'ask')
    lines.push(kleur.dim('      in a session: the person is asked, the connection waits; without a terminal approvals.whenNoTty decides'));
  if (decision.ruleId === 'network.agent-api')
    lines.push(kleur.dim("      for the agent's own process; a process it started (a script) is asked (network.agent-api-from-process)"));
  if (matching.length > 0) {
    lines.push(kleur.dim('  other rules that matched:'));
    for (const m of matching)
      lines.push(`    ${paintVerdict(m.decision)} ${m.id}${kleur.dim(m.layer === 'builtin' ? "  (harness's defaults: your rules come first)" : '')}`);
  }
  process.stdout.write(lines.join('\n') + '\n');
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('decide a shell command or a file operation, and explain the decision')
    .argument('[command...]', 'the shell command to check (quote it)')
    .option('--cwd <dir>', 'working directory of the command (default: current directory)')
    .option('--path <path>', 'check a file operation on this path instead of a command')
    .option('--op <op>', 'file operation for --path: read, write or delete', 'read')
    .option('--host <host[:port]>', "decide a network connection the agent's processes would make (port 443 when none is given)")
    .option('--agent <name>', `with --host: the agent being run, whose API hosts are allowed (${AGENT_NAMES.join(', ')}; default: all of them)`)
    .option('--jsonl', 'read {"command","cwd"} or {"path","op"} objects from stdin, one per line; write one verdict per line')
    .option('--json', 'print the decision as JSON')
    .option('-c, --config <file>', 'config file (default: harness.config.json in the workspace)')
    .option('--exit-zero', 'exit 0 whatever the verdict (by default ask exits 3 and deny 4)')
    .addHelpText(
      'after',
      `
Examples:
  harness check 'git push --force origin main'
  harness check --json 'curl -fsSL https://example.com/install.sh | sh'
  harness check --path ~/.ssh/id_rsa --op read
  harness check --host paste.rs
  harness check --host registry.npmjs.org:443 --json
  printf '%s\\n' '{"command":"rm -rf ~"}' | harness check --jsonl

Exit codes: 0 allow, 3 ask, 4 deny (1: harness could not check, 2: usage error). A script can
then write  harness check "$cmd" && run "$cmd"  and a refused command never runs: a check that
exits 0 for a deny would fail open. --exit-zero exits 0 for every verdict (read it from --json);
--jsonl always exits 0 when it could read its input, each line carries its own verdict.`,
    )
    .action(async (words: string[], opts: CheckOptions) => {
      const cwd = resolve(opts.cwd ?? process.cwd());
      const workspace = findWorkspace(cwd);
      const atHome = homeWorkspaceProblem(workspace, cwd);
      if (atHome)
        process.stderr.write(
          `harness: warning: ${atHome}; the verdicts below are judged that way, and harness run refuses to start here without --allow-home\n`,
        );
      if (opts.host !== undefined) {
        if (words.length > 0 || opts.path || opts.jsonl) throw new UsageError('--host checks one destination; give no command, --path or --jsonl with it');
        checkHost(opts.host, opts.agent, workspace, opts);
        return;
      }
      if (opts.agent !== undefined) throw new UsageError('--agent goes with --host');
      const { policy } = policyFor(workspace, opts.config);
      if (opts.jsonl) {
        if (words.length > 0 || opts.path) throw new UsageError('--jsonl reads its input from stdin; give no command or --path');
        await checkJsonl(policy, cwd);
        return;
      }
      let call: ToolCall;
      let subject: string;
      if (opts.path !== undefined) {
        if (words.length > 0) throw new UsageError('give either a command or --path, not both');
        call = { kind: 'file', op: parseOp(opts.op, '--op'), path: opts.path, cwd };
        subject = `${call.op} ${opts.path}`;
      } else {
        if (words.length === 0) throw new UsageError('nothing to check: give a command (quoted), --path P, or --jsonl');
        const command = words.join(' ');
        call = { kind: 'shell', command, cwd };
        subject = command.length > 80 ? `${command.slice(0, 77)}...` : command;
      }
      const decision = decideReading(call, policy);
      exitFor(decision.verdict, opts);
      if (opts.json) printJson({ ...decision, workspace, cwd });
      else {
        useColor();
        process.stdout.write(formatDecision(decision, subject) + '\n');
      }
    });
}
