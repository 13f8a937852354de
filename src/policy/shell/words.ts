import type { Word, WordPart, DoubleQuotedChild, ParameterOperation } from 'unbash';
import type { Arg } from '../types.js';

/** Shell variables whose values are known statically; absent names are unknown. */
export type VarScope = Map<string, string>;

const MAX_BRACE_EXPANSION = 32;

interface Piece {
  /** Alternatives for this piece (more than one only for brace expansion). */
  texts: string[];
  /** Same alternatives with unresolvable parts turned into `*`. */
  patterns: string[];
  dynamic: boolean;
  glob: boolean;
  /** Holds an unquoted expansion whose value the shell will split into several words. */
  split?: boolean;
}

function literal(text: string, glob = false): Piece {
  return { texts: [text], patterns: [text], dynamic: false, glob };
}

function unknown(text: string): Piece {
  return { texts: [text], patterns: ['*'], dynamic: true, glob: false };
}

/**
 * An expansion's known value. Unquoted, the shell splits it on IFS: a value with whitespace
 * becomes several words (marked `split`), and a custom IFS makes the result unknowable.
 */
function expansion(known: string | undefined, source: string, vars: VarScope, quoted: boolean): Piece {
  if (known === undefined) return unknown(source);
  if (quoted) return literal(known);
  if (vars.has('IFS')) return unknown(source);
  if (/[ \t\n]/.test(known)) return { ...literal(known), split: true };
  return literal(known);
}

/** A variable's value as far as it is known; IFS unset is the shell's default (`rm -rf${IFS}/` splits). */
function valueOf(vars: VarScope, name: string): string | undefined {
  return vars.get(name) ?? (name === 'IFS' ? ' \t\n' : undefined);
}

