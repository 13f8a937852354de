// Sandbox benchmark: what the OS sandbox (bubblewrap + doors) adds, against the same work done
// without it in the same run.
//   start-up:      spawn → a trivial command (/bin/true, node -e '') finished, directly vs through
//                  the full sandbox (openSandbox, wrap, env, spawn, exit); openSandbox reported apart
//   per tool call: one long-running client POSTing to a stand-in hook endpoint on 127.0.0.1, from
//                  inside the sandbox (through the door) vs outside; keep-alive and a fresh
//                  connection per request
import { execFileSync, spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { performance } from 'node:perf_hooks';
import { openSandbox, bwrapAvailability } from '../dist/sandbox/index.js';
import { loadConfig } from '../dist/config/load.js';
import { benchWorkspace, sandboxRequest } from './workspace.mjs';

const STARTS = Number(process.env.START_ROUNDS ?? 30);
const CALLS = Number(process.env.ROUNDS ?? 200);
const WARMUP = 10;
const START_TARGET_MS = 150;
const CALL_TARGET_MS = 5;

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const p = (q) => s[Math.min(s.length - 1, Math.floor((q / 100) * s.length))];
  return { p50: p(50), p99: p(99) };
};
const fmt = (v) => `${v.toFixed(2).padStart(7)} ms`;
const row = (label, s) => `  ${label.padEnd(48)} p50 ${fmt(s.p50)}  p99 ${fmt(s.p99)}`;
const met = (ok) => (ok ? 'met' : 'MISSED');

// bwrap's probe runs once per process (runSession pays it in sandboxDecision): timed apart
const probeStart = performance.now();
const available = bwrapAvailability();
const probeMs = performance.now() - probeStart;
if (!available.ok) {
  console.log(`sandbox benchmark skipped: ${available.problem} (fix: ${available.fix})`);
  process.exit(0);
}

const { base, workspace, home, stateDir } = benchWorkspace('sandbox', { 'README.md': '# bench\n' });
const loaded = loadConfig(workspace);

// the stand-in for harness's hook endpoint: 200 and a tiny JSON body
const answer = '{"continue":true}';
const hook = createServer((req, res) => {
  req.resume();
  req.on('end', () => res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(answer) }).end(answer));
});
// a port that is not a door: the client inside must not reach it (proof the calls took the door)
const decoy = createServer((_req, res) => res.end('{}'));
const listen = (server) => new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
const hookPort = await listen(hook);
const decoyPort = await listen(decoy);

const request = () =>
  sandboxRequest({ workspace, home, stateDir }, loaded, {
    env: process.env,
    // the client is the sandboxed program itself: the strictest door check, made on every connection
    ports: [{ port: hookPort, peer: 'agent' }],
    decideEgress: async () => ({ allow: false, ruleId: 'bench', reason: 'no network in this bench', allowLocal: false }),
  });

/** Runs a program to its end as runSession does without a terminal (own session); resolves its time and output. */
function run(file, args, env) {
  return new Promise((resolve, reject) => {
    const t = performance.now();
    const child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: workspace, detached: true });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const ms = performance.now() - t;
      if (code !== 0) reject(new Error(`${file} ${args.slice(-3).join(' ')}: exit ${code ?? signal}\n${err}`));
      else resolve({ ms, out });
    });
  });
}

/** The full sandboxed start: openSandbox (doors), wrap + env, spawn → exit, close. */
async function sandboxed(command) {
  const t0 = performance.now();
  const sandbox = await openSandbox(request());
  const opened = performance.now() - t0;
  let r;
  let bare = null;
  try {
    const { file, args } = sandbox.wrap(command[0], command.slice(1));
    r = await run(file, args, { ...process.env, ...sandbox.env() });
    r.total = performance.now() - t0;
    // where the time goes: the same bubblewrap command running /bin/true itself, without the launcher
    if (command[0] === '/bin/true') bare = (await run(file, [...args.slice(0, args.indexOf('--')), '--', '/bin/true'], process.env)).ms;
  } finally {
    const t1 = performance.now();
    await sandbox.close();
    r && (r.close = performance.now() - t1);
  }
  return { open: opened, spawn: r.ms, close: r.close, total: r.total, bare, out: r.out, profile: sandbox.profile, launcher: sandbox.launcher };
}

// the client: one process, N sequential POSTs, its timings as JSON on stdout
const CLIENT = `
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
const [port, n, warmup, mode, decoy] = process.argv.slice(1).map((a, i) => (i === 3 ? a : Number(a)));
const agent = mode === 'keep-alive' ? new Agent({ keepAlive: true, maxSockets: 1 }) : false;
const body = JSON.stringify({ session_id: 'bench', hook_event_name: 'PreToolUse', tool_name: 'Bash', tool_input: { command: 'git status', description: 'bench' }, cwd: process.cwd() });
const post = () => new Promise((resolve, reject) => {
  const t = performance.now();
  const req = request({ host: '127.0.0.1', port, path: '/hook/claude/pre', method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
    let out = '';
    res.on('data', (d) => (out += d));
    res.on('end', () => (res.statusCode === 200 && out === '${answer}' ? resolve(performance.now() - t) : reject(new Error('bad answer ' + res.statusCode + ' ' + out))));
  });
  req.on('error', reject);
  req.end(body);
});
const reach = (p) => new Promise((resolve) => {
  const s = connect(p, '127.0.0.1', () => (s.destroy(), resolve(true)));
  s.on('error', () => resolve(false));
});
for (let i = 0; i < warmup; i++) await post();
const ms = [];
for (let i = 0; i < n; i++) ms.push(await post());
if (agent) agent.destroy();
process.stdout.write(JSON.stringify({ ms, sandboxed: process.env.HARNESS_SANDBOX === '1', decoyReachable: await reach(decoy) }));
`;
const clientCommand = (mode) => [
  process.execPath,
  '--input-type=module',
  '-e',
  CLIENT,
  String(hookPort),
  String(CALLS),
  String(WARMUP),
  mode,
  String(decoyPort),
];

