import type { AuditLog, RollbackBy } from '../../audit/store.js';
import type { Checkpoint, CheckpointStore, ChangedPath } from '../../checkpoints/store.js';
import { rollbackNotice } from './rollback-notice.js';
import type { ToolGate } from '../tool-gate.js';

/** How long a rollback waits for running tool calls before giving up (nothing changes then). */
const DRAIN_MS = 60_000;

export interface RollbackDone {
  target: Checkpoint;
  /** The checkpoint of the present taken just before (undo goes back to it). */
  saved: string | null;
  changes: ChangedPath[];
  /** What the rollback left as it is, and why (nested repositories, fifos, unrecorded files in the way). */
  notRestored: string[];
}

/** Who asks for a rollback and what it is, for the audit log. */
export interface RollbackRequest {
  by: RollbackBy;
  kind: 'rollback' | 'undo';
  /** The tool call it goes back to just before, when asked for by step. */
  step: string | null;
}

/**
 * Rollbacks while a session runs, from `harness rollback` or the panel: new tool calls wait,
 * running ones finish, the tree is restored, the audit log records it (who, from and to which
 * checkpoint, the files; a failure too), and the agent is told with its next call. The last
 * rollback can be undone.
 */
export class SessionRollback {
  private lastSaved: string | null = null;

  constructor(
    private readonly checkpoints: CheckpointStore,
    private readonly audit: AuditLog,
    private readonly gate: ToolGate,
    private readonly sessionId: string,
    /** Stops the agent's processes while the tree is restored (so none can race it, e.g. swap a directory for a link); returns how to resume them. */
    private readonly freeze: () => Promise<() => Promise<void> | void> = async () => () => undefined,
    /** The person's login name. */
    private readonly actor: string | null = null,
  ) {}

  get canUndo(): boolean {
    return this.lastSaved !== null;
  }

  to(target: Checkpoint, request: RollbackRequest): Promise<RollbackDone> {
    const record = (r: { from: string | null; files: ChangedPath[]; notRestored: string[]; error?: string }): void =>
      this.audit.rollback({ sessionId: this.sessionId, kind: request.kind, by: request.by, actor: this.actor, to: target.id, step: request.step, ...r });
    return this.gate.exclusive(async () => {
      const thaw = await this.freeze();
      let restored: Awaited<ReturnType<CheckpointStore['restore']>>;
      try {
        restored = await this.checkpoints.restore(target, this.sessionId);
      } catch (error) {
        record({ from: null, files: [], notRestored: [], error: error instanceof Error ? error.message : String(error) });
        throw error;
      } finally {
        await thaw();
      }
      const { saved, changes, notRestored } = restored;
      this.lastSaved = saved?.id ?? null;
      record({ from: saved?.id ?? null, files: changes, notRestored });
      return { result: { target, saved: saved?.id ?? null, changes, notRestored }, notice: rollbackNotice(target.id, changes, notRestored) };
    }, DRAIN_MS);
  }

  /**
   * Goes back to how things were before the last rollback (null when there was none). An undo is
   * itself a rollback, so undoing again redoes it.
   */
  async undo(by: RollbackBy): Promise<RollbackDone | null> {
    if (!this.lastSaved) return null;
    return this.to(await this.checkpoints.checkpoint(this.lastSaved), { by, kind: 'undo', step: null });
  }
}
