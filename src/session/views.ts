/** The view types the core exports: the session fills them, the TUI (approval dialog, panel) renders them. */
import type { ChangedPath } from '../checkpoints/changed-path.js';
import type { DiffLine } from '../line-diff.js';
import type { TerminalSize } from '../screen/overlay.js';

/** What every approval shows: who asks, the rule behind it, and how long harness waits. */
interface ApprovalCommon {
  id: string;
  agent: string;
  tool: string;
  ruleId: string | null;
  reason: string;
  /** Epoch ms after which harness answers deny. */
  deadline: number;
  /** What `a` would allow for the rest of the session, in words. */
  sessionScope: string;
}

/** What a write, an edit or a changed config file would change, as diff lines; `note` says what the lines cannot (a new file, no preview). */
export interface ApprovalPreview {
  lines: DiffLine[];
  note: string | null;
}

/**
 * What the approval dialog shows for one `ask`: everything the person needs to decide, nothing
 * secret. By kind: a shell command (and what harness read it as), a file write or edit with its
 * preview, a read, a fetch, a network connection with the call it came from, a changed config
 * file, or another tool (an MCP server's, the agent's own). Paths are as the person would write
 * them (relative inside the workspace).
 */
export type ApprovalView = ApprovalCommon &
  (
    | {
        kind: 'shell';
        /** The exact shell command (secrets masked). */
        command: string;
        /** The commands harness analysed, when they differ from what the agent wrote (wrappers removed, quoting undone). */
        normalized: string[];
        cwd: string;
      }
    | {
        kind: 'write' | 'edit' /** The first file it writes; null: the call names none harness could read. */;
        target: string | null;
        preview: ApprovalPreview;
        cwd: string;
      }
    | { kind: 'read' | 'search'; target: string | null; cwd: string }
    | { kind: 'fetch' | 'mcp' | 'other'; cwd: string }
    /** A connection through the egress proxy: `target` is host:port, `origin` the tool call running when it was made. */
    | { kind: 'network'; target: string; origin: string }
    /** A config file changed by someone else: apply its rules, or put it back. */
    | { kind: 'config'; target: string; preview: ApprovalPreview; cwd: string }
  );

export type ApprovalChoice = { verdict: 'allow'; remember: boolean } | { verdict: 'deny'; message?: string | undefined };

/** What every line of the timeline has: where it is, when, and the checkpoint it can be rolled back to. */
interface TimelineCommon {
  /** The tool call's id, `rollback-<n>`, `checkpoint-<n>` or `event-<n>`. */
  id: string;
  at: number;
  summary: string;
  /** The state this line can be rolled back to (a full commit id): the checkpoint before a call, the one taken between calls, the present a rollback saved first. */
  checkpoint: string | null;
}

/** A tool call and what harness decided about it. */
export interface CallEntry extends TimelineCommon {
  kind: 'call';
  tool: string;
  /** Null while it waits for an answer. */
  verdict: 'allow' | 'ask' | 'deny' | null;
  decidedBy: string | null;
  askedFirst: boolean;
  ruleId: string | null;
  reason: string | null;
  /** Whether it succeeded; null before its result is in. */
  ok: boolean | null;
  filesChanged: number;
}

/** A rollback or undo: `checkpoint` is the present it saved first (rolling back to it undoes the rollback). */
export interface RollbackEntry extends TimelineCommon {
  kind: 'rollback';
  filesChanged: number;
  error: string | null;
}

/** A checkpoint taken between calls (`harness run -- <command>`): a state to go back to. */
export interface CheckpointEntry extends TimelineCommon {
  kind: 'checkpoint';
  error: string | null;
}

/** Something the watcher or the session saw (out-of-band changes, tampering, config reloads, session rules): no state of its own to go back to. */
export interface EventEntry extends TimelineCommon {
  kind: 'event';
  /** The event's kind in the audit log (`out-of-band`, `config-reloaded` …). */
  event: string;
  checkpoint: null;
  /** The tool call it is attributed to, if any. */
  toolUseId: string | null;
}

/** One line of the panel's timeline. */
export type TimelineEntry = CallEntry | RollbackEntry | CheckpointEntry | EventEntry;

export interface SessionStatus {
  sessionId: string;
  agent: string;
  allowed: number;
  asked: number;
  denied: number;
  lastCheckpoint: { id: string; at: number } | null;
}

export interface SessionRuleView {
  id: string;
  description: string;
  addedAt: number;
}

export interface RollbackPreview {
  checkpoint: string;
  changes: ChangedPath[];
  /** What the rollback leaves as it is, and why (nested repositories, unrecorded files in the way …). */
  notRestored: string[];
}

/** What the panel reads and does; the session implements it over the audit log and the checkpoint store. */
export interface PanelSource {
  status(): SessionStatus;
  timeline(): TimelineEntry[];
  /** What a step changed, as diff lines. */
  diff(entryId: string): Promise<DiffLine[]>;
  /** The files a rollback to just before the step would change. */
  planRollback(entryId: string): Promise<RollbackPreview>;
  rollback(entryId: string): Promise<RollbackPreview>;
  /** Undoes the last rollback made in this session; null when there is none. */
  undo(): Promise<RollbackPreview | null>;
  canUndo(): boolean;
  sessionRules(): SessionRuleView[];
  revokeRule(id: string): void;
}

/** Where the TUI draws: the overlay over the agent's screen (or a test double). */
export interface Surface {
  open(): Promise<void> | void;
  paint(frame: string, size: TerminalSize): void;
  close(): Promise<void>;
  size(): TerminalSize;
}

/** What the session asks of the person's TUI (src/tui/tui.tsx is one; `harness run` hands it in). */
export interface SessionUi {
  /** Whether it has the screen (keys go to `input`, not to the agent). */
  readonly active: boolean;
  ask(view: ApprovalView): Promise<ApprovalChoice>;
  /** The request was answered some other way (a timeout, no terminal): its dialog goes. */
  withdraw(id: string, why: string): void;
  notify(text: string): void;
  confirm(view: ApprovalView): Promise<boolean>;
  openPanel(): void;
  input(keys: string): void;
  resize(): void;
  stop(): Promise<void>;
}

/**
 * Loads the TUI and gives what builds it over a surface, with the panel's source and its key: the
 * session starts loading it as the agent starts (Ink and React take a while), and builds it once
 * set-up is done.
 */
export type LoadUi = () => Promise<(surface: Surface, panel: PanelSource, panelKey: string) => SessionUi>;
