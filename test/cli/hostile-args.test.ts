import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/index.js';

/**
 * Every harness command and subcommand, run (the built binary, a real repository with an audit log
 * and checkpoints) with hostile arguments: numbers too large for anything, negative, not numbers,
 * empty, control characters, bytes that are not UTF-8, very long strings, unknown options. Whatever
 * happens, a person reads one clear line (or the command's normal output), never a stack trace.
 */
const BIN = new URL('../../bin/harness', import.meta.url).pathname;
const root = mkdtempSync(join(tmpdir(), 'harness-hostile-'));
const repo = join(root, 'repo');
afterAll(() => rmSync(root, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 }));

const env: NodeJS.ProcessEnv = {
  // no agent binaries on PATH (npx puts node_modules/.bin there): nothing hostile can start a real agent
  PATH: (process.env.PATH ?? '')
    .split(delimiter)
    .filter((p) => !p.includes('node_modules'))
    .join(delimiter),
  HOME: join(root, 'home'),
  HARNESS_STATE_DIR: join(root, 'state'),
  HARNESS_CLAUDE_BIN: '/nonexistent/claude',
  HARNESS_CODEX_BIN: '/nonexistent/codex',
  HARNESS_GEMINI_BIN: '/nonexistent/gemini',
  NO_COLOR: '1',
  LANG: 'C.UTF-8',
};

interface Run {
  args: string[];
  code: number | null;
  stdout: string;
  stderr: string;
}

const RAW = '\u0000raw-bytes\u0000';

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** Runs the CLI; an argument equal to RAW is passed as bytes that are not UTF-8 (\xff\xfe). */
function harness(args: string[], input = ''): Promise<Run> {
  const raw = args.includes(RAW);
  const [file, argv] = raw
    ? [
        'sh',
        [
          '-c',
          `exec ${shellQuote(process.execPath)} ${shellQuote(BIN)} ${args.map((a) => (a === RAW ? `"$(printf '\\377\\376x')"` : shellQuote(a))).join(' ')}`,
        ],
      ]
    : [process.execPath, [BIN, ...args]];
  return new Promise((resolve) => {
    const child = spawn(file, argv, { cwd: repo, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString('latin1')));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString('latin1')));
    child.stdin.end(input);
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ args, code, stdout, stderr });
    });
  });
}

/** At most `n` runs at a time (a loaded machine). */
async function pool<T, R>(items: T[], n: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await work(items[i]!);
      }
    }),
  );
  return out;
}

/** For the numbers harness takes: everything a number can go wrong with. */
const HOSTILE = [
  '99999999999999999999',
  '18446744073709551617',
  '-1',
  '-99999999999999999999',
  '0',
  'NaN',
  'Infinity',
  '1e3',
  '0x10',
  '1.5',
  '',
  ' ',
  '\u001b[31mred\u001b]0;title\u0007',
  'x'.repeat(20_000),
  '../../../../etc/passwd',
  RAW,
];

/** For every other option and argument: too large, empty, control characters in a very long string, not UTF-8. */
const GENERAL = ['99999999999999999999', '', `\u001b[31mred\u001b]0;title\u0007${'x'.repeat(20_000)}`, RAW];

/** Every command with its path from the top (`checkpoints prune`), its options that take a value and its arguments. */
function commands(): { path: string[]; valueOptions: string[]; args: number; variadic: boolean }[] {
  const out: { path: string[]; valueOptions: string[]; args: number; variadic: boolean }[] = [];
  const walk = (cmd: Command, path: string[]): void => {
    for (const sub of cmd.commands) {
      const p = [...path, sub.name()];
      const args = sub.registeredArguments;
      out.push({
        path: p,
        valueOptions: sub.options.filter((o) => o.required || o.optional).map((o) => o.long ?? o.short!),
        args: args.length,
        variadic: args.some((a) => a.variadic),
      });
      walk(sub, p);
    }
  };
  walk(buildProgram(), []);
  return out;
}

