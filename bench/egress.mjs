// Egress benchmark: what harness's HTTP proxy (Doors.proxy + NetworkGate + AuditLog + dial) adds to
// one HTTP request, against the same client doing the same request directly, in the same run.
//   the world:   a separate process with an origin server on 127.0.0.1 and a small CONNECT proxy
//                standing in for a company's upstream proxy (it takes bench.test:<port> to the origin)
//   the client:  one long-running node process, N sequential GETs per case, the cases interleaved
//   inside:      a real sandbox (openSandbox; the client uses 127.0.0.1:3128 inside, the launcher
//                forwards it to the proxy's door); the origin itself is unreachable inside
//   host door:   the same proxy without the sandbox (the door's Unix socket, key first)
//   cases:       a plain GET through the proxy (fresh or keep-alive connection to the proxy) and a
//                CONNECT tunnel per request carrying one GET; to 127.0.0.1:<port> (allowed by a rule
//                naming it, dialled directly) and to bench.test:<port> (allowHosts; chained through
//                the upstream proxy, as egress.ts upstreamFor does from harness's own environment)
// Every request through the proxy is one decision of a real NetworkGate and one row in a real
// AuditLog (checked at the end).
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { openSandbox, bwrapAvailability } from '../dist/sandbox/index.js';
import { Doors } from '../dist/sandbox/doors.js';
import { upstreamFor } from '../dist/sandbox/egress.js';
import { NetworkGate } from '../dist/session/guard/network-gate.js';
import { AuditLog } from '../dist/audit/store.js';
import { hostPolicyFor, gitRemoteHosts } from '../dist/config/network.js';
import { loadConfig } from '../dist/config/load.js';
import { benchWorkspace, sandboxRequest } from './workspace.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 400);
const WARMUP = 20;
const PASSES = 2; // outside and inside alternate, so drift on the machine hits both sides alike
const ADDED_TARGET_MS = 5;

const available = bwrapAvailability();
if (!available.ok) {
  console.log(`egress benchmark skipped: ${available.problem} (fix: ${available.fix})`);
  process.exit(0);
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q) => s[Math.min(s.length - 1, Math.floor((q / 100) * s.length))];
  return { p50: p(50), p90: p(90), p99: p(99) };
};
const fmt = (v) => `${v.toFixed(3).padStart(7)} ms`;
const row = (label, s) => `  ${label.padEnd(58)} p50 ${fmt(s.p50)}  p90 ${fmt(s.p90)}  p99 ${fmt(s.p99)}`;

// --- the world: origin + upstream proxy, in a process of its own -------------------------------
const WORLD = `
import { createServer } from 'node:http';
import { createServer as tcp, connect } from 'node:net';
let open = 0, accepted = 0;
const origin = createServer((req, res) => {
  req.resume();
  if (req.url === '/stats') return void res.end(JSON.stringify({ open: open - 1, accepted }));
  res.writeHead(200, { 'content-type': 'text/plain', 'content-length': 2 }).end('ok');
});
origin.on('connection', (s) => { open++; accepted++; s.once('close', () => open--); });
const upstream = tcp((client) => {
  let head = Buffer.alloc(0);
  const onData = (d) => {
    head = Buffer.concat([head, d]);
    const end = head.indexOf('\\r\\n\\r\\n');
    if (end < 0) return;
    client.off('data', onData);
    const m = /^CONNECT ([^\\s:]+):(\\d+) HTTP/.exec(head.subarray(0, end).toString('latin1'));
    if (!m || m[1] !== 'bench.test') return void client.end('HTTP/1.1 403 Forbidden\\r\\ncontent-length: 0\\r\\n\\r\\n');
    const out = connect(Number(m[2]), '127.0.0.1', () => {
      client.write('HTTP/1.1 200 Connection Established\\r\\n\\r\\n');
      const rest = head.subarray(end + 4);
      if (rest.length) out.write(rest);
      client.pipe(out).pipe(client);
    });
    const done = () => (client.destroy(), out.destroy());
    out.on('error', done); client.on('error', done); out.on('close', done); client.on('close', done);
  };
  client.on('data', onData);
  client.on('error', () => client.destroy());
});
origin.listen(0, '127.0.0.1', () => upstream.listen(0, '127.0.0.1', () => process.stdout.write(JSON.stringify({ origin: origin.address().port, upstream: upstream.address().port }) + '\\n')));
`;
const world = spawn(process.execPath, ['--input-type=module', '-e', WORLD], { stdio: ['ignore', 'pipe', 'inherit'] });
const { origin, upstream } = await new Promise((resolve, reject) => {
  let out = '';
  world.stdout.on('data', (d) => {
    out += d;
    if (out.includes('\n')) resolve(JSON.parse(out));
  });
  world.once('exit', (code) => reject(new Error(`the world process exited (${code})`)));
});
const originStats = () =>
  new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: origin, path: '/stats', agent: false }, (res) => {
      let b = '';
      res.on('data', (d) => (b += d));
      res.on('end', () => resolve(JSON.parse(b)));
    })
      .on('error', reject)
      .end();
  });

