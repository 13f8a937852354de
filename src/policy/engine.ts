import type { PolicyDefaults } from './defaults.js';
import type { Decision, Effect, ExplainedCommand, FileOp, PolicyContext, RuleHit, ScriptFile, ShellCommand, ToolCall, Verdict } from './types.js';
import { VERDICT_RANK } from './types.js';
import { analyzeShell, DEFAULT_LIMITS, judgedOnDisk, type ShellLimits } from './shell/analyze.js';
import { commandEffects, symlinkCreated, throughLinks, toEffect } from './effects.js';
import { commandNames, compileRule, type CompiledRule, type RuleSpec } from './rules.js';
import { isInside, locationOf } from './paths.js';
import { isReadOnly } from './readonly.js';
import { textArg } from './shell/words.js';
import { concernDecision } from './concerns.js';
import { asksOnlyForHelp } from './programs/help.js';
import { programFacts, type ProgramFacts } from './programs/classify.js';
import { programOf } from './programs/registry.js';

export { DEFAULT_DEFAULTS, type PolicyDefaults } from './defaults.js';

export interface RuleSource {
  spec: RuleSpec;
  origin: string;
}

export interface Policy {
  ctx: PolicyContext;
  defaults: PolicyDefaults;
  rules: CompiledRule[];
  limits: ShellLimits;
  byCommand: Map<string, CompiledRule[]>;
  tagRules: CompiledRule[];
  pathRules: CompiledRule[];
}

export function compilePolicy(sources: RuleSource[], defaults: PolicyDefaults, ctx: PolicyContext, limits: ShellLimits = DEFAULT_LIMITS): Policy {
  const rules = sources.map((s) => compileRule(s.spec, s.origin, ctx));
  const byCommand = new Map<string, CompiledRule[]>();
  const tagRules: CompiledRule[] = [];
  const pathRules: CompiledRule[] = [];
  for (const rule of rules) {
    if (rule.spec.command !== undefined) {
      for (const name of commandNames(rule.spec)) {
        const bucket = byCommand.get(name) ?? [];
        bucket.push(rule);
        byCommand.set(name, bucket);
      }
    } else if (rule.spec.tag !== undefined) tagRules.push(rule);
    if (rule.matchEffect) pathRules.push(rule);
  }
  return { ctx, defaults, rules, limits, byCommand, tagRules, pathRules };
}

/** Core checks that hold whatever the config says: what harness cannot see is never allowed silently. */
const CORE = {
  dynamicCommand: {
    id: 'core.dynamic-command',
    reason: 'The command name is computed at run time (a variable or substitution), so harness cannot tell what would run. Write the command name literally.',
  },
  dynamicCode: {
    id: 'core.dynamic-code',
    reason:
      'Code passed to a shell or interpreter is built from variables or substitutions harness cannot resolve. Write the code literally, or put it in a script file in the workspace and run that.',
  },
  hiddenCode: {
    id: 'core.hidden-code',
    reason:
      'This runs code harness cannot inspect (piped or decoded script text, a shell started by another program, an editor or debugger command, an exec call with a computed argument, or a program named in config). Put the code in a file in the workspace and run it, so it can be reviewed.',
  },
  unknownPath: {
    id: 'core.unknown-path',
    reason: 'This writes or deletes a path that is computed at run time, so harness cannot check it against the path rules. Use a literal path.',
  },
  refused: {
    id: 'core.shell-refuses',
    reason: "bash refuses this command line before running any of it, so nothing runs; the agent sees bash's syntax error.",
  },
  parseError: {
    id: 'core.parse-error',
    reason: 'The command does not parse as shell syntax, so harness cannot analyze it. Fix the quoting or split it into simpler commands.',
  },
  limit: {
    id: 'core.limit',
    reason: 'The command is too large or too deeply nested to analyze completely. Split it up, or write a script file in the workspace and run that.',
  },
} as const;

/** Tags that say what harness cannot see, not what a command does. */
const UNSEEN_TAGS: ReadonlySet<string> = new Set(['dynamic-command', 'dynamic-code', 'hidden-code', 'exec-outside']);

const CORE_TAGS: Partial<Record<string, { id: string; reason: string }>> = {
  'dynamic-command': CORE.dynamicCommand,
  'dynamic-code': CORE.dynamicCode,
  'hidden-code': CORE.hiddenCode,
};

/** Keeps every hit; the first of the strongest verdict decides (deny > ask > allow). */
class Collector {
  readonly hits: RuleHit[] = [];
  decisive: RuleHit | null = null;

  get verdict(): Verdict {
    return this.decisive?.verdict ?? 'allow';
  }

  /** `into`: a collector for a command that may not run (see ShellCommand.maybe), whose denies ask. */
  constructor(private readonly into?: Collector) {}

