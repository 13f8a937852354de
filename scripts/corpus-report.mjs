// Prints the corpus cases the engine gets wrong: node scripts/corpus-report.mjs [file-filter]
import { readFileSync, readdirSync } from 'node:fs';
import { compilePolicy, decide } from '../dist/policy/index.js';
import { loadConfig } from '../dist/config/load.js';
import { EXAMPLE_CONTEXT } from '../dist/config/examples.js';

const loaded = loadConfig('/nonexistent-workspace');
const policy = compilePolicy(loaded.sources, loaded.defaults, EXAMPLE_CONTEXT);
const dir = new URL(`../test/${process.env.CORPUS ?? 'corpus'}/`, import.meta.url);
const filter = process.argv[2] ?? '';
let total = 0,
  bad = 0;
const byExpect = {};
for (const file of readdirSync(dir)
  .filter((f) => f.endsWith('.jsonl') && f.includes(filter))
  .sort()) {
  for (const line of readFileSync(new URL(file, dir), 'utf8').split('\n').filter(Boolean)) {
    const c = JSON.parse(line);
    const d = decide({ kind: 'shell', command: c.cmd, cwd: c.cwd ?? EXAMPLE_CONTEXT.workspace }, policy);
    const ok = c.expect === 'allow' ? d.verdict === 'allow' : c.expect === 'deny' ? d.verdict === 'deny' : d.verdict !== 'allow';
    total++;
    const k = `${c.expect}->${d.verdict}`;
    if (!ok) {
      bad++;
      byExpect[k] = (byExpect[k] ?? 0) + 1;
      console.log(`${file.slice(0, 2)} expect ${c.expect.padEnd(5)} got ${d.verdict.padEnd(5)} ${d.ruleId ?? ''} :: ${JSON.stringify(c.cmd)}`);
    }
  }
}
console.log(`${total - bad} passed, ${bad} failed`, byExpect);