// --- the client: one process, the cases interleaved, timings as JSON on stdout -----------------
const CLIENT = `
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
const spec = JSON.parse(process.argv[1]);
const open = (to) => {
  if (to.unix) { const s = connect(to.unix.path); s.write(to.unix.key + '\\nfrom other\\n'); return s; }
  return connect(to.port, to.host);
};
const hostPort = (t) => { const i = t.lastIndexOf(':'); return { host: t.slice(0, i), port: Number(t.slice(i + 1)) }; };
class Via extends Agent {
  constructor(to) { super({ keepAlive: true, maxSockets: 1 }); this.to = to; }
  createConnection() { return open(this.to); }
}
const body = (res, resolve, reject, t) => {
  let b = '';
  res.on('data', (d) => (b += d));
  res.on('end', () => (res.statusCode === 200 && b === 'ok' ? resolve(performance.now() - t) : reject(new Error('bad answer ' + res.statusCode + ' ' + b))));
};
// a plain GET: directly (path /) or through a proxy (absolute URL)
const get = (c) => new Promise((resolve, reject) => {
  const t = performance.now();
  const to = c.via ?? hostPort(c.target);
  const opts = { method: 'GET', path: c.via ? 'http://' + c.target + '/' : '/', headers: { host: c.target } };
  if (c.agent) opts.agent = c.agent; else opts.createConnection = () => open(to);
  const req = request(opts, (res) => body(res, resolve, reject, t));
  req.on('error', reject);
  req.end();
});
// a CONNECT tunnel of its own, one GET through it
const tunnel = (c) => new Promise((resolve, reject) => {
  const t = performance.now();
  const req = request({ method: 'CONNECT', path: c.target, headers: { host: c.target }, createConnection: () => open(c.via) });
  req.on('connect', (res, socket, head) => {
    if (res.statusCode !== 200) return void (socket.destroy(), reject(new Error('CONNECT ' + c.target + ': ' + res.statusCode + ' ' + res.headers['x-harness-reason'])));
    if (head.length) socket.unshift(head);
    const inner = request({ method: 'GET', path: '/', headers: { host: c.target }, createConnection: () => socket }, (r) =>
      body(r, (ms) => (socket.destroy(), resolve(ms)), reject, t));
    inner.on('error', reject);
    inner.end();
  });
  req.on('error', reject);
  req.end();
});
const reach = (p) => new Promise((resolve) => {
  const s = connect(p, '127.0.0.1', () => (s.destroy(), resolve(true)));
  s.on('error', () => resolve(false));
});
for (const c of spec.cases) if (c.keepAlive) c.agent = new Via(c.via ?? hostPort(c.target));
const once = (c) => (c.kind === 'connect' ? tunnel(c) : get(c));
for (let i = 0; i < spec.warmup; i++) for (const c of spec.cases) await once(c);
const ms = Object.fromEntries(spec.cases.map((c) => [c.name, []]));
for (let i = 0; i < spec.rounds; i++) for (const c of spec.cases) ms[c.name].push(await once(c));
for (const c of spec.cases) c.agent?.destroy();
process.stdout.write(JSON.stringify({ ms, sandboxed: process.env.HARNESS_SANDBOX === '1', originReachable: await reach(spec.probe) }));
`;

// --- a workspace with a config that allows the two destinations -------------------------------
const direct = `127.0.0.1:${origin}`;
const chained = `bench.test:${origin}`;
const { base, workspace, home, stateDir } = benchWorkspace('egress', {
  'harness.config.json': JSON.stringify({
    sandbox: {
      network: {
        allowHosts: [chained],
        rules: [{ id: 'bench.origin', host: direct, decision: 'allow', reason: "the bench's origin server" }],
        unknownHosts: 'deny',
      },
    },
  }),
});
const loaded = loadConfig(workspace);

