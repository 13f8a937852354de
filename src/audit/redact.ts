/**
 * The one place secrets are removed from text before it is stored or shown. Each pattern keeps
 * enough context to tell what was there (the kind of secret), never the value.
 */
interface SecretPattern {
  kind: string;
  pattern: RegExp;
  /** Which capture group holds the secret (the rest of the match is kept). 0 = whole match. */
  group: number;
}

const PATTERNS: SecretPattern[] = [
  { kind: 'private-key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY( BLOCK)?-----[\s\S]*?(-----END [A-Z ]*PRIVATE KEY( BLOCK)?-----|$)/g, group: 0 },
  { kind: 'aws-access-key', pattern: /\b((?:AKIA|ASIA|AIDA|AROA|AGPA|ANPA|ANVA|AIPA)[A-Z0-9]{16})\b/g, group: 1 },
  { kind: 'github-token', pattern: /\b((?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b/g, group: 1 },
  { kind: 'gitlab-token', pattern: /\b(glpat-[A-Za-z0-9_-]{20,})\b/g, group: 1 },
  { kind: 'slack-token', pattern: /\b(xox[abposr]-[A-Za-z0-9-]{10,})\b/g, group: 1 },
  { kind: 'slack-webhook', pattern: /(https:\/\/hooks\.slack\.com\/services\/[A-Za-z0-9/_-]+)/g, group: 1 },
  { kind: 'stripe-key', pattern: /\b((?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,})\b/g, group: 1 },
  { kind: 'anthropic-key', pattern: /\b(sk-ant-[A-Za-z0-9_-]{20,})\b/g, group: 1 },
  { kind: 'openai-key', pattern: /\b(sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,})\b/g, group: 1 },
  { kind: 'google-api-key', pattern: /\b(AIza[0-9A-Za-z_-]{35})\b/g, group: 1 },
  { kind: 'npm-token', pattern: /\b(npm_[A-Za-z0-9]{36})\b/g, group: 1 },
  { kind: 'pypi-token', pattern: /\b(pypi-[A-Za-z0-9_-]{50,})\b/g, group: 1 },
  { kind: 'sendgrid-key', pattern: /\b(SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,})\b/g, group: 1 },
  { kind: 'twilio-key', pattern: /\b(SK[0-9a-fA-F]{32})\b/g, group: 1 },
  { kind: 'jwt', pattern: /\b(eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})\b/g, group: 1 },
  { kind: 'url-password', pattern: /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/?#@'"]+:([^\s@/'"]+)@/gi, group: 1 },
  { kind: 'bearer-token', pattern: /\b(?:authorization|proxy-authorization)\s*:\s*(?:bearer|basic|token)\s+([^\s'"]+)/gi, group: 1 },
  { kind: 'bearer-token', pattern: /\bbearer\s+([A-Za-z0-9._~+/-]{16,}=*)/gi, group: 1 },
  {
    kind: 'secret-assignment',
    pattern: /\b([A-Za-z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|PASS|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH)[A-Za-z0-9_]*)\s*[=:]\s*("[^"\n]*"|'[^'\n]*'|[^\s'";&|]+)/gi,
    group: 2,
  },
  { kind: 'password-flag', pattern: /(?:^|\s)(?:--password|--passwd|--token|--api-key|--secret)(?:=|\s+)("[^"]*"|'[^']*'|[^\s]+)/gi, group: 1 },
];

/** Longest text looked at; the rest is replaced (bounded work on any input). */
const MAX_TEXT = 256 * 1024;

export function redact(text: string): string {
  let out = text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}[… ${text.length - MAX_TEXT} more characters not stored]` : text;
  for (const { kind, pattern, group } of PATTERNS) {
    out = out.replace(pattern, (match: string, ...groups: unknown[]) => {
      const secret = group === 0 ? match : (groups[group - 1] as string | undefined);
      if (!secret || secret.startsWith('[REDACTED') || /^\$\{?[A-Za-z_]/.test(secret.replace(/^["']/, ''))) return match;
      // TOKEN_FILE=./token.txt names where a secret is, not the secret
      if (kind === 'secret-assignment' && (/_(FILE|PATH|DIR|NAME|TYPE|TTL|EXPIRY|LENGTH|URL_PATH)\b/i.test(match) || /^["']?(\.{0,2}\/|~\/)/.test(secret))) return match;
      if (secret.replace(/^["']|["']$/g, '').length < 4) return match;
      return group === 0 ? `[REDACTED:${kind}]` : match.replace(secret, `[REDACTED:${kind}]`);
    });
  }
  return out;
}

/** Redacts every string inside a JSON-like value. */
export function redactValue<T>(value: T, depth = 0): T {
  if (typeof value === 'string') return redact(value) as T;
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1)) as T;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v, depth + 1)])) as T;
}
