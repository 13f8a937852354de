import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { loadConfig } from '../../src/config/load.js';
import { configSchema } from '../../src/config/schema.js';
import { editDistance, keysAt, nearest } from '../../src/config/suggest.js';
import { ConfigError } from '../../src/errors.js';

describe('edit distance', () => {
  it.each([
    ['extends', 'extends', 0],
    ['extend', 'extends', 1],
    ['aprovals', 'approvals', 1],
    ['defualts', 'defaults', 1], // a transposition is one edit
    ['allowwrite', 'allowWrite', 0], // case is ignored
    ['tui', 'watcher', 6],
    ['', 'abc', 3],
    ['kitten', 'sitting', 3],
  ])('%s → %s = %i', (a, b, d) => {
    expect(editDistance(a, b)).toBe(d);
    expect(editDistance(b, a)).toBe(d);
  });
});

describe('nearest valid key', () => {
  const top = keysAt(configSchema, []);
  it.each([
    ['extend', top, ['extends']],
    ['aprovals', top, ['approvals']],
    ['checkpoint', top, ['checkpoints']],
    ['sandbx', top, ['sandbox']],
    ['rule', top, ['rules']],
    ['timeout', ['timeoutSeconds', 'whenNoTty'], ['timeoutSeconds']], // a prefix of the key
    ['panelkey', ['panelKey'], ['panelKey']],
    ['banana', top, []], // nothing near: no guess
    ['x', ['id', 'op'], []],
    ['ab', ['ac', 'bb'], ['ac', 'bb']], // a tie names both, in the schema's order
  ])('%s', (word, candidates, expected) => {
    expect(nearest(word, candidates)).toEqual(expected);
  });
});

describe('the valid keys at a place in the config come from the schema', () => {
  it.each([
    [[], ['$schema', 'extends', 'disable', 'rules', 'defaults', 'approvals', 'audit', 'checkpoints', 'tui', 'watcher', 'sandbox']],
    [['approvals'], ['timeoutSeconds', 'whenNoTty']],
    [
      ['defaults', 'outsideWorkspace'],
      ['read', 'write', 'delete'],
    ],
    [
      ['sandbox', 'network'],
      ['allowHosts', 'allowLocalPorts', 'rules', 'unknownHosts'],
    ],
    [
      ['sandbox', 'network', 'rules', 3],
      ['id', 'host', 'decision', 'reason'],
    ],
    [
      ['rules', 0, 'flags'],
      ['any', 'all', 'none'],
    ], // the object form of a union
    [
      ['rules', 0, 'examples'],
      ['match', 'notMatch'],
    ],
    [['extends'], []], // an array of strings has no keys
    [['nonsense', 'deeper'], []],
  ] as [PropertyKey[], string[]][])('%j', (path, keys) => {
    expect(keysAt(configSchema, path)).toEqual(keys);
  });

  it('follows the schema it is given, not a list of its own', () => {
    const schema = z.object({ outer: z.array(z.object({ alpha: z.string(), beta: z.number().optional() }).strict()).optional() }).strict();
    expect(keysAt(schema, ['outer', 0])).toEqual(['alpha', 'beta']);
    expect(keysAt(schema, [])).toEqual(['outer']);
  });
});

describe('a config with a misspelt key: the file, the field and the fix', () => {
  const dir = mkdtempSync(join(tmpdir(), 'harness-suggest-'));
  const load = (config: unknown): string => {
    const file = join(dir, `c-${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(file, JSON.stringify(config));
    try {
      loadConfig(dir, file);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message.replaceAll(file, 'FILE');
    }
    throw new Error('the config loaded');
  };

  it.each([
    [{ extend: ['recommended'] }, 'Invalid config FILE: extend: unknown key, did you mean "extends"?'],
    [{ aprovals: { timeoutSeconds: 60 } }, 'Invalid config FILE: aprovals: unknown key, did you mean "approvals"?'],
    [
      { approvals: { timeout: 60 } },
      'Invalid config FILE: approvals.timeout: unknown key, did you mean "timeoutSeconds"? (keys allowed here: "timeoutSeconds", "whenNoTty")',
    ],
    [{ tui: { panelkey: 'ctrl-g' } }, 'Invalid config FILE: tui.panelkey: unknown key, did you mean "panelKey"? (keys allowed here: "panelKey")'],
    [{ sandbox: { filesystem: { alowWrite: ['dist'] } } }, 'Invalid config FILE: sandbox.filesystem.alowWrite: unknown key, did you mean "allowWrite"?'],
    [
      { rules: [{ id: 'team.x', decision: 'deny', reason: 'r', command: 'git', flags: { anyy: ['-f'] } }] },
      'Invalid config FILE: rules[0].flags.anyy: unknown key, did you mean "any"?',
    ],
    [
      { rules: [{ id: 'team.x', decision: 'deny', reason: 'r', command: 'ls', examples: { match: [{ comand: 'ls' }] } }] },
      'rules[0].examples.match[0].comand: unknown key, did you mean "command"?',
    ],
    [{ banana: 1 }, 'Invalid config FILE: banana: unknown key (keys allowed here: "$schema", "extends"'],
    [{ extends: ['recomended'] }, 'did you mean "recommended"?'],
    [{ disable: ['git.reset-hrad'] }, 'did you mean "git.reset-hard"?'],
  ])('%j', (config, expected) => {
    const message = load(config);
    expect(message).toContain(expected);
    if (!/banana/.test(message)) expect(message).toMatch(/did you mean/);
    else expect(message).not.toMatch(/did you mean/);
  });
});
