import { resolve } from 'node:path';
import { displayPath } from '../../workspace.js';
import type { ToolEvent } from '../../agents/tool-event.js';
import type { AuditLog, SessionEventKind } from '../../audit/store.js';
import type { CheckpointStore } from '../../checkpoints/store.js';
import type { Decision } from '../../policy/index.js';
import { lineDiff } from '../../line-diff.js';
import type { ApprovalView } from '../views.js';
import { defuseInnerGitDirs } from './git-configs.js';
import { redact } from '../../audit/redact.js';
import type { LivePolicy } from '../live-policy.js';
import type { ProtectedChange, ProtectedFiles } from './protected-files.js';
import { listSome } from '../list-some.js';
import { describeStrays, strayProcesses, type StrayProcess } from '../process/strays.js';
import type { ToolGate } from '../tool-gate.js';

/** What harness restores on its own when a protected file changes behind its back. */
export type RestorePolicy = 'harness' | 'all' | 'none';

export interface GuardDeps {
  sessionId: string;
  workspace: string;
  audit: AuditLog;
  gate: ToolGate;
  live: LivePolicy;
  files: ProtectedFiles;
  checkpoints?: CheckpointStore | undefined;
  restore: RestorePolicy;
  /** Tells the person at once (the TUI's notice, or stderr without a terminal). */
  alert: (text: string) => void;
  /** Asks the person whether to keep a config change that appeared during a tool call; absent → no. */
  confirm?: ((view: ApprovalView) => Promise<boolean>) | undefined;
  /** The agent's process id, once it runs (for processes its calls left behind). */
  agentPid: () => number | null;
}

/** Out-of-band changes are gathered this long before they are recorded as one event. */
const SETTLE_MS = 300;
const LISTED = 20;

/**
 * The watcher's side of the session: protected files changed behind harness's back (restored,
 * alerted, logged), the person's config edits (validated and applied to the next tool call), and
 * workspace changes no running tool call explains (recorded, attributed to the call that most
 * likely started them).
 */
export class SessionGuard {
  /** Paths each running call said it would write (an allowed write to a protected path is no violation). */
  private readonly declared = new Map<string, Set<string>>();
  private lastShell: { toolUseId: string; summary: string } | null = null;
  private pendingOutOfBand = new Set<string>();
  private outOfBandTimer: NodeJS.Timeout | null = null;
  private checking: Promise<void> = Promise.resolve();

  private unsubscribe: (() => void) | null = null;
  /** Every process the agent starts inherits this from its environment. */
  private readonly marker: string;
  private readonly deps: GuardDeps;

  /** Before the agent started: what changed after this is the session's. */
  private readonly startedAt = Date.now();

  constructor(deps: GuardDeps) {
    this.marker = `HARNESS_SESSION_ID=${deps.sessionId}`;
    const alert = deps.alert;
    // nothing secret reaches the screen either (a config error quotes what it found)
    this.deps = { ...deps, alert: (text) => alert(redact(text)) };
  }

  start(): void {
    this.deps.files.watch(() => void this.check());
    this.unsubscribe = this.deps.checkpoints?.onChange((paths) => this.workspaceChanged(paths)) ?? null;
  }

  stop(): void {
    // the agent has exited: a file that makes programs run something, changed in its last moments
    // (before the watcher's next look), is put back now, so nothing of it runs outside later
    for (const change of this.deps.files.changes()) {
      if (change.kind !== 'runs-code' && change.kind !== 'harness-settings') continue;
      const name = displayPath(this.deps.workspace, change.path);
      if (this.deps.files.restore(change.path)) this.event('tamper-reverted', `${name} changed as the session ended; harness put it back`);
      else this.event('tamper-detected', `${name} changed as the session ended and could not be put back`);
    }
    // the same for git directories inside the workspace (submodules', nested repositories'): what
    // the session put in them that makes git run a program is taken out
    try {
      for (const d of defuseInnerGitDirs(this.deps.workspace, this.startedAt)) {
        const what = [...d.keys, ...d.hooks.map((h) => `hooks/${h}`)].join(', ');
        this.event(
          'tamper-reverted',
          `${displayPath(this.deps.workspace, d.gitDir)} gained what makes git run a program (${what}); harness took it out as the session ended`,
        );
        this.deps.alert(`harness: took ${what} out of ${displayPath(this.deps.workspace, d.gitDir)}: git would have run it outside the sandbox.`);
      }
    } catch (e) {
      this.event('tamper-detected', `the git directories inside the workspace could not be checked: ${e instanceof Error ? e.message : String(e)}`);
    }
    this.deps.files.close();
    this.unsubscribe?.();
    if (this.outOfBandTimer) clearTimeout(this.outOfBandTimer);
  }

  /** A call is going ahead: what it declared it writes, and (for shell calls) that it may leave processes behind. */
  started(event: ToolEvent, decision: Pick<Decision, 'commands'>): void {
    const writes = new Set<string>(event.kind === 'write' || event.kind === 'edit' ? event.files.map((f) => resolve(event.cwd, f.path)) : []);
    for (const c of decision.commands) for (const e of c.effects) if (e.op !== 'read' && !e.unknown) writes.add(resolve(event.cwd, e.path));
    this.declared.set(event.toolUseId, writes);
    if (event.kind === 'shell') this.lastShell = { toolUseId: event.toolUseId, summary: event.summary };
  }

  finished(toolUseId: string): void {
    this.declared.delete(toolUseId);
  }

  /** Checks the protected files now (also run before every tool call, in case an event was missed). */
  check(): Promise<void> {
    this.checking = this.checking.then(() => this.handle(this.deps.files.changes())).catch(() => {});
    return this.checking;
  }

