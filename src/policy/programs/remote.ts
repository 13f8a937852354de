import type { Arg } from '../types.js';
import type { ProgramArgs } from './argv.js';
import type { RemoteDecl, RemoteEffect } from './types.js';

/**
 * What a remote client's subcommand does, from the words that name it. Most CLIs name their
 * subcommands by verb (`delete-secret`, `apps:destroy`, `kv get`, `releases delete`), so a verb
 * lexicon judges subcommands nobody declared one by one; a declaration's `effects` say what verbs
 * cannot (`ssm send-command` runs code, `secretsmanager` holds secrets, `pr` is routine work).
 */

const IRREVERSIBLE = new Set([
  'delete',
  'del',
  'deletion',
  'rm',
  'rmdir',
  'rb',
  'remove',
  'removal',
  'destroy',
  'purge',
  'drop',
  'terminate',
  'truncate',
  'wipe',
  'erase',
  'prune',
  'forget',
  'yank',
  'unpublish',
  'revoke',
  'flush',
  'flushall',
  'flushdb',
  'nuke',
  'teardown',
  'uninstall',
  'deregister',
  'expunge',
  'shred',
  'obliterate',
  'reset',
  'dropdb',
  'clear',
  'empty',
  'cleanup',
  'decommission',
  'release-delete',
  'unregister',
  'disassociate',
  'evict',
  'abandon',
  'compact',
  'rebuild',
  'reinstall',
  'deleted',
  'nuke',
  'reimage',
]);

/** Prefixes that destroy even run together with their object (`deletetable`, `dropAll`). */
const IRREVERSIBLE_PREFIX = /^(?:delete|destroy|purge|remove|terminate|truncate)(?=[a-z]{4,})/;

/** Verbs that switch the client's own context (a profile, a project, a login): routine. */
const ROUTINE = new Set(['use', 'switch', 'select', 'login', 'logout', 'activate-profile', 'context', 'set-context', 'use-context', 'whoami']);

const READ = new Set([
  'get',
  'list',
  'ls',
  'lsd',
  'lsf',
  'lsl',
  'lsjson',
  'describe',
  'show',
  'view',
  'status',
  'info',
  'inspect',
  'logs',
  'log',
  'tail',
  'cat',
  'search',
  'find',
  'diff',
  'plan',
  'validate',
  'lint',
  'check',
  'checks',
  'version',
  'help',
  'whoami',
  'me',
  'top',
  'explain',
  'history',
  'events',
  'watch',
  'print',
  'count',
  'stat',
  'stats',
  'verify',
  'preview',
  'lookup',
  'tree',
  'output',
  'outputs',
  'graph',
  'template',
  'render',
  'completion',
  'browse',
  'wait',
  'query',
  'read',
  'size',
  'du',
  'md5sum',
  'sha1sum',
  'hashsum',
  'estimate',
  'usage',
  'summary',
  'about',
  'ping',
  'health',
  'doctor',
  'current',
  'detect',
  'test',
  'list-all',
  'tags',
  'blame',
  'api-resources',
  'api-versions',
  'cluster-info',
  'can-i',
  'whoami',
  'download',
  'pull',
  'fetch',
  'clone',
  'export',
  'dump',
  'checkout',
  'env',
  'echo',
  'quota',
  'metrics',
  'trace',
  'audit',
  'scan',
  'ncdu',
  'lsjson',
  'listremotes',
  'config-show',
  'dryrun',
  'dry-run',
  'filter',
  'poll',
  'monitor',
  'ps',
  'report',
  'retrieve',
  'access',
  'consume',
  'lint',
  'describe-all',
  'outdated',
  'top',
  'inspect',
  'fetch-all',
]);

