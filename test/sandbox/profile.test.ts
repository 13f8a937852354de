import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtinPacks, resolveConfig } from '../../src/config/load.js';
import type { RuleSource } from '../../src/policy/index.js';
import { bwrapArgs, bwrapAvailability } from '../../src/sandbox/bwrap.js';
import { compileProfile, secretPaths, type ProfileInput, type SandboxProfile } from '../../src/sandbox/profile.js';

/** The rules in force for a config (the recommended pack unless it says otherwise). */
const rulesOf = (raw: unknown = {}): RuleSource[] => resolveConfig(raw, 'test.json').sources;
const recommended = rulesOf();

const HOME = '/home/dev';
/** What hidden files are bound to (the sandbox's doors directory has one). */
const EMPTY = join(mkdtempSync(join(tmpdir(), 'harness-empty-')), 'empty');
writeFileSync(EMPTY, '', { mode: 0o444 });
const WS = '/home/dev/proj';
const STATE = '/home/dev/.local/state/harness/proj-0123456789ab';

function input(overrides: Partial<ProfileInput> = {}): ProfileInput {
  return {
    workspace: WS,
    home: HOME,
    scratch: ['/tmp', '/var/tmp'],
    tempDirs: ['/home/dev/tmp'],
    stateDir: STATE,
    agentState: [`${HOME}/.claude`],
    protectedFiles: [`${HOME}/.claude/settings.json`],
    configPath: null,
    visibleState: [],
    programs: ['/usr/local', '/tmp/ci/harness'],
    writableState: [],
    rules: recommended,
    allowWrite: [],
    denyRead: [],
    allowRead: [],
    localPorts: [],
    ...overrides,
  };
}

