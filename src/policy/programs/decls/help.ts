import type { HelpSpec, ProgramDecl } from '../types.js';

/**
 * Programs that answer a help (or version) flag by printing text and exiting before they act, and
 * where in argv they look for it. Only programs known to do so are declared: elsewhere `--help` is
 * just another word (`docker run img --help` hands it to the container).
 */

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

export const HELP_DECLS: ProgramDecl[] = Object.entries(HELP).map(([name, help]): ProgramDecl => ({ names: [name], help }));
