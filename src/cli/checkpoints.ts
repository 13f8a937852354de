import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import kleur from 'kleur';
import { CheckpointStore, describeOutside, type Checkpoint, type FileChange } from '../checkpoints/store.js';
import { AuditLog } from '../audit/store.js';
import { loadConfig } from '../config/load.js';
import { asStateError, HarnessError, UsageError } from '../errors.js';
import { auditPathFor, findWorkspace, runtimeDirFor, stateDirFor } from '../workspace.js';
import { requestRollback } from '../session/control.js';
import { reapInterrupted } from '../session/interrupted.js';
import { durationOnly, shown, wholeNumber } from './args.js';
import { printJson, useColor } from './output.js';

function openStore(cwd?: string): { store: CheckpointStore; workspace: string; auditPath: string } {
  const workspace = findWorkspace(resolve(cwd ?? process.cwd()));
  const { checkpoints, config } = loadConfig(workspace);
  const auditPath = auditPathFor(workspace, process.env, config.audit?.path);
  // sessions whose supervisor died are closed first (their runtime files removed)
  reapInterrupted(workspace, auditPath);
  let store: CheckpointStore;
  try {
    store = CheckpointStore.open(workspace, stateDirFor(workspace), { maxFileBytes: checkpoints.maxFileBytes, indexName: 'cli-index' });
  } catch (e) {
    throw asStateError(e, 'checkpoints', stateDirFor(workspace));
  }
  return { store, workspace, auditPath };
}

/** The checkpoint a person named on the command line (a misspelled name is a usage error). */
async function named(store: CheckpointStore, name: string): Promise<Checkpoint> {
  try {
    return await store.resolve(name);
  } catch (e) {
    // the store's message names what was typed: a long or odd one is shown cut and escaped
    const message = (e as Error).message.split(`"${name}"`).join(shown(name));
    throw new UsageError(message);
  }
}

function line(c: Checkpoint): string {
  const when = new Date(c.createdAt).toISOString().replace('T', ' ').slice(0, 19);
  const files = c.filesChanged === undefined ? '' : ` ${kleur.dim(`${c.filesChanged} file${c.filesChanged === 1 ? '' : 's'}`)}`;
  const left = c.skipped?.length ? ` ${kleur.red(`(${c.skipped.length} large file(s) left out)`)}` : '';
  return `${kleur.yellow(c.id.slice(0, 12))} ${kleur.dim(when)} ${kleur.dim(`#${c.seq}`)}${files} ${kleur.bold(c.kind)} ${c.summary.replace(/\s+/g, ' ').slice(0, 100)}${left}`;
}

function describeChanges(changes: FileChange[]): string {
  if (changes.length === 0) return '  (no files change)';
  const sign = { added: kleur.green('+'), deleted: kleur.red('-'), modified: kleur.yellow('~'), 'type-changed': kleur.magenta('t') };
  // from the present's point of view: "added" means the rollback brings the file back
  return changes.map((c) => `  ${sign[c.status]} ${c.path}`).join('\n');
}

/** What a rollback leaves as it is (git cannot hold it, or something unrecorded is in the way), one line each. */
function leftAlone(notRestored: string[]): string {
  if (notRestored.length === 0) return '';
  return `${kleur.yellow('Left as it is:')}\n${notRestored.map((n) => `  ${kleur.yellow('!')} ${n}`).join('\n')}\n`;
}

/**
 * A session still running in this workspace (by its audit log): rolling back under it would race the
 * agent. Sessions whose supervisor died were closed when the store was opened (openStore).
 */
function runningSession(auditPath: string): { id: string; pid: number } | null {
  let log: AuditLog;
  try {
    log = AuditLog.open(auditPath);
  } catch {
    return null;
  }
  try {
    return log.openSessions()[0] ?? null;
  } finally {
    log.close();
  }
}

