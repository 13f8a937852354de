/**
 * JSON with comments, as editors write it (`harness init` writes a commented config): `// line`
 * and `/* block *\/` comments, trailing commas before `}` or `]`, a leading byte order mark.
 *
 * They are blanked, not removed: each code unit becomes a space and line breaks stay, so the text
 * keeps its length and every offset, line and column of the original. JSON.parse and the error
 * position finder then run on the result, and an error points where the person's file has it.
 * Inside strings nothing changes. What is not a complete comment (a lone `/`, an unterminated
 * `/*`) is left as it is, so the parse fails exactly there.
 */
export function stripJsonComments(text: string): string {
  // the common case, a plain JSON file, costs one scan and no copy
  if (text.charCodeAt(0) !== 0xfeff && !text.includes('/') && !/,\s*[}\]]/.test(text)) return text;
  /** Ranges to blank, [start, end); comments in order, a trailing comma once what follows it is known. */
  const ranges: [number, number][] = [];
  /** The last character that is not white space, a comment or inside a string (`"` for a string). */
  let last = '';
  /** A comma after a value, which a `}` or `]` would make a trailing one. */
  let comma = -1;
  const blank = (start: number, end: number): void => void ranges.push([start, end]);
  let i = 0;
  if (text.charCodeAt(0) === 0xfeff) {
    blank(0, 1);
    i = 1;
  }
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') {
      // a string, escapes and all; one that does not end on its line is JSON.parse's to refuse
      let j = i + 1;
      while (j < text.length && text[j] !== '"' && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      i = Math.min(j + 1, text.length);
      last = '"';
      comma = -1;
      continue;
    }
    if (c === '/' && text[i + 1] === '/') {
      let j = i + 2;
      while (j < text.length && text[j] !== '\n' && text[j] !== '\r') j++;
      blank(i, j);
      i = j;
      continue;
    }
    if (c === '/' && text[i + 1] === '*') {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) break; // not a comment: left for JSON.parse to refuse here
      blank(i, end + 2);
      i = end + 2;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if ((c === '}' || c === ']') && comma >= 0) blank(comma, comma + 1);
    // a comma counts as trailing only after a value: `[,]` and `{"a":1,,}` stay errors
    comma = c === ',' && last !== '' && last !== ',' && last !== '[' && last !== '{' && last !== ':' ? i : -1;
    last = c;
    i++;
  }
  if (ranges.length === 0) return text;
  ranges.sort((a, b) => a[0] - b[0]);
  const out: string[] = [];
  let from = 0;
  for (const [start, end] of ranges) {
    out.push(text.slice(from, start), text.slice(start, end).replace(/[^\r\n]/g, ' '));
    from = end;
  }
  out.push(text.slice(from));
  return out.join('');
}