function describeRun(r: Run): string {
  return `harness ${r.args.map((a) => (a === RAW ? '<\\xff\\xfe>' : JSON.stringify(a.length > 40 ? `${a.slice(0, 40)}…(${a.length})` : a))).join(' ')} → exit ${r.code}\nstderr: ${r.stderr.slice(0, 2000)}`;
}

/** What a person reads: no stack, no error class, no Node internals; on failure exactly one line. */
function check(r: Run): string[] {
  const problems: string[] = [];
  const both = `${r.stdout}\n${r.stderr}`;
  if (/^\s+at\s/m.test(both)) problems.push('a stack frame');
  if (/\b[A-Z]\w*Error\b:|^Error:|Error \[ERR_/m.test(both)) problems.push('an error class');
  if (/node:internal|\/dist\/[\w/-]+\.js|internal error/.test(both)) problems.push('harness internals');
  // `harness check` exits 3 for ask and 4 for deny, with the verdict on stdout
  const verdict = r.args[0] === 'check' && (r.code === 3 || r.code === 4) && /^(ask|deny)\b|"verdict"/m.test(r.stdout);
  if (![0, 1, 2].includes(r.code ?? -1) && !verdict) problems.push(`exit code ${r.code}`);
  // a control character from the command line must not reach the terminal
  if (r.stderr.includes('\u001b[31m') || r.stderr.includes('\u001b]0;')) problems.push('a raw escape sequence echoed');
  // `harness` alone shows the usage, as the help does
  if (r.args.length === 0)
    return r.code === 2 && /^Usage: harness /m.test(r.stderr) && !/^harness: /m.test(r.stderr)
      ? problems
      : [...problems, 'not just the usage for a bare harness'];
  if (r.code !== 0 && !verdict) {
    const lines = r.stderr.split('\n').filter((l) => l.trim() !== '');
    if (lines.length !== 1) problems.push(`${lines.length} lines on stderr`);
    else if (!lines[0]!.startsWith('harness: ')) problems.push("a message that is not harness's");
    else if (lines[0]!.length > 800) problems.push(`a line of ${lines[0]!.length} characters`);
  }
  return problems;
}

beforeAll(async () => {
  mkdirSync(repo, { recursive: true });
  mkdirSync(env.HOME!, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  writeFileSync(join(repo, 'a.txt'), 'a\n');
  execFileSync('git', ['-c', 'user.email=p@example.com', '-c', 'user.name=p', 'commit', '-q', '--allow-empty', '-m', 'start'], { cwd: repo });
  // an audit log with a session and checkpoints, so that every command reaches its real work
  const session = await harness(['run', '--no-sandbox', '--no-summary', '--', 'sh', '-c', 'echo b > b.txt']);
  expect(session.code, session.stderr).toBe(0);
  const cp = await harness(['checkpoint', '-m', 'before the hostile arguments']);
  expect(cp.code, cp.stderr).toBe(0);
}, 120_000);

describe('every command with hostile arguments: one clear line, never a stack trace', () => {
  it('enumerates every command and subcommand', () => {
    const names = commands().map((c) => c.path.join(' '));
    expect(names).toEqual(
      expect.arrayContaining([
        'run',
        'check',
        'rules',
        'rules list',
        'rules test',
        'log',
        'checkpoint',
        'checkpoints',
        'checkpoints prune',
        'diff',
        'rollback',
        'doctor',
      ]),
    );
  });

  it('hostile option values, arguments, unknown options and excess arguments', async () => {
    const cases: string[][] = [[], ['--no-such-option'], [RAW], [`--${'y'.repeat(5000)}`]];
    for (const c of commands()) {
      cases.push([...c.path, '--help'], [...c.path, '--no-such-option=1'], [...c.path, '-Z']);
      for (const option of c.valueOptions) for (const value of GENERAL) cases.push([...c.path, option, value]);
      // a value in place of the first argument (commands without arguments: an excess one)
      for (const value of GENERAL) cases.push([...c.path, value]);
      if (!c.variadic) cases.push([...c.path, 'one', 'two', 'three', 'four']);
      // every value option given without its value
      for (const option of c.valueOptions) cases.push([...c.path, option]);
    }
    // `run` wants its agent first: hostile values behind a real agent name and after the separator
    for (const value of GENERAL)
      cases.push(['run', '--hook-transport', value, 'claude'], ['run', '--agent-bin', value, 'claude'], ['run', '--no-sandbox', '--', value]);
    // the numbers harness takes, with everything a number can go wrong with
    for (const value of HOSTILE) {
      cases.push(['log', '--limit', value], ['log', '--since', value], ['rollback', '--dry-run', value], ['checkpoints', 'prune', '--older-than', value]);
      if (value.startsWith('-')) cases.push(['rollback', '--', value]);
      else cases.push(['rollback', value]);
      if (value !== RAW) cases.push(['log', '--since', `${value}d`], ['checkpoints', 'prune', '--older-than', `${value}w`]);
    }
    // doctor runs every check each time: once with a hostile config is enough
    const runs = await pool(
      cases.filter((c) => c[0] !== 'doctor' || c.length <= 3),
      3,
      (args) => harness(args),
    );
    const bad = runs.map((r) => ({ r, problems: check(r) })).filter((x) => x.problems.length > 0);
    expect(bad.map((b) => `${b.problems.join(', ')}: ${describeRun(b.r)}`).slice(0, 15)).toEqual([]);
    // and the issue's own example is a usage error, not a crash
    const limit = runs.find((r) => r.args.join(' ') === 'log --limit 99999999999999999999')!;
    expect(limit.code).toBe(2);
    expect(limit.stderr).toMatch(/^harness: --limit: "99999999999999999999" is too large: expected a whole number from 1 to \d+\n$/);
    expect(runs.length).toBeGreaterThan(250);
  }, 900_000);

  it('numbers are taken exactly as typed, or refused with the range', async () => {
    const [ok, sign, exp, zero, big, prune, since] = await Promise.all([
      harness(['log', '--limit', '1', '--json']),
      harness(['log', '--limit', '+1']),
      harness(['rollback', '--dry-run', '1e0']),
      harness(['rollback', '0']),
      harness(['log', '--since', '9999999999w']),
      harness(['checkpoints', 'prune', '--older-than', '2026-01-01']),
      harness(['log', '--since', '7d', '--json']),
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout).calls.length).toBeLessThanOrEqual(1);
    expect(sign).toMatchObject({ code: 2, stderr: 'harness: --limit: expected a whole number from 1 to 1000000000 (found "+1")\n' });
    expect(exp).toMatchObject({ code: 2, stderr: 'harness: steps: expected a whole number from 1 to 1000000 (found "1e0")\n' });
    expect(zero).toMatchObject({ code: 2, stderr: 'harness: steps: expected a whole number from 1 to 1000000 (found "0")\n' });
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/^harness: --since: "9999999999w" is too long ago: expected a duration of at most 100 years/);
    expect(prune).toMatchObject({ code: 2, stderr: 'harness: --older-than: expected a duration like 12h, 7d or 2w (found "2026-01-01")\n' });
    expect(since.code, since.stderr).toBe(0);
  }, 120_000);

  it("commander's own errors are one line that names the command to ask for help", async () => {
    const [unknown, missing, excess] = await Promise.all([harness(['check', '--nope']), harness(['run']), harness(['log', 'extra'])]);
    expect(unknown).toMatchObject({ code: 2, stderr: "harness: unknown option '--nope' (did you mean --op?); see: harness check --help\n" });
    expect(missing).toMatchObject({ code: 2, stderr: "harness: missing required argument 'agent'; see: harness run --help\n" });
    expect(excess.code).toBe(2);
    expect(excess.stderr).toMatch(/^harness: too many arguments for 'log'.*; see: harness log --help\n$/);
  }, 60_000);
});
