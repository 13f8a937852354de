import { resolve } from 'node:path';
import type { Command } from 'commander';
import { oneLine, UsageError } from '../errors.js';
import { shown } from './args.js';

interface RunCliOptions {
  config?: string;
  hookTransport?: string;
  agentBin?: string;
  summary?: boolean;
  sandbox?: boolean;
  autonomous?: boolean;
  allowHome?: boolean;
}

export function registerRun(program: Command, version: string): void {
  program
    .command('run')
    .description('run a coding agent under supervision: every tool call it makes is decided by your rules first')
    .argument('<agent>', 'the agent to run: claude, codex or gemini; or, after --, any program (watched, not asked: it has no hooks)')
    .argument('[agentArgs...]', 'arguments for the agent (put them after --)')
    .option('-c, --config <file>', 'config file (default: harness.config.json in the workspace)')
    .option(
      '--hook-transport <kind>',
      'how the agent reaches harness: http (fastest; Claude Code only) or command (the native hook client); default: the fastest the agent supports',
    )
    .option('--agent-bin <path>', 'the agent binary (default: $HARNESS_CLAUDE_BIN, $HARNESS_CODEX_BIN or $HARNESS_GEMINI_BIN, else the agent on PATH)')
    .option('--autonomous', "turn the agent's own permission prompts off: harness's rules, its dialog and the sandbox are the only gate (needs the sandbox)")
    .option(
      '--allow-home',
      'let the workspace be your home directory, / or a directory containing home (refused otherwise: every file you own would count as inside the workspace)',
    )
    .option('--no-sandbox', 'run the agent without the OS sandbox (its scripts can then reach anything you can)')
    .option('--no-summary', 'do not print the session summary when the agent exits')
    .passThroughOptions()
    .addHelpText(
      'after',
      `
Examples:
  harness run claude
  harness run claude -- --model sonnet
  harness run claude -- -p "fix the failing test" --output-format stream-json --verbose
  harness run codex
  harness run codex -- exec "fix the failing test"
  harness run gemini -- -p "fix the failing test"
  harness run --autonomous claude         Claude Code's own prompts off: harness alone decides,
                                           inside the sandbox
  harness run -- aider --model sonnet      any program: no hooks, so nothing is asked first;
                                           watched, checkpointed as the tree changes, logged

The workspace is the git repository around the current directory, or the directory itself.
harness refuses to start when that is your home directory, / or a directory containing your
home (a dotfiles repository at ~ counts): cd into a project, or pass --allow-home.

The agent's exit code becomes harness's exit code. Without a terminal (CI, pipes) an "ask"
resolves by approvals.whenNoTty in the config (default: deny) and is logged.`,
    )
    .action(async function (this: Command, agent: string, agentArgs: string[], opts: RunCliOptions) {
      if (opts.hookTransport !== undefined && opts.hookTransport !== 'http' && opts.hookTransport !== 'command') {
        throw new UsageError(`--hook-transport: expected http or command (found ${shown(opts.hookTransport)})`);
      }
      if (opts.agentBin !== undefined && opts.agentBin.trim() === '') throw new UsageError('--agent-bin: expected the path of the agent binary (found "")');
      if (agent.trim() === '') throw new UsageError('expected an agent (claude, codex, gemini) or, after --, a program (found "")');
      // `harness run claude -- -p x`: the separator is harness's, not the agent's
      const args = agentArgs[0] === '--' ? agentArgs.slice(1) : agentArgs;
      // `harness run -- <program>`: the program comes right after the separator
      // commander keeps rawArgs without declaring it; the rule takes the added optional field for no change
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
      const raw = (this.parent as (Command & { rawArgs?: string[] }) | null)?.rawArgs ?? process.argv;
      const separator = raw.indexOf('--', raw.indexOf('run'));
      const mode = separator >= 0 && raw[separator + 1] === agent ? 'command' : 'agent';
      // loaded here, not at start-up: the pty module is only needed to run an agent
      const { runSession } = await import('../session/supervisor.js');
      const result = await runSession({
        agent,
        mode,
        args,
        cwd: resolve(process.cwd()),
        configPath: opts.config,
        transport: opts.hookTransport,
        binary: opts.agentBin,
        noSandbox: opts.sandbox === false,
        autonomous: opts.autonomous === true,
        allowHome: opts.allowHome === true,
        version,
        // Ink and React load while the agent starts; the session builds the TUI once it is set up
        ui: () => import('../tui/tui.js').then((m) => m.makeTui),
      });
      // the agent's exit code is harness's, whatever happens to the summary
      process.exitCode = result.exitCode;
      if (opts.summary !== false) {
        try {
          // loaded once the agent has exited: its start does not wait for the log's modules
          const [{ AuditLog }, { formatSummary }, { useColor }] = await Promise.all([import('../audit/store.js'), import('./log.js'), import('./output.js')]);
          useColor(process.stderr);
          const log = AuditLog.open(result.auditPath);
          try {
            const summary = log.summary(result.sessionId);
            if (summary) process.stderr.write(`\n${formatSummary(summary)}\n  details: harness log --session ${result.sessionId}\n`);
          } finally {
            log.close();
          }
        } catch (error) {
          process.stderr.write(`harness: no session summary: ${oneLine(error)}\n`);
        }
      }
    });
}
