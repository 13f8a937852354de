import kleur from 'kleur';
import type { Decision, Verdict } from '../policy/index.js';

// isTTY is left undefined, not false, on a stream that is not a terminal
export function useColor(stream: { readonly isTTY?: boolean } = process.stdout): void {
  kleur.enabled = Boolean(stream.isTTY) && process.env.NO_COLOR === undefined && process.env.TERM !== 'dumb';
}

export function paintVerdict(verdict: Verdict): string {
  const text = verdict.padEnd(5);
  return verdict === 'allow' ? kleur.green(text) : verdict === 'ask' ? kleur.yellow(text) : kleur.red().bold(text);
}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** Explain mode: the verdict, the rule behind it, and what harness saw. */
export function formatDecision(decision: Decision, subject: string): string {
  const lines: string[] = [];
  lines.push(`${paintVerdict(decision.verdict)} ${kleur.bold(decision.ruleId ?? '(no rule)')}  ${kleur.dim(subject)}`);
  lines.push(`      ${decision.reason}`);
  if (decision.commands.length > 0) {
    lines.push(kleur.dim('  commands seen:'));
    for (const c of decision.commands) {
      // no words: a redirection alone, or what the analysis noted apart (code's own file operations, a file left for later)
      const noted = c.text.replace(/\s+/g, ' ').trim();
      const argv =
        c.argv.length > 0
          ? c.argv.map((a) => (/^[\w./:=@%+,-]+$/.test(a) ? a : JSON.stringify(a))).join(' ')
          : `(${noted.length > 100 ? `${noted.slice(0, 100)}…` : noted || 'redirection only'})`;
      const via = c.via.length > 0 ? kleur.dim(`  via ${c.via.join(' › ')}`) : '';
      const tags = c.tags.length > 0 ? kleur.magenta(`  [${c.tags.join(', ')}]`) : '';
      lines.push(`    ${argv}${via}${tags}`);
      for (const e of c.effects) {
        lines.push(kleur.dim(`      ${e.op}${e.recursive ? ' -r' : ''} ${e.unknown ? '(unknown path) ' : ''}${e.path}`));
      }
    }
  }
  if (decision.scripts && decision.scripts.length > 0) {
    lines.push(kleur.dim('  files judged by content:'));
    for (const f of decision.scripts)
      lines.push(`    ${f.path}${kleur.dim(f.sha256 ? `  sha256 ${f.sha256.slice(0, 16)}` : `  not judged: ${f.note ?? 'unreadable'}`)}`);
  }
  const others = decision.hits.filter((h) => h.ruleId !== decision.ruleId || h.verdict !== decision.verdict);
  if (others.length > 0) {
    lines.push(kleur.dim('  other rules that matched:'));
    for (const h of others)
      lines.push(
        `    ${paintVerdict(h.verdict)} ${h.ruleId}${h.certainty === 'possible' ? kleur.dim(' (possible)') : ''}${h.path ? kleur.dim(`  ${h.path}`) : ''}`,
      );
  }
  lines.push(kleur.dim(`  mutates: ${decision.mutates ? 'yes' : 'no'}`));
  return lines.join('\n');
}
