// Agent cost benchmark: what harness adds to the real Claude Code (the pinned devDependency), driven
// offline against a scripted model server on 127.0.0.1 exactly as the e2e tests drive it
// (`claude -p … --output-format stream-json --verbose --dangerously-skip-permissions`, and the same
// under `harness run claude -- …`), in a 1k-file and a 50k-file git repository, against the bare
// agent measured in the same run (sessions interleaved, order rotated per repetition).
//
//   per mutating call: the model asks for CALLS Write calls in a row (new files). The model server
//     times each one as the agent feels it: from the end of the answer holding the tool_use to the
//     arrival of the request holding its tool_result (hooks, checkpoint, the write, the next request).
//     Start-up and exit are not in it. Call 1 is shown apart: harness's first checkpoint waits for
//     its first full scan of the tree.
//   start-up: from spawn to the agent's first model request, as the model server hears it. Apart,
//     harness alone: with a stand-in agent (a shell script that notes the time it was exec'd and
//     exits), spawn -> the agent exec'd (harness's own start, sandbox set-up included) and spawn ->
//     harness gone (it waits for its first full scan before it ends).
//
// Variants: bare claude; claude with no-op http hooks (--settings naming a server that answers {}
// at once: what any hook costs inside Claude Code); harness run claude (defaults: OS sandbox when
// available, http hooks); harness run --no-sandbox claude (what the sandbox's part is; not with --quick).
//
// A second build of harness (HARNESS_BEFORE=<its bin/harness>, e.g. a copy of the tree before a change)
// adds the variant "before", measured in the same run, so that a change is judged against it on the
// same machine load rather than against figures from another day.
//
//   node bench/agent-cost.mjs [--quick]
//   env: REPS (5; quick 2), CALLS (20; quick 8), SIZES (1000,50000), KEEP=1 keeps the repositories,
//        HARNESS_BEFORE (a bin/harness to compare with)
import { execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, homedir, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TimedModel } from './agent-model.mjs';

const QUICK = process.argv.includes('--quick');
const REPS = Number(process.env.REPS ?? (QUICK ? 2 : 5));
const CALLS = Number(process.env.CALLS ?? (QUICK ? 8 : 20));
const SIZES = (process.env.SIZES ?? '1000,50000').split(',').map(Number);
const CALL_TARGET_MS = 10;
// the stricter of the two start-up targets is 150 ms (any size); the other is 300 ms at 50k files
const START_TARGET_MS = 150;
const START_TARGET_BIG_MS = 300;

const CLAUDE_BIN = new URL('../node_modules/.bin/claude', import.meta.url).pathname;
const HARNESS_BIN = new URL('../bin/harness', import.meta.url).pathname;
const BEFORE_BIN = process.env.HARNESS_BEFORE || null;
const CLAUDE_ARGS = ['-p', 'do the task', '--output-format', 'stream-json', '--verbose', '--dangerously-skip-permissions'];

const VARIANTS = [
  { name: 'bare', label: 'bare claude' },
  { name: 'hooks', label: 'claude + no-op http hooks' },
  { name: 'harness', label: 'harness run claude' },
  ...(QUICK ? [] : [{ name: 'nosandbox', label: 'harness run --no-sandbox claude' }]),
  ...(BEFORE_BIN ? [{ name: 'before', label: 'harness run claude (HARNESS_BEFORE)' }] : []),
];
const HARNESS_VARIANTS = new Set(['harness', 'nosandbox', 'before']);

if (!existsSync(CLAUDE_BIN)) {
  console.log(`agent cost benchmark skipped: ${CLAUDE_BIN} is missing (npm install puts the pinned Claude Code there)`);
  process.exit(0);
}
const claudeVersion = execFileSync(CLAUDE_BIN, ['--version'], { encoding: 'utf8' }).trim();