  add(hit: RuleHit): void {
    if (this.into) {
      const unsure = hit.verdict === 'deny' ? { ...hit, verdict: 'ask' as const, certainty: 'possible' as const, reason: `${hit.reason} ${MAYBE_RUNS}` } : hit;
      this.into.add(unsure);
      return;
    }
    this.hits.push(hit);
    if (!this.decisive || VERDICT_RANK[hit.verdict] > VERDICT_RANK[this.decisive.verdict]) this.decisive = hit;
  }

  /** What is added to it is added here, a deny as an ask. */
  unsure(): Collector {
    return new Collector(this);
  }
}

const MAYBE_RUNS = '(A program harness has no declaration for may run this command: harness cannot tell whether it does.)';

function ruleHit(rule: CompiledRule, certainty: 'certain' | 'possible', where: { command?: string; path?: string; file?: string }): RuleHit | null {
  let verdict = rule.spec.decision;
  if (certainty === 'possible') {
    if (verdict === 'allow') return null;
    if (verdict === 'deny') verdict = 'ask';
  }
  const possible = certainty === 'possible' && rule.spec.decision === 'deny' ? ' (Could match: part of the command is only known at run time.)' : '';
  const inFile = where.file ? ` (Found in ${where.file}, which the command runs.)` : '';
  const { file: _file, ...at } = where;
  return { ruleId: rule.spec.id, verdict, reason: `${rule.spec.reason}${possible}${inFile}`, certainty, ...at };
}

function describeOp(op: FileOp): string {
  return op === 'read' ? 'Reading' : op === 'write' ? 'Writing' : 'Deleting';
}

function effectDecision(effect: Effect, policy: Policy, out: Collector, file?: string, onDisk = false): void {
  const where = { path: effect.path, command: effect.source, ...(file ? { file } : {}) };
  if (effect.unknown) {
    // a script on disk was run unseen before harness read it: what it computes at run time is left to the sandbox
    if (effect.op !== 'read' && !effect.guessed && !onDisk)
      out.add({
        ruleId: CORE.unknownPath.id,
        verdict: 'ask',
        reason: CORE.unknownPath.reason,
        certainty: 'possible',
        path: where.path,
        command: where.command,
      });
    return;
  }
  let matched = false;
  for (const rule of policy.pathRules) {
    const certainty = rule.matchEffect!(effect);
    if (!certainty) continue;
    const hit = ruleHit(rule, certainty, where);
    if (hit) {
      matched = true;
      out.add(hit);
    }
  }
  // a guessed effect (an operand of a program nobody declared) only meets the rules that name its path
  if (matched || effect.guessed) return;
  const location = locationOf(effect.glob ? effect.base : effect.path, policy.ctx);
  // scratch space (a temp dir) gets the workspace's defaults
  const inside = location !== 'outside';
  const verdict = inside ? policy.defaults[effect.op] : policy.defaults.outsideWorkspace[effect.op];
  if (verdict === 'allow') return;
  out.add({
    ruleId: inside ? `default.${effect.op}` : `default.outside-workspace.${effect.op}`,
    verdict,
    reason: inside
      ? `${describeOp(effect.op)} files in the ${location === 'scratch' ? 'temp directory' : 'workspace'} needs approval by this configuration.`
      : `${describeOp(effect.op)} outside the workspace (${effect.path}) needs approval. Work inside ${policy.ctx.workspace}, or ask the user to allow this path.`,
    certainty: 'certain',
    path: where.path,
    command: where.command,
  });
}

function commandDecision(command: ShellCommand, policy: Policy, out: Collector, facts: ProgramFacts, onDisk = false): void {
  const where = { command: command.text, ...(command.file ? { file: command.file } : {}) };
  let ruled = false;
  // A command that only asks for help does nothing its rules speak about (tags still count).
  const rules = asksOnlyForHelp(command) ? [] : (policy.byCommand.get(command.name) ?? []);
  for (const rule of rules) {
    const certainty = rule.matchCommand!(command);
    if (!certainty) continue;
    const hit = ruleHit(rule, certainty, where);
    if (hit) {
      ruled = true;
      out.add(hit);
    }
  }
  for (const tag of command.tags) {
    // inside a script on disk, what harness cannot see is as unseen as the whole script was before it read it:
    // only what it does see (the rules) counts, not the core asks for computed code and commands
    const core = onDisk ? undefined : CORE_TAGS[tag];
    if (core)
      out.add({
        ruleId: core.id,
        verdict: 'ask',
        reason: `${core.reason}${command.file ? ` (Found in ${command.file}, which the command runs.)` : ''}`,
        certainty: 'possible',
        command: command.text,
      });
  }
  for (const rule of policy.tagRules) {
    // inside a script on disk, tags that only say "harness cannot see this" do not ask (see onDisk)
    if (onDisk && rule.spec.tag !== undefined && UNSEEN_TAGS.has(rule.spec.tag)) continue;
    const certainty = rule.matchCommand!(command);
    const hit = certainty ? ruleHit(rule, certainty, where) : null;
    // name what the program stage saw: `remote-irreversible` because of `aws secretsmanager delete-secret`
    const because = rule.spec.tag ? facts.because[rule.spec.tag] : undefined;
    if (hit && because) hit.reason = `${hit.reason} (${because})`;
    if (hit) out.add(hit);
  }
  if (!ruled && command.name !== '' && policy.defaults.shell !== 'allow') {
    out.add({
      ruleId: 'default.shell',
      verdict: policy.defaults.shell,
      reason: 'Commands no rule allows need approval by this configuration.',
      certainty: 'certain',
      command: command.text,
    });
  }
}

