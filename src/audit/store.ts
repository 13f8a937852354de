import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { asStateError, oneLine, stateProblem, type StateProblem } from '../errors.js';
import type { Verdict } from '../policy/index.js';
import type { ChangedPath } from '../checkpoints/changed-path.js';
import { redact, redactValue } from './redact.js';
import { changesInEffect, stepsInEffect, type Step } from './steps.js';

/** `stale`: the hook client had given up waiting before harness answered (harness was stopped or stalled). */
export type DecidedBy = 'rule' | 'human' | 'timeout' | 'fault' | 'no-tty' | 'session' | 'stale';

/** Schema migrations by PRAGMA user_version; each runs once, in order, in a transaction. */
const MIGRATIONS: string[] = [
  `
  CREATE TABLE sessions (
    id TEXT PRIMARY KEY, agent TEXT NOT NULL, workspace TEXT NOT NULL, started_at INTEGER NOT NULL,
    argv TEXT NOT NULL, config_path TEXT, harness_version TEXT NOT NULL, pid INTEGER NOT NULL
  );
  CREATE TABLE session_ends (
    session_id TEXT PRIMARY KEY REFERENCES sessions(id), ended_at INTEGER NOT NULL, exit_code INTEGER
  );
  CREATE TABLE tool_calls (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), tool_use_id TEXT NOT NULL,
    at INTEGER NOT NULL, agent TEXT NOT NULL, tool TEXT NOT NULL, kind TEXT NOT NULL, summary TEXT NOT NULL,
    cwd TEXT, input TEXT NOT NULL
  );
  CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), tool_use_id TEXT NOT NULL,
    at INTEGER NOT NULL, verdict TEXT NOT NULL CHECK (verdict IN ('allow','ask','deny')), rule_id TEXT, reason TEXT NOT NULL,
    decided_by TEXT NOT NULL, latency_ms REAL, mutates INTEGER NOT NULL
  );
  CREATE TABLE results (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), tool_use_id TEXT NOT NULL,
    at INTEGER NOT NULL, ok INTEGER NOT NULL, summary TEXT NOT NULL, data TEXT
  );
  CREATE INDEX tool_calls_session ON tool_calls(session_id, at);
  CREATE INDEX decisions_call ON decisions(session_id, tool_use_id);
  CREATE INDEX results_call ON results(session_id, tool_use_id);
  ${['sessions', 'session_ends', 'tool_calls', 'decisions', 'results']
    .map(
      (t) => `
  CREATE TRIGGER ${t}_append_only_update BEFORE UPDATE ON ${t} BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER ${t}_append_only_delete BEFORE DELETE ON ${t} BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;`,
    )
    .join('\n')}
  `,
  `
  CREATE TABLE checkpoints (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), tool_use_id TEXT,
    at INTEGER NOT NULL, commit_id TEXT, summary TEXT NOT NULL, error TEXT
  );
  CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  `
  CREATE TABLE changes (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), tool_use_id TEXT NOT NULL,
    at INTEGER NOT NULL, status TEXT NOT NULL, path TEXT NOT NULL
  );
  CREATE INDEX changes_call ON changes(session_id, tool_use_id);
  CREATE TRIGGER changes_append_only_update BEFORE UPDATE ON changes BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER changes_append_only_delete BEFORE DELETE ON changes BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  `
  ALTER TABLE decisions ADD COLUMN actor TEXT;
  CREATE TABLE events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), at INTEGER NOT NULL,
    kind TEXT NOT NULL, detail TEXT NOT NULL, tool_use_id TEXT
  );
  CREATE INDEX events_session ON events(session_id, seq);
  CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  `
  CREATE TABLE connections (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL REFERENCES sessions(id), at INTEGER NOT NULL,
    host TEXT NOT NULL, port INTEGER NOT NULL, verdict TEXT NOT NULL CHECK (verdict IN ('allow','deny')), asked INTEGER NOT NULL,
    rule_id TEXT NOT NULL, reason TEXT NOT NULL, decided_by TEXT NOT NULL, actor TEXT, tool_use_id TEXT, origin TEXT
  );
  CREATE INDEX connections_session ON connections(session_id, seq);
  CREATE TRIGGER connections_append_only_update BEFORE UPDATE ON connections BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER connections_append_only_delete BEFORE DELETE ON connections BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
  // which process the supervisor was (its pid with its start time): a pid alone may be reused
  `
  ALTER TABLE sessions ADD COLUMN supervisor TEXT;
  `,
  // every rollback and undo, by whom, from and to which checkpoint, and the files; the session it
  // belongs to may be one no supervisor started (a manual checkpoint), so no foreign key
  `
  CREATE TABLE rollbacks (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, session_id TEXT NOT NULL, at INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('rollback','undo')), by TEXT NOT NULL, actor TEXT,
    from_commit TEXT, to_commit TEXT NOT NULL, step TEXT, files TEXT NOT NULL, not_restored TEXT NOT NULL, error TEXT
  );
  CREATE INDEX rollbacks_session ON rollbacks(session_id, seq);
  CREATE TRIGGER rollbacks_append_only_update BEFORE UPDATE ON rollbacks BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  CREATE TRIGGER rollbacks_append_only_delete BEFORE DELETE ON rollbacks BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
];

/** The tables a session writes to (their newest rows make `version()`). */
const LOGGED_TABLES = ['tool_calls', 'decisions', 'results', 'checkpoints', 'changes', 'events', 'connections', 'rollbacks'];

/** Most records that could not be written kept to be shown (the rest are counted). */
const MAX_UNLOGGED = 200;

/** Most files one tool call's change list records (the rest is counted in one more row). */
const MAX_CHANGES_PER_CALL = 1000;

/** Most files (and things left as they were) one rollback record names; the counts are complete. */
const MAX_ROLLBACK_FILES = 1000;

export interface SessionStart {
  id: string;
  agent: string;
  workspace: string;
  argv: string[];
  configPath: string | null;
  version: string;
  /** The supervisor process as `processIdentity` gives it (pid and start time), to tell later whether it still runs. */
  supervisor?: string | null;
  /** The supervisor's pid (default: this process). */
  pid?: number;
}

/** A session that never ended, with the supervisor process that ran it. */
export interface OpenSession {
  id: string;
  pid: number;
  supervisor: string | null;
  workspace: string;
}

/** A record the log could not take (the disk is full, the file system read-only …), for the person to be told. */
export interface UnloggedRecord {
  at: number;
  /** The record in words: `decision deny (core.fault) for Bash rm -rf build: …`. */
  what: string;
  problem: StateProblem | null;
  error: string;
}

export interface ToolCallRecord {
  sessionId: string;
  toolUseId: string;
  agent: string;
  tool: string;
  kind: string;
  summary: string;
  cwd: string | null;
  input: unknown;
}

export interface DecisionRecord {
  sessionId: string;
  toolUseId: string;
  verdict: Verdict;
  ruleId: string | null;
  reason: string;
  decidedBy: DecidedBy;
  latencyMs: number | null;
  mutates: boolean;
  /** Who answered an approval (the person's login name). */
  actor?: string | null;
}

/** Every kind of session event harness writes (the panel and `harness log` show them by kind). */
export const SESSION_EVENT_KINDS = [
  'interrupted',
  'sandbox',
  'sandbox-refused',
  'sandbox-refusal',
  'egress-capped',
  'egress-folded',
  'script-judged',
  'script-changed',
  'session-rule-added',
  'session-rule-revoked',
  'checkpoint-full-scan',
  'checkpoint-reconcile',
  'out-of-band',
  'tamper-detected',
  'tamper-reverted',
  'protected-changed',
  'config-reloaded',
  'config-invalid',
  'config-change-kept',
] as const;
export type SessionEventKind = (typeof SESSION_EVENT_KINDS)[number];

/** Something that happened in a session besides a tool call: a session rule added or revoked, … */
export interface SessionEvent {
  seq: number;
  at: number;
  kind: SessionEventKind;
  detail: string;
  /** The tool call the event is attributed to, if any. */
  toolUseId: string | null;
}

/** One connection the agent's processes asked harness's proxy for, and what was decided. */
export interface ConnectionRecord {
  sessionId: string;
  host: string;
  port: number;
  verdict: 'allow' | 'deny';
  /** Whether a person was asked (the answer may have come from them, a timeout or whenNoTty). */
  asked: boolean;
  ruleId: string;
  reason: string;
  decidedBy: DecidedBy;
  actor?: string | null;
  /** The tool call it came from, when exactly one was running. */
  toolUseId?: string | null;
  /** What was running then, in words (`curl -s https://…` in Bash), or that nothing was. */
  origin?: string | null;
}