try {
  // --- start-up --------------------------------------------------------------------------------
  const commands = { '/bin/true': ['/bin/true'], "node -e ''": [process.execPath, '-e', ''] };
  const direct = Object.fromEntries(Object.keys(commands).map((k) => [k, []]));
  const inside = Object.fromEntries(Object.keys(commands).map((k) => [k, { open: [], spawn: [], close: [], total: [], bare: [] }]));
  const cold = await sandboxed(commands['/bin/true']); // first openSandbox and bwrap of the process: dropped as warm-up
  for (const cmd of Object.values(commands)) await run(cmd[0], cmd.slice(1), process.env);
  // interleaved, so drift on the machine hits both sides alike
  for (let i = 0; i < STARTS; i++) {
    for (const [name, cmd] of Object.entries(commands)) {
      direct[name].push((await run(cmd[0], cmd.slice(1), process.env)).ms);
      const s = await sandboxed(cmd);
      for (const k of ['open', 'spawn', 'close', 'total', 'bare']) inside[name][k].push(s[k]);
    }
  }
  const { profile } = cold;
  console.log(
    `sandbox start-up, ${STARTS} rounds each (bubblewrap ${execFileSync(available.binary, ['--version'], { encoding: 'utf8' })
      .trim()
      .replace(
        /^bubblewrap /,
        '',
      )}; profile: ${profile.writable.length} writable trees, ${profile.hidden.length} paths hidden, ${profile.protected.length} protected, ${profile.localPorts.length} door(s) + proxy; ${cold.launcher} launcher)`,
  );
  console.log(`  bwrap availability probe (once per process): ${probeMs.toFixed(2)} ms | first sandboxed start (cold): ${cold.total.toFixed(2)} ms`);
  const added = {};
  for (const name of Object.keys(commands)) {
    const d = stats(direct[name]);
    const s = inside[name];
    const open = stats(s.open);
    const sp = stats(s.spawn);
    const total = stats(s.total);
    console.log(row(`${name}: direct spawn → exit`, d));
    console.log(row(`${name}: sandboxed spawn → exit`, sp));
    if (name === '/bin/true') console.log(row(`  of which bwrap alone (no launcher, no doors)`, stats(s.bare)));
    console.log(row(`${name}: openSandbox (doors, profile)`, open));
    console.log(row(`${name}: close()`, stats(s.close)));
    console.log(row(`${name}: openSandbox + spawn → exit`, total));
    added[name] = { spawn: sp.p50 - d.p50, total: total.p50 - d.p50, p99: total.p99 - d.p99 };
  }
  for (const [name, a] of Object.entries(added)) {
    console.log(
      `  ${name}: added start-up p50 ${a.total.toFixed(2)} ms (openSandbox + spawn; spawn alone ${a.spawn.toFixed(2)} ms), p99 ${a.p99.toFixed(2)} ms; target p50 <= ${START_TARGET_MS} ms: ${met(a.total <= START_TARGET_MS)}`,
    );
  }

  // --- per tool call ---------------------------------------------------------------------------
  const calls = {};
  for (const mode of ['keep-alive', 'fresh connection']) {
    const cmd = clientCommand(mode === 'keep-alive' ? 'keep-alive' : 'fresh');
    const out = JSON.parse((await run(cmd[0], cmd.slice(1), process.env)).out);
    const sbx = JSON.parse((await sandboxed(cmd)).out);
    if (out.sandboxed || !sbx.sandboxed) throw new Error('the client ran on the wrong side of the sandbox');
    if (!out.decoyReachable) throw new Error('the decoy port is not reachable outside the sandbox: the check below proves nothing');
    if (sbx.decoyReachable) throw new Error(`inside the sandbox 127.0.0.1:${decoyPort} (not a door) was reachable: the sandbox's network is not empty`);
    calls[mode] = { direct: stats(out.ms), sandboxed: stats(sbx.ms) };
  }
  console.log(
    `hook round trip from one long-running client, ${CALLS} sequential POSTs each (${WARMUP} warm-up dropped; inside: through the door, a port that is no door refused)`,
  );
  for (const [mode, c] of Object.entries(calls)) {
    console.log(row(`${mode}: direct (outside)`, c.direct));
    console.log(row(`${mode}: sandboxed (through the door)`, c.sandboxed));
  }
  for (const [mode, c] of Object.entries(calls)) {
    const a = c.sandboxed.p50 - c.direct.p50;
    console.log(
      `  ${mode}: added per tool call p50 ${a.toFixed(2)} ms, p99 ${(c.sandboxed.p99 - c.direct.p99).toFixed(2)} ms; target p50 <= ${CALL_TARGET_MS} ms: ${met(a <= CALL_TARGET_MS)}`,
    );
  }
} finally {
  hook.close();
  decoy.close();
  rmSync(base, { recursive: true, force: true });
}
