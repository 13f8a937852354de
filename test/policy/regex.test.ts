import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileLinearRegex, MAX_PROGRAM, RegexRefusal } from '../../src/policy/regex.js';

/** Rule regexes are case-insensitive; the engine must answer exactly what V8's `test` answers. */
function same(pattern: string, inputs: string[], ignoreCase = true): void {
  const v8 = new RegExp(pattern, ignoreCase ? 'i' : '');
  const linear = compileLinearRegex(pattern, { ignoreCase });
  for (const input of inputs) expect(linear.test(input), `${pattern} on ${JSON.stringify(input)}`).toBe(v8.test(input));
}

function refusal(pattern: string): RegexRefusal {
  try {
    compileLinearRegex(pattern, { ignoreCase: true });
  } catch (e) {
    expect(e).toBeInstanceOf(RegexRefusal);
    return e as RegexRefusal;
  }
  throw new Error(`expected ${pattern} to be refused`);
}

const packRegexes: [string, string, string[]][] = readdirSync(new URL('../../rules/', import.meta.url))
  .filter((f) => f.endsWith('.json'))
  .flatMap((f) => JSON.parse(readFileSync(new URL(`../../rules/${f}`, import.meta.url), 'utf8')).rules)
  .filter((r: { argsRegex?: string }) => r.argsRegex)
  .map((r: { id: string; argsRegex: string; examples?: { match?: unknown[]; notMatch?: unknown[] } }) => {
    const texts = [...(r.examples?.match ?? []), ...(r.examples?.notMatch ?? [])]
      .map((e) => (typeof e === 'string' ? e : (e as { command?: string }).command))
      .filter((c): c is string => typeof c === 'string');
    // what the rule sees: the words after the command name, joined
    return [r.id, r.argsRegex, [...texts, ...texts.map((t) => t.split(/\s+/).slice(1).join(' '))]];
  });

