/**
 * Rule regexes (`argsRegex`, and the regexes rule globs compile to) run on this linear-time engine,
 * never on V8's backtracking one: `^(a+)+$` against 30 `a`s and a `!` takes V8 seconds and doubles
 * with each `a`; here every pattern costs at most (input length x program size) steps, whatever the
 * pattern and the input.
 *
 * It reads JavaScript regex syntax exactly as `new RegExp(source, 'i')` does (no `u` flag, with the
 * web-compatibility rules of ECMAScript Annex B) and answers what `RegExp.prototype.test` would.
 * What no linear-time engine can run is refused with a RegexRefusal: backreferences, lookbehinds
 * and lookaheads that can look arbitrarily far (bounded ones, like `(?!-with-lease)`, are fine);
 * so is a pattern whose counted repetitions expand past MAX_PROGRAM states.
 *
 * How: the pattern is parsed to a small AST, compiled to a Thompson NFA, and simulated as a lazily
 * built DFA (the RE2 approach) whose states are sets of NFA positions. Zero-width assertions (`^`,
 * `$`, `\b`, `\B`) are judged while following the NFA's empty moves, from the previous and the next
 * character; a bounded lookahead is a small anchored matcher judged at the positions that reach it.
 * PURE: no I/O, no globals besides lazily built case tables and a memo of compiled patterns.
 */

export type RefusalKind = 'syntax' | 'backreference' | 'lookaround' | 'group' | 'size';

/**
 * A pattern harness will not run: what the construct is, where, and what to write instead. The
 * message reads after a field name: `argsRegex: the backreference "\1" (character 4) cannot …`.
 */
export class RegexRefusal extends Error {
  constructor(
    readonly kind: RefusalKind,
    /** The offending text, e.g. `\1` or `(?=`. */
    readonly construct: string,
    /** Zero-based offset of the construct in the pattern. */
    readonly index: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegexRefusal';
  }
}

const ENGINE = 'harness matches rule regexes with a linear-time engine so that no pattern and no input can stall a decision';

type RefuseAs = 'backreference' | 'lookbehind' | 'unbounded-lookahead' | 'nested' | 'group';

function refuse(as: RefuseAs, construct: string, index: number, length = Infinity): RegexRefusal {
  const reach = length === Infinity ? 'can look arbitrarily far ahead' : `can look ${length} characters ahead, over the limit of ${MAX_LOOKAHEAD_LENGTH}`;
  const where = `"${construct}" (character ${index + 1})`;
  const kind: RefusalKind = as === 'backreference' ? 'backreference' : as === 'group' ? 'group' : 'lookaround';
  const message = {
    backreference: `the backreference ${where} cannot run in bounded time: ${ENGINE}, and it has no backreferences; spell the repeated text out (e.g. "(ab)\\1" as "abab" or "(ab){2}")`,
    lookbehind: `the lookbehind ${where} cannot run in bounded time: ${ENGINE}, and it has no lookbehinds; match the text before as part of the pattern (e.g. "(?<=--)force" as "--force")`,
    'unbounded-lookahead': `the lookahead ${where} ${reach}, which cannot run in bounded time: ${ENGINE}, and it runs only lookaheads over a short stretch of text (like "--force(?!-with-lease)"); bound what is inside (e.g. "(?!.*x)" as "(?!.{0,10}x)") or drop the lookahead`,
    nested: `the lookaround ${where} inside another lookaround is not supported: ${ENGINE}; write the two conditions one after the other or as two rules`,
    group: `the group syntax ${where} is not supported: use "(...)" or "(?:...)"`,
  }[as];
  return new RegexRefusal(kind, construct, index, message);
}

export interface LinearRegex {
  readonly source: string;
  readonly ignoreCase: boolean;
  /** Instructions run per character of text, at most: the cost bound. */
  readonly size: number;
  /** Same answer as `new RegExp(source, ignoreCase ? 'i' : '').test(text)`, in linear time. */
  test(text: string): boolean;
}

/**
 * Upper bound on the work per character of text, in NFA instructions (the biggest built-in pattern
 * needs 530; a glob about 150). Measured worst case, a pattern built so that its DFA explodes and
 * every instruction stays live: 3 to 6 ns per instruction per character, so well under a second for
 * the 64 KiB of text an argsRegex is given. Patterns people write stay in the DFA: a few ns a character.
 */
export const MAX_PROGRAM = 2_000;

// ---------------------------------------------------------------------------------------------
// Character sets

/** A set of UTF-16 code units: sorted, non-overlapping inclusive ranges [lo0, hi0, lo1, hi1, ...]. */
type Ranges = number[];

interface CharSet {
  ranges: Ranges;
  negate: boolean;
}

const DIGIT: Ranges = [0x30, 0x39];
const WORD: Ranges = [0x30, 0x39, 0x41, 0x5a, 0x5f, 0x5f, 0x61, 0x7a];
const SPACE: Ranges = [
  0x09, 0x0d, 0x20, 0x20, 0xa0, 0xa0, 0x1680, 0x1680, 0x2000, 0x200a, 0x2028, 0x2029, 0x202f, 0x202f, 0x205f, 0x205f, 0x3000, 0x3000, 0xfeff, 0xfeff,
];
const LINE_TERMINATORS: Ranges = [0x0a, 0x0a, 0x0d, 0x0d, 0x2028, 0x2029];

function normalize(r: Ranges): Ranges {
  const pairs: [number, number][] = [];
  for (let i = 0; i < r.length; i += 2) pairs.push([r[i]!, r[i + 1]!]);
  pairs.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: Ranges = [];
  for (const [lo, hi] of pairs) {
    if (out.length > 0 && lo <= out[out.length - 1]! + 1) out[out.length - 1] = Math.max(out[out.length - 1]!, hi);
    else out.push(lo, hi);
  }
  return out;
}

