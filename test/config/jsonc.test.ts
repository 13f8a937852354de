import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stripJsonComments } from '../../src/config/jsonc.js';
import { jsonErrorOffset, lineAndColumn } from '../../src/config/json-error.js';
import { loadConfig } from '../../src/config/load.js';
import { ConfigError } from '../../src/errors.js';

/** The text keeps its length and its line breaks where they were: offsets, lines and columns stay true. */
function expectSameShape(input: string, output: string): void {
  expect(output.length).toBe(input.length);
  for (let i = 0; i < input.length; i++) {
    if (input[i] === '\n' || input[i] === '\r') expect(output[i], `line break at ${i}`).toBe(input[i]);
  }
}

describe('stripJsonComments: what it accepts', () => {
  const accepted: [string, string, unknown][] = [
    ['plain JSON is returned as it is', '{"a": [1, 2, {"b": null}]}', { a: [1, 2, { b: null }] }],
    ['a line comment', '{\n  // the packs\n  "a": 1\n}', { a: 1 }],
    ['a line comment at the end of a line with a value', '{"a": 1 // one\n}', { a: 1 }],
    ['a line comment on the last line, no newline', '{"a": 1}\n// end', { a: 1 }],
    ['a line comment ended by \\r\\n', '{\r\n// x\r\n"a": 1\r\n}', { a: 1 }],
    ['a block comment', '{/* before */"a": /* inside */ 1 /* after */}', { a: 1 }],
    ['a block comment over lines', '{\n  /* one\n     two */\n  "a": 1\n}', { a: 1 }],
    ['a block comment with stars and slashes', '{"a": 1 /** x * / y **/}', { a: 1 }],
    ['a block comment containing // and "', '{"a": /* "not a string" // */ 2}', { a: 2 }],
    ['a line comment containing /* and "', '{"a": 3 // /* "x\n}', { a: 3 }],
    ['a trailing comma in an object', '{"a": 1, "b": 2,}', { a: 1, b: 2 }],
    ['a trailing comma in an array', '[1, 2, ]', [1, 2]],
    ['a trailing comma before a comment and a newline', '{\n  "a": [\n    1, // one\n  ],\n}', { a: [1] }],
    ['a trailing comma after a nested value', '{"a": {"b": []},}', { a: { b: [] } }],
    ['a trailing comma after a string', '["x",]', ['x']],
    ['a byte order mark', '\ufeff{"a": 1}', { a: 1 }],
    ['// inside a string stays', '{"url": "https://example.com//x"}', { url: 'https://example.com//x' }],
    ['/* */ inside a string stays', '{"glob": "src/**/*.ts /* no */"}', { glob: 'src/**/*.ts /* no */' }],
    [',} inside a string stays', '{"s": "a,}b,]"}', { s: 'a,}b,]' }],
    ['an escaped quote does not end a string', '{"s": "say \\"// hi\\" ,]"} // c', { s: 'say "// hi" ,]' }],
    ['an escaped backslash before the closing quote', '{"s": "c:\\\\"} // c', { s: 'c:\\' }],
    ['a comment between key and colon', '{"a" /* k */ : 1}', { a: 1 }],
    ['only a comment before the value', '// config\n[]', []],
  ];

  it.each(accepted)('%s', (_name, input, expected) => {
    const output = stripJsonComments(input);
    expectSameShape(input, output);
    expect(JSON.parse(output)).toEqual(expected);
  });

  it('a plain JSON text comes back unchanged, character for character', () => {
    const plain = JSON.stringify({ a: 'x//y', b: [1, { c: '/*' }], d: ',}' }, null, 2);
    expect(stripJsonComments(plain)).toBe(plain);
  });

  it('comments and trailing commas added to any JSON text change nothing it means', () => {
    // a small deterministic generator: values with strings that look like comments, commas inside strings
    let seed = 7;
    const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    const strings = ['', 'a//b', '/*', '*/', ',]', ',}', 'q"uote', 'back\\slash', 'line\nbreak', 'ünï'];
    const value = (depth: number): unknown => {
      const k = depth > 3 ? rnd(3) : rnd(5);
      if (k === 0) return strings[rnd(strings.length)];
      if (k === 1) return rnd(1000) - 500;
      if (k === 2) return [true, false, null][rnd(3)];
      if (k === 3) return Array.from({ length: rnd(4) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: rnd(4) }, (_, i) => [`${strings[rnd(strings.length)]}${i}`, value(depth + 1)]));
    };
    const noise = ['', ' // note /* x */ ,}\n', ' /* ",] */ ', '\n// "\n'];
    for (let round = 0; round < 300; round++) {
      const v = value(0);
      const text = JSON.stringify(v, null, 1);
      // noise where JSON allows white space: after each structural character outside strings
      let out = '';
      let inString = false;
      for (let i = 0; i < text.length; i++) {
        const c = text[i]!;
        out += c;
        if (inString) {
          if (c === '\\') out += text[++i]!;
          else if (c === '"') inString = false;
          continue;
        }
        if (c === '"') inString = true;
        else if ('{[,:'.includes(c)) out += noise[rnd(noise.length)]!;
      }
      // and a trailing comma before some closing brackets
      out = out.replace(/\n(\s*)([}\]])/g, (m, s: string, b: string) => (rnd(2) ? `,\n${s}${b}` : m)).replace(/([[{]),\n/g, '$1\n');
      const stripped = stripJsonComments(out);
      expectSameShape(out, stripped);
      expect(JSON.parse(stripped), out).toEqual(v);
    }
  });
});

