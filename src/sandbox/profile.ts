import { isAbsolute, join, resolve } from 'node:path';
import type { RuleSource } from '../policy/index.js';

/**
 * What the sandbox lets the agent's processes do, compiled from the policy file. Pure: paths are
 * decided here, the mounts that carry them out (and which of them exist) are the backend's job.
 */
export interface SandboxProfile {
  /** Private, empty and writable (/tmp): nothing of the host's shows through, sockets included. */
  scratch: string[];
  /** Writable trees; everything else is read-only. Deeper entries win over shallower ones. */
  writable: string[];
  /** Read-only even inside a writable tree (HOME under /tmp, say). */
  readOnly: string[];
  /** Read-only whatever else the profile says: harness's own files, the agent's hook wiring, git internals. */
  protected: string[];
  /** Unreadable: secret paths (hidden behind an empty directory or file). */
  hidden: string[];
  /** Ports of 127.0.0.1 outside that the agent's processes may reach (its hook endpoint, a local model server). */
  localPorts: number[];
}

export interface ProfileInput {
  workspace: string;
  home: string;
  /** Temp dirs the agent gets a private empty copy of (/tmp, /var/tmp). */
  scratch: string[];
  /** Other temp dirs the agent uses ($TMPDIR and the agent's own), shared with the host. */
  tempDirs: string[];
  /** harness's state directory for the workspace: audit database, runtime files. */
  stateDir: string;
  /** The agent's own state (~/.claude, ~/.codex …): writable. */
  agentState: string[];
  /** Files harness injected for this run and the agent's settings files: read-only. */
  protectedFiles: string[];
  configPath: string | null;
  /** Injected files the agent must be able to read although they sit in harness's state directory. */
  visibleState: string[];
  /** Where harness, Node and the agent's program are installed: visible (read-only) even inside a private /tmp. */
  programs: string[];
  /** Paths inside the state directory the agent may write (a private config overlay). */
  writableState: string[];
  rules: RuleSource[];
  allowWrite: string[];
  denyRead: string[];
  allowRead: string[];
  localPorts: number[];
}

/** Package-manager caches: installing dependencies is everyday work. */
const CACHES = [
  '.cache',
  '.npm',
  '.pnpm-store',
  '.local/share/pnpm',
  '.yarn',
  '.bun/install/cache',
  '.cargo/registry',
  '.cargo/git',
  'go/pkg/mod',
  '.m2/repository',
  '.gradle/caches',
  '.nuget/packages',
  '.deno',
];

function expand(path: string, home: string, workspace: string): string {
  if (path === '~') return home;
  if (path.startsWith('~/')) return join(home, path.slice(2));
  return isAbsolute(path) ? resolve(path) : resolve(workspace, path);
}

/** The fixed part of a path glob: `~/.ssh/**` → `~/.ssh`; null when the glob is not anchored. */
function literalPrefix(glob: string): string | null {
  const parts = glob.split('/');
  const fixed: string[] = [];
  for (const part of parts) {
    if (/[*?[\]{}]/.test(part)) break;
    fixed.push(part);
  }
  const prefix = fixed.join('/');
  if (prefix === '' || prefix === '~' || prefix === '/') return null;
  // `/**/id_rsa` anchors nothing; `~/.ssh/**` anchors ~/.ssh; `~/.aws/credentials` is a file;
  // `/etc/ssh/*_key` is a pattern in one directory, expanded when the sandbox starts
  const rest = parts.slice(fixed.length);
  if (fixed.length === parts.length || rest.join('/') === '**') return prefix;
  return rest.length === 1 && !rest[0]!.includes('**') ? glob : null;
}

/** Secret paths of the rules in force that deny reading: what the sandbox makes unreadable. */
export function secretPaths(rules: RuleSource[]): string[] {
  const out: string[] = [];
  for (const { spec } of rules) {
    if (!spec.id.startsWith('secrets.') || spec.decision !== 'deny' || !spec.paths) continue;
    if (spec.ops && !spec.ops.includes('read')) continue;
    for (const glob of spec.paths) {
      // the sandbox's own /proc, /sys and /dev are fresh: nothing there to hide, and nothing to mount over (the hook rules still judge them)
      if (/^\/(?:proc|sys|dev)(?:\/|$)/.test(glob)) continue;
      const prefix = literalPrefix(glob);
      if (prefix) out.push(prefix);
    }
  }
  return out;
}

function within(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);
}

const unique = (paths: string[]): string[] => [...new Set(paths)];

export function compileProfile(input: ProfileInput): SandboxProfile {
  const { home, workspace } = input;
  const x = (p: string): string => expand(p, home, workspace);
  const allowRead = input.allowRead.map(x);
  // an allowed path that contains a secret path un-hides it; one inside a hidden directory is bound back into it
  const hidden = unique([...secretPaths(input.rules), ...input.denyRead].map(x)).filter((p) => !allowRead.some((a) => within(p, a)));
  const allowedInside = allowRead.filter((a) => hidden.some((h) => within(a, h) && a !== h));
  const gitDir = join(workspace, '.git');
  const writable = unique([
    ...input.tempDirs,
    workspace,
    ...input.agentState,
    ...CACHES.map((c) => join(home, c)),
    ...input.allowWrite.map(x),
    ...input.writableState,
  ]);
  return {
    scratch: unique(input.scratch),
    writable,
    // HOME stays read-only when it sits in a writable tree (a temp dir), except what is listed above
    // read-only where nothing writable is the same path (HOME as the workspace, harness run in its own checkout)
    readOnly: unique([
      home,
      input.stateDir,
      ...input.visibleState,
      ...allowedInside,
      ...input.programs.filter((p) => input.scratch.some((s) => within(p, s))),
    ]).filter((p) => !writable.includes(p)),
    protected: unique([
      ...(input.configPath ? [input.configPath] : [join(workspace, 'harness.config.json')]),
      ...input.protectedFiles,
      join(gitDir, 'config'),
      join(gitDir, 'hooks'),
      join(gitDir, 'refs', 'harness'),
    ]),
    hidden: unique([...hidden, input.stateDir].filter((p) => !input.visibleState.includes(p))),
    localPorts: unique(input.localPorts.map(String)).map(Number),
  };
}
