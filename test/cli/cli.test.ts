import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

const BIN = new URL('../../bin/harness', import.meta.url).pathname;
let repo: string;

function harness(args: string[], options: { input?: string; cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: options.cwd ?? repo,
    input: options.input ?? '',
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', HOME: '/home/tester', ...options.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  repo = mkdtempSync(join(tmpdir(), 'harness-cli-'));
  execFileSync('git', ['init', '-q'], { cwd: repo });
  mkdirSync(join(repo, 'src'));
});

describe('harness CLI (built binary, real git repo)', () => {
  it('--version and --help', () => {
    expect(harness(['--version']).stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const help = harness(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/check/);
    expect(help.stdout).toMatch(/rules/);
    expect(harness(['check', '--help']).stdout).toMatch(/--jsonl/);
  });

  it('check explains a verdict in plain text', () => {
    const r = harness(['check', 'sudo rm -rf ~']);
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(/^deny\s+fs\.delete-home/);
    expect(r.stdout).toMatch(/via sudo/);
    expect(r.stdout).not.toContain('\x1b[');
  });

  it('check --json is one document with the decision, the workspace and the commands seen', () => {
    const r = harness(['check', '--json', 'cd src && bash -c "git push -f"']);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ verdict: 'deny', ruleId: 'git.push-force', mutates: true });
    expect(out.workspace).toMatch(/harness-cli-/);
    expect(out.commands.find((c: { argv: string[] }) => c.argv[0] === 'git').cwd).toBe(join(out.workspace, 'src'));
  });

  it('check --path decides a file operation', () => {
    const r = harness(['check', '--json', '--path', '.git/hooks/pre-commit', '--op', 'write']);
    expect(JSON.parse(r.stdout)).toMatchObject({ verdict: 'deny', ruleId: 'tamper.git-internals' });
  });

  it('check --jsonl answers one line per input line, in order, and never allows an unreadable line', () => {
    const input = ['{"command":"ls"}', 'not json', '{"path":"~/.aws/credentials","op":"read"}', '{"command":"rm -rf build","cwd":"src"}', '{"nothing":1}'].join(
      '\n',
    );
    const r = harness(['check', '--jsonl'], { input });
    const lines = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.verdict)).toEqual(['allow', 'ask', 'deny', 'allow', 'ask']);
    expect(lines[1].ruleId).toBe('core.bad-input');
  });

  it('check --host explains a network decision: the rule, the reason, the other rules that matched', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-host-'));
    execFileSync('git', ['init', '-q'], { cwd: dir });
    execFileSync('git', ['remote', 'add', 'origin', 'git@git.example.org:team/repo.git'], { cwd: dir });
    writeFileSync(
      join(dir, 'harness.config.json'),
      JSON.stringify({
        sandbox: { network: { allowHosts: ['*.corp.example'], rules: [{ id: 'team.our-paste', host: 'paste.rs', decision: 'allow', reason: 'ours' }] } },
      }),
    );
    const cases: [string[], string, string][] = [
      [['registry.npmjs.org'], 'allow', 'network.registry'],
      [['git.example.org:22'], 'allow', 'network.git-remote'],
      [['https://x.ngrok-free.app/hook'], 'deny', 'network.tunnel-service'],
      [['paste.rs'], 'allow', 'team.our-paste'],
      [['build.corp.example'], 'allow', 'config.allow-hosts'],
      [['169.254.169.254:80'], 'deny', 'network.local-address'],
      [['unknown.example'], 'ask', 'network.unknown'],
      [['api.openai.com', '--agent', 'codex'], 'allow', 'network.agent-api'],
      [['api.openai.com', '--agent', 'claude'], 'ask', 'network.unknown'],
    ];
    for (const [args, verdict, ruleId] of cases) {
      const r = harness(['check', '--json', '--host', ...args], { cwd: dir });
      expect(r.code, r.stderr).toBe({ allow: 0, ask: 3, deny: 4 }[verdict]);
      expect(JSON.parse(r.stdout), args.join(' ')).toMatchObject({ verdict, ruleId });
    }
    const text = harness(['check', '--host', 'paste.rs'], { cwd: dir });
    expect(text.stdout).toMatch(/^allow team\.our-paste {2}connect paste\.rs:443\n {6}ours\n/);
    expect(text.stdout).toMatch(/other rules that matched:\n\s+deny\s+network\.paste-service/);
    expect(JSON.parse(harness(['check', '--json', '--host', 'a b'], { cwd: dir }).stdout)).toMatchObject({ verdict: 'deny', ruleId: 'network.bad-host' });
    expect(harness(['check', '--host', ''], { cwd: dir }).code).toBe(2);
    expect(harness(['check', '--host', 'x.test', 'ls'], { cwd: dir }).code).toBe(2);
    expect(harness(['check', '--host', 'x.test', '--agent', 'aider'], { cwd: dir }).code).toBe(2);
    expect(harness(['check', '--agent', 'claude', 'ls'], { cwd: dir }).code).toBe(2);
  });

  it('usage errors exit 2', () => {
    expect(harness(['check']).code).toBe(2);
    expect(harness(['check', '--path', 'x', '--op', 'chmod']).code).toBe(2);
    expect(harness(['no-such-command']).code).toBe(2);
  });

  it('rules list and rules test', () => {
    const list = JSON.parse(harness(['rules', 'list', '--json']).stdout);
    expect(list.packs).toContain('recommended');
    expect(list.rules.map((r: { id: string }) => r.id)).toContain('git.push-force');
    // a rule that names each program with its own subcommands shows them, not "[object Object]"
    expect(list.rules.find((r: { id: string }) => r.id === 'infra.publish-other').match).toMatch(/^cargo publish\|yank\|owner, gem /);
    expect(list.rules.filter((r: { match: string }) => r.match.includes('[object'))).toEqual([]);
    const test = harness(['rules', 'test']);
    expect(test.code).toBe(0);
    expect(test.stdout).toMatch(/\d+ passed, 0 failed/);
  });

  it('a bad config stops everything with the file, the field and what was found', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-badcfg-'));
    writeFileSync(join(dir, 'harness.config.json'), JSON.stringify({ defaults: { shell: 'sometimes' } }));
    const r = harness(['check', 'ls'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, 'harness.config.json'));
    expect(r.stderr).toMatch(/defaults\.shell: .*found "sometimes"/);
    expect(r.stdout).toBe('');
  });

  it('a rule regex that cannot run in linear time stops check with the file, the field, the construct and a fix, and no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-badregex-'));
    writeFileSync(
      join(dir, 'harness.config.json'),
      JSON.stringify({ rules: [{ id: 'team.twice', decision: 'deny', reason: 'r', command: 'echo', argsRegex: '^(\\w+) \\1$' }] }),
    );
    const r = harness(['check', 'echo a a'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(join(dir, 'harness.config.json'));
    expect(r.stderr).toMatch(/rules\[0\]\.argsRegex: the backreference "\\1" \(character 8\) cannot run in bounded time: .*e\.g\. "\(ab\)\\1" as "abab"/);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(r.stdout).toBe('');
  });

  it('a rule regex that hangs V8 (^(a+)+$) decides at once, on a matching and on a hostile argument', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-redos-'));
    writeFileSync(
      join(dir, 'harness.config.json'),
      JSON.stringify({ rules: [{ id: 'team.only-a', decision: 'deny', reason: 'r', command: 'echo', argsRegex: '^(a+)+$' }] }),
    );
    const hit = harness(['check', '--json', 'echo aaaa'], { cwd: dir });
    expect(JSON.parse(hit.stdout)).toMatchObject({ verdict: 'deny', ruleId: 'team.only-a' });
    // V8 would backtrack for hours on this; the test's timeout is the bound.
    const hostile = harness(['check', '--json', `echo ${'a'.repeat(50_000)}!`], { cwd: dir });
    expect(hostile.code, hostile.stderr).toBe(0);
    expect(JSON.parse(hostile.stdout)).toMatchObject({ verdict: 'allow', ruleId: null });
  });

  it('rules test fails (exit 1) when a config rule example does not hold', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-example-'));
    writeFileSync(
      join(dir, 'harness.config.json'),
      JSON.stringify({ rules: [{ id: 'team.no-make', decision: 'ask', reason: 'make is slow here', command: 'make', examples: { match: ['cmake .'] } }] }),
    );
    const r = harness(['rules', 'test'], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL team\.no-make/);
  });
});

