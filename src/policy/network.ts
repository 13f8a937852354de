import { isIP } from 'node:net';
import type { Verdict } from './types.js';

/**
 * `net.isIP`, without its IPv6 expression for strings that cannot be an address (no colon, not
 * only digits and dots): that expression costs ~4 ms the first time it runs, and a few calls after
 * that about 1 ms each, which the session's start paid for the host names in its rules.
 */
export function ipVersion(s: string): 0 | 4 | 6 {
  if (!s.includes(':') && !/^[\d.]+$/.test(s)) return 0;
  return isIP(s) as 0 | 4 | 6;
}

/**
 * Network decisions: which hosts the agent's processes may connect to through harness's proxy.
 *
 * Pure: a host and a port in, a verdict with the rule that made it out. The layers, in order:
 * 1. a destination that is not a host name or an IP address is refused (`network.bad-host`);
 * 2. the person's rules (`sandbox.network.rules`, `allowHosts`): the strictest one that matches;
 * 3. an address of this machine or its link (loopback, link-local, unspecified: the services
 *    outside the sandbox and a cloud's metadata endpoint) is refused unless a rule of theirs named it;
 * 4. harness's defaults: the agent's API, package registries and the repository's git hosts are
 *    allowed, paste, upload, tunnel and request-capture services refused;
 * 5. anything else: `unknownHosts` (ask, unless the config says deny).
 */

export interface HostRule {
  id: string;
  decision: Verdict;
  reason: string;
  /** `host`, `*.host`, `*` or an IP address, each optionally `:port`. */
  hosts: string[];
  /**
   * For the agent's own process only: another process (a script it wrote) asking for these hosts
   * is asked about, since with a key of its own it could send data to someone else's account.
   */
  onlyFromAgent?: boolean;
}

export interface NetworkPolicy {
  /** The person's rules: they come before harness's defaults. */
  rules: HostRule[];
  builtin: HostRule[];
  unknown: 'ask' | 'deny';
  /** This machine's own interface addresses (normalized): local like loopback. */
  ownAddresses?: ReadonlySet<string>;
}

export interface HostDecision {
  verdict: Verdict;
  ruleId: string;
  reason: string;
  /** Whether one of the person's own rules names this host exactly, no wildcard (it may then resolve to this machine). */
  named: boolean;
}

/** A destination as the proxy was asked for it: lower case, no trailing dot, IPv6 without brackets. */
export function normalizeHost(host: string): string {
  // one trailing dot is the root ("example.com."); more is no name
  const h = host
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/([^.])\.$/, '$1')
    .toLowerCase();
  // an IPv6 zone id (`::1%lo`) picks an interface: nothing to decide on (validHost refuses it)
  if (h.includes('%')) return h;
  // the other spellings of an address (`127.1`, `2130706433`, `0x7f.1`, `0:0::1`) become the address
  // itself; nothing else is rewritten (a name with `#` or a space stays invalid)
  try {
    if (/^[0-9a-fx.]+$/.test(h)) {
      const v4 = new URL(`http://${h}/`).hostname;
      if (ipVersion(v4) === 4) return v4;
    }
    if (ipVersion(h) === 6) {
      const v6 = new URL(`http://[${h}]/`).hostname.replace(/^\[(.*)\]$/, '$1');
      // an IPv4 address written as IPv6 (`::ffff:10.0.0.5`) is that IPv4 address, for rules and checks alike
      const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6);
      if (!mapped) return v6;
      const [a, b] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
      return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
    }
  } catch {
    // not an address: the name as it is
  }
  return h;
}

const HOST_NAME = /^(?=.{1,253}$)(?!-)[a-z0-9_-]{1,63}(?:\.(?!-)[a-z0-9_-]{1,63})*$/;

/** Whether `host` (normalized) is something a connection can be made to by name or address. */
function validHost(host: string): boolean {
  return !host.includes('%') && (ipVersion(host) !== 0 || HOST_NAME.test(host));
}

/** Cloud metadata endpoints that are not link-local: they hand out the machine's credentials. */
const METADATA = new Set(['100.100.100.200', 'fd00:ec2::254']);
/** Every cloud metadata endpoint, by address or name (AWS, GCP, Azure, Alibaba, ECS tasks). */
const METADATA_HOSTS = new Set([...METADATA, '169.254.169.254', '169.254.170.2', 'metadata.google.internal', 'metadata', 'metadata.azure.com']);

