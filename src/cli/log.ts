import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import kleur from 'kleur';
import { AuditLog, type ConnectionRow, type LogRow, type RollbackRow, type SessionSummary } from '../audit/store.js';
import { UsageError } from '../errors.js';
import type { Verdict } from '../policy/index.js';
import { auditPathFor, findWorkspace } from '../workspace.js';
import { loadConfig } from '../config/load.js';
import { closeInterrupted } from '../session/process/interrupted.js';
import { paintVerdict, printJson, useColor } from './output.js';
import { existingDir, pointInTime, shown, wholeNumber } from './args.js';
import { displayLine } from '../printable.js';

interface LogOptions {
  session?: string;
  since?: string;
  verdict?: string;
  limit?: string;
  json?: boolean;
  cwd?: string;
  config?: string;
}

/** `30m`, `2h`, `7d` ago, or an ISO date (`name`: the option, for the message). */
export function parseSince(value: string, now = Date.now(), name = '--since'): number {
  return pointInTime(name, value, now);
}

function time(at: number): string {
  return new Date(at).toISOString().replace('T', ' ').slice(0, 19);
}

export function formatRow(r: LogRow): string {
  const verdict = r.verdict ? paintVerdict(r.verdict) : kleur.dim('?    ');
  const who = r.decidedBy && r.decidedBy !== 'rule' ? kleur.cyan(`[${r.decidedBy}${r.actor ? ` ${r.actor}` : ''}] `) : '';
  const rule = r.ruleId ? kleur.dim(` (${r.ruleId})`) : '';
  const result = r.ok === false ? kleur.red(' failed') : '';
  return `${kleur.dim(time(r.at))} ${verdict} ${who}${kleur.bold(displayLine(r.tool))} ${displayLine(r.summary, 160)}${rule}${result}`;
}

/** A connection the proxy decided on, as a log line: `allow  connect registry.npmjs.org:443 (network.registry)`. */
export function formatConnection(c: ConnectionRow): string {
  const who = c.decidedBy !== 'rule' ? kleur.cyan(`[${c.decidedBy}${c.actor ? ` ${c.actor}` : ''}] `) : '';
  const origin = c.origin ? kleur.dim(` ${displayLine(c.origin, 120)}`) : '';
  return `${kleur.dim(time(c.at))} ${paintVerdict(c.verdict)} ${who}${kleur.bold('connect')} ${displayLine(c.host)}:${c.port}${kleur.dim(` (${c.ruleId})`)}${origin}`;
}

/** A rollback or undo as a log line: who, to and from which checkpoint, the call it went back before, the files. */
export function formatRollback(r: RollbackRow, calls: ReadonlyMap<string, LogRow>): string {
  const who = kleur.cyan(`[${r.by}${r.actor ? ` ${r.actor}` : ''}] `);
  const before = r.step ? calls.get(r.step) : undefined;
  const step = r.step ? kleur.dim(` (just before ${before ? `${displayLine(before.tool)} ${displayLine(before.summary, 80)}` : r.step})`) : '';
  const from = r.from ? kleur.dim(` from ${r.from.slice(0, 12)}`) : '';
  const files =
    r.fileCount === 0
      ? 'no file changed'
      : `${r.fileCount} file(s): ${r.files
          .slice(0, 5)
          .map((f) => displayLine(f.path))
          .join(', ')}${r.fileCount > 5 ? ', …' : ''}`;
  const left = r.notRestored.length ? kleur.yellow(` · ${r.notRestored.length} left as they were`) : '';
  const outcome = r.error ? kleur.red(`failed: ${displayLine(r.error)}`) : `${files}${left}`;
  return `${kleur.dim(time(r.at))} ${kleur.magenta(r.kind.padEnd(8))} ${who}to ${kleur.yellow(r.to.slice(0, 12))}${step}${from}: ${outcome}`;
}

export function formatSummary(s: SessionSummary): string {
  const ended = s.endedAt ? `ended ${time(s.endedAt)} (exit ${s.exitCode ?? '?'})` : 'running or interrupted';
  const c = s.connections;
  const r = s.rollbacks;
  const total = c.allowed + c.refused;
  return [
    `session ${s.id} · ${s.agent} · started ${time(s.startedAt)} · ${ended}`,
    `  ${s.calls} tool calls: ${kleur.green(`${s.allowed} allowed`)}, ${kleur.red(`${s.denied} denied`)}, ${kleur.yellow(`${s.asked} asked`)} (${s.approved} approved, ${s.timedOut} timed out)${s.faults ? kleur.red(`, ${s.faults} faults`) : ''}${s.stale ? kleur.red(`, ${s.stale} abandoned by a hook client that stopped waiting`) : ''}`,
    ...(total > 0
      ? [`  ${total} connections: ${kleur.green(`${c.allowed} allowed`)}, ${kleur.red(`${c.refused} refused`)}, ${kleur.yellow(`${c.asked} asked`)}`]
      : []),
    ...(r.rollbacks + r.undos + r.failed > 0
      ? [
          `  ${r.rollbacks} rollback${r.rollbacks === 1 ? '' : 's'}, ${r.undos} undo${r.undos === 1 ? '' : 's'}${r.failed ? kleur.red(`, ${r.failed} failed`) : ''}`,
        ]
      : []),
  ].join('\n');
}

