import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { analyzeShell } from '../../src/policy/shell/analyze.js';
import { check, WS } from '../helpers.js';

/**
 * A command line bash refuses as a whole runs nothing, so harness need not ask about it. The parser's
 * "refused" verdicts are checked against the real bash: each such line, run for real behind a marker
 * command, must fail with a syntax error and leave no marker.
 */
const HOME = '/home/dev';
const refused = (line: string): boolean => analyzeShell(line, WS, HOME, WS).refused !== null;

const dir = mkdtempSync(join(tmpdir(), 'harness-refuses-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the line with bash in a scratch dir; whether the marker command in front of it ran. */
function bashRan(line: string): { ran: boolean; status: number | null } {
  const marker = join(dir, 'ran');
  rmSync(marker, { force: true });
  const r = spawnSync('bash', ['-c', `touch ran; ${line}`], {
    cwd: dir,
    timeout: 10_000,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
  });
  return { ran: existsSync(marker), status: r.status };
}

describe('command lines bash refuses', () => {
  it.each([
    ["echo 'unterminated", 'allow'],
    ['rg "find . -delete', 'allow'],
    ["git restore --help 'unterminated", 'allow'],
    ['echo `date', 'allow'],
    ['echo ${HOME', 'allow'],
    ["echo $'it\\'s", 'allow'],
    // what the parser read of the line still meets the rules
    ["rm -rf ~; echo 'x", 'deny'],
    // a line before the open quote runs
    ["rm -rf build\necho 'x", 'ask'],
    ["echo hi\necho 'x", 'ask'],
    // the inner shell refuses, but it is the outer line that is judged
    ['bash -c "echo \'x"', 'ask'],
    // an error that is not an open construct at the end of the input
    ['echo )', 'ask'],
  ] as const)('%j → %s', (line, verdict) => {
    expect(check(line).verdict).toBe(verdict);
  });

  it('every refusal in the table is bash refusing', () => {
    const lines = [
      "echo 'unterminated",
      'rg "find . -delete',
      'echo `date',
      'echo ${HOME',
      "echo $'it\\'s",
      'echo $(true',
      "true && echo 'a",
      'echo "a\'b',
      "echo 'a\nb",
    ];
    for (const line of lines) {
      expect(refused(line), line).toBe(true);
      expect(bashRan(line), line).toEqual({ ran: false, status: 2 });
    }
  }, 60_000);

  it("holds inside the agents' own wrappers: Claude Code's eval, Gemini CLI's subshell, Codex CLI's bash -lc", () => {
    const lines = [
      "touch ran; echo 'x",
      'touch ran; rg "find . -delete',
      'touch ran; echo `date',
      'touch ran; echo $(true',
      'touch ran; echo ${HOME',
      'touch ran && echo "a\'b',
    ];
    const wrappers: [string, (line: string) => string[]][] = [
      ['eval', (line) => ['-c', 'eval "$1"', 'bash', line]],
      ['subshell', (line) => ['-c', `_bgpids_file=/dev/null\n(\n  trap 'jobs -p > "$_bgpids_file"' EXIT\n${line}\n)\n__code=$?\nexit $__code`]],
      ['bash -lc', (line) => ['-lc', line]],
    ];
    for (const line of lines) {
      expect(refused(line), line).toBe(true);
      for (const [how, argv] of wrappers) {
        const marker = join(dir, 'ran');
        rmSync(marker, { force: true });
        const r = spawnSync('bash', argv(line), { cwd: dir, timeout: 10_000, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir } });
        expect({ how, line, ran: existsSync(marker) }).toEqual({ how, line, ran: false });
        expect(r.status, `${how}: ${line}`).not.toBe(0);
      }
    }
  }, 60_000);

  it('agrees with bash on random lines of quotes, substitutions and comments (seeded)', () => {
    const parts = ["'", '"', '\\', "$'", '$(', ')', '`', '${', '}', ' # ', '; ', ' && ', ' | ', 'a', ' ', '$', '\\n', '=', 'x', "'\\''"];
    let seed = 20261201;
    const next = (): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed;
    };
    let checked = 0;
    for (let i = 0; i < 3000 && checked < 120; i++) {
      let line = 'echo ';
      const n = 1 + (next() % 10);
      for (let k = 0; k < n; k++) line += parts[next() % parts.length]!.replace('\\n', '\n');
      if (!refused(line)) continue;
      checked++;
      const run = bashRan(line);
      expect(run.ran, line).toBe(false);
      expect(run.status, line).not.toBe(0);
    }
    expect(checked).toBeGreaterThan(60);
  }, 180_000);
});
