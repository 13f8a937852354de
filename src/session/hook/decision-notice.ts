import { redact } from '../../audit/redact.js';
import { displayLine } from '../../printable.js';

/**
 * A decision the person did not see being made, told to them as it happens: harness refused a
 * call by a rule, an `ask` nobody answered (or nobody could be asked), or the sandbox refused
 * something a call tried. The hook handler emits these; the terminal layer shows a short bar over
 * the agent's screen, or without a terminal one line on stderr.
 */
export type DecisionNotice =
  | { kind: 'denied'; tool: string; subject: string; ruleId: string | null; reason: string }
  | { kind: 'ask-timed-out'; tool: string; subject: string; ruleId: string | null; reason: string; by: 'timeout' | 'no-tty'; seconds: number }
  | { kind: 'sandbox-refusal'; tool: string; subject: string; detail: string };

/** The first sentence of a reason, at most `max` characters: what fits on one line. */
export function shortReason(reason: string, max = 120): string {
  const flat = reason.replace(/\s+/g, ' ').trim();
  const sentence = /^(.+?[.;:!?])(\s|$)/.exec(flat)?.[1] ?? flat;
  const text = sentence.replace(/[.;:]$/, '');
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** What the sandbox refused, in words, from the line of output that says so. */
export function sandboxWhy(detail: string): string {
  if (/Read-only file system|EROFS/i.test(detail)) return 'outside the workspace the files are read-only';
  if (/Network is unreachable|ENETUNREACH/i.test(detail)) return 'no network except through harness';
  if (/not an allowed host|403 Forbidden/i.test(detail)) return 'the host is not allowed';
  return 'refused by the sandbox';
}

/** The words of the refusal in a line of tool output (often a piece of JSON): `touch: cannot touch '/etc/x': Read-only file system`. */
export function refusalText(detail: string): string {
  const pieces = detail.split(/\\n|\\"|"|\n/).map((p) => p.trim());
  return pieces.find((p) => /Read-only file system|EROFS|Network is unreachable|ENETUNREACH|403 Forbidden|not an allowed host/i.test(p)) ?? detail.trim();
}

/**
 * What the notice is about and the rule behind it, ready to show: secrets masked, one line each,
 * and no control characters (the command, the tool's name and output are the agent's: an escape
 * sequence in them would otherwise reach the person's terminal as one).
 */
export function noticeParts(n: DecisionNotice): { verb: string; call: string; rule: string; why: string } {
  const parts = rawParts(n);
  return { verb: parts.verb, call: shown(parts.call), rule: shown(parts.rule), why: shown(parts.why) };
}

/** One line of text from the agent, as the person's terminal may show it. */
const shown = (text: string): string => displayLine(text);

function rawParts(n: DecisionNotice): { verb: string; call: string; rule: string; why: string } {
  const subject = redact(n.subject.replace(/\s+/g, ' ').trim());
  const call = subject ? `${n.tool} ${subject.length > 80 ? `${subject.slice(0, 79)}…` : subject}` : n.tool;
  switch (n.kind) {
    case 'denied':
      return { verb: 'denied', call, rule: n.ruleId ?? 'defaults', why: shortReason(n.reason) };
    case 'ask-timed-out':
      return {
        verb: n.by === 'timeout' ? `denied (no answer in ${n.seconds}s)` : 'denied (nobody to ask)',
        call,
        rule: n.ruleId ?? 'defaults',
        why: shortReason(n.reason),
      };
    case 'sandbox-refusal':
      return { verb: 'the sandbox refused', call, rule: 'sandbox', why: `${sandboxWhy(n.detail)}: ${redact(refusalText(n.detail)).slice(0, 100)}` };
  }
}

/** One line for stderr when there is no terminal to draw on. */
export function noticeLine(n: DecisionNotice): string {
  const p = noticeParts(n);
  return n.kind === 'sandbox-refusal' ? `harness: ${p.verb} ${p.call}: ${p.why}` : `harness: ${p.verb} ${p.call}: ${p.rule}: ${p.why} (harness log shows more)`;
}
