import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { builtinPacks, loadConfig, resolveConfig } from '../../src/config/load.js';
import { configJsonSchema } from '../../src/config/schema.js';
import { runExamples, describeExample } from '../../src/config/examples.js';
import { ConfigError } from '../../src/errors.js';
import { check, policyFromConfig, WS } from '../helpers.js';

function problems(raw: unknown): string[] {
  try {
    resolveConfig(raw, '/repo/harness.config.json');
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return (e as ConfigError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('the rule format: no alternation inside strings, no cross products', () => {
  it('"|" inside a subcommand is refused with the entries to write instead', () => {
    expect(problems({ rules: [{ id: 'x', decision: 'ask', reason: 'r', command: 'git', subcommand: 'stash drop|clear' }] })[0]).toMatch(
      /^rules\[0\]\.subcommand\[0\]: "stash drop\|clear": write each alternative as its own entry \("stash drop", "stash clear"\), not with "\|"/,
    );
    expect(problems({ rules: [{ id: 'x', decision: 'ask', reason: 'r', command: { aws: ['s3 rm|rb'] } }] })[0]).toMatch(
      /^rules\[0\]\.command\.aws: .*"s3 rm", "s3 rb"/,
    );
  });

  it('each program with its own subcommands: gsutil s3 rm is not aws s3 rm', () => {
    const policy = policyFromConfig({ extends: [], rules: [{ id: 'x', decision: 'ask', reason: 'r', command: { aws: ['s3 rm'], gsutil: ['rm'] } }] });
    expect(check('aws s3 rm s3://b/x', WS, policy).verdict).toBe('ask');
    expect(check('gsutil rm gs://b/x', WS, policy).verdict).toBe('ask');
    expect(check('gsutil s3 rm x', WS, policy).verdict).toBe('allow');
    expect(check('aws rm x', WS, policy).verdict).toBe('allow');
    expect(problems({ rules: [{ id: 'x', decision: 'ask', reason: 'r', command: { aws: ['s3 rm'] }, subcommand: 'rm' }] })[0]).toMatch(
      /^rules\[0\]\.subcommand: with "command" naming each program's subcommands, "subcommand" is not used/,
    );
  });
});

describe('config validation names the field, what was expected and what was found', () => {
  it.each([
    [{ extends: 'recommended' }, /^extends: .*expected array.*\(found "recommended"\)/],
    [{ rules: [{ id: 'x', decision: 'maybe', reason: 'r', command: 'ls' }] }, /^rules\[0\]\.decision: .*"allow".*"ask".*"deny".*\(found "maybe"\)/],
    [{ rules: [{ id: 'Bad Id', decision: 'deny', reason: 'r', command: 'ls' }] }, /^rules\[0\]\.id: lowercase letters.*\(found "Bad Id"\)/],
    [{ rules: [{ id: 'x', decision: 'deny', reason: 'r' }] }, /^rules\[0\]: a rule needs exactly one of "command", "paths" or "tag"/],
    [{ rules: [{ id: 'x', decision: 'deny', reason: 'r', command: 'ls', argsRegex: '(' }] }, /^rules\[0\]\.argsRegex: not a valid regular expression/],
    [
      { rules: [{ id: 'x', decision: 'deny', reason: 'r', command: 'ls', argsRegex: '^(\\w+) \\1$' }] },
      /^rules\[0\]\.argsRegex: the backreference "\\1" \(character 8\) cannot run in bounded time: harness matches rule regexes with a linear-time engine .* spell the repeated text out \(e\.g\. .*\) \(found "\^\(\\\\w\+\) \\\\1\$"\)$/,
    ],
    [
      { rules: [{ id: 'x', decision: 'deny', reason: 'r', command: 'git', argsRegex: '(?<!--)force' }] },
      /^rules\[0\]\.argsRegex: the lookbehind "\(\?<!" \(character 1\) cannot run in bounded time: .* match the text before as part of the pattern \(e\.g\. "\(\?<=--\)force" as "--force"\)/,
    ],
    [
      { rules: [{ id: 'x', decision: 'deny', reason: 'r', command: 'git', argsRegex: '--force(?!.*-with-lease)' }] },
      /^rules\[0\]\.argsRegex: the lookahead "\(\?!\.\*-with-lease\)" \(character 8\) can look arbitrarily far ahead, which cannot run in bounded time: .*bound what is inside/,
    ],
    [
      { rules: [{ id: 'x', decision: 'deny', reason: 'r', command: 'git', args: ['!(*.js)'] }] },
      /^rules\[0\]\.args\[0\]: the glob cannot be matched in bounded time: an extglob like "!\(\*\.js\)" over "\*" has to look arbitrarily far ahead; harness matches globs with a linear-time engine .*\(found "!\(\*\.js\)"\)/,
    ],
    [
      { rules: [{ id: 'x', decision: 'deny', reason: 'r', paths: ['~/.ssh/**', '!(*.pub)'] }] },
      /^rules\[0\]\.paths\[1\]: the glob cannot be matched in bounded time/,
    ],
    [
      { rules: [{ id: 'x', decision: 'deny', reason: 'r', command: 'ls', argsRegex: '[0-9]{5000}' }] },
      /^rules\[0\]\.argsRegex: the pattern compiles to 5001 states, over the limit of 2000 .* "\[0-9\]\{5000\}" \(character 1\): use a smaller count/,
    ],
    [{ defaults: { onParseError: 'allow' } }, /^defaults\.onParseError: .*"ask".*"deny".*\(found "allow"\)/],
    [{ defualts: {} }, /^defualts: unknown key, did you mean "defaults"\?/],
    [{ extends: ['recomended'] }, /^extends\[0\]: unknown rule pack "recomended".*"recommended"/],
    [{ disable: ['git.reset-hrad'] }, /^disable\[0\]: no rule "git.reset-hrad"/],
    [{ rules: [{ id: 'git.reset-hard', decision: 'deny', reason: 'r', command: 'git' }] }, /^rules\[0\]\.id: "git.reset-hard" is already used by pack "git"/],
    [{ sandbox: { mode: 'maybe' } }, /^sandbox\.mode: .*"auto".*"required".*"off".*\(found "maybe"\)/],
    [{ sandbox: 'auto' }, /^sandbox: .*expected object.*\(found "auto"\)/],
    [{ sandbox: { netwrok: {} } }, /^sandbox\.netwrok: unknown key, did you mean "network"\? \(keys allowed here: "mode", "filesystem", "network"\)/],
    [{ sandbox: { filesystem: { allowwrite: ['dist'] } } }, /^sandbox\.filesystem\.allowwrite: unknown key, did you mean "allowWrite"\?/],
    [{ sandbox: { filesystem: { allowRead: '~/.npmrc' } } }, /^sandbox\.filesystem\.allowRead: .*expected array.*\(found "~\/\.npmrc"\)/],
    [{ sandbox: { filesystem: { denyRead: [''] } } }, /^sandbox\.filesystem\.denyRead\[0\]: .*\(found ""\)/],
    [
      { sandbox: { network: { allowHosts: ['http://x'] } } },
      /^sandbox\.network\.allowHosts\[0\]: a host name or IP address, optionally with a leading "\*\." and a ":port".*\(found "http:\/\/x"\)/,
    ],
    [{ sandbox: { network: { allowHosts: ['example.com/path'] } } }, /^sandbox\.network\.allowHosts\[0\]: a host name.*\(found "example\.com\/path"\)/],
    [{ sandbox: { network: { allowHosts: ['a.*.com'] } } }, /^sandbox\.network\.allowHosts\[0\]: a host name.*\(found "a\.\*\.com"\)/],
    [{ sandbox: { network: { allowHosts: ['example.com:0'] } } }, /^sandbox\.network\.allowHosts\[0\]: the port must be 1 to 65535/],
    [{ sandbox: { network: { allowHosts: ['[::1]:99999'] } } }, /^sandbox\.network\.allowHosts\[0\]: the port must be 1 to 65535/],
    [
      { sandbox: { network: { rules: [{ id: 'x', host: 'paste.rs', decision: 'maybe' }] } } },
      /^sandbox\.network\.rules\[0\]\.decision: .*"allow".*"ask".*"deny".*\(found "maybe"\)/,
    ],
    [
      { sandbox: { network: { rules: [{ id: 'x', hosts: ['paste.rs'], decision: 'allow' }] } } },
      /^sandbox\.network\.rules\[0\]\.host: a host pattern or a list of them.*\(found nothing\)\nsandbox\.network\.rules\[0\]\.hosts: unknown key, did you mean "host"\?/,
    ],
    [{ sandbox: { network: { rules: [{ id: 'x', host: [], decision: 'allow' }] } } }, /^sandbox\.network\.rules\[0\]\.host: /],
    [
      { sandbox: { network: { rules: [{ id: 'network.registry', host: 'x.test', decision: 'allow' }] } } },
      /^sandbox\.network\.rules\[0\]\.id: "network\.registry" is already used by harness's network rules/,
    ],
    [
      { sandbox: { network: { rules: [{ id: 'git.reset-hard', host: 'x.test', decision: 'allow' }] } } },
      /^sandbox\.network\.rules\[0\]\.id: "git\.reset-hard" is already used by pack "git"/,
    ],
    [{ sandbox: { network: { unknownHosts: 'allow' } } }, /^sandbox\.network\.unknownHosts: .*"ask".*"deny".*\(found "allow"\)/],
    [{ disable: ['network.regsitry'] }, /^disable\[0\]: no rule "network\.regsitry"/],
    [{ sandbox: { network: { allowLocalPorts: [70000] } } }, /^sandbox\.network\.allowLocalPorts\[0\]: .*65535.*\(found 70000\)/],
    [{ sandbox: { network: { allowLocalPorts: [0] } } }, /^sandbox\.network\.allowLocalPorts\[0\]: .*>=1.*\(found 0\)/],
    [{ sandbox: { network: { allowLocalPorts: [80.5] } } }, /^sandbox\.network\.allowLocalPorts\[0\]: .*int.*\(found 80\.5\)/],
    [{ sandbox: { network: { allowLocalPorts: ['5432'] } } }, /^sandbox\.network\.allowLocalPorts\[0\]: .*expected number.*\(found "5432"\)/],
  ])('%j', (raw, pattern) => {
    expect(problems(raw).join('\n')).toMatch(pattern);
  });

  it('a valid sandbox section resolves to the sandbox settings; without one the sandbox is "auto" with nothing extra', () => {
    expect(resolveConfig({}, 'test.json').sandbox).toEqual({
      mode: 'auto',
      allowWrite: [],
      denyRead: [],
      allowRead: [],
      allowHosts: [],
      allowLocalPorts: [],
      hostRules: [],
      unknownHosts: 'ask',
      disabledNetwork: new Set(),
    });
    const sandbox = {
      mode: 'required',
      filesystem: { allowWrite: ['~/scratch', 'dist'], denyRead: ['~/.company'], allowRead: ['~/.npmrc'] },
      network: {
        allowHosts: ['*.npmjs.org', 'example.com:8443', 'GitHub.com', '*', '10.0.0.5:5432', '[fd00::1]:443'],
        allowLocalPorts: [5432, 65535],
        rules: [
          { id: 'our-paste', host: 'paste.internal.example', decision: 'allow', reason: 'ours' },
          { id: 'no-gists', host: ['gist.github.com', '*.gist.github.com'], decision: 'deny' },
        ],
        unknownHosts: 'deny',
      },
    };
    expect(resolveConfig({ sandbox, disable: ['network.paste-service'] }, 'test.json').sandbox).toEqual({
      mode: 'required',
      allowWrite: ['~/scratch', 'dist'],
      denyRead: ['~/.company'],
      allowRead: ['~/.npmrc'],
      allowHosts: ['*.npmjs.org', 'example.com:8443', 'GitHub.com', '*', '10.0.0.5:5432', '[fd00::1]:443'],
      allowLocalPorts: [5432, 65535],
      hostRules: [
        {
          id: 'config.allow-hosts',
          decision: 'allow',
          reason: 'listed in sandbox.network.allowHosts',
          hosts: ['*.npmjs.org', 'example.com:8443', 'GitHub.com', '*', '10.0.0.5:5432', '[fd00::1]:443'],
        },
        { id: 'our-paste', decision: 'allow', reason: 'ours', hosts: ['paste.internal.example'] },
        { id: 'no-gists', decision: 'deny', reason: 'sandbox.network.rules "no-gists"', hosts: ['gist.github.com', '*.gist.github.com'] },
      ],
      unknownHosts: 'deny',
      disabledNetwork: new Set(['network.paste-service']),
    });
  });

  it('reports JSON syntax errors with line and column, and nothing loads', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-config-'));
    writeFileSync(join(dir, 'harness.config.json'), '{\n  "extends": ["recommended"],\n  "rules": [,]\n}\n');
    expect(() => loadConfig(dir)).toThrow(/harness\.config\.json[\s\S]*not valid JSON.*line 3, column/);
  });

  it('with no config file, the recommended pack applies', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-noconfig-'));
    const loaded = loadConfig(dir);
    expect(loaded.path).toBeNull();
    expect(loaded.packs).toContain('recommended');
    expect(loaded.sources.length).toBeGreaterThan(50);
  });
});

describe('rule regexes run in bounded time', () => {
  // Each of these makes V8's backtracking engine take seconds on ~30 characters, and doubles per character.
  it.each([['^(a+)+$'], ['(a|a)*b$'], ['(a|aa)+$'], ['(.*a){20}'], ['^(\\w+\\s?)*$'], ['(x+x+)+y'], ['((a+)*)+$']])(
    '%s loads, matches as before, and a 100k-character hostile argument is decided',
    (argsRegex) => {
      const policy = policyFromConfig({ rules: [{ id: 'team.slow', decision: 'deny', reason: 'r', command: 'echo', argsRegex }] });
      const expected = new RegExp(argsRegex, 'i');
      for (const arg of ['a', 'aaab', 'xxy', 'ab cd', 'aaaa!']) {
        expect(check(`echo '${arg}'`, WS, policy).ruleId === 'team.slow', arg).toBe(expected.test(arg));
      }
      const hostile = argsRegex.includes('x') ? 'x'.repeat(100_000) : argsRegex.includes('\\w') ? 'ab '.repeat(33_000) + '!' : 'a'.repeat(100_000) + '!';
      const d = check(`echo '${hostile}'`, WS, policy);
      expect(['allow', 'ask', 'deny']).toContain(d.verdict);
    },
  );

  it('every argsRegex in the packs still loads (they ran on V8 before)', () => {
    const regexes = [...builtinPacks().values()].flatMap((p) => p.rules).filter((r) => r.argsRegex);
    expect(regexes.length).toBeGreaterThanOrEqual(10);
  });
});

describe('built-in packs', () => {
  it('every rule has a unique id, a reason the agent can act on, and examples both ways', () => {
    const ids = new Set<string>();
    for (const [, pack] of builtinPacks()) {
      for (const rule of pack.rules) {
        expect(ids.has(rule.id), rule.id).toBe(false);
        ids.add(rule.id);
        expect(rule.reason.length, rule.id).toBeGreaterThan(30);
        expect(rule.examples?.match?.length ?? 0, `${rule.id} needs match examples`).toBeGreaterThan(0);
        expect(rule.examples?.notMatch?.length ?? 0, `${rule.id} needs notMatch examples`).toBeGreaterThan(0);
      }
    }
  });

  const loaded = resolveConfig({ extends: [...builtinPacks().keys()] }, 'all-packs');
  it.each(runExamples(loaded.sources, loaded.defaults).map((r) => [r.ruleId, r.expect, describeExample(r.example), r] as const))(
    '%s %s: %s',
    (_id, _expect, _text, result) => {
      expect(result.ok, `matched: ${result.matched.join(', ')}`).toBe(true);
    },
  );
});

describe('JSON Schema', () => {
  it('the committed harness.config.schema.json is generated from the zod schema (run `npm run schema`)', () => {
    const committed = JSON.parse(readFileSync(new URL('../../harness.config.schema.json', import.meta.url), 'utf8'));
    expect(committed).toEqual(configJsonSchema());
  });

  it('the example config is valid and its examples pass', () => {
    const raw = JSON.parse(readFileSync(new URL('../../harness.config.example.json', import.meta.url), 'utf8'));
    const loaded = resolveConfig(raw, 'harness.config.example.json');
    expect(runExamples(loaded.sources, loaded.defaults).filter((r) => !r.ok)).toEqual([]);
  });
});
