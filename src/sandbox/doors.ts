import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server as HttpServer, ServerResponse } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splice } from './splice.js';
import { trace, tracing } from '../trace.js';
import { dial, DialError, type DialOptions, type EgressDecider, type EgressFrom, type EgressVerdict } from './egress.js';
import { ipVersion, normalizeHost } from '../policy/network.js';
import { inspectFirstBytes, MAX_FIRST_BYTES, namesMatch } from './first-bytes.js';

// node:http as an ES module costs ~40 ms at start on Node 22+ (its namespace loads undici); the module itself does not
const { createServer: createHttpServer, request: httpRequest } = process.getBuiltinModule('node:http');

/**
 * Who may connect to a door inside the sandbox (checked by the native launcher only):
 * `any` process; only the `agent` process itself (Claude Code's http hooks); only harness's
 * `hook-client` started by the agent (command hooks), never a script the agent ran; `tagged`:
 * any process, and the launcher says whether it was the agent's own (`from agent|other`).
 */
export type Peer = 'any' | 'agent' | 'hook-client' | 'tagged';

/** One way out of the sandbox: a port inside, a Unix socket harness serves outside. */
export interface Door {
  port: number;
  socket: string;
  peer: Peer;
}

/** A connection the launcher closed because its peer was not the one the door admits. */
export interface Refusal {
  port: number;
  pid: number;
  exe: string;
}

/** What went into the launch file. */
export interface LaunchFile {
  path: string;
  /** Doors whose peer cannot be checked, and why (the portable hook client is a bash script). */
  unchecked: { port: number; why: string }[];
}

/** How long a connection to a door socket may take to say the key. */
const KEY_TIMEOUT_MS = 10_000;
/** How long a proxy connection may take to send a request's head or a CONNECT, each time it is idle. */
const HEAD_MS = 30_000;
const MAX_NOTICE = 8 * 1024;

/** How the proxy decides, dials and reports. */
export interface ProxyOptions {
  decide: EgressDecider;
  dial: DialOptions;
  /** A tunnel cut because the name inside was not the one decided on. */
  mismatch?: ((host: string, port: number, from: EgressFrom, why: string) => void) | undefined;
  /** How long a connection may take to send a request's head or a CONNECT (default 30 s). */
  headMs?: number;
}

/**
 * The host-side ends of the sandbox's doors, in a private directory the sandbox sees read-only.
 *
 * The sockets are visible inside, so each one first wants this session's key (`<key>\n`) and drops
 * a connection that does not say it. Only the launcher knows the key: it reads it from the launch
 * file (`writeLaunch`), which is deleted the moment the launcher proves it read it on `hello`,
 * before the agent starts. The launcher reports the connections it refused on `notices`.
 */
export class Doors {
  readonly dir: string;
  /** The secret every connection to a door socket starts with; 32 random bytes, hex. */
  readonly key = randomBytes(32).toString('hex');
  private readonly keyBuffer = Buffer.from(this.key);
  private readonly servers: (Server | HttpServer)[] = [];
  private readonly doors: Door[] = [];
  private readonly open = new Set<Socket>();
  private started = false;
  /** The launcher said hello (it runs inside the sandbox). */
  private helloSeen = false;
  private heardHello: () => void = () => undefined;
  /** Resolves once the launcher said hello: from then on the agent runs, and the supervisor's own set-up no longer delays it. */
  readonly hello = new Promise<void>((resolve) => (this.heardHello = resolve));
  /** The launcher's control line (the native launcher opens it at start). */
  private control: Socket | null = null;

  constructor(private readonly onRefused: (refusal: Refusal) => void = () => undefined) {
    // short: Unix socket paths are limited to about 100 bytes
    this.dir = mkdtempSync(join(tmpdir(), 'harness-sbx-'));
    writeFileSync(this.emptyFile, '', { mode: 0o444 });
  }

  /** What a hidden file reads as inside the sandbox. */
  get emptyFile(): string {
    return join(this.dir, 'empty');
  }

  get greeted(): boolean {
    return this.helloSeen;
  }

  get list(): Door[] {
    return [...this.doors];
  }

  get launchPath(): string {
    return join(this.dir, 'launch');
  }