describe('secretPaths: the deny-read paths of the secrets pack become mounts', () => {
  const paths = secretPaths(recommended);

  it.each([
    ['~/.ssh', 'secrets.ssh-keys: ~/.ssh/**'],
    ['/root/.ssh', 'secrets.ssh-keys: /root/.ssh/**'],
    ['~/.aws/credentials', 'secrets.cloud-credentials: a file'],
    ['~/.aws/config', 'secrets.cloud-credentials'],
    ['~/.aws/sso', 'secrets.cloud-credentials: ~/.aws/sso/**'],
    ['~/.kube', 'secrets.cloud-credentials: ~/.kube/**'],
    ['~/.config/gcloud', 'secrets.cloud-credentials'],
    ['~/.docker/config.json', 'secrets.cloud-credentials'],
    ['~/.gnupg', 'secrets.token-files: ~/.gnupg/**'],
    ['~/.netrc', 'secrets.token-files'],
    ['~/.npmrc', 'secrets.token-files'],
    ['~/.git-credentials', 'secrets.token-files'],
    ['/etc/shadow', 'secrets.token-files'],
    ['/etc/sudoers.d', 'secrets.token-files: /etc/sudoers.d/**'],
  ])('%s is hidden (%s)', (path) => {
    expect(paths).toContain(path);
  });

  it.each([
    ['/', 'the unanchored /**/id_rsa globs of secrets.private-key-files'],
    ['', 'an empty prefix'],
    ['~', 'the whole home'],
    ['/etc/ssh', '/etc/ssh/*_key: a glob in the last segment anchors nothing'],
    ['~/.ssh/config.d', 'secrets.ssh-config asks, it does not deny'],
    ['~/.bash_history', 'secrets.history asks, it does not deny'],
  ])('%j is not a mount (%s)', (path) => {
    expect(paths).not.toContain(path);
  });

  it('every path is anchored at ~ or /; a pattern only in its last part (expanded when the sandbox starts)', () => {
    expect(paths.length).toBeGreaterThan(20);
    for (const p of paths) {
      expect(p.slice(0, p.lastIndexOf('/')), p).not.toMatch(/[*?[\]{}]/);
      expect(p, p).toMatch(/^(~\/|\/)./);
    }
    expect(paths).toContain('/etc/ssh/*_key');
    // the private-key globs contribute nothing at all
    const keys = recommended.filter((r) => r.spec.id === 'secrets.private-key-files');
    expect(keys).toHaveLength(1);
    expect(secretPaths(keys)).toEqual([]);
  });

  it('reads the real built-in secrets pack', () => {
    const pack = builtinPacks().get('secrets')!;
    expect(secretPaths(pack.rules.map((spec) => ({ spec, origin: 'pack:secrets' })))).toEqual(paths);
  });

  it.each([
    ['secrets.token-files', ['~/.netrc', '~/.gnupg', '~/.npmrc'], ['~/.ssh', '~/.aws/credentials']],
    ['secrets.ssh-keys', ['~/.ssh', '/root/.ssh'], ['~/.netrc', '~/.kube']],
    ['secrets.cloud-credentials', ['~/.aws/credentials', '~/.kube'], ['~/.gnupg']],
  ])('a disabled rule (disable: ["%s"]) hides nothing', (id, gone, kept) => {
    const disabled = secretPaths(rulesOf({ disable: [id] }));
    for (const p of gone) expect(disabled, p).not.toContain(p);
    for (const p of kept) expect(disabled, p).toContain(p);
  });

  it.each([
    ['a deny rule outside the secrets pack', { id: 'team.private', decision: 'deny', reason: 'r', paths: ['~/private/**'] }],
    ['a secrets rule that only asks', { id: 'secrets.maybe', decision: 'ask', reason: 'r', paths: ['~/maybe/**'] }],
    ['a secrets rule that denies only writes', { id: 'secrets.write-only', decision: 'deny', reason: 'r', paths: ['~/wo/**'], ops: ['write'] }],
  ])('%s is no mount', (_what, spec) => {
    expect(secretPaths([{ spec, origin: 'test' } as RuleSource])).toEqual([]);
  });

  it('a secrets rule that denies reads is a mount', () => {
    const spec = { id: 'secrets.team', decision: 'deny', reason: 'r', paths: ['~/vault/**', '/srv/keys/master.key'], ops: ['read', 'write'] };
    expect(secretPaths([{ spec, origin: 'test' } as RuleSource])).toEqual(['~/vault', '/srv/keys/master.key']);
  });
});