export interface ConnectionRow extends Required<Omit<ConnectionRecord, 'sessionId'>> {
  seq: number;
  at: number;
}

export interface CheckpointRow {
  toolUseId: string | null;
  at: number;
  commit: string | null;
  summary: string;
  error: string | null;
}

/**
 * Who rolled the tree back, through which channel: the panel of the running session, `harness
 * rollback` (through the running session, or directly when none runs), or `harness rollback --force`
 * past a running session.
 */
export type RollbackBy = 'panel' | 'cli' | 'cli-forced';

/**
 * One line of a change list as the log keeps it: a changed path, or in place of the rest a line
 * that says how many more there were (`more`), or why the list is missing (`unknown`).
 */
export type LoggedChange = ChangedPath | { status: 'more' | 'unknown'; path: string };

/** A rollback or an undo (a rollback to the state the last rollback saved), done or failed. */
export interface RollbackRecord {
  sessionId: string;
  kind: 'rollback' | 'undo';
  by: RollbackBy;
  /** The person's login name. */
  actor: string | null;
  /** The checkpoint of the present taken first (an undo goes back to it); null if it failed before. */
  from: string | null;
  /** The checkpoint the tree was rolled back to. */
  to: string;
  /** The tool call it went back to just before, when it was asked for by step. */
  step: string | null;
  files: ChangedPath[];
  notRestored: string[];
  /** Why it failed (the tree is then as the restore left it; `from` holds what it was). */
  error?: string | null;
}

