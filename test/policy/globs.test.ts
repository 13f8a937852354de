import { readdirSync, readFileSync } from 'node:fs';
import picomatch from 'picomatch';
import { describe, expect, it } from 'vitest';
import { ARGS_GLOB, compileGlob, globMatcher, globProblem, PATHS_GLOB, type GlobOptions } from '../../src/policy/globs.js';
import { expandPattern } from '../../src/policy/rules.js';
import { EXAMPLE_CONTEXT } from '../../src/config/examples.js';
import { check, policyFromConfig, WS } from '../helpers.js';

interface PackRule {
  id: string;
  args?: string[];
  paths?: string[];
  except?: string[];
}

const packRules: PackRule[] = readdirSync(new URL('../../rules/', import.meta.url))
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => JSON.parse(readFileSync(new URL(`../../rules/${f}`, import.meta.url), 'utf8')).rules);

const expanded = (globs: string[] = []) => globs.map((g) => expandPattern(g, EXAMPLE_CONTEXT)).filter((g): g is string => g !== null);

const argInputs = [
  '-f',
  '--force',
  '+main',
  '+refs/heads/x',
  ':x',
  ':',
  'file:x',
  'file:/etc',
  'x@y:z',
  'git@github.com:a/b',
  'https://x',
  'a::b',
  'refs/harness/x',
  'x/refs/harness/y',
  'harness',
  './node_modules/.bin/harness',
  '/x/harness/bin/y',
  'a.blob.core.windows.net/c',
  '.',
  '..',
  'x',
];
const pathInputs = [
  '/home/dev/.ssh/id_rsa',
  '/home/dev/.SSH/ID_RSA',
  '/home/dev/project/.env',
  '/home/dev/project/.env.local',
  '/home/dev/project/src/.env',
  '/etc/passwd',
  '/home/dev/.bashrc',
  '/home/dev/project/.git/hooks/pre-commit',
  '/home/dev/project/.GIT/config',
  '/',
  '/home/dev',
  '/home/dev/project',
  '/usr/bin/x',
  '/home/dev/project/./x',
  '/home/dev/project/../x',
  '/home/dev/.aws/credentials',
  '/home/dev/.config/harness/x',
  '/home/dev/project/a/./b',
  '/home/dev/project/key.pem',
  '/home/dev/project/src/index.ts',
  '/tmp/x',
  '/home/dev/project/.claude/settings.json',
];

function agrees(globs: string[], options: GlobOptions, inputs: string[]): void {
  const reference = picomatch(globs, options);
  const linear = globMatcher(globs, options);
  for (const input of inputs) expect(linear(input), `${JSON.stringify(globs)} on ${input}`).toBe(reference(input));
}

describe("rule globs run on the linear-time engine with picomatch's answers", () => {
  it.each(packRules.filter((r) => r.args || r.paths || r.except).map((r) => [r.id, r] as const))('pack rule %s', (_id, rule) => {
    for (const glob of rule.args ?? []) {
      expect(globProblem(glob, ARGS_GLOB), glob).toBeNull();
      expect(() => compileGlob(glob, ARGS_GLOB)).not.toThrow();
    }
    for (const glob of [...expanded(rule.paths), ...expanded(rule.except)]) expect(globProblem(glob, PATHS_GLOB), glob).toBeNull();
    if (rule.args) agrees(rule.args, ARGS_GLOB, [...argInputs, ...rule.args]);
    if (rule.paths) agrees(expanded(rule.paths), PATHS_GLOB, pathInputs);
    if (rule.except) agrees(expanded(rule.except), PATHS_GLOB, pathInputs);
  });

  it('agrees with picomatch on random globs and inputs (seeded), one glob or several', () => {
    let seed = 4242;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) % n;
    const pick = <T>(xs: T[]): T => xs[rnd(xs.length)]!;
    const parts = [
      '*',
      '**',
      '?',
      'a',
      'b',
      '.',
      '/',
      '[ab]',
      '[!a]',
      '{a,b}',
      '{a,}',
      'A',
      '@(a|b)',
      '+(a)',
      '!(a)',
      '*(b)',
      '?(a)',
      '.a',
      '-',
      ':',
      '@',
      '\\*',
      '[a-c]',
      '{1..3}',
    ];
    const chars = ['a', 'b', 'A', '.', '/', '-', ':', '@', '1', '*'];
    let compared = 0;
    for (let k = 0; k < 1500; k++) {
      const globs: string[] = [];
      for (let m = 1 + rnd(4); m > 0; m--) {
        let g = '';
        for (let t = 1 + rnd(5); t > 0; t--) g += pick(parts);
        globs.push(g);
      }
      for (const options of [ARGS_GLOB, PATHS_GLOB]) {
        const inputs = [...globs];
        for (let j = 0; j < 8; j++) {
          let s = '';
          for (let t = rnd(8); t > 0; t--) s += pick(chars);
          inputs.push(s);
        }
        agrees(globs, options, inputs);
        compared += inputs.length;
      }
    }
    expect(compared).toBeGreaterThan(20_000);
  });

  it("a glob the engine refuses keeps picomatch's answer when a policy is built without the config check", () => {
    expect(globProblem('!(*.js)', ARGS_GLOB)).toMatch(/cannot be matched in bounded time/);
    agrees(['!(*.js)', '*.ts'], ARGS_GLOB, ['a.js', 'a.ts', 'a.md', '']);
  });
});

describe("globs that make picomatch's V8 regexes backtrack run in linear time", () => {
  // On V8: `*@*:*` (a shipped git.push-url glob) takes 0.5 s on 40 KB and 13 s on 200 KB of "@".
  it.each([
    [['*@*:*'], ARGS_GLOB, '@'.repeat(200_000), false],
    [['*a*a*a*a*a*a*a*a*b'], ARGS_GLOB, 'a'.repeat(100_000), false],
    [['*://*', '*::*', '*@*:*'], ARGS_GLOB, '@:'.repeat(100_000), true],
    [['**/*id_*.pub'], PATHS_GLOB, '/h/' + 'id_'.repeat(100_000), false],
    [['/home/dev/**/*token*.json'], PATHS_GLOB, '/home/dev/' + 'token'.repeat(40_000), false],
    [['**/*.env.*.local'], PATHS_GLOB, '/h/' + '.env.'.repeat(40_000), false],
  ] as const)('%j on a long hostile input', (globs, options, input, expected) => {
    expect(globMatcher([...globs], options)(input)).toBe(expected);
  });

  it('a 200 KB argument to git push is decided (the shipped git.push-url glob)', () => {
    const d = check(`git push '${'@'.repeat(200_000)}' main`);
    expect(['allow', 'ask', 'deny']).toContain(d.verdict);
  });

  it('a user path glob with several stars, against a long path', () => {
    // relative: inside the workspace
    const policy = policyFromConfig({ rules: [{ id: 'team.pubkeys', decision: 'ask', reason: 'r', paths: ['**/*id_*.pub'] }] });
    expect(check('cat keys/id_ed25519.pub', WS, policy).ruleId).toBe('team.pubkeys');
    expect(check(`cat keys/${'id_'.repeat(60_000)}`, WS, policy).ruleId).not.toBe('team.pubkeys');
    expect(check(`cat keys/${'id_'.repeat(60_000)}.pub`, WS, policy).ruleId).toBe('team.pubkeys');
  });
});
