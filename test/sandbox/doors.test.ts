import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, createServer as createNetServer, type AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { bwrapAvailability } from '../../src/sandbox/bwrap.js';
import { Doors } from '../../src/sandbox/doors.js';
import { openSandbox, type Peer, type Refusal } from '../../src/sandbox/index.js';
import { sandboxRequest } from '../support/sandbox-request.js';
import { until } from '../support/until.js';

const HOOK_CLIENT = new URL('../../dist/harness-hook', import.meta.url).pathname;
const NATIVE = new URL('../../dist/harness-sandbox-init', import.meta.url).pathname;
const available = bwrapAvailability().ok;
const native = existsSync(NATIVE);
const curl = spawnSync('sh', ['-c', 'command -v curl'], { encoding: 'utf8' }).stdout.trim();

/** harness's hook endpoint, stood in for: it records every connection and request, and answers as harness does. */
class HookStandIn {
  connections = 0;
  seen: string[] = [];
  private server: Server | null = null;
  async start(): Promise<number> {
    const answer = '{}';
    this.server = createServer((req, res) => {
      this.seen.push(req.url ?? '');
      req.resume();
      req.on('end', () =>
        res.writeHead(200, { 'x-harness-verdict': 'allow', 'content-length': answer.length, 'content-type': 'application/json' }).end(answer),
      );
    });
    this.server.on('connection', () => this.connections++);
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    return (this.server.address() as AddressInfo).port;
  }
  stop(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/**
 * The stand-in agent: a Node program whose own process calls the hook port, and which starts
 * other processes that try to (scripts it ran, harness's hook client, direct socket connects).
 * It prints one JSON object of what each attempt got.
 */
const AGENT = String.raw`
const http = require('http'), net = require('net'), fs = require('fs'), cp = require('child_process');
const [port, dir, hook, curl] = process.argv.slice(2);
const post = (path) => new Promise((res) => {
  const r = http.request({ host: '127.0.0.1', port, path, method: 'POST', agent: false }, (x) => { let b = ''; x.on('data', (d) => (b += d)); x.on('end', () => res(x.statusCode + ' ' + b)); });
  r.on('error', (e) => res('error ' + e.code));
  r.end('{}');
});
// bytes a raw connection to a Unix socket gets back for what it says
const raw = (socket, say) => new Promise((res) => {
  let got = '';
  const s = net.connect(socket, () => s.write(say));
  s.on('data', (d) => (got += d));
  s.on('error', () => undefined);
  s.on('close', () => res('closed ' + JSON.stringify(got)));
  setTimeout(() => (s.destroy(), res('open ' + JSON.stringify(got))), 3000);
});
const sh = (script, args = []) => { const r = cp.spawnSync('sh', ['-c', script, ...args], { encoding: 'utf8' }); return (r.stdout + r.stderr).trim(); };
const read = (path) => { try { return 'read ' + fs.readFileSync(path).length; } catch (e) { return e.code; } };
const hookCmd = (path) => hook + ' 127.0.0.1 ' + port + ' ' + path + ' token 5 < /dev/null';
const script = "const h=require('http');const r=h.request({host:'127.0.0.1',port:" + port + ",path:'/script',method:'POST'},(x)=>{x.resume();x.on('end',()=>console.log('status '+x.statusCode))});r.on('error',(e)=>console.log('error '+e.code));r.end('{}')";
(async () => {
  const out = {};
  out.self = await post('/self');
  out.scriptGrandchild = sh('node -e "$0"; true', [script]);
  if (curl) out.curlDirectChild = sh('exec ' + curl + ' -s -o /dev/null -w "status %{http_code}" -X POST -d {} http://127.0.0.1:' + port + '/curl; echo " exit $?"');
  out.hookViaSh = sh(hookCmd('/hook/claude/pre') + '; echo " exit $?"');
  out.hookExecBySh = sh('exec ' + hookCmd('/hook/claude/post'));
  // the shape of Claude Code's Bash tool shell: bash -c "source …; eval '…'" naming the hook client
  out.hookInToolShell = cp.spawnSync('bash', ['-c', 'source /dev/null; eval ' + JSON.stringify(hookCmd('/hook/tool-shell')) + '; echo " exit $?"'], { encoding: 'utf8' }).stdout.trim();
  out.hookDirect = (() => { const r = cp.spawnSync(hook, ['127.0.0.1', port, '/hook/direct', 'token', '5'], { input: '{}', encoding: 'utf8' }); return 'exit ' + r.status; })();
  fs.writeFileSync('x.sh', hookCmd('/hook/from-script') + '\necho " exit $?"\n');
  out.hookFromScript = cp.spawnSync('bash', ['-c', 'bash x.sh'], { encoding: 'utf8' }).stdout.trim();
  const spawner = "process.exit(require('child_process').spawnSync(process.argv[1], ['127.0.0.1','" + port + "','/hook/from-node','token','5'], {stdio:'inherit'}).status)";
  out.hookFromNodeScript = sh('node -e "$0" ' + hook + '; echo " exit $?"', [spawner]);
  // the doors themselves
  // the proxy, from the agent itself and from a script it ran: the launcher says which
  out.proxySelf = await new Promise((res) => { const r = http.get({ host: '127.0.0.1', port: 3128, path: 'http://from-agent.test/', agent: false }, (x) => { x.resume(); res('status ' + x.statusCode); }); r.on('error', (e) => res('error ' + e.code)); });
  const fromScript = "require('http').get({host:'127.0.0.1',port:3128,path:'http://from-script.test/'},(x)=>{x.resume();console.log('status '+x.statusCode)}).on('error',(e)=>console.log('error '+e.code))";
  out.proxyScript = sh('node -e "$0"', [fromScript]);
  // a tool shell that execs a program: the agent's direct child, no shell any more, still not the agent
  out.proxyExec = sh('exec node -e "$0"', [fromScript.replace('from-script.test', 'from-exec.test')]);
  out.doorNoKey = await raw(dir + '/' + port, 'POST /raw HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}');
  out.doorWrongKey = await raw(dir + '/' + port, 'ab'.repeat(32) + '\nPOST /raw HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}');
  out.proxyNoKey = await raw(dir + '/proxy-3128', 'GET http://127.0.0.1:' + port + '/proxied HTTP/1.1\r\nHost: x\r\n\r\n');
  out.helloWrongKey = await raw(dir + '/hello', 'cd'.repeat(32) + '\n');
  out.launchFile = fs.existsSync(dir + '/launch') ? 'present' : 'gone';
  out.dirListing = fs.readdirSync(dir).sort().join(' ');
  // the launcher's memory, environment and descriptors, and those of a forwarder it forked
  const launcher = process.ppid;
  out.launcherEnviron = read('/proc/' + launcher + '/environ');
  out.launcherMem = read('/proc/' + launcher + '/mem');
  // the names may be listed where the namespace's root is the caller's uid; what they are, not
  out.launcherFd = (() => {
    let names;
    try { names = fs.readdirSync('/proc/' + launcher + '/fd'); } catch (e) { return e.code; }
    const codes = new Set(names.flatMap((n) => { const p = '/proc/' + launcher + '/fd/' + n; const r = []; try { r.push('link ' + fs.readlinkSync(p)); } catch (e) { r.push(e.code); } try { fs.closeSync(fs.openSync(p, 'r')); r.push('opened'); } catch (e) { r.push(e.code); } return r; }));
    return [...codes].sort().join(' ');
  })();
  out.launcherCmdline = fs.readFileSync('/proc/' + launcher + '/cmdline', 'utf8').split('\0').join(' ');
  const held = net.connect(Number(port), '127.0.0.1');
  await new Promise((r) => held.on('connect', r));
  // the launcher's forwarder for the held connection: waited for, not slept for
  const forwardersNow = () => fs.readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid).filter((p) => { try { return fs.readFileSync('/proc/' + p + '/stat', 'utf8').split(') ')[1].split(' ')[1] === String(launcher); } catch { return false; } });
  // each one's files as a reader inside finds them; a forwarder of an earlier connection that ended
  // meanwhile (gone: ENOENT, or ESRCH while it exits) is not one that could be read, and is left out
  const gone = (code) => code === 'ENOENT' || code === 'ESRCH';
  const probed = () => forwardersNow().map((p) => ({ environ: read('/proc/' + p + '/environ'), mem: read('/proc/' + p + '/mem') })).filter((f) => !gone(f.environ) && !gone(f.mem));
  let forwarders = probed();
  for (const end = Date.now() + 5000; forwarders.length === 0 && Date.now() < end; forwarders = probed()) await new Promise((r) => setTimeout(r, 20));
  out.forwarders = forwarders.length;
  out.forwarderEnviron = forwarders.map((f) => f.environ).join(' ');
  out.forwarderMem = forwarders.map((f) => f.mem).join(' ');
  held.destroy();
  // a flood of connections to the proxy cannot take the hook door's connections
  const flood = [];
  for (let i = 0; i < 300; i++) { const s = net.connect(3128, '127.0.0.1'); s.on('error', () => undefined); flood.push(s); }
  await Promise.race([Promise.all(flood.map((s) => new Promise((r) => s.once('connect', r)))), new Promise((r) => setTimeout(r, 3000))]);
  out.hookDuringFlood = await Promise.race([post('/self-flood'), new Promise((r) => setTimeout(() => r('no answer in 10s'), 10000))]);
  for (const s of flood) s.destroy();
  out.env = JSON.stringify(process.env);
  out.argv = process.argv.join(' ');
  console.log(JSON.stringify(out));
})();
`;

const parent = mkdtempSync(join(homedir(), '.harness-doors-test-'));
afterAll(() => rmSync(parent, { recursive: true, force: true }));

interface Run {
  port: number;
  code: number | null;
  out: Record<string, string>;
  stderr: string;
  hook: HookStandIn;
  refused: Refusal[];
  launcher: string;
  doorsDir: string;
  key: string;
  notes: string[];
  launchAfter: boolean;
  /** What the proxy was asked: `host from`. */
  egress: string[];
}

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

/** Runs node with `program` as the agent in a real sandbox whose hook door admits `peer`; collects what happened. */
async function inSandbox(
  peer: Peer,
  program: (ctx: { port: number; dir: string; ws: string }) => string[],
  opts: { nodeLauncher?: boolean; refusals?: number; alsoPorts?: number[] } = {},
): Promise<Run> {
  const base = mkdtempSync(join(parent, 'run-'));
  const ws = join(base, 'ws');
  const home = join(base, 'home');
  const stateDir = join(base, 'state');
  for (const d of [ws, home, stateDir]) mkdirSync(d);
  execFileSync('git', ['init', '-q'], { cwd: ws });
  writeFileSync(join(ws, 'agent.cjs'), AGENT);
  const hook = new HookStandIn();
  stops.push(() => hook.stop());
  const port = await hook.start();
  const refused: Refusal[] = [];
  const egress: string[] = [];
  const sandbox = await openSandbox(
    sandboxRequest(
      { workspace: ws, home, stateDir },
      {
        ports: [{ port, peer }, ...(opts.alsoPorts ?? []).map((p) => ({ port: p, peer: 'any' as const }))],
        onRefused: (r) => refused.push(r),
        nodeLauncher: opts.nodeLauncher,
      },
      egress,
    ),
  );
  try {
    const wrapped = sandbox.wrap('/bin/true', []);
    const dir = wrapped.args[wrapped.args.indexOf('--') + (sandbox.launcher === 'native' ? 2 : 3)]!;
    const { file, args } = sandbox.wrap(process.execPath, program({ port, dir, ws }));
    const key = /^key (\w+)$/m.exec(readFileSync(join(dir, 'launch'), 'utf8'))![1]!;
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(file, args, { cwd: ws, env: { ...process.env, ...sandbox.env() }, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    // refusals are reported on their own connection: give the last ones a moment
    await until('the refusals', () => refused.length >= (opts.refusals ?? 0), 2500).catch(() => undefined);
    let out: Record<string, string> = {};
    try {
      out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as Record<string, string>;
    } catch {
      // the assertions show the raw output
    }
    return {
      port,
      code: r.code,
      out,
      stderr: `${r.stderr}\n${r.stdout}`,
      hook,
      refused,
      launcher: sandbox.launcher,
      doorsDir: dir,
      key,
      notes: sandbox.notes,
      launchAfter: existsSync(join(dir, 'launch')),
      egress,
    };
  } finally {
    await sandbox.close();
  }
}

const agentArgs = ({ port, dir, ws }: { port: number; dir: string; ws: string }): string[] => [join(ws, 'agent.cjs'), String(port), dir, HOOK_CLIENT, curl];

// mode agent: the node script, curl, and the hook client all six ways
/**
 * The refusals the launcher reported: `total` of them, `kinds` each as many times. A peer the
 * launcher could not tell (its process gone before the launcher looked at the connection, on a
 * loaded machine) is refused all the same and reported as pid 0 "?": it may stand for any expected
 * one, or be a second attempt of one. Every refusal is on the door's port.
 */
function expectRefusals(run: { refused: Refusal[]; port: number }, total: number, kinds: readonly (readonly [(r: Refusal) => boolean, number])[]): void {
  const all = JSON.stringify(run.refused);
  const unknown = run.refused.filter((r) => r.pid === 0 && r.exe === '?').length;
  const known = run.refused.filter((r) => !(r.pid === 0 && r.exe === '?'));
  expect(known.length, all).toBeLessThanOrEqual(total);
  expect(known.length + unknown, all).toBeGreaterThanOrEqual(total);
  for (const [is, n] of kinds) {
    expect(known.filter(is).length, all).toBeLessThanOrEqual(n);
    expect(known.filter(is).length + unknown, all).toBeGreaterThanOrEqual(n);
  }
  for (const r of run.refused) expect(r.port, all).toBe(run.port);
  for (const r of known) expect(r.pid, all).toBeGreaterThan(1);
}

const AGENT_REFUSALS = 7 + (curl ? 1 : 0);
// mode hook-client: the agent's own three connections, the node script, curl, the hook client from a tool shell, a bash script, a node script
const HOOK_CLIENT_REFUSALS = 7 + (curl ? 1 : 0);
/** The hook client failed closed. */
const EXIT_2 = /(^| )exit 2(\n|$)/;

describe.skipIf(!available || !native)('the native launcher: doors only for the key holder, hook door only for the agent', () => {
  let agentRun: Run;
  let hookClientRun: Run;
  beforeAll(async () => {
    agentRun = await inSandbox('agent', agentArgs, { refusals: AGENT_REFUSALS });
    hookClientRun = await inSandbox('hook-client', agentArgs, { refusals: HOOK_CLIENT_REFUSALS });
  }, 60_000);

  it('runs the native launcher, with nothing to tell the person', () => {
    expect(agentRun.launcher).toBe('native');
    expect(agentRun.notes).toEqual([]);
    expect(agentRun.code, agentRun.stderr).toBe(0);
    expect(hookClientRun.code, hookClientRun.stderr).toBe(0);
  });

  it('(a) a direct connect to a door socket without the key gets nothing, and the hook server never sees it', () => {
    for (const run of [agentRun, hookClientRun]) {
      expect(run.out.doorNoKey, run.stderr).toBe('closed ""');
      expect(run.out.doorWrongKey).toBe('closed ""');
      expect(run.out.proxyNoKey).toBe('closed ""');
      expect(run.out.helloWrongKey).toBe('closed ""');
      expect(run.hook.seen).not.toContain('/raw');
    }
  });

  it('(f) a flood of connections to the proxy leaves the hook door its own', () => {
    expect(agentRun.out.hookDuringFlood, agentRun.stderr).toBe('200 {}');
  });

  it("(p) the proxy hears from the launcher whether a connection is the agent's own or a process it started", () => {
    for (const run of [agentRun, hookClientRun]) {
      expect(run.out.proxySelf, run.stderr).toBe('status 403');
      expect(run.out.proxyScript).toBe('status 403');
      expect(run.egress).toEqual(expect.arrayContaining(['from-agent.test agent', 'from-script.test other', 'from-exec.test other']));
      expect(run.egress).not.toContain('from-script.test agent');
      expect(run.out.proxyExec).toBe('status 403');
    }
  });

  it('(b) the launch file is gone once the launcher started, and the key is in no argv or environment', () => {
    for (const run of [agentRun, hookClientRun]) {
      expect(run.out.launchFile).toBe('gone');
      expect(run.out.dirListing?.split(' ')).not.toContain('launch');
      expect(run.launchAfter).toBe(false);
      expect(run.key).toMatch(/^[0-9a-f]{64}$/);
      for (const where of [run.out.env, run.out.argv, run.out.launcherCmdline]) expect(where).not.toContain(run.key);
      expect(run.out.env).not.toContain('HARNESS_SANDBOX_SPEC');
    }
  });

  it('(c) mode agent: a script the agent ran is refused, and the refusal reaches onRefused', () => {
    expect(agentRun.out.scriptGrandchild).toMatch(/^error /);
    expect(agentRun.hook.seen).not.toContain('/script');
    if (curl) {
      // `sh -c 'exec curl …'`: a direct child of the agent, but not the agent's program
      expect(agentRun.out.curlDirectChild).not.toMatch(/status 200/);
      expect(agentRun.hook.seen).not.toContain('/curl');
    }
    // the hook client is not the agent either
    expect(agentRun.out.hookViaSh).toMatch(EXIT_2);
    expect(agentRun.hook.seen.filter((u) => u.startsWith('/hook'))).toEqual([]);
    expectRefusals(agentRun, AGENT_REFUSALS, [
      [(r) => r.exe === process.execPath, 1],
      [(r) => r.exe === HOOK_CLIENT, 6],
      ...(curl ? [[(r: Refusal) => /\/curl$/.test(r.exe), 1] as const] : []),
    ]);
  });

  it('(d) mode agent: the agent process itself is let through', () => {
    expect(agentRun.out.self).toBe('200 {}');
    expect(agentRun.hook.seen).toContain('/self');
  });

  it('(e) mode hook-client: the hook client run by the agent passes (through sh -c, exec-ed by it, or started directly); run from a script, refused', () => {
    const run = hookClientRun;
    expect(run.out.hookViaSh, run.stderr).toBe('{} exit 0');
    expect(run.out.hookExecBySh).toBe('{}');
    expect(run.out.hookDirect).toBe('exit 0');
    expect(run.hook.seen).toEqual(expect.arrayContaining(['/hook/claude/pre', '/hook/claude/post', '/hook/direct']));
    // bash -c 'bash x.sh', x.sh runs the hook client: it fails closed (exit 2)
    expect(run.out.hookFromScript).toMatch(EXIT_2);
    // a shell that names the hook client somewhere in its command, not as the command
    expect(run.out.hookInToolShell).toMatch(EXIT_2);
    expect(run.hook.seen).not.toContain('/hook/tool-shell');
    expect(run.out.hookFromNodeScript).toMatch(EXIT_2);
    expect(run.hook.seen).not.toContain('/hook/from-script');
    expect(run.hook.seen).not.toContain('/hook/from-node');
    expectRefusals(run, HOOK_CLIENT_REFUSALS, [[(r) => r.exe === HOOK_CLIENT, 3]]);
    // and the agent's own process is no hook client
    expect(run.out.self).toMatch(/^error (ECONNRESET|EPIPE)/);
    expect(run.hook.seen).not.toContain('/self');
  });

  it('(f) the launcher and its forwarders are not readable from inside: no environ, no mem, no fd', () => {
    for (const run of [agentRun, hookClientRun]) {
      expect(run.out.launcherEnviron).toBe('EACCES');
      expect(run.out.launcherMem).toBe('EACCES');
      expect(run.out.launcherFd).toBe('EACCES');
    }
    expect(agentRun.out.forwarders).toBeGreaterThanOrEqual(1);
    expect(agentRun.out.forwarderEnviron).toMatch(/^EACCES( EACCES)*$/);
    expect(agentRun.out.forwarderMem).toMatch(/^EACCES( EACCES)*$/);
  });
});

describe.skipIf(!available || !native)('the native launcher runs the agent as the Node one did', () => {
  it.each([
    ['its exit code', ['-e', 'process.exit(7)'], 7],
    ['128+N when signal N killed it', ['-e', "process.kill(process.pid, 'SIGKILL')"], 137],
    [
      'a signal sent to the launcher reaches the agent (SIGUSR1)',
      ['-e', "process.on('SIGUSR1', () => process.exit(3)); process.kill(process.ppid, 'SIGUSR1'); setTimeout(() => process.exit(9), 5000)"],
      3,
    ],
    ['SIGTERM too', ['-e', "process.on('SIGTERM', () => process.exit(4)); process.kill(process.ppid, 'SIGTERM'); setTimeout(() => process.exit(9), 5000)"], 4],
    ['SIGINT to the launcher is ignored: the agent goes on', ['-e', "process.kill(process.ppid, 'SIGINT'); setTimeout(() => process.exit(5), 300)"], 5],
  ])('%s', async (_what, program, code) => {
    const r = await inSandbox('any', () => program);
    expect(r.code, r.stderr).toBe(code);
  });

  it('a connection is forwarded both ways with half-close: a client done sending still gets the answer', async () => {
    // the far end answers once the client has finished sending: how many bytes it got
    const counter = createNetServer({ allowHalfOpen: true }, (s) => {
      let n = 0;
      s.on('data', (d: Buffer) => (n += d.length));
      s.on('end', () => s.end(`got ${n}`));
    });
    await new Promise<void>((resolve) => counter.listen(0, '127.0.0.1', resolve));
    stops.push(() => new Promise((resolve) => counter.close(() => resolve())));
    const far = (counter.address() as AddressInfo).port;
    const client = `const s = require('net').connect(${far}, '127.0.0.1', () => s.end(Buffer.alloc(300000, 120))); let got = ''; s.on('data', (d) => (got += d)); s.on('end', () => console.log(got)); s.on('error', (e) => console.log('error ' + e.code));`;
    const r = await inSandbox('agent', () => ['-e', client], { alsoPorts: [far] });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr.trim()).toBe('got 300000');
  });

  it('a flood of refused connections neither stops the launcher nor the agent’s own calls', async () => {
    const flood = `const net = require('net'); let done = 0; for (let i = 0; i < 400; i++) { const s = net.connect(Number(process.argv[1]), '127.0.0.1'); s.on('error', () => undefined); s.on('close', () => ++done === 400 && console.log('all closed')); }`;
    const agent = String.raw`
      const cp = require('child_process'), http = require('http');
      const port = process.argv[1];
      const f = cp.spawnSync('sh', ['-c', 'node -e "$0" ' + port + '; true', process.argv[2]], { encoding: 'utf8', timeout: 30000 });
      console.log(f.error ? 'flood: ' + f.error.code : f.stdout.trim());
      http.request({ host: '127.0.0.1', port, path: '/after-flood', method: 'POST' }, (x) => { x.resume(); x.on('end', () => console.log('status ' + x.statusCode)); }).end('{}');
    `;
    const r = await inSandbox('agent', ({ port }) => ['-e', agent, String(port), flood], { refusals: 400 });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/all closed\nstatus 200/);
    expect(r.hook.seen).toEqual(['/after-flood']);
    expect(r.refused).toHaveLength(400);
  }, 60_000);

  it('the agent starts with the signal dispositions and mask a direct start gives', async () => {
    const program = ['-e', 'console.log(require("fs").readFileSync("/proc/self/status","utf8").split("\\n").filter((l) => /^Sig(Blk|Ign)/.test(l)).join(" "))'];
    const r = await inSandbox('any', () => program);
    expect(r.code, r.stderr).toBe(0);
    const direct = spawnSync(process.execPath, program, { encoding: 'utf8' }).stdout;
    expect(direct).toMatch(/SigBlk/);
    expect(r.stderr.trim()).toBe(direct.trim());
  });

  it('a program that cannot start: exit 125 and one line', async () => {
    const base = mkdtempSync(join(parent, 'nostart-'));
    const [ws, home, stateDir] = ['ws', 'home', 'state'].map((d) => join(base, d)) as [string, string, string];
    for (const d of [ws, home, stateDir]) mkdirSync(d);
    const sandbox = await openSandbox(sandboxRequest({ workspace: ws, home, stateDir }));
    try {
      const { file, args } = sandbox.wrap(join(ws, 'no-such-program'), []);
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(file, args, { env: { ...process.env, ...sandbox.env() }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/^harness sandbox: cannot start .*no-such-program: No such file or directory\n$/);
    } finally {
      await sandbox.close();
    }
  });
});

describe.skipIf(!native)('the native launcher refuses to start without a launch file the supervisor vouches for', () => {
  const runInit = (dir: string): { code: number | null; stderr: string } => {
    const r = spawnSync(NATIVE, [dir, '--', '/bin/true'], { encoding: 'utf8', timeout: 20_000 });
    return { code: r.status, stderr: r.stderr };
  };

  it.each([
    ['no launch file', null, /cannot read the launch file/],
    ['a launch file without a key', 'door 1 /x any\n', /no key/],
    ['a bad line', 'key ' + 'a'.repeat(64) + '\nrun /bin/sh\n', /unknown line/],
    ['a bad door mode', 'key ' + 'a'.repeat(64) + '\ndoor 9 /x/y everyone\n', /bad door mode/],
    ['a hook-client door without the hook client', 'key ' + 'a'.repeat(64) + '\ndoor 9 /x/y hook-client\n', /without a hook-client line/],
    ['no supervisor to say hello to', 'key ' + 'a'.repeat(64) + '\n', /cannot reach the supervisor/],
  ])('%s: exit 125, one line', (_what, launch, message) => {
    const dir = mkdtempSync(join(parent, 'init-'));
    if (launch !== null) writeFileSync(join(dir, 'launch'), launch, { mode: 0o600 });
    const r = runInit(dir);
    expect(r.code).toBe(125);
    expect(r.stderr).toMatch(/^harness sandbox: [^\n]*\n$/);
    expect(r.stderr).toMatch(message);
  });

  it('a supervisor that does not know the key: exit 125, the program never ran', async () => {
    const doors = new Doors();
    await doors.start();
    try {
      writeFileSync(join(doors.dir, 'launch'), `key ${'b'.repeat(64)}\n`);
      const marker = join(parent, 'ran-marker');
      const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const child = spawn(NATIVE, [doors.dir, '--', 'sh', '-c', `touch '${marker}'`], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (code) => resolve({ code, stderr }));
      });
      expect(r.code).toBe(125);
      expect(r.stderr).toMatch(/^harness sandbox: /);
      expect(existsSync(marker)).toBe(false);
      // the wrong key did not get the launch file deleted
      expect(existsSync(join(doors.dir, 'launch'))).toBe(true);
    } finally {
      await doors.close();
    }
  });
});

describe.skipIf(!available)('the Node fallback launcher speaks the same key protocol (it checks no peers)', () => {
  let run: Run;
  beforeAll(async () => {
    run = await inSandbox('agent', agentArgs, { nodeLauncher: true });
  }, 60_000);

  it('runs, and says the hook door cannot be checked', () => {
    expect(run.launcher).toBe('node');
    expect(run.code, run.stderr).toBe(0);
    expect(run.notes.join('\n')).toMatch(/cannot tell the agent from a script/);
    expect(run.notes.join('\n')).toMatch(/the proxy cannot tell the agent's own connections from a script's/);
  });

  it('the proxy hears that it cannot be told who connected', () => {
    expect(run.egress).toEqual(expect.arrayContaining(['from-agent.test unknown', 'from-script.test unknown']));
  });

  it('door sockets without the key give nothing; the launch file is gone', () => {
    expect(run.out.doorNoKey).toBe('closed ""');
    expect(run.out.doorWrongKey).toBe('closed ""');
    expect(run.out.proxyNoKey).toBe('closed ""');
    expect(run.out.launchFile).toBe('gone');
    expect(run.hook.seen).not.toContain('/raw');
    expect(run.out.env).not.toContain(run.key);
  });

  it('the agent and, unchecked, a script both get through', () => {
    expect(run.out.self).toBe('200 {}');
    expect(run.hook.seen).toEqual(expect.arrayContaining(['/self', '/script']));
    expect(run.refused).toEqual([]);
  });
});

describe('Doors on the host: the key first, on every socket', () => {
  let doors: Doors;
  let refused: Refusal[];
  let target: HookStandIn;
  let port: number;
  beforeAll(async () => {
    refused = [];
    doors = new Doors((r) => refused.push(r));
    target = new HookStandIn();
    port = await target.start();
    await doors.forward(port, 'agent');
    await doors.proxy(3128, {
      decide: async (host, p) => ({ allow: host === '127.0.0.1' && p === port, ruleId: 'test', reason: 'test', allowLocal: true }),
      dial: { upstream: () => null },
    });
  });
  afterAll(async () => {
    await doors.close();
    await target.stop();
  });

  /** What a socket answers to `say` (one write; `end`: and no more), until it closes. */
  const talk = (name: string, say: string, end = false): Promise<string> =>
    new Promise((resolve) => {
      let got = '';
      const s = connect(join(doors.dir, name), () => (end ? s.end(say) : s.write(say)));
      s.on('data', (d: Buffer) => (got += d.toString()));
      s.on('error', () => undefined);
      s.on('close', () => resolve(got));
      setTimeout(() => s.destroy(), 3000);
    });
  const request = (path: string): string => `POST ${path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}`;

  it('the launch file: mode 0600, the key, the doors with their peers, the hook client', () => {
    const launch = doors.writeLaunch(HOOK_CLIENT);
    expect(launch.unchecked).toEqual([]);
    expect(statSync(launch.path).mode & 0o777).toBe(0o600);
    const text = readFileSync(launch.path, 'utf8');
    expect(text).toBe(
      `key ${doors.key}\nagent wrapper\ndoor ${port} ${join(doors.dir, String(port))} agent\ndoor 3128 ${join(doors.dir, 'proxy-3128')} tagged\n`,
    );
  });

  it('a hook-client door with the portable client is written "any", and said so', async () => {
    const other = new Doors();
    try {
      await other.forward(4242, 'hook-client');
      const launch = other.writeLaunch('/opt/harness/hooks/harness-hook.sh');
      expect(readFileSync(launch.path, 'utf8')).toContain(`door 4242 ${join(other.dir, '4242')} any\n`);
      expect(launch.unchecked).toEqual([{ port: 4242, why: expect.stringMatching(/portable/) }]);
      const native = other.writeLaunch(HOOK_CLIENT);
      expect(readFileSync(native.path, 'utf8')).toMatch(new RegExp(`door 4242 \\S+ hook-client\\nhook-client ${HOOK_CLIENT}\\n$`));
    } finally {
      await other.close();
    }
  });

  it('forward: without the key, or with a wrong one, nothing reaches the target; with it (in the same write as the request), it does', async () => {
    const before = target.connections;
    expect(await talk(String(port), request('/no-key'))).toBe('');
    expect(await talk(String(port), `${'0'.repeat(64)}\n${request('/wrong-key')}`)).toBe('');
    expect(await talk(String(port), `${doors.key.slice(0, 63)}\n${request('/short-key')}`)).toBe('');
    expect(target.connections).toBe(before);
    expect(await talk(String(port), `${doors.key}\n${request('/keyed')}`)).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\n\{\}$/);
    expect(target.seen).toEqual(['/keyed']);
  });

  it('proxy: the key is checked on the raw socket, and what follows it reaches the HTTP proxy intact', async () => {
    const get = (path: string): string => `GET http://127.0.0.1:${port}${path} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nConnection: close\r\n\r\n`;
    expect(await talk('proxy-3128', get('/proxied-no-key'))).toBe('');
    // the launcher says who connected, in a line of its own after the key; without it, nothing
    expect(await talk('proxy-3128', `${doors.key}\n${get('/proxied-no-from')}`)).toBe('');
    expect(await talk('proxy-3128', `${doors.key}\nfrom nobody\n${get('/proxied-bad-from')}`)).toBe('');
    expect(await talk('proxy-3128', `${doors.key}\nfrom agent\n${get('/proxied')}`)).toMatch(/^HTTP\/1\.1 200 OK/);
    expect(target.seen).toContain('/proxied');
    for (const path of ['/proxied-no-key', '/proxied-no-from', '/proxied-bad-from']) expect(target.seen).not.toContain(path);
  });

  it('hello: the right key deletes the launch file and gets ok; a wrong one gets nothing and deletes nothing', async () => {
    doors.writeLaunch(HOOK_CLIENT);
    expect(await talk('hello', `${'f'.repeat(64)}\n`, true)).toBe('');
    expect(existsSync(doors.launchPath)).toBe(true);
    expect(await talk('hello', `${doors.key}\n`, true)).toBe('ok\n');
    expect(existsSync(doors.launchPath)).toBe(false);
  });

  it('notices: refusals after the key reach onRefused; without the key they are dropped', async () => {
    await talk('notices', `${'e'.repeat(64)}\nrefused ${port} 66 /usr/bin/forged\n`, true);
    await talk('notices', `${doors.key}\nrefused ${port} 42 /usr/bin/python3 with spaces\n`, true);
    expect(refused).toEqual([{ port, pid: 42, exe: '/usr/bin/python3 with spaces' }]);
  });
});

describe('Doors: a connection that never says the key does not outlive close()', () => {
  /** Polls on the event loop's check phase (setTimeout is faked here). */
  const soon = async (what: string, probe: () => boolean): Promise<void> => {
    for (let i = 0; !probe(); i++) {
      if (i > 200_000) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setImmediate(r));
    }
  };
  it('close() destroys it, and its wait for the key ends with it (nothing holds the process for the key timeout)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const doors = new Doors();
    try {
      await doors.forward(4243, 'any');
      const before = vi.getTimerCount();
      const s = connect(join(doors.dir, '4243'));
      s.on('error', () => undefined);
      // the door has the connection (and waits for its key) once a timer more is pending
      await soon('the door to take the connection', () => vi.getTimerCount() > before);
      await doors.close();
      await soon('the connection to be closed', () => s.destroyed);
      expect(vi.getTimerCount()).toBe(before);
    } finally {
      vi.useRealTimers();
    }
  });
});