// ---------------------------------------------------------------------------------------------
// statistics

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((q / 100) * s.length))] : NaN;
};
const ms = (x, w = 7) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : '-').padStart(w + 3);
const signed = (x, w = 7) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms` : '-').padStart(w + 3);
const ratio = (a, b) => (Number.isFinite(a / b) ? `${(a / b).toFixed(2)}x` : '-');
const met = (ok) => (ok ? 'met' : 'MISSED');

// ---------------------------------------------------------------------------------------------
// the workspace: a real git repository with `files` committed files, a HOME for Claude, harness state

function makeWorkspace(files) {
  // under the home directory as in bench/workspace.mjs: the sandbox treats /tmp apart
  const base = mkdtempSync(join(homedir(), `.harness-bench-agent-${files}-`));
  const repo = join(base, 'repo');
  const home = join(base, 'home');
  for (const d of [repo, join(home, '.claude'), join(base, 'state'), join(base, 't'), join(base, 'x')]) mkdirSync(d, { recursive: true });
  const perDir = 100;
  const dirs = Math.ceil(files / perDir);
  for (let d = 0; d < dirs; d++) {
    mkdirSync(join(repo, `dir${d}`));
    for (let f = 0; f < perDir && d * perDir + f < files; f++) writeFileSync(join(repo, `dir${d}`, `file${f}.txt`), `content ${d} ${f}\n`);
  }
  const git = (...args) => execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.invalid', ...args], { cwd: repo, stdio: 'ignore' });
  git('init', '-q');
  git('add', '-A');
  git('commit', '-q', '-m', 'init');
  // onboarding and trust done (the e2e tests' claudeSandbox seed), bypass mode's prompt skipped
  writeFileSync(
    join(home, '.claude.json'),
    JSON.stringify({ hasCompletedOnboarding: true, projects: { [repo]: { hasTrustDialogAccepted: true } }, customApiKeyResponses: { approved: ['sk-test'] } }),
  );
  writeFileSync(join(home, '.claude', 'settings.json'), JSON.stringify({ skipDangerousModePermissionPrompt: true }));
  return { files, base, repo, home, dirs, state: join(base, 'state') };
}

function agentEnv(ws, modelUrl) {
  return {
    PATH: process.env.PATH,
    HOME: ws.home,
    LANG: 'C.UTF-8',
    TERM: 'xterm-256color',
    TMPDIR: join(ws.base, 't'),
    XDG_RUNTIME_DIR: join(ws.base, 'x'),
    HARNESS_STATE_DIR: ws.state,
    NO_COLOR: '1',
    ANTHROPIC_BASE_URL: modelUrl,
    ANTHROPIC_API_KEY: 'sk-test',
    DISABLE_TELEMETRY: '1',
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1',
    DISABLE_AUTOUPDATER: '1',
    CLAUDE_CODE_TMPDIR: join(ws.base, 't'),
    ...(process.getuid?.() === 0 ? { IS_SANDBOX: '1' } : {}),
    HARNESS_CLAUDE_BIN: CLAUDE_BIN,
  };
}

/** harness's state directory: the other build keeps its own (its audit log's schema may be older). */
const stateOf = (variant, ws) => (variant === 'before' ? `${ws.state}-before` : ws.state);

/** The files one session writes: new files spread over the tree. */
const targets = (ws) => Array.from({ length: CALLS }, (_, i) => join(ws.repo, `dir${(i * 7) % ws.dirs}`, `bench-added-${i}.txt`));

// ---------------------------------------------------------------------------------------------
// servers: the scripted model, and the no-op hook endpoint of the "hooks" variant

const model = new TimedModel();
const modelUrl = await model.start();
/** What the no-op hook server heard, per tool call: PreToolUse answered, PostToolUse heard (performance.now() ms). */
let noopCalls = new Map();
const noop = createServer((req, res) => {
  const heard = performance.now();
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': 2 }).end('{}');
    try {
      const { tool_use_id: id, hook_event_name: event } = JSON.parse(body);
      const call = noopCalls.get(id) ?? {};
      if (event === 'PreToolUse') call.answered = performance.now();
      else call.post ??= heard;
      noopCalls.set(id, call);
    } catch {
      // not a hook call this benchmark reads
    }
  });
});
await new Promise((r) => noop.listen(0, '127.0.0.1', r));
const noopPort = noop.address().port;

/** The same settings harness injects (src/agents/claude.ts launch), pointed at the no-op server. */
function noopSettings(ws) {
  const hook = (event) => ({
    type: 'http',
    url: `http://127.0.0.1:${noopPort}/hook/claude/${event}`,
    headers: { 'X-Harness-Token': 'bench' },
    timeout: 330,
    onFailure: 'block',
  });
  const path = join(ws.base, 'noop-hooks.json');
  writeFileSync(
    path,
    JSON.stringify({
      disableAllHooks: false,
      disableSkillShellExecution: true,
      hooks: {
        PreToolUse: [{ matcher: '*', hooks: [hook('pre')] }],
        PostToolUse: [{ matcher: '*', hooks: [hook('post')] }],
        PostToolUseFailure: [{ matcher: '*', hooks: [hook('post')] }],
      },
    }),
  );
  return path;
}

