import { noticeParts, type DecisionNotice } from '../session/decision-notice.js';

/** How long a decision notice stays on screen after the last one arrived. */
export const NOTICE_TTL_MS = 6000;

/** "ctrl-]" as a person reads it: "Ctrl-]". */
export function keyLabel(spec: string): string {
  const m = /^ctrl-(.)$/i.exec(spec.trim());
  return m ? `Ctrl-${m[1]!.length === 1 && /[a-z]/i.test(m[1]!) ? m[1]!.toUpperCase() : m[1]}` : spec;
}

const WORD: Record<DecisionNotice['kind'], string> = {
  denied: 'denied',
  'ask-timed-out': 'unanswered',
  'sandbox-refusal': 'refused by the sandbox',
};

/** Terminal columns of one character: 0 for combining marks and controls, 2 for wide (CJK, emoji), else 1. */
function charWidth(ch: string): number {
  const cp = ch.codePointAt(0)!;
  if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0) || /\p{Mn}|\p{Me}|\u200d|[\ufe00-\ufe0f]/u.test(ch)) return 0;
  if (/\p{Extended_Pictographic}/u.test(ch) && cp > 0x2000) return 2;
  return (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) || (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) || (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x20000 && cp <= 0x3fffd) ? 2 : 1;
}

/** Terminal columns `text` takes. */
export function stringWidth(text: string): number {
  let w = 0;
  for (const ch of text) w += charWidth(ch);
  return w;
}

/** Cuts `text` to `width` terminal columns, with "…" when something was cut. */
export function clip(text: string, width: number): string {
  if (stringWidth(text) <= width) return text;
  let out = '';
  let used = 0;
  for (const ch of text) {
    const w = charWidth(ch);
    if (used + w > width - 1) break;
    out += ch;
    used += w;
  }
  return `${out}…`;
}

/**
 * The decision notices on screen: what arrived since the bar was last empty, counted by kind,
 * the latest shown in full. It is visible until `ttlMs` after the latest arrived, or until
 * dismissed (a key the person pressed). Pure: the caller passes the time.
 */
export class NoticeModel {
  private latest: DecisionNotice | null = null;
  private counts = new Map<DecisionNotice['kind'], number>();
  private until = 0;

  constructor(private readonly ttlMs = NOTICE_TTL_MS) {}

  add(notice: DecisionNotice, now: number): void {
    if (!this.visible(now)) this.counts.clear();
    this.latest = notice;
    this.counts.set(notice.kind, (this.counts.get(notice.kind) ?? 0) + 1);
    this.until = now + this.ttlMs;
  }

  visible(now: number): boolean {
    return this.latest !== null && now < this.until;
  }

  /** When it stops being visible (epoch ms); null when nothing is shown. */
  expiresAt(now: number): number | null {
    return this.visible(now) ? this.until : null;
  }

  /** How many notices the bar stands for now. */
  total(now: number): number {
    return this.visible(now) ? [...this.counts.values()].reduce((a, b) => a + b, 0) : 0;
  }

  dismiss(): void {
    this.latest = null;
    this.counts.clear();
    this.until = 0;
  }

  /**
   * One line, at most `columns` wide; the key to the panel always fits. One notice: `harness
   * denied Bash rm -rf ~ · fs.delete-home: … · Ctrl-] for details`; several: `harness: 3 calls
   * denied — latest: …`.
   */
  text(now: number, panelKey: string, columns = 1000): string | null {
    if (!this.visible(now) || !this.latest) return null;
    const p = noticeParts(this.latest);
    const total = this.total(now);
    const kinds = [...this.counts];
    const line = (call: string, why: string): string => {
      const about = `${call} · ${p.rule}${why ? `: ${why}` : ''}`;
      if (total === 1) return `harness ${p.verb} ${about}`;
      if (kinds.length === 1) return `harness: ${total} calls ${WORD[kinds[0]![0]]} — latest: ${about}`;
      return `harness: ${total} calls (${kinds.map(([kind, n]) => `${n} ${WORD[kind]}`).join(', ')}) — latest, ${p.verb}: ${about}`;
    };
    // narrow: the reason is cut first, then "for details", then the call; the rule's id stays whole as long as it can
    const fits = (text: string, width: number): boolean => stringWidth(text) <= width;
    for (const tail of [` · ${keyLabel(panelKey)} for details`, ` · ${keyLabel(panelKey)}`]) {
      const room = columns - stringWidth(tail);
      if (fits(line(p.call, p.why), room)) return line(p.call, p.why) + tail;
      const bare = stringWidth(line(p.call, ''));
      if (bare + 10 <= room) return line(p.call, clip(p.why, room - bare - 2)) + tail;
    }
    const tail = ` · ${keyLabel(panelKey)}`;
    const room = columns - stringWidth(tail);
    const left = room - stringWidth(line('', ''));
    if (left >= 6) return line(clip(p.call, left), '') + tail;
    return clip(line(p.call, p.why), columns);
  }
}
