/**
 * Variables whose names say they hold a secret (`GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`,
 * `DB_PASSWORD`, `STRIPE_API_KEY`): their values must not leave the machine in a network command's
 * arguments or input. Judged by the name's words, split at `_`; names of files, directories and
 * sockets that lead to a secret (`GOOGLE_APPLICATION_CREDENTIALS_FILE`, `SSH_AUTH_SOCK`) are not one.
 */

/** Words that say a secret wherever they are in the name (`SECRET_KEY_BASE`, `TOKEN_SECRET`). */
const SECRET_WORDS = new Set([
  'TOKEN',
  'TOKENS',
  'SECRET',
  'SECRETS',
  'PASSWORD',
  'PASSWORDS',
  'PASSWD',
  'PASSPHRASE',
  'APIKEY',
  'CREDENTIAL',
  'CREDENTIALS',
  'CREDS',
]);
/**
 * Words that say a secret only as the name's last word (`OPENAI_API_KEY`, `BASIC_AUTH`, `GH_PAT`):
 * before another word they name something else (`AUTH_DOMAIN`, `SIGNING_KEY_ALIAS`, `COOKIE_DOMAIN`).
 */
const LAST_WORDS = new Set(['KEY', 'KEYS', 'AUTH', 'PASS', 'PWD', 'PW', 'PAT', 'OTP', 'COOKIE', 'COOKIES']);
/** Words run together (`GITHUBTOKEN`, `DBPASSWORD`, `APISECRET`): a word that ends in one (not `TOKENIZERS`). */
const SECRET_ENDINGS = /(?:TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIALS?|APIKEY|PRIVATEKEY|ACCESSKEY)S?$/;
/** Where a secret is, not the secret: a path, a directory, a socket, a file name, a key's id or name. */
const NOT_A_VALUE = /_(?:ID|ARN|FILE|PATH|DIR|SOCK|SOCKET|FILENAME|NAME|TYPE|URL|HOST|ENDPOINT|USER|USERNAME|EXPIRY|EXPIRES|ENABLED|LENGTH|TTL)$/;

export function isSecretName(name: string): boolean {
  const upper = name.toUpperCase();
  if (upper === 'PWD' || upper === 'OLDPWD' || NOT_A_VALUE.test(upper)) return false;
  const words = upper.split(/_+/).filter(Boolean);
  return words.some((w, i) => SECRET_WORDS.has(w) || SECRET_ENDINGS.test(w) || (i === words.length - 1 && LAST_WORDS.has(w)));
}

/**
 * The first secret-named variable a word expands (`"Bearer $GITHUB_TOKEN"`, `${NPM_TOKEN:-x}`), or
 * null. `environmentOnly`: names as the environment spells them, not a script's own lowercase ones
 * (`while read -r key _; do echo "$key"; done`).
 */
export function secretVariableIn(text: string, environmentOnly = false): string | null {
  for (const m of text.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)) if (isSecretName(m[1]!) && (!environmentOnly || /[A-Z]/.test(m[1]!))) return m[1]!;
  return null;
}
