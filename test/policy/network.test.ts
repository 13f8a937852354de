import { describe, expect, it } from 'vitest';
import { isIP } from 'node:net';
import { builtinHostRules, HostPolicy, ipVersion, isLocalAddress, normalizeHost, parseDestination, urlHost, type HostRule } from '../../src/policy/network.js';

const only = (hosts: string[], decision: HostRule['decision'] = 'allow'): HostPolicy =>
  new HostPolicy({ rules: [{ id: 'mine', decision, reason: 'r', hosts }], builtin: [], unknown: 'deny' });

const defaults = (rules: HostRule[] = [], disabled: string[] = []): HostPolicy =>
  new HostPolicy({
    rules,
    builtin: builtinHostRules({
      agentHosts: [{ agent: 'claude', hosts: ['api.anthropic.com:443'] }],
      gitHosts: ['github.com:443', 'github.com:22'],
      disabled: new Set(disabled),
    }),
    unknown: 'ask',
    // this machine's interface addresses
    ownAddresses: new Set(['192.0.2.2']),
  });

describe('host patterns', () => {
  it.each([
    // exact host: the web ports only
    [['registry.npmjs.org'], 'registry.npmjs.org', 443, true],
    [['registry.npmjs.org'], 'registry.npmjs.org', 80, true],
    [['registry.npmjs.org'], 'registry.npmjs.org', 8443, false],
    [['registry.npmjs.org'], 'npmjs.org', 443, false],
    [['registry.npmjs.org'], 'evil-registry.npmjs.org', 443, false],
    [['registry.npmjs.org'], 'registry.npmjs.org.evil.com', 443, false],
    [['registry.npmjs.org'], 'registryxnpmjsxorg', 443, false],
    // leading glob: any subdomain, not the domain itself, not a look-alike
    [['*.npmjs.org'], 'registry.npmjs.org', 443, true],
    [['*.npmjs.org'], 'a.b.npmjs.org', 443, true],
    [['*.npmjs.org'], 'npmjs.org', 443, false],
    [['*.npmjs.org'], 'evilnpmjs.org', 443, false],
    [['*.npmjs.org'], 'npmjs.org.evil.com', 443, false],
    [['*.npmjs.org'], 'registry.npmjs.org', 22, false],
    // host:port: that port only
    [['example.com:8443'], 'example.com', 8443, true],
    [['example.com:8443'], 'example.com', 443, false],
    [['*.example.com:8443'], 'api.example.com', 8443, true],
    // case and the trailing dot do not matter
    [['Example.COM'], 'example.com', 443, true],
    [['example.com'], 'EXAMPLE.Com.', 443, true],
    // "*" is any name, never an address
    [['*'], 'anything.example', 443, true],
    [['*'], '203.0.113.7', 443, false],
    [['*.*'], '203.0.113.7', 443, false],
    // addresses: only a pattern naming them; any spelling of the address is the address
    [['203.0.113.7'], '203.0.113.7', 443, true],
    [['127.0.0.1:8080'], '127.1', 8080, true],
    [['127.0.0.1:8080'], '2130706433', 8080, true],
    [['[::1]:8080'], '0:0:0:0:0:0:0:1', 8080, true],
    [['[::1]:8080'], '[::1]', 8080, true],
    // several patterns: any one
    [['a.com', 'b.com:9000'], 'b.com', 9000, true],
    [['a.com', 'b.com:9000'], 'a.com', 9000, false],
  ])('%j allows %s:%d → %s', (hosts, host, port, expected) => {
    expect(only(hosts).decide(host, port).verdict === 'allow').toBe(expected);
  });

  it('an IPv4 address written as IPv6 meets the rules about the IPv4 address', () => {
    expect(only(['10.0.0.5'], 'deny').decide('[::ffff:10.0.0.5]', 443)).toMatchObject({ verdict: 'deny', ruleId: 'mine' });
    expect(only(['10.0.0.5'], 'deny').decide('::ffff:a00:5', 443)).toMatchObject({ verdict: 'deny', ruleId: 'mine' });
  });

  it('a deny pattern without a port covers every port', () => {
    expect(only(['paste.example'], 'deny').decide('paste.example', 8443).verdict).toBe('deny');
    expect(only(['paste.example'], 'deny').decide('paste.example', 22).ruleId).toBe('mine');
  });
});