describe('compileProfile', () => {
  const profile = compileProfile(input({ allowWrite: ['~/scratch', 'build', '/opt/shared'], writableState: [`${STATE}/overlay`] }));

  it.each([
    ['/home/dev/tmp', 'a temp dir'],
    [WS, 'the workspace'],
    [`${HOME}/.claude`, "the agent's state"],
    [`${HOME}/.cache`, 'a cache'],
    [`${HOME}/.npm`, 'the npm cache'],
    [`${HOME}/.cargo/registry`, 'the cargo registry'],
    [`${HOME}/go/pkg/mod`, 'the Go module cache'],
    [`${HOME}/scratch`, 'allowWrite "~/scratch"'],
    [`${WS}/build`, 'allowWrite "build" (relative: in the workspace)'],
    ['/opt/shared', 'allowWrite "/opt/shared"'],
    [`${STATE}/overlay`, 'writable state'],
  ])('%s is writable (%s)', (path) => {
    expect(profile.writable).toContain(path);
  });

  it.each([[HOME], [`${HOME}/.ssh`], [`${HOME}/.cargo`], [STATE], ['/']])('%s is not writable', (path) => {
    expect(profile.writable).not.toContain(path);
  });

  it('HOME and the state directory are read-only even inside a writable tree', () => {
    expect(profile.readOnly).toEqual(expect.arrayContaining([HOME, STATE]));
  });

  it.each([
    ['no config file: the one harness would find', input(), `${WS}/harness.config.json`],
    ['an explicit config file', input({ configPath: '/etc/team/harness.json' }), '/etc/team/harness.json'],
  ])('protected always holds the config (%s), .git/config, .git/hooks, .git/refs/harness and the files given', (_what, given, config) => {
    const p = compileProfile(given);
    expect(p.protected).toEqual(
      expect.arrayContaining([config, `${WS}/.git/config`, `${WS}/.git/hooks`, `${WS}/.git/refs/harness`, `${HOME}/.claude/settings.json`]),
    );
  });

  it('secrets are hidden, expanded against HOME; denyRead adds more (relative ones in the workspace)', () => {
    const p = compileProfile(input({ denyRead: ['~/.company-token', 'secrets/', '/srv/private'] }));
    expect(p.hidden).toEqual(
      expect.arrayContaining([`${HOME}/.ssh`, `${HOME}/.aws/credentials`, `${HOME}/.kube`, `${HOME}/.gnupg`, `${HOME}/.netrc`, '/root/.ssh', '/etc/shadow']),
    );
    expect(p.hidden).toEqual(expect.arrayContaining([`${HOME}/.company-token`, `${WS}/secrets`, '/srv/private']));
    expect(p.hidden.some((h) => h.includes('~') || /[*?]/.test(h.slice(0, h.lastIndexOf('/'))))).toBe(false);
  });

  it.each([
    ['~/.npmrc', `${HOME}/.npmrc`],
    ['~/.aws/credentials', `${HOME}/.aws/credentials`],
    [`${HOME}/.kube`, `${HOME}/.kube`],
  ])('allowRead %j exempts %s and nothing else', (allowed, exempt) => {
    const p = compileProfile(input({ allowRead: [allowed] }));
    expect(p.hidden).not.toContain(exempt);
    expect(p.hidden).toContain(`${HOME}/.ssh`);
    expect(compileProfile(input()).hidden).toContain(exempt);
  });

  it("/tmp and /var/tmp are private scratch, not the host's (their sockets are doors out)", () => {
    const p = compileProfile(input());
    expect(p.scratch).toEqual(['/tmp', '/var/tmp']);
    expect(p.writable).not.toContain('/tmp');
  });

  it('programs installed inside a private temp dir stay visible read-only; elsewhere they need nothing', () => {
    const p = compileProfile(input());
    expect(p.readOnly).toContain('/tmp/ci/harness');
    expect(p.readOnly).not.toContain('/usr/local');
  });

  it('allowRead of a file inside a hidden directory keeps the directory hidden and binds the file back read-only', () => {
    const p = compileProfile(input({ allowRead: ['~/.ssh/config'] }));
    expect(p.hidden).toContain(`${HOME}/.ssh`);
    expect(p.readOnly).toContain(`${HOME}/.ssh/config`);
  });

  it('a disabled secrets rule is not hidden', () => {
    const p = compileProfile(input({ rules: rulesOf({ disable: ['secrets.token-files'] }) }));
    expect(p.hidden).not.toContain(`${HOME}/.netrc`);
    expect(p.hidden).not.toContain(`${HOME}/.gnupg`);
    expect(p.hidden).toContain(`${HOME}/.ssh`);
  });

  it.each([
    ['the state directory is hidden', [], true],
    ['a file injected from it is visible, the directory still hidden', [`${STATE}/run/s1/settings.json`], true],
    ['listed as visible, it is not hidden', [STATE], false],
  ])('%s', (_what, visibleState, hidden) => {
    const p = compileProfile(input({ visibleState }));
    expect(p.hidden.includes(STATE)).toBe(hidden);
    for (const v of visibleState) {
      expect(p.readOnly).toContain(v);
      expect(p.hidden).not.toContain(v);
    }
  });

  it('ports are passed through without duplicates', () => {
    const p = compileProfile(input({ localPorts: [5432, 8080, 5432] }));
    expect(p.localPorts).toEqual([5432, 8080]);
  });
});