describe('stripJsonComments: what stays an error, and where', () => {
  /** [what, text, line, column] of the error: in the original text, as a person sees it in the editor. */
  const refused: [string, string, number, number][] = [
    ['an unterminated block comment', '{\n  "a": 1 /* never ends\n}', 2, 10],
    ['a lone slash', '{"a": 1 / 2}', 1, 9],
    ['a comma with nothing before it', '[,1]', 1, 2],
    ['two commas', '[1,,]', 1, 4],
    ['a comma right after a colon', '{"a":,}', 1, 6],
    ['a leading comma in an object', '{,}', 1, 2],
    ['an error after a comment: the column counts the comment', '{ /* twelve  */ "a" 1 }', 1, 21],
    ['an error on a line after a line comment', '{\n  // x\n  "a": tru\n}', 3, 8],
    ['an error after a multi-line comment', '{\n/*\n\n*/ "a": [1 2]}', 4, 12],
    ['a # comment is not a comment', '{\n# no\n}', 2, 1],
    ['single quotes are not JSON', "{'a': 1}", 1, 2],
  ];

  it.each(refused)('%s', (_name, input, line, column) => {
    const output = stripJsonComments(input);
    expectSameShape(input, output);
    expect(() => JSON.parse(output)).toThrow();
    const offset = jsonErrorOffset(output);
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(lineAndColumn(input, offset)).toEqual({ line, column });
  });

  it("the config loader names the line and column of the person's file", () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-jsonc-'));
    writeFileSync(
      join(dir, 'harness.config.json'),
      '// my config\n{\n  /* packs */ "extends": ["recommended"],\n  "approvals": { "timeoutSeconds": 60 }\n  "checkpoints": {}\n}\n',
    );
    let message = '';
    try {
      loadConfig(dir);
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      message = (e as Error).message;
    }
    expect(message).toMatch(/not valid JSON: unexpected ""checkpoints": {}" at line 5, column 3/);
  });

  it('a commented config with trailing commas loads, and means what the same JSON means', () => {
    const dir = mkdtempSync(join(tmpdir(), 'harness-jsonc-'));
    writeFileSync(
      join(dir, 'harness.config.json'),
      '{\n  // one\n  "approvals": { "timeoutSeconds": 60, }, /* two */\n  "disable": ["git.push-force-with-lease",],\n}\n',
    );
    const loaded = loadConfig(dir);
    expect(loaded.approvals.timeoutSeconds).toBe(60);
    expect(loaded.config.disable).toEqual(['git.push-force-with-lease']);
  });
});
