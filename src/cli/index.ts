import type { Command } from 'commander';
import { baseProgram, execute, version } from './execute.js';
import { registerCheck } from './check.js';
import { registerRules } from './rules.js';
import { registerLog } from './log.js';
import { registerRun } from './run.js';
import { registerDoctor } from './doctor.js';
import { registerInit } from './init.js';
import { registerCheckpoints } from './checkpoints.js';
import { trace } from '../trace.js';

export { internalError } from './execute.js';

/** `harness` with all its commands. */
export function buildProgram(): Command {
  const program = baseProgram();
  registerRun(program, version());
  registerCheck(program);
  registerRules(program);
  registerLog(program);
  registerCheckpoints(program);
  registerDoctor(program);
  registerInit(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  trace('cli loaded');
  return execute(buildProgram(), argv);
}