describe('bwrapArgs', () => {
  const profile: SandboxProfile = {
    scratch: [],
    writable: ['/nonexistent-harness-w'],
    readOnly: [],
    protected: ['/nonexistent-harness-p'],
    hidden: ['/nonexistent-harness-h'],
    localPorts: [],
  };

  it('the host root read-only, private namespaces, killed with the parent; a new session only when asked', () => {
    const args = bwrapArgs(profile, { newSession: false, emptyFile: EMPTY });
    expect(args.slice(0, 3)).toEqual(['--ro-bind', '/', '/']);
    expect(args).toEqual(
      expect.arrayContaining(['--unshare-user', '--unshare-pid', '--unshare-net', '--unshare-ipc', '--die-with-parent', '--disable-userns']),
    );
    expect(args).not.toContain('--new-session');
    expect(bwrapArgs(profile, { newSession: true, emptyFile: EMPTY })).toContain('--new-session');
  });

  it('paths that do not exist are left out', () => {
    expect(bwrapArgs(profile, { newSession: false, emptyFile: EMPTY }).filter((a) => a.includes('nonexistent'))).toEqual([]);
  });
});

/**
 * The ordering semantics, checked by running bubblewrap on a real tree. The tree sits under HOME, not
 * /tmp: a writable /tmp would make everything in it writable anyway.
 */
