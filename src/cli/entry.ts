import { trace } from '../trace.js';

/**
 * The executable's entry. `harness run …` loads its own command only: the agent's start does not
 * wait for the modules of the other commands (the rules' checker, the log's tables, the
 * checkpoints' views). Anything else, options before the command included, gets the whole program.
 */
export async function main(argv: string[]): Promise<number> {
  trace('cli entry');
  if (argv[2] === 'run') {
    // the session's modules load while the command line is read (`run` imports them itself, and
    // reports if they fail)
    import('../session/supervisor.js').catch(() => undefined);
    const [{ baseProgram, execute, version }, { registerRun }] = await Promise.all([import('./execute.js'), import('./run.js')]);
    trace('cli loaded');
    const program = baseProgram();
    registerRun(program, version());
    return execute(program, argv);
  }
  return (await import('./index.js')).main(argv);
}
