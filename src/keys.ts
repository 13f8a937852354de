/** A hotkey and every byte sequence a terminal may send for it. */
export interface Hotkey {
  name: string;
  sequences: string[];
}

/** Control keys harness will not take: the terminal and every agent need them. */
const RESERVED: Record<string, string> = {
  c: 'interrupt',
  d: 'end of input',
  z: 'suspend',
  h: 'backspace',
  i: 'tab',
  j: 'newline',
  m: 'enter',
  '[': 'escape',
  s: 'terminal flow control',
  q: 'terminal flow control',
};

const SYMBOLS = ']\\^_';

export const DEFAULT_PANEL_KEY = 'ctrl-]';

/**
 * "ctrl-]" → the legacy control byte plus the CSI-u (kitty keyboard) and modifyOtherKeys forms,
 * which an agent that switched those protocols on makes the terminal send instead. Throws a
 * message a person can act on.
 */
export function parseHotkey(spec: string): Hotkey {
  const m = /^ctrl-(.)$/i.exec(spec.trim());
  const key = m?.[1]?.toLowerCase();
  if (key && RESERVED[key]) throw new Error(`"${spec}" is ${RESERVED[key]}; choose another key (the default is ${DEFAULT_PANEL_KEY})`);
  if (!key || !(/[a-z]/.test(key) || SYMBOLS.includes(key))) {
    throw new Error(`"${spec}" is not a key harness can use: write ctrl-<letter> or one of ctrl-] ctrl-\\ ctrl-^ ctrl-_`);
  }
  const code = key.charCodeAt(0);
  const legacy = String.fromCharCode(/[a-z]/.test(key) ? code - 96 : code & 0x1f);
  return { name: `ctrl-${key}`, sequences: [legacy, `\x1b[${code};5u`, `\x1b[27;5;${code}~`] };
}

/** Where the hotkey first occurs in a chunk of input. */
export function findHotkey(chunk: string, key: Hotkey): { index: number; length: number } | null {
  let best: { index: number; length: number } | null = null;
  for (const seq of key.sequences) {
    const index = chunk.indexOf(seq);
    if (index >= 0 && (!best || index < best.index)) best = { index, length: seq.length };
  }
  return best;
}