export function registerLog(program: Command): void {
  program
    .command('log')
    .description('read the audit log: tool calls, decisions, who decided, results')
    .option('--session <id>', 'one session (default: the latest; "all" for every session)')
    .option('--since <when>', 'only calls since a duration ago (30m, 2h, 7d) or a date')
    .option('--verdict <verdict>', 'only calls with this final verdict: allow, ask or deny')
    .option('--limit <n>', 'at most this many calls (newest)', '200')
    .option('--json', 'print JSON')
    .option('--cwd <dir>', 'workspace whose log to read')
    .option('-c, --config <file>', 'config file (for audit.path)')
    .addHelpText('after', '\nExamples:\n  harness log\n  harness log --verdict deny --since 2h\n  harness log --session all --json')
    .action((opts: LogOptions) => {
      if (opts.verdict !== undefined && !['allow', 'ask', 'deny'].includes(opts.verdict))
        throw new UsageError(`--verdict: expected allow, ask or deny (found ${shown(opts.verdict)})`);
      const limit = wholeNumber('--limit', opts.limit ?? '200', { min: 1, max: 1_000_000_000 });
      const since = opts.since !== undefined ? parseSince(opts.since) : undefined;
      if (opts.session !== undefined && opts.session.trim() === '') throw new UsageError('--session: expected a session id or "all" (found "")');
      const workspace = findWorkspace(existingDir('--cwd', opts.cwd));
      const path = auditPathFor(workspace, process.env, loadConfig(workspace, opts.config).config.audit?.path);
      if (!existsSync(path)) {
        if (opts.json) printJson({ workspace, database: path, sessions: [], calls: [] });
        else process.stdout.write(`No audit log yet for ${workspace} (${path}). Start one with: harness run claude\n`);
        return;
      }
      const log = AuditLog.open(path);
      try {
        closeInterrupted(log, workspace);
        const sessionId = opts.session === 'all' ? undefined : (opts.session ?? log.latestSessionId() ?? undefined);
        const rows = log.query({ sessionId, since, verdict: opts.verdict as Verdict | undefined, limit });
        const summary = sessionId ? log.summary(sessionId) : null;
        // rollbacks to checkpoints of no session (harness checkpoint's "manual") are logged under that name
        if (opts.session && opts.session !== 'all' && !summary && log.rollbacksOf(opts.session).length === 0)
          throw new UsageError(`--session: no session ${shown(opts.session)} in ${path}`);
        const events = sessionId ? log.eventsOf(sessionId).filter((e) => since === undefined || e.at >= since) : [];
        const rollbacks = log.rollbacksOf(sessionId).filter((r) => (since === undefined || r.at >= since) && !opts.verdict);
        const connections = sessionId
          ? log
              .connectionsOf(sessionId, limit)
              .filter((c) => (since === undefined || c.at >= since) && (!opts.verdict || (opts.verdict === 'ask' ? c.asked : c.verdict === opts.verdict)))
          : [];
        if (opts.json) {
          printJson({ workspace, database: path, session: summary, calls: rows, events, connections, rollbacks });
          return;
        }
        useColor();
        const byId = new Map(rows.map((r) => [r.toolUseId, r]));
        if (summary) process.stdout.write(formatSummary(summary) + '\n');
        const lines = [
          ...rows.map((r) => ({ at: r.at, text: formatRow(r) })),
          ...connections.map((c) => ({ at: c.at, text: formatConnection(c) })),
          ...rollbacks.map((r) => ({ at: r.at, text: formatRollback(r, byId) })),
          ...(opts.verdict ? [] : events.map((e) => ({ at: e.at, text: `${kleur.dim(time(e.at))} ${kleur.magenta('event')} ${e.kind}: ${e.detail}` }))),
        ];
        for (const l of lines.sort((a, b) => a.at - b.at)) process.stdout.write(l.text + '\n');
        if (rows.length === 0) process.stdout.write(kleur.dim('(no tool calls match)\n'));
      } finally {
        log.close();
      }
    });
}