describe('destinations harness cannot decide on are refused', () => {
  it.each([
    '127.0.0.1#.npmjs.org',
    'a\t.npmjs.org',
    'evil.com/.npmjs.org',
    'x@registry.npmjs.org',
    '',
    ' registry.npmjs.org',
    `${'a'.repeat(300)}.npmjs.org`,
    '-a.npmjs.org',
    'a..npmjs.org',
  ])('%j', (host) => {
    const d = only(['*.npmjs.org', '*']).decide(host, 443);
    expect(d).toMatchObject({ verdict: 'deny', ruleId: 'network.bad-host' });
  });
  it.each(['::1%lo', '[::1%lo]', '[0:0:0:0:0:0:0:1%1]', '[::ffff:127.0.0.1%lo]', 'fd00::1%eth0'])('an IPv6 zone id: %s', (host) => {
    expect(only(['*', '::1', '[::1]']).decide(host, 443)).toMatchObject({ verdict: 'deny', ruleId: 'network.bad-host' });
  });
  it.each([0, -1, 65536, 1.5, Number.NaN])('port %d', (port) => {
    expect(only(['*']).decide('example.com', port).ruleId).toBe('network.bad-host');
  });
  it('a long hostile name ends in a verdict at once (no backtracking blow-up: the test would time out)', () => {
    const policy = only(['*.npmjs.org', '*.*.*.example']);
    for (const host of [`${'a-'.repeat(5000)}!`, `${'a.'.repeat(120)}x`, `${'a'.repeat(63)}.`.repeat(4)])
      expect(['deny', 'allow']).toContain(policy.decide(host, 443).verdict);
  });
});

