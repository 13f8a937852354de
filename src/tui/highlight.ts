export type TokenStyle = 'command' | 'flag' | 'string' | 'variable' | 'operator' | 'comment' | 'plain';

export interface Token {
  text: string;
  style: TokenStyle;
}

/** Longest text harness colours; the rest is shown plain (display only, never judged from this). */
const MAX_HIGHLIGHT = 8000;

const OPERATORS = ['&&', '||', ';;', '>>', '&>', '2>', '<<<', '<<', '>&', '|&', '|', ';', '&', '>', '<', '(', ')', '{', '}'];
/** After these, the next word is a command name. */
const STARTS_COMMAND = new Set(['&&', '||', ';;', '|', '|&', ';', '&', '(', '{', '$(', '`']);

/**
 * Splits a shell command into coloured tokens for the approval dialog: command names, flags,
 * quoted strings, variables and substitutions, operators, comments. Lexical only.
 */
export function highlightShell(command: string): Token[] {
  const text = command.length > MAX_HIGHLIGHT ? command.slice(0, MAX_HIGHLIGHT) : command;
  const tokens: Token[] = [];
  const push = (t: string, style: TokenStyle): void => {
    const last = tokens[tokens.length - 1];
    if (last && last.style === style && style === 'plain') last.text += t;
    else tokens.push({ text: t, style });
  };
  let expectCommand = true;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t') {
      push(c, 'plain');
      i++;
      continue;
    }
    if (c === '\n') {
      push(c, 'plain');
      expectCommand = true;
      i++;
      continue;
    }
    if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const end = text.indexOf('\n', i);
      const stop = end < 0 ? text.length : end;
      push(text.slice(i, stop), 'comment');
      i = stop;
      continue;
    }
    if (c === '$' && text[i + 1] === '(') {
      push('$(', 'variable');
      expectCommand = true;
      i += 2;
      continue;
    }
    if (c === '`') {
      push('`', 'variable');
      expectCommand = true;
      i++;
      continue;
    }
    const op = OPERATORS.find((o) => text.startsWith(o, i));
    if (op) {
      push(op, 'operator');
      expectCommand = STARTS_COMMAND.has(op);
      i += op.length;
      continue;
    }
    // a word: runs until unquoted whitespace or an operator
    const start = i;
    const parts: Token[] = [];
    let plainRun = '';
    const flush = (): void => {
      if (plainRun) parts.push({ text: plainRun, style: 'plain' });
      plainRun = '';
    };
    while (
      i < text.length &&
      !/[\s]/.test(text[i]!) &&
      !OPERATORS.some((o) => text.startsWith(o, i)) &&
      text[i] !== '`' &&
      !(text[i] === '$' && text[i + 1] === '(')
    ) {
      const ch = text[i]!;
      if (ch === "'" || ch === '"') {
        flush();
        let j = i + 1;
        while (j < text.length && text[j] !== ch) j += ch === '"' && text[j] === '\\' ? 2 : 1;
        parts.push({ text: text.slice(i, Math.min(j + 1, text.length)), style: 'string' });
        i = j + 1;
      } else if (ch === '$') {
        flush();
        const m = /^\$(\{[^}]*\}?|[A-Za-z_][A-Za-z0-9_]*|[0-9@*#?$!-])?/.exec(text.slice(i))!;
        parts.push({ text: m[0], style: 'variable' });
        i += m[0].length;
      } else if (ch === '\\' && i + 1 < text.length) {
        plainRun += text.slice(i, i + 2);
        i += 2;
      } else {
        plainRun += ch;
        i++;
      }
    }
    flush();
    const word = text.slice(start, i);
    const isAssignment = /^[A-Za-z_][A-Za-z0-9_]*=/.test(word);
    const style: TokenStyle | null = expectCommand && !isAssignment ? 'command' : word.startsWith('-') ? 'flag' : null;
    if (style && parts.length === 1 && parts[0]!.style === 'plain') push(word, style);
    else for (const p of parts) push(p.text, p.style === 'plain' && style ? style : p.style);
    if (!isAssignment) expectCommand = false;
  }
  if (text.length < command.length) push(command.slice(MAX_HIGHLIGHT), 'plain');
  return tokens;
}
