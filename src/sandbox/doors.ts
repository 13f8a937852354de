import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdtempSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request as httpRequest, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import picomatch from 'picomatch';
import { splice } from './splice.js';

/**
 * Who may connect to a door inside the sandbox (checked by the native launcher only):
 * `any` process; only the `agent` process itself (Claude Code's http hooks); only harness's
 * `hook-client` started by the agent (command hooks), never a script the agent ran.
 */
export type Peer = 'any' | 'agent' | 'hook-client';

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
const MAX_NOTICE = 8 * 1024;

/** A connection the proxy decided on. */
export interface EgressEvent {
  host: string;
  port: number;
  allowed: boolean;
}


/** host or host:port patterns → a predicate over (host, port). */
const HOST_NAME = /^(?=.{1,253}$)[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.?$/;

export function hostMatcher(patterns: string[]): (host: string, port: number) => boolean {
  const compiled = patterns.map((p) => {
    const m = /^(.*?)(?::(\d+))?$/.exec(p)!;
    return { host: picomatch(m[1]!.toLowerCase(), { dot: true }), port: m[2] ? Number(m[2]) : null };
  });
  // a name is letters, digits, dots and dashes: `127.0.0.1#.npmjs.org` or a tab must not match `*.npmjs.org`
  return (host, port) => HOST_NAME.test(host) && compiled.some((c) => c.host(host.toLowerCase()) && (c.port === null ? port === 443 || port === 80 : c.port === port));
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
          // the launch file goes before the answer, and nothing of the agent's runs before the answer
          try {
            unlinkSync(this.launchPath);
          } catch {
            // already gone (a second hello)
          }
          socket.end('ok\n');
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
  writeLaunch(hookClient: string): LaunchFile {
    const portable = !hookClient.startsWith('/') || hookClient.endsWith('.sh');
    const unchecked: LaunchFile['unchecked'] = [];
    const lines = [`key ${this.key}`];
    for (const door of this.doors) {
      let peer = door.peer;
      if (peer === 'hook-client' && portable) {
        peer = 'any';
        unchecked.push({ port: door.port, why: `the hook client is the portable ${hookClient} (no C compiler at install), and a script cannot be told from it` });
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
   * An HTTP proxy at 127.0.0.1:port inside: CONNECT tunnels and plain requests to the hosts
   * `allowed` admits; anything else gets 403 with harness's reason.
   */
  async proxy(port: number, allowed: (host: string, port: number) => boolean, onEvent: (e: EgressEvent) => void): Promise<void> {
    const refuse = (host: string, p: number): string => `harness: ${host}:${p} is not an allowed host (add it to sandbox.network.allowHosts in harness.config.json)`;
    const server = createHttpServer((req, res) => {
      let url: URL;
      try {
        url = new URL(req.url ?? '');
      } catch {
        return void res.writeHead(400).end('harness proxy: absolute URL expected\n');
      }
      const p = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
      const ok = url.protocol === 'http:' && allowed(url.hostname, p);
      onEvent({ host: url.hostname, port: p, allowed: ok });
      if (!ok) return void res.writeHead(403, { 'content-type': 'text/plain' }).end(`${refuse(url.hostname, p)}\n`);
      const upstream = httpRequest({ host: url.hostname, port: p, method: req.method, path: `${url.pathname}${url.search}`, headers: { ...req.headers, host: url.host } }, (up: IncomingMessage) => {
        res.writeHead(up.statusCode ?? 502, up.headers);
        up.pipe(res);
      });
      upstream.on('error', () => res.headersSent || res.writeHead(502).end());
      req.pipe(upstream);
    });
    server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      const m = /^\[?([^\]]+?)\]?:(\d+)$/.exec(req.url ?? '');
      const host = m?.[1] ?? '';
      const p = Number(m?.[2] ?? 0);
      const ok = m !== null && allowed(host, p);
      onEvent({ host, port: p, allowed: ok });
      if (!ok) return void client.end(`HTTP/1.1 403 Forbidden\r\ncontent-type: text/plain\r\n\r\n${refuse(host, p)}\n`);
      const upstream = connect(p, host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        this.track(splice(client, upstream));
      });
      upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
    });
    // the key is checked on the raw socket; what follows it goes to the HTTP server
    // half-open, as the HTTP server's own sockets would be
    const front = createServer(
      { allowHalfOpen: true },
      this.keyed((socket, rest) => {
        if (rest.length) socket.unshift(rest);
        server.emit('connection', socket);
        socket.resume();
      }),
    );
    this.servers.push(server);
    await this.start();
    this.doors.push({ port, socket: await this.listen(front, `proxy-${port}`), peer: 'any' });
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
