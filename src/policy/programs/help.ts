import type { ShellCommand } from '../types.js';
import { readOption } from './argv.js';
import { programOf } from './registry.js';

/**
 * Programs that answer a help (or version) flag by printing text and exiting before they act, and
 * where in argv they look for it. Only programs known to do so are declared: elsewhere `--help` is
 * just another word (`docker run img --help` hands it to the container).
 */
interface HelpSpec {
  flags: readonly string[];
  /**
   * - `before-operands`: GNU and BSD utilities. GNU prints help wherever the flag is, but BSD getopt
   *   stops at the first operand (`rm -rf x --help` deletes x there), so only before it.
   * - `after-subcommand`: git turns `git SUB --help` into `git help SUB` only right after SUB.
   * - `anywhere`: option parsers that read every option before running (cobra, npm's nopt,
   *   terraform's cli), up to a literal `--`.
   */
  where: 'before-operands' | 'after-subcommand' | 'anywhere';
  /** Flags that mean help only as the sole word after the subcommand (`git restore -h`). */
  alone?: readonly string[];
  /** Subcommands that hand the rest of argv to another program (`npm exec x --help`). */
  except?: readonly string[];
  /** When set, only these subcommands are the program's own (others are plugins that get argv as is). */
  only?: readonly string[];
}

const GNU: HelpSpec = { flags: ['--help', '--version'], where: 'before-operands' };

const KUBECTL_BUILTINS = [
  'annotate', 'api-resources', 'api-versions', 'apply', 'attach', 'auth', 'autoscale', 'certificate', 'cluster-info', 'completion', 'config', 'cordon', 'cp', 'create', 'debug',
  'delete', 'describe', 'diff', 'drain', 'edit', 'events', 'exec', 'explain', 'expose', 'get', 'kustomize', 'label', 'logs', 'patch', 'plugin', 'port-forward', 'proxy',
  'replace', 'rollout', 'run', 'scale', 'set', 'taint', 'top', 'uncordon', 'version', 'wait',
];
const HELM_BUILTINS = [
  'completion', 'create', 'dependency', 'env', 'get', 'history', 'install', 'lint', 'list', 'package', 'plugin', 'pull', 'push', 'registry', 'repo', 'rollback', 'search',
  'show', 'status', 'template', 'test', 'uninstall', 'delete', 'upgrade', 'verify', 'version',
];

const HELP: Record<string, HelpSpec> = {
  git: { flags: ['--help'], where: 'after-subcommand', alone: ['-h'] },
  kubectl: { flags: ['--help', '-h'], where: 'anywhere', only: KUBECTL_BUILTINS },
  helm: { flags: ['--help', '-h'], where: 'anywhere', only: HELM_BUILTINS },
  terraform: { flags: ['-help', '--help', '-h'], where: 'anywhere' },
  tofu: { flags: ['-help', '--help', '-h'], where: 'anywhere' },
  npm: {
    flags: ['--help', '-h', '--usage', '-?'],
    where: 'anywhere',
    // these run scripts or other packages with the words after them
    except: ['exec', 'x', 'run', 'run-script', 'rum', 'urn', 'start', 'stop', 'restart', 'test', 'tst', 't', 'explore', 'init', 'create', 'innit'],
  },
};
for (const tool of ['rm', 'rmdir', 'unlink', 'shred', 'cp', 'mv', 'ln', 'install', 'mkdir', 'mkfifo', 'touch', 'truncate', 'chmod', 'chown', 'chgrp', 'tee']) HELP[tool] = GNU;

/**
 * Does this command only ask for help or its version? Then it prints text and does nothing else:
 * its arguments name no files and no rule about what it does applies. Words harness cannot resolve
 * before the flag (one could be `--` or an operand) make the answer no.
 */
export function asksOnlyForHelp(command: ShellCommand): boolean {
  const spec = HELP[command.name];
  if (!spec) return false;
  const args = command.argv.slice(1);
  const globals = programOf(command.name)?.globals?.values ?? [];
  let subcommand: string | null = null;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.dynamic || a.value === '--') return false;
    const w = a.value;
    if (spec.flags.includes(w)) {
      if (spec.where !== 'after-subcommand') return allowedSubcommand(spec, subcommand);
      // git --help, git SUB --help
      return subcommand === null || args[i - 1]?.value === subcommand;
    }
    if (spec.alone?.includes(w) && subcommand !== null && args[i - 1]?.value === subcommand && i === args.length - 1) return true;
    if (w.startsWith('-') && w.length > 1) {
      if (subcommand === null && readOption(w, globals).takesNext) i++;
      continue;
    }
    if (spec.where === 'before-operands') return false;
    if (subcommand === null) subcommand = w;
    else if (spec.where === 'after-subcommand') return false;
  }
  return false;
}

function allowedSubcommand(spec: HelpSpec, subcommand: string | null): boolean {
  if (subcommand === null) return true;
  if (spec.except?.includes(subcommand)) return false;
  return spec.only === undefined || spec.only.includes(subcommand);
}
