/**
 * Text from outside harness (an agent's command or tool output, a file, the system) made safe to
 * put on a person's terminal: every control character but tab and newline (ESC, which starts an
 * escape sequence, CR, which goes back over the line, BEL, the C1 controls) and every bidirectional
 * override or isolate (which would show a command in another order than the one it runs in) is
 * shown as `\xNN` / `\u{NNNN}`, so what reaches the terminal is only ever text to read, in the
 * order it is, never an instruction to the terminal.
 */
export function escapeControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Text from the command line or the system, safe to print (as `escapeControls`), each line at most `max` characters. */
export function printable(text: string, max = 400): string {
  return text
    .split('\n')
    .map((line) => {
      const clean = escapeControls(line);
      return clean.length > max ? `${clean.slice(0, max)}…` : clean;
    })
    .join('\n');
}

/** Text from outside harness as one line to show: runs of white space as one space, controls escaped, at most `max` characters. */
export function displayLine(text: string, max = Infinity): string {
  return escapeControls(text.replace(/\s+/g, ' ')).slice(0, max);
}