/** Whether a URL's host is a cloud metadata endpoint, in any spelling of its address (`2852039166`, `0xa9fea9fe`, `[::ffff:a9fe:a9fe]`). */
export function isMetadataHost(host: string): boolean {
  return METADATA_HOSTS.has(normalizeHost(host.replace(/:\d+$/, '')));
}

/**
 * Loopback, link-local, unspecified, a cloud's metadata endpoint, or one of `own` (this machine's
 * interface addresses): this machine's own services and its link's.
 */
export function isLocalAddress(address: string, own: ReadonlySet<string> = new Set()): boolean {
  const a = normalizeHost(address);
  if (a === 'localhost' || a.endsWith('.localhost') || METADATA.has(a) || own.has(a)) return true;
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(a);
  const v4 =
    ipVersion(a) === 4
      ? a
      : mapped
        ? [parseInt(mapped[1]!, 16) >> 8, parseInt(mapped[1]!, 16) & 255, parseInt(mapped[2]!, 16) >> 8, parseInt(mapped[2]!, 16) & 255].join('.')
        : /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(a)?.[1];
  if (v4) {
    const [x, y] = v4.split('.').map(Number) as [number, number];
    return x === 127 || x === 0 || (x === 169 && y === 254);
  }
  if (ipVersion(a) === 6) return a === '::1' || a === '::' || /^fe[89ab][0-9a-f]?:/.test(a);
  return false;
}

interface Pattern {
  test(host: string, port: number): boolean;
  /** No wildcard in it. */
  exact: boolean;
}

/**
 * One host pattern. A name pattern's `*` stands for one or more labels (`*.npmjs.org` is any
 * subdomain, `*` any name); an IP address is matched only by a pattern that names it. Without a
 * port an allow or ask pattern means the web ports (443, 80); a deny pattern, every port.
 */
function compilePattern(pattern: string, decision: Verdict): Pattern {
  const m = /^(\[[^\]]+\]|[^:]+|[0-9a-f:]+)(?::(\d+))?$/i.exec(pattern.trim());
  const rawHost = m?.[1] ?? pattern;
  const port = m?.[2] ? Number(m[2]) : null;
  // a bare IPv6 address has colons of its own: no port then
  const host = ipVersion(pattern.trim()) === 6 ? normalizeHost(pattern) : normalizeHost(rawHost);
  const portOk = (p: number): boolean => (port !== null ? p === port : decision === 'deny' || p === 443 || p === 80);
  if (ipVersion(host)) return { test: (h, p) => h === host && portOk(p), exact: true };
  const source = host
    .split('.')
    .map((label) => (label === '*' ? '[a-z0-9_-]+(?:\\.[a-z0-9_-]+)*' : label.replace(/[^a-z0-9_-]/g, (c) => `\\${c}`)))
    .join('\\.');
  const re = new RegExp(`^${source}$`);
  return { test: (h, p) => ipVersion(h) === 0 && re.test(h) && portOk(p), exact: !host.includes('*') };
}

interface Compiled {
  rule: HostRule;
  patterns: Pattern[];
}

const STRICTNESS: Verdict[] = ['allow', 'ask', 'deny'];

function strictest(matches: Compiled[]): Compiled | null {
  return matches.reduce<Compiled | null>((a, c) => (a === null || STRICTNESS.indexOf(c.rule.decision) > STRICTNESS.indexOf(a.rule.decision) ? c : a), null);
}

/** A network policy ready to decide; compiled once per config. */
export class HostPolicy {
  private readonly rules: Compiled[];
  private readonly builtin: Compiled[];

  constructor(readonly policy: NetworkPolicy) {
    const compile = (rule: HostRule): Compiled => ({ rule, patterns: rule.hosts.map((h) => compilePattern(h, rule.decision)) });
    this.rules = policy.rules.map(compile);
    this.builtin = policy.builtin.map(compile);
  }

  /** Every rule that speaks about host:port, the person's first: what `harness check --host` shows besides the decision. */
  matching(rawHost: string, port: number): { id: string; decision: Verdict; layer: 'config' | 'builtin' }[] {
    const host = normalizeHost(rawHost);
    const of = (list: Compiled[], layer: 'config' | 'builtin') =>
      list.filter((c) => c.patterns.some((p) => p.test(host, port))).map((c) => ({ id: c.rule.id, decision: c.rule.decision, layer }));
    return [...of(this.rules, 'config'), ...of(this.builtin, 'builtin')];
  }

