import type { TokenStyle } from '../highlight.js';
import type { DiffKind } from '../../line-diff.js';

type Color = string | undefined;

/** Ink's text props for a colour that may be the terminal's own (none given) and a weight. */
export function styled(color: Color, bold = false): { color?: string; bold: boolean } {
  return color ? { color, bold } : { bold };
}

export const VERDICT_COLOR: Record<string, Color> = { allow: 'green', ask: 'yellow', deny: 'red' };

export const TOKEN_COLOR: Record<TokenStyle, Color> = {
  command: 'cyan',
  flag: 'yellow',
  string: 'green',
  variable: 'magenta',
  operator: 'red',
  comment: 'gray',
  plain: undefined,
};

export const DIFF_STYLE: Record<DiffKind, { color: Color; prefix: string; bold?: boolean }> = {
  added: { color: 'green', prefix: '+' },
  removed: { color: 'red', prefix: '-' },
  context: { color: undefined, prefix: ' ' },
  hunk: { color: 'cyan', prefix: '' },
  file: { color: undefined, prefix: '', bold: true },
  note: { color: 'gray', prefix: '' },
};

export function clock(at: number): string {
  return new Date(at).toTimeString().slice(0, 8);
}
