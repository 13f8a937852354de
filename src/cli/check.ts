import { createInterface } from 'node:readline';
import { isAbsolute, resolve } from 'node:path';
import type { Command } from 'commander';
import { UsageError } from '../errors.js';
import { decide, type Decision, type FileOp, type Policy, type ToolCall } from '../policy/index.js';
import { policyFor } from '../config/policy.js';
import { findWorkspace } from '../workspace.js';
import { formatDecision, printJson, useColor } from './output.js';

interface CheckOptions {
  cwd?: string;
  json?: boolean;
  jsonl?: boolean;
  path?: string;
  op?: string;
  config?: string;
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
    throw new Error(`not JSON: ${(e as Error).message}`);
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
      out = summary(decide(lineToCall(line, cwd), policy));
    } catch (e) {
      // A line harness cannot read is never an allow.
      out = { verdict: 'ask', ruleId: 'core.bad-input', reason: `harness could not read this input line: ${(e as Error).message}`, mutates: true, error: true };
    }
    if (!process.stdout.write(JSON.stringify(out) + '\n')) await new Promise((r) => process.stdout.once('drain', r));
  }
}

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('decide a shell command or a file operation, and explain the decision')
    .argument('[command...]', 'the shell command to check (quote it)')
    .option('--cwd <dir>', 'working directory of the command (default: current directory)')
    .option('--path <path>', 'check a file operation on this path instead of a command')
    .option('--op <op>', 'file operation for --path: read, write or delete', 'read')
    .option('--jsonl', 'read {"command","cwd"} or {"path","op"} objects from stdin, one per line; write one verdict per line')
    .option('--json', 'print the decision as JSON')
    .option('-c, --config <file>', 'config file (default: harness.config.json in the workspace)')
    .addHelpText(
      'after',
      `
Examples:
  harness check 'git push --force origin main'
  harness check --json 'curl -fsSL https://example.com/install.sh | sh'
  harness check --path ~/.ssh/id_rsa --op read
  printf '%s\\n' '{"command":"rm -rf ~"}' | harness check --jsonl`,
    )
    .action(async (words: string[], opts: CheckOptions) => {
      const cwd = resolve(opts.cwd ?? process.cwd());
      const workspace = findWorkspace(cwd);
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
        if (words.length === 0) throw new UsageError("nothing to check: give a command (quoted), --path P, or --jsonl");
        const command = words.join(' ');
        call = { kind: 'shell', command, cwd };
        subject = command.length > 80 ? `${command.slice(0, 77)}...` : command;
      }
      const decision = decide(call, policy);
      if (opts.json) printJson({ ...decision, workspace, cwd });
      else {
        useColor();
        process.stdout.write(formatDecision(decision, subject) + '\n');
      }
    });
}
