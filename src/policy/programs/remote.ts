import type { ProgramArgs } from './argv.js';
import type { RemoteDecl, RemoteEffect } from './types.js';

/**
 * What a remote client's subcommand does, from the words that name it. Most CLIs name their
 * subcommands by verb (`delete-secret`, `apps:destroy`, `kv get`, `releases delete`), so a verb
 * lexicon judges subcommands nobody declared one by one; a declaration's `effects` say what verbs
 * cannot (`ssm send-command` runs code, `secretsmanager` holds secrets, `pr` is routine work).
 */

const IRREVERSIBLE = new Set([
  'delete', 'del', 'deletion', 'rm', 'rmdir', 'rb', 'remove', 'removal', 'destroy', 'purge', 'drop', 'terminate', 'truncate', 'wipe', 'erase', 'prune', 'forget',
  'yank', 'unpublish', 'revoke', 'flush', 'flushall', 'flushdb', 'nuke', 'teardown', 'uninstall', 'deregister', 'expunge', 'shred', 'obliterate', 'reset', 'dropdb',
  'clear', 'empty', 'cleanup', 'decommission', 'release-delete', 'unregister', 'disassociate', 'evict', 'abandon',
]);

const READ = new Set([
  'get', 'list', 'ls', 'lsd', 'lsf', 'lsl', 'lsjson', 'describe', 'show', 'view', 'status', 'info', 'inspect', 'logs', 'log', 'tail', 'cat', 'search', 'find', 'diff',
  'plan', 'validate', 'lint', 'check', 'checks', 'version', 'help', 'whoami', 'me', 'top', 'explain', 'history', 'events', 'watch', 'print', 'count', 'stat', 'stats',
  'verify', 'preview', 'lookup', 'tree', 'output', 'outputs', 'graph', 'template', 'render', 'completion', 'browse', 'wait', 'query', 'read', 'size', 'du',
  'md5sum', 'sha1sum', 'hashsum', 'estimate', 'usage', 'summary', 'about', 'ping', 'health', 'doctor', 'current', 'detect', 'test', 'list-all', 'tags', 'blame',
  'api-resources', 'api-versions', 'cluster-info', 'can-i', 'whoami', 'download', 'pull', 'fetch', 'clone', 'export', 'dump', 'checkout', 'env', 'echo', 'quota',
  'metrics', 'trace', 'audit', 'scan', 'ncdu', 'lsjson', 'listremotes', 'config-show', 'dryrun', 'dry-run', 'filter', 'select', 'poll', 'monitor', 'ps', 'report',
]);

const CHANGE = new Set([
  'create', 'new', 'update', 'set', 'put', 'apply', 'add', 'push', 'deploy', 'publish', 'release', 'run', 'exec', 'send', 'start', 'stop', 'restart', 'reload',
  'scale', 'patch', 'edit', 'enable', 'disable', 'rotate', 'upload', 'sync', 'import', 'attach', 'detach', 'modify', 'replace', 'tag', 'label', 'annotate',
  'cordon', 'uncordon', 'drain', 'rollout', 'rollback', 'promote', 'merge', 'close', 'reopen', 'comment', 'approve', 'lock', 'unlock', 'invoke', 'trigger',
  'submit', 'upgrade', 'install', 'register', 'grant', 'assign', 'move', 'mv', 'rename', 'copy', 'cp', 'restore', 'write', 'insert', 'pause', 'resume',
  'suspend', 'reboot', 'resize', 'transfer', 'archive', 'unarchive', 'fork', 'cancel', 'mount', 'unmount', 'associate', 'authorize', 'allocate', 'provision',
  'change', 'configure', 'init', 'mkdir', 'mb', 'touch', 'link', 'unlink', 'subscribe', 'unsubscribe', 'schedule', 'enqueue', 'produce', 'publish-message',
  'acknowledge', 'ack', 'silence', 'mute', 'unmute', 'resolve', 'snooze', 'escalate', 'refund', 'capture', 'charge', 'pay', 'void', 'invite', 'join', 'leave',
  'edit-secret', 'login', 'logout', 'reindex', 'rebuild', 'redeploy', 'recreate', 'failover', 'switchover', 'commit', 'override', 'activate', 'deactivate', 'toggle',
  'migrate', 'seed', 'backup', 'snapshot', 'expose', 'autoscale', 'port-forward', 'proxy', 'ssh', 'scp', 'connect', 'console', 'shell', 'attach-role-policy',
  'mirror', 'copy-object', 'compose', 'request', 'renew', 'issue', 'sign', 'encrypt', 'retry', 'rerun', 'dispatch', 'unset', 'revert', 'rewrite', 'bump', 'yank-undo',
]);

