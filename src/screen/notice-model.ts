import { noticeParts, type DecisionNotice } from '../session/hook/decision-notice.js';

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
  return (cp >= 0x1100 && cp <= 0x115f) ||
    (cp >= 0x2e80 && cp <= 0xa4cf) ||
    (cp >= 0xac00 && cp <= 0xd7a3) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0xfe30 && cp <= 0xfe4f) ||
    (cp >= 0xff00 && cp <= 0xff60) ||
    (cp >= 0xffe0 && cp <= 0xffe6) ||
    (cp >= 0x20000 && cp <= 0x3fffd)
    ? 2
    : 1;
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
  /** Bumped by every change to what the bar says. */
  private version = 0;
  private cached: { key: string; text: string } | null = null;

  constructor(private readonly ttlMs = NOTICE_TTL_MS) {}

  add(notice: DecisionNotice, now: number): void {
    if (!this.visible(now)) this.counts.clear();
    this.latest = notice;
    this.counts.set(notice.kind, (this.counts.get(notice.kind) ?? 0) + 1);
    this.until = now + this.ttlMs;
    this.version++;
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
    return this.visible(now) ? this.count() : 0;
  }

  private count(): number {
    let n = 0;
    for (const c of this.counts.values()) n += c;
    return n;
  }

  dismiss(): void {
    this.latest = null;
    this.counts.clear();
    this.until = 0;
    this.version++;
  }

  /**
   * One line, at most `columns` wide; the key to the panel always fits. One notice: `harness
   * denied Bash rm -rf ~ · fs.delete-home: … · Ctrl-] for details`; several: `harness: 3 calls
   * denied — latest: …`.
   */
  text(now: number, panelKey: string, columns = 1000): string | null {
    if (!this.visible(now) || !this.latest) return null;
    // drawn again around every chunk of the agent's output: worked out once per notice and width
    const key = `${this.version} ${panelKey} ${columns}`;
    if (this.cached?.key !== key) this.cached = { key, text: this.compose(this.latest, panelKey, columns) };
    return this.cached.text;
  }

  private compose(latest: DecisionNotice, panelKey: string, columns: number): string {
    // control characters in the agent's text are already escaped (noticeParts)
    const { verb, call, rule, why } = noticeParts(latest);
    const total = this.count();
    const kinds = [...this.counts];
    const line = (callText: string, whyText: string): string => {
      const about = `${callText} · ${rule}${whyText ? `: ${whyText}` : ''}`;
      if (total === 1) return `harness ${verb} ${about}`;
      if (kinds.length === 1) return `harness: ${total} calls ${WORD[kinds[0]![0]]} — latest: ${about}`;
      return `harness: ${total} calls (${kinds.map(([kind, n]) => `${n} ${WORD[kind]}`).join(', ')}) — latest, ${verb}: ${about}`;
    };
    // narrow: the reason is cut first, then "for details", then the call; the rule's id stays whole as long as it can
    const full = line(call, why);
    const bare = stringWidth(line(call, ''));
    const short = ` · ${keyLabel(panelKey)}`;
    for (const tail of [`${short} for details`, short]) {
      const room = columns - stringWidth(tail);
      if (stringWidth(full) <= room) return full + tail;
      if (bare + 10 <= room) return line(call, clip(why, room - bare - 2)) + tail;
    }
    const left = columns - stringWidth(short) - stringWidth(line('', ''));
    if (left >= 6) return line(clip(call, left), '') + short;
    return clip(full, columns);
  }
}
