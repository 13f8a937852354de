import type { ShellCommand } from '../types.js';
import { readOption } from './argv.js';
import { programOf } from './registry.js';
import type { HelpSpec } from './types.js';

export function asksOnlyForHelp(command: ShellCommand): boolean {
  const spec = programOf(command.name)?.help;
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
