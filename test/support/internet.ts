import { createServer as createHttpServer, type IncomingMessage, type Server as HttpServer } from 'node:http';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';

/**
 * "The internet" for tests on a machine without one: an HTTP proxy on 127.0.0.1 that harness's
 * proxy chains to (through `HTTPS_PROXY`/`HTTP_PROXY` in harness's own environment, as a company
 * proxy would be), behind which every host name answers with `hello from <host>` over plain HTTP.
 * It records every destination that reached it, so a test can prove a refused host never did.
 */
export class Internet {
  /** `host:port` of every CONNECT and plain request that got here, in order. */
  readonly reached: string[] = [];
  private proxy: HttpServer | null = null;
  private site: HttpServer | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  async start(): Promise<number> {
    this.site = createHttpServer((req, res) => {
      const body = `hello from ${req.headers.host ?? '?'}\n`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    await new Promise<void>((r) => this.site!.listen(0, '127.0.0.1', r));
    const sitePort = (this.site.address() as AddressInfo).port;
    this.proxy = createHttpServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://invalid');
      this.reached.push(`${url.hostname}:${url.port || 80}`);
      const body = `hello from ${url.host}\n`;
      res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) }).end(body);
    });
    this.proxy.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
      this.reached.push(req.url ?? '?');
      const site = connect(sitePort, '127.0.0.1', () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) site.write(head);
        site.pipe(client);
        client.pipe(site);
      });
      for (const s of [client, site]) {
        this.sockets.add(s);
        s.on('error', () => undefined);
        s.on('close', () => this.sockets.delete(s));
      }
    });
    await new Promise<void>((r) => this.proxy!.listen(0, '127.0.0.1', r));
    this.port = (this.proxy.address() as AddressInfo).port;
    return this.port;
  }

  /** What harness's own environment needs so its proxy goes through this one. */
  env(): Record<string, string> {
    const url = `http://127.0.0.1:${this.port}`;
    return { HTTPS_PROXY: url, HTTP_PROXY: url, https_proxy: url, http_proxy: url, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  }

  /** Whether some destination with this host name got here. */
  saw(host: string): boolean {
    return this.reached.some((r) => r.replace(/:\d+$/, '').replace(/^\[|\]$/g, '') === host);
  }

  async stop(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    for (const server of [this.proxy, this.site]) {
      if (!server) continue;
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  }
}

/** A TCP and a UDP sink on 127.0.0.1 that count what reaches them: a direct socket or a DNS query from inside must not. */
export class Sink {
  /** TCP connections accepted. */
  received = 0;
  /** UDP datagrams received (a DNS query sent straight to `udpPort`). */
  udpReceived = 0;
  private server: Server | null = null;
  private udp: UdpSocket | null = null;
  port = 0;
  udpPort = 0;

  async start(): Promise<number> {
    this.server = createServer((s) => {
      this.received++;
      s.on('error', () => undefined);
      // what the peer sent is read and dropped: unread, it would keep the socket (and stop()) waiting
      s.resume();
      s.end();
    });
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    this.udp = createSocket('udp4');
    this.udp.on('message', () => this.udpReceived++);
    this.udp.on('error', () => undefined);
    await new Promise<void>((r) => this.udp!.bind(0, '127.0.0.1', r));
    this.udpPort = this.udp.address().port;
    return this.port;
  }

  /**
   * Proves the sink was listening: one TCP connection and one datagram from this process (outside
   * any sandbox), resolved once both were counted. A test that expects nothing reached it calls
   * this after its own checks, so an assertion of 0 cannot pass because the sink was not there.
   */
  async selfTest(timeoutMs = 10_000): Promise<void> {
    const tcp = this.received;
    const udp = this.udpReceived;
    await new Promise<void>((resolve, reject) => {
      const s = connect(this.port, '127.0.0.1', () => s.end());
      s.on('error', reject);
      s.on('close', () => resolve());
    });
    const client = createSocket('udp4');
    const deadline = Date.now() + timeoutMs;
    try {
      // datagrams may be lost: send again until one is counted
      while (this.udpReceived === udp || this.received === tcp) {
        if (Date.now() > deadline)
          throw new Error(`the sink counted ${this.received - tcp} TCP connections and ${this.udpReceived - udp} datagrams of its self-test`);
        if (this.udpReceived === udp) await new Promise<void>((r, j) => client.send('self-test', this.udpPort, '127.0.0.1', (e) => (e ? j(e) : r())));
        await new Promise((r) => setTimeout(r, 20));
      }
    } finally {
      client.close();
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((r) => (this.udp ? this.udp.close(() => r()) : r()));
    this.udp = null;
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}