export interface RollbackRow extends Omit<RollbackRecord, 'error' | 'files' | 'notRestored'> {
  seq: number;
  at: number;
  files: LoggedChange[];
  /** How many files it changed (the list may be cut). */
  fileCount: number;
  notRestored: string[];
  error: string | null;
}

export interface ResultRecord {
  sessionId: string;
  toolUseId: string;
  ok: boolean;
  summary: string;
  data?: unknown;
}

export interface LogRow {
  sessionId: string;
  toolUseId: string;
  at: number;
  agent: string;
  tool: string;
  kind: string;
  summary: string;
  cwd: string | null;
  verdict: Verdict | null;
  ruleId: string | null;
  reason: string | null;
  decidedBy: DecidedBy | null;
  actor: string | null;
  /** The rule's verdict when a human or a timeout settled an `ask`. */
  askedFirst: boolean;
  ok: boolean | null;
}

export interface SessionSummary {
  id: string;
  agent: string;
  pid?: number;
  startedAt: number;
  endedAt: number | null;
  exitCode: number | null;
  calls: number;
  allowed: number;
  denied: number;
  asked: number;
  approved: number;
  timedOut: number;
  faults: number;
  /** Calls whose hook client had given up before harness answered (they did not run). */
  stale: number;
  connections: { allowed: number; refused: number; asked: number };
  /** Rollbacks and undos done (failed ones are in `rollbacks` of the log, not counted here). */
  rollbacks: { rollbacks: number; undos: number; failed: number };
}

export interface LogQuery {
  sessionId?: string | undefined;
  since?: number | undefined;
  verdict?: Verdict | undefined;
  limit?: number | undefined;
}