// harness's own environment: the upstream proxy for names, 127.0.0.1 directly (read by upstreamFor
// when the proxy is made); the sandbox's client gets its own proxy variables from sandbox.env()
for (const k of ['http_proxy', 'HTTP_PROXY', 'https_proxy', 'HTTPS_PROXY']) process.env[k] = `http://127.0.0.1:${upstream}`;
for (const k of ['all_proxy', 'ALL_PROXY']) delete process.env[k];
for (const k of ['no_proxy', 'NO_PROXY']) process.env[k] = '127.0.0.1';
const clientEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(https?|all|no)_proxy$/i.test(k)));

const sessionId = 'bench-egress';
const audit = AuditLog.open(join(stateDir, 'audit.db'));
audit.startSession({ id: sessionId, agent: 'claude', workspace, argv: [], configPath: loaded.path, version: 'bench' });
const policy = hostPolicyFor(loaded.sandbox, [{ agent: 'claude', endpoints: [] }], gitRemoteHosts(workspace));
const gate = new NetworkGate({
  sessionId,
  agent: 'claude',
  audit,
  policy: () => policy,
  asker: null,
  whenNoTty: 'deny',
  timeoutMs: 60_000,
  actor: 'bench',
  running: () => [{ id: 'toolu_bench', label: 'node client.mjs in Bash' }],
});
for (const [h, p] of [
  ['127.0.0.1', origin],
  ['bench.test', origin],
]) {
  const v = policy.decide(h, p);
  if (v.verdict !== 'allow') throw new Error(`the bench's config does not allow ${h}:${p}: ${v.ruleId} ${v.reason}`);
}

// the proxy alone, on the host: a Doors of its own with the same gate and the same dialling
const hostDoors = new Doors();
await hostDoors.proxy(3128, { decide: gate.decide, dial: { upstream: upstreamFor(process.env) } });
const door = { unix: { path: join(hostDoors.dir, 'proxy-3128'), key: hostDoors.key } };

const sandbox = await openSandbox(
  sandboxRequest({ workspace, home, stateDir }, loaded, { binary: process.execPath, env: clientEnv, ports: [], decideEgress: gate.decide }),
);
const inside = { host: '127.0.0.1', port: Number(new URL(sandbox.env().HTTP_PROXY).port) };

function run(file, args, env) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: workspace, detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('close', (code, signal) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`client: exit ${code ?? signal}\n${err}`))));
  });
}
const client = (cases, rounds) => [process.execPath, '--input-type=module', '-e', CLIENT, JSON.stringify({ cases, rounds, warmup: WARMUP, probe: origin })];

const OUTSIDE = [
  { name: 'direct, fresh connection', kind: 'get', target: direct },
  { name: 'direct, keep-alive', kind: 'get', target: direct, keepAlive: true },
  { name: 'upstream proxy alone, CONNECT per request', kind: 'connect', target: chained, via: { host: '127.0.0.1', port: upstream } },
  { name: 'door: GET, fresh connection', kind: 'get', target: direct, via: door, proxied: true },
  { name: 'door: GET, keep-alive to the proxy', kind: 'get', target: direct, via: door, keepAlive: true, proxied: true },
  { name: 'door: CONNECT per request', kind: 'connect', target: direct, via: door, proxied: true },
  { name: 'door: GET, chained upstream', kind: 'get', target: chained, via: door, proxied: true },
  { name: 'door: CONNECT per request, chained upstream', kind: 'connect', target: chained, via: door, proxied: true },
];
const INSIDE = [
  { name: 'sandbox: GET, fresh connection', kind: 'get', target: direct, via: inside, proxied: true },
  { name: 'sandbox: GET, keep-alive to the proxy', kind: 'get', target: direct, via: inside, keepAlive: true, proxied: true },
  { name: 'sandbox: CONNECT per request', kind: 'connect', target: direct, via: inside, proxied: true },
  { name: 'sandbox: GET, chained upstream', kind: 'get', target: chained, via: inside, proxied: true },
  { name: 'sandbox: CONNECT per request, chained upstream', kind: 'connect', target: chained, via: inside, proxied: true },
];