const CHANGE = new Set([
  'create',
  'new',
  'update',
  'set',
  'put',
  'apply',
  'add',
  'push',
  'deploy',
  'publish',
  'release',
  'run',
  'exec',
  'send',
  'start',
  'stop',
  'restart',
  'reload',
  'scale',
  'patch',
  'edit',
  'enable',
  'disable',
  'rotate',
  'upload',
  'sync',
  'import',
  'attach',
  'detach',
  'modify',
  'replace',
  'tag',
  'label',
  'annotate',
  'cordon',
  'uncordon',
  'drain',
  'rollout',
  'rollback',
  'promote',
  'merge',
  'close',
  'reopen',
  'comment',
  'approve',
  'lock',
  'unlock',
  'invoke',
  'trigger',
  'submit',
  'upgrade',
  'install',
  'register',
  'grant',
  'assign',
  'move',
  'mv',
  'rename',
  'copy',
  'cp',
  'restore',
  'write',
  'insert',
  'pause',
  'resume',
  'suspend',
  'reboot',
  'resize',
  'transfer',
  'archive',
  'unarchive',
  'fork',
  'cancel',
  'mount',
  'unmount',
  'associate',
  'authorize',
  'allocate',
  'provision',
  'change',
  'configure',
  'init',
  'mkdir',
  'mb',
  'touch',
  'link',
  'unlink',
  'subscribe',
  'unsubscribe',
  'schedule',
  'enqueue',
  'produce',
  'publish-message',
  'acknowledge',
  'ack',
  'silence',
  'mute',
  'unmute',
  'resolve',
  'snooze',
  'escalate',
  'refund',
  'capture',
  'charge',
  'pay',
  'void',
  'invite',
  'join',
  'leave',
  'edit-secret',
  'login',
  'logout',
  'reindex',
  'rebuild',
  'redeploy',
  'recreate',
  'failover',
  'switchover',
  'commit',
  'override',
  'activate',
  'deactivate',
  'toggle',
  'migrate',
  'seed',
  'backup',
  'snapshot',
  'expose',
  'autoscale',
  'port-forward',
  'proxy',
  'ssh',
  'scp',
  'connect',
  'console',
  'shell',
  'attach-role-policy',
  'mirror',
  'copy-object',
  'compose',
  'request',
  'renew',
  'issue',
  'sign',
  'encrypt',
  'retry',
  'rerun',
  'dispatch',
  'unset',
  'revert',
  'rewrite',
  'bump',
  'yank-undo',
  'post',
  'confirm',
  'finalize',
  'resend',
  'execute',
  'kill',
  'shutdown',
  'expire',
  'gc',
  'alter',
]);

const SECRET_NOUNS = new Set([
  'secret',
  'secrets',
  'secretvalue',
  'password',
  'passwords',
  'passwd',
  'token',
  'tokens',
  'credential',
  'credentials',
  'creds',
  'apikey',
  'apikeys',
  'kubeconfig',
  'private',
  'decrypt',
  'plaintext',
  'passphrase',
  'keyring',
  'keychain',
  'vault',
  'otp',
  'totp',
  'sshkey',
  'signing-key',
  'access-key',
  'accesskey',
]);

/** Read verbs that are actions, not nouns: after a noun that reads like a change (`backup get`, `snapshot list`) they decide. */
const STRONG_READ = new Set([
  'get',
  'list',
  'ls',
  'describe',
  'show',
  'view',
  'status',
  'query',
  'search',
  'find',
  'inspect',
  'info',
  'cat',
  'read',
  'print',
  'lookup',
  'validate',
  'verify',
  'diff',
  'plan',
  'preview',
]);

/** Verbs that show a secret when their object is one (listing secrets names them, it does not show them). */
const SHOWING = new Set([
  'get',
  'read',
  'show',
  'view',
  'cat',
  'print',
  'download',
  'export',
  'dump',
  'pull',
  'reveal',
  'access',
  'decrypt',
  'describe-secret',
  'value',
]);

/** Options that make a client print secrets it would otherwise hide. */
const SHOWS_SECRETS = new Set([
  '--with-decryption',
  '--decrypt',
  '--show-token',
  '--show-secrets',
  '--show-secret',
  '--reveal',
  '--plain',
  '--show-values',
  '--unmask',
  '--raw-secret',
  '--show-sensitive',
  '--insecure-show-secrets',
  '--flatten-secrets',
]);

export interface RemoteVerdict {
  effect: RemoteEffect;
  /** The subcommand words that decided (`secretsmanager delete-secret`). */
  words: string;
}

/** The parts of a subcommand word: split at - _ : . and at camelCase humps (`DeleteInstance`, `deleteSite`). */
function parts(word: string): string[] {
  return word
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .split(/[-_:.]+/)
    .filter(Boolean);
}

function isSecretNoun(word: string): boolean {
  const p = parts(word);
  return p.some((x) => SECRET_NOUNS.has(x)) || (p.includes('key') && p.includes('access'));
}

