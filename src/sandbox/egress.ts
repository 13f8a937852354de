import { lookup } from 'node:dns/promises';
import { connect, type Socket } from 'node:net';
import { ipVersion, isLocalAddress, normalizeHost } from '../policy/network.js';

/** What harness decided about one connection the agent's processes asked the proxy for. */
export interface EgressVerdict {
  allow: boolean;
  ruleId: string;
  reason: string;
  /** A host allowed by one of the person's own rules may resolve to this machine (a dev server). */
  allowLocal: boolean;
}

/**
 * Which process made a connection, as the sandbox's launcher saw it: the agent itself (or the real
 * binary its wrapper started), another process (a tool, a script, an MCP server's child), or
 * unknown (the Node launcher cannot tell).
 */
export type EgressFrom = 'agent' | 'other' | 'unknown';

/** Decides a connection: may wait for a person (the connection, and the agent, wait with it). */
export type EgressDecider = (host: string, port: number, from: EgressFrom) => Promise<EgressVerdict>;

/** A connection the proxy could not make after it was allowed; `status` is the HTTP answer. */
export class DialError extends Error {
  constructor(
    readonly status: 502 | 403 | 504,
    message: string,
  ) {
    super(message);
  }
}

/** An HTTP proxy the person's own environment sends traffic through (a company's): harness's proxy chains to it. */
export interface Upstream {
  host: string;
  port: number;
  /** `user:password` from the proxy URL, sent as Basic authorization. */
  auth: string | null;
}

/**
 * The upstream proxy for a host, from the environment harness itself runs in (`HTTPS_PROXY`,
 * `HTTP_PROXY`, `ALL_PROXY`, lower or upper case; `NO_PROXY` names hosts reached directly).
 * Only `http://` proxies are chained; others are ignored with the direct route taken.
 */
export function upstreamFor(env: NodeJS.ProcessEnv): (host: string, port: number) => Upstream | null {
  const pick = (...names: string[]): string | undefined => names.map((n) => env[n]).find((v) => v !== undefined && v !== '');
  const parse = (value: string | undefined): Upstream | null => {
    if (!value) return null;
    try {
      const u = new URL(value.includes('://') ? value : `http://${value}`);
      if (u.protocol !== 'http:') return null;
      return {
        host: normalizeHost(u.hostname),
        port: Number(u.port || 80),
        auth: u.username ? `${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}` : null,
      };
    } catch {
      return null;
    }
  };
  const https = parse(pick('https_proxy', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'));
  const http = parse(pick('http_proxy', 'HTTP_PROXY', 'all_proxy', 'ALL_PROXY'));
  const noProxy = (pick('no_proxy', 'NO_PROXY') ?? '')
    .split(/[\s,]+/)
    .map((e) => normalizeHost(e.replace(/^\*?\./, '.')))
    .filter(Boolean);
  const bypass = (host: string): boolean =>
    noProxy.some((e) => e === '*' || host === e.replace(/^\./, '') || (e.startsWith('.') ? host.endsWith(e) : host.endsWith(`.${e}`)));
  return (rawHost, port) => {
    const host = normalizeHost(rawHost);
    if (bypass(host)) return null;
    return port === 80 ? (http ?? https) : (https ?? http);
  };
}

const CONNECT_TIMEOUT_MS = 30_000;
const MAX_PROXY_HEADER = 16 * 1024;

function connected(socket: Socket, what: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new DialError(504, `${what}: no connection in ${CONNECT_TIMEOUT_MS / 1000}s`));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(new DialError(502, `${what}: ${e.code ?? e.message}`));
    });
  });
}

/** A tunnel through the upstream proxy (`CONNECT host:port`). */
async function throughUpstream(up: Upstream, host: string, port: number): Promise<Socket> {
  const target = ipVersion(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
  const socket = await connected(connect({ host: up.host, port: up.port, allowHalfOpen: true }), `the upstream proxy ${up.host}:${up.port}`);
  const auth = up.auth ? `Proxy-Authorization: Basic ${Buffer.from(up.auth).toString('base64')}\r\n` : '';
  socket.write(`CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n${auth}\r\n`);
  return new Promise((resolve, reject) => {
    let head = Buffer.alloc(0);
    const fail = (status: 502 | 403, why: string): void => {
      socket.destroy();
      reject(new DialError(status, why));
    };
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return void (head.length > MAX_PROXY_HEADER && fail(502, 'the upstream proxy sent an oversized answer'));
      socket.off('data', onData);
      socket.off('end', onEnd);
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'))?.[1];
      if (status !== '200') return fail(status === '403' ? 403 : 502, `the upstream proxy answered ${status ?? 'garbage'} for ${target}`);
      socket.pause();
      const rest = head.subarray(end + 4);
      if (rest.length) socket.unshift(rest);
      resolve(socket);
    };
    const onEnd = (): void => fail(502, `the upstream proxy closed the connection to ${target}`);
    socket.on('data', onData);
    socket.once('end', onEnd);
  });
}

export interface DialOptions {
  upstream: (host: string, port: number) => Upstream | null;
  /** Name resolution (tests may pin it); default: the system's. */
  resolve?: (host: string) => Promise<string[]>;
  /** This machine's interface addresses: a name resolving to one is local too (read when a name is first dialed). */
  ownAddresses?: () => ReadonlySet<string>;
}

const systemResolve = async (host: string): Promise<string[]> => (await lookup(host, { all: true, verbatim: true })).map((a) => a.address);

/**
 * Opens the connection a verdict allowed. Directly, a name is resolved once and the connection
 * goes to that address: a name that resolves to this machine or its link is refused unless the
 * verdict allows local addresses (so an allowed name cannot be pointed at a service outside the
 * sandbox, or at a cloud's metadata endpoint, by its DNS).
 */
export async function dial(host: string, port: number, verdict: EgressVerdict, opts: DialOptions): Promise<Socket> {
  const name = normalizeHost(host);
  const up = opts.upstream(name, port);
  if (up) return throughUpstream(up, name, port);
  let addresses: string[];
  if (ipVersion(name)) addresses = [name];
  else {
    try {
      addresses = await (opts.resolve ?? systemResolve)(name);
    } catch (e) {
      throw new DialError(502, `${name} does not resolve (${(e as NodeJS.ErrnoException).code ?? 'lookup failed'})`);
    }
  }
  if (addresses.length === 0) throw new DialError(502, `${name} does not resolve`);
  if (!verdict.allowLocal) {
    const own = opts.ownAddresses?.() ?? new Set<string>();
    const local = addresses.find((a) => isLocalAddress(a, own));
    if (local && !ipVersion(name))
      throw new DialError(
        403,
        `harness: ${name} resolves to ${local}, an address of this machine or its link; name the host in sandbox.network.rules to allow it`,
      );
  }
  return connected(connect({ host: addresses[0]!, port, allowHalfOpen: true }), `${name}:${port}`);
}