describe.skipIf(!bwrapAvailability().ok)('bwrapArgs in bubblewrap: what the agent can read and write', () => {
  let root: string;
  const at = (rel: string): string => join(root, rel);

  function put(rel: string, content = 'content'): void {
    mkdirSync(dirname(at(rel)), { recursive: true });
    writeFileSync(at(rel), content);
  }

  /** Runs `script` in the sandbox; its stdout and stderr together, in order, and its exit code. */
  function inside(profile: SandboxProfile, script: string): { code: number | null; out: string } {
    const binary = (bwrapAvailability() as { binary: string }).binary;
    const r = spawnSync(binary, [...bwrapArgs(profile, { newSession: true, emptyFile: EMPTY }), '--', 'sh', '-c', `exec 2>&1\n${script}`], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    return { code: r.status, out: `${r.stdout}${r.stderr}` };
  }

  beforeAll(() => {
    root = mkdtempSync(join(homedir(), '.harness-test-'));
    put('ws/src/a.txt', 'workspace file');
    put('ws/harness.config.json', '{"protected":true}');
    put('ws/.secret/key', 'workspace secret');
    put('outside/file', 'outside file');
    put('outside/deeper/file', 'deeper file');
    put('secret-dir/token', 'top secret');
    put('secret-dir/nested/more', 'more secret');
    put('secret-file', 'secret file');
    put('ro-in-rw/w/inner/file', 'inner');
  });

  afterAll(() => {
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const handBuilt = (): SandboxProfile => ({
    scratch: [],
    // listed shallow-last on purpose: the order in the profile does not matter, depth does
    writable: [at('outside/deeper'), at('ws'), at('ro-in-rw/w/inner'), at('ro-in-rw'), at('missing-writable')],
    readOnly: [at('ro-in-rw/w'), at('missing-read-only')],
    protected: [at('ws/harness.config.json'), at('ws/missing-protected')],
    hidden: [at('secret-dir'), at('secret-file'), at('ws/.secret'), at('missing-hidden')],
    localPorts: [],
  });

  it('nonexistent paths are skipped without error', () => {
    const args = bwrapArgs(handBuilt(), { newSession: true, emptyFile: EMPTY });
    expect(args.filter((a) => a.includes('missing'))).toEqual([]);
    expect(inside(handBuilt(), 'echo ran')).toEqual({ code: 0, out: 'ran\n' });
    for (const m of ['missing-writable', 'missing-read-only', 'ws/missing-protected', 'missing-hidden']) expect(existsSync(at(m)), m).toBe(false);
  });

  it.each([
    ['a writable dir is writable', 'ws/src/new.txt'],
    ['a new file at the top of a writable dir', 'ws/top.txt'],
    ['a deeper writable dir under a read-only one is writable', 'outside/deeper/new.txt'],
    ['a writable dir under a read-only one under a writable one', 'ro-in-rw/w/inner/new.txt'],
    ['the shallower writable dir around that read-only one', 'ro-in-rw/new.txt'],
  ])('%s (%s), and the write reaches the host', (_what, rel) => {
    const r = inside(handBuilt(), `echo written > '${at(rel)}' && cat '${at(rel)}'`);
    expect(r).toEqual({ code: 0, out: 'written\n' });
    expect(readFileSync(at(rel), 'utf8')).toBe('written\n');
  });

  it.each([
    ['a dir outside every writable tree', 'outside/new.txt'],
    ['a file outside, overwritten', 'outside/file'],
    ['the tree root itself', 'new.txt'],
    ['a read-only dir inside a writable one', 'ro-in-rw/w/new.txt'],
    ['a protected file inside a writable dir', 'ws/harness.config.json'],
    ['a hidden dir inside a writable dir', 'ws/.secret/planted'],
    ['a hidden dir', 'secret-dir/planted'],
  ])('%s is read-only (%s)', (_what, rel) => {
    const before = existsSync(at(rel)) ? readFileSync(at(rel), 'utf8') : null;
    const r = inside(handBuilt(), `echo x > '${at(rel)}'`);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/Read-only file system/);
    expect(existsSync(at(rel)) ? readFileSync(at(rel), 'utf8') : null).toBe(before);
  });

  it('a protected file stays readable, and cannot be replaced by renaming over it', () => {
    const cfg = at('ws/harness.config.json');
    expect(inside(handBuilt(), `cat '${cfg}'`)).toEqual({ code: 0, out: '{"protected":true}' });
    const r = inside(handBuilt(), `echo '{}' > '${at('ws/evil.json')}' && mv '${at('ws/evil.json')}' '${cfg}'`);
    expect(r.code).not.toBe(0);
    expect(readFileSync(cfg, 'utf8')).toBe('{"protected":true}');
  });

  it.each([
    ['a hidden dir reads as empty', 'secret-dir'],
    ['a hidden dir inside a writable dir reads as empty', 'ws/.secret'],
  ])('%s (%s)', (_what, rel) => {
    expect(inside(handBuilt(), `ls -A '${at(rel)}'; cat '${at(rel)}'/* 2>/dev/null; echo end`)).toEqual({ code: 0, out: 'end\n' });
    expect(inside(handBuilt(), `cat '${at(`${rel}/token`)}' '${at(`${rel}/key`)}' ; true`).out).not.toMatch(/top secret|workspace secret/);
  });

  it('a hidden file gives nothing of its content, and cannot be written', () => {
    const r = inside(handBuilt(), `cat '${at('secret-file')}'; echo x > '${at('secret-file')}'; echo end`);
    expect(r.out).not.toContain('secret file');
    expect(r.out).toMatch(/end\n$/);
    expect(readFileSync(at('secret-file'), 'utf8')).toBe('secret file');
  });

  // KNOWN BUG (src/sandbox/bwrap.ts): a hidden file is `--ro-bind /dev/null`, and bubblewrap mounts
  // --ro-bind nodev, so opening it fails with EACCES ("Permission denied") instead of reading empty.
  // Tools that tolerate an empty ~/.npmrc or ~/.netrc can fail on EACCES. Flip to `it` once fixed.
  it('a hidden file reads as empty', () => {
    expect(inside(handBuilt(), `wc -c < '${at('secret-file')}'; cat '${at('secret-file')}'`)).toEqual({ code: 0, out: '0\n' });
  });

  it('what is not mentioned stays readable', () => {
    expect(inside(handBuilt(), `cat '${at('outside/file')}' '${at('ws/src/a.txt')}'`)).toEqual({ code: 0, out: 'outside fileworkspace file' });
  });

  it('a profile compiled from the policy: secrets hidden, HOME read-only, workspace, caches and agent state writable, harness files protected', () => {
    const home = at('home');
    const ws = join(home, 'proj');
    const state = join(home, '.local/state/harness/proj-1');
    put('home/.ssh/id_ed25519', 'PRIVATE KEY');
    put('home/.ssh/known_hosts', 'host key');
    put('home/.aws/credentials', 'aws secret');
    put('home/.netrc', 'machine x password y');
    put('home/.npmrc', '//registry.npmjs.org/:_authToken=npm-token');
    put('home/.bashrc', 'rc');
    put('home/.claude/settings.json', '{}');
    put('home/.cache/tool/x', 'cached');
    put('home/.local/state/harness/proj-1/audit.db', 'audit');
    put('home/.local/state/harness/proj-1/run/s1/settings.json', 'injected');
    put('home/proj/src/a.txt', 'a');
    put('home/proj/harness.config.json', '{}');
    put('home/proj/.git/config', '[core]');
    put('home/proj/.git/hooks/pre-commit', '#!/bin/sh');
    mkdirSync(join(ws, '.git/refs/harness'), { recursive: true });
    const injected = join(state, 'run/s1/settings.json');
    const profile = compileProfile(
      input({
        workspace: ws,
        home,
        tempDirs: [],
        stateDir: state,
        agentState: [join(home, '.claude')],
        protectedFiles: [join(home, '.claude/settings.json'), injected],
        visibleState: [injected],
        allowRead: ['~/.npmrc'],
      }),
    );
    const script = [
      `cat '${home}/.ssh/id_ed25519' '${home}/.aws/credentials' '${home}/.netrc' 2>&1`,
      // the state directory shows only the mount points of the injected file
      `ls -A '${home}/.ssh' '${state}'`,
      `cat '${home}/.npmrc' '${injected}'; echo`,
      `echo w > '${ws}/src/b.txt' && echo w > '${home}/.cache/tool/y' && echo w > '${home}/.claude/new' && echo writes-ok`,
      `for f in '${home}/.bashrc' '${ws}/harness.config.json' '${ws}/.git/config' '${ws}/.git/hooks/pre-commit' '${ws}/.git/refs/harness/x' '${home}/.claude/settings.json' '${injected}'; do (echo x > "$f") 2>/dev/null && echo "WROTE $f"; done`,
      'echo end',
    ].join('\n');
    const r = inside(profile, script);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/PRIVATE KEY|aws secret|password y|audit|WROTE/);
    expect(r.out).toContain('npm-token');
    expect(r.out).toContain('injected');
    expect(r.out).toContain('writes-ok');
    expect(r.out).toMatch(/proj-1:\nrun\n/);
    expect(readFileSync(join(ws, 'src/b.txt'), 'utf8')).toBe('w\n');
    expect(readFileSync(join(ws, 'harness.config.json'), 'utf8')).toBe('{}');
  });

  // KNOWN BUG (src/sandbox/bwrap.ts skips protected paths that do not exist): with no config file yet,
  // the agent can create harness.config.json in its writable workspace, and the next run obeys it
  // (sandbox.mode "off", disable: [...]). Flip to `it` once fixed.
  it.fails('a harness.config.json that does not exist yet cannot be created in the workspace', () => {
    const ws = at('fresh-ws');
    mkdirSync(join(ws, '.git/hooks'), { recursive: true });
    const profile = compileProfile(
      input({ workspace: ws, home: at('fresh-home'), tempDirs: [], stateDir: at('fresh-state'), agentState: [], protectedFiles: [] }),
    );
    inside(profile, `echo '{"sandbox":{"mode":"off"}}' > '${ws}/harness.config.json'`);
    expect(existsSync(join(ws, 'harness.config.json'))).toBe(false);
  });
});
