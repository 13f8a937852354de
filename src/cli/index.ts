import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { HarnessError } from '../errors.js';
import { registerCheck } from './check.js';
import { registerRules } from './rules.js';
import { registerLog } from './log.js';
import { registerRun } from './run.js';
import { registerDoctor } from './doctor.js';
import { registerCheckpoints } from './checkpoints.js';

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('harness')
    .description('Supervise a local coding agent: deterministic allow/ask/deny rules for every tool call it makes.')
    .version(version(), '-V, --version')
    .showHelpAfterError()
    .enablePositionalOptions()
    .exitOverride();
  registerRun(program, version());
  registerCheck(program);
  registerRules(program);
  registerLog(program);
  registerCheckpoints(program);
  registerDoctor(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      return error.exitCode === 0 ? 0 : 2;
    }
    if (error instanceof HarnessError) {
      process.stderr.write(`harness: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`harness: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return 1;
  }
}
