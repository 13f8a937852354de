import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { bwrapAvailability } from '../../src/sandbox/bwrap.js';
import { auditPathFor } from '../../src/workspace.js';
import { AuditLog } from '../../src/audit/store.js';
import { claudeSandbox, HARNESS_BIN, latestSession, runHarness, type Sandbox } from '../support/agent-env.js';
import { stateDirFor } from '../../src/workspace.js';
import { codex, gemini } from '../support/agent-cases.js';
import { ModelServer, type Step } from '../support/model-server.js';
import { attackScript, BASHRC, KEY, plantHome, Sink, UNJUDGEABLE } from '../support/attack.js';
import { until } from '../support/until.js';

// HOME must not sit in a temp dir: temp dirs are writable inside the sandbox
const parent = mkdtempSync(join(homedir(), '.harness-sandbox-e2e-'));
afterAll(() => rmSync(parent, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }));

const CONFIG = { rules: [{ id: 'test.no-cowsay', decision: 'deny', command: 'cowsay', reason: 'no cows here' }] };

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
});

/** HOME planted, the config written, one commit; with a sink, it also listens on a Unix socket in HOME. */
async function prepare(sb: Sandbox, sink?: Sink): Promise<void> {
  plantHome(sb.home);
  if (sink) await sink.listenUnix(join(sb.home, 'ide.sock'));
  writeFileSync(join(sb.repo, 'harness.config.json'), JSON.stringify(CONFIG, null, 2));
  execFileSync('git', ['-c', 'user.email=p@example.com', '-c', 'user.name=person', 'commit', '-q', '--allow-empty', '-m', 'start'], { cwd: sb.repo });
}

/** Reads the sandbox's audit log and closes it again. */
function withAudit<T>(sb: Sandbox, read: (log: AuditLog) => T): T {
  const log = AuditLog.open(auditPathFor(sb.repo, sb.env));
  try {
    return read(log);
  } finally {
    log.close();
  }
}

/** The events of the latest session. */
const latestEvents = (sb: Sandbox) => withAudit(sb, (log) => log.eventsOf(log.latestSessionId()!));

function attackLog(sb: Sandbox): Record<string, string> {
  const text = existsSync(join(sb.repo, 'attack.log')) ? readFileSync(join(sb.repo, 'attack.log'), 'utf8') : '';
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(':') as [string, string]),
  );
}