describe('the linear-time regex engine answers what V8 answers', () => {
  it('has every argsRegex of the built-in packs, and the example config, to check', () => {
    expect(packRegexes.length).toBeGreaterThanOrEqual(10);
    const example = JSON.parse(readFileSync(new URL('../../harness.config.example.json', import.meta.url), 'utf8'));
    for (const rule of example.rules ?? []) if (rule.argsRegex) expect(() => compileLinearRegex(rule.argsRegex, { ignoreCase: true })).not.toThrow();
  });

  it.each(packRegexes)('pack rule %s', (_id, pattern, texts) => {
    same(pattern, [...texts, '', ' ', 'x'.repeat(200)]);
    expect(compileLinearRegex(pattern, { ignoreCase: true }).size).toBeLessThan(MAX_PROGRAM / 2);
  });

  it.each([
    // anchors, word boundaries, dot and line terminators
    ['^abc$', ['abc', 'ABC', 'xabc', 'abc\n', '']],
    ['\\bfoo\\b', ['foo', 'a foo b', 'foobar', 'barfoo', '_foo', 'foo-']],
    ['\\Bfoo', ['foo', 'afoo', ' foo']],
    ['a.c', ['abc', 'a\nc', 'a\rc', 'a\u2028c', 'a\tc']],
    ['^$', ['', 'a']],
    ['(^|\\s)-p(\\s|=|$)', ['-p', 'x -p', 'x-p', '-p=1', '-px']],
    // classes, ranges, class escapes, Annex B dash
    ['[a-c]+x', ['abcx', 'ABCX', 'dx']],
    ['[^a-c]', ['a', 'd', '']],
    ['[\\w-]+\\.', ['a-b.', '-.', '.']],
    ['[\\s\\S]', ['\n', 'x', '']],
    ['[]', ['', 'a']],
    ['[^]', ['', 'a', '\n']],
    ['[\\d-z]', ['5', '-', 'z', 'y']],
    ['[\\b]', ['\b', 'b']],
    ['\\W', ['a', '_', ' ', 'é']],
    // escapes: hex, unicode, control, octal, identity, \c oddities
    ['\\x41\\u0062', ['Ab', 'aB', 'ab']],
    ['\\cJ', ['\n', 'cJ']],
    ['\\c', ['\\c', 'c']],
    ['[\\c1]', ['\x11', 'c', '\\']],
    ['\\0', ['\0', '0']],
    ['\\1', ['\x01', '1']],
    ['\\8', ['8']],
    ['\\012', ['\n']],
    ['\\k', ['k', 'K']],
    ['\\p{L}', ['p{L}', 'a']],
    ['\\u{2}', ['uu', 'u{2}']],
    // braces that are not quantifiers, and quantifiers that are
    ['a{,2}', ['a{,2}', 'aa']],
    ['x{', ['x{']],
    ['\\$\\{?PPID\\b', ['$PPID', '${PPID}', '$PPIDX']],
    ['a{2,3}b', ['ab', 'aab', 'aaab', 'aaaab']],
    ['(ab){2,}?c', ['ababc', 'abc']],
    ['(a|b|)+c', ['c', 'abc', 'd']],
    ['(a*)*b', ['b', 'aaab', 'aaa']],
    ['(?:x|(?<name>y))z', ['xz', 'yz', 'z']],
    // case folding without the u flag
    ['k', ['K', '\u212a']],
    ['s', ['S', '\u017f']],
    ['ß', ['ß', 'SS', 'ẞ']],
    ['σ', ['Σ', 'ς', 'σ']],
    ['[é-ë]', ['É', 'Ë', 'e']],
    ['[^k]', ['K', 'k', '\u212a']],
  ])('%s', (pattern, inputs) => same(pattern, inputs));

  it('matches without the i flag too', () => {
    same('abc', ['ABC', 'abc']);
    same('[A-Z]', ['a', 'A']);
  });

  it('agrees with V8 on every code unit for case-insensitive classes', () => {
    for (const pattern of ['^[a-z]$', '^[^a-z]$', '^\\w$', '^[\\u0100-\\u024f]$', '^[^σ]$', '^.$']) {
      const v8 = new RegExp(pattern, 'i');
      const linear = compileLinearRegex(pattern, { ignoreCase: true });
      const wrong: string[] = [];
      for (let c = 0; c <= 0xffff; c++) {
        const s = String.fromCharCode(c);
        if (v8.test(s) !== linear.test(s)) wrong.push(c.toString(16));
      }
      expect(wrong, pattern).toEqual([]);
    }
  });

  it('agrees with V8 on random patterns and inputs (seeded)', () => {
    let seed = 20240917;
    const rnd = (n: number): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) >> 8) % n;
    const pick = <T>(xs: T[]): T => xs[rnd(xs.length)]!;
    const atoms = [
      'a',
      'b',
      'A',
      '.',
      '\\w',
      '\\W',
      '\\s',
      '\\S',
      '\\d',
      '[ab]',
      '[^a]',
      '[a-c]',
      '[\\w-]',
      '\\b',
      '\\B',
      '^',
      '$',
      '-',
      ' ',
      'k',
      '\\x41',
      '{',
      ']',
      'é',
      '\\1',
      '(?=.)',
      '(?!a)',
      '(?=\\w{1,3}-)',
      '(?!(?:^|-)a{1,2}(?:-|$))',
    ];
    const quantifiers = ['', '', '', '*', '+', '?', '{2}', '{1,3}', '{0,}', '*?', '{,2}'];
    const gen = (depth: number): string => {
      let s = '';
      for (let n = 1 + rnd(4); n > 0; n--) {
        const atom = depth > 0 && rnd(4) === 0 ? `(${pick(['', '?:'])}${gen(depth - 1)}${rnd(3) === 0 ? '|' + gen(depth - 1) : ''})` : pick(atoms);
        s += atom + pick(quantifiers);
      }
      return s;
    };
    const alphabet = ['a', 'b', 'A', ' ', '\n', '-', 'k', '\u212a', 'é', 'É', '1', '_', '{', ']', '\x01'];
    let compared = 0;
    for (let k = 0; k < 3000; k++) {
      const pattern = gen(2);
      try {
        new RegExp(pattern, 'i');
      } catch {
        continue;
      }
      let linear;
      try {
        linear = compileLinearRegex(pattern, { ignoreCase: true });
      } catch (e) {
        expect(['backreference', 'lookaround'], pattern).toContain((e as RegexRefusal).kind);
        continue;
      }
      const v8 = new RegExp(pattern, 'i');
      for (let j = 0; j < 8; j++) {
        let input = '';
        for (let t = rnd(8); t > 0; t--) input += pick(alphabet);
        expect(linear.test(input), `${pattern} on ${JSON.stringify(input)}`).toBe(v8.test(input));
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(10_000);
  });
});

describe('lookaheads over a bounded stretch of text run too, judged where they stand', () => {
  it.each([
    ['--force(?!-with-lease)', ['--force', '--force-with-lease', 'push --force origin', '--force-with-leas', '--forced']],
    ['foo(?=bar)', ['foobar', 'foo', 'foobaz', 'xfoobar']],
    ['x(?:y(?=z))', ['xyz', 'xy', 'xyy']],
    ['^(?!-)[\\w-]+$', ['-rf', 'rf', 'a-b', '']],
    ['(?:(?!(?:^|\\/)\\.{1,2}(?:\\/|$)).)*?\\/x$', ['a/x', '../x', 'a/../x', '.a/x', '/x', 'a/./x']],
    ['\\b(?=\\w{3}\\b)\\w+', ['ab', 'abc', 'abcd', 'x abc y']],
    ['(?=a)*b', ['b', 'ab']],
    ['(?!$)', ['', 'a']],
  ])('%s', (pattern, inputs) => same(pattern, inputs));
});