  /** `fromAgent`: the connection is the agent's own (as the sandbox's launcher saw it), not a process it started. */
  decide(rawHost: string, port: number, fromAgent = true): HostDecision {
    const host = normalizeHost(rawHost);
    if (!validHost(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
      return {
        verdict: 'deny',
        ruleId: 'network.bad-host',
        reason: `${JSON.stringify(rawHost.slice(0, 80))}:${port} is not a host name or address harness can decide on`,
        named: false,
      };
    }
    const matching = (list: Compiled[]): Compiled | null => strictest(list.filter((c) => c.patterns.some((p) => p.test(host, port))));
    const own = matching(this.rules);
    if (own)
      return { verdict: own.rule.decision, ruleId: own.rule.id, reason: own.rule.reason, named: own.patterns.some((p) => p.exact && p.test(host, port)) };
    if (isLocalAddress(host, this.policy.ownAddresses)) {
      return {
        verdict: 'deny',
        ruleId: 'network.local-address',
        reason: `${host} is this machine or its link (services outside the sandbox, cloud metadata). A local service is reached at 127.0.0.1 inside through sandbox.network.allowLocalPorts; or name the address in sandbox.network.rules`,
        named: false,
      };
    }
    const builtin = matching(this.builtin);
    if (builtin?.rule.onlyFromAgent && !fromAgent) {
      return {
        verdict: 'ask',
        ruleId: `${builtin.rule.id}-from-process`,
        reason: `${host} is ${builtin.rule.reason}, but a process the agent started is connecting, not the agent: with a key of its own it could send data to another account`,
        named: false,
      };
    }
    if (builtin) return { verdict: builtin.rule.decision, ruleId: builtin.rule.id, reason: builtin.rule.reason, named: false };
    return {
      verdict: this.policy.unknown,
      ruleId: 'network.unknown',
      reason:
        this.policy.unknown === 'ask'
          ? `no rule speaks about ${host}:${port}`
          : `${host}:${port} is not an allowed host (sandbox.network.unknownHosts is "deny")`,
      named: false,
    };
  }
}

/** Package registries and the hosts package managers download from. */
const REGISTRY_HOSTS = [
  'registry.npmjs.org',
  'registry.yarnpkg.com',
  'pypi.org',
  'files.pythonhosted.org',
  'crates.io',
  'index.crates.io',
  'static.crates.io',
  'static.rust-lang.org',
  'proxy.golang.org',
  'sum.golang.org',
  'repo.maven.apache.org',
  'repo1.maven.org',
  'plugins.gradle.org',
  'rubygems.org',
  'index.rubygems.org',
  'repo.packagist.org',
  'api.nuget.org',
  'hex.pm',
  'repo.hex.pm',
];

/** Where pasted or uploaded data can be fetched back by anyone with the link. */
const PASTE_HOSTS = [
  'pastebin.com',
  '*.pastebin.com',
  'paste.ee',
  'hastebin.com',
  'hastebin.skyra.pw',
  'dpaste.com',
  'dpaste.org',
  'paste.rs',
  'termbin.com',
  'ix.io',
  'sprunge.us',
  '0x0.st',
  'transfer.sh',
  'file.io',
  'temp.sh',
  'bashupload.com',
  'catbox.moe',
  '*.catbox.moe',
  'gofile.io',
  '*.gofile.io',
  'pixeldrain.com',
  'rentry.co',
  'rentry.org',
  'justpaste.it',
  'controlc.com',
  'privatebin.net',
  'paste.mozilla.org',
  'ghostbin.site',
  'paste.debian.net',
  'bpa.st',
  'wetransfer.com',
  '*.wetransfer.com',
  'uguu.se',
  '*.uguu.se',
];

/** Tunnels into this machine, request capture and out-of-band interaction services. */
const TUNNEL_HOSTS = [
  '*.ngrok.io',
  '*.ngrok-free.app',
  '*.ngrok.app',
  '*.ngrok-free.dev',
  '*.trycloudflare.com',
  '*.loca.lt',
  'serveo.net',
  '*.serveo.net',
  '*.lhr.life',
  'localhost.run',
  '*.localhost.run',
  '*.pinggy.link',
  '*.bore.pub',
  'webhook.site',
  '*.webhook.site',
  'requestbin.com',
  '*.requestbin.com',
  '*.pipedream.net',
  '*.beeceptor.com',
  'requestcatcher.com',
  '*.requestcatcher.com',
  'hookbin.com',
  'postb.in',
  '*.burpcollaborator.net',
  '*.oastify.com',
  'interact.sh',
  '*.interact.sh',
  '*.oast.fun',
  '*.oast.pro',
  '*.oast.live',
  '*.oast.site',
  '*.oast.online',
  '*.oast.me',
  'canarytokens.com',
  '*.canarytokens.com',
  'dnslog.cn',
  '*.dnslog.cn',
  '*.ceye.io',
  'api.telegram.org',
];

/** Ids of harness's own network rules (for `disable`). */
export const BUILTIN_NETWORK_RULES = [
  'network.agent-api',
  'network.registry',
  'network.git-remote',
  'network.paste-service',
  'network.tunnel-service',
] as const;

export interface NetworkDefaultsInput {
  /** The agent's API hosts as `host:port`, with the agent's name. */
  agentHosts: { agent: string; hosts: string[] }[];
  /** The hosts of the repository's git remotes, as `host:port` (https and ssh ports). */
  gitHosts: string[];
  disabled: ReadonlySet<string>;
}

/** harness's own network rules for a run (or for `harness check --host`). */
export function builtinHostRules(input: NetworkDefaultsInput): HostRule[] {
  const rules: HostRule[] = [
    ...input.agentHosts
      .filter((a) => a.hosts.length > 0)
      .map((a) => ({ id: 'network.agent-api', decision: 'allow' as const, reason: `the API ${a.agent} talks to`, hosts: a.hosts, onlyFromAgent: true })),
    { id: 'network.registry', decision: 'allow', reason: 'a package registry', hosts: REGISTRY_HOSTS },
    ...(input.gitHosts.length > 0
      ? [{ id: 'network.git-remote', decision: 'allow' as const, reason: "a git host of this repository's remotes", hosts: input.gitHosts }]
      : []),
    {
      id: 'network.paste-service',
      decision: 'deny',
      reason:
        'a paste or file-upload service: what is sent there can be fetched by anyone with the link. Keep the data local, or add the host to sandbox.network.rules if you mean it',
      hosts: PASTE_HOSTS,
    },
    {
      id: 'network.tunnel-service',
      decision: 'deny',
      reason:
        'a tunnel, request-capture or out-of-band interaction service (a common exfiltration route). Add the host to sandbox.network.rules if you mean it',
      hosts: TUNNEL_HOSTS,
    },
  ];
  return rules.filter((r) => !input.disabled.has(r.id));
}

/** `host:port` of a URL the agent talks to, or of a git remote (`https://…`, `ssh://…`, `git@host:path`); null when it names none. */
export function urlHost(url: string): string | null {
  const scp = /^(?:[^@/\s]+@)?([A-Za-z0-9.-]+):(?!\/\/)/.exec(url);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return `${scp[1]!.toLowerCase()}:22`;
  try {
    const u = new URL(url);
    const defaults: Record<string, number> = { 'https:': 443, 'http:': 80, 'ssh:': 22, 'git:': 9418, 'wss:': 443, 'ws:': 80 };
    const port = Number(u.port || defaults[u.protocol] || 0);
    const host = normalizeHost(u.hostname);
    if (!host || !port) return null;
    return ipVersion(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  } catch {
    return null;
  }
}

/** `host`, `host:port`, `[v6]:port` or a URL, as the destination `harness check --host` decides; port 443 when none is given. */
export function parseDestination(text: string): { host: string; port: number } | null {
  const t = text.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    const hp = urlHost(t);
    if (!hp) return null;
    const m = /^(.*):(\d+)$/.exec(hp)!;
    return { host: normalizeHost(m[1]!), port: Number(m[2]) };
  }
  if (ipVersion(t) === 6) return { host: normalizeHost(t), port: 443 };
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d{1,5}))?$/.exec(t);
  if (!m) return null;
  return { host: normalizeHost(m[1]!), port: m[2] ? Number(m[2]) : 443 };
}