function partPiece(part: WordPart | DoubleQuotedChild, vars: VarScope, quoted = false): Piece {
  switch (part.type) {
    case 'Literal':
      return literal(part.value);
    case 'SingleQuoted':
    case 'AnsiCQuoted':
      return literal(part.value);
    case 'DoubleQuoted':
    case 'LocaleString':
      return joinPieces(part.parts.map((p) => partPiece(p, vars, true)));
    case 'Glob':
    case 'ExtendedGlob':
      return literal(part.text, true);
    case 'SimpleExpansion':
      return expansion(valueOf(vars, part.text.slice(1)), part.text, vars, quoted);
    case 'ParameterExpansion': {
      // `${BASH_SOURCE[0]}`: the script's own path, when harness judges a script file
      if (part.parameter === 'BASH_SOURCE' && part.index?.value === '0' && !part.operation && vars.has('BASH_SOURCE'))
        return expansion(vars.get('BASH_SOURCE'), part.text, vars, quoted);
      // `t=GITHUB_TOKEN; echo ${!t}`: the variable a known name names, whatever it holds
      if (part.prefix === '!' && !part.index && !part.operation) {
        const target = vars.get(part.parameter);
        if (target !== undefined && /^[A-Za-z_][A-Za-z0-9_]*$/.test(target)) return expansion(valueOf(vars, target), `\${${target}}`, vars, quoted);
      }
      if (part.prefix || part.index) return unknown(part.text);
      const known = valueOf(vars, part.parameter);
      if (!part.operation) return expansion(known, part.text, vars, quoted);
      if (part.operation.type === 'Remove' && known !== undefined) {
        // `${f%.old}`, `${f##*/}`: a literal (glob-free) operand is removed when it is there
        const operand = part.operation.operand.value;
        if (!/[*?[\]$`\\]/.test(operand)) {
          const suffix = part.operation.operator.startsWith('%');
          const stripped = suffix
            ? known.endsWith(operand)
              ? known.slice(0, known.length - operand.length)
              : known
            : known.startsWith(operand)
              ? known.slice(operand.length)
              : known;
          return expansion(stripped, part.text, vars, quoted);
        }
        return unknown(part.text);
      }
      const operated = known === undefined ? undefined : operate(known, part.operation);
      if (operated !== undefined) return expansion(operated, part.text, vars, quoted);
      if (part.operation.type === 'Default' && known !== undefined && known !== '') {
        const op = part.operation.operator;
        if (op === ':-' || op === '-' || op === ':=' || op === '=' || op === ':?' || op === '?') return expansion(known, part.text, vars, quoted);
      }
      return unknown(part.text);
    }
    case 'BraceExpansion':
      return braceAlternatives(part.text);
    case 'ProcessSubstitution':
      // The command sees a pipe path, never a file of the workspace.
      return literal('/dev/fd/63');
    default: {
      // A command substitution whose output the analysis worked out (`$(pwd)`, `$(git rev-parse --show-toplevel)`)
      const printed = part.type === 'CommandExpansion' ? vars.get(`\u0000${part.text}`) : undefined;
      if (printed !== undefined) return quoted ? literal(printed) : expansion(printed, part.text, vars, false);
      // Other command, arithmetic and process substitutions: their output is not known statically.
      return unknown(part.text);
    }
  }
}

/** A word of an operation taken as it is written: none with quotes, globs or expansions in it. */
function literalOperand(w: Word | undefined): string | undefined {
  if (w === undefined) return '';
  return /[*?[\]$`\\'"]/.test(w.value) ? undefined : w.value;
}

/** `${v:1:2}`, `${v: -3}`: a slice's offset or length, when it is a plain integer. */
function sliceBound(w: Word): number | undefined {
  const t = w.value
    .trim()
    .replace(/^\((.*)\)$/, '$1')
    .trim();
  return /^-?\d{1,9}$/.test(t) ? Number(t) : undefined;
}

/**
 * A known value through a slice (`${HOME:0:1}` is `/`), a replacement with literal operands
 * (`${P//x/}`) or a case change (`${c,,}`), as bash computes it; undefined when harness cannot
 * tell (the word is then unknown, as before).
 */
function operate(known: string, op: ParameterOperation): string | undefined {
  switch (op.type) {
    case 'Slice': {
      const offset = sliceBound(op.offset);
      if (offset === undefined) return undefined;
      const start = offset < 0 ? Math.max(0, known.length + offset) : Math.min(offset, known.length);
      if (op.length === undefined) return known.slice(start);
      const length = sliceBound(op.length);
      if (length === undefined) return undefined;
      return known.slice(start, length < 0 ? Math.max(start, known.length + length) : start + length);
    }
    case 'Replace': {
      const pattern = literalOperand(op.pattern);
      const replacement = literalOperand(op.replacement);
      if (!pattern || replacement === undefined) return undefined;
      if (op.operator === '//') return known.split(pattern).join(replacement);
      if (op.operator === '/#') return known.startsWith(pattern) ? replacement + known.slice(pattern.length) : known;
      if (op.operator === '/%') return known.endsWith(pattern) ? known.slice(0, known.length - pattern.length) + replacement : known;
      const at = known.indexOf(pattern);
      return at < 0 ? known : known.slice(0, at) + replacement + known.slice(at + pattern.length);
    }
    case 'CaseModification': {
      if (op.operand !== undefined) return undefined;
      if (op.operator === '^^') return known.toUpperCase();
      if (op.operator === ',,') return known.toLowerCase();
      const first = op.operator === '^' ? known.slice(0, 1).toUpperCase() : known.slice(0, 1).toLowerCase();
      return first + known.slice(1);
    }
    default:
      return undefined;
  }
}

/** `{a,b}` → [a, b]; sequences and nested forms become a glob rather than a guess. */
function braceAlternatives(text: string): Piece {
  const inner = text.slice(1, -1);
  if (/[$`]/.test(inner)) return unknown(text);
  if (/[{}]/.test(inner) || !inner.includes(',')) return literal(text.replace(/\{[^}]*\}/g, '*'), true);
  const alts = inner.split(',');
  return { texts: alts, patterns: alts, dynamic: false, glob: false };
}

function joinPieces(pieces: Piece[]): Piece {
  let texts = [''];
  let patterns = [''];
  let dynamic = false;
  let glob = false;
  let split = false;
  for (const piece of pieces) {
    dynamic ||= piece.dynamic;
    glob ||= piece.glob;
    split ||= piece.split ?? false;
    if (texts.length * piece.texts.length > MAX_BRACE_EXPANSION) {
      texts = [`${texts[0]}${piece.texts[0]}`];
      patterns = [`${patterns[0]}*`];
      glob = true;
      continue;
    }
    texts = texts.flatMap((t) => piece.texts.map((p) => t + p));
    patterns = patterns.flatMap((t) => piece.patterns.map((p) => t + p));
  }
  return { texts, patterns, dynamic, glob, split };
}

/** `~`, `~user`, and `~+`/`~-` (the current and the previous directory); unknown: a piece that stands for anything. */
function expandTilde(text: string, vars: VarScope): Piece | null {
  if (!text.startsWith('~')) return null;
  const slash = text.indexOf('/');
  const user = slash === -1 ? text.slice(1) : text.slice(1, slash);
  const rest = slash === -1 ? '' : text.slice(slash);
  if (user === '' || user === '+' || user === '-') {
    const dir = vars.get(user === '' ? 'HOME' : user === '+' ? 'PWD' : 'OLDPWD');
    return dir === undefined ? { texts: [text], patterns: [`*${rest}`], dynamic: true, glob: false } : literal(dir + rest);
  }
  if (!/^[a-zA-Z0-9._-]+$/.test(user)) return null;
  return literal((user === 'root' ? '/root' : `/home/${user}`) + rest);
}

/**
 * Resolves a word the way the shell would before running the command, as far as that can be
 * known without running anything. Brace expansion may yield several args.
 */
export function resolveWord(word: Word, vars: VarScope): Arg[] {
  const all = allPositional(word, vars);
  if (all) return all;
  let piece: Piece;
  if (!word.parts) {
    piece = literal(word.value);
    // Unquoted tilde at the start of a plain word.
    if (!word.text.startsWith('\\')) {
      const home = expandTilde(word.value, vars);
      if (home !== null) piece = home;
    }
  } else {
    const parts = word.parts.map((p) => partPiece(p, vars));
    const first = word.parts[0];
    if (first?.type === 'Literal' && parts[0]) {
      const home = expandTilde(first.value, vars);
      if (home !== null) parts[0] = home;
    }
    piece = joinPieces(parts);
  }
  if (piece.split && piece.texts.length === 1 && !piece.dynamic) {
    // `c="rm -rf /"; $c` runs rm with two arguments, exactly as the shell splits it.
    return piece.texts[0]!.split(/[ \t\n]+/)
      .filter(Boolean)
      .map((value) => ({ value, dynamic: false, glob: piece.glob, pattern: value }));
  }
  return piece.texts.map((value, i) => ({
    value,
    dynamic: piece.dynamic,
    glob: piece.glob || piece.dynamic,
    pattern: piece.patterns[i] ?? value,
  }));
}

/** A part that is `$@` or `${@}` alone. */
function isAllParams(part: WordPart | DoubleQuotedChild | undefined): boolean {
  return (part?.type === 'SimpleExpansion' && part.text === '$@') || (part?.type === 'ParameterExpansion' && part.text === '${@}');
}

/**
 * `"$@"` (and `$@`, `"${@}"`) as a whole word, where every positional parameter is known (`#` is
 * set by a function call whose words all resolved): one word per parameter, none for no
 * parameters; unquoted, each is split again. Otherwise null, and the word is resolved as usual.
 */
function allPositional(word: Word, vars: VarScope): Arg[] | null {
  const parts = word.parts;
  if (parts?.length !== 1) return null;
  const only = parts[0]!;
  const quoted = only.type === 'DoubleQuoted';
  if (!(quoted ? only.parts.length === 1 && isAllParams(only.parts[0]) : isAllParams(only))) return null;
  const count = vars.get('#');
  if (count === undefined || !/^\d+$/.test(count)) return null;
  if (!quoted && vars.has('IFS')) return null;
  const out: Arg[] = [];
  for (let i = 1; i <= Number(count); i++) {
    const value = vars.get(String(i));
    if (value === undefined) return null;
    for (const w of quoted ? [value] : value.split(/[ \t\n]+/).filter(Boolean))
      out.push({ value: w, dynamic: false, glob: !quoted && /[*?[]/.test(w), pattern: w });
  }
  return out;
}

/** A word's single value, for places where the shell does no splitting (assignments, redirect targets). */
export function resolveSingle(word: Word, vars: VarScope): Arg {
  const all = resolveWord(word, vars);
  if (all.length === 1 && all[0]) return all[0];
  return { value: word.text, dynamic: true, glob: true, pattern: '*' };
}

/** A word whose text is known; `dynamic` when it was built from something unresolved. */
export function textArg(value: string, dynamic = false): Arg {
  return { value, dynamic, glob: false, pattern: value };
}

/** Words joined into one text, the way `eval`, `watch` and friends hand them to a shell. */
export function joinedArgs(words: Arg[], separator = ' '): Arg {
  return textArg(
    words.map((a) => a.value).join(separator),
    words.some((a) => a.dynamic),
  );
}
