import { closeSync, existsSync, mkdirSync, openSync, readSync, realpathSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import type { AgentConfig } from '../agents/adapter.js';
import type { SandboxSettings } from '../config/load.js';
import type { RuleSource } from '../policy/index.js';
import { HarnessError } from '../errors.js';
import { hookClientPath } from '../hooks/client.js';
import { bwrapArgs, bwrapAvailability, type Availability } from './bwrap.js';
import { Doors, type Peer, type Refusal } from './doors.js';
import { upstreamFor, type EgressDecider, type EgressFrom } from './egress.js';
import { ownAddresses } from '../config/network.js';
import { compileProfile, type SandboxProfile } from './profile.js';
import { trace } from '../trace.js';

export { bwrapAvailability, bwrapAvailabilityCached, reprobe, type Availability } from './bwrap.js';
export type { Peer, Refusal } from './doors.js';
export type { EgressDecider, EgressFrom, EgressVerdict } from './egress.js';
export type { SandboxProfile } from './profile.js';

// dist/sandbox/index.js → dist/…; src/sandbox/index.ts (tests) → dist/… too
const firstExisting = (urls: URL[]): string | null => urls.map((u) => fileURLToPath(u)).find((p) => existsSync(p)) ?? null;
/** The native first process (hooks/harness-sandbox-init.c), when the build could compile it. */
/** The native launcher when the build compiled it (null: the Node one runs, without door checks or a system call filter). */
export const nativeLauncher = (): string | null =>
  firstExisting([new URL('../harness-sandbox-init', import.meta.url), new URL('../../dist/harness-sandbox-init', import.meta.url)]);
/** The Node fallback: it checks no peers. */
const nodeLauncher = (): string =>
  firstExisting([new URL('./launcher.js', import.meta.url), new URL('../../dist/sandbox/launcher.js', import.meta.url)]) ??
  fileURLToPath(new URL('./launcher.js', import.meta.url));
/** Where the agent's processes find harness's proxy inside the sandbox. */
const PROXY_PORT = 3128;

export interface SandboxRequest {
  settings: SandboxSettings;
  /** The program that will run in it (its installation stays visible). */
  binary?: string;
  workspace: string;
  home: string;
  stateDir: string;
  configPath: string | null;
  rules: RuleSource[];
  env: NodeJS.ProcessEnv;
  /** The agent's own state and API base URLs. */
  agentState: string[];
  endpoints: string[];
  /** The agent's own files and directories that make it run programs on its next start: read-only. */
  agentConfig: AgentConfig;
  /** Files harness wrote for the run (read-only inside) and the agent's settings files. */
  injected: string[];
  protectedFiles: string[];
  writableState: string[];
  /**
   * 127.0.0.1 ports outside the agent must reach (harness's hook endpoint), and who may connect to
   * each inside: `agent` (the agent process itself: Claude Code's http hooks), `hook-client`
   * (harness's hook client started by the agent: command hooks) or `any`.
   */
  ports: { port: number; peer: Peer; target?: string }[];
  /** Without a terminal the agent gets a session of its own. */
  interactive: boolean;
  /** Decides each connection through the proxy (harness's network rules, the person, the log). */
  decideEgress: EgressDecider;
  /** A tunnel the proxy cut: the name inside it was not the one decided on. */
  onMismatch?: (host: string, port: number, from: EgressFrom, why: string) => void;
  /** A connection to a door the launcher refused: its peer was not the one the door admits. */
  onRefused?: (refusal: Refusal) => void;
  /** Run the Node launcher even when the native one is built (tests of the fallback). */
  nodeLauncher?: boolean | undefined;
}

/** A running sandbox: how to start the agent in it, and how to take it down. */
export interface Sandbox {
  profile: SandboxProfile;
  /** Which first process runs inside: the native one checks who connects to a door. */
  launcher: 'native' | 'node';
  /** Its own directory (door sockets, the launch file), for whoever cleans up after a supervisor that died. */
  dir: string;
  /** What the person should know: door checks that cannot be made here. */
  notes: string[];
  /** The program to spawn instead of the agent (`binary args…`), and its arguments. */
  wrap(binary: string, args: string[]): { file: string; args: string[] };
  /** Variables the agent's environment gains: the proxy. */
  env(): Record<string, string>;
  /** Stops every process in the sandbox at once; how to resume them, or null if the launcher cannot. */
  freeze(): Promise<(() => Promise<void>) | null>;
  /** Whether the launcher got as far as saying hello: false after an exit means the sandbox never started. */
  started(): boolean;
  /** Resolves once the launcher said hello (never, when the sandbox does not start: race it with the agent's exit). */
  greeted(): Promise<void>;
  close(): Promise<void>;
}

export type SandboxDecision = { active: false; why: string; warn: boolean } | { active: true };

/**
 * Whether this run gets the sandbox; a required sandbox that cannot be had refuses to start.
 * `availability`: whether bubblewrap runs here, asked only when the sandbox is not switched off.
 */
export function sandboxDecision(settings: SandboxSettings, disabled: boolean, availability: () => Availability = bwrapAvailability): SandboxDecision {
  if (disabled) return { active: false, why: 'switched off with --no-sandbox', warn: true };
  if (settings.mode === 'off') return { active: false, why: 'switched off by sandbox.mode "off"', warn: true };
  const available = availability();
  if (available.ok) return { active: true };
  if (settings.mode === 'required') {
    throw new HarnessError(`the sandbox is required (sandbox.mode "required") but cannot run here: ${available.problem}. Fix: ${available.fix}.`);
  }
  return { active: false, why: `${available.problem} (fix: ${available.fix})`, warn: true };
}

function endpointParts(url: string): { host: string; port: number } | null {
  try {
    const u = new URL(url);
    return { host: u.hostname.replace(/^\[|\]$/g, ''), port: Number(u.port || (u.protocol === 'https:' ? 443 : 80)) };
  } catch {
    return null;
  }
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|::1)$/;

/** Builds the sandbox for a run: the profile from the policy, the doors out, the bubblewrap command. */
export async function openSandbox(req: SandboxRequest): Promise<Sandbox> {
  const available = bwrapAvailability();
  if (!available.ok) throw new HarnessError(`the sandbox cannot run here: ${available.problem}. Fix: ${available.fix}.`);
  const endpoints = req.endpoints.map(endpointParts).filter((e): e is { host: string; port: number } => e !== null);
  const localPorts = [...req.ports.map((p) => p.port), ...req.settings.allowLocalPorts, ...endpoints.filter((e) => LOOPBACK.test(e.host)).map((e) => e.port)];
  const env = req.env;
  // /tmp and /var/tmp are private: the host's hold other programs' sockets (tmux, ssh agents, IDEs)
  const scratch = ['/tmp', '/var/tmp'];
  const tempDirs = [...new Set([tmpdir(), env.TMPDIR, env.CLAUDE_CODE_TMPDIR].filter((d): d is string => Boolean(d) && !scratch.includes(resolve(d!))))];
  // what is bound read-only must exist first: nothing could create it in its place later
  if (existsSync(join(req.workspace, '.git', 'refs'))) {
    mkdirSync(join(req.workspace, '.git', 'refs', 'harness'), { recursive: true });
    mkdirSync(join(req.workspace, '.git', 'hooks'), { recursive: true });
  }
  // the agent's own directories of hooks, skills and extensions, where its state directory exists
  // (files of that kind are put back by the watcher when they appear)
  for (const path of req.agentConfig.dirs) if (existsSync(dirname(path))) mkdirSync(path, { recursive: true });
  const doors = new Doors(req.onRefused);
  const profile = compileProfile({
    workspace: req.workspace,
    home: req.home,
    scratch,
    tempDirs,
    stateDir: req.stateDir,
    agentState: req.agentState,
    protectedFiles: [...req.protectedFiles, ...req.agentConfig.files, ...req.agentConfig.dirs, ...req.injected, doors.dir],
    configPath: req.configPath,
    visibleState: req.injected,
    programs: programRoots(req.binary),
    writableState: req.writableState,
    rules: req.rules,
    allowWrite: req.settings.allowWrite,
    denyRead: [...req.settings.denyRead, ...socketPaths(env)],
    allowRead: req.settings.allowRead,
    localPorts,
  });
  trace('sandbox: profile compiled');
  try {
    // a port asked for twice (the hook endpoint also in allowLocalPorts) gets the strictest check
    const strictness: Peer[] = ['any', 'hook-client', 'agent'];
    const peerOf = (port: number): Peer =>
      req.ports.filter((p) => p.port === port).reduce<Peer>((a, p) => (strictness.indexOf(p.peer) > strictness.indexOf(a) ? p.peer : a), 'any');
    for (const port of profile.localPorts) await doors.forward(port, peerOf(port), req.ports.find((p) => p.port === port && p.target)?.target);
    const proxyPort = profile.localPorts.includes(PROXY_PORT) ? 13128 : PROXY_PORT;
    // outside, the connections go where harness's own environment sends them (a company's proxy, or
    // directly); the interfaces' addresses are read when the first name is dialed, not before the
    // agent starts (some 10 ms: each IPv6 address goes through net.isIP's expression)
    let own: Set<string> | undefined;
    await doors.proxy(proxyPort, {
      decide: req.decideEgress,
      mismatch: req.onMismatch,
      dial: { upstream: upstreamFor(process.env), ownAddresses: () => (own ??= ownAddresses()) },
    });
    trace('sandbox: doors open');
    const bwrap = bwrapArgs(profile, { newSession: !req.interactive, emptyFile: doors.emptyFile });
    trace('sandbox: bubblewrap arguments');
    const proxyUrl = `http://127.0.0.1:${proxyPort}`;
    const native = req.nodeLauncher ? null : nativeLauncher();
    const hookClient = hookClientPath();
    const notes: string[] = [];
    const checked = doors.list.filter((d) => d.peer === 'agent' || d.peer === 'hook-client');
    if (!native) {
      notes.push(
        `the sandbox runs its Node launcher (${req.nodeLauncher ? 'as asked' : 'the native one was not built: no C compiler at install'}), so ${checked.length > 0 ? `the hook endpoint cannot tell the agent from a script it ran (port ${checked.map((d) => d.port).join(', ')}), ` : ''}the proxy cannot tell the agent's own connections from a script's, and no system call filter holds its processes`,
      );
    } else {
      for (const u of doors.writeLaunch(hookClient).unchecked) notes.push(`port ${u.port} admits any process inside the sandbox: ${u.why}`);
    }
    return {
      profile,
      launcher: native ? 'native' : 'node',
      dir: doors.dir,
      notes,
      wrap: (binary, args) => {
        // written for each start: the launcher's hello deletes it
        doors.writeLaunch(hookClient, isScript(binary));
        const first = native ? [native] : [process.execPath, nodeLauncher()];
        return { file: available.binary, args: [...bwrap, '--', ...first, doors.dir, '--', binary, ...args] };
      },
      env: () => ({
        HARNESS_SANDBOX: '1',
        HTTP_PROXY: proxyUrl,
        HTTPS_PROXY: proxyUrl,
        http_proxy: proxyUrl,
        https_proxy: proxyUrl,
        ALL_PROXY: proxyUrl,
        NO_PROXY: 'localhost,127.0.0.1,::1',
        no_proxy: 'localhost,127.0.0.1,::1',
      }),
      freeze: () => doors.freeze(),
      started: () => doors.greeted,
      greeted: () => doors.hello,
      close: () => doors.close(),
    };
  } catch (e) {
    await doors.close();
    throw e;
  }
}

/** The installation a program belongs to: its package's project when it sits in a node_modules, else its directory. */
function installRoot(file: string): string {
  let path: string;
  try {
    path = realpathSync(file);
  } catch {
    path = file;
  }
  const at = path.lastIndexOf('/node_modules/');
  return at > 0 ? path.slice(0, at) : dirname(path);
}

/** Where harness itself, the Node running it and the agent's program are installed. */
function programRoots(binary: string | undefined): string[] {
  const harness = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
  return [harness, dirname(dirname(realpathSync(process.execPath))), ...(binary ? [installRoot(binary)] : [])];
}

/**
 * Unix sockets of the person's session are doors out of any sandbox that can see them (a
 * connect needs no write access to the file system): the ssh agent, X11, D-Bus, container
 * engines. They are hidden.
 */
function socketPaths(env: NodeJS.ProcessEnv): string[] {
  return [
    '/run',
    '/var/run',
    '/tmp/.X11-unix',
    '/tmp/.ICE-unix',
    env.XDG_RUNTIME_DIR,
    env.SSH_AUTH_SOCK,
    env.DBUS_SESSION_BUS_ADDRESS?.match(/path=([^,;]+)/)?.[1],
    env.DOCKER_HOST?.replace(/^unix:\/\//, ''),
  ].filter((p): p is string => Boolean(p) && p!.startsWith('/'));
}

/** Whether a program is a script (`#!`): an agent installed as one may start its real binary as a child. */
function isScript(file: string): boolean {
  try {
    const fd = openSync(file, 'r');
    try {
      const head = Buffer.alloc(2);
      return readSync(fd, head, 0, 2, 0) === 2 && head.toString('latin1') === '#!';
    } finally {
      closeSync(fd);
    }
  } catch {
    return true;
  }
}
