// Policy engine benchmark: decisions per second and latency percentiles over a mixed corpus,
// the worst case over adversarial inputs, and a baseline (parsing alone) measured in the same run.
import { readFileSync, readdirSync } from 'node:fs';
import { parse } from 'unbash';
import { compilePolicy, decide } from '../dist/policy/index.js';
import { loadConfig } from '../dist/config/load.js';
import { EXAMPLE_CONTEXT } from '../dist/config/examples.js';

const loaded = loadConfig('/nonexistent-workspace-for-bench');
const policy = compilePolicy(loaded.sources, loaded.defaults, EXAMPLE_CONTEXT);
const readCases = (dir) =>
  readdirSync(dir)
    .filter((f) => f.endsWith('.jsonl'))
    .flatMap((f) =>
      readFileSync(new URL(f, dir), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l)),
    );
const cases = [...readCases(new URL('../test/corpus/', import.meta.url)), ...readCases(new URL('../test/holdout/', import.meta.url))];
const corpus = cases.map((c) => c.cmd);

const adversarial = {
  '1 MB of statements (refused by limit)': 'echo hello world; '.repeat(60_000),
  '1 MB quoted heredoc (analyzed)': `cat > notes.md <<'EOF'\n${'some text line with $stuff and `x`\n'.repeat(28_000)}EOF\n`,
  '1 MB single word': 'a'.repeat(1_000_000),
  '1 MB single-quoted arg': `echo '${'a'.repeat(1_000_000)}'`,
  '10,000 nested $(': '$('.repeat(10_000) + 'x' + ')'.repeat(10_000),
  '10,000 nested (': '('.repeat(10_000) + 'ls' + ')'.repeat(10_000),
  '100,000 backticks': '`'.repeat(100_000),
  '50,000 "$(': '"$("'.repeat(50_000),
  '5,000 statements (command limit)': 'echo a; '.repeat(5_000),
  'nested bash -c x15': Array.from({ length: 15 }).reduce((inner) => `bash -c ${JSON.stringify(inner)}`, 'rm -rf ~'),
  '20,000 evals': 'eval '.repeat(20_000) + 'ls',
  'brace bomb': 'rm ' + '{a,b}'.repeat(40),
  '60 KB python one-liner': `python3 -c "${'x = 1; '.repeat(8_000)}import os; os.system('ls')"`,
};

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function measure(fn, inputs, rounds) {
  const times = [];
  for (let r = 0; r < rounds; r++) {
    for (const input of inputs) {
      const t = performance.now();
      fn(input);
      times.push(performance.now() - t);
    }
  }
  times.sort((a, b) => a - b);
  const total = times.reduce((a, b) => a + b, 0);
  return { n: times.length, p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1], perSecond: (times.length / total) * 1000 };
}

const decideShell = (command) => decide({ kind: 'shell', command, cwd: EXAMPLE_CONTEXT.workspace }, policy);
const parseOnly = (command) => parse(command);

// warm up both paths
measure(decideShell, corpus, 3);
measure(parseOnly, corpus, 3);

const rounds = Number(process.env.ROUNDS ?? 10);
const engine = measure(decideShell, corpus, rounds);
const baseline = measure(parseOnly, corpus, rounds);
const fmt = (ms) => `${(ms * 1000).toFixed(1)} µs`;
console.log(`typical commands: ${corpus.length} corpus and held-out commands x ${rounds} rounds`);
console.log(`  decide:            p50 ${fmt(engine.p50)}  p99 ${fmt(engine.p99)}  max ${fmt(engine.max)}  ${Math.round(engine.perSecond)} decisions/s`);
console.log(`  baseline (parse):  p50 ${fmt(baseline.p50)}  p99 ${fmt(baseline.p99)}  max ${fmt(baseline.max)}  ${Math.round(baseline.perSecond)} parses/s`);
console.log(`  ratio decide/parse: p50 ${(engine.p50 / baseline.p50).toFixed(2)}x  p99 ${(engine.p99 / baseline.p99).toFixed(2)}x`);
console.log(`  target p99 <= 0.5 ms: ${engine.p99 <= 0.5 ? 'met' : 'MISSED'}`);

console.log('adversarial inputs (best of 5 after warm-up; worst case must stay <= 20 ms):');
let worst = 0;
for (const [name, input] of Object.entries(adversarial)) {
  decideShell(input);
  const r = measure(decideShell, [input], 5);
  const d = decideShell(input);
  const best = r.p50;
  worst = Math.max(worst, best);
  console.log(
    `  ${name.padEnd(40)} ${(input.length / 1024).toFixed(0).padStart(5)} KiB  p50 ${best.toFixed(2).padStart(6)} ms  max ${r.max.toFixed(2).padStart(6)} ms  -> ${d.verdict} ${d.ruleId ?? ''}`,
  );
}
console.log(`  worst p50 ${worst.toFixed(2)} ms: ${worst <= 20 ? 'met' : 'MISSED'} (target <= 20 ms)`);

// Accuracy both ways: a false ask costs the user every minute, a miss costs them once, badly.
const outcome = { allow: { n: 0, wrong: 0 }, block: { n: 0, wrong: 0 }, deny: { n: 0, wrong: 0, asked: 0 } };
for (const c of cases) {
  const v = decide({ kind: 'shell', command: c.cmd, cwd: c.cwd ?? EXAMPLE_CONTEXT.workspace }, policy).verdict;
  const o = outcome[c.expect];
  o.n++;
  if (c.expect === 'allow' && v !== 'allow') o.wrong++;
  if (c.expect !== 'allow' && v === 'allow') o.wrong++;
  if (c.expect === 'deny' && v === 'ask') o.asked++;
}
const pct = (a, b) => `${((100 * a) / Math.max(1, b)).toFixed(1)}%`;
console.log('corpus accuracy:');
console.log(`  false asks on everyday commands: ${outcome.allow.wrong}/${outcome.allow.n} (${pct(outcome.allow.wrong, outcome.allow.n)})`);
console.log(
  `  dangerous commands allowed:      ${outcome.block.wrong + outcome.deny.wrong}/${outcome.block.n + outcome.deny.n} (${pct(outcome.block.wrong + outcome.deny.wrong, outcome.block.n + outcome.deny.n)})`,
);
console.log(`  must-deny only asked:            ${outcome.deny.asked}/${outcome.deny.n}`);