/**
 * Sessions harness itself started, newest first, from the audit log in its state directory (out of
 * any agent's reach): a checkpoint ref written into the repository by someone else (`packed-refs`
 * is writable wherever `git commit` works) is not one of them. `manual` holds `harness checkpoint`'s.
 */
function knownSessions(auditPath: string): string[] | null {
  if (!existsSync(auditPath)) return null;
  const log = AuditLog.open(auditPath);
  try {
    return [...log.sessionIds(), 'manual'];
  } finally {
    log.close();
  }
}

/** The session `harness rollback` works on by default: the newest one harness started that has checkpoints. */
async function defaultSession(store: CheckpointStore, auditPath: string): Promise<string | null> {
  const known = knownSessions(auditPath);
  if (!known) return store.latestSession();
  for (const id of known) if ((await store.list(id)).length > 0) return id;
  return null;
}

/** Kinds of checkpoint taken after the tree changed (`harness run -- <program>`), not before a tool call. */
const STATE_AFTER = new Set(['periodic', 'session-end']);

export function registerCheckpoints(program: Command): void {
  program
    .command('checkpoint')
    .description('take a checkpoint of the working tree now (e.g. before a risky manual step)')
    .option('-m, --message <text>', 'what this checkpoint is for', 'manual checkpoint')
    .option('--json', 'print the checkpoint as JSON')
    .action(async (opts: { message: string; json?: boolean }) => {
      const { store } = openStore();
      const cp = await store.snapshot({ sessionId: 'manual', kind: 'manual', summary: opts.message }, { always: true });
      if (opts.json) printJson(cp);
      else {
        useColor();
        process.stdout.write(`${line(cp!)}\n`);
      }
    });

  const list = program
    .command('checkpoints')
    .description('list checkpoints (newest first), or prune old ones')
    .option('--session <id>', 'one session (default: all)')
    .option('--json', 'print JSON')
    .action(async (opts: { session?: string; json?: boolean }) => {
      const { store, auditPath } = openStore();
      const all = await store.list(opts.session, { filesChanged: true });
      if (opts.json) return printJson(all);
      const known = knownSessions(auditPath);
      useColor();
      if (all.length === 0) process.stdout.write('No checkpoints yet. harness takes one before every change an agent makes; harness checkpoint takes one now.\n');
      let session = '';
      for (const c of all) {
        if (c.sessionId !== session) {
          session = c.sessionId;
          const foreign = known && !known.includes(session) ? kleur.red(' (not started by harness: not in its audit log; do not roll back to it)') : '';
          process.stdout.write(`${kleur.dim(`session ${session}`)}${foreign}\n`);
        }
        process.stdout.write(`  ${line(c)}\n`);
        // what git's tree cannot hold is named, not lost silently
        const outside = describeOutside(c.outside);
        if (outside) process.stdout.write(`      ${kleur.dim(outside)}\n`);
      }
    });
  list
    .command('prune')
    .description('delete checkpoints of sessions whose last checkpoint is older than a duration')
    .requiredOption('--older-than <duration>', 'e.g. 7d, 12h')
    .action(async (opts: { olderThan: string }) => {
      const olderThan = Date.now() - durationOnly('--older-than', opts.olderThan);
      const { store } = openStore();
      const removed = await store.prune(olderThan);
      process.stdout.write(removed.length ? `Removed the checkpoints of ${removed.length} session(s): ${removed.join(', ')}\n` : 'Nothing to prune.\n');
    });

  program
    .command('diff')
    .description('show what changed between two checkpoints, or between a checkpoint and the working tree')
    .argument('<checkpoint>', 'checkpoint id (a prefix is enough)')
    .argument('[other]', 'a second checkpoint (default: the working tree now)')
    .action(async (a: string, b: string | undefined) => {
      const { store } = openStore();
      const from = await named(store, a);
      const to = b ? await named(store, b) : undefined;
      process.stdout.write(await store.diff(from, to));
    });

  program
    .command('rollback')
    .description('undo the last N mutating steps of the latest session (files back as they were, shell side effects included)')
    .argument('[steps]', 'how many steps to undo', '1')
    .option('--to <checkpoint>', 'roll back to this checkpoint instead')
    .option('--session <id>', 'session to roll back (default: the latest)')
    .option('--undo', 'undo the last rollback')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--force', 'roll back directly even while a session runs here (the agent is not paused or told)')
    .option('--json', 'print JSON')
    .addHelpText('after', '\nExamples:\n  harness rollback\n  harness rollback 3 --dry-run\n  harness rollback --to 3f2a9c1\n  harness rollback --undo')
    .action(async (stepsArg: string, opts: { to?: string; session?: string; undo?: boolean; dryRun?: boolean; force?: boolean; json?: boolean }) => {
      const steps = wholeNumber('steps', stepsArg, { min: 1, max: 1_000_000 });
      const { store, workspace, auditPath } = openStore();
      let target: Checkpoint;
      if (opts.to) target = await named(store, opts.to);
      else {
        const sessionId = opts.session ?? (await defaultSession(store, auditPath));
        if (!sessionId) throw new HarnessError('There are no checkpoints to roll back to yet.');
        const cps = await store.list(sessionId);
        if (opts.undo) {
          const saved = cps.find((c) => c.kind === 'before-rollback');
          if (!saved) throw new HarnessError(`No rollback to undo in session ${sessionId}.`);
          target = saved;
        } else {
          const mutations = cps.filter((c) => c.kind !== 'before-rollback');
          // checkpoints of a program without hooks record the tree after a change, not before one:
          // the newest is the present, so undoing a step goes one further back
          const offset = mutations[0] && STATE_AFTER.has(mutations[0].kind) ? 1 : 0;
          const found = mutations[steps - 1 + offset];
          if (!found) throw new HarnessError(`Session ${sessionId} has ${mutations.length - offset} step(s) to undo; cannot undo ${steps}.`);
          target = found;
        }
      }
      if (opts.dryRun) {
        const plan = await store.plan(target);
        if (opts.json) return printJson({ dryRun: true, target, changes: plan.changes, notRestored: plan.notRestored });
        useColor();
        process.stdout.write(`Rolling back to ${line(target)} would change:\n${describeChanges(plan.changes)}\n${leftAlone(plan.notRestored)}`);
        return;
      }
      const running = opts.force ? null : runningSession(auditPath);
      let result: { changes: FileChange[]; saved: string | null; notRestored: string[] };
      if (running) {
        // the session restores it between tool calls and tells the agent
        const answer = await requestRollback(runtimeDirFor(workspace, running.id), target.id);
        if (!answer) throw new HarnessError(`An agent session is running here (${running.id}, pid ${running.pid}) and cannot be reached; rolling back under it would race the agent. Stop the agent first, or pass --force.`);
        const body = answer.body as { error?: string; changes?: FileChange[]; saved?: string | null; notRestored?: string[] };
        if (answer.status !== 200) throw new HarnessError(`The running session did not roll back: ${body.error ?? `status ${answer.status}`}`);
        result = { changes: body.changes ?? [], saved: body.saved ?? null, notRestored: body.notRestored ?? [] };
      } else {
        const restored = await store.restore(target, target.sessionId);
        result = { changes: restored.changes, saved: restored.saved?.id ?? null, notRestored: restored.notRestored };
      }
      if (opts.json) return printJson({ target, changes: result.changes, notRestored: result.notRestored, undo: result.saved, viaSession: running?.id ?? null });
      useColor();
      process.stdout.write(`Rolled back to ${line(target)}${running ? kleur.dim(` (through the running session ${running.id}; the agent is told)`) : ''}\n${describeChanges(result.changes)}\n${leftAlone(result.notRestored)}`);
      if (result.saved) process.stdout.write(kleur.dim(`The state before this rollback is checkpoint ${result.saved.slice(0, 12)}: harness rollback --undo brings it back.\n`));
    });
}
