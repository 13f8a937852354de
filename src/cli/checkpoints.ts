import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import kleur from 'kleur';
import { CheckpointStore, describeOutside, type Checkpoint, type ChangedPath } from '../checkpoints/store.js';
import { AuditLog, type RollbackRecord } from '../audit/store.js';
import type { Step } from '../audit/steps.js';
import { currentUser } from '../session/actor.js';
import { loadConfig } from '../config/load.js';
import { asStateError, HarnessError, oneLine, UsageError } from '../errors.js';
import { ALLOW_HOME_OPTION, auditPathFor, findWorkspace, homeWorkspaceProblem, runtimeDirFor, stateDirFor } from '../workspace.js';
import { requestRollback } from '../session/control.js';
import { reapInterrupted } from '../session/process/interrupted.js';
import { durationOnly, shown, wholeNumber } from './args.js';
import { printJson, useColor } from './output.js';
import { displayLine } from '../printable.js';

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
  return `${kleur.yellow(c.id.slice(0, 12))} ${kleur.dim(when)} ${kleur.dim(`#${c.seq}`)}${files} ${kleur.bold(c.kind)} ${displayLine(c.summary, 100)}${left}`;
}

function describeChanges(changes: ChangedPath[]): string {
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
async function defaultSession(store: CheckpointStore, log: AuditLog | null): Promise<string | null> {
  if (!log) return store.latestSession();
  for (const id of [...log.sessionIds(), 'manual']) if ((await store.list(id)).length > 0) return id;
  return null;
}

/** Kinds of checkpoint taken after the tree changed (`harness run -- <program>`), not before a tool call. */
const STATE_AFTER = new Set(['periodic', 'session-end']);

interface RollbackOptions {
  to?: string;
  session?: string;
  undo?: boolean;
  dryRun?: boolean;
  force?: boolean;
  json?: boolean;
}

/** What a `harness rollback` goes back to, and which steps that undoes. */
interface Chosen {
  target: Checkpoint;
  /** The session whose history it changes (its audit log records the rollback). */
  sessionId: string;
  kind: 'rollback' | 'undo';
  /** The tool calls it undoes, newest first (none for an undo, a session without hooks, or a checkpoint no call was taken for). */
  undone: Step[];
}

async function choose(store: CheckpointStore, log: AuditLog | null, steps: number, opts: RollbackOptions): Promise<Chosen> {
  if (opts.to) {
    const target = await named(store, opts.to);
    const inEffect = log?.steps(target.sessionId) ?? [];
    const at = inEffect.findIndex((s) => s.before === target.id);
    return { target, sessionId: target.sessionId, kind: 'rollback', undone: at >= 0 ? inEffect.slice(at).reverse() : [] };
  }
  const sessionId = opts.session ?? (await defaultSession(store, log));
  if (!sessionId) throw new HarnessError('There are no checkpoints to roll back to yet.');
  if (opts.undo) {
    // the state the last rollback saved first (an undo is a rollback too: undoing again redoes it)
    const last = log
      ?.rollbacksOf(sessionId)
      .filter((r) => !r.error && r.from)
      .at(-1);
    const saved = last?.from ?? (await store.list(sessionId)).find((c) => c.kind === 'before-rollback')?.id;
    if (!saved) throw new HarnessError(`No rollback to undo in session ${sessionId}.`);
    return { target: await store.checkpoint(saved), sessionId, kind: 'undo', undone: [] };
  }
  // from the audit log: the tool calls let through to change files (with hooks), or the settled
  // changes of the tree (without), less what rollbacks undid
  if (log && log.checkpointsOf(sessionId).length > 0) {
    const hooked = log.checkpointsOf(sessionId).some((c) => c.toolUseId !== null);
    const trees = new Map((await store.list(sessionId)).map((c) => [c.id, c.tree]));
    // a checkpoint of a tree that had not changed (the one at the end of a session) is no step
    const inEffect = log.steps(sessionId).filter((s) => s.kind === 'call' || trees.get(s.before) !== trees.get(s.toolUseId));
    const from = inEffect.length - steps;
    const what = hooked ? 'tool calls that could change files' : 'settled changes of the tree';
    if (from < 0)
      throw new HarnessError(
        `Session ${sessionId} has ${inEffect.length} step(s) to undo (${what}${inEffect.length === 0 ? ', none of them still in effect' : ''}); cannot undo ${steps}.`,
      );
    return { target: await store.checkpoint(inEffect[from]!.before), sessionId, kind: 'rollback', undone: inEffect.slice(from).reverse() };
  }
  // no audit log (or none of this session's): the checkpoints alone
  const mutations = (await store.list(sessionId)).filter((c) => c.kind !== 'before-rollback');
  // checkpoints of a program without hooks record the tree after a change, not before one:
  // the newest is the present, so undoing a step goes one further back
  const offset = mutations[0] && STATE_AFTER.has(mutations[0].kind) ? 1 : 0;
  const found = mutations[steps - 1 + offset];
  if (!found) throw new HarnessError(`Session ${sessionId} has ${Math.max(0, mutations.length - offset)} step(s) to undo; cannot undo ${steps}.`);
  return { target: found, sessionId, kind: 'rollback', undone: [] };
}

/** The tool calls a rollback undoes, one line each; a call that changed nothing says so. */
function describeSteps(chosen: Chosen, filesChanging: number): string {
  const { undone } = chosen;
  if (undone.length === 0) return '';
  const what = (s: Step): string =>
    s.changed === null ? kleur.dim('still running') : s.changed === 0 ? kleur.dim('changed nothing') : `${s.changed} file${s.changed === 1 ? '' : 's'} changed`;
  const lines = undone.map((s) =>
    s.kind === 'change'
      ? `  ${displayLine(s.summary, 110)}`
      : `  ${kleur.bold(displayLine(s.tool))} ${displayLine(s.summary, 90)} ${kleur.dim('·')} ${what(s)}`,
  );
  const nothing = undone.every((s) => s.changed === 0);
  const note = !nothing
    ? ''
    : filesChanging === 0
      ? `${undone.length === 1 ? 'It' : 'They'} changed nothing, so undoing ${undone.length === 1 ? 'it' : 'them'} changes nothing.\n`
      : `${undone.length === 1 ? 'It' : 'They'} changed nothing; the files below changed after, outside any tool call, and are put back too.\n`;
  const of = undone[0]!.kind === 'change' ? 'settled changes' : 'tool calls';
  return `Undoing ${undone.length === 1 ? 'the last step' : `the last ${undone.length} steps`} (${of}, newest first):\n${lines.join('\n')}\n${note}`;
}

/** Writes a rollback done without a running session into the audit log; one that cannot be recorded is said on stderr. */
function recordRollback(auditPath: string, r: RollbackRecord): void {
  try {
    const log = AuditLog.open(auditPath);
    try {
      log.rollback(r);
    } finally {
      log.close();
    }
  } catch (e) {
    process.stderr.write(`harness: the audit log could not record this ${r.kind} (${oneLine(e)})\n`);
  }
}

export function registerCheckpoints(program: Command): void {
  program
    .command('checkpoint')
    .description('take a checkpoint of the working tree now (e.g. before a risky manual step)')
    .option('-m, --message <text>', 'what this checkpoint is for', 'manual checkpoint')
    .option('--json', 'print the checkpoint as JSON')
    .option(ALLOW_HOME_OPTION, 'let the workspace be your home directory, / or a directory containing it')
    .action(async (opts: { message: string; json?: boolean; allowHome?: boolean }) => {
      const cwd = process.cwd();
      // a snapshot of everything the person owns is no checkpoint of a project
      const atHome = opts.allowHome ? null : homeWorkspaceProblem(findWorkspace(cwd), cwd);
      if (atHome) throw new UsageError(`${atHome}. cd into a project directory, or pass ${ALLOW_HOME_OPTION} if you mean it.`);
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
      if (all.length === 0)
        process.stdout.write('No checkpoints yet. harness takes one before every change an agent makes; harness checkpoint takes one now.\n');
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
      const patch = await store.diff(from, to);
      // the bytes as the files hold them (a file that is not UTF-8 comes out as it is)
      if (patch.length > 0) process.stdout.write(patch);
      else process.stderr.write(`No difference between ${from.id.slice(0, 12)} and ${to ? to.id.slice(0, 12) : 'the working tree'}.\n`);
    });

  program
    .command('rollback')
    .description('undo the last N steps of the latest session (tool calls that could change files; files back as they were, shell side effects included)')
    .argument('[steps]', 'how many steps to undo', '1')
    .option('--to <checkpoint>', 'roll back to this checkpoint instead')
    .option('--session <id>', 'session to roll back (default: the latest)')
    .option('--undo', 'undo the last rollback')
    .option('--dry-run', 'show what would change, change nothing')
    .option('--force', 'roll back directly even while a session runs here (the agent is not paused or told)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      '\nA step is one tool call the agent was let through to change files (one that changed nothing is a step that changes nothing);\nfor `harness run -- <program>`, one settled change of the tree. Every rollback and undo is in the audit log (harness log).\n\nExamples:\n  harness rollback\n  harness rollback 3 --dry-run\n  harness rollback --to 3f2a9c1\n  harness rollback --undo',
    )
    .action(async (stepsArg: string, opts: RollbackOptions) => {
      const steps = wholeNumber('steps', stepsArg, { min: 1, max: 1_000_000 });
      const { store, workspace, auditPath } = openStore();
      const log = existsSync(auditPath) ? AuditLog.open(auditPath) : null;
      let chosen: Chosen;
      try {
        chosen = await choose(store, log, steps, opts);
      } finally {
        log?.close();
      }
      const { target } = chosen;
      if (opts.dryRun) {
        const plan = await store.plan(target);
        if (opts.json) return printJson({ dryRun: true, target, steps: chosen.undone, changes: plan.changes, notRestored: plan.notRestored });
        useColor();
        process.stdout.write(
          `${describeSteps(chosen, plan.changes.length)}Rolling back to ${line(target)} would change:\n${describeChanges(plan.changes)}\n${leftAlone(plan.notRestored)}`,
        );
        return;
      }
      const running = opts.force ? null : runningSession(auditPath);
      const step = chosen.undone.at(-1)?.toolUseId ?? null;
      let result: { changes: ChangedPath[]; saved: string | null; notRestored: string[] };
      if (running) {
        // the session restores it between tool calls, tells the agent and logs it
        const answer = await requestRollback(runtimeDirFor(workspace, running.id), { to: target.id, kind: chosen.kind, step });
        if (!answer)
          throw new HarnessError(
            `An agent session is running here (${running.id}, pid ${running.pid}) and cannot be reached; rolling back under it would race the agent. Stop the agent first, or pass --force.`,
          );
        const body = answer.body as { error?: string; changes?: ChangedPath[]; saved?: string | null; notRestored?: string[] };
        if (answer.status !== 200) throw new HarnessError(`The running session did not roll back: ${body.error ?? `status ${answer.status}`}`);
        result = { changes: body.changes ?? [], saved: body.saved ?? null, notRestored: body.notRestored ?? [] };
      } else {
        const record = (r: Pick<RollbackRecord, 'from' | 'files' | 'notRestored' | 'error'>): void =>
          recordRollback(auditPath, {
            sessionId: chosen.sessionId,
            kind: chosen.kind,
            by: opts.force ? 'cli-forced' : 'cli',
            actor: currentUser(),
            to: target.id,
            step,
            ...r,
          });
        let restored: Awaited<ReturnType<CheckpointStore['restore']>>;
        try {
          restored = await store.restore(target, target.sessionId);
        } catch (e) {
          record({ from: null, files: [], notRestored: [], error: oneLine(e) });
          throw e;
        }
        record({ from: restored.saved?.id ?? null, files: restored.changes, notRestored: restored.notRestored });
        result = { changes: restored.changes, saved: restored.saved?.id ?? null, notRestored: restored.notRestored };
      }
      if (opts.json)
        return printJson({
          target,
          steps: chosen.undone,
          changes: result.changes,
          notRestored: result.notRestored,
          undo: result.saved,
          viaSession: running?.id ?? null,
        });
      useColor();
      process.stdout.write(
        `${describeSteps(chosen, result.changes.length)}Rolled back to ${line(target)}${running ? kleur.dim(` (through the running session ${running.id}; the agent is told)`) : ''}\n${describeChanges(result.changes)}\n${leftAlone(result.notRestored)}`,
      );
      if (result.saved)
        process.stdout.write(kleur.dim(`The state before this rollback is checkpoint ${result.saved.slice(0, 12)}: harness rollback --undo brings it back.\n`));
    });
}