/** What one word says, when its parts name a verb. */
export function verbEffect(word: string, secrets: boolean): RemoteEffect | null {
  const p = parts(word);
  if (p.length === 0) return null;
  const whole = word.toLowerCase();
  if (p.some((x) => IRREVERSIBLE.has(x) || IRREVERSIBLE_PREFIX.test(x)) || IRREVERSIBLE.has(whole)) return 'irreversible';
  const secretNoun = isSecretNoun(word);
  if (ROUTINE.has(whole) || ROUTINE.has(p[p.length - 1]!)) return 'routine';
  // `noun:verb` (heroku ps:scale) names its verb last, `verb-noun` (delete-secret) first
  const order = word.includes(':') ? [p[p.length - 1]!, p[0]!] : [p[0]!, p[p.length - 1]!];
  const verb = READ.has(whole) || CHANGE.has(whole) ? whole : order.find((x) => READ.has(x) || CHANGE.has(x));
  if (verb === undefined) return null;
  if (CHANGE.has(verb) && !READ.has(verb)) return secretNoun ? 'secret' : 'change';
  if (secrets || (secretNoun && p.some((x) => SHOWING.has(x)))) return 'secret';
  return CHANGE.has(verb) ? 'change' : 'read';
}

/** A word as a declaration may name it: `Secret`, `secret/db`, `configmap,secret` are `secret`. */
function variants(word: string): string[] {
  const lower = word.toLowerCase();
  return [...new Set([word, lower, lower.split('/')[0]!, ...lower.split(',')])];
}

function longestEffect(decl: RemoteDecl, words: readonly string[]): { effect: RemoteEffect; length: number } | null {
  const table = decl.effects;
  if (!table) return null;
  const rank: Record<RemoteEffect, number> = { read: 0, routine: 1, change: 2, exec: 3, secret: 4, irreversible: 5 };
  for (let k = Math.min(words.length, 4); k >= 1; k--) {
    const head = words.slice(0, k - 1).join(' ');
    let best: RemoteEffect | undefined;
    for (const last of variants(words[k - 1]!)) {
      const effect = table[head === '' ? last : `${head} ${last}`];
      if (effect && (best === undefined || rank[effect] > rank[best])) best = effect;
    }
    if (best) return { effect: best, length: k };
  }
  return null;
}

/** Options that override a service's safeguards: a force, an administrator's bypass of protections, an overwrite. */
const FORCING = /^--(?:force(?:-[a-z]+)*|admin|bypass(?:-[a-z]+)*|overwrite|override(?:-[a-z]+)*)$/;

const METHOD_EFFECT: Record<string, RemoteEffect> = { GET: 'read', HEAD: 'read', OPTIONS: 'read', DELETE: 'irreversible' };

/** A word that is a URL or a host's path (`https://h/x`, `localhost:9200/idx`). */
const URL_WORD = /^[a-z][a-z0-9+.-]*:\/\/|^[\w.-]+(?::\d+)?\//i;