function command(variant, ws) {
  switch (variant) {
    case 'bare':
      return [CLAUDE_BIN, CLAUDE_ARGS];
    case 'hooks':
      return [CLAUDE_BIN, [...CLAUDE_ARGS, '--settings', noopSettings(ws)]];
    case 'harness':
      return [process.execPath, [HARNESS_BIN, 'run', 'claude', '--', ...CLAUDE_ARGS]];
    case 'nosandbox':
      return [process.execPath, [HARNESS_BIN, 'run', '--no-sandbox', 'claude', '--', ...CLAUDE_ARGS]];
    case 'before':
      return [process.execPath, [BEFORE_BIN, 'run', 'claude', '--', ...CLAUDE_ARGS]];
  }
  throw new Error(variant);
}

// ---------------------------------------------------------------------------------------------
// harness's own view of a session (its audit log): time inside its PreToolUse per call

let Database = null;
try {
  Database = createRequire(import.meta.url)('better-sqlite3');
} catch {
  // no breakdown then
}

/** Per call of harness's latest session: pre hook heard → checkpoint recorded (ms; Date.now() resolution), and the rules' own time. */
function insideHarness(ws, state) {
  if (!Database) return null;
  try {
    const dirs = execFileSync('find', [state, '-name', 'audit.db'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
    if (dirs.length !== 1) return null;
    const db = new Database(dirs[0], { readonly: true, fileMustExist: true });
    try {
      const session = db.prepare('SELECT id FROM sessions ORDER BY started_at DESC, rowid DESC LIMIT 1').get()?.id;
      const rows = db
        .prepare(
          `SELECT t.tool_use_id AS id, t.at AS heard, c.at AS checkpointed, d.latency_ms AS rules, r.at AS post
             FROM tool_calls t LEFT JOIN checkpoints c ON c.session_id = t.session_id AND c.tool_use_id = t.tool_use_id
             LEFT JOIN decisions d ON d.session_id = t.session_id AND d.tool_use_id = t.tool_use_id
             LEFT JOIN results r ON r.session_id = t.session_id AND r.tool_use_id = t.tool_use_id
            WHERE t.session_id = ? ORDER BY t.seq`,
        )
        .all(session);
      return rows.map((r) => ({
        id: r.id,
        pre: r.checkpointed != null ? r.checkpointed - r.heard : NaN,
        rules: r.rules ?? NaN,
        // the answer to PreToolUse sent, the write done by Claude Code, its PostToolUse heard
        between: r.post != null && r.checkpointed != null ? r.post - r.checkpointed : NaN,
      }));
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}

// ---------------------------------------------------------------------------------------------
// one session

async function session(variant, ws) {
  const files = targets(ws);
  for (const f of files) rmSync(f, { force: true });
  model.reset([...files.map((file_path, i) => ({ tool: 'Write', input: { file_path, content: `added by call ${i}\nline two\n` } })), { text: 'done' }]);
  const [file, args] = command(variant, ws);
  const t0 = performance.now();
  const child = spawn(file, args, {
    cwd: ws.repo,
    env: { ...agentEnv(ws, modelUrl), HARNESS_STATE_DIR: stateOf(variant, ws) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (c, signal) => resolve(c ?? signal));
  });
  const exited = performance.now();
  const t = model.timings();
  const problems = [];
  if (code !== 0) problems.push(`exit ${code}`);
  if (t.calls.length !== CALLS) problems.push(`${t.calls.length} of ${CALLS} tool results came back`);
  const failed = t.calls.find((c) => c.error);
  if (failed) problems.push(`call ${failed.turn + 1} failed: ${failed.text}`);
  const missing = files.filter((f) => !existsSync(f));
  if (missing.length) problems.push(`${missing.length} file(s) not written, e.g. ${missing[0]}`);
  if (HARNESS_VARIANTS.has(variant) && !new RegExp(`${CALLS} tool calls: ${CALLS} allowed`).test(stderr))
    problems.push('the session summary does not show every call allowed');
  if (problems.length) {
    throw new Error(
      `${variant} session at ${ws.files} files failed: ${problems.join('; ')}\n--- stderr (tail)\n${stderr.slice(-3000)}\n--- stdout (tail)\n${stdout.slice(-1500)}`,
    );
  }
  const main = model.log.filter((e) => e.tools);
  return {
    startup: t.firstRequest - t0,
    calls: t.calls.map((c) => c.ms),
    // first model request → the request with the last tool_result: CALLS model answers + CALLS tool calls
    span: main[main.length - 1].at - main[0].at,
    // the final answer sent → the process gone
    exit: exited - (model.log[model.log.length - 1].answered ?? exited),
    sideRequests: t.sideRequests,
    inside: HARNESS_VARIANTS.has(variant) ? insideHarness(ws, stateOf(variant, ws)) : variant === 'hooks' ? noopInside() : null,
  };
}

/** The no-op hooks' view of the session just run: PreToolUse answered -> PostToolUse heard, per call (in call order). */
function noopInside() {
  const calls = [...noopCalls.values()].map((c) => ({ pre: NaN, rules: NaN, between: c.post - c.answered }));
  noopCalls = new Map();
  return calls;
}

/** harness alone, with a stand-in agent that notes when it was exec'd (wall clock, ms) and exits at once. */
async function standIn(ws, noSandbox, bin = HARNESS_BIN) {
  const fake = join(ws.base, 'stand-in-agent');
  const mark = join(ws.repo, '.bench-agent-started');
  writeFileSync(fake, `#!/bin/sh\ndate +%s%N > '${mark}'\n`);
  chmodSync(fake, 0o755);
  rmSync(mark, { force: true });
  const env = { ...agentEnv(ws, modelUrl), HARNESS_CLAUDE_BIN: fake, HARNESS_STATE_DIR: bin === BEFORE_BIN ? `${ws.state}-before` : ws.state };
  const t0 = Date.now();
  const child = spawn(process.execPath, [bin, 'run', ...(noSandbox ? ['--no-sandbox'] : []), '--no-summary', 'claude', '--', ...CLAUDE_ARGS], {
    cwd: ws.repo,
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((resolve) => child.once('exit', (c, signal) => resolve(c ?? signal)));
  const gone = Date.now();
  if (code !== 0 || !existsSync(mark))
    throw new Error(`stand-in agent under harness at ${ws.files} files: exit ${code}, ${existsSync(mark) ? 'ran' : 'never ran'}\n${stderr.slice(-2000)}`);
  const execd = Number(BigInt(readFileSync(mark, 'utf8').trim()) / 1_000_000n);
  rmSync(mark, { force: true });
  return { exec: execd - t0, gone: gone - t0 };
}

// ---------------------------------------------------------------------------------------------
// the run

const started = performance.now();
const loadAtStart = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
const results = {};
const workspaces = [];
const cleanup = () => {
  if (process.env.KEEP === '1') return;
  for (const ws of workspaces) rmSync(ws.base, { recursive: true, force: true });
};
process.on('SIGINT', () => {
  cleanup();
  process.exit(130);
});

try {
  process.stderr.write(`agent cost: ${claudeVersion}, ${REPS} repetitions, ${CALLS} Write calls per session, sizes ${SIZES.join(', ')}\n`);
  for (const size of SIZES) {
    const t = performance.now();
    const ws = makeWorkspace(size);
    workspaces.push(ws);
    process.stderr.write(`  ${size} files: repository made in ${((performance.now() - t) / 1000).toFixed(1)} s\n`);
    results[size] = Object.fromEntries(VARIANTS.map((v) => [v.name, []]));
    results[size].cold = {};
    // warm-up, not counted: the agent's binary into the page cache; harness's first session in this
    // repository (its state is created), reported apart as "cold"
    for (const v of VARIANTS) results[size].cold[v.name] = await session(v.name, ws);
  }
  for (let rep = 0; rep < REPS; rep++) {
    for (const ws of workspaces) {
      // rotate the order so that no variant always runs first (a loaded machine drifts)
      const order = VARIANTS.map((_, i) => VARIANTS[(i + rep) % VARIANTS.length]);
      for (const v of order) results[ws.files][v.name].push(await session(v.name, ws));
    }
    process.stderr.write(`  repetition ${rep + 1}/${REPS} done (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
  }
  for (const ws of workspaces) {
    results[ws.files].alone = { sandbox: [], nosandbox: [], before: [] };
    for (let rep = 0; rep < REPS; rep++) {
      results[ws.files].alone.sandbox.push(await standIn(ws, false));
      if (!QUICK) results[ws.files].alone.nosandbox.push(await standIn(ws, true));
      if (BEFORE_BIN) results[ws.files].alone.before.push(await standIn(ws, false, BEFORE_BIN));
    }
  }
  process.stderr.write(`  harness alone done (${((performance.now() - started) / 1000).toFixed(0)} s)\n`);
} finally {
  cleanup();
  noop.close();
  await model.stop();
}

// ---------------------------------------------------------------------------------------------
// report

const load = loadavg()
  .map((l) => l.toFixed(2))
  .join(' ');
console.log(`agent cost: ${claudeVersion} driven by a scripted model on 127.0.0.1, bare vs under harness in the same run`);
console.log(
  `  ${REPS} repetitions x ${VARIANTS.length} variants x ${SIZES.length} sizes (+1 warm-up session each), ${CALLS} Write calls per session; ${cpus().length} cores, load average ${loadAtStart} at start, ${load} at end; ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
console.log(`  variants: ${VARIANTS.map((v) => v.label).join(' | ')}`);

const steady = (runs) => runs.flatMap((r) => r.calls.slice(1));
const first = (runs) => runs.map((r) => r.calls[0]);
const row = (label, xs, base) =>
  `    ${label.padEnd(34)} p50 ${ms(pct(xs, 50))}  p90 ${ms(pct(xs, 90))}` +
  (base
    ? `  | vs bare: p50 ${signed(pct(xs, 50) - pct(base, 50))} p90 ${signed(pct(xs, 90) - pct(base, 90))}  ratio ${ratio(pct(xs, 50), pct(base, 50))}`
    : '') +
  `  (n=${xs.length})`;

console.log('');
console.log(`per Write call, as the agent feels it (model server: tool_use answered -> tool_result heard); calls 2..${CALLS} of every session`);
const added = {};
for (const size of SIZES) {
  const r = results[size];
  console.log(`  ${size} files`);
  const base = steady(r.bare);
  for (const v of VARIANTS) console.log(row(v.label, steady(r[v.name]), v.name === 'bare' ? null : base));
  // the same from whole sessions: (span under harness - bare span) / CALLS, paired by repetition
  const perRep = r.harness.map((h, i) => (h.span - r.bare[i].span) / CALLS);
  console.log(
    `    ${'added per call from session spans'.padEnd(34)} p50 ${signed(pct(perRep, 50))}  (paired by repetition: (span_harness - span_bare) / ${CALLS}; span = first model request -> request with the last tool_result, so call 1 is in it, start-up and exit are not)`,
  );
  console.log(
    `    call 1 (harness: first checkpoint) bare p50 ${ms(pct(first(r.bare), 50))} | harness p50 ${ms(pct(first(r.harness), 50))} p90 ${ms(pct(first(r.harness), 90))}  (added p50 ${signed(pct(first(r.harness), 50) - pct(first(r.bare), 50))})`,
  );
  for (const name of ['hooks', 'harness', 'before']) {
    const inside = (r[name] ?? []).flatMap((h) => (h.inside ?? []).slice(1));
    if (!inside.length) continue;
    const col = (k, q) => ms(pct(inside.map((x) => x[k]).filter(Number.isFinite), q), 4).trim();
    if (name === 'hooks') {
      console.log(
        `    the no-op hook server (same span, for comparison): PreToolUse answered -> PostToolUse heard p50 ${col('between', 50)} p90 ${col('between', 90)}`,
      );
      continue;
    }
    console.log(
      `    inside ${name === 'harness' ? 'harness' : 'before '} (its audit log, 1 ms resolution): PreToolUse heard -> checkpoint recorded p50 ${col('pre', 50)} p90 ${col('pre', 90)} (rules alone p50 ${col('rules', 50)}); checkpoint recorded -> PostToolUse heard p50 ${col('between', 50)}`,
    );
  }
  added[size] = pct(steady(r.harness), 50) - pct(base, 50);
}
const bigSize = Math.max(...SIZES);
if (bigSize >= 50000) {
  console.log(
    `  target: <= ${CALL_TARGET_MS} ms added per mutating call at ${bigSize} files: added p50 ${added[bigSize].toFixed(1)} ms, ${met(added[bigSize] <= CALL_TARGET_MS)}`,
  );
}

console.log('');
console.log("start-up: spawn -> the agent's first model request (as the model server hears it)");
const addedStart = {};
for (const size of SIZES) {
  const r = results[size];
  console.log(`  ${size} files`);
  const base = r.bare.map((x) => x.startup);
  for (const v of VARIANTS)
    console.log(
      row(
        v.label,
        r[v.name].map((x) => x.startup),
        v.name === 'bare' ? null : base,
      ),
    );
  console.log(`    ${'warm-up sessions (not above)'.padEnd(34)} ${VARIANTS.map((v) => `${v.name} ${ms(r.cold[v.name].startup, 5).trim()}`).join(', ')}`);
  addedStart[size] =
    pct(
      r.harness.map((x) => x.startup),
      50,
    ) - pct(base, 50);
}
if (bigSize >= 50000) {
  console.log(
    `  target: <= ${START_TARGET_BIG_MS} ms added at ${bigSize} files: added p50 ${addedStart[bigSize].toFixed(0)} ms, ${met(addedStart[bigSize] <= START_TARGET_BIG_MS)}`,
  );
  for (const size of SIZES)
    console.log(
      `  target: <= ${START_TARGET_MS} ms added at ${size} files: added p50 ${addedStart[size].toFixed(0)} ms, ${met(addedStart[size] <= START_TARGET_MS)}`,
    );
  const smallSize = Math.min(...SIZES);
  if (smallSize < bigSize) {
    console.log(
      `  added start-up at ${smallSize} files ${addedStart[smallSize].toFixed(0)} ms -> at ${bigSize} files ${addedStart[bigSize].toFixed(0)} ms (growth ${(addedStart[bigSize] - addedStart[smallSize]).toFixed(0)} ms: the agent should not wait for harness's first full scan)`,
    );
  }
}

console.log('');
console.log("harness alone, stand-in agent (exits at once): spawn -> the agent exec'd | spawn -> harness gone (it waits for its first full scan)");
for (const size of SIZES) {
  const a = results[size].alone;
  const line = (label, xs) =>
    xs.length
      ? `${label} exec'd p50 ${ms(
          pct(
            xs.map((x) => x.exec),
            50,
          ),
          5,
        ).trim()} p90 ${ms(
          pct(
            xs.map((x) => x.exec),
            90,
          ),
          5,
        ).trim()}, gone p50 ${ms(
          pct(
            xs.map((x) => x.gone),
            50,
          ),
          5,
        ).trim()}`
      : null;
  console.log(
    `  ${String(size).padStart(6)} files: ${[line('sandbox:', a.sandbox), line('--no-sandbox:', a.nosandbox), line('before:', a.before)].filter(Boolean).join(' | ')}  (n=${a.sandbox.length})`,
  );
}

console.log('');
console.log('exit: the final model answer sent -> the process gone (harness: its summary and clean-up included)');
for (const size of SIZES) {
  const r = results[size];
  const base = r.bare.map((x) => x.exit);
  console.log(
    `  ${size} files: ${VARIANTS.map(
      (v) =>
        `${v.name} p50 ${ms(
          pct(
            r[v.name].map((x) => x.exit),
            50,
          ),
          5,
        ).trim()}`,
    ).join(', ')}  (harness added p50 ${signed(
      pct(
        r.harness.map((x) => x.exit),
        50,
      ) - pct(base, 50),
      5,
    ).trim()})`,
  );
}
const side = Object.values(results).flatMap((r) => VARIANTS.flatMap((v) => r[v.name].map((x) => x.sideRequests)));
if (side.some((n) => n > 0)) console.log(`  (side requests without tools seen: up to ${Math.max(...side)} per session; not in the figures)`);