/** The append-only audit log of one workspace (SQLite, WAL). */
export class AuditLog {
  /** Records that could not be written, oldest first (at most MAX_UNLOGGED kept; `unloggedCount` counts all). */
  private readonly failed: UnloggedRecord[] = [];
  private failedCount = 0;
  private readonly listeners: ((r: UnloggedRecord) => void)[] = [];
  /** What recent tool calls were, to name them when their decision cannot be written. */
  private readonly calls = new Map<string, string>();
  /** Failures of records that gate nothing are remembered, reported and not thrown (see keepGoing). */
  private lenient = false;

  private constructor(
    private readonly db: Database.Database,
    readonly path: string,
  ) {}

  /**
   * Opens (creating) the log. A state directory that cannot be written (read-only, full, not
   * permitted) is a StateError naming the path and the fix.
   */
  static open(path: string): AuditLog {
    let db: Database.Database | null = null;
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      db.pragma('busy_timeout = 5000');
      const log = new AuditLog(db, path);
      log.migrate();
      return log;
    } catch (error) {
      try {
        db?.close();
      } catch {
        // closing what could not be opened
      }
      throw asStateError(error, 'the audit log', path);
    }
  }

  /**
   * For a running session: a record that gates nothing (an event, a result, a checkpoint row, a
   * connection, the session's end) that cannot be written is remembered and reported instead of
   * thrown, so that no background work fails on it. The records a tool call waits for (the session's
   * start, the call, its decision) still throw: a call that cannot be logged does not run.
   */
  keepGoing(): void {
    this.lenient = true;
  }

  /** Called with every record the log could not take, as it happens. */
  onUnlogged(listener: (r: UnloggedRecord) => void): void {
    this.listeners.push(listener);
  }

  /** Records the log could not take so far (the first MAX_UNLOGGED), and how many there were in all. */
  unlogged(): { records: UnloggedRecord[]; count: number } {
    return { records: [...this.failed], count: this.failedCount };
  }

  /** One write: a failure is remembered (and heard by `onUnlogged`), then thrown as a StateError when it is one. */
  private write(what: () => string, fn: () => unknown, gates = false): void {
    try {
      fn();
    } catch (error) {
      const record: UnloggedRecord = { at: Date.now(), what: what().replace(/\s+/g, ' ').slice(0, 300), problem: stateProblem(error), error: oneLine(error) };
      this.failedCount++;
      if (this.failed.length < MAX_UNLOGGED) this.failed.push(record);
      for (const l of this.listeners) {
        try {
          l(record);
        } catch {
          // a listener's failure is not the log's
        }
      }
      if (gates || !this.lenient) throw asStateError(error, 'the audit log', this.path);
    }
  }

  private callName(toolUseId: string): string {
    return this.calls.get(toolUseId) ?? toolUseId;
  }

  /**
   * Brings the schema up to date. Two processes may open a new log at once (a session starting and
   * a `harness log`): each migration runs in an IMMEDIATE transaction that reads the version again
   * under the write lock, so the second one finds the work done instead of running it twice.
   */
  private migrate(): void {
    const version = (): number => this.db.pragma('user_version', { simple: true }) as number;
    const newer = (v: number): Error => new Error(`audit database schema ${v} is newer than this harness understands (${MIGRATIONS.length}); upgrade harness`);
    if (version() > MIGRATIONS.length) throw newer(version());
    while (version() < MIGRATIONS.length) {
      this.db
        .transaction(() => {
          const v = version();
          if (v >= MIGRATIONS.length) return;
          this.db.exec(MIGRATIONS[v]!);
          this.db.pragma(`user_version = ${v + 1}`);
        })
        .immediate();
    }
  }

  get schemaVersion(): number {
    return this.db.pragma('user_version', { simple: true }) as number;
  }

  close(): void {
    this.db.close();
  }

  startSession(s: SessionStart, at = Date.now()): void {
    this.write(
      () => `session start ${s.id}`,
      () =>
        this.db
          .prepare(
            'INSERT INTO sessions (id, agent, workspace, started_at, argv, config_path, harness_version, pid, supervisor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(s.id, s.agent, s.workspace, at, JSON.stringify(redactValue(s.argv)), s.configPath, s.version, s.pid ?? process.pid, s.supervisor ?? null),
      true,
    );
  }

  /** Sessions that never ended, with the supervisor process that ran them. */
  openSessions(): OpenSession[] {
    return this.db
      .prepare('SELECT s.id, s.pid, s.supervisor, s.workspace FROM sessions s LEFT JOIN session_ends e ON e.session_id = s.id WHERE e.session_id IS NULL')
      .all() as OpenSession[];
  }

  /** Whether session `id` has ended; null when the log does not know it. */
  hasEnded(id: string): boolean | null {
    const row = this.db.prepare('SELECT (SELECT COUNT(*) FROM session_ends e WHERE e.session_id = s.id) AS ended FROM sessions s WHERE s.id = ?').get(id) as
      | { ended: number }
      | undefined;
    return row ? row.ended > 0 : null;
  }

  endSession(id: string, exitCode: number | null, at = Date.now()): void {
    this.write(
      () => `session end ${id} (exit ${exitCode ?? 'unknown'})`,
      () => this.db.prepare('INSERT OR IGNORE INTO session_ends (session_id, ended_at, exit_code) VALUES (?, ?, ?)').run(id, at, exitCode),
    );
  }

  toolCall(r: ToolCallRecord, at = Date.now()): void {
    const name = `${r.tool} ${redact(r.summary).replace(/\s+/g, ' ').slice(0, 120)}`;
    this.calls.set(r.toolUseId, name);
    // only recent calls are named: a long session does not grow this
    if (this.calls.size > 500) this.calls.delete(this.calls.keys().next().value!);
    this.write(
      () => `tool call ${name}`,
      () =>
        this.db
          .prepare('INSERT INTO tool_calls (session_id, tool_use_id, at, agent, tool, kind, summary, cwd, input) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(r.sessionId, r.toolUseId, at, r.agent, r.tool, r.kind, redact(r.summary), r.cwd, JSON.stringify(redactValue(r.input) ?? null)),
      true,
    );
  }

  decision(r: DecisionRecord, at = Date.now()): void {
    this.write(
      () => `decision ${r.verdict}${r.ruleId ? ` (${r.ruleId})` : ''} by ${r.decidedBy} for ${this.callName(r.toolUseId)}: ${redact(r.reason)}`,
      () =>
        this.db
          .prepare(
            'INSERT INTO decisions (session_id, tool_use_id, at, verdict, rule_id, reason, decided_by, latency_ms, mutates, actor) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(r.sessionId, r.toolUseId, at, r.verdict, r.ruleId, redact(r.reason), r.decidedBy, r.latencyMs, r.mutates ? 1 : 0, r.actor ?? null),
      true,
    );
  }

  connection(r: ConnectionRecord, at = Date.now()): void {
    this.write(
      () => `connection ${r.verdict} ${r.host}:${r.port} (${r.ruleId}) by ${r.decidedBy}`,
      () =>
        this.db
          .prepare(
            'INSERT INTO connections (session_id, at, host, port, verdict, asked, rule_id, reason, decided_by, actor, tool_use_id, origin) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            r.sessionId,
            at,
            r.host.slice(0, 253),
            r.port,
            r.verdict,
            r.asked ? 1 : 0,
            r.ruleId,
            redact(r.reason),
            r.decidedBy,
            r.actor ?? null,
            r.toolUseId ?? null,
            r.origin ? redact(r.origin).slice(0, 300) : null,
          ),
    );
  }

  connectionsOf(sessionId: string, limit = 1_000_000): ConnectionRow[] {
    const rows = this.db
      .prepare(
        'SELECT seq, at, host, port, verdict, asked, rule_id AS ruleId, reason, decided_by AS decidedBy, actor, tool_use_id AS toolUseId, origin FROM connections WHERE session_id = ? ORDER BY seq DESC LIMIT ?',
      )
      .all(sessionId, limit) as (Omit<ConnectionRow, 'asked'> & { asked: number })[];
    return rows.reverse().map((r) => ({ ...r, asked: r.asked === 1 }));
  }

  event(r: { sessionId: string; kind: SessionEventKind; detail: string; toolUseId?: string | null }, at = Date.now()): void {
    this.write(
      () => `event ${r.kind}: ${redact(r.detail)}`,
      () =>
        this.db
          .prepare('INSERT INTO events (session_id, at, kind, detail, tool_use_id) VALUES (?, ?, ?, ?, ?)')
          .run(r.sessionId, at, r.kind, redact(r.detail), r.toolUseId ?? null),
    );
  }

  eventsOf(sessionId: string): SessionEvent[] {
    return this.db
      .prepare('SELECT seq, at, kind, detail, tool_use_id AS toolUseId FROM events WHERE session_id = ? ORDER BY seq')
      .all(sessionId) as SessionEvent[];
  }

  result(r: ResultRecord, at = Date.now()): void {
    this.write(
      () => `result (${r.ok ? 'ok' : 'failed'}) of ${this.callName(r.toolUseId)}`,
      () =>
        this.db
          .prepare('INSERT INTO results (session_id, tool_use_id, at, ok, summary, data) VALUES (?, ?, ?, ?, ?, ?)')
          .run(r.sessionId, r.toolUseId, at, r.ok ? 1 : 0, redact(r.summary), r.data === undefined ? null : JSON.stringify(redactValue(r.data))),
    );
  }

  /** A checkpoint taken (commit) or one that could not be taken (error) before a tool call. */
  checkpoint(r: { sessionId: string; toolUseId: string | null; commit: string | null; summary: string; error?: string }, at = Date.now()): void {
    this.write(
      () => `checkpoint ${r.commit ? r.commit.slice(0, 12) : '(none)'} for ${r.toolUseId ? this.callName(r.toolUseId) : 'the session'}: ${redact(r.summary)}`,
      () =>
        this.db
          .prepare('INSERT INTO checkpoints (session_id, tool_use_id, at, commit_id, summary, error) VALUES (?, ?, ?, ?, ?, ?)')
          .run(r.sessionId, r.toolUseId, at, r.commit, redact(r.summary), r.error ?? null),
    );
  }

  /** A rollback or undo, done or failed: who, from and to which checkpoint, and the files. */
  rollback(r: RollbackRecord, at = Date.now()): void {
    const cut = <T>(xs: T[], more: (n: number) => T): T[] =>
      xs.length > MAX_ROLLBACK_FILES ? [...xs.slice(0, MAX_ROLLBACK_FILES), more(xs.length - MAX_ROLLBACK_FILES)] : xs;
    const files = cut(r.files, (n) => ({ status: 'more', path: `${n} more files` }));
    const left = cut(r.notRestored, (n) => `${n} more`);
    this.write(
      () =>
        `${r.kind} ${r.error ? 'failed ' : ''}by ${r.by}${r.actor ? ` ${r.actor}` : ''} to ${r.to.slice(0, 12)} from ${r.from?.slice(0, 12) ?? '(none)'}: ${r.files.length} file(s)`,
      () =>
        this.db
          .prepare(
            'INSERT INTO rollbacks (session_id, at, kind, by, actor, from_commit, to_commit, step, files, not_restored, error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
          )
          .run(
            r.sessionId,
            at,
            r.kind,
            r.by,
            r.actor,
            r.from,
            r.to,
            r.step,
            JSON.stringify({ count: r.files.length, files }),
            JSON.stringify(left.map((n) => redact(n))),
            r.error ? redact(r.error) : null,
          ),
    );
  }

  /** The rollbacks of one session (all of them without one), oldest first. */
  rollbacksOf(sessionId?: string): RollbackRow[] {
    const rows = this.db
      .prepare(
        `SELECT seq, at, session_id AS sessionId, kind, by, actor, from_commit AS "from", to_commit AS "to", step, files, not_restored AS notRestored, error FROM rollbacks${sessionId === undefined ? '' : ' WHERE session_id = ?'} ORDER BY seq`,
      )
      .all(...(sessionId === undefined ? [] : [sessionId])) as (Omit<RollbackRow, 'files' | 'fileCount' | 'notRestored'> & {
      files: string;
      notRestored: string;
    })[];
    return rows.map((r) => {
      const files = JSON.parse(r.files) as { count: number; files: RollbackRow['files'] };
      return { ...r, files: files.files, fileCount: files.count, notRestored: JSON.parse(r.notRestored) as string[] };
    });
  }

  /** The files a tool call changed, as the checkpoints before and after it show. */
  changes(r: { sessionId: string; toolUseId: string; changes: LoggedChange[] }, at = Date.now()): void {
    this.write(
      () => `${r.changes.length} changed file(s) of ${this.callName(r.toolUseId)}`,
      () => {
        const insert = this.db.prepare('INSERT INTO changes (session_id, tool_use_id, at, status, path) VALUES (?, ?, ?, ?, ?)');
        this.db.transaction(() => {
          for (const c of r.changes.slice(0, MAX_CHANGES_PER_CALL)) insert.run(r.sessionId, r.toolUseId, at, c.status, c.path);
          if (r.changes.length > MAX_CHANGES_PER_CALL)
            insert.run(r.sessionId, r.toolUseId, at, 'more', `${r.changes.length - MAX_CHANGES_PER_CALL} more files`);
        })();
      },
    );
  }

  changesOf(sessionId: string, toolUseId?: string): (LoggedChange & { toolUseId: string })[] {
    const sql = `SELECT tool_use_id AS toolUseId, status, path FROM changes WHERE session_id = ?${toolUseId ? ' AND tool_use_id = ?' : ''} ORDER BY seq`;
    return this.db.prepare(sql).all(...(toolUseId ? [sessionId, toolUseId] : [sessionId])) as (LoggedChange & { toolUseId: string })[];
  }

  checkpointsOf(sessionId: string): CheckpointRow[] {
    return this.db
      .prepare('SELECT tool_use_id AS toolUseId, at, commit_id AS "commit", summary, error FROM checkpoints WHERE session_id = ? ORDER BY seq')
      .all(sessionId) as CheckpointRow[];
  }

  /** The tool calls `harness rollback N` counts, in effect now, oldest first (see steps.ts). */
  steps(sessionId: string): Step[] {
    const checkpoints = this.checkpointsOf(sessionId);
    // a program without hooks: its settled changes
    if (!checkpoints.some((c) => c.toolUseId !== null)) return changesInEffect(checkpoints, this.rollbacksOf(sessionId));
    const counts = this.changeCounts(sessionId);
    const calls = this.query({ sessionId, limit: 1_000_000 }).map((r) => ({
      toolUseId: r.toolUseId,
      tool: r.tool,
      summary: r.summary,
      verdict: r.verdict,
      finished: r.ok !== null,
      changed: counts.get(r.toolUseId) ?? 0,
    }));
    return stepsInEffect(calls, checkpoints, this.rollbacksOf(sessionId));
  }

  /** How many files each tool call of a session changed. */
  changeCounts(sessionId: string): Map<string, number> {
    const rows = this.db
      .prepare("SELECT tool_use_id AS id, COUNT(*) AS n FROM changes WHERE session_id = ? AND status NOT IN ('more', 'unknown') GROUP BY tool_use_id")
      .all(sessionId) as { id: string; n: number }[];
    return new Map(rows.map((r) => [r.id, r.n]));
  }

  /** Changes whenever anything is written to the log (a cheap check before re-reading it). */
  version(): string {
    const row = this.db.prepare(`SELECT ${LOGGED_TABLES.map((t) => `COALESCE((SELECT MAX(seq) FROM ${t}), 0)`).join(" || '/' || ")} AS v`).get() as {
      v: string;
    };
    return row.v;
  }

  /** Ids of the sessions this log started, newest first. */
  sessionIds(): string[] {
    return (this.db.prepare('SELECT id FROM sessions ORDER BY started_at DESC, rowid DESC').all() as { id: string }[]).map((r) => r.id);
  }

  latestSessionId(): string | null {
    const row = this.db.prepare('SELECT id FROM sessions ORDER BY started_at DESC, rowid DESC LIMIT 1').get() as { id: string } | undefined;
    return row?.id ?? null;
  }

  /** Tool calls with their final decision and result, oldest first. */
  query(q: LogQuery = {}): LogRow[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (q.sessionId) {
      where.push('c.session_id = ?');
      params.push(q.sessionId);
    }
    if (q.since !== undefined) {
      where.push('c.at >= ?');
      params.push(q.since);
    }
    if (q.verdict) {
      where.push('d.verdict = ?');
      params.push(q.verdict);
    }
    const sql = `
      SELECT c.session_id AS sessionId, c.tool_use_id AS toolUseId, c.at, c.agent, c.tool, c.kind, c.summary, c.cwd,
             d.verdict, d.rule_id AS ruleId, d.reason, d.decided_by AS decidedBy, d.actor,
             (SELECT COUNT(*) FROM decisions a WHERE a.session_id = c.session_id AND a.tool_use_id = c.tool_use_id AND a.verdict = 'ask') > 0 AS askedFirst,
             (SELECT r.ok FROM results r WHERE r.session_id = c.session_id AND r.tool_use_id = c.tool_use_id ORDER BY r.seq DESC LIMIT 1) AS ok
      FROM tool_calls c
      LEFT JOIN decisions d ON d.seq = (
        SELECT MAX(seq) FROM decisions x WHERE x.session_id = c.session_id AND x.tool_use_id = c.tool_use_id)
      ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY c.seq DESC
      LIMIT ?`;
    const rows = this.db.prepare(sql).all(...params, q.limit ?? 1000) as (Omit<LogRow, 'askedFirst' | 'ok'> & { askedFirst: number; ok: number | null })[];
    return rows.reverse().map((r) => ({ ...r, askedFirst: r.askedFirst === 1, ok: r.ok === null ? null : r.ok === 1 }));
  }

  summary(sessionId: string): SessionSummary | null {
    const s = this.db
      .prepare(
        'SELECT s.id, s.agent, s.pid, s.started_at AS startedAt, e.ended_at AS endedAt, e.exit_code AS exitCode FROM sessions s LEFT JOIN session_ends e ON e.session_id = s.id WHERE s.id = ?',
      )
      .get(sessionId) as Pick<SessionSummary, 'id' | 'agent' | 'pid' | 'startedAt' | 'endedAt' | 'exitCode'> | undefined;
    if (!s) return null;
    const rows = this.query({ sessionId, limit: 1_000_000 });
    const count = (f: (r: LogRow) => boolean): number => rows.filter(f).length;
    return {
      ...s,
      calls: rows.length,
      allowed: count((r) => r.verdict === 'allow'),
      denied: count((r) => r.verdict === 'deny'),
      asked: count((r) => r.askedFirst),
      approved: count((r) => r.askedFirst && r.verdict === 'allow'),
      timedOut: count((r) => r.decidedBy === 'timeout'),
      faults: count((r) => r.decidedBy === 'fault'),
      stale: count((r) => r.decidedBy === 'stale'),
      rollbacks: this.db
        .prepare(
          "SELECT COALESCE(SUM(kind = 'rollback' AND error IS NULL), 0) AS rollbacks, COALESCE(SUM(kind = 'undo' AND error IS NULL), 0) AS undos, COALESCE(SUM(error IS NOT NULL), 0) AS failed FROM rollbacks WHERE session_id = ?",
        )
        .get(sessionId) as SessionSummary['rollbacks'],
      connections: this.db
        .prepare(
          "SELECT COALESCE(SUM(verdict = 'allow'), 0) AS allowed, COALESCE(SUM(verdict = 'deny'), 0) AS refused, COALESCE(SUM(asked), 0) AS asked FROM connections WHERE session_id = ?",
        )
        .get(sessionId) as SessionSummary['connections'],
    };
  }

  sessions(limit = 20): SessionSummary[] {
    const ids = this.db.prepare('SELECT id FROM sessions ORDER BY started_at DESC LIMIT ?').all(limit) as { id: string }[];
    return ids.map((r) => this.summary(r.id)!).filter(Boolean);
  }
}
