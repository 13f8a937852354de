import { ipVersion, normalizeHost } from '../policy/network.js';

/**
 * What a client says first inside a tunnel, as far as naming goes. A CDN or a shared front end
 * routes by the name inside (TLS server name, HTTP `Host`), not by the address the tunnel went
 * to, so a tunnel allowed for one name must carry that name.
 */
export type FirstBytes =
  | { kind: 'more' }
  | { kind: 'tls'; name: string | null }
  | { kind: 'http'; name: string | null }
  /** HTTP/2 with prior knowledge: the name is compressed inside frames. */
  | { kind: 'h2' }
  /** Anything else (ssh, a database protocol): no name to compare. */
  | { kind: 'other' };

/** Most bytes read before a verdict: a ClientHello fits one TLS record (16 KiB), a request head this much. */
export const MAX_FIRST_BYTES = 16 * 1024 + 5;

/** The server name in a TLS ClientHello record, or null when it has none or is malformed. */
function serverName(b: Buffer): string | null {
  // record header (5), handshake type 1 and length (4), version (2), random (32)
  let at = 5 + 4 + 2 + 32;
  const u8 = (): number => (at < b.length ? b[at++]! : -1);
  const u16 = (): number => (at + 2 <= b.length ? ((at += 2), b.readUInt16BE(at - 2)) : -1);
  if (b[5] !== 0x01) return null;
  const session = u8();
  if (session < 0) return null;
  at += session;
  const suites = u16();
  if (suites < 0) return null;
  at += suites;
  const compression = u8();
  if (compression < 0) return null;
  at += compression;
  const extensions = u16();
  if (extensions < 0) return null;
  const end = Math.min(b.length, at + extensions);
  while (at + 4 <= end) {
    const type = u16();
    const len = u16();
    if (type === 0x0000) {
      // server_name_list: length (2), then entries of type (1), length (2), name
      const listEnd = Math.min(end, at + len);
      at += 2;
      while (at + 3 <= listEnd) {
        const nameType = u8();
        const nameLen = u16();
        if (nameType === 0 && at + nameLen <= listEnd) return b.subarray(at, at + nameLen).toString('latin1');
        at += nameLen;
      }
      return null;
    }
    at += len;
  }
  return null;
}

/** TLS record types other than a handshake (change cipher spec, alert, application data, heartbeat). */
const OTHER_TLS_RECORDS = new Set([0x14, 0x15, 0x17, 0x18]);

/** Classifies the first bytes a client sent into a tunnel; `more` until there is enough to tell. */
export function inspectFirstBytes(b: Buffer): FirstBytes {
  if (b.length === 0) return { kind: 'more' };
  // a record before the ClientHello that some servers skip (an alert, say): no name to check
  if (OTHER_TLS_RECORDS.has(b[0]!) || (b[0] === 0x80 && (b.length < 3 || b[2] === 0x01))) return { kind: 'tls', name: null };
  if (b[0] === 0x16) {
    if (b.length < 5) return { kind: 'more' };
    const record = 5 + b.readUInt16BE(3);
    if (record > MAX_FIRST_BYTES) return { kind: 'tls', name: null };
    if (b.length < record) return { kind: 'more' };
    return { kind: 'tls', name: serverName(b.subarray(0, record)) };
  }
  // servers skip empty lines before a request line (and some accept a bare LF)
  const text = b
    .subarray(0, Math.min(b.length, MAX_FIRST_BYTES))
    .toString('latin1')
    .replace(/^[\r\n]+/, '');
  if (text === '') return b.length < MAX_FIRST_BYTES ? { kind: 'more' } : { kind: 'other' };
  if ('PRI * HTTP/2.0'.startsWith(text.slice(0, 14)) && text.length < 14) return { kind: 'more' };
  if (text.startsWith('PRI * HTTP/2.0')) return { kind: 'h2' };
  // a request line starts with a printable token; a binary protocol does not
  if (!/^[!-~]/.test(text)) return { kind: 'other' };
  const nl = text.indexOf('\n');
  if (nl < 0) return b.length < MAX_FIRST_BYTES ? { kind: 'more' } : { kind: 'other' };
  // a request line, whatever the method's case or characters: `TOKEN TARGET HTTP/x.y`
  if (!/^[!-~]+ +[^ ]+ +HTTP\/\d/i.test(text.slice(0, nl))) return { kind: 'other' };
  const end = text.search(/\r?\n\r?\n/);
  const head = end < 0 ? text : text.slice(0, end + 1);
  const host = /\nhost:[ \t]*([^\r\n]*)/i.exec(head)?.[1]?.trim() ?? null;
  return { kind: 'http', name: host === null ? null : host.replace(/:\d+$/, '') };
}

/**
 * Whether the name a tunnel's first bytes carry is the one the tunnel was decided for; the reason
 * when not. A destination named by address may carry no name.
 */
export function namesMatch(destination: string, first: FirstBytes): { ok: true } | { ok: false; why: string } {
  const dest = normalizeHost(destination);
  const byAddress = ipVersion(dest) !== 0;
  if (first.kind === 'other' || first.kind === 'more') return { ok: true };
  if (first.kind === 'h2') return byAddress ? { ok: true } : { ok: false, why: 'HTTP/2 without TLS carries no name harness can check' };
  const what = first.kind === 'tls' ? 'TLS server name' : 'HTTP Host';
  if (first.name === null) return byAddress ? { ok: true } : { ok: false, why: `the tunnel carries no ${what}, so the site it reaches cannot be told` };
  if (normalizeHost(first.name) === dest) return { ok: true };
  return {
    ok: false,
    why: `the tunnel for ${dest} carries the ${what} ${JSON.stringify(first.name.slice(0, 253))}: a shared front end would route it to that site`,
  };
}
