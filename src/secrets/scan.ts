/**
 * What secrets look like: private keys, cloud and API tokens of common providers, credentials in
 * URLs and headers, and assignments to *_KEY/*_TOKEN/*_SECRET-like names. Shared by redaction
 * (nothing secret is stored or shown) and by the write guard (a write that adds one is asked).
 */
export interface SecretPattern {
  kind: string;
  pattern: RegExp;
  /** Which capture group holds the secret (the rest of the match is kept). 0 = whole match. */
  group: number;
}

export const SECRET_PATTERNS: SecretPattern[] = [
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
    pattern:
      /\b([A-Za-z0-9_]*(?:SECRET|TOKEN|PASSWORD|PASSWD|PASS|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?|AUTH)[A-Za-z0-9_]*)\s*[=:]\s*("[^"\n]*"|'[^'\n]*'|[^\s'";&|]+)/gi,
    group: 2,
  },
  { kind: 'password-flag', pattern: /(?:^|\s)(?:--password|--passwd|--token|--api-key|--secret)(?:=|\s+)("[^"]*"|'[^']*'|[^\s]+)/gi, group: 1 },
];

/** A value that only names where a secret is (a variable, a file), not the secret itself. */
export function isReference(kind: string, match: string, secret: string): boolean {
  if (/^\$\{?[A-Za-z_]/.test(secret.replace(/^["']/, ''))) return true;
  // TOKEN_FILE=./token.txt names where a secret is, not the secret
  if (kind === 'secret-assignment' && (/_(FILE|PATH|DIR|NAME|TYPE|TTL|EXPIRY|LENGTH|URL_PATH)\b/i.test(match) || /^["']?(\.{0,2}\/|~\/)/.test(secret)))
    return true;
  return secret.replace(/^["']|["']$/g, '').length < 4;
}

/** Shannon entropy in bits per character. */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const c of text) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / text.length) * Math.log2(n / text.length);
  return bits;
}

export interface FoundSecret {
  kind: string;
  value: string;
}

/** Longest text scanned for secrets a write adds. */
const MAX_SCAN = 1024 * 1024;

/**
 * Secrets in a text, for deciding (not for display: callers show only the kind). Assignments count
 * only when the value looks random (long, high entropy), so `PASSWORD=changeme` in a test fixture
 * is not one; provider tokens and private keys always count.
 */
export function findSecrets(text: string): FoundSecret[] {
  const body = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  const found: FoundSecret[] = [];
  for (const { kind, pattern, group } of SECRET_PATTERNS) {
    for (const m of body.matchAll(new RegExp(pattern.source, pattern.flags))) {
      const secret = group === 0 ? m[0] : m[group];
      if (!secret || secret.startsWith('[REDACTED') || isReference(kind, m[0], secret)) continue;
      const bare = secret.replace(/^["']|["']$/g, '');
      if (kind === 'secret-assignment' || kind === 'password-flag') {
        if (bare.length < 16 || entropy(bare) < 3.5 || /^(true|false|null|none|undefined|changeme|password|example|xxx+|\*+)$/i.test(bare)) continue;
      }
      found.push({ kind, value: bare });
    }
  }
  return found;
}

/**
 * The kinds of secret in `after` that `before` does not already hold (by value). `before` may be
 * given lazily: it is read only when `after` holds a secret at all.
 */
export function secretsAdded(before: string | (() => string), after: string): string[] {
  const found = findSecrets(after);
  if (found.length === 0) return [];
  const held = typeof before === 'function' ? before() : before;
  return [...new Set(found.filter((s) => !held.includes(s.value)).map((s) => s.kind))];
}