  /** The `hello` socket (the launcher proves it read the launch file) and the `notices` socket. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    await this.listen(
      createServer(
        this.keyed((socket) => {
          trace('doors: hello');
          // the launch file goes before the answer, and nothing of the agent's runs before the answer
          this.helloSeen = true;
          try {
            unlinkSync(this.launchPath);
          } catch {
            // already gone (a second hello)
          }
          socket.end('ok\n');
          this.heardHello();
        }),
      ),
      'hello',
    );
    await this.listen(
      createServer(
        this.keyed((socket, rest) => {
          let text = '';
          const take = (d: Buffer): void => {
            text += d.toString('utf8');
            let nl: number;
            while ((nl = text.indexOf('\n')) >= 0) {
              const m = /^refused (\d+) (\d+) (.*)$/.exec(text.slice(0, nl));
              text = text.slice(nl + 1);
              if (m) this.onRefused({ port: Number(m[1]), pid: Number(m[2]), exe: m[3]! });
            }
            if (text.length > MAX_NOTICE) socket.destroy();
          };
          take(rest);
          socket.on('data', take);
          socket.on('end', () => socket.end());
          socket.resume();
        }),
      ),
      'notices',
    );
    await this.listen(
      createServer(
        this.keyed((socket) => {
          this.control?.destroy();
          this.control = socket;
          socket.once('close', () => {
            if (this.control === socket) this.control = null;
          });
        }),
      ),
      'control',
    );
  }

  /** One request on the control line and its one-line answer; null when there is no line or no answer in time. */
  private ask(command: string, timeoutMs = 5_000): Promise<string | null> {
    const line = this.control;
    if (!line) return Promise.resolve(null);
    return new Promise((resolve) => {
      let got = '';
      const done = (answer: string | null): void => {
        clearTimeout(timer);
        line.off('data', onData);
        line.pause();
        resolve(answer);
      };
      const onData = (d: Buffer): void => {
        got += d.toString('utf8');
        const nl = got.indexOf('\n');
        if (nl >= 0) done(got.slice(0, nl));
      };
      const timer = setTimeout(() => done(null), timeoutMs);
      line.on('data', onData);
      line.resume();
      line.write(`${command}\n`);
    });
  }

  /**
   * Stops every process in the sandbox at once (the launcher signals its whole PID namespace);
   * returns how to resume them, or null when the launcher cannot (the Node one has no control line).
   */
  async freeze(): Promise<(() => Promise<void>) | null> {
    const answer = await this.ask('stop');
    if (answer === null) return null;
    return async () => void (await this.ask('cont'));
  }

  /**
   * Writes the launch file (mode 0600) for the launcher: the key, the doors with the peer each
   * admits, and the hook client the `hook-client` doors admit. The portable hook client is a bash
   * script (its process is bash, like any script's): its doors are written `any`, and `unchecked`
   * says so.
   */
  /**
   * `wrapper`: the agent's program is a script that may start the real binary as its child (then
   * that direct child counts as the agent too); a native agent is its own process alone.
   */
  writeLaunch(hookClient: string, wrapper = true): LaunchFile {
    const portable = !hookClient.startsWith('/') || hookClient.endsWith('.sh');
    const unchecked: LaunchFile['unchecked'] = [];
    const lines = [`key ${this.key}`, `agent ${wrapper ? 'wrapper' : 'binary'}`];
    for (const door of this.doors) {
      let peer = door.peer;
      if (peer === 'hook-client' && portable) {
        peer = 'any';
        unchecked.push({
          port: door.port,
          why: `the hook client is the portable ${hookClient} (no C compiler at install), and a script cannot be told from it`,
        });
      }
      lines.push(`door ${door.port} ${door.socket} ${peer}`);
    }
    if (!portable && this.doors.some((d) => d.peer === 'hook-client')) lines.push(`hook-client ${hookClient}`);
    writeFileSync(this.launchPath, `${lines.join('\n')}\n`, { mode: 0o600 });
    return { path: this.launchPath, unchecked };
  }