/** A URL's path, without its scheme, host, query and fragment. */
function urlPath(url: string): string {
  return url
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '')
    .replace(/^[\w.-]+(?::\d+)?(?=\/)/, '')
    .replace(/[?#].*$/, '');
}

/** The word that is a URL naming a destroying action, if one is. */
export function destroyingUrl(words: readonly string[]): string | undefined {
  return words.find((w) => URL_WORD.test(w) && urlDestroys(w));
}

/**
 * Do the request's URLs each name one record deep in a path (`localhost:8080/api/todos/3`), not a
 * whole collection or index (`localhost:9200/logs`), nor many (`logs-*`, `_all`)?
 */
export function namesRecordsOnly(words: readonly string[]): boolean {
  const paths = words.filter((w) => URL_WORD.test(w)).map(urlPath);
  return paths.length > 0 && paths.every((p) => !/[*,]|_all\b/.test(p) && p.split('/').filter(Boolean).length >= 2);
}

/** A URL whose path names a destroying action (`/_delete_by_query`, `/job/x/doDelete`, `/api/v1/purge`). */
function urlDestroys(url: string): boolean {
  let path = urlPath(url);
  try {
    path = decodeURIComponent(path);
  } catch {
    // a malformed escape: judged as written
  }
  return path.split('/').some((segment) => segment !== '' && verbEffect(segment.replace(/^do(?=[A-Z])/, ''), false) === 'irreversible');
}

/** Options whose name is a destroying verb (`kafka-topics --delete`, `mongorestore --drop`), or a changing one (`--create`, `--alter`). */
function optionEffect(options: readonly string[]): RemoteEffect | null {
  let out: RemoteEffect | null = null;
  for (const o of options) {
    if (!o.startsWith('--') || o.startsWith('--no-')) continue;
    const v = verbEffect(o.slice(2).split('=')[0]!, false);
    if (v === 'irreversible') return v;
    if (v === 'change' && ['create', 'alter', 'add', 'update', 'set', 'execute', 'reset-offsets', 'doit'].some((x) => o.slice(2).startsWith(x))) out = 'change';
  }
  return out;
}

/**
 * What the command does to the remote service. Destroying verbs anywhere in the subcommand words
 * win (unless the declaration names that very path); otherwise the declaration's most specific
 * path, then the last word that names a verb (`velero backup get` gets; `kopia snapshot list`
 * lists), a secret noun on the way making it a secret (`fly secrets set`).
 */
export function remoteEffect(decl: RemoteDecl, args: ProgramArgs, optionValue: (names: readonly string[]) => string | null): RemoteVerdict {
  const verdict = subcommandEffect(decl, args, optionValue);
  if (verdict.effect !== 'routine') return verdict;
  // a routine write that overrides the service's own safeguards (`gh pr merge --admin`, `gh repo sync --force`) is a change
  const forcing = args.options.find((o) => FORCING.test(o.split('=')[0]!));
  if (forcing) return { effect: 'change', words: `${verdict.words} ${forcing}` };
  if (!decl.method) return verdict;
  // a request that is not a read, to an address that names a destroying action (`curl -X POST …/_delete_by_query`)
  const url = destroyingUrl(args.words);
  if (url) return { effect: 'irreversible', words: url };
  // a routine write to a sensitive path (collaborators, keys, hooks, protection) is a change
  const writes = decl.bodyOptions?.some((o) => args.options.some((x) => x.split('=')[0] === o)) || optionValue(decl.method) !== null;
  const sensitive = writes && decl.sensitiveUrl ? args.words.find((w) => decl.sensitiveUrl!.test(w)) : undefined;
  return sensitive ? { effect: 'change', words: verdict.words } : verdict;
}

function subcommandEffect(decl: RemoteDecl, args: ProgramArgs, optionValue: (names: readonly string[]) => string | null): RemoteVerdict {
  const depth = decl.depth ?? 3;
  const words = args.words.slice(0, depth);
  const said = (effect: RemoteEffect, k: number): RemoteVerdict => ({ effect, words: words.slice(0, k).join(' ') });
  // a dry run reads (`--dry-run`, `-n`); `--dry-run=false` and kubectl's `--dry-run=none` are not one
  if (decl.dryRun && args.options.some((o) => decl.dryRun!.includes(o.split('=')[0]!) && !/=(?:false|0|no|off|none)$/i.test(o)))
    return said('read', words.length);
  // `--with-decryption`, `--show-token`, `--reveal`: the output shows the secret whatever the subcommand
  const showing = args.options.find((o) => SHOWS_SECRETS.has(o.split('=')[0]!));
  if (showing) return { effect: 'secret', words: [...words, showing].join(' ') };
  const body = decl.bodyOptions && args.options.some((o) => decl.bodyOptions!.includes(o.split('=')[0]!)) ? 'POST' : null;
  // a GraphQL mutation changes whatever its method says
  const mutation = args.words.some((w) => /(?:^|=)\s*mutation\b/.test(w)) ? 'POST' : null;
  // a GraphQL query is sent as a POST and reads; only a mutation changes
  const graphql = args.words.some((w) => w.toLowerCase() === 'graphql');
  const method = (decl.method ? optionValue(decl.method) : null) ?? (graphql ? mutation : (body ?? mutation));
  const declared = longestEffect(decl, words);
  const from = declared?.length ?? 0;
  // the verbs after a declared path still say when it destroys (`secret delete`); the path itself is what it was declared
  for (let k = from; k < words.length; k++) {
    if (verbEffect(words[k]!, false) === 'irreversible') return said('irreversible', k + 1);
  }
  // a GraphQL mutation can change anything the API reaches: never routine
  if (graphql && mutation && !method?.match(/^DELETE$/i)) return said('change', words.length);
  if (method) {
    const m = METHOD_EFFECT[method.toUpperCase()] ?? 'change';
    const routine = declared ? declared.effect === 'routine' : decl.unknown === 'routine';
    if (m !== 'read') return said(routine && m === 'change' ? 'routine' : m, words.length);
  }
  if (declared && declared.effect !== 'read' && declared.effect !== 'routine') return said(declared.effect, declared.length);
  let last: { effect: RemoteEffect; k: number; strongRead: boolean } | null = null;
  let secretNoun = false;
  for (let k = from; k < words.length; k++) {
    // an operand (`orders.new`, `s3://b`, `KEY=v`), not a subcommand: the words end here
    if (/[/=@]|^\d/.test(words[k]!)) break;
    secretNoun ||= isSecretNoun(words[k]!);
    const v = verbEffect(words[k]!, decl.secrets ?? false);
    if (v === null) continue;
    // The first verb decides, unless it was a noun that reads like a verb: a change noun before a read
    // action (`velero backup get`), a read noun before an action (`sensuctl check create`); not a
    // read noun after an action (`promtool push metrics`) nor a resource after a read (`kubectl describe deploy`).
    const strongRead = v === 'read' && STRONG_READ.has(words[k]!.toLowerCase());
    if (last === null || (strongRead && !last.strongRead) || (v !== 'read' && last.effect === 'read' && !last.strongRead)) last = { effect: v, k, strongRead };
  }
  if (last) {
    let effect = last.effect;
    if (secretNoun && effect === 'change') effect = 'secret';
    // under a routine path, changes are routine; so are a local tool's changes that do not reach the service
    if (declared?.effect === 'routine' && effect === 'change') effect = 'routine';
    if (effect === 'change' && decl.reach && !parts(words[last.k]!).some((x) => decl.reach!.includes(x))) effect = 'routine';
    return said(effect, last.k + 1);
  }
  if (declared) return said(declared.effect, declared.length);
  const byOption = optionEffect(args.options);
  if (byOption) return { effect: byOption, words: words.join(' ') };
  return said(decl.unknown ?? 'change', words.length);
}

/** Options that name the server a database or service client talks to (when the program's declaration says they take a value). */
const HOST_OPTIONS = ['-h', '--host', '--hostname', '--server', '--pghost', '--db-host'];
/** URL authorities (`postgres://u:p@db:5432/x`, `jdbc:mysql://h/x`), libpq's `host=`, ADO.NET's `Server=`. */
const URL_HOST = /[a-z][a-z0-9+.-]*:\/\/(?:[^@/\s]*@)?(\[[^\]\s]+\]|[^:/\s?#,;]+)/gi;
const KEYWORD_HOST = /(?:^|[\s;])(?:host|server|data source|hostaddr)\s*=\s*([^\s;]+)/gi;
const LOOPBACK_HOST = /^(?:localhost|[\w.-]+\.localhost|127(?:\.\d{1,3}){3}|\[?::1\]?|\/.*)$/i;

/**
 * Whether the command names the server it talks to and every server it names is this machine
 * (localhost, 127.x, ::1, a Unix socket's directory): a development database, not a shared one.
 * `hostOptions`: those of HOST_OPTIONS the program takes a value for. A host given by a variable
 * is none harness can tell, so the answer is no.
 */
export function talksToLoopbackOnly(argv: readonly Arg[], valueOptions: readonly string[]): boolean {
  // a computed word may be a connection string that names any server (`psql -h localhost "$URL"`)
  if (argv.some((a) => a.dynamic)) return false;
  const hostOptions = HOST_OPTIONS.filter((o) => valueOptions.includes(o));
  const hosts: string[] = [];
  const args = argv.slice(1);
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const option = hostOptions.find(
      (o) => a.value === o || (o.startsWith('--') && a.value.startsWith(`${o}=`)) || (o.length === 2 && a.value.startsWith(o) && a.value.length > 2),
    );
    if (option) {
      const value = a.value === option ? args[i + 1] : { value: a.value.slice(option.length).replace(/^=/, '') };
      if (!value) return false;
      hosts.push(value.value);
      if (a.value === option) i++;
      continue;
    }
    for (const m of a.value.matchAll(URL_HOST)) hosts.push(m[1]!);
    for (const m of a.value.matchAll(KEYWORD_HOST)) hosts.push(m[1]!);
  }
  return hosts.length > 0 && hosts.every((h) => LOOPBACK_HOST.test(h));
}