describe('harness doctor', () => {
  it('checks the agent, config, state, audit log, terminal and the hook round trip', () => {
    const claude = new URL('../../node_modules/.bin/claude', import.meta.url).pathname;
    const bin = (name: string) => new URL(`../../node_modules/.bin/${name}`, import.meta.url).pathname;
    const r = spawnSync(process.execPath, [BIN, 'doctor', '--json'], {
      cwd: repo,
      encoding: 'utf8',
      env: {
        ...process.env,
        HARNESS_CLAUDE_BIN: claude,
        HARNESS_CODEX_BIN: bin('codex'),
        HARNESS_GEMINI_BIN: '/nonexistent/gemini',
        HARNESS_STATE_DIR: mkdtempSync(join(tmpdir(), 'harness-doctor-')),
      },
    });
    const out = JSON.parse(r.stdout);
    expect(r.status, r.stderr).toBe(0);
    expect(out.ok).toBe(true);
    expect(out.checks.map((c: { name: string }) => c.name)).toEqual([
      'node',
      'git repository',
      'config',
      'claude',
      'codex',
      'gemini',
      'state directory',
      'audit log',
      'terminal (node-pty)',
      'sandbox',
      'hook round trip',
    ]);
    expect(out.checks.find((c: { name: string }) => c.name === 'claude').detail).toMatch(/2\.1\.330/);
    expect(out.checks.find((c: { name: string }) => c.name === 'codex').detail).toMatch(/0\.169\.0/);
    expect(out.checks.find((c: { name: string }) => c.name === 'gemini').detail).toMatch(/not installed \(needed only for harness run gemini/);
  });

  it('reports whether the OS sandbox runs here (bubblewrap is installed on this machine), creating nothing', () => {
    const env = {
      ...process.env,
      NO_COLOR: '1',
      HARNESS_CLAUDE_BIN: new URL('../../node_modules/.bin/claude', import.meta.url).pathname,
      HARNESS_STATE_DIR: mkdtempSync(join(tmpdir(), 'harness-doctor-')),
    };
    const json = spawnSync(process.execPath, [BIN, 'doctor', '--json'], { cwd: repo, encoding: 'utf8', env });
    const sandbox = JSON.parse(json.stdout).checks.find((c: { name: string }) => c.name === 'sandbox');
    expect(sandbox, json.stderr).toEqual({
      name: 'sandbox',
      status: 'ok',
      detail: expect.stringMatching(/^bubblewrap \(\/.*bwrap\), native launcher \(\/.*harness-sandbox-init\)$/),
    });
    const text = spawnSync(process.execPath, [BIN, 'doctor'], { cwd: repo, encoding: 'utf8', env });
    expect(text.stdout).toMatch(/^ok +sandbox +bubblewrap \(\/\S*bwrap\), native launcher \(\/\S*harness-sandbox-init\)$/m);
    // the probe is a bare bubblewrap run: no checkpoint ref directory, nothing in the workspace
    expect(existsSync(join(repo, '.git', 'refs', 'harness'))).toBe(false);
  });

  it('without bubblewrap the sandbox line says what to install: a warning under "auto", a failure under "required", fine under "off"', () => {
    // a PATH with git and node but no bwrap
    const path = mkdtempSync(join(tmpdir(), 'harness-doctor-path-'));
    for (const name of ['git', 'node']) symlinkSync(execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim(), join(path, name));
    const doctor = (mode: string | null) => {
      const dir = mkdtempSync(join(tmpdir(), 'harness-doctor-sbx-'));
      execFileSync('git', ['init', '-q'], { cwd: dir });
      if (mode) writeFileSync(join(dir, 'harness.config.json'), JSON.stringify({ sandbox: { mode } }));
      const env = {
        ...process.env,
        PATH: path,
        HARNESS_CLAUDE_BIN: new URL('../../node_modules/.bin/claude', import.meta.url).pathname,
        HARNESS_STATE_DIR: mkdtempSync(join(tmpdir(), 'harness-doctor-')),
      };
      const r = spawnSync(process.execPath, [BIN, 'doctor', '--json'], { cwd: dir, encoding: 'utf8', env });
      return { code: r.status, sandbox: JSON.parse(r.stdout).checks.find((c: { name: string }) => c.name === 'sandbox') };
    };
    const missing = { detail: 'bubblewrap (bwrap) is not installed', fix: expect.stringMatching(/^install it: sudo apt-get install bubblewrap/) };
    expect(doctor(null)).toEqual({ code: 0, sandbox: { name: 'sandbox', status: 'warn', ...missing } });
    expect(doctor('required')).toEqual({ code: 1, sandbox: { name: 'sandbox', status: 'fail', ...missing } });
    expect(doctor('off')).toEqual({
      code: 0,
      sandbox: { name: 'sandbox', status: 'ok', detail: 'switched off by sandbox.mode "off" (bubblewrap (bwrap) is not installed)' },
    });
  });

  it('fails with a fix when the agent is missing', () => {
    const r = spawnSync(process.execPath, [BIN, 'doctor'], {
      cwd: repo,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1', HARNESS_CLAUDE_BIN: '/nonexistent/claude', HARNESS_STATE_DIR: mkdtempSync(join(tmpdir(), 'harness-doctor-')) },
    });
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/FAIL claude .*not found/);
    expect(r.stdout).toMatch(/fix: npm install -g @anthropic-ai\/claude-code/);
  });
});

