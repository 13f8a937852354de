import type { Command } from 'commander';
import { existingDir } from './args.js';
import kleur from 'kleur';
import { HarnessError } from '../errors.js';
import { loadConfig } from '../config/load.js';
import { describeExample, runExamples } from '../config/examples.js';
import type { RuleSpec } from '../policy/index.js';
import { findWorkspace } from '../workspace.js';
import { paintVerdict, printJson, useColor } from './output.js';

function matcherSummary(spec: RuleSpec): string {
  if (spec.tag) return `tag ${spec.tag}`;
  if (spec.paths) return `${(spec.ops ?? ['read', 'write', 'delete']).join('/')} ${spec.paths.slice(0, 3).join(' ')}${spec.paths.length > 3 ? ' …' : ''}`;
  const command = spec.command ?? [];
  // each program with its own subcommands: `cargo publish|yank, gem push`
  if (typeof command === 'object' && !Array.isArray(command)) {
    const programs = Object.entries(command);
    const shown = programs.slice(0, 3).map(([name, subs]) => `${name} ${[subs].flat().join('|')}`);
    return `${shown.join(', ')}${programs.length > 3 ? ', …' : ''}`;
  }
  const names = [command].flat();
  const sub = spec.subcommand ? ` ${[spec.subcommand].flat().join('|')}` : '';
  return `${names.slice(0, 3).join('|')}${names.length > 3 ? '|…' : ''}${sub}`;
}

interface RulesOptions {
  json?: boolean;
  config?: string;
  cwd?: string;
}

function load(opts: RulesOptions) {
  const workspace = findWorkspace(existingDir('--cwd', opts.cwd));
  return loadConfig(workspace, opts.config);
}

export function registerRules(program: Command): void {
  const rules = program.command('rules').description('list the rules in force and test their examples');
  rules
    .command('list')
    .description('list rule ids, decisions and where they come from')
    .option('--json', 'print the rules as JSON')
    .option('-c, --config <file>', 'config file (default: harness.config.json in the workspace)')
    .option('--cwd <dir>', 'workspace to load the config from')
    .action((opts: RulesOptions) => {
      const loaded = load(opts);
      if (opts.json) {
        printJson({
          config: loaded.path,
          packs: loaded.packs,
          defaults: loaded.defaults,
          rules: loaded.sources.map(({ spec, origin }) => ({ id: spec.id, decision: spec.decision, origin, match: matcherSummary(spec), reason: spec.reason })),
        });
        return;
      }
      useColor();
      const width = Math.max(...loaded.sources.map((s) => s.spec.id.length));
      process.stdout.write(kleur.dim(`config: ${loaded.path ?? '(none: recommended pack)'}   packs: ${loaded.packs.join(', ')}\n`));
      for (const { spec, origin } of loaded.sources) {
        process.stdout.write(`${paintVerdict(spec.decision)} ${spec.id.padEnd(width)}  ${kleur.dim(origin.padEnd(11))} ${matcherSummary(spec)}\n`);
      }
      process.stdout.write(kleur.dim(`${loaded.sources.length} rules\n`));
    });
  rules
    .command('test')
    .description("run every rule's inline examples (packs and your config)")
    .option('--json', 'print the results as JSON')
    .option('-c, --config <file>', 'config file (default: harness.config.json in the workspace)')
    .option('--cwd <dir>', 'workspace to load the config from')
    .action((opts: RulesOptions) => {
      const loaded = load(opts);
      const results = runExamples(loaded.sources, loaded.defaults);
      const failed = results.filter((r) => !r.ok);
      if (opts.json) printJson({ total: results.length, failed: failed.length, failures: failed });
      else {
        useColor();
        for (const f of failed) {
          const why = f.expect === 'match' ? `should match but did not (matched: ${f.matched.join(', ') || 'nothing'})` : 'should not match but did';
          process.stdout.write(`${kleur.red('FAIL')} ${f.ruleId} ${kleur.dim(`[${f.origin}]`)}: ${describeExample(f.example)}\n     ${why}\n`);
        }
        process.stdout.write(`${results.length - failed.length} passed, ${failed.length} failed\n`);
      }
      if (failed.length > 0) throw new HarnessError(`${failed.length} rule example(s) failed`, 1);
    });
}