  /** Hands a connection on once it said the key (paused, with what came after it); drops anything else. */
  private keyed(then: (socket: Socket, rest: Buffer) => void): (socket: Socket) => void {
    return (socket) => {
      this.track([socket]);
      let got = Buffer.alloc(0);
      const drop = (): void => {
        clearTimeout(timer);
        socket.destroy();
      };
      const timer = setTimeout(drop, KEY_TIMEOUT_MS);
      const onData = (d: Buffer): void => {
        got = Buffer.concat([got, d]);
        const nl = got.indexOf(0x0a);
        if (nl < 0) {
          if (got.length > this.keyBuffer.length) drop();
          return;
        }
        clearTimeout(timer);
        socket.off('data', onData);
        socket.off('end', drop);
        socket.pause();
        const given = got.subarray(0, nl);
        if (given.length !== this.keyBuffer.length || !timingSafeEqual(given, this.keyBuffer)) return void socket.destroy();
        then(socket, got.subarray(nl + 1));
      };
      socket.on('error', drop);
      socket.on('end', drop);
      // destroyed by harness (close() at the session's end) emits no 'end': the wait for the key
      // must not outlive the connection, or it holds harness's exit for KEY_TIMEOUT_MS
      socket.once('close', () => clearTimeout(timer));
      socket.on('data', onData);
    };
  }

