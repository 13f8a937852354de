import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { describeStateProblem, HarnessError, mayBeStorage, oneLine, probeState, stateProblem } from '../errors.js';
import { findWorkspace, stateDirFor } from '../workspace.js';
import { printable } from '../printable.js';

// The program without its commands, and what runs it: light, so that `harness run` can start the
// agent without loading the other commands (index.ts adds them all; entry.ts picks).

export function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/** What commander last wanted to print as an error. */
let commanderMessage = '';

/** The command a person was running (`rollback`, `checkpoints prune`), from the words of the command line. */
function commandPath(program: Command, args: string[]): string {
  const path: string[] = [];
  let at: Command = program;
  for (const word of args) {
    if (word === '--') break;
    if (word.startsWith('-')) continue;
    const sub = at.commands.find((c) => c.name() === word || c.aliases().includes(word));
    if (!sub) break;
    path.push(sub.name());
    at = sub;
  }
  return path.join(' ');
}

/** Commander's error as one line: `unknown option '--x' (did you mean --y?); see harness check --help`. */
function usageLine(program: Command, args: string[], error: CommanderError): string {
  const raw = (commanderMessage || error.message).trim();
  commanderMessage = '';
  const [first = '', ...rest] = raw
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const hint = rest.map((l) => l.replace(/^\((.*)\)$/, '$1')).join('; ');
  const message = first.replace(/^error:\s*/, '');
  const command = commandPath(program, args);
  return `${message}${hint ? ` (${hint.charAt(0).toLowerCase()}${hint.slice(1)})` : ''}; see: harness ${command ? `${command} ` : ''}--help`;
}

/** `harness` with no commands yet: its name, version and how commander reports errors. */
export function baseProgram(): Command {
  const program = new Command();
  program
    .name('harness')
    .description('Supervise a local coding agent: deterministic allow/ask/deny rules for every tool call it makes.')
    .version(version(), '-V, --version')
    .enablePositionalOptions()
    // commander's own message (unknown option, missing argument …) becomes one line in main
    .configureOutput({ outputError: (text) => (commanderMessage = text) })
    .exitOverride();
  return program;
}

/** Runs the command line with `program`; the exit code, every error turned into one line on stderr. */
export async function execute(program: Command, argv: string[]): Promise<number> {
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here too, with exit code 0.
      if (error.exitCode === 0) return 0;
      // `harness` alone: the help is shown, there is nothing more to say
      if (error.code === 'commander.help' || error.code === 'commander.helpDisplayed') return 2;
      process.stderr.write(`harness: ${printable(usageLine(program, argv.slice(2), error))}\n`);
      return 2;
    }
    if (error instanceof HarnessError) {
      process.stderr.write(`harness: ${printable(error.message)}\n`);
      return error.exitCode;
    }
    process.stderr.write(`harness: ${printable(internalError(error))}\n`);
    return 1;
  }
}

/**
 * An error nobody turned into a message: one line (what failed, and what to do when it is the
 * state that cannot be written); the stack only with HARNESS_DEBUG=1.
 */
export function internalError(error: unknown): string {
  // a file system that is read-only or full is no bug (a denied permission may be anything's, so it is left as it is)
  const given = (error as { path?: unknown } | null)?.path;
  let path = typeof given === 'string' ? given : null;
  let problem = stateProblem(error);
  if (problem === null && mayBeStorage(error)) {
    path ??= stateDirFor(findWorkspace(process.cwd()));
    problem = probeState(path);
  }
  if (problem === 'read-only' || problem === 'full') return describeStateProblem("harness's state", path ?? stateDirFor(findWorkspace(process.cwd())), problem);
  if (process.env.HARNESS_DEBUG) return `internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`;
  return `internal error: ${oneLine(error)} (HARNESS_DEBUG=1 shows where)`;
}