describe('checkpoint commands (built binary, real git repo)', () => {
  it('checkpoint, checkpoints with files changed, rollback --dry-run, rollback, --undo', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-cli-cp-'));
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const opts = { cwd: dir, env: { HARNESS_STATE_DIR: join(dir, '..', `${dir.split('/').pop()}-state`) } };
    writeFileSync(join(dir, 'a.txt'), 'one');
    expect(harness(['checkpoint', '-m', 'first'], opts).code).toBe(0);
    writeFileSync(join(dir, 'a.txt'), 'two');
    writeFileSync(join(dir, 'b.txt'), 'new');
    expect(harness(['checkpoint', '-m', 'second'], opts).code).toBe(0);
    const list = harness(['checkpoints'], opts).stdout;
    expect(list).toMatch(/#2 2 files manual second/);
    expect(list).toMatch(/#1 1 file manual first/);
    const first = JSON.parse(harness(['checkpoints', '--json'], opts).stdout).at(-1).id as string;
    const dry = harness(['rollback', '--to', first.slice(0, 8), '--dry-run'], opts);
    expect(dry.stdout).toMatch(/~ a\.txt/);
    expect(dry.stdout).toMatch(/- b\.txt/);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('new');
    const rb = harness(['rollback', '--to', first.slice(0, 8)], opts);
    expect(rb.code, rb.stderr).toBe(0);
    expect(readFileSync(join(dir, 'a.txt'), 'utf8')).toBe('one');
    expect(existsSync(join(dir, 'b.txt'))).toBe(false);
    expect(harness(['rollback', '--undo', '--session', 'manual'], opts).code).toBe(0);
    expect(readFileSync(join(dir, 'b.txt'), 'utf8')).toBe('new');
    // both are in the audit log, under the session the checkpoints belong to, by the person at the command line
    const log = JSON.parse(harness(['log', '--session', 'manual', '--json'], opts).stdout) as {
      rollbacks: { kind: string; by: string; actor: string; to: string; from: string; files: unknown[] }[];
    };
    expect(log.rollbacks.map((r) => [r.kind, r.by, typeof r.actor, r.files.length])).toEqual([
      ['rollback', 'cli', 'string', 2],
      ['undo', 'cli', 'string', 2],
    ]);
    expect(log.rollbacks[0]!.to).toBe(first);
    expect(log.rollbacks[1]!.to).toBe(log.rollbacks[0]!.from);
    const text = harness(['log', '--session', 'manual'], opts).stdout;
    expect(text).toMatch(/rollback +\[cli [^\]]+\] to [0-9a-f]{12} from [0-9a-f]{12}: 2 file\(s\): a\.txt, b\.txt/);
  });

  it('diff prints the bytes the files hold, and says when there is no difference', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-cli-diff-'));
    execFileSync('git', ['init', '-q'], { cwd: dir });
    const opts = { cwd: dir, env: { HARNESS_STATE_DIR: join(dir, '..', `${dir.split('/').pop()}-state`) } };
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from('caf\xe9\n', 'latin1'));
    expect(harness(['checkpoint', '-m', 'first'], opts).code).toBe(0);
    const same = harness(['diff', JSON.parse(harness(['checkpoints', '--json'], opts).stdout)[0].id], opts);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toBe('');
    expect(same.stderr).toMatch(/^No difference between [0-9a-f]{12} and the working tree\.\n$/);
    writeFileSync(join(dir, 'latin1.txt'), Buffer.from('na\xefve\n', 'latin1'));
    const id = JSON.parse(harness(['checkpoints', '--json'], opts).stdout)[0].id as string;
    const r = spawnSync(process.execPath, [BIN, 'diff', id], { cwd: dir, env: { ...process.env, NO_COLOR: '1', ...opts.env } });
    expect(r.status).toBe(0);
    // not decoded: the removed and added lines are the files' own bytes
    expect(r.stdout.includes(Buffer.from('-caf\xe9\n', 'latin1'))).toBe(true);
    expect(r.stdout.includes(Buffer.from('+na\xefve\n', 'latin1'))).toBe(true);
  });
});
