import type { AuditLog, RollbackRow } from '../../audit/store.js';
import { redact } from '../../audit/redact.js';
import type { CheckpointStore } from '../../checkpoints/store.js';
import { parseUnifiedDiff, type DiffLine } from '../../line-diff.js';
import type { CallEntry, CheckpointEntry, EventEntry, PanelSource, RollbackEntry, RollbackPreview, SessionStatus, TimelineEntry } from '../views.js';
import type { SessionRollback } from '../rollback/rollback.js';
import type { SessionRules } from '../hook/session-rules.js';

/** A rollback as one timeline line: `rollback by cli (alice) to 3f2a9c1b2c3d: 3 file(s) changed`. */
export function rollbackLine(r: Pick<RollbackRow, 'kind' | 'by' | 'actor' | 'to' | 'fileCount' | 'error'>): string {
  const who = `${r.by}${r.actor ? ` (${r.actor})` : ''}`;
  return `${r.kind} by ${who} to ${r.to.slice(0, 12)}: ${r.error ? `failed: ${r.error}` : `${r.fileCount} file(s) changed`}`;
}

/** Most diff lines the panel reads for one step. */
const MAX_DIFF_LINES = 5000;

/** The panel's view of a running session: the audit log for history, the checkpoint store for diffs and rollback. */
export function panelSource(deps: {
  sessionId: string;
  /** Paths inside it are shown relative. */
  workspace: string;
  agent: string;
  audit: AuditLog;
  checkpoints?: CheckpointStore | undefined;
  rollback?: SessionRollback | undefined;
  rules: SessionRules;
}): PanelSource {
  const { sessionId, audit, checkpoints, rollback, rules } = deps;

  /** Reads the log again only when something was written to it since the last read. */
  const whenChanged = <T>(read: () => T): (() => T) => {
    let seen: string | null = null;
    let value: T;
    return () => {
      const version = audit.version();
      if (version !== seen) {
        value = read();
        seen = version;
      }
      return value;
    };
  };
  const shown = (text: string): string => text.split(`${deps.workspace}/`).join('');
  const timeline = whenChanged((): TimelineEntry[] => {
    const cps = audit.checkpointsOf(sessionId);
    const before = new Map<string, string>();
    for (const c of cps) if (c.toolUseId && c.commit && !before.has(c.toolUseId)) before.set(c.toolUseId, c.commit);
    const counts = audit.changeCounts(sessionId);
    const calls = audit.query({ sessionId, limit: 5000 }).map(
      (r): CallEntry => ({
        id: r.toolUseId,
        at: r.at,
        kind: 'call',
        tool: r.tool,
        summary: shown(r.summary),
        verdict: r.verdict,
        decidedBy: r.decidedBy,
        askedFirst: r.askedFirst,
        ruleId: r.ruleId,
        reason: r.reason,
        ok: r.ok,
        checkpoint: before.get(r.toolUseId) ?? null,
        filesChanged: counts.get(r.toolUseId) ?? 0,
      }),
    );
    // checkpoints between calls (harness run -- <command>) are states to go back to
    const between = cps
      .filter((c) => c.toolUseId === null)
      .map((c, i): CheckpointEntry => ({ id: `checkpoint-${i + 1}`, at: c.at, kind: 'checkpoint', summary: c.summary, error: c.error, checkpoint: c.commit }));
    // a rollback's checkpoint is the present it saved first: rolling back to it undoes the rollback
    const rollbacks = audit.rollbacksOf(sessionId).map(
      (r): RollbackEntry => ({
        id: `rollback-${r.seq}`,
        at: r.at,
        kind: 'rollback',
        summary: rollbackLine(r),
        error: r.error,
        checkpoint: r.from,
        filesChanged: r.fileCount,
      }),
    );
    const events = audit.eventsOf(sessionId).map(
      (e): EventEntry => ({
        id: `event-${e.seq}`,
        at: e.at,
        kind: 'event',
        event: e.kind,
        summary: shown(e.detail.split('\n')[0]!),
        checkpoint: null,
        toolUseId: e.toolUseId,
      }),
    );
    return [...calls, ...between, ...rollbacks, ...events].sort((a, b) => a.at - b.at);
  });

  const status = whenChanged((): SessionStatus => {
    const s = audit.summary(sessionId);
    const last = audit
      .checkpointsOf(sessionId)
      .filter((c) => c.commit)
      .at(-1);
    return {
      sessionId,
      agent: deps.agent,
      allowed: s?.allowed ?? 0,
      asked: s?.asked ?? 0,
      denied: s?.denied ?? 0,
      lastCheckpoint: last ? { id: last.commit!, at: last.at } : null,
    };
  });

  const entry = (id: string): TimelineEntry => {
    const found = timeline().find((e) => e.id === id);
    if (!found) throw new Error('that step is no longer in the log');
    return found;
  };

  const store = (): CheckpointStore => {
    if (!checkpoints) throw new Error('checkpoints are switched off in this session (checkpoints.enabled)');
    return checkpoints;
  };

  const undoable = (): SessionRollback => {
    if (!rollback) throw new Error('checkpoints are switched off in this session (checkpoints.enabled)');
    return rollback;
  };

  return {
    status,

    timeline,

    async diff(id: string): Promise<DiffLine[]> {
      const all = timeline();
      const index = all.findIndex((e) => e.id === id);
      const step = all[index];
      if (!step) throw new Error('that step is no longer in the log');
      if (step.kind === 'event') return [{ kind: 'note', text: step.summary }];
      if (!step.checkpoint)
        return [
          {
            kind: 'note',
            text:
              step.kind === 'call' && step.verdict === 'deny'
                ? 'denied: it did not run'
                : 'harness took no checkpoint before this step (it was not judged to change files)',
          },
        ];
      // the next recorded state: the checkpoint before the next mutating call, or before a rollback
      const next = all.slice(index + 1).find((e) => e.checkpoint);
      const s = store();
      const from = await s.checkpoint(step.checkpoint);
      const to = next ? await s.checkpoint(next.checkpoint!) : undefined;
      const lines = parseUnifiedDiff((await s.diff(from, to)).toString('utf8'), MAX_DIFF_LINES).map((l) => ({ ...l, text: redact(l.text) }));
      return next ? lines : [{ kind: 'note', text: 'the last step: compared with the working tree as it is now' }, ...lines];
    },

    async planRollback(id: string): Promise<RollbackPreview> {
      const step = entry(id);
      if (!step.checkpoint) throw new Error('this step has no checkpoint before it');
      const plan = await store().plan(await store().checkpoint(step.checkpoint));
      return { checkpoint: plan.target.id, changes: plan.changes, notRestored: plan.notRestored };
    },

    async rollback(id: string): Promise<RollbackPreview> {
      const step = entry(id);
      if (!step.checkpoint) throw new Error('this step has no checkpoint before it');
      const done = await undoable().to(await store().checkpoint(step.checkpoint), {
        by: 'panel',
        kind: 'rollback',
        step: step.kind === 'call' ? step.id : null,
      });
      return { checkpoint: done.target.id, changes: done.changes, notRestored: done.notRestored };
    },

    async undo(): Promise<RollbackPreview | null> {
      const done = await undoable().undo('panel');
      return done ? { checkpoint: done.target.id, changes: done.changes, notRestored: done.notRestored } : null;
    },

    canUndo: () => rollback?.canUndo ?? false,

    sessionRules: () => rules.list().map((r) => ({ id: r.id, description: r.description, addedAt: r.addedAt })),

    revokeRule(id: string): void {
      const gone = rules.revoke(id);
      if (gone) audit.event({ sessionId, kind: 'session-rule-revoked', detail: `${gone.id}: ${gone.description}` });
    },
  };
}