describe('the layers: the person, local addresses, the defaults, the unknown', () => {
  it.each([
    ['api.anthropic.com', 443, 'allow', 'network.agent-api'],
    ['api.anthropic.com', 80, 'ask', 'network.unknown'],
    ['registry.npmjs.org', 443, 'allow', 'network.registry'],
    ['files.pythonhosted.org', 443, 'allow', 'network.registry'],
    ['proxy.golang.org', 443, 'allow', 'network.registry'],
    ['github.com', 22, 'allow', 'network.git-remote'],
    ['github.com', 443, 'allow', 'network.git-remote'],
    ['gitlab.com', 443, 'ask', 'network.unknown'],
    ['paste.rs', 443, 'deny', 'network.paste-service'],
    ['pastebin.com', 80, 'deny', 'network.paste-service'],
    ['transfer.sh', 443, 'deny', 'network.paste-service'],
    ['0x0.st', 443, 'deny', 'network.paste-service'],
    ['abc.ngrok-free.app', 443, 'deny', 'network.tunnel-service'],
    ['x.trycloudflare.com', 443, 'deny', 'network.tunnel-service'],
    ['webhook.site', 443, 'deny', 'network.tunnel-service'],
    ['abc.oast.fun', 443, 'deny', 'network.tunnel-service'],
    ['evil.example', 443, 'ask', 'network.unknown'],
    ['127.0.0.1', 8080, 'deny', 'network.local-address'],
    ['127.0.0.53', 53, 'deny', 'network.local-address'],
    ['localhost', 3000, 'deny', 'network.local-address'],
    ['dev.localhost', 3000, 'deny', 'network.local-address'],
    ['0.0.0.0', 80, 'deny', 'network.local-address'],
    ['169.254.169.254', 80, 'deny', 'network.local-address'],
    ['::1', 80, 'deny', 'network.local-address'],
    ['::ffff:127.0.0.1', 80, 'deny', 'network.local-address'],
    ['fe80::1', 80, 'deny', 'network.local-address'],
    ['10.0.0.5', 443, 'ask', 'network.unknown'],
    ['::ffff:127.0.0.1', 443, 'deny', 'network.local-address'],
    ['100.100.100.200', 80, 'deny', 'network.local-address'],
    ['fd00:ec2::254', 80, 'deny', 'network.local-address'],
    ['192.0.2.2', 8080, 'deny', 'network.local-address'],
    ['[::ffff:192.0.2.2]', 8080, 'deny', 'network.local-address'],
  ])('%s:%d → %s (%s)', (host, port, verdict, ruleId) => {
    expect(defaults().decide(host, port)).toMatchObject({ verdict, ruleId });
  });

  it("the person's rules come before harness's defaults, the strictest of them decides", () => {
    const p = defaults([
      { id: 'our-paste', decision: 'allow', reason: 'ours', hosts: ['paste.rs'] },
      { id: 'no-github', decision: 'deny', reason: 'not here', hosts: ['github.com'] },
      { id: 'corp', decision: 'allow', reason: 'corp', hosts: ['*.corp.example'] },
      { id: 'corp-ask', decision: 'ask', reason: 'careful', hosts: ['vault.corp.example'] },
      { id: 'dev', decision: 'allow', reason: 'dev server', hosts: ['127.0.0.1:5173'] },
    ]);
    expect(p.decide('paste.rs', 443)).toMatchObject({ verdict: 'allow', ruleId: 'our-paste', named: true });
    expect(p.decide('github.com', 22)).toMatchObject({ verdict: 'deny', ruleId: 'no-github' });
    expect(p.decide('git.corp.example', 443)).toMatchObject({ verdict: 'allow', ruleId: 'corp', named: false });
    expect(p.decide('vault.corp.example', 443)).toMatchObject({ verdict: 'ask', ruleId: 'corp-ask', named: true });
    expect(p.decide('127.0.0.1', 5173)).toMatchObject({ verdict: 'allow', ruleId: 'dev', named: true });
    expect(p.decide('127.0.0.1', 5174).ruleId).toBe('network.local-address');
    expect(p.matching('paste.rs', 443).map((m) => `${m.layer}:${m.id}`)).toEqual(['config:our-paste', 'builtin:network.paste-service']);
  });

  it("the agent's API is open to the agent's own process; a process it started is asked about it", () => {
    expect(defaults().decide('api.anthropic.com', 443, true)).toMatchObject({ verdict: 'allow', ruleId: 'network.agent-api' });
    const fromScript = defaults().decide('api.anthropic.com', 443, false);
    expect(fromScript).toMatchObject({ verdict: 'ask', ruleId: 'network.agent-api-from-process' });
    expect(fromScript.reason).toMatch(/another account/);
    // the registries are for everyone; your own rule decides for everyone too
    expect(defaults().decide('registry.npmjs.org', 443, false).verdict).toBe('allow');
    const mine = defaults([{ id: 'sdk-tests', decision: 'allow', reason: 'our SDK tests', hosts: ['api.anthropic.com'] }]);
    expect(mine.decide('api.anthropic.com', 443, false)).toMatchObject({ verdict: 'allow', ruleId: 'sdk-tests' });
  });

  it('a wildcard rule of the person does not open local addresses', () => {
    const p = defaults([{ id: 'open', decision: 'allow', reason: 'open', hosts: ['*'] }]);
    expect(p.decide('anything.example', 443)).toMatchObject({ verdict: 'allow', named: false });
    expect(p.decide('127.0.0.1', 80).ruleId).toBe('network.local-address');
    expect(p.decide('localhost', 80)).toMatchObject({ verdict: 'allow', named: false });
  });

  it('disabled defaults are gone; unknownHosts "deny" refuses the rest', () => {
    const p = defaults([], ['network.paste-service', 'network.registry']);
    expect(p.decide('paste.rs', 443).ruleId).toBe('network.unknown');
    expect(p.decide('registry.npmjs.org', 443).ruleId).toBe('network.unknown');
    const strict = new HostPolicy({ rules: [], builtin: [], unknown: 'deny' });
    expect(strict.decide('example.com', 443)).toMatchObject({ verdict: 'deny', ruleId: 'network.unknown' });
  });
});