function complement(r: Ranges): Ranges {
  const n = normalize(r);
  const out: Ranges = [];
  let next = 0;
  for (let i = 0; i < n.length; i += 2) {
    if (n[i]! > next) out.push(next, n[i]! - 1);
    next = n[i + 1]! + 1;
  }
  if (next <= 0xffff) out.push(next, 0xffff);
  return out;
}

function inRanges(r: Ranges, c: number): boolean {
  for (let i = 0; i < r.length; i += 2) {
    if (c < r[i]!) return false;
    if (c <= r[i + 1]!) return true;
  }
  return false;
}

function isWordChar(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
}

/**
 * Case-insensitive matching without the `u` flag (ECMAScript Canonicalize): a character matches a
 * set when some member of the set has the same canonical form, which is its upper case when that is
 * one code unit and does not map a non-ASCII character into ASCII. ASCII only folds within ASCII, so
 * the table of everything else is built once, the first time a non-ASCII character needs it.
 */
let foldGroups: Map<number, number[]> | null = null;

function canonicalize(c: number): number {
  const upper = String.fromCharCode(c).toUpperCase();
  if (upper.length !== 1) return c;
  const u = upper.charCodeAt(0);
  return c >= 128 && u < 128 ? c : u;
}

/** Every code unit with the same canonical form as `c` (including `c`). */
function caseVariants(c: number): readonly number[] {
  if (c < 128) {
    if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) return [c, c ^ 0x20];
    return [c];
  }
  if (!foldGroups) {
    const groups = new Map<number, number[]>();
    for (let x = 128; x <= 0xffff; x++) {
      const k = canonicalize(x);
      const g = groups.get(k);
      if (g) g.push(x);
      else groups.set(k, [x]);
    }
    foldGroups = groups;
  }
  return foldGroups.get(canonicalize(c)) ?? [c];
}

function setHas(set: CharSet, c: number, ignoreCase: boolean): boolean {
  let found = false;
  if (ignoreCase) {
    for (const v of caseVariants(c)) {
      if (inRanges(set.ranges, v)) {
        found = true;
        break;
      }
    }
  } else found = inRanges(set.ranges, c);
  return found !== set.negate;
}

// ---------------------------------------------------------------------------------------------
// Parser: JavaScript regex syntax, non-Unicode mode with Annex B

type Node =
  | { type: 'set'; set: CharSet }
  | { type: 'seq'; items: Node[] }
  | { type: 'alt'; items: Node[] }
  | { type: 'repeat'; node: Node; min: number; max: number; at: number; text: string }
  | { type: 'assert'; kind: 'start' | 'end' | 'word' | 'notword' }
  | { type: 'look'; negate: boolean; node: Node; at: number; text: string };

const CLASS_ESCAPES: Record<string, CharSet> = {
  d: { ranges: DIGIT, negate: false },
  D: { ranges: complement(DIGIT), negate: false },
  w: { ranges: WORD, negate: false },
  W: { ranges: complement(WORD), negate: false },
  s: { ranges: SPACE, negate: false },
  S: { ranges: complement(SPACE), negate: false },
};
const DOT: CharSet = { ranges: complement(LINE_TERMINATORS), negate: false };

/** Matches `re` (sticky) at `at` in `src`. */
function matchAt(re: RegExp, src: string, at: number): RegExpExecArray | null {
  re.lastIndex = at;
  return re.exec(src);
}

const isDigit = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '9';
const isHex = (ch: string | undefined): boolean => ch !== undefined && /^[0-9a-fA-F]$/.test(ch);
const isOctal = (ch: string | undefined): boolean => ch !== undefined && ch >= '0' && ch <= '7';
const isAsciiLetter = (ch: string | undefined): boolean => ch !== undefined && /^[A-Za-z]$/.test(ch);

/** Capture groups in the whole pattern, and whether any is named: both decide what `\1` and `\k` mean. */
function countGroups(src: string): { count: number; named: boolean } {
  let count = 0;
  let named = false;
  let inClass = false;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i];
    if (ch === '\\') i++;
    else if (inClass) {
      if (ch === ']') inClass = false;
    } else if (ch === '[') inClass = true;
    else if (ch === '(') {
      if (src[i + 1] !== '?') count++;
      else if (src[i + 2] === '<' && src[i + 3] !== '=' && src[i + 3] !== '!') {
        count++;
        named = true;
      }
    }
  }
  return { count, named };
}

class Parser {
  private i = 0;
  private inLookahead = false;
  private readonly groups: { count: number; named: boolean };

  constructor(private readonly src: string) {
    this.groups = countGroups(src);
  }

  parse(): Node {
    const node = this.disjunction();
    if (this.i < this.src.length) throw this.syntax(`unmatched "${this.src[this.i]}"`);
    return node;
  }

  private syntax(what: string): RegexRefusal {
    const near = this.src.slice(this.i, this.i + 1) || 'the end';
    return new RegexRefusal('syntax', near, this.i, `not a valid regular expression: ${what} at "${near}" (character ${this.i + 1})`);
  }

  private disjunction(): Node {
    const alts = [this.alternative()];
    while (this.src[this.i] === '|') {
      this.i++;
      alts.push(this.alternative());
    }
    return alts.length === 1 ? alts[0]! : { type: 'alt', items: alts };
  }

  private alternative(): Node {
    const items: Node[] = [];
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') items.push(this.term());
    return items.length === 1 ? items[0]! : { type: 'seq', items };
  }