function explain(command: ShellCommand, effects: Effect[]): ExplainedCommand {
  return {
    argv: command.argv.map((a) => a.value),
    cwd: command.cwd,
    via: command.via,
    text: command.text,
    tags: command.tags,
    effects: effects.map((e) => ({ op: e.op, path: e.path, recursive: e.recursive, unknown: e.unknown })),
  };
}

function finish(out: Collector, mutates: boolean, commands: ExplainedCommand[]): Decision {
  const d = out.decisive;
  if (!d || d.verdict === 'allow') {
    const allowHit = out.hits.find((h) => h.verdict === 'allow');
    return {
      verdict: 'allow',
      ruleId: allowHit?.ruleId ?? null,
      reason: allowHit?.reason ?? 'No rule objects to this.',
      mutates,
      hits: out.hits,
      commands,
    };
  }
  return { verdict: out.verdict, ruleId: d.ruleId, reason: d.reason, mutates, hits: out.hits, commands };
}

function decideShell(command: string, cwd: string | null, policy: Policy, files?: ReadonlyMap<string, ScriptFile>): Decision {
  const out = new Collector();
  const analysis = analyzeShell(command, cwd, policy.ctx.home, policy.ctx.workspace, policy.limits, policy.ctx.vars, files);
  const explained: ExplainedCommand[] = [];
  let mutates = false;
  const links = new Map<string, string>();
  /** Files earlier commands of this line wrote: a program among them is the command line's own (`gcc -o /tmp/t t.c && /tmp/t`). */
  const wrote = new Set<string>();
  /** Files judged by their content, by the index of the first command found in them. */
  // (a script a judged script runs after changing it is that script's own doing, judged with it)
  const judgedAt = [
    ...[...analysis.judged].filter(([, j]) => j.at !== undefined && !j.nested && (j.sha256 !== null || j.note === 'missing')),
    // not read yet (the next round reads it; with no files at all, as `decide` alone judges): like a missing one
    ...[...analysis.unread].filter(([path]) => !analysis.judged.has(path)).map(([path, at]) => [path, { sha256: null, at }] as const),
  ];
  let index = 0;
  for (const cmd of analysis.commands) {
    const effects = commandEffects(cmd, { home: policy.ctx.home }).map((e) => throughLinks(e, links));
    if (cmd.runs !== undefined && wrote.has(cmd.runs) && locationOf(cmd.runs, policy.ctx) === 'scratch')
      cmd.tags = cmd.tags.filter((t) => t !== 'exec-outside');
    for (const e of effects) if (e.op === 'write' && !e.glob && !e.unknown) wrote.add(e.path);
    // A file judged by what was on disk, changed by a command before it on the line (`sed -i … x.sh && bash x.sh`,
    // `cp other.sh x.sh && bash x.sh`, `git checkout b && bash x.sh`): what runs is not what was judged.
    for (const [path, j] of judgedAt) {
      if (
        index >= j.at! ||
        // a compiler's output is the line's own build (`gcc -o /tmp/t t.c && /tmp/t`)
        programOf(cmd.name)?.compiles ||
        (effects.every(
          (e) =>
            e.guessed ||
            e.op === 'read' ||
            e.attributes ||
            !(e.unknown || e.path === path || (e.glob && isInside(path, e.base)) || (e.recursive && isInside(path, e.path))),
        ) &&
          !rewritesTree(cmd))
      )
        continue;
      const what =
        j.sha256 === null
          ? 'written on this command line before it runs, with content harness did not see'
          : 'changed on this command line before it runs, so what runs is not what harness judged';
      out.add({
        ruleId: CORE.hiddenCode.id,
        verdict: 'ask',
        reason: `${path} is ${what}. Run the change and the script as separate commands.`,
        certainty: 'possible',
        command: cmd.text,
        path,
      });
    }
    index++;
    const link = symlinkCreated(cmd, { home: policy.ctx.home });
    if (link) links.set(link.link, link.target);
    // the program stage: what the command does by its program's declaration
    const facts = programFacts(cmd);
    for (const tag of facts.tags) if (!cmd.tags.includes(tag)) cmd.tags.push(tag);
    const onDisk = cmd.file !== undefined && judgedOnDisk(analysis.judged, cmd.file);
    const sink = cmd.maybe ? out.unsure() : out;
    commandDecision(cmd, policy, sink, facts, onDisk);
    for (const effect of effects) effectDecision(effect, policy, sink, cmd.file, onDisk);
    if (!isReadOnly(cmd) || effects.some((e) => e.op !== 'read')) mutates = true;
    explained.push(explain(cmd, effects));
  }
  if (analysis.errors.length > 0) {
    out.add({
      ruleId: CORE.parseError.id,
      verdict: policy.defaults.onParseError,
      reason: `${CORE.parseError.reason} (${analysis.errors[0]})`,
      certainty: 'certain',
    });
    mutates = true;
  }
  if (analysis.refused !== null && analysis.errors.length === 0 && !analysis.limit) {
    // what the parser read of the line is still judged above: a rule that objects to it stands
    out.add({ ruleId: CORE.refused.id, verdict: 'allow', reason: `${CORE.refused.reason} (${analysis.refused})`, certainty: 'certain' });
    mutates = false;
  }
  if (analysis.limit) {
    out.add({ ruleId: CORE.limit.id, verdict: policy.defaults.onLimit, reason: `${CORE.limit.reason} (${analysis.limit})`, certainty: 'certain' });
    mutates = true;
  }
  const decision = finish(out, mutates, explained);
  const judged = [...analysis.judged].filter(([, j]) => j.note !== 'missing');
  if (judged.length > 0) decision.scripts = judged.map(([path, j]) => ({ path, sha256: j.sha256, ...(j.note ? { note: j.note } : {}) }));
  if (analysis.wanted.length > 0) decision.needs = analysis.wanted;
  return decision;
}