describe('ipVersion answers as net.isIP does', () => {
  it.each([
    'registry.npmjs.org',
    '1.2.3.4',
    '01.2.3.4',
    '1.2.3',
    '999.1.1.1',
    '1.2.3.4.',
    '.',
    '',
    '::',
    '::1',
    '::ffff:1.2.3.4',
    'fe80::1%eth0',
    '2001:db8::1',
    '[::1]',
    'localhost',
    '0x7f.0.0.1',
    '127.1',
    '1e3',
    '١٢٣.1.1.1',
    ':',
    '1:2',
    'a:b:c',
    '12345',
    '1.2.3.4 ',
    ' 1.2.3.4',
  ])('%j', (s) => expect(ipVersion(s)).toBe(isIP(s)));
});

describe('addresses and URLs', () => {
  it.each([
    ['127.1', '127.0.0.1'],
    ['2130706433', '127.0.0.1'],
    ['0x7f.0.0.1', '127.0.0.1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['[::FFFF:127.0.0.1]', '127.0.0.1'],
    ['::ffff:10.0.0.5', '10.0.0.5'],
    ['::ffff:a00:5', '10.0.0.5'],
    ['::1%lo', '::1%lo'],
    ['Example.COM.', 'example.com'],
    ['registry.npmjs.org..', 'registry.npmjs.org..'],
    ['127.0.0.1#.npmjs.org', '127.0.0.1#.npmjs.org'],
    ['deadbeef', 'deadbeef'],
  ])('normalizeHost(%j) = %j', (host, expected) => {
    expect(normalizeHost(host)).toBe(expected);
  });

  it.each([
    ['127.0.0.1', true],
    ['127.255.1.2', true],
    ['0.0.0.0', true],
    ['169.254.169.254', true],
    ['::1', true],
    ['::ffff:7f00:1', true],
    ['::ffff:a9fe:a9fe', true],
    ['fe80::1', true],
    ['localhost', true],
    ['a.localhost', true],
    ['10.1.2.3', false],
    ['192.168.1.1', false],
    ['203.0.113.9', false],
    ['2001:db8::1', false],
    ['localhost.example.com', false],
  ])('isLocalAddress(%s) = %s', (address, expected) => {
    expect(isLocalAddress(address)).toBe(expected);
  });

  it.each([
    ['git@github.com:a/b.git', 'github.com:22'],
    ['github.com:a/b.git', 'github.com:22'],
    ['https://gitlab.com/a/b', 'gitlab.com:443'],
    ['http://git.example:8080/x', 'git.example:8080'],
    ['ssh://git@h.example:2222/x', 'h.example:2222'],
    ['git://h.example/x', 'h.example:9418'],
    ['https://[2001:db8::1]/x', '[2001:db8::1]:443'],
    ['/local/path', null],
    ['../sibling', null],
    ['file:///x', null],
  ])('urlHost(%s) = %s', (url, expected) => {
    expect(urlHost(url)).toBe(expected);
  });

  it.each([
    ['paste.rs', { host: 'paste.rs', port: 443 }],
    ['paste.rs:80', { host: 'paste.rs', port: 80 }],
    ['https://x.ngrok.io/a/b', { host: 'x.ngrok.io', port: 443 }],
    ['http://example.com', { host: 'example.com', port: 80 }],
    ['[::1]:8080', { host: '::1', port: 8080 }],
    ['::1', { host: '::1', port: 443 }],
    ['a:b:c', null],
  ])('parseDestination(%s)', (text, expected) => {
    expect(parseDestination(text)).toEqual(expected);
  });
});