const SECRET_NOUNS = new Set([
  'secret', 'secrets', 'secretvalue', 'password', 'passwords', 'passwd', 'token', 'tokens', 'credential', 'credentials', 'creds', 'apikey', 'apikeys', 'kubeconfig',
  'private', 'decrypt', 'plaintext', 'passphrase', 'keyring', 'keychain', 'vault', 'otp', 'totp', 'sshkey', 'signing-key', 'access-key', 'accesskey',
]);

/** Verbs that show a secret when their object is one (listing secrets names them, it does not show them). */
const SHOWING = new Set(['get', 'read', 'show', 'view', 'cat', 'print', 'download', 'export', 'dump', 'pull', 'reveal', 'access', 'decrypt', 'describe-secret', 'value']);

/** Options that make a client print secrets it would otherwise hide. */
const SHOWS_SECRETS = new Set(['--with-decryption', '--decrypt', '--show-token', '--show-secrets', '--show-secret', '--reveal', '--plain', '--show-values', '--unmask', '--raw-secret', '--show-sensitive', '--insecure-show-secrets', '--flatten-secrets']);

export interface RemoteVerdict {
  effect: RemoteEffect;
  /** The subcommand words that decided (`secretsmanager delete-secret`). */
  words: string;
}

function parts(word: string): string[] {
  return word.toLowerCase().split(/[-_:.]+/).filter(Boolean);
}

/** What one word says, when its parts name a verb. */
export function verbEffect(word: string, secrets: boolean): RemoteEffect | null {
  const p = parts(word);
  if (p.length === 0) return null;
  const whole = word.toLowerCase();
  if (p.some((x) => IRREVERSIBLE.has(x)) || IRREVERSIBLE.has(whole)) return 'irreversible';
  const secretNoun = p.some((x) => SECRET_NOUNS.has(x)) || (p.includes('key') && p.includes('access'));
  const verb = READ.has(whole) || CHANGE.has(whole) ? whole : [p[0]!, p[p.length - 1]!].find((x) => READ.has(x) || CHANGE.has(x));
  if (verb === undefined) return null;
  if (CHANGE.has(verb) && !READ.has(verb)) return secretNoun ? 'secret' : 'change';
  if (secrets || (secretNoun && p.some((x) => SHOWING.has(x)))) return 'secret';
  return CHANGE.has(verb) ? 'change' : 'read';
}

function longestEffect(decl: RemoteDecl, words: readonly string[]): { effect: RemoteEffect; length: number } | null {
  const table = decl.effects;
  if (!table) return null;
  for (let k = Math.min(words.length, 4); k >= 1; k--) {
    const effect = table[words.slice(0, k).join(' ')];
    if (effect) return { effect, length: k };
  }
  return null;
}

const METHOD_EFFECT: Record<string, RemoteEffect> = { GET: 'read', HEAD: 'read', OPTIONS: 'read', DELETE: 'irreversible' };

/** What the command does to the remote service, or null when harness cannot name a subcommand. */
export function remoteEffect(decl: RemoteDecl, args: ProgramArgs, optionValue: (names: readonly string[]) => string | null): RemoteVerdict {
  const depth = decl.depth ?? 3;
  const words = args.words.slice(0, depth);
  const said = (effect: RemoteEffect, k: number): RemoteVerdict => ({ effect, words: words.slice(0, k).join(' ') });
  if (decl.dryRun && args.options.some((o) => decl.dryRun!.includes(o.split('=')[0]!))) return said('read', words.length);
  // `--with-decryption`, `--show-token`, `--reveal`: the output shows the secret whatever the subcommand
  const showing = args.options.find((o) => SHOWS_SECRETS.has(o.split('=')[0]!));
  if (showing) return { effect: 'secret', words: [...words, showing].join(' ') };
  const method = decl.method ? optionValue(decl.method) : null;
  const declared = longestEffect(decl, words);
  // the verbs of the words after a declared path still say when it destroys (`secret delete`)
  for (let k = 0; k < words.length; k++) {
    const v = verbEffect(words[k]!, decl.secrets ?? false);
    if (v === 'irreversible') return said(v, k + 1);
  }
  if (method) {
    const m = METHOD_EFFECT[method.toUpperCase()] ?? 'change';
    const routine = declared ? declared.effect === 'routine' : decl.unknown === 'routine';
    if (m !== 'read') return said(routine && m === 'change' ? 'routine' : m, words.length);
  }
  if (declared && declared.effect !== 'read' && declared.effect !== 'routine') return said(declared.effect, declared.length);
  for (let k = declared?.length ?? 0; k < words.length; k++) {
    const v = verbEffect(words[k]!, decl.secrets ?? false);
    if (v === null) continue;
    // under a routine path, changes are routine; a secret is a secret wherever it is
    if (declared?.effect === 'routine' && v === 'change') return said('routine', k + 1);
    if (declared?.effect === 'read' && v !== 'secret') return said('read', k + 1);
    return said(v, k + 1);
  }
  if (declared) return said(declared.effect, declared.length);
  return said(decl.unknown ?? 'change', words.length);
}