/** Everything the attack went after is as it was, and the everyday work went through. */
function expectHeld(sb: Sandbox, sink: Sink): void {
  const log = attackLog(sb);
  const context = JSON.stringify(log);
  expect(readFileSync(join(sb.home, 'data', 'thesis.txt'), 'utf8'), context).toBe('years of work');
  expect(existsSync(join(sb.home, 'projects', 'app', 'main.c')), context).toBe(true);
  expect(readFileSync(join(sb.home, 'later', 'photos.txt'), 'utf8'), context).toBe('memories');
  expect(readFileSync(join(sb.home, '.bashrc'), 'utf8'), context).toBe(BASHRC);
  for (const stolen of ['stolen_key', 'stolen_cat']) {
    const p = join(sb.repo, stolen);
    expect(existsSync(p) ? readFileSync(p, 'utf8') : '', context).not.toContain('test-key-material');
  }
  expect(sink.received, context).toEqual([]);
  expect(log['unix-socket'], context).not.toBe('0');
  // harness: not visible, not killed, its ports not taken, its channels closed
  expect(log['harness-visible'], context).toBe('0');
  expect(
    Object.keys(log).filter((k) => k.startsWith('killed-harness')),
    context,
  ).toEqual([]);
  expect(
    Object.entries(log).filter(([k, v]) => k.startsWith('bind-') && v === '0'),
    context,
  ).toEqual([]);
  expect(
    Object.keys(log).some((k) => k.startsWith('bind-')),
    `no port to take over: ${context}`,
  ).toBe(true);
  expect(log['control-visible'], context).not.toBe('0');
  // the config, the audit log and the checkpoint refs
  expect(JSON.parse(readFileSync(join(sb.repo, 'harness.config.json'), 'utf8'))).toEqual(CONFIG);
  expect(existsSync(auditPathFor(sb.repo, sb.env))).toBe(true);
  expect(execFileSync('git', ['for-each-ref', '--format=%(refname)', 'refs/harness'], { cwd: sb.repo, encoding: 'utf8' })).toMatch(/refs\/harness\/sessions\//);
  // a forged hook call (endpoint and token found) is refused at the door, never reaches the log as a call
  if (log['forge-found'] === '1') {
    // what the agent's settings hold is no token at all: the door alone admits the agent
    expect(log['forge-token'], context).toBe('none');
    expect(log.forge, context).toBe('1');
    const { rows } = latestSession(sb);
    expect(rows.map((r) => r.summary)).not.toContain('echo forged');
    expect(latestEvents(sb).map((e) => e.kind)).toContain('sandbox-refused');
  }
  // nothing left behind that runs outside later, and nothing carried away by a rename
  for (const key of ['git-hook', 'mv-refs', 'mv-git']) expect(log[key], `${key}: ${context}`).not.toBe('0');
  for (const key of Object.keys(log).filter((k) => k.startsWith('agent-config-') || k.startsWith('agent-dir-')))
    expect(log[key], `${key}: ${context}`).not.toBe('0');
  expect(existsSync(join(sb.home, '.gemini', 'trustedFolders.json')), 'a trust-everything file left for the next Gemini run').toBe(false);
  expect(existsSync(join(sb.repo, '.git', 'commondir')), context).toBe(false);
  expect(existsSync(join(sb.home, 'data', 'ESCAPED'))).toBe(false);
  execFileSync('git', ['status', '--short'], { cwd: sb.repo });
  expect(existsSync(join(sb.home, 'data', 'ESCAPED')), 'git status ran a planted fsmonitor').toBe(false);
  // everyday work
  expect(log.build, context).toBe('0');
  expect(log.test, context).toBe('0');
  expect(log.commit, context).toBe('0');
  expect(execFileSync('git', ['log', '--format=%s'], { cwd: sb.repo, encoding: 'utf8' })).toMatch(/agent work/);
}

const available = bwrapAvailability().ok;

/** A sink standing in for a remote host, and the attack script in a fresh workspace, for `run -- bash attack.sh`. */
async function programAttack(): Promise<{ sb: Sandbox; sink: Sink }> {
  const sink = new Sink();
  stops.push(() => sink.stop());
  const port = await sink.start();
  const sb = claudeSandbox('http://127.0.0.1:9', parent);
  await prepare(sb, sink);
  writeFileSync(join(sb.repo, 'attack.sh'), attackScript({ sink: port, state: sb.state, waitForBackground: true }));
  return { sb, sink };
}
const WAIT_FOR_BACKGROUND = 'for i in $(seq 100); do [ -f bg-done ] && [ -f config-done ] && break; sleep 0.1; done; cat bg-done config-done';

describe.skipIf(!available)('the sandbox holds against a script the agent wrote and ran', () => {
  it('claude: HOME, secrets, network and harness itself are out of reach; workspace work goes on', async () => {
    const model = new ModelServer();
    stops.push(() => model.stop());
    const sink = new Sink();
    stops.push(() => sink.stop());
    const sinkPort = await sink.start();
    const sb = claudeSandbox(await model.start(), parent);
    await prepare(sb, sink);
    const steps: Step[] = [
      { tool: 'Write', input: { file_path: join(sb.repo, 'attack.sh'), content: attackScript({ sink: sinkPort, state: sb.state }) } },
      { tool: 'Bash', input: { command: 'bash attack.sh', description: 'run it' } },
      { tool: 'Bash', input: { command: WAIT_FOR_BACKGROUND, description: 'wait' } },
      { tool: 'Bash', input: { command: 'cowsay still judged', description: 'moo' } },
      { text: 'done' },
    ];
    model.setScript(steps);
    const r = await runHarness(
      ['run', 'claude', '--', '-p', 'do it', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'],
      sb.env,
      sb.repo,
    );
    expect(r.code, r.stderr).toBe(0);
    expectHeld(sb, sink);
    expect(attackLog(sb)['forge-found']).toBe('1');
    // harness was still deciding after the attack, with the config it started with
    const { rows } = latestSession(sb);
    expect(rows.map((x) => [x.tool, x.verdict, x.ruleId])).toContainEqual(['Bash', 'deny', 'test.no-cowsay']);
    expect(JSON.stringify(model.toolResults())).toMatch(/harness denied this \(rule test\.no-cowsay\)/);
  }, 180_000);

  it.each([codex, gemini])(
    '$name: HOME, secrets, network and harness itself are out of reach; workspace work goes on',
    async (agent) => {
      const model = agent.model();
      stops.push(() => model.stop());
      const sink = new Sink();
      stops.push(() => sink.stop());
      const sinkPort = await sink.start();
      const sb = agent.sandbox(await model.start(), parent);
      await prepare(sb, sink);
      model.setScript([
        agent.write(join(sb.repo, 'attack.sh'), attackScript({ sink: sinkPort, state: sb.state })),
        agent.shell('bash attack.sh'),
        agent.shell(WAIT_FOR_BACKGROUND),
        agent.shell('cowsay still judged'),
        { text: 'done' },
      ]);
      const r = await runHarness(['run', agent.name, '--', ...agent.args], { ...sb.env, HARNESS_CODEX_BIN: agent.bin, HARNESS_GEMINI_BIN: agent.bin }, sb.repo);
      expect(r.code, r.stderr).toBe(0);
      expectHeld(sb, sink);
      expect(attackLog(sb)['forge-found']).toBe('1');
      const { rows } = latestSession(sb);
      expect(rows.map((x) => [x.verdict, x.ruleId])).toContainEqual(['deny', 'test.no-cowsay']);
    },
    180_000,
  );

  it('run -- <program>: the same script run directly is held by the sandbox alone', async () => {
    const { sb, sink } = await programAttack();
    const r = await runHarness(['run', '--', 'bash', 'attack.sh'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expectHeld(sb, sink);
    expect(latestEvents(sb).map((e) => e.kind)).toContain('sandbox');
  }, 180_000);
});

/** Host processes that carry a session's marker in their environment. */
function processesOf(sessionId: string): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      if (readFileSync(`/proc/${name}/environ`, 'latin1').split('\0').includes(`HARNESS_SESSION_ID=${sessionId}`)) out.push(Number(name));
    } catch {
      // gone, or not ours to read
    }
  }
  return out;
}

describe('without the sandbox (the control: the same script gets through)', () => {
  it("run --no-sandbox -- <program>: HOME data gone, the key copied, data sent, harness killed (and with it the script's background job)", async () => {
    const { sb, sink } = await programAttack();
    const r = await runHarness(['run', '--no-sandbox', '--', 'bash', 'attack.sh'], sb.env, sb.repo);
    expect(r.stderr).toMatch(/WITHOUT the OS sandbox/);
    // harness's watchdog ends the agent's tree when harness dies: the job waiting to delete more is gone
    const sessionId = withAudit(sb, (log) => log.latestSessionId())!;
    await until("the script's processes to end", () => processesOf(sessionId).length === 0);
    expect(existsSync(join(sb.repo, 'bg-done'))).toBe(false);
    expect(existsSync(join(sb.home, 'data'))).toBe(false);
    expect(existsSync(join(sb.home, 'later'))).toBe(true);
    expect(readFileSync(join(sb.repo, 'stolen_key'), 'utf8')).toBe(KEY);
    expect(readFileSync(join(sb.home, '.bashrc'), 'utf8')).not.toBe(BASHRC);
    expect(sink.received.length).toBeGreaterThan(0);
    expect(sink.received).toContain('unix');
    expect(Object.keys(attackLog(sb)).some((k) => k.startsWith('killed-harness'))).toBe(true);
  }, 120_000);
});

describe.skipIf(!available)('the supervisor dies', () => {
  it("the agent's whole tree ends with it (background jobs too), and the next harness command closes the session as interrupted", async () => {
    const sb = claudeSandbox('http://127.0.0.1:9', parent);
    await prepare(sb);
    writeFileSync(join(sb.repo, 'agent.sh'), '( setsid sleep 600 & ) ; nohup sleep 600 >/dev/null 2>&1 & echo started > started.txt; sleep 600\n');
    const harness = spawn(process.execPath, [HARNESS_BIN, 'run', '--', 'bash', 'agent.sh'], { cwd: sb.repo, env: sb.env, stdio: 'ignore' });
    await until('the agent to start', () => existsSync(join(sb.repo, 'started.txt')));
    const sessionId = await until('the session in the log', () => {
      return withAudit(sb, (log) => log.latestSessionId());
    });
    expect(processesOf(sessionId).length).toBeGreaterThanOrEqual(3);
    const runtimeDir = join(stateDirFor(sb.repo, sb.env), 'run', sessionId);
    expect(existsSync(runtimeDir)).toBe(true);
    // the sandbox's own directory (door sockets) in harness's temp dir
    const sandboxDirs = () => readdirSync(sb.env.TMPDIR!).filter((n) => n.startsWith('harness-sbx-'));
    expect(sandboxDirs()).toHaveLength(1);
    harness.kill('SIGKILL');
    await until('every process of the session to end', () => processesOf(sessionId).length === 0);
    await until('the sandbox directory to go', () => sandboxDirs().length === 0);
    const r = await runHarness(['log', '--json'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect(withAudit(sb, (log) => log.openSessions().map((s) => s.id))).not.toContain(sessionId);
    expect(withAudit(sb, (log) => log.eventsOf(sessionId).map((e) => e.kind))).toContain('interrupted');
    expect(existsSync(runtimeDir)).toBe(false);
  }, 120_000);
});

describe.skipIf(!available)('--autonomous', () => {
  it("claude: its own prompts are off, harness's rules decide, and the sandbox holds", async () => {
    const model = new ModelServer();
    stops.push(() => model.stop());
    const sb = claudeSandbox(await model.start(), parent);
    await prepare(sb);
    // Claude Code refuses bypass mode as root unless told it is sandboxed: harness says so itself
    delete sb.env.IS_SANDBOX;
    model.setScript([
      { tool: 'Bash', input: { command: 'echo made > made.txt', description: 'a workspace write Claude itself would ask about' } },
      { tool: 'Bash', input: { command: 'rm -rf ~', description: 'refused by harness' } },
      {
        tool: 'Write',
        input: {
          file_path: join(sb.repo, 'tidy.py'),
          content: "import os, shutil\nshutil.rmtree(os.path.join(os.environ['HOME'], 'da' + 'ta'))\n" + UNJUDGEABLE,
        },
      },
      // a workspace script too large for harness to judge by content runs: the sandbox is what holds
      { tool: 'Bash', input: { command: 'python3 tidy.py', description: 'tidy up' } },
      { text: 'done' },
    ]);
    const r = await runHarness(['run', '--autonomous', 'claude', '--', '-p', 'do it', '--output-format', 'stream-json', '--verbose'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, 'made.txt'), 'utf8')).toBe('made\n');
    expect(readFileSync(join(sb.home, 'data', 'thesis.txt'), 'utf8')).toBe('years of work');
    const { rows } = latestSession(sb);
    expect(rows.map((x) => [x.verdict, x.ruleId])).toContainEqual(['deny', 'fs.delete-home']);
    expect(rows.find((x) => x.summary === 'python3 tidy.py')?.verdict).toBe('allow');
    expect(JSON.stringify(model.toolResults())).toMatch(/Read-only file system/);
    expect(
      latestEvents(sb)
        .filter((e) => e.kind === 'sandbox-refusal')
        .map((e) => e.detail)
        .join('\n'),
    ).toMatch(/Read-only file system/);
  }, 120_000);

  it.each([codex, gemini])(
    "$name: its own approvals off (without the person's flag), harness's rules decide",
    async (agent) => {
      const model = agent.model();
      stops.push(() => model.stop());
      const sb = agent.sandbox(await model.start(), parent);
      await prepare(sb);
      model.setScript([agent.shell('echo made > made.txt'), agent.shell('cowsay still judged'), { text: 'done' }]);
      const bypass = new Set(['--dangerously-bypass-approvals-and-sandbox', '--yolo']);
      const r = await runHarness(['run', '--autonomous', agent.name, '--', ...agent.args.filter((a) => !bypass.has(a))], sb.env, sb.repo);
      expect(r.code, r.stderr).toBe(0);
      expect(readFileSync(join(sb.repo, 'made.txt'), 'utf8')).toBe('made\n');
      const { rows } = latestSession(sb);
      expect(rows.map((x) => [x.verdict, x.ruleId])).toContainEqual(['deny', 'test.no-cowsay']);
    },
    120_000,
  );

  it('is refused without the sandbox, before anything starts', async () => {
    const sb = claudeSandbox('http://127.0.0.1:9', parent);
    const r = await runHarness(['run', '--autonomous', '--no-sandbox', 'claude', '--', '-p', 'x'], sb.env, sb.repo);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--autonomous needs the sandbox/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(auditPathFor(sb.repo, sb.env))).toBe(false);
  }, 60_000);
});

describe.skipIf(!available || process.arch !== 'x64')('what the agent inherits', () => {
  it('a session keyring of its own, no file descriptor beyond stdin, stdout and stderr, and no ptrace', async () => {
    const sb = claudeSandbox('http://127.0.0.1:9', parent);
    // SYS_keyctl (250 on x86-64), KEYCTL_GET_KEYRING_ID of the session keyring (-3)
    const probe = [
      'import ctypes, os, subprocess',
      'libc = ctypes.CDLL(None)',
      "print('keyring:%d' % libc.syscall(250, 0, -3, 1))",
      "print('fds:' + ','.join(sorted(f for f in os.listdir('/proc/self/fd') if int(f) > 2)))",
      // PTRACE_ATTACH to a child of its own: allowed to the same user, refused by the sandbox's filter
      "c = subprocess.Popen(['sleep', '30']); print('ptrace:%d' % libc.ptrace(16, c.pid, 0, 0)); os.kill(c.pid, 9); c.wait()",
    ].join('\n');
    const outside = execFileSync('python3', ['-c', probe], { encoding: 'utf8' });
    const child = spawn(process.execPath, [HARNESS_BIN, 'run', '--no-summary', '--', 'python3', '-c', probe], {
      cwd: sb.repo,
      env: sb.env,
      stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    const keyring = (text: string): string => /keyring:(-?\d+)/.exec(text)![1]!;
    expect(keyring(out)).not.toBe(keyring(outside));
    expect(outside).toMatch(/ptrace:0/);
    expect(out).toMatch(/ptrace:-1/);
    // python's own listing of /proc/self/fd opens one: at most that one
    expect(/fds:(.*)/.exec(out)![1]!.split(',').filter(Boolean).length).toBeLessThanOrEqual(1);
  }, 60_000);
});

describe('a sandbox that cannot be had', () => {
  it('sandbox.mode "required" refuses to start and names the fix; "auto" starts with a loud warning', async () => {
    const sb = claudeSandbox('http://127.0.0.1:9', parent);
    // a PATH with git and the program, but no bubblewrap
    const bin = join(sb.root, 'bin');
    mkdirSync(bin);
    symlinkSync(execFileSync('sh', ['-c', 'command -v git'], { encoding: 'utf8' }).trim(), join(bin, 'git'));
    symlinkSync('/bin/true', join(bin, 'true'));
    const env = { ...sb.env, PATH: bin };
    writeFileSync(join(sb.repo, 'harness.config.json'), JSON.stringify({ sandbox: { mode: 'required' } }));
    const refused = await runHarness(['run', '--', 'true'], env, sb.repo);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/sandbox is required .* bubblewrap \(bwrap\) is not installed\. Fix: install it/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
    writeFileSync(join(sb.repo, 'harness.config.json'), JSON.stringify({ sandbox: { mode: 'auto' } }));
    const warned = await runHarness(['run', '--no-summary', '--', 'true'], env, sb.repo);
    expect(warned.code, warned.stderr).toBe(0);
    expect(warned.stderr).toMatch(/WITHOUT the OS sandbox: bubblewrap \(bwrap\) is not installed/);
  }, 60_000);
});

describe.skipIf(!available)('a checkpoint forged from inside', () => {
  it('a ref written into packed-refs with a future date is not what harness rollback picks, and the listing says whose it is not', async () => {
    const sb = claudeSandbox('http://127.0.0.1:9', parent);
    await prepare(sb);
    writeFileSync(join(sb.repo, 'app.txt'), 'the real work\n');
    // inside the sandbox: packed-refs and objects are writable (git commit needs them), refs/harness is not
    writeFileSync(
      join(sb.repo, 'forge.sh'),
      [
        'blob=$(echo EVIL | git hash-object -w --stdin)',
        'tree=$(printf "100644 blob %s\\tapp.txt\\n" "$blob" | git mktree)',
        'commit=$(GIT_COMMITTER_DATE=2030-01-01T00:00:00 git -c user.name=x -c user.email=x@x commit-tree -m "harness-checkpoint {}" "$tree")',
        'echo "$commit refs/harness/sessions/00000000-0000-0000-0000-000000000000" >> .git/packed-refs',
        'echo changed > app.txt',
      ].join('\n'),
    );
    const r = await runHarness(['run', '--no-summary', '--', 'bash', 'forge.sh'], sb.env, sb.repo);
    expect(r.code, r.stderr).toBe(0);
    expect(readFileSync(join(sb.repo, '.git', 'packed-refs'), 'utf8')).toMatch(/00000000-0000/);
    const plan = await runHarness(['rollback', '--dry-run', '--json'], sb.env, sb.repo);
    expect(plan.code, plan.stderr).toBe(0);
    const target = JSON.parse(plan.stdout).target as { sessionId: string; id: string };
    expect(target.sessionId).toBe(withAudit(sb, (log) => log.latestSessionId()));
    expect(execFileSync('git', ['show', `${target.id}:app.txt`], { cwd: sb.repo, encoding: 'utf8' })).not.toMatch(/EVIL/);
    const listing = await runHarness(['checkpoints'], { ...sb.env, NO_COLOR: '1' }, sb.repo);
    expect(listing.stdout).toMatch(/session \S+ \(not started by harness/);
  }, 60_000);
});