describe('patterns that make V8 backtrack for ever run in linear time', () => {
  // V8 needs seconds on ~30 characters for most of these (and doubles with each one more).
  const redos: [string, string, boolean][] = [
    ['^(a+)+$', 'a'.repeat(100_000) + '!', false],
    ['(a|a)*$', 'a'.repeat(100_000) + '!', true],
    ['(a|aa)+$', 'a'.repeat(100_000) + '!', false],
    ['(.*a){20}', 'a'.repeat(19) + 'b'.repeat(100_000), false],
    ['^(\\w+\\s?)*$', 'ab '.repeat(33_000) + '!', false],
    ['(x+x+)+y', 'x'.repeat(100_000), false],
    ['(((a+)+)+)+$', 'a'.repeat(100_000) + '!', false],
    ['((a*)*b)*c', 'ab'.repeat(50_000), false],
    ['(\\s*\\s*)*x$', ' '.repeat(100_000) + 'y', false],
    ['^(a|b|ab)*$', 'ab'.repeat(50_000) + 'c', false],
    ['([ab]*a[ab]{20}c|[ab]*b[ab]{20}d)', Array.from({ length: 100_000 }, (_, i) => 'ab'[((i * 7919) % 3) % 2]).join(''), false],
  ];

  it.each(redos)('%s on 100k hostile characters', (pattern, hostile, expected) => {
    const re = compileLinearRegex(pattern, { ignoreCase: true });
    expect(re.test(hostile)).toBe(expected);
    // and on small inputs, where V8 still answers, the same answers
    same(pattern, ['a', 'aa', 'aaaa!', 'xxy', 'ab ab', 'abc', 'aab', '']);
  });

  it('a shipped pattern that is quadratic on V8 (".*" after a repeated prefix) stays linear', () => {
    const [, secretCli] = packRegexes.find(([id]) => id === 'secrets.cli-credentials')!;
    const re = compileLinearRegex(secretCli, { ignoreCase: true });
    expect(re.test('config view '.repeat(10_000))).toBe(false);
    expect(re.test('config view '.repeat(10_000) + '--raw')).toBe(true);
  });
});

describe('constructs that cannot run in linear time are refused, saying what, where and what to write instead', () => {
  it.each([
    ['(a)\\1', 'backreference', '\\1', 4],
    ['(a)(b)(c)\\3', 'backreference', '\\3', 10],
    ['(?<q>["\'])x\\k<q>', 'backreference', '\\k<q>', 12],
    ['^(\\w+)\\s+\\1$', 'backreference', '\\1', 10],
    ['(?<=a)b', 'lookaround', '(?<=', 1],
    ['(?<!a)b', 'lookaround', '(?<!', 1],
    ['x(?:y(?<=z))', 'lookaround', '(?<=', 6],
  ])('%s', (pattern, kind, construct, character) => {
    const e = refusal(pattern);
    expect(e.kind).toBe(kind);
    expect(e.construct).toBe(construct);
    expect(e.message).toContain(`"${construct}" (character ${character}) cannot run in bounded time`);
    expect(e.message).toMatch(/linear-time engine/);
    expect(e.message).toMatch(/e\.g\. "/);
  });

  it.each([
    ['--force(?!.*-with-lease)', '(?!.*-with-lease)', 8],
    ['a(?=b+)', '(?=b+)', 2],
    ['(?=x{300})', '(?=x{300})', 1],
  ])('the lookahead in %s looks arbitrarily far, and is refused', (pattern, construct, character) => {
    const e = refusal(pattern);
    expect(e.kind).toBe('lookaround');
    expect(e.message).toContain(`the lookahead "${construct}" (character ${character}) can look`);
    expect(e.message).toMatch(/, which cannot run in bounded time: .* bound what is inside \(e\.g\. "\(\?!\.\*x\)" as "\(\?!\.\{0,10\}x\)"\)/);
    expect(() => compileLinearRegex('(?!.{0,10}x)', { ignoreCase: true })).not.toThrow(); // the rewrite it offers
  });

  it('a lookaround inside a lookahead is refused', () => {
    expect(refusal('a(?=b(?!c))').message).toMatch(/^the lookaround "\(\?!" \(character 6\) inside another lookaround is not supported/);
  });

  it.each([['a{5000}'], ['(ab{100}){100}'], ['x{99999999999}'], ['([a-z]{50}){1,100}']])('%s is too big to bound', (pattern) => {
    const e = refusal(pattern);
    expect(e.kind).toBe('size');
    expect(e.message).toMatch(
      /over the limit of \d+ that bounds the work per character, mostly through the counted repetition ".*\}" \(character \d+\): use a smaller count, or "\+" \/ "\*" instead/,
    );
  });

  it('a very long pattern without a large count is told to shrink or split', () => {
    const e = refusal(Array.from({ length: 600 }, (_, i) => `word${i}`).join('|'));
    expect(e.message).toMatch(/shorten it or split it into several rules/);
  });

  it('invalid syntax is reported as before', () => {
    expect(refusal('(').message).toMatch(/^not a valid regular expression: Invalid regular expression: \/\(\/i: Unterminated group/);
    expect(refusal('a**').kind).toBe('syntax');
  });

  it('octal escapes and \\8 are not backreferences when the pattern has fewer groups', () => {
    expect(() => compileLinearRegex('\\1(a)', { ignoreCase: true })).toThrow(RegexRefusal); // \1 refers to the group after it
    expect(compileLinearRegex('(a)\\2', { ignoreCase: true }).test('a\x02')).toBe(true);
    expect(compileLinearRegex('\\8', { ignoreCase: true }).test('8')).toBe(true);
  });
});