  private event(kind: SessionEventKind, detail: string, toolUseId: string | null = null): void {
    this.deps.audit.event({ sessionId: this.deps.sessionId, kind, detail, toolUseId });
  }

  /** Why the change cannot be the person's: a running call, or processes the session left behind. */
  private culprits(): { running: string[]; strays: StrayProcess[] } {
    const running = this.deps.gate.runningIds();
    const pid = this.deps.agentPid();
    // a running call already explains the change: no need to scan /proc
    return { running, strays: pid && running.length === 0 ? strayProcesses(pid, this.marker) : [] };
  }

  private async handle(changes: ProtectedChange[]): Promise<void> {
    for (const change of changes) {
      const name = displayPath(this.deps.workspace, change.path);
      const byCall = [...this.declared.entries()].find(([, paths]) => paths.has(change.path));
      if (byCall) {
        this.deps.files.accept(change.path);
        this.event('protected-changed', `${name} changed by the call that declared it`, byCall[0]);
        continue;
      }
      const { running, strays } = this.culprits();
      const suspect = running.length > 0 || strays.length > 0;
      const who =
        running.length > 0
          ? `while a tool call ran (${running.join(', ')})`
          : strays.length > 0
            ? `while processes started by the session ran (${describeStrays(strays)})`
            : 'while no tool call ran';
      const attributed = running[0] ?? (strays.length > 0 ? (this.lastShell?.toolUseId ?? null) : null);

      if (change.kind === 'harness-config' && !suspect) {
        this.reload(change.path, name);
        continue;
      }
      if (change.kind === 'harness-config' && this.deps.confirm) {
        const keep = await this.deps.confirm(this.configView(change, name, who));
        if (keep) {
          this.event('config-change-kept', `${name} changed ${who}; the person kept it`, attributed);
          this.reload(change.path, name);
          continue;
        }
      }
      // a file that makes a program run something (git's config moved elsewhere, an agent's own hooks): always put back
      const always = change.kind === 'harness-settings' || change.kind === 'runs-code';
      const restore = always || change.kind === 'harness-config' || (suspect && this.deps.restore === 'all');
      if (this.deps.restore === 'none' && !always) {
        this.event('tamper-detected', `${name} changed ${who}; not restored (watcher.restore is "none")`, attributed);
        this.deps.alert(`harness: ${name} changed ${who}. Not restored (watcher.restore is "none").`);
        continue;
      }
      if (restore && this.deps.files.restore(change.path)) {
        this.event('tamper-reverted', `${name} changed ${who}; harness put it back`, attributed);
        this.deps.alert(`harness: ${name} changed ${who}; harness put it back as it was.`);
      } else if (suspect) {
        this.event('tamper-detected', `${name} changed ${who}`, attributed);
        this.deps.alert(`harness: ${name} changed ${who}. Check it: harness does not restore it (watcher.restore).`);
      } else {
        // the person's own change (say, git config in another terminal): noted, accepted
        this.deps.files.accept(change.path);
        this.event('protected-changed', `${name} changed ${who} (taken as the person's change)`);
      }
    }
  }

  private reload(path: string, name: string): void {
    try {
      const { rules, before } = this.deps.live.reload();
      this.deps.files.accept(path);
      this.event('config-reloaded', `${name} reloaded: ${rules} rule(s), ${before} before; they apply from the next tool call`);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.event('config-invalid', `${message}\nThe previous rules stay in force.`);
      this.deps.alert(`${message}\nharness keeps the previous rules until the file is valid.`);
    }
  }

  private configView(change: ProtectedChange, name: string, who: string): ApprovalView {
    const before = change.before?.toString('utf8') ?? '';
    const after = change.after?.toString('utf8') ?? '';
    return {
      id: `config-${Date.now()}`,
      agent: 'harness',
      tool: 'config',
      kind: 'config',
      target: name,
      preview: { lines: lineDiff(before, after, { context: 2, maxLines: 200 }).map((l) => ({ ...l, text: redact(l.text) })), note: null },
      cwd: this.deps.workspace,
      ruleId: 'core.config-changed',
      reason: `${name} changed ${who}, so it may not be your edit. y applies the new rules; n puts the file back as it was.`,
      deadline: Date.now() + 120_000,
      sessionScope: 'same as y',
    };
  }

  /** Workspace paths the watcher saw change; those no running call explains are out-of-band. */
  private workspaceChanged(paths: string[]): void {
    if (this.deps.gate.busy()) return;
    for (const p of paths) if (this.pendingOutOfBand.size < 10_000) this.pendingOutOfBand.add(p);
    if (this.outOfBandTimer) return;
    this.outOfBandTimer = setTimeout(() => void this.recordOutOfBand(), SETTLE_MS);
  }

  private async recordOutOfBand(): Promise<void> {
    this.outOfBandTimer = null;
    const paths = [...this.pendingOutOfBand];
    this.pendingOutOfBand.clear();
    const store = this.deps.checkpoints;
    const relevant = store ? await store.notIgnored(paths).catch(() => paths) : paths;
    if (relevant.length === 0) return;
    const pid = this.deps.agentPid();
    const strays = pid ? strayProcesses(pid, this.marker) : [];
    const cause = this.lastShell ? `; most likely started by \`${this.lastShell.summary.slice(0, 120)}\`` : '';
    const running = strays.length > 0 ? ` (still running: ${describeStrays(strays).slice(0, 300)})` : '';
    this.event(
      'out-of-band',
      `${relevant.length} file(s) changed while no tool call ran: ${listSome(relevant, LISTED)}${cause}${running}`,
      this.lastShell?.toolUseId ?? null,
    );
  }
}
