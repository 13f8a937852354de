import { createServer, type AddressInfo } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { describe, expect, it } from 'vitest';
import { inspectFirstBytes, namesMatch } from '../../src/sandbox/first-bytes.js';

/** The ClientHello a real TLS client sends for `servername` (none: an address, no SNI). */
async function clientHello(servername?: string): Promise<Buffer> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const first = new Promise<Buffer>((resolve) => server.once('connection', (s) => s.once('data', (d: Buffer) => (resolve(d), s.destroy()))));
  const client = tlsConnect({ host: '127.0.0.1', port, servername: servername ?? '', rejectUnauthorized: false });
  client.on('error', () => undefined);
  const bytes = await first;
  client.destroy();
  server.close();
  return bytes;
}

describe('the first bytes of a tunnel: the name they carry', () => {
  it('a real ClientHello: its server name, or none', async () => {
    expect(inspectFirstBytes(await clientHello('registry.npmjs.org'))).toEqual({ kind: 'tls', name: 'registry.npmjs.org' });
    expect(inspectFirstBytes(await clientHello())).toEqual({ kind: 'tls', name: null });
    const hello = await clientHello('a.example');
    // cut anywhere: more is needed
    for (const n of [1, 4, 5, 40, hello.length - 1]) expect(inspectFirstBytes(hello.subarray(0, n)).kind).toBe('more');
  });

  it.each([
    ['GET / HTTP/1.1\r\nHost: a.example\r\n\r\n', { kind: 'http', name: 'a.example' }],
    ['POST /x HTTP/1.1\r\nContent-Length: 0\r\nhost:  a.example:8080 \r\n\r\n', { kind: 'http', name: 'a.example' }],
    ['GET / HTTP/1.0\r\n\r\n', { kind: 'http', name: null }],
    ['GET / HTTP/1.1\r\nHost: a', { kind: 'http', name: 'a' }],
    ['GET / HTTP/1.1', { kind: 'more' }],
    ['\r\n\r\nGET / HTTP/1.1\r\nHost: evil.example\r\n\r\n', { kind: 'http', name: 'evil.example' }],
    ['get / http/1.1\nhost: evil.example\n\n', { kind: 'http', name: 'evil.example' }],
    ['M-SEARCH * HTTP/1.1\r\nHost: x\r\n\r\n', { kind: 'http', name: 'x' }],
    ['\x15\x03\x01\x00\x02\x01\x5a\x16\x03\x01', { kind: 'tls', name: null }],
    ['\x14\x03\x03\x00\x01\x01', { kind: 'tls', name: null }],
    ['G', { kind: 'more' }],
    ['PR', { kind: 'more' }],
    ['PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', { kind: 'h2' }],
    ['SSH-2.0-OpenSSH_9.6\r\n', { kind: 'other' }],
    ['\x00\x01binary', { kind: 'other' }],
  ])('%j', (text, expected) => {
    expect(inspectFirstBytes(Buffer.from(text, 'latin1'))).toEqual(expected);
  });

  it('garbage that claims to be TLS has no name; a huge record is not waited for', () => {
    expect(inspectFirstBytes(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 0x01, 0xff, 0xff, 0xff, 0xff]))).toEqual({ kind: 'tls', name: null });
    expect(inspectFirstBytes(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff]))).toEqual({ kind: 'tls', name: null });
  });

  it.each([
    ['a.example', { kind: 'tls', name: 'A.Example.' }, true],
    ['a.example', { kind: 'tls', name: 'b.example' }, false],
    ['a.example', { kind: 'tls', name: null }, false],
    ['a.example', { kind: 'http', name: 'a.example' }, true],
    ['a.example', { kind: 'http', name: 'evil.example' }, false],
    ['a.example', { kind: 'http', name: null }, false],
    ['a.example', { kind: 'h2' }, false],
    ['a.example', { kind: 'other' }, true],
    ['10.0.0.5', { kind: 'tls', name: null }, true],
    ['10.0.0.5', { kind: 'tls', name: 'cdn-site.example' }, false],
    ['10.0.0.5', { kind: 'h2' }, true],
  ] as const)('a tunnel for %s carrying %j: %s', (host, first, ok) => {
    expect(namesMatch(host, first).ok).toBe(ok);
  });
});