  private term(): Node {
    const src = this.src;
    const start = this.i;
    const ch = src[this.i]!;
    if (ch === '^' || ch === '$') {
      this.i++;
      return this.noQuantifier({ type: 'assert', kind: ch === '^' ? 'start' : 'end' });
    }
    if (ch === '\\' && (src[this.i + 1] === 'b' || src[this.i + 1] === 'B')) {
      this.i += 2;
      return this.noQuantifier({ type: 'assert', kind: src[this.i - 1] === 'b' ? 'word' : 'notword' });
    }
    if (ch === '(' && src[this.i + 1] === '?') {
      const look = matchAt(/\(\?(=|!|<=|<!)/y, src, this.i);
      if (look && look[1]!.startsWith('<')) throw refuse('lookbehind', look[0], this.i);
      if (look) {
        if (this.inLookahead) throw refuse('nested', look[0], this.i);
        this.i += 3;
        this.inLookahead = true;
        const body = this.disjunction();
        this.inLookahead = false;
        if (src[this.i] !== ')') throw this.syntax('unterminated group');
        this.i++;
        // Annex B lets a lookahead take a quantifier; it is zero-width, so that changes little.
        return this.quantifier({ type: 'look', negate: look[1] === '!', node: body, at: start, text: src.slice(start, this.i) }, start);
      }
    }
    const atom = this.atom();
    return this.quantifier(atom, start);
  }

  private noQuantifier(node: Node): Node {
    const q = this.src[this.i];
    if (q === '*' || q === '+' || q === '?' || (q === '{' && this.braces() !== null)) throw this.syntax('nothing to repeat');
    return node;
  }

  /** `{n}`, `{n,}` or `{n,m}` at the cursor, or null when the brace is a literal (Annex B). */
  private braces(): { min: number; max: number; end: number } | null {
    const m = matchAt(/\{(\d+)(,(\d*))?\}/y, this.src, this.i);
    if (!m) return null;
    const min = Number(m[1]);
    const max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
    return { min, max, end: this.i + m[0].length };
  }

  private quantifier(atom: Node, start: number): Node {
    const q = this.src[this.i];
    let min: number;
    let max: number;
    if (q === '*') [min, max] = [0, Infinity];
    else if (q === '+') [min, max] = [1, Infinity];
    else if (q === '?') [min, max] = [0, 1];
    else if (q === '{') {
      const b = this.braces();
      if (!b) return atom;
      [min, max] = [b.min, b.max];
      if (min > max) throw this.syntax('numbers out of order in {} quantifier');
      this.i = b.end - 1;
    } else return atom;
    this.i++;
    if (this.src[this.i] === '?') this.i++; // lazy: the same answer for test()
    const q2 = this.src[this.i];
    if (q2 === '*' || q2 === '+' || q2 === '?' || (q2 === '{' && this.braces() !== null)) throw this.syntax('nothing to repeat');
    return { type: 'repeat', node: atom, min, max, at: start, text: this.src.slice(start, this.i) };
  }

  private atom(): Node {
    const src = this.src;
    const ch = src[this.i]!;
    if (ch === '(') {
      let p = this.i + 1;
      if (src[p] === '?') {
        if (src[p + 1] === ':') p += 2;
        else if (src[p + 1] === '<') {
          const name = matchAt(/<([^>]+)>/y, src, p + 1);
          if (!name) throw this.syntax('invalid group name');
          p += 1 + name[0].length;
        } else throw refuse('group', src.slice(this.i, this.i + 3), this.i);
      }
      this.i = p;
      const inner = this.disjunction();
      if (src[this.i] !== ')') throw this.syntax('unterminated group');
      this.i++;
      return inner;
    }
    if (ch === '.') {
      this.i++;
      return { type: 'set', set: DOT };
    }
    if (ch === '[') return this.characterClass();
    if (ch === '*' || ch === '+' || ch === '?') throw this.syntax('nothing to repeat');
    if (ch === '{' && this.braces() !== null) throw this.syntax('nothing to repeat');
    if (ch === '\\') return this.atomEscape();
    this.i++;
    return literal(ch.charCodeAt(0));
  }

  private atomEscape(): Node {
    const src = this.src;
    const at = this.i;
    const e = src[this.i + 1];
    if (e === undefined) throw this.syntax('\\ at end of pattern');
    if (e >= '1' && e <= '9') {
      const digits = matchAt(/\d+/y, src, this.i + 1)![0];
      if (Number(digits) <= this.groups.count) throw refuse('backreference', `\\${digits}`, at);
    }
    if (e === 'k' && this.groups.named) {
      const ref = matchAt(/\\k<[^>]*>/y, src, this.i);
      throw refuse('backreference', ref ? ref[0] : '\\k', at);
    }
    const set = this.classEscape();
    if (set) return { type: 'set', set };
    return literal(this.characterEscape(false));
  }

  /** `\d \D \w \W \s \S` at the cursor, consumed; otherwise null and nothing consumed. */
  private classEscape(): CharSet | null {
    const e = this.src[this.i + 1];
    const set = e === undefined ? undefined : CLASS_ESCAPES[e];
    if (!set) return null;
    this.i += 2;
    return set;
  }

  /** A backslash escape that stands for one code unit (not a class escape, not a backreference). */
  private characterEscape(inClass: boolean): number {
    const src = this.src;
    const e = src[this.i + 1]!;
    this.i += 2;
    switch (e) {
      case 't':
        return 0x09;
      case 'n':
        return 0x0a;
      case 'v':
        return 0x0b;
      case 'f':
        return 0x0c;
      case 'r':
        return 0x0d;
      case 'b':
        return 0x08; // only reached inside a class
      case 'c': {
        const l = src[this.i];
        if (isAsciiLetter(l) || (inClass && l !== undefined && (isDigit(l) || l === '_'))) {
          this.i++;
          return l!.charCodeAt(0) % 32;
        }
        this.i -= 1; // Annex B: "\c" not followed by a letter is a backslash, then "c"
        return 0x5c;
      }
      case 'x':
        if (isHex(src[this.i]) && isHex(src[this.i + 1])) {
          this.i += 2;
          return parseInt(src.slice(this.i - 2, this.i), 16);
        }
        return 0x78;
      case 'u':
        if ([0, 1, 2, 3].every((k) => isHex(src[this.i + k]))) {
          this.i += 4;
          return parseInt(src.slice(this.i - 4, this.i), 16);
        }
        return 0x75;
      default:
        if (isOctal(e)) {
          // Annex B legacy octal: \0, \7, \12, \377 (at most 0o377)
          let value = e.charCodeAt(0) - 0x30;
          const more = e <= '3' ? 2 : 1;
          for (let k = 0; k < more && isOctal(src[this.i]); k++) value = value * 8 + (src[this.i++]!.charCodeAt(0) - 0x30);
          return value;
        }
        return e.charCodeAt(0); // identity escape, \8 and \9 included
    }
  }

  private characterClass(): Node {
    const src = this.src;
    this.i++;
    let negate = false;
    if (src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const ranges: Ranges = [];
    const classAtom = (): CharSet | number => {
      if (src[this.i] === '\\') {
        if (this.i + 1 >= src.length) throw this.syntax('\\ at end of pattern');
        const set = this.classEscape();
        if (set) return set;
        return this.characterEscape(true);
      }
      return src.charCodeAt(this.i++);
    };
    const add = (a: CharSet | number): void => {
      if (typeof a === 'number') ranges.push(a, a);
      else ranges.push(...a.ranges);
    };
    while (src[this.i] !== ']') {
      if (this.i >= src.length) throw this.syntax('unterminated character class');
      const a = classAtom();
      if (src[this.i] === '-' && src[this.i + 1] !== ']' && this.i + 1 < src.length) {
        this.i++;
        const b = classAtom();
        if (typeof a === 'number' && typeof b === 'number') {
          if (a > b) throw this.syntax('range out of order in character class');
          ranges.push(a, b);
        } else {
          // Annex B: a class escape at either end makes the dash a literal
          add(a);
          ranges.push(0x2d, 0x2d);
          add(b);
        }
      } else add(a);
    }
    this.i++;
    return { type: 'set', set: { ranges: normalize(ranges), negate } };
  }
}

function literal(c: number): Node {
  return { type: 'set', set: { ranges: [c, c], negate: false } };
}

// ---------------------------------------------------------------------------------------------
// Compiler: AST -> Thompson NFA

/**
 * Instructions: CHAR (a: set index; then pc + 1), SPLIT (a and b), JMP (a), ASSERT (a: kind; then
 * pc + 1), LOOK (a: lookahead index, b: 1 when negative; then pc + 1), MATCH.
 */
const CHAR = 0;
const SPLIT = 1;
const JMP = 2;
const ASSERT = 3;
const LOOK = 4;
const MATCH = 5;
type Op = typeof CHAR | typeof SPLIT | typeof JMP | typeof ASSERT | typeof LOOK | typeof MATCH;

/** ASSERT kinds. */
const AT_START = 0;
const AT_END = 1;
const AT_BOUNDARY = 2;
const NOT_BOUNDARY = 3;

/** Longest stretch of text a lookahead may examine, and how many lookaheads one pattern may have. */
const MAX_LOOKAHEAD_LENGTH = 256;
const MAX_LOOKAHEADS = 24;

interface Program {
  op: number[];
  a: number[];
  b: number[];
  sets: CharSet[];
}

type Repeat = Extract<Node, { type: 'repeat' }>;
type Look = Extract<Node, { type: 'look' }>;

/** Instructions `node` compiles to, counted on the AST before anything is built (lookahead bodies apart). */
function sizeOf(node: Node, onRepeat: (node: Repeat, size: number) => void): number {
  switch (node.type) {
    case 'set':
    case 'assert':
    case 'look':
      return 1;
    case 'seq':
      return node.items.reduce((s, n) => s + sizeOf(n, onRepeat), 0);
    case 'alt':
      return node.items.reduce((s, n) => s + sizeOf(n, onRepeat), 0) + 2 * (node.items.length - 1);
    case 'repeat': {
      const inner = sizeOf(node.node, onRepeat);
      const size = node.min * inner + (node.max === Infinity ? inner + 2 : (node.max - node.min) * (inner + 1));
      onRepeat(node, size);
      return size;
    }
  }
}

/** The most characters `node` can consume (Infinity when unbounded). */
function maxLength(node: Node): number {
  switch (node.type) {
    case 'set':
      return 1;
    case 'assert':
    case 'look':
      return 0;
    case 'seq':
      return node.items.reduce((s, n) => s + maxLength(n), 0);
    case 'alt':
      return Math.max(...node.items.map(maxLength));
    case 'repeat': {
      const inner = maxLength(node.node);
      return inner === 0 ? 0 : node.max * inner;
    }
  }
}

function lookaheadsIn(node: Node, out: Look[] = []): Look[] {
  if (node.type === 'look') out.push(node);
  else if (node.type === 'seq' || node.type === 'alt') node.items.forEach((n) => lookaheadsIn(n, out));
  else if (node.type === 'repeat') lookaheadsIn(node.node, out);
  return out;
}

class Compiler {
  op: number[] = [];
  a: number[] = [];
  b: number[] = [];
  sets: CharSet[] = [];
  /** Lookaheads in the order their LOOK instructions refer to them. */
  looks: Look[] = [];
  private setIndex = new Map<string, number>();
  private lookIndex = new Map<string, number>();

  emit(op: Op, a = 0, b = 0): number {
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }

  program(): Program {
    return { op: this.op, a: this.a, b: this.b, sets: this.sets };
  }

  node(n: Node): void {
    switch (n.type) {
      case 'set': {
        const key = `${n.set.negate ? '^' : ''}${n.set.ranges.join(',')}`;
        let idx = this.setIndex.get(key);
        if (idx === undefined) {
          idx = this.sets.push(n.set) - 1;
          this.setIndex.set(key, idx);
        }
        this.emit(CHAR, idx);
        return;
      }
      case 'assert':
        this.emit(ASSERT, { start: AT_START, end: AT_END, word: AT_BOUNDARY, notword: NOT_BOUNDARY }[n.kind]);
        return;
      case 'look': {
        // The same lookahead twice (or repeated) is one lookahead, judged where each stands.
        let idx = this.lookIndex.get(n.text);
        if (idx === undefined) {
          idx = this.looks.push(n) - 1;
          this.lookIndex.set(n.text, idx);
        }
        this.emit(LOOK, idx, n.negate ? 1 : 0);
        return;
      }
      case 'seq':
        for (const item of n.items) this.node(item);
        return;
      case 'alt': {
        const jumps: number[] = [];
        n.items.forEach((item, k) => {
          if (k === n.items.length - 1) {
            this.node(item);
            return;
          }
          const split = this.emit(SPLIT);
          this.a[split] = split + 1;
          this.node(item);
          jumps.push(this.emit(JMP));
          this.b[split] = this.op.length;
        });
        for (const j of jumps) this.a[j] = this.op.length;
        return;
      }
      case 'repeat': {
        for (let k = 0; k < n.min; k++) this.node(n.node);
        if (n.max === Infinity) {
          // L: split body, end; body; jmp L
          const split = this.emit(SPLIT);
          this.a[split] = split + 1;
          this.node(n.node);
          this.emit(JMP, split);
          this.b[split] = this.op.length;
          return;
        }
        const exits: number[] = [];
        for (let k = n.min; k < n.max; k++) {
          const split = this.emit(SPLIT);
          this.a[split] = split + 1;
          exits.push(split);
          this.node(n.node);
        }
        for (const s of exits) this.b[s] = this.op.length;
        return;
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Lazy DFA over the NFA

interface DState {
  /** NFA positions reached, before following empty moves (sorted, unique). */
  kernel: Int32Array;
  atStart: boolean;
  prevWord: boolean;
  /** The lookaheads that following empty moves from here can reach (judged at the next position). */
  lookMask: number;
  /** Transitions by (extended) character class; MATCHED means a match was found. */
  next: (DState | undefined)[];
  /** Whether the closure at the end of the text reaches Match, by lookahead results there. */
  end: Map<number, boolean>;
}

/**
 * DFA states (and NFA positions in them) kept per regex. Past either, a test that needs a new state
 * goes on as a plain NFA simulation: the same linear bound, without the cache growing.
 */
const MAX_DFA_STATES = 2_000;

/**
 * Work buffers for following empty moves, shared by every matcher (one runs at a time; a lookahead
 * is judged before, never during, the step that uses it). A generation number marks visits.
 */
const scratch = { generation: 0, mark: new Int32Array(MAX_PROGRAM + 16), stack: new Int32Array(2 * MAX_PROGRAM + 32), out: new Int32Array(MAX_PROGRAM + 16) };

function nextGeneration(): number {
  if (scratch.generation >= 0x3fffffff) {
    // an Int32Array cannot hold more; start the marks over
    scratch.mark.fill(0);
    scratch.generation = 0;
  }
  return ++scratch.generation;
}

/** The transition target that means "a match was found". */
const MATCHED: DState = { kernel: new Int32Array(0), atStart: false, prevWord: false, lookMask: 0, next: [], end: new Map() };
const MAX_DFA_POSITIONS = 200_000;

class Matcher implements LinearRegex {
  readonly size: number;
  private readonly prog: Program;
  /** Character classes: code units that every CHAR instruction and \b treat alike. */
  private readonly asciiClass = new Int32Array(128);
  private readonly wideClass = new Map<number, number>();
  private readonly classKeys = new Map<string, number>();
  /** Per class: which sets contain it, and whether it is a word character. */
  private readonly classHits: Uint8Array[] = [];
  private readonly classWord: boolean[] = [];
  /** With lookaheads, transitions are by class x 2^lookaheads + their results at that position. */
  private readonly lookScale: number;
  private readonly states = new Map<string, DState>();
  /** NFA positions held by all DFA states: the memory bound next to MAX_DFA_STATES. */
  private stored = 0;
  private readonly initial: (DState | undefined)[] = [];

  constructor(
    readonly source: string,
    readonly ignoreCase: boolean,
    prog: Program,
    /** Lookahead bodies, run anchored at the position where the LOOK is judged. */
    private readonly looks: Matcher[] = [],
    /** Anchored: a match must start at the first position (used for lookahead bodies). */
    private readonly anchored = false,
    /** Per-character work of the lookaheads, on top of the program's own. */
    lookCost = 0,
  ) {
    this.prog = prog;
    this.size = prog.op.length + lookCost;
    this.asciiClass.fill(-1);
    this.startAnchored = !anchored && this.onlyAtStart();
    this.lookScale = 2 ** looks.length;
  }

  /** Every way from the start passes `^` (picomatch's `^(?:…)$`): past position 0 an empty state is dead. */
  private readonly startAnchored: boolean;

  private onlyAtStart(): boolean {
    const { op, a, b } = this.prog;
    const seen = new Uint8Array(op.length);
    const todo = [0];
    while (todo.length > 0) {
      const pc = todo.pop()!;
      if (seen[pc]) continue;
      seen[pc] = 1;
      const o = op[pc];
      if (o === CHAR || o === MATCH) return false;
      if (o === SPLIT) todo.push(a[pc]!, b[pc]!);
      else if (o === JMP) todo.push(a[pc]!);
      else if (o === LOOK || (o === ASSERT && a[pc] !== AT_START)) todo.push(pc + 1);
    }
    return true;
  }

  private classify(c: number): number {
    const hits = new Uint8Array(this.prog.sets.length);
    for (let s = 0; s < hits.length; s++) hits[s] = setHas(this.prog.sets[s]!, c, this.ignoreCase) ? 1 : 0;
    const key = (isWordChar(c) ? 'w' : '-') + hits.join('');
    let id = this.classKeys.get(key);
    if (id === undefined) {
      id = this.classHits.push(hits) - 1;
      this.classWord.push(isWordChar(c));
      this.classKeys.set(key, id);
    }
    return id;
  }

  private classOf(c: number): number {
    if (c < 128) {
      const id = this.asciiClass[c]!;
      return id >= 0 ? id : (this.asciiClass[c] = this.classify(c));
    }
    let id = this.wideClass.get(c);
    if (id === undefined) {
      id = this.classify(c);
      this.wideClass.set(c, id);
    }
    return id;
  }

  /** By ASCII character x 2 + (previous is a word character): the lookaheads that cannot hold there (past position 0). */
  private lookQuick: Int32Array | null = null;

  private buildLookQuick(): Int32Array {
    const table = new Int32Array(256);
    this.looks.forEach((look, j) => {
      const quick = look.quick ?? look.buildQuick();
      for (let c = 0; c < 128; c++) {
        if (quick[c]! & 2) table[c * 2]! |= 1 << j;
        if (quick[c]! & 1) table[c * 2 + 1]! |= 1 << j;
      }
    });
    return (this.lookQuick = table);
  }

  /** The results at `i` of the lookaheads in `mask`, one bit each. */
  private lookBits(text: string, i: number, mask: number): number {
    let bits = 0;
    for (let j = 0; j < this.looks.length; j++) if ((mask >>> j) & 1 && this.looks[j]!.matchAt(text, i)) bits |= 1 << j;
    return bits;
  }

  private state(kernel: Int32Array, atStart: boolean, prevWord: boolean): DState {
    const key = `${atStart ? 's' : ''}${prevWord ? 'w' : ''}:${kernel.join(',')}`;
    let st = this.states.get(key);
    if (!st) {
      st = { kernel, atStart, prevWord, lookMask: this.looks.length > 0 ? this.reachableLooks(kernel) : 0, next: [], end: new Map() };
      this.stored += kernel.length;
      this.states.set(key, st);
      if (this.states.size >= MAX_DFA_STATES || this.stored >= MAX_DFA_POSITIONS) this.full = true;
    }
    return st;
  }

  private reachableLooks(kernel: Int32Array): number {
    const { op, a, b } = this.prog;
    const gen = nextGeneration();
    const stack = scratch.stack;
    let mask = 0;
    let sp = 0;
    for (let k = this.anchored ? 0 : -1; k < kernel.length; k++) {
      stack[sp++] = k < 0 ? 0 : kernel[k]!;
      while (sp > 0) {
        let pc = stack[--sp]!;
        for (;;) {
          if (scratch.mark[pc] === gen) break;
          scratch.mark[pc] = gen;
          const o = op[pc];
          if (o === LOOK) {
            mask |= 1 << a[pc]!;
            pc++;
          } else if (o === SPLIT) {
            stack[sp++] = b[pc]!;
            pc = a[pc]!;
          } else if (o === JMP) pc = a[pc]!;
          else if (o === ASSERT) pc++;
          else break;
        }
      }
    }
    return mask;
  }

  /**
   * Follows empty moves from `kernel[0..count)` (and, unanchored, from the start, since a match may
   * begin anywhere) with the assertions judged between the previous character and the one of class
   * `cls` (-1: the end of the text) and the lookaheads by `bits`, then consumes that character.
   * Writes the positions reached to `scratch.out` and returns how many, or -1 when Match was reached.
   * At most one visit per instruction.
   */
  private step(kernel: Int32Array, count: number, atStart: boolean, prevWord: boolean, cls: number, bits: number): number {
    const { op, a, b } = this.prog;
    const atEnd = cls < 0;
    const nextWord = !atEnd && this.classWord[cls]!;
    const hits = atEnd ? null : this.classHits[cls]!;
    const gen = nextGeneration();
    const mark = scratch.mark;
    const stack = scratch.stack;
    const out = scratch.out;
    let n = 0;
    let sp = 0;
    for (let k = this.anchored ? 0 : -1; k < count; k++) {
      stack[sp++] = k < 0 ? 0 : kernel[k]!;
      while (sp > 0) {
        let pc = stack[--sp]!;
        // Follow one path until it consumes a character or dies; other branches wait on the stack.
        for (;;) {
          if (mark[pc] === gen) break;
          mark[pc] = gen;
          const o = op[pc];
          if (o === CHAR) {
            if (hits !== null && hits[a[pc]!] === 1) out[n++] = pc + 1;
            break;
          }
          if (o === SPLIT) {
            stack[sp++] = b[pc]!;
            pc = a[pc]!;
          } else if (o === JMP) pc = a[pc]!;
          else if (o === ASSERT) {
            const kind = a[pc];
            const ok = kind === AT_START ? atStart : kind === AT_END ? atEnd : kind === AT_BOUNDARY ? prevWord !== nextWord : prevWord === nextWord;
            if (!ok) break;
            pc++;
          } else if (o === LOOK) {
            if (((bits >>> a[pc]!) & 1) === b[pc]) break;
            pc++;
          } else return -1;
        }
      }
    }
    return n;
  }

  /** The DFA transition from `st` on class x 2^lookaheads + lookahead results, built on first use. */
  private transition(st: DState, ext: number): DState {
    const cls = Math.floor(ext / this.lookScale);
    const n = this.step(st.kernel, st.kernel.length, st.atStart, st.prevWord, cls, ext - cls * this.lookScale);
    if (n < 0) return MATCHED;
    // Each CHAR instruction is visited once, so the positions are distinct; sorted, they name the state.
    return this.state(scratch.out.slice(0, n).sort(), false, this.classWord[cls]!);
  }

  private start(atStart: boolean, prevWord: boolean): DState {
    const k = (atStart ? 1 : 0) + (prevWord ? 2 : 0);
    return (this.initial[k] ??= this.state(this.anchored ? Int32Array.of(0) : new Int32Array(0), atStart, prevWord));
  }

  test(text: string): boolean {
    return this.run(text, 0);
  }

  /**
   * Anchored at `from` (a lookahead body): does it match text starting there? A path is tested
   * against many globs whose lookaheads are the same few, so results are kept for the last text.
   */
  matchAt(text: string, from: number): boolean {
    if (from > 0 && from < text.length) {
      const c = text.charCodeAt(from);
      if (c < 128) {
        const quick = this.quick ?? this.buildQuick();
        if ((quick[c]! & (isWordChar(text.charCodeAt(from - 1)) ? 1 : 2)) !== 0) return false;
      }
    }
    return this.run(text, from);
  }

  /**
   * Anchored, away from the start of the text: 1 when a match cannot begin with ASCII `c` after a
   * word (bit 0) / non-word (bit 1) character. Lookaheads are judged at every position of a `**`,
   * and most characters settle them at once (picomatch's `(?!(?:^|\/)\.{1,2}(?:\/|$))` needs a "/").
   */
  quick: Uint8Array | null = null;

  buildQuick(): Uint8Array {
    const quick = new Uint8Array(128);
    const start = Int32Array.of(0);
    for (let x = 0; x < 128; x++) {
      const cls = this.classOf(x);
      if (this.step(start, 1, false, true, cls, 0) === 0) quick[x]! |= 1;
      if (this.step(start, 1, false, false, cls, 0) === 0) quick[x]! |= 2;
    }
    return (this.quick = quick);
  }

  /** The DFA cache is at its bounds: the next text starts it afresh. */
  private full = false;

  private run(text: string, from: number): boolean {
    if (this.full) {
      // Full from an earlier text: start afresh rather than run every later text as a plain NFA.
      this.states.clear();
      this.stored = 0;
      this.initial.length = 0;
      this.full = false;
    }
    let st = this.start(from === 0, from > 0 && isWordChar(text.charCodeAt(from - 1)));
    const ascii = this.asciiClass;
    const scale = this.lookScale;
    const dies = this.anchored || this.startAnchored;
    const n = text.length;
    for (let i = from; i < n; i++) {
      if (st.kernel.length === 0 && dies && (this.anchored || i > 0)) return false;
      const c = text.charCodeAt(i);
      const cls = c < 128 && ascii[c]! >= 0 ? ascii[c]! : this.classOf(c);
      let ext = cls * scale;
      if (st.lookMask !== 0) {
        // the lookaheads that could hold here; most characters rule them all out at once
        let need = st.lookMask;
        if (c < 128 && i > 0) need &= ~(this.lookQuick ?? this.buildLookQuick())[c * 2 + (isWordChar(text.charCodeAt(i - 1)) ? 1 : 0)]!;
        if (need !== 0) ext += this.lookBits(text, i, need);
      }
      let next = st.next[ext];
      if (next === undefined) {
        // A pattern whose DFA keeps growing (e.g. "[ab]*a[ab]{20}") is run as a plain NFA instead:
        // the same bound per character, without building states that will not be reused.
        // eslint-disable-next-line @typescript-eslint/no-unnecessary-condition -- transition() sets it, a call the checker's narrowing does not see
        if (this.full) return this.simulate(text, i, st);
        next = st.next[ext] = this.transition(st, ext);
      }
      if (next === MATCHED) return true;
      st = next;
    }
    if (st.kernel.length === 0 && (this.anchored || (this.startAnchored && text.length > 0))) return false;
    const bits = st.lookMask === 0 ? 0 : this.lookBits(text, text.length, st.lookMask);
    let end = st.end.get(bits);
    if (end === undefined) {
      end = this.step(st.kernel, st.kernel.length, st.atStart, st.prevWord, -1, bits) < 0;
      st.end.set(bits, end);
    }
    return end;
  }

  /** Thompson simulation from position `from` in state `st`: O(program size) per character. */
  private simulate(text: string, from: number, st: DState): boolean {
    const cur = new Int32Array(this.prog.op.length + 1);
    let count = st.kernel.length;
    cur.set(st.kernel);
    let atStart = st.atStart;
    let prevWord = st.prevWord;
    for (let i = from; i <= text.length; i++) {
      if (this.anchored && count === 0) return false;
      const cls = i < text.length ? this.classOf(text.charCodeAt(i)) : -1;
      const bits = this.looks.length > 0 ? this.lookBits(text, i, -1) : 0;
      count = this.step(cur, count, atStart, prevWord, cls, bits);
      if (count < 0) return true;
      if (cls < 0) return false;
      cur.set(scratch.out.subarray(0, count));
      atStart = false;
      prevWord = this.classWord[cls]!;
    }
    return false;
  }
}

const compiled = new Map<string, LinearRegex>();
const lookaheads = new Map<string, Matcher>();

const parsed = new Map<string, Node>();

/** The AST of a pattern (memoized); throws a RegexRefusal for invalid syntax and what cannot be linear. */
function parsePattern(source: string, ignoreCase: boolean): Node {
  const key = `${ignoreCase ? 'i' : '-'}${source}`;
  const known = parsed.get(key);
  if (known) return known;
  // V8's own parser decides what is valid syntax; constructing a RegExp does not run it.
  try {
    new RegExp(source, ignoreCase ? 'i' : '');
  } catch (e) {
    throw new RegexRefusal('syntax', source, 0, `not a valid regular expression: ${(e as Error).message}`);
  }
  const ast = new Parser(source).parse();
  if (parsed.size >= 2_000) parsed.clear();
  parsed.set(key, ast);
  return ast;
}

/** The work per character of `ast` (see MAX_PROGRAM); throws a RegexRefusal past the bounds. */
function sizeAst(ast: Node, source: string): number {
  let counted: { node: Repeat; size: number } | null = null;
  const onRepeat = (node: Repeat, s: number): void => {
    const isCounted = node.max !== 1 && (node.min > 1 || node.max !== Infinity);
    if (isCounted && (counted === null || s > counted.size)) counted = { node, size: s };
  };
  let size = sizeOf(ast, onRepeat) + 1;
  const looks = new Map(lookaheadsIn(ast).map((look) => [look.text, look]));
  for (const look of looks.values()) {
    const length = maxLength(look.node);
    if (length > MAX_LOOKAHEAD_LENGTH) throw refuse('unbounded-lookahead', look.text.length > 40 ? look.text.slice(0, 3) : look.text, look.at, length);
    // judged at every position that reaches it, over up to `length` characters
    size += (length + 1) * (sizeOf(look.node, onRepeat) + 1);
  }
  if (looks.size > MAX_LOOKAHEADS) {
    throw new RegexRefusal(
      'size',
      source.slice(0, 40),
      0,
      `the pattern has ${looks.size} different lookaheads, over the limit of ${MAX_LOOKAHEADS}: split it into several rules`,
    );
  }
  if (size > MAX_PROGRAM) {
    const limit = `the pattern compiles to ${size > 1e9 ? 'over a billion' : size} states, over the limit of ${MAX_PROGRAM} that bounds the work per character`;
    const blame = counted as { node: Repeat; size: number } | null;
    if (blame && blame.size > MAX_PROGRAM / 2) {
      const { text, at } = blame.node;
      throw new RegexRefusal(
        'size',
        text,
        at,
        `${limit}, mostly through the counted repetition "${text}" (character ${at + 1}): use a smaller count, or "+" / "*" instead (e.g. "[0-9]{5000}" as "[0-9]+")`,
      );
    }
    throw new RegexRefusal('size', source.slice(0, 40), 0, `${limit}: shorten it or split it into several rules`);
  }
  return size;
}

/**
 * The work per character `source` would cost (see MAX_PROGRAM), without building a matcher.
 * Throws a RegexRefusal as compileLinearRegex does.
 */
export function linearRegexSize(source: string, options: { ignoreCase?: boolean } = {}): number {
  const ignoreCase = options.ignoreCase ?? false;
  return compiled.get(`${ignoreCase ? 'i' : '-'}${source}`)?.size ?? sizeAst(parsePattern(source, ignoreCase), source);
}

/**
 * Compiles a rule regex for the linear-time engine (memoized: config validation and the policy
 * compile the same patterns). Throws a RegexRefusal for syntax V8 rejects, backreferences,
 * lookbehinds, lookaheads that can look arbitrarily far, and patterns over MAX_PROGRAM.
 */
export function compileLinearRegex(source: string, options: { ignoreCase?: boolean } = {}): LinearRegex {
  return compileAlternatives([source], options.ignoreCase ?? false);
}

/** One matcher for `a|b|…` of whole patterns (each parsed once, not again as one long source). */
export function compileLinearAlternation(sources: string[], options: { ignoreCase?: boolean } = {}): LinearRegex {
  return compileAlternatives(sources, options.ignoreCase ?? false);
}

function compileAlternatives(sources: string[], ignoreCase: boolean): LinearRegex {
  const source = sources.length === 1 ? sources[0]! : sources.map((s) => `(?:${s})`).join('|');
  const key = `${ignoreCase ? 'i' : '-'}${source}`;
  const known = compiled.get(key);
  if (known) return known;
  const ast: Node = sources.length === 1 ? parsePattern(source, ignoreCase) : { type: 'alt', items: sources.map((s) => parsePattern(s, ignoreCase)) };
  const size = sizeAst(ast, source);
  const c = new Compiler();
  c.node(ast);
  c.emit(MATCH);
  const subs = c.looks.map((look) => {
    // shared by every pattern with the same lookahead (picomatch puts the same two in most globs)
    const lookKey = `${ignoreCase ? 'i' : '-'}${look.text}`;
    let sub = lookaheads.get(lookKey);
    if (!sub) {
      const body = new Compiler();
      body.node(look.node);
      body.emit(MATCH);
      sub = new Matcher(look.text, ignoreCase, body.program(), [], true);
      if (lookaheads.size >= 1_000) lookaheads.clear();
      lookaheads.set(lookKey, sub);
    }
    return sub;
  });
  const regex = new Matcher(source, ignoreCase, c.program(), subs, false, size - c.op.length);
  if (compiled.size >= 1_000) compiled.clear();
  compiled.set(key, regex);
  return regex;
}