const ms = {};
const take = (r) => Object.entries(r.ms).forEach(([k, v]) => (ms[k] ??= []).push(...v));
let proxied = 0;
const t0 = performance.now();
try {
  const before = await originStats();
  let leftOpen = 0;
  for (let pass = 0; pass < PASSES; pass++) {
    const rounds = Math.ceil(ROUNDS / PASSES);
    const [of, ...oa] = client(OUTSIDE, rounds);
    const out = await run(of, oa, clientEnv);
    if (out.sandboxed || !out.originReachable) throw new Error('the outside client ran inside a sandbox, or could not reach the origin');
    take(out);
    const [inf, ...ina] = client(INSIDE, rounds);
    const { file, args } = sandbox.wrap(inf, ina);
    const inn = await run(file, args, { ...clientEnv, ...sandbox.env() });
    if (!inn.sandboxed) throw new Error('the inside client did not run in the sandbox');
    if (inn.originReachable) throw new Error(`inside the sandbox ${direct} was reachable directly: the requests need not have gone through the proxy`);
    take(inn);
    proxied += (rounds + WARMUP) * [...OUTSIDE, ...INSIDE].filter((c) => c.proxied).length;
    await new Promise((r) => setTimeout(r, 200));
    leftOpen = Math.max(leftOpen, (await originStats()).open);
  }
  const elapsed = (performance.now() - t0) / 1000;
  const after = await originStats();
  const rows = audit.connectionsOf(sessionId);
  const byRule = rows.reduce((a, r) => ((a[`${r.verdict} ${r.ruleId}`] = (a[`${r.verdict} ${r.ruleId}`] ?? 0) + 1), a), {});

  const s = Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, stats(v)]));
  const n = ms['direct, fresh connection'].length;
  console.log(
    `egress through harness's proxy, ${n} sequential GETs per case from one long-running node client (${WARMUP} warm-up per pass dropped; ${PASSES} passes, outside and inside alternating; ${sandbox.launcher} launcher; ${elapsed.toFixed(1)} s)`,
  );
  console.log(
    `  origin ${direct} in a process of its own; bench.test:${origin} reached through a stand-in upstream CONNECT proxy (127.0.0.1:${upstream}, from HTTP(S)_PROXY)`,
  );
  console.log('baselines (outside, no harness):');
  for (const c of OUTSIDE.filter((c) => !c.proxied)) console.log(row(c.name, s[c.name]));
  console.log("the proxy alone (host, through the door's Unix socket, key first):");
  for (const c of OUTSIDE.filter((c) => c.proxied)) console.log(row(c.name, s[c.name]));
  console.log('the real path (client inside the sandbox, HTTP proxy 127.0.0.1:' + inside.port + ' → launcher → door → proxy):');
  for (const c of INSIDE) console.log(row(c.name, s[c.name]));

  const baselineOf = (c) =>
    c.target === chained ? 'upstream proxy alone, CONNECT per request' : c.keepAlive ? 'direct, keep-alive' : 'direct, fresh connection';
  console.log('added latency per request, p50 over its baseline (and p99 over the baseline p99):');
  for (const c of [...OUTSIDE.filter((c) => c.proxied), ...INSIDE]) {
    const b = baselineOf(c);
    const a = s[c.name].p50 - s[b].p50;
    const line = `  ${c.name.padEnd(50)} +${a.toFixed(3)} ms p50, +${(s[c.name].p99 - s[b].p99).toFixed(3)} ms p99  (vs ${b})`;
    console.log(c.via === inside ? `${line}; target p50 <= ${ADDED_TARGET_MS} ms: ${a <= ADDED_TARGET_MS ? 'met' : 'MISSED'}` : line);
  }
  console.log("of which the sandbox's forwarding (inside p50 − host door p50):");
  for (const c of INSIDE) {
    const host = c.name.replace(/^sandbox:/, 'door:');
    console.log(`  ${c.name.replace(/^sandbox: /, '').padEnd(50)} ${(s[c.name].p50 - s[host].p50).toFixed(3)} ms`);
  }
  console.log(
    `audit: ${rows.length} connection rows written (expected ${proxied}): ${Object.entries(byRule)
      .map(([k, v]) => `${v} ${k}`)
      .join(', ')}`,
  );
  console.log(`origin: ${after.accepted - before.accepted} connections accepted, at most ${leftOpen} still open 200 ms after a pass ended`);
  if (rows.length !== proxied) throw new Error(`the audit log has ${rows.length} connection rows, ${proxied} expected`);
} finally {
  await sandbox.close();
  await hostDoors.close();
  gate.close();
  audit.close();
  world.kill();
  rmSync(base, { recursive: true, force: true });
}
