import { isReference, SECRET_PATTERNS } from '../secrets/scan.js';

/** Longest text looked at; the rest is replaced (bounded work on any input). */
const MAX_TEXT = 256 * 1024;

/**
 * The one place secrets are removed from text before it is stored or shown. Each replacement keeps
 * enough context to tell what was there (the kind of secret), never the value.
 */
export function redact(text: string): string {
  let out = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}[… ${text.length - MAX_TEXT} more characters not stored]` : text;
  for (const { kind, pattern, group } of SECRET_PATTERNS) {
    out = out.replace(pattern, (match: string, ...groups: unknown[]) => {
      const secret = group === 0 ? match : (groups[group - 1] as string | undefined);
      if (!secret || secret.startsWith('[REDACTED') || isReference(kind, match, secret)) return match;
      return group === 0 ? `[REDACTED:${kind}]` : match.replace(secret, `[REDACTED:${kind}]`);
    });
  }
  return out;
}

/** Redacts every string inside a JSON-like value. */
export function redactValue<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redact(value) as T;
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return (value as unknown[]).map((v) => redactValue(v, depth + 1)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, depth + 1)])) as T;
}