  private async listen(server: Server | HttpServer, name: string): Promise<string> {
    const socket = join(this.dir, name);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socket, () => resolve());
    });
    this.servers.push(server);
    return socket;
  }

  /** 127.0.0.1:port inside reaches 127.0.0.1:port outside, or `target`, a Unix socket of harness's; `peer` says who may connect inside. */
  async forward(port: number, peer: Peer = 'any', target?: string): Promise<void> {
    await this.start();
    // half-open both ways: a client that is done sending still gets its answer
    const server = createServer(
      { allowHalfOpen: true },
      this.keyed((inside, rest) => {
        if (tracing) trace(`door ${port}: a connection`);
        const outside = target ? connect({ path: target, allowHalfOpen: true }) : connect({ port, host: '127.0.0.1', allowHalfOpen: true });
        if (rest.length) outside.write(rest);
        this.track(splice(inside, outside));
        inside.resume();
      }),
    );
    this.doors.push({ port, socket: await this.listen(server, String(port)), peer });
  }

  private track(sockets: Socket[]): void {
    for (const s of sockets) {
      this.open.add(s);
      s.once('close', () => this.open.delete(s));
    }
  }

  /**
   * An HTTP proxy at 127.0.0.1:port inside: each CONNECT tunnel and each plain request is decided
   * by `decide` (which may wait for a person) and, when allowed, dialled by `dial`; a refusal is a
   * `403` whose body and `x-harness-reason` header carry harness's rule and reason.
   */
  async proxy(port: number, egress: ProxyOptions): Promise<void> {
    const { decide, dial: dialOptions, mismatch, headMs = HEAD_MS } = egress;
    // why, as one line of printable ASCII: it goes into a header too
    const oneLine = (why: string): string => why.replace(/[^\x20-\x7e]+/g, ' ');
    const refusal = (host: string, p: number, v: { ruleId: string; reason: string }): string =>
      oneLine(`harness refused ${host}:${p} (${v.ruleId}): ${v.reason}`);
    /** A plain request refused: the status, and why in the body and a header. */
    const refuse = (res: ServerResponse, status: number, why: string): void => {
      const text = oneLine(why);
      res.writeHead(status, { 'content-type': 'text/plain', 'x-harness-reason': text }).end(`${text}\n`);
    };
    const STATUS: Record<number, string> = { 403: 'Forbidden', 502: 'Bad Gateway', 504: 'Gateway Timeout' };
    /** A tunnel's answer that is no tunnel: the status, and why in the body and a header. */
    const noTunnel = (status: number, why: string): string => {
      const text = oneLine(why);
      return `HTTP/1.1 ${status} ${STATUS[status] ?? 'Bad Gateway'}\r\ncontent-type: text/plain\r\nx-harness-reason: ${text}\r\ncontent-length: ${Buffer.byteLength(text) + 1}\r\n\r\n${text}\n`;
    };
    // who made each connection, as the launcher told (the Node launcher cannot tell: unknown)
    const fromOf = new WeakMap<Socket, EgressFrom>();
    const from = (socket: Socket): EgressFrom => fromOf.get(socket) ?? 'unknown';
    // a connection gets headMs to say what it wants (a request's head, or CONNECT), each time it
    // is idle between requests: a process cannot hold the proxy's (and the launcher's) slots open
    const deadlines = new WeakMap<Socket, NodeJS.Timeout>();
    const arm = (socket: Socket): void => {
      clearTimeout(deadlines.get(socket));
      deadlines.set(socket, setTimeout(() => socket.destroy(), headMs).unref());
    };
    const disarm = (socket: Socket): void => clearTimeout(deadlines.get(socket));
    /** One request, on a connection of its own to host:port, with `Host` the one decided on. */
    const forward = async (
      req: IncomingMessage,
      res: ServerResponse,
      host: string,
      p: number,
      verdict: EgressVerdict,
      path: string,
      authority: string,
    ): Promise<void> => {
      let socket: Socket;
      try {
        socket = await dial(host, p, verdict, dialOptions);
      } catch (e) {
        const status = e instanceof DialError ? e.status : 502;
        return void res.writeHead(status, { 'content-type': 'text/plain' }).end(`harness proxy: ${(e as Error).message}\n`);
      }
      this.track([socket]);
      const headers: Record<string, string | string[] | undefined> = { ...req.headers };
      delete headers['proxy-authorization'];
      delete headers['proxy-connection'];
      // hop-by-hop: one request per dialled connection, closed when its answer is in
      for (const name of (req.headers.connection ?? '').split(',')) delete headers[name.trim().toLowerCase()];
      delete headers['keep-alive'];
      headers.connection = 'close';
      headers.host = authority;
      const upstream = httpRequest({ createConnection: () => socket.resume(), method: req.method, path, headers }, (up: IncomingMessage) => {
        // hop-by-hop: the client's connection to the proxy is not the proxy's to the host
        const { connection: _c, 'keep-alive': _k, ...headers } = up.headers;
        res.writeHead(up.statusCode ?? 502, headers);
        up.pipe(res);
      });
      upstream.on('error', () => (res.headersSent ? res.destroy() : res.writeHead(502).end()));
      req.pipe(upstream);
    };
    // plain HTTP inside a tunnel to a name: every request on it goes to that name, as `Host`
    // (a shared front end would route another Host, or a second request's, to another site)
    const tunnels = new WeakMap<Socket, { host: string; port: number; verdict: EgressVerdict; authority: string }>();
    const inTunnel = createHttpServer((req, res) => {
      disarm(req.socket);
      res.once('finish', () => arm(req.socket));
      const t = tunnels.get(req.socket);
      if (!t) return void res.destroy();
      let path = req.url ?? '/';
      if (!path.startsWith('/')) {
        let target: URL | null = null;
        try {
          target = new URL(path);
        } catch {
          // neither origin-form nor absolute: refused below
        }
        if (!target || normalizeHost(target.hostname) !== normalizeHost(t.host)) {
          const why = `a request inside the tunnel for ${t.host} names ${JSON.stringify(path.slice(0, 200))}`;
          mismatch?.(t.host, t.port, from(req.socket), why);
          return refuse(res, 403, why);
        }
        path = `${target.pathname}${target.search}`;
      }
      void forward(req, res, t.host, t.port, t.verdict, path, t.authority).catch(() => res.headersSent || res.writeHead(502).end());
    });
    // an upgrade (a WebSocket) or a CONNECT inside a tunnel: not followed
    inTunnel.on('upgrade', (_req, socket: Socket) => socket.destroy());
    inTunnel.on('connect', (_req, socket: Socket) => socket.destroy());
    const server = createHttpServer((req, res) => {
      disarm(req.socket);
      res.once('finish', () => arm(req.socket));
      let url: URL;
      try {
        url = new URL(req.url ?? '');
      } catch {
        return void res.writeHead(400).end('harness proxy: absolute URL expected\n');
      }
      if (url.protocol !== 'http:') return void res.writeHead(400).end('harness proxy: only http:// URLs go as plain requests; https goes through CONNECT\n');
      const host = url.hostname.replace(/^\[|\]$/g, '');
      const p = Number(url.port || 80);
      void (async () => {
        const verdict = await decide(host, p, from(req.socket));
        if (!verdict.allow) return refuse(res, 403, refusal(host, p, verdict));
        await forward(req, res, host, p, verdict, `${url.pathname}${url.search}`, url.host);
      })().catch(() => res.headersSent || res.writeHead(502).end());
    });
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      const m = /^\[?([^\]]+?)\]?:(\d{1,5})$/.exec(req.url ?? '');
      const host = m?.[1] ?? (req.url ?? '').slice(0, 300);
      const p = Number(m?.[2] ?? 0);
      disarm(client);
      client.pause();
      client.on('error', () => client.destroy());
      void (async () => {
        const verdict = await decide(host, p, from(client));
        if (!verdict.allow) return void client.end(noTunnel(403, refusal(host, p, verdict)));
        let upstream: Socket;
        try {
          upstream = await dial(host, p, verdict, dialOptions);
        } catch (e) {
          return void client.end(noTunnel(e instanceof DialError ? e.status : 502, `harness proxy: ${(e as Error).message}`));
        }
        if (client.destroyed) return void upstream.destroy();
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        // the first bytes (the ClientHello, a request) are due as a request's head is
        arm(client);
        // the server's side flows at once (ssh speaks first); the client's once the name it
        // carries (TLS server name, HTTP Host) is the one decided on
        const end = (): void => {
          client.destroy();
          upstream.destroy();
        };
        for (const s of [client, upstream]) s.on('error', end).on('close', end);
        this.track([client, upstream]);
        upstream.pipe(client);
        upstream.once('data', () => disarm(client));
        upstream.resume();
        let first = head;
        const look = (chunk?: Buffer): void => {
          if (chunk) first = Buffer.concat([first, chunk]);
          const seen = inspectFirstBytes(first);
          if (seen.kind === 'more' && first.length < MAX_FIRST_BYTES) return;
          client.off('data', look);
          disarm(client);
          if (seen.kind === 'http' && ipVersion(normalizeHost(host)) === 0) {
            for (const sock of [client, upstream]) sock.off('error', end).off('close', end);
            upstream.unpipe(client);
            upstream.destroy();
            tunnels.set(client, { host, port: p, verdict, authority: p === 80 || p === 443 ? host : `${host}:${p}` });
            client.unshift(first);
            inTunnel.emit('connection', client);
            return;
          }
          const match = namesMatch(host, seen);
          if (!match.ok) {
            mismatch?.(host, p, from(client), match.why);
            return end();
          }
          if (first.length) upstream.write(first);
          client.pipe(upstream);
        };
        client.on('data', look);
        client.resume();
        if (first.length) look();
      })().catch(() => client.destroy());
    });
    // the key is checked on the raw socket; what follows it goes to the HTTP server
    // half-open, as the HTTP server's own sockets would be
    const front = createServer(
      { allowHalfOpen: true },
      this.keyed((socket, rest) => {
        // the launcher's line after the key: `from agent|other|unknown`
        let head = rest;
        const take = (chunk: Buffer): void => {
          head = Buffer.concat([head, chunk]);
          const nl = head.indexOf(10);
          if (nl < 0) return void (head.length > 32 && socket.destroy());
          socket.off('data', take);
          socket.pause();
          const tag = /^from (agent|other|unknown)$/.exec(head.subarray(0, nl).toString('latin1'))?.[1] as EgressFrom | undefined;
          if (!tag) return void socket.destroy();
          fromOf.set(socket, tag);
          if (head.length > nl + 1) socket.unshift(head.subarray(nl + 1));
          arm(socket);
          socket.once('close', () => disarm(socket));
          server.emit('connection', socket);
          socket.resume();
        };
        socket.on('data', take);
        take(Buffer.alloc(0));
        socket.resume();
      }),
    );
    this.servers.push(server, inTunnel);
    await this.start();
    this.doors.push({ port, socket: await this.listen(front, `proxy-${port}`), peer: 'tagged' });
  }

  async close(): Promise<void> {
    for (const s of this.open) s.destroy();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            if ('closeAllConnections' in s) s.closeAllConnections();
            s.close(() => resolve());
          }),
      ),
    );
    this.servers.length = 0;
    rmSync(this.dir, { recursive: true, force: true });
  }
}
