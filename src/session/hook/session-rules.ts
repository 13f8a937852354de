import { resolve } from 'node:path';
import { displayPath } from '../../workspace.js';
import { eventPaths, type ToolEvent } from '../../agents/tool-event.js';

export interface SessionRule {
  id: string;
  /** The exact command (in its cwd), or the exact file a file tool may write. */
  match: { kind: 'command'; command: string; cwd: string } | { kind: 'path'; path: string; tool: string };
  description: string;
  addedAt: number;
}

/**
 * What the person allowed for the rest of the session with `a`: the exact same command in the
 * same directory, or the same file tool on the same file. Session rules only turn an `ask` into
 * an allow; a deny stays a deny. They live in memory and end with the session.
 */
export class SessionRules {
  private readonly rules: SessionRule[] = [];
  private next = 1;

  constructor(private readonly workspace: string) {}

  /** The rule `a` would add for this event, in words (null: nothing exact to remember). */
  describe(event: ToolEvent): string | null {
    const m = this.matchFor(event);
    if (!m) return null;
    return m.kind === 'command' ? `the command exactly as written, run in ${this.show(m.cwd)}` : `${m.tool} on ${this.show(m.path)}`;
  }

  add(event: ToolEvent, at = Date.now()): SessionRule | null {
    const match = this.matchFor(event);
    if (!match) return null;
    const existing = this.find(event);
    if (existing) return existing;
    const description =
      match.kind === 'command'
        ? `allow \`${match.command.length > 120 ? `${match.command.slice(0, 117)}…` : match.command}\` in ${this.show(match.cwd)}`
        : `allow ${match.tool} on ${this.show(match.path)}`;
    const rule: SessionRule = { id: `session.${this.next++}`, match, description, addedAt: at };
    this.rules.push(rule);
    return rule;
  }

  find(event: ToolEvent): SessionRule | null {
    const m = this.matchFor(event);
    if (!m) return null;
    return (
      this.rules.find((r) =>
        r.match.kind === 'command' && m.kind === 'command'
          ? r.match.command === m.command && r.match.cwd === m.cwd
          : r.match.kind === 'path' && m.kind === 'path' && r.match.path === m.path && r.match.tool === m.tool,
      ) ?? null
    );
  }

  revoke(id: string): SessionRule | null {
    const index = this.rules.findIndex((r) => r.id === id);
    return index < 0 ? null : this.rules.splice(index, 1)[0]!;
  }

  list(): SessionRule[] {
    return [...this.rules];
  }

  private matchFor(event: ToolEvent): SessionRule['match'] | null {
    const cwd = resolve(event.cwd);
    if (event.kind === 'shell') return event.command ? { kind: 'command', command: event.command, cwd } : null;
    const paths = eventPaths(event);
    return paths.length === 1 ? { kind: 'path', path: resolve(cwd, paths[0]!), tool: event.tool } : null;
  }

  private show(path: string): string {
    return path === this.workspace ? 'the workspace root' : displayPath(this.workspace, path);
  }
}