/** git commands that rewrite tracked files in the working tree. */
function rewritesTree(command: ShellCommand): boolean {
  if (command.name !== 'git') return false;
  const words = command.argv.slice(1).map((a) => a.value);
  const at = words.findIndex((w) => !w.startsWith('-'));
  const rest = words.slice(at + 1);
  const operands = rest.filter((w) => !w.startsWith('-'));
  switch (at === -1 ? undefined : words[at]) {
    case 'checkout':
      // a new branch where HEAD is (`checkout -b x`, no start point): the files stay as they are
      return !(rest.some((w) => w === '-b' || w === '-B') && operands.length <= 1);
    case 'switch':
      return !(rest.some((w) => ['-c', '-C', '--create', '--force-create'].includes(w)) && operands.length <= 1);
    case 'reset':
      // a soft or mixed reset moves HEAD and the index; only these rewrite files
      return rest.some((w) => w === '--hard' || w === '--merge' || w === '--keep');
    case 'stash':
      return operands[0] !== 'list' && operands[0] !== 'show';
    case 'pull':
    case 'merge':
    case 'rebase':
    case 'restore':
    case 'am':
    case 'apply':
    case 'cherry-pick':
    case 'revert':
      return true;
    default:
      return false;
  }
}

function decideFile(op: FileOp, path: string, cwd: string | null, policy: Policy): Decision {
  const out = new Collector();
  const effect = toEffect(textArg(path), op, cwd, false, `${op} ${path}`, { home: policy.ctx.home });
  // File tools name one literal file: glob characters in its name are just characters.
  if (effect) {
    effect.glob = false;
    effect.base = effect.path;
    effectDecision(effect, policy, out);
  }
  return finish(out, op !== 'read', []);
}

/**
 * The decision for one tool call. Pure and deterministic: same call, same policy, same files,
 * same answer. `files` are the scripts the command runs, as the session read them; a decision
 * that `needs` more is decided again once they are read.
 */
export function decide(call: ToolCall, policy: Policy, files?: ReadonlyMap<string, ScriptFile>): Decision {
  switch (call.kind) {
    case 'shell':
      return decideShell(call.command, call.cwd ?? policy.ctx.workspace, policy, files);
    case 'file':
      return decideFile(call.op, call.path, call.cwd ?? policy.ctx.workspace, policy);
    case 'concern':
      return concernDecision(call.concern, call.tool, call.detail);
    default: {
      const verdict = policy.defaults[call.kind];
      return {
        verdict,
        ruleId: `default.${call.kind}`,
        reason: verdict === 'allow' ? 'Allowed by default for this kind of tool.' : `${call.tool} calls need approval by this configuration.`,
        mutates: call.kind !== 'fetch',
        hits: [],
        commands: [],
      };
    }
  }
}
