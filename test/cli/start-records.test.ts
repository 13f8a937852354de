import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bwrapAvailability } from '../../src/sandbox/bwrap.js';
import { stateDirFor } from '../../src/workspace.js';

// What a session's start takes from an earlier one (the built binary, a stand-in agent that notes
// that it ran): the config the schema accepted for the same bytes, and a bubblewrap probe that
// succeeded on the same system. Neither lets anything through that a fresh start would refuse.

const BIN = new URL('../../bin/harness', import.meta.url).pathname;
const root = realpathSync(mkdtempSync(join(tmpdir(), 'harness-start-records-')));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function project(name: string): { repo: string; state: string; agent: string; mark: string } {
  const repo = join(root, name, 'repo');
  const state = join(root, name, 'state');
  mkdirSync(repo, { recursive: true });
  execFileSync('git', ['init', '-q'], { cwd: repo });
  const mark = join(repo, 'agent-ran');
  const agent = join(root, name, 'agent');
  writeFileSync(agent, `#!/bin/sh\ntouch '${mark}'\n`);
  chmodSync(agent, 0o755);
  return { repo, state, agent, mark };
}

function run(p: { repo: string; state: string; agent: string; mark: string }, path = process.env.PATH) {
  rmSync(p.mark, { force: true });
  const r = spawnSync(process.execPath, [BIN, 'run', '--no-summary', 'claude', '--', '-p', 'x'], {
    cwd: p.repo,
    encoding: 'utf8',
    input: '',
    env: { PATH: path, HOME: join(p.repo, '..'), LANG: 'C.UTF-8', NO_COLOR: '1', HARNESS_STATE_DIR: p.state, HARNESS_CLAUDE_BIN: p.agent, HARNESS_TRACE: '1' },
  });
  const step = (name: string): string | undefined => r.stderr.match(new RegExp(`harness-trace .*ms  ${name} \\(([^)]*)\\)`))?.[1];
  return { code: r.status, stderr: r.stderr, ran: existsSync(p.mark), config: step('config loaded'), probe: step('sandbox decided') };
}

describe('the config validated at an earlier start', () => {
  it('is taken for the same bytes; a file changed to one the schema refuses is refused and the agent never starts', () => {
    const p = project('config');
    writeFileSync(join(p.repo, 'harness.config.json'), JSON.stringify({ sandbox: { mode: 'off' }, approvals: { timeoutSeconds: 60 } }));
    const first = run(p);
    expect(first, first.stderr).toMatchObject({ code: 0, ran: true, config: 'validated' });
    const second = run(p);
    expect(second, second.stderr).toMatchObject({ code: 0, ran: true, config: 'cache' });
    writeFileSync(join(p.repo, 'harness.config.json'), JSON.stringify({ sandbox: { mode: 'off' }, approvals: { timeoutSeconds: 'later' } }));
    const bad = run(p);
    expect(bad.ran).toBe(false);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/approvals\.timeoutSeconds/);
    expect(bad.stderr).not.toMatch(/\n\s+at /);
  });
});

describe.skipIf(!bwrapAvailability().ok)('the bubblewrap probe of an earlier start', () => {
  it('is taken on the same system; when the sandbox then cannot start, harness says why, drops it, and probes next time', () => {
    const p = project('probe');
    // a bwrap of the test's own in front of the real one, so that it can stop working unseen
    const bin = join(root, 'probe', 'bin');
    mkdirSync(bin);
    const bwrap = join(bin, 'bwrap');
    const works = `#!/bin/sh\nexec ${execFileSync('sh', ['-c', 'command -v bwrap'], { encoding: 'utf8' }).trim()} "$@"\n`;
    const broken = `#!/bin/sh\necho 'bwrap: no namespaces today' >&2; exit 1\n`;
    const width = Math.max(works.length, broken.length) + 1;
    const sameSize = (text: string): string => `${text}${'#'.repeat(width - text.length - 1)}\n`;
    writeFileSync(bwrap, sameSize(works));
    chmodSync(bwrap, 0o755);
    utimesSync(bwrap, 1_700_000_000, 1_700_000_000);
    const path = `${bin}:${process.env.PATH}`;
    const record = join(stateDirFor(p.repo, { HARNESS_STATE_DIR: p.state }), 'sandbox-probe.json');

    const first = run(p, path);
    expect(first, first.stderr).toMatchObject({ code: 0, ran: true, probe: 'probe' });
    expect(statSync(record).mode & 0o777).toBe(0o600);
    const second = run(p, path);
    expect(second, second.stderr).toMatchObject({ code: 0, ran: true, probe: 'record' });

    // the same file (inode, size, mtime), but it no longer runs anything
    const before = statSync(bwrap);
    writeFileSync(bwrap, sameSize(broken));
    utimesSync(bwrap, 1_700_000_000, 1_700_000_000);
    expect(statSync(bwrap)).toMatchObject({ ino: before.ino, size: before.size, mtimeMs: before.mtimeMs });
    const third = run(p, path);
    expect(third.probe).toBe('record');
    expect(third.ran).toBe(false);
    expect(third.code).not.toBe(0);
    expect(third.stderr).toMatch(
      /harness: the sandbox could not start: bubblewrap does not run here: bwrap: no namespaces today\. Fix: .*that record is dropped/,
    );
    expect(existsSync(record)).toBe(false);

    // probed again: under sandbox.mode "auto" the agent runs, with the warning a missing sandbox always gets
    const fourth = run(p, path);
    expect(fourth, fourth.stderr).toMatchObject({ code: 0, ran: true, probe: 'probe' });
    expect(fourth.stderr).toMatch(/the agent runs WITHOUT the OS sandbox: bubblewrap does not run here/);
    expect(existsSync(record)).toBe(false);
  });
});
