import type { ProgramDecl, RemoteDecl, RemoteEffect } from '../types.js';

type Effects = Readonly<Record<string, RemoteEffect>>;

/** One remote client: the names it runs by, its options that take a value (before its subcommand, and after it too, since none of these declare per-subcommand options), and what its subcommands do. */
function client(names: readonly string[], values: readonly string[], remote: RemoteDecl): ProgramDecl {
  return values.length > 0 ? { names, globals: { values }, remote } : { names, remote };
}

/** The same effect for a list of words, in upper and lower case (`redis-cli GET` and `get`). */
function words(list: readonly string[], effect: RemoteEffect): Effects {
  return Object.fromEntries(list.flatMap((w) => [[w, effect], [w.toLowerCase(), effect]]));
}

const AUTH: Effects = { login: 'routine', logout: 'routine' };

/** Options of kubectl-like clients that take a value. */
const KUBE = ['-n', '--namespace', '--context', '--kube-context', '--kubeconfig', '--cluster', '--user', '-s', '--server', '--token', '--as', '--as-group', '--request-timeout', '--certificate-authority', '--client-certificate', '--client-key', '--tls-server-name', '--cache-dir', '-l', '--selector', '-o', '--output', '--timeout'];

/** restic and rustic share their subcommands. */
const RESTIC: Effects = { snapshots: 'read', backup: 'routine', restore: 'routine', mount: 'read', key: 'secret', 'key list': 'read', 'self-update': 'routine', generate: 'read', cache: 'read', repoinfo: 'read', 'show-config': 'read', webdav: 'read', completions: 'read' };
const RESTIC_VALUES = ['-r', '--repo', '--repository', '--repository-file', '-p', '--password-file', '--password-command', '--cache-dir', '-o', '--option', '--limit-upload', '--limit-download', '--key-hint', '--cacert', '--tls-client-cert', '--pack-size', '--compression', '-P', '--use-profile', '--log-level', '--log-file', '--tag', '--host', '--path', '--keep-last', '--keep-hourly', '--keep-daily', '--keep-weekly', '--keep-monthly', '--keep-yearly', '--keep-within', '--keep-tag', '-e', '--exclude', '--exclude-file', '--iexclude', '--files-from', '-t', '--target', '-i', '--include', '-g', '--group-by', '--max-unused', '--read-data-subset'];

/** borg and borgmatic share their actions. */
const BORG: Effects = { create: 'routine', extract: 'routine', mount: 'read', umount: 'routine', compact: 'irreversible', rdelete: 'irreversible', 'key export': 'secret', 'key import': 'secret', 'export-tar': 'read', 'import-tar': 'change', 'with-lock': 'change', serve: 'read', 'break-lock': 'change', rlist: 'read', rinfo: 'read', 'config validate': 'read', 'config generate': 'routine', bootstrap: 'change', spot: 'read' };

/**
 * Clients of other remote services, family by family (secret managers, backups, queues, search,
 * CI/CD, Kubernetes tools, infrastructure as code, platforms and clouds, databases, registries,
 * DNS/CDN, payment, email and messaging, feature flags, monitoring, app stores). The verbs of their
 * subcommands decide (remote.ts); `effects` say what the verbs cannot: subcommands named by nouns
 * (`restic snapshots`, `stripe listen`), changes that are everyday work, and where secrets are.
 */
export const SERVICE_DECLS: ProgramDecl[] = [
  // secret managers: reads show secrets; listing names does not
  client(['vault', 'bao'], ['-address', '-namespace', '-ca-cert'], { service: 'a Vault server', depth: 3, secrets: true, effects: { status: 'read', login: 'routine', 'token lookup': 'read', 'token create': 'secret', 'secrets list': 'read', 'kv list': 'read', 'kv metadata get': 'read', 'policy list': 'read', 'policy read': 'read', 'auth list': 'read' } }),
  client(['op'], ['--account', '--config', '--encoding', '--format', '--session', '--vault', '--fields', '--categories', '--tags', '--title', '--url', '--template', '-o', '--out-file', '--env-file'], {
    service: '1Password', depth: 2, secrets: true,
    effects: { ...AUTH, signin: 'routine', signout: 'routine', update: 'routine', whoami: 'read', 'account list': 'read', 'account get': 'read', 'vault list': 'read', 'vault get': 'read', 'vault create': 'change', 'vault edit': 'change', 'item list': 'read', 'document list': 'read', 'user list': 'read', 'group list': 'read', item: 'secret', document: 'secret', read: 'secret', inject: 'secret', run: 'secret', 'plugin run': 'secret', 'connect token': 'secret', 'service-account create': 'secret', 'events-api create': 'secret' },
  }),
  client(['doppler'], ['--config-dir', '--api-host', '--dashboard-host', '--scope', '--configuration', '-p', '--project', '-c', '--config', '--token', '--format', '--name-transformer'], {
    service: 'Doppler', depth: 2, unknown: 'read',
    effects: { ...AUTH, setup: 'routine', configure: 'routine', update: 'routine', secrets: 'secret', run: 'secret', 'configs tokens': 'secret', 'configs tokens list': 'read', import: 'change' },
  }),
  client(['infisical'], ['--domain', '--env', '--projectId', '--path', '--token', '--log-level', '--format', '--output', '--type', '--tags'], {
    service: 'Infisical', depth: 3,
    effects: { ...AUTH, init: 'routine', vault: 'routine', secrets: 'secret', 'secrets folders': 'read', 'secrets folders get': 'read', export: 'secret', run: 'secret', scan: 'read', 'service-token': 'secret', token: 'secret', 'user get token': 'secret' },
  }),
  client(['bw'], ['--session', '--search', '--url', '--folderid', '--collectionid', '--organizationid', '--itemid', '--output', '--passwordenv', '--passwordfile', '--code', '--format', '--length', '--host', '--port', '--method'], {
    service: 'Bitwarden', depth: 2, secrets: true,
    effects: { ...AUTH, status: 'read', unlock: 'secret', lock: 'routine', sync: 'routine', config: 'routine', update: 'routine', generate: 'read', encode: 'read', create: 'secret', edit: 'secret', import: 'secret', serve: 'secret', send: 'secret', receive: 'secret', move: 'change', confirm: 'change', 'list folders': 'read', 'list collections': 'read', 'list organizations': 'read', 'list org-collections': 'read', 'list org-members': 'read' },
  }),
  client(['pass'], [], {
    service: 'a password store', depth: 2, secrets: true, unknown: 'secret',
    effects: { ls: 'read', list: 'read', find: 'read', search: 'read', version: 'read', grep: 'secret', insert: 'secret', add: 'secret', edit: 'secret', generate: 'secret', otp: 'secret', init: 'routine', git: 'change', 'git log': 'read', 'git status': 'read', cp: 'change', mv: 'change' },
  }),
  client(['gopass'], ['--store', '-s'], {
    service: 'a password store', depth: 2, secrets: true, unknown: 'secret',
    effects: { ls: 'read', list: 'read', find: 'read', search: 'read', audit: 'read', fsck: 'read', mounts: 'read', templates: 'read', version: 'read', recipients: 'read', 'recipients add': 'change', insert: 'secret', create: 'secret', new: 'secret', edit: 'secret', generate: 'secret', otp: 'secret', sync: 'routine', setup: 'routine', init: 'routine', config: 'routine', cp: 'change', mv: 'change' },
  }),
  client(['sops'], ['--kms', '-k', '--pgp', '-p', '--age', '-a', '--gcp-kms', '--azure-kv', '--hc-vault-transit', '--aws-profile', '--input-type', '--output-type', '--output', '--extract', '--config', '--encrypted-regex', '--unencrypted-regex', '--encrypted-suffix', '--unencrypted-suffix', '--encryption-context', '--shamir-secret-sharing-threshold', '--keyservice', '--indent', '--filename-override', '--add-kms', '--rm-kms', '--add-pgp', '--rm-pgp', '--add-age', '--rm-age', '--set'], {
    service: 'SOPS-encrypted secrets', depth: 1, secrets: true, unknown: 'secret',
    effects: { filestatus: 'read', edit: 'secret', set: 'secret', 'exec-env': 'secret', 'exec-file': 'secret', updatekeys: 'change', groups: 'change', publish: 'change', keyservice: 'change' },
  }),
  client(['chamber'], ['-b', '--backend', '-r', '--retries', '--kms-key-alias', '--min-throttle-delay', '--backend-s3-bucket', '--backend-s3-kms-key-alias', '-f', '--format'], {
    service: 'AWS Parameter Store secrets', depth: 1, secrets: true,
    effects: { list: 'read', 'list-services': 'read', history: 'read', find: 'read', version: 'read', read: 'secret', write: 'secret', import: 'secret', exec: 'secret', env: 'secret', export: 'secret' },
  }),
  client(['akeyless'], ['--profile', '--name', '-n', '--value', '--uid-token', '--token', '--gateway-url', '--access-id', '--access-key', '--access-type', '--path'], {
    service: 'Akeyless', depth: 1,
    effects: { auth: 'routine', configure: 'routine', decrypt: 'secret' },
  }),
  client(['conjur'], ['-i', '--id', '-v', '--value', '-b', '--branch', '-f', '--file', '-a', '--account', '-u', '--url', '-k', '--kind', '-s', '--search', '-l', '--limit', '-o', '--offset'], {
    service: 'Conjur', depth: 2,
    effects: { ...AUTH, init: 'routine', whoami: 'read', variable: 'secret', 'host rotate-api-key': 'secret', 'user rotate-api-key': 'secret' },
  }),
  client(['keeper'], ['--config', '--server', '--user', '--password', '--format', '--output', '--proxy'], {
    service: 'Keeper', depth: 1, secrets: true,
    effects: { ...AUTH, list: 'read', ls: 'read', tree: 'read', search: 'read', whoami: 'read', 'list-sf': 'read', 'list-team': 'read', 'sync-down': 'routine', 'this-device': 'routine', shell: 'secret', add: 'secret', 'record-add': 'secret', edit: 'secret', 'record-update': 'secret', 'find-password': 'secret', 'clipboard-copy': 'secret', cc: 'secret' },
  }),
  client(['lpass'], [], {
    service: 'LastPass', depth: 1, secrets: true, unknown: 'secret',
    effects: { ...AUTH, ls: 'read', status: 'read', sync: 'routine', add: 'secret', edit: 'secret', generate: 'secret', duplicate: 'secret', passwd: 'secret', share: 'change', mv: 'change' },
  }),
  client(['aws-vault'], ['--backend', '--prompt', '--keychain', '--secret-service-collection', '--pass-dir', '--pass-cmd', '--pass-prefix', '--file-dir', '--region', '-d', '--duration', '-t', '--mfa-token', '--format'], {
    service: 'AWS credentials in aws-vault', depth: 1, secrets: true,
    effects: { list: 'read', ls: 'read', add: 'secret', exec: 'secret', export: 'secret', rotate: 'secret', proxy: 'secret', login: 'routine' },
  }),
  client(['berglas'], ['-l', '--log-level', '--log-format', '--key', '--project'], {
    service: 'Google Secret Manager through berglas', depth: 1, secrets: true,
    effects: { list: 'read', completion: 'read', version: 'read', access: 'secret', create: 'secret', update: 'secret', edit: 'secret', exec: 'secret', grant: 'change', bootstrap: 'change' },
  }),
  client(['teller'], ['-c', '--config'], {
    service: 'the secret stores teller reads', depth: 1, secrets: true, unknown: 'secret',
    effects: { scan: 'read', redact: 'read', graph: 'read', version: 'read', new: 'routine', put: 'secret', copy: 'secret', run: 'secret' },
  }),
  // summon runs the rest of its line with the secrets in its environment
  client(['summon'], ['-p', '--provider', '-f', '-D', '-e', '--environment'], { service: 'the secrets summon provides', depth: 0, unknown: 'secret', dryRun: ['--version'] }),
  client(['envkey'], [], { service: 'EnvKey', depth: 2, secrets: true, effects: { ...AUTH } }),
  client(['envkey-source'], ['-e', '--env-file'], { service: 'EnvKey', depth: 0, unknown: 'secret', dryRun: ['--version', '-v'] }),
  client(['vals'], ['-f', '-o', '--output', '-e'], { service: 'the secret stores vals reads', depth: 1, secrets: true, unknown: 'secret', effects: { version: 'read' } }),
  client(['ansible-vault'], ['--vault-id', '--vault-password-file', '--encrypt-vault-id', '--new-vault-id', '--new-vault-password-file', '--output', '--name'], {
    service: 'Ansible Vault', depth: 1, secrets: true, unknown: 'secret', dryRun: ['--version'],
    effects: { create: 'secret', edit: 'secret', rekey: 'secret', decrypt: 'secret', encrypt: 'change', encrypt_string: 'change' },
  }),

  // backups: taking one is routine, reading the repository is a read, forgetting and pruning destroy
  client(['restic'], RESTIC_VALUES, { service: 'a restic repository', depth: 2, dryRun: ['--dry-run', '-n'], effects: RESTIC }),
  client(['rustic'], RESTIC_VALUES, { service: 'a rustic repository', depth: 2, dryRun: ['--dry-run', '-n'], effects: { ...RESTIC, merge: 'change' } }),
  client(['resticprofile'], ['-c', '--config', '-n', '--name', '-f', '--format', '--log'], { service: 'a restic repository', depth: 1, unknown: 'read', dryRun: ['--dry-run'], effects: RESTIC }),
  client(['autorestic'], ['-c', '--config', '--restic-bin', '-l', '--location', '-b', '--backend', '--to', '--from', '--include', '--exclude'], {
    service: 'restic repositories', depth: 2, dryRun: ['--dry-run'],
    effects: { backup: 'routine', restore: 'routine', cron: 'routine', info: 'read', check: 'read', exec: 'change', install: 'routine', upgrade: 'routine' },
  }),
  client(['borg'], ['-r', '--repo', '--remote-path', '--rsh', '--lock-wait', '--umask', '--upload-ratelimit', '--upload-buffer', '--debug-topic', '-e', '--encryption', '--exclude', '--exclude-from', '--pattern', '--patterns-from', '-C', '--compression', '--comment', '--format', '--sort-by', '--first', '--last', '-a', '--glob-archives', '--match-archives', '--prefix', '--keep-within', '--keep-last', '--keep-secondly', '--keep-minutely', '--keep-hourly', '-H', '-d', '--keep-daily', '-w', '--keep-weekly', '-m', '--keep-monthly', '-y', '--keep-yearly', '--checkpoint-interval', '--strip-components'], {
    service: 'a Borg repository', depth: 2, dryRun: ['--dry-run', '-n'], effects: BORG,
  }),
  client(['borgmatic'], ['-c', '--config', '--override', '-v', '--verbosity', '--syslog-verbosity', '--log-file', '--log-file-verbosity', '--monitoring-verbosity', '--repository', '--archive', '--destination', '--path', '--database', '--keep-daily', '--keep-weekly', '--keep-monthly'], {
    service: 'Borg repositories', depth: 2, dryRun: ['--dry-run', '-n'], effects: { ...BORG, restore: 'change', borg: 'change', transfer: 'change' },
  }),
  client(['rclone'], ['--config', '--transfers', '--checkers', '--bwlimit', '--include', '--exclude', '--filter', '--filter-from', '--include-from', '--exclude-from', '--files-from', '--min-age', '--max-age', '--min-size', '--max-size', '--max-depth', '--log-file', '--log-level', '--stats', '--backup-dir', '--suffix', '--retries', '--low-level-retries', '--timeout', '--contimeout', '--user-agent', '--cache-dir', '--tpslimit', '--order-by', '--compare-dest', '--copy-dest', '--max-transfer', '--multi-thread-streams', '--password-command', '--rc-addr', '--header', '--drive-shared-with-me-id'], {
    service: 'rclone remotes', depth: 2, dryRun: ['--dry-run', '-n'],
    effects: {
      deletefile: 'irreversible', rmdirs: 'irreversible', dedupe: 'irreversible', copyto: 'change', moveto: 'change', copyurl: 'change', bisync: 'change', rcat: 'change', settier: 'change', link: 'change', backend: 'change', rc: 'change', serve: 'change',
      cryptcheck: 'read', checksum: 'read', gendocs: 'read', selfupdate: 'routine', obscure: 'read', authorize: 'secret',
      config: 'routine', 'config show': 'secret', 'config dump': 'secret', 'config create': 'secret', 'config update': 'secret', 'config password': 'secret', 'config reconnect': 'secret', 'config file': 'read', 'config paths': 'read', 'config providers': 'read', 'config redacted': 'read',
    },
  }),
  client(['duplicity'], ['--archive-dir', '--name', '--encrypt-key', '--sign-key', '--hidden-encrypt-key', '--gpg-options', '--exclude', '--include', '--exclude-filelist', '--include-filelist', '--exclude-regexp', '--volsize', '--full-if-older-than', '-t', '--time', '--file-to-restore', '--ssh-options', '--log-file', '-v', '--verbosity', '--tempdir', '--backend-retry-delay', '--num-retries'], {
    service: 'a duplicity backup', depth: 1, unknown: 'routine', dryRun: ['--dry-run'],
    effects: { full: 'routine', incr: 'routine', backup: 'routine', restore: 'routine', verify: 'read' },
  }),
  client(['duplicati-cli'], ['--passphrase', '--dbpath', '--backup-name', '--keep-time', '--keep-versions', '--retention-policy', '--version', '--time'], {
    service: 'a Duplicati backup', depth: 1, dryRun: ['--dry-run'],
    effects: { backup: 'routine', restore: 'routine', compact: 'irreversible', 'list-broken-files': 'read', affected: 'read', 'test-filters': 'read', compare: 'read' },
  }),
  client(['kopia'], ['--config-file', '--log-dir', '--log-level', '--file-log-level', '--password', '-p', '--cache-directory', '--max-cache-size-mb', '--description', '--tags', '--parallel', '--keep-latest', '--keep-hourly', '--keep-daily', '--keep-weekly', '--keep-monthly', '--keep-annual', '--bucket', '--path', '--prefix'], {
    service: 'a Kopia repository', depth: 2, dryRun: ['--dry-run'],
    effects: { snapshot: 'routine', restore: 'routine', mount: 'read', repository: 'routine', 'repository create': 'change', repo: 'routine', 'repo create': 'change', 'maintenance info': 'read', maintenance: 'change', 'server start': 'change', 'user set': 'secret' },
  }),
  // tarsnap names its action by an option (-c create, -d delete), which the words cannot tell apart
  client(['tarsnap'], ['-f', '-C', '--keyfile', '--cachedir', '--configfile', '-T', '-X', '--exclude', '--include', '--newer', '--maxbw', '--maxbw-rate', '--archive-names'], {
    service: 'Tarsnap', depth: 0, dryRun: ['--list-archives', '--print-stats', '--dry-run', '--version'],
  }),
  client(['bup'], ['-d', '--bup-dir', '-n', '--name', '-r', '--remote', '--exclude', '--exclude-from', '--exclude-rx', '--graft', '--strip-path', '--keep-all-for', '--keep-dailies-for', '--keep-monthlies-for', '--keep-yearlies-for'], {
    service: 'a bup repository', depth: 1,
    effects: { save: 'routine', index: 'routine', restore: 'routine', split: 'routine', midx: 'routine', join: 'read', fuse: 'read', web: 'read', margin: 'read', fsck: 'read', memtest: 'read', gc: 'irreversible', 'prune-older': 'irreversible', on: 'exec' },
  }),
  client(['duplicacy'], ['-storage', '-id', '-keep', '-threads', '-pref-dir', '-repository', '-key', '-limit-rate'], {
    service: 'a Duplicacy storage', depth: 1, dryRun: ['-dry-run'],
    effects: { backup: 'routine', restore: 'routine', password: 'secret' },
  }),
  client(['velero'], [...KUBE, '--from-backup', '--include-namespaces', '--exclude-namespaces', '--include-resources', '--exclude-resources', '--schedule', '--ttl', '--storage-location', '--volume-snapshot-locations', '--provider', '--bucket', '--secret-file', '--plugins', '--backup-location-config', '--snapshot-location-config'], {
    service: 'Velero backups of a cluster', depth: 2, dryRun: ['--dry-run'],
    effects: {
      backup: 'routine', 'restore get': 'read', 'restore describe': 'read', 'restore logs': 'read', 'schedule get': 'read', 'schedule describe': 'read', 'backup-location get': 'read', 'snapshot-location get': 'read',
      'client config': 'routine', 'repo get': 'read', 'plugin get': 'read',
    },
  }),

  // queues and streams: publishing changes, consuming and listing read; kafka's tools name their action by an option
  client(['kafka-topics', 'kafka-topics.sh'], ['--bootstrap-server', '--zookeeper', '--topic', '--partitions', '--replication-factor', '--config', '--command-config', '--delete-config', '--replica-assignment'], {
    service: 'a Kafka cluster', depth: 0, dryRun: ['--list', '--describe', '--version'],
  }),
  client(['kafka-configs', 'kafka-configs.sh'], ['--bootstrap-server', '--zookeeper', '--entity-type', '--entity-name', '--entity-default', '--add-config', '--add-config-file', '--delete-config', '--command-config', '--topic', '--broker', '--user', '--client'], {
    service: 'a Kafka cluster', depth: 0, dryRun: ['--describe', '--version'],
  }),
  client(['kafka-consumer-groups', 'kafka-consumer-groups.sh'], ['--bootstrap-server', '--group', '--topic', '--command-config', '--to-offset', '--to-datetime', '--by-duration', '--shift-by', '--from-file', '--timeout'], {
    service: 'a Kafka cluster', depth: 0, dryRun: ['--list', '--describe', '--dry-run', '--version'],
  }),
  client(['kafka-console-producer', 'kafka-console-producer.sh'], ['--bootstrap-server', '--broker-list', '--topic', '--producer.config', '--producer-property', '--property', '--compression-codec'], { service: 'a Kafka cluster', depth: 0, dryRun: ['--version'] }),
  client(['kafka-acls', 'kafka-acls.sh'], ['--bootstrap-server', '--command-config', '--topic', '--group', '--allow-principal', '--deny-principal', '--operation', '--resource-pattern-type', '--cluster'], { service: 'a Kafka cluster', depth: 0, dryRun: ['--list', '--version'] }),
  client(['kafka-reassign-partitions', 'kafka-reassign-partitions.sh'], ['--bootstrap-server', '--command-config', '--reassignment-json-file', '--topics-to-move-json-file', '--broker-list', '--throttle'], { service: 'a Kafka cluster', depth: 0, dryRun: ['--verify', '--generate', '--list', '--version'] }),
  client(['kafka-delete-records', 'kafka-delete-records.sh'], ['--bootstrap-server', '--offset-json-file', '--command-config'], { service: 'a Kafka cluster', depth: 0, unknown: 'irreversible', dryRun: ['--version'] }),
  client(['kcat', 'kafkacat'], ['-b', '-t', '-p', '-o', '-c', '-f', '-K', '-k', '-X', '-G', '-s', '-r', '-D', '-H', '-m', '-F', '-z'], { service: 'a Kafka cluster', depth: 0, dryRun: ['-C', '-L', '-Q', '-G'] }),
  client(['kaf'], ['-b', '--brokers', '-c', '--cluster', '--config', '-p', '--partitions', '-r', '--replicas', '-g', '--group', '-k', '--key', '--offset', '-n', '--num'], {
    service: 'a Kafka cluster', depth: 2, effects: { consume: 'read', produce: 'change', topics: 'read', groups: 'read', nodes: 'read', config: 'routine' },
  }),
  client(['rabbitmqctl'], ['-n', '--node', '-t', '--timeout', '-p', '--vhost', '--erlang-cookie'], {
    service: 'a RabbitMQ broker', depth: 1,
    effects: { eval: 'exec', export_definitions: 'secret', import_definitions: 'change', environment: 'read', await_startup: 'read', report: 'read', close_connection: 'change', close_all_connections: 'change', hash_password: 'secret', authenticate_user: 'secret' },
  }),
  client(['rabbitmqadmin'], ['-H', '--host', '-P', '--port', '-V', '--vhost', '-u', '--username', '-p', '--password', '-U', '--base-uri', '-c', '--config', '-N', '--node', '-f', '--format', '-S', '--sort', '--ssl-key-file', '--ssl-cert-file', '--ssl-ca-cert-file', '--name', '--destination', '--routing-key', '--payload'], {
    service: 'a RabbitMQ broker', depth: 2, effects: { declare: 'change', publish: 'change', export: 'secret', import: 'change', close: 'change' },
  }),
  client(['rabbitmq-plugins'], ['-n', '--node'], { service: 'a RabbitMQ broker', depth: 1, effects: { is_enabled: 'read', directories: 'read' } }),
  client(['rabbitmq-queues'], ['-n', '--node', '-p', '--vhost', '--membership'], {
    service: 'a RabbitMQ broker', depth: 1, effects: { quorum_status: 'read', check_if_node_is_quorum_critical: 'read', check_if_node_is_mirror_sync_critical: 'read', rebalance: 'change', add_member: 'change', grow: 'change', shrink: 'change', delete_member: 'irreversible' },
  }),
  client(['nats'], ['-s', '--server', '--user', '--password', '--creds', '--nkey', '--tlscert', '--tlskey', '--tlsca', '--context', '--timeout', '--js-domain', '--js-api-prefix', '--inbox-prefix', '--connection-name', '--jwt', '--count', '--config', '--subject', '--replicas', '--storage', '--retention'], {
    service: 'a NATS system', depth: 2,
    effects: { pub: 'change', publish: 'change', req: 'change', reply: 'change', bench: 'change', sub: 'read', subscribe: 'read', rtt: 'read', latency: 'read', schema: 'read', context: 'routine', 'context select': 'routine', 'consumer next': 'change', 'kv watch': 'read', 'server request': 'change', 'server raft': 'change' },
  }),
  client(['nsc'], ['--config-dir', '--data-dir', '--keystore-dir', '-a', '--account', '-n', '--name', '-o', '--operator', '-u', '--user'], {
    service: 'NATS accounts', depth: 2,
    effects: { select: 'routine', env: 'read', 'generate creds': 'secret', 'generate nkey': 'secret', 'generate config': 'read', 'export keys': 'secret', 'export': 'secret', fix: 'change', tool: 'change' },
  }),
  client(['pulsar-admin'], ['--admin-url', '--auth-plugin', '--auth-params', '--tls-trust-cert-path', '--tls-allow-insecure', '-s', '--subscription', '-n', '--count', '-t', '--time'], {
    service: 'an Apache Pulsar cluster', depth: 2, effects: { 'topics skip': 'irreversible', 'topics skip-all': 'irreversible', 'topics expire-messages': 'irreversible', 'topics expire-messages-all-subscriptions': 'irreversible', 'topics peek-messages': 'read', 'functions trigger': 'exec' },
  }),
  client(['pulsar-client'], ['--url', '--auth-plugin', '--auth-params', '-m', '--messages', '-n', '--num-messages', '-s', '--subscription-name', '-f', '--files'], { service: 'an Apache Pulsar cluster', depth: 1, effects: { consume: 'read', produce: 'change' } }),
  client(['rpk'], ['-X', '--config', '--profile', '--brokers', '--user', '--password', '--sasl-mechanism', '--tls-key', '--tls-cert', '--tls-truststore', '--api-urls', '-p', '--partitions', '-r', '--replicas', '-c', '--topic-config', '-f', '--format', '-o', '--offset', '-n', '--num', '-g', '--group'], {
    service: 'a Redpanda cluster', depth: 3,
    effects: { profile: 'routine', container: 'routine', 'cloud login': 'routine', 'cloud logout': 'routine', 'cloud cluster select': 'routine', 'topic consume': 'read', 'topic trim-prefix': 'irreversible', 'debug bundle': 'read', generate: 'read', 'redpanda tune': 'change', 'security user create': 'secret' },
  }),
  client(['celery'], ['-A', '--app', '-b', '--broker', '--result-backend', '--loader', '--config', '--workdir', '-Q', '--queues', '-c', '--concurrency', '-l', '--loglevel', '-n', '--hostname', '-d', '--destination', '-t', '--timeout', '--args', '--kwargs', '--eta', '--countdown', '--queue', '--exchange', '-P', '--pool', '-s', '--schedule'], {
    service: 'a Celery broker and its workers', depth: 2,
    effects: { worker: 'routine', beat: 'routine', multi: 'routine', inspect: 'read', flower: 'read', result: 'read', graph: 'read', call: 'change', control: 'change', shell: 'change', 'list bindings': 'read' },
  }),
  client(['rq'], ['-u', '--url', '-c', '--config', '--path', '-w', '--worker-class', '-j', '--job-class', '-q', '--queue-class', '--serializer', '--name', '--results-ttl', '--worker-ttl'], {
    service: 'an RQ queue in Redis', depth: 1, effects: { worker: 'routine', requeue: 'change' },
  }),

  // search engines
  client(['elasticsearch-keystore', 'opensearch-keystore'], [], {
    service: 'the Elasticsearch keystore', depth: 1, secrets: true,
    effects: { list: 'read', 'has-passwd': 'read', add: 'secret', 'add-file': 'secret', passwd: 'secret', create: 'change', upgrade: 'change' },
  }),
  client(['elasticsearch-plugin', 'opensearch-plugin'], [], { service: 'an Elasticsearch node', depth: 1 }),
  client(['elasticsearch-users'], ['-p', '-r'], { service: 'Elasticsearch users', depth: 1, effects: { useradd: 'secret', passwd: 'secret', userdel: 'irreversible', roles: 'change' } }),
  client(['elasticsearch-reset-password', 'elasticsearch-create-enrollment-token'], ['-u', '--username', '--url', '-s', '--scope'], { service: 'an Elasticsearch cluster', depth: 0, unknown: 'secret', dryRun: ['--help', '-h'] }),
  client(['elasticsearch-service-tokens'], [], { service: 'Elasticsearch service tokens', depth: 1, effects: { create: 'secret' } }),
  client(['opensearch-cli'], ['--profile', '--config', '--path', '--query-params', '--data', '--pretty'], {
    service: 'an OpenSearch cluster', depth: 3, effects: { profile: 'routine', 'profile list': 'read', 'curl post': 'change' },
  }),
  client(['algolia'], ['-p', '--profile', '--application-id', '--api-key', '--admin-api-key', '--search-hosts', '-F', '--file', '--query'], {
    service: 'Algolia', depth: 2, effects: { profile: 'routine', 'profile list': 'read', apikeys: 'secret', 'objects browse': 'read', 'rules browse': 'read', 'synonyms browse': 'read', open: 'read', describe: 'read' },
  }),
  client(['curator', 'es_curator'], ['--config'], { service: 'an Elasticsearch cluster', depth: 1, dryRun: ['--dry-run'] }),
  client(['curator_cli'], ['--config', '--host', '--port', '--filter_list', '--ignore_empty_list'], { service: 'an Elasticsearch cluster', depth: 1, dryRun: ['--dry-run'], effects: { 'show-indices': 'read', 'show-snapshots': 'read', 'delete-indices': 'irreversible', 'delete-snapshots': 'irreversible' } }),
  client(['solr'], ['-c', '-p', '-d', '-s', '-z', '--zk-host', '-n', '-m', '-a', '-e', '-url', '--solr-url', '-V', '-confname', '-confdir', '-shards', '-replicationFactor'], {
    service: 'a Solr server', depth: 2, effects: { healthcheck: 'read', auth: 'secret', post: 'change', assert: 'read', package: 'change', 'zk downconfig': 'read', 'zk upconfig': 'change' },
  }),
  client(['vespa'], ['-t', '--target', '-a', '--application', '-i', '--instance', '-z', '--zone', '--color', '-w', '--wait'], {
    service: 'a Vespa application', depth: 2, effects: { 'auth login': 'routine', 'auth logout': 'routine', config: 'routine', 'config get': 'read', feed: 'change', visit: 'read', destroy: 'irreversible', prod: 'change' },
  }),
  client(['quickwit'], ['--endpoint', '--index', '--config', '--source', '--input-path', '--query', '--split'], { service: 'a Quickwit cluster', depth: 2, effects: { 'index ingest': 'change', 'tool gc': 'irreversible', 'index clear': 'irreversible' } }),

  // CI/CD and code platforms: issues and pull requests are routine work, secrets are secrets
  client(['circleci'], ['--host', '--token', '--org-id', '--org-slug', '--integration'], {
    service: 'CircleCI', depth: 3,
    effects: { setup: 'routine', local: 'routine', update: 'routine', open: 'read', diagnostic: 'read', follow: 'routine', 'context store-secret': 'secret', 'runner token': 'secret', 'project secret': 'secret', 'project secret list': 'read', 'config pack': 'read', 'config process': 'read' },
  }),
  client(['jenkins-cli', 'jenkins', 'jcli'], ['-s', '-auth', '-i', '-user', '-logger', '--url', '--config-load'], {
    service: 'a Jenkins server', depth: 1, effects: { groovy: 'exec', groovysh: 'exec', build: 'change', console: 'read', 'who-am-i': 'read', 'get-job': 'read', 'get-view': 'read', 'get-node': 'read', 'get-credentials-as-xml': 'secret', 'list-credentials': 'read' },
  }),
  client(['buildkite-agent'], ['--config', '--agent-access-token', '--endpoint', '--job', '--build', '--log-level', '--token', '--name', '--tags', '--queue', '--step', '--key'], {
    service: 'Buildkite', depth: 2,
    effects: { start: 'change', secret: 'secret', 'oidc request-token': 'secret', 'env dump': 'secret', 'artifact shasum': 'read', 'meta-data exists': 'read', 'meta-data keys': 'read', 'redactor add': 'change', 'tool sign': 'change' },
  }),
  client(['bk'], ['-p', '--pipeline', '-b', '--branch', '-o', '--output', '--org'], {
    service: 'Buildkite', depth: 2, effects: { configure: 'routine', use: 'routine', init: 'routine', auth: 'routine', whoami: 'read', 'job unblock': 'change' },
  }),
  client(['travis'], ['-r', '--repo', '-t', '--token', '-e', '--api-endpoint', '-b', '--branch'], {
    service: 'Travis CI', depth: 2, unknown: 'read',
    effects: { ...AUTH, encrypt: 'secret', 'encrypt-file': 'secret', env: 'secret', 'env list': 'read', token: 'secret', sshkey: 'secret', setup: 'change', init: 'routine', sync: 'routine', console: 'change' },
  }),
  client(['drone'], ['-t', '--token', '-s', '--server', '--name', '--value', '--event', '--branch', '--param', '-p'], {
    service: 'a Drone CI server', depth: 2,
    effects: { secret: 'secret', 'secret ls': 'read', 'secret info': 'read', orgsecret: 'secret', 'orgsecret ls': 'read', exec: 'routine', encrypt: 'secret', jsonnet: 'read', starlark: 'read', 'cron exec': 'change', 'build decline': 'change' },
  }),
  client(['woodpecker-cli', 'woodpecker'], ['-t', '--token', '-s', '--server', '--name', '--value', '--event', '--branch', '--param', '-p', '--repository'], {
    service: 'a Woodpecker CI server', depth: 3,
    effects: { secret: 'secret', 'secret ls': 'read', 'secret info': 'read', 'repo secret': 'secret', 'repo secret ls': 'read', 'org secret': 'secret', 'org secret ls': 'read', exec: 'routine', setup: 'routine', 'pipeline decline': 'change' },
  }),
  client(['argo'], [...KUBE, '--argo-server', '--argo-base-href', '--instanceid', '--loglevel', '--gloglevel', '-p', '--parameter', '-f', '--parameter-file', '--from', '--serviceaccount', '--entrypoint', '--generate-name', '--name', '--prefix'], {
    service: 'Argo Workflows', depth: 2, dryRun: ['--dry-run', '--server-dry-run'], effects: { 'auth token': 'secret', server: 'routine' },
  }),
  client(['argocd'], ['--server', '--auth-token', '--config', '--grpc-web-root-path', '--header', '-H', '--port-forward-namespace', '--kube-context', '--argocd-context', '--loglevel', '--logformat', '--client-crt', '--client-crt-key', '--server-crt', '-o', '--output', '--revision', '--project', '-l', '--selector', '-p', '--parameter', '--dest-server', '--dest-namespace', '--repo', '--path', '--sync-policy', '--username', '--password'], {
    service: 'Argo CD', depth: 3, dryRun: ['--dry-run'],
    effects: { ...AUTH, relogin: 'routine', context: 'routine', 'account generate-token': 'secret', 'admin initial-password': 'secret', 'admin export': 'secret' },
  }),
  client(['flux'], [...KUBE, '--kind', '--source', '--path', '--interval', '--url', '--branch', '--owner', '--repository', '--tag', '--chart', '--values', '--target-namespace'], {
    service: 'Flux on a cluster', depth: 3, dryRun: ['--export'], effects: { build: 'read', 'create secret': 'secret', envsubst: 'read' },
  }),
  client(['tkn'], [...KUBE, '-p', '--param', '-w', '--workspace', '--serviceaccount', '--prefix-name', '--pod-template', '-f', '--filename'], { service: 'Tekton on a cluster', depth: 2 }),
  // spin is both Spinnaker's CLI and Fermyon's
  client(['spin'], ['--config', '--gate-endpoint', '--default-headers', '-o', '--output', '-f', '--file', '--application', '--name', '--listen'], {
    service: 'Spinnaker or Fermyon Spin', depth: 2,
    effects: { ...AUTH, up: 'routine', build: 'routine', new: 'routine', add: 'routine', watch: 'routine', templates: 'routine', plugins: 'routine', 'pipeline execute': 'change' },
  }),
  client(['tea'], ['-l', '--login', '-r', '--repo', '-R', '--remote', '-o', '--output'], {
    service: 'Gitea', depth: 3, unknown: 'read',
    effects: { login: 'routine', logout: 'routine', issues: 'routine', issue: 'routine', i: 'routine', pulls: 'routine', pull: 'routine', pr: 'routine', labels: 'routine', milestones: 'routine', times: 'routine', comment: 'routine', c: 'routine', open: 'read', notifications: 'read', clone: 'read' },
  }),
  client(['fj'], ['-H', '--host', '-R', '--remote', '-r', '--repo', '--style', '-I', '--identity-file'], {
    service: 'Forgejo', depth: 3, unknown: 'read', effects: { auth: 'routine', issue: 'routine', pr: 'routine', 'repo star': 'routine', 'auth add-key': 'secret' },
  }),
  client(['bitbucket'], ['-w', '--workspace', '-r', '--repo', '-o', '--output'], {
    service: 'Bitbucket', depth: 3, unknown: 'read', effects: { ...AUTH, pr: 'routine', 'pull-request': 'routine', issue: 'routine' },
  }),
  client(['gitlab-runner'], ['-c', '--config', '--log-level', '--log-format', '-n', '--name', '-u', '--url', '-t', '--token', '-r', '--registration-token', '--executor', '--docker-image', '--description', '--tag-list', '-d', '--working-directory', '--user', '--service'], {
    service: 'a GitLab runner', depth: 1, effects: { exec: 'routine' },
  }),
  // act runs GitHub workflows in local containers
  client(['act'], ['-W', '--workflows', '-j', '--job', '-e', '--eventpath', '-s', '--secret', '--secret-file', '--var', '--var-file', '--env', '--env-file', '-P', '--platform', '--input', '--input-file', '-C', '--directory', '--container-architecture', '--artifact-server-path', '-a', '--actor', '--matrix', '--network', '--container-options', '--cache-server-path', '--defaultbranch'], {
    service: 'GitHub workflows run locally', depth: 0, unknown: 'read',
  }),
  client(['sem'], ['-f', '--file', '-p', '--project-name', '-i', '--id'], {
    service: 'Semaphore CI', depth: 2, effects: { connect: 'routine', context: 'routine', 'create secret': 'secret', 'edit secret': 'secret', attach: 'exec', debug: 'exec', troubleshoot: 'read', init: 'change' },
  }),
  client(['semaphore'], ['--config', '--login', '--name', '--email', '--password'], { service: 'Semaphore UI', depth: 2, effects: { server: 'routine', service: 'routine', setup: 'change', 'user list': 'read' } }),
  client(['codefresh'], ['--cfconfig', '-o', '--output', '--context', '-v', '--variable', '-b', '--branch', '--sha'], {
    service: 'Codefresh', depth: 3, effects: { auth: 'routine', 'create context secret': 'secret', 'create context secret-yaml': 'secret', approve: 'change', deny: 'change' },
  }),

  // Kubernetes and friends: context switches and local dev clusters are routine
  client(['kubectx', 'kubectl-ctx'], [], { service: 'the kubeconfig contexts', depth: 0, unknown: 'routine', dryRun: ['-c', '--current'] }),
  client(['kubens', 'kubectl-ns'], [], { service: 'the kubeconfig namespaces', depth: 0, unknown: 'routine', dryRun: ['-c', '--current'] }),
  client(['kubie'], [], { service: 'the kubeconfig contexts', depth: 1, unknown: 'routine', effects: { exec: 'change', info: 'read', lint: 'read' } }),
  client(['k9s'], [...KUBE, '-c', '--command', '--logLevel', '--logFile', '-r', '--refresh', '--screen-dump-dir'], { service: 'a Kubernetes cluster', depth: 0, unknown: 'read' }),
  client(['kustomize'], ['-o', '--output', '--load-restrictor', '--enable-helm', '--helm-command', '--env', '-e', '--mount', '--network-name'], {
    service: 'kustomizations (local)', depth: 1, unknown: 'read', effects: { edit: 'routine', create: 'routine', localize: 'routine', fn: 'routine', cfg: 'read' },
  }),
  client(['stern'], [...KUBE, '-c', '--container', '-e', '--exclude', '-i', '--include', '--since', '--tail', '--template', '--template-file', '--color', '--field-selector', '--exclude-pod', '--exclude-container', '--container-state', '--highlight', '--max-log-requests', '--node', '-E'], { service: 'a Kubernetes cluster', depth: 0, unknown: 'read' }),
  client(['istioctl'], [...KUBE, '-i', '--istioNamespace', '-r', '--revision', '--vklog', '-f', '--filename', '--set', '-d', '--manifests'], {
    service: 'Istio on a cluster', depth: 2, dryRun: ['--dry-run'],
    effects: { analyze: 'read', 'proxy-status': 'read', ps: 'read', 'proxy-config': 'read', pc: 'read', dashboard: 'read', dash: 'read', 'kube-inject': 'read', 'manifest generate': 'read', 'manifest translate': 'read', precheck: 'read', 'x precheck': 'read', 'ztunnel-config': 'read', 'bug-report': 'read', admin: 'read' },
  }),
  // linkerd renders manifests for kubectl to apply
  client(['linkerd'], [...KUBE, '-L', '--linkerd-namespace', '--api-addr', '--set', '--values', '--cluster-name'], {
    service: 'Linkerd on a cluster', depth: 2, unknown: 'read',
    effects: { install: 'read', upgrade: 'read', inject: 'read', uninject: 'read', 'viz install': 'read', 'multicluster install': 'read', 'jaeger install': 'read', 'multicluster link': 'secret', 'multicluster link-gen': 'secret' },
  }),
  client(['eksctl'], ['-r', '--region', '-p', '--profile', '-f', '--config-file', '-n', '--name', '-c', '--cluster', '--nodegroup', '--nodes', '--node-type', '--timeout', '-v', '--verbose', '--version', '--zones', '--kubeconfig'], {
    service: 'Amazon EKS', depth: 3, dryRun: ['--dry-run'], effects: { info: 'read', 'anywhere generate': 'read' },
  }),
  client(['kops'], ['--state', '--name', '--config', '-v', '-o', '--output', '--zones', '--node-count', '--node-size', '--master-size', '--control-plane-size', '--cloud', '-f', '--filename', '--admin', '--kubeconfig'], {
    service: 'a kops cluster', depth: 2, effects: { 'export kubeconfig': 'secret', 'toolbox dump': 'read', 'get secrets': 'secret' },
  }),
  client(['kind'], ['--name', '-n', '--config', '--image', '--kubeconfig', '--wait', '--retain'], {
    service: 'a local kind cluster', depth: 2, unknown: 'routine', effects: { create: 'routine', load: 'routine', build: 'routine', export: 'routine' },
  }),
  client(['minikube'], ['-p', '--profile', '--driver', '--kubernetes-version', '--cpus', '--memory', '--disk-size', '--nodes', '-n', '--node', '--container-runtime', '--addons', '--format', '-o', '--output'], {
    service: 'a local minikube cluster', depth: 2, unknown: 'routine',
    effects: { start: 'routine', stop: 'routine', restart: 'routine', pause: 'routine', unpause: 'routine', ssh: 'routine', addons: 'routine', image: 'routine', mount: 'routine', cp: 'routine', config: 'routine', profile: 'routine', node: 'routine', tunnel: 'routine', cache: 'routine', 'docker-env': 'routine', 'podman-env': 'routine', 'update-context': 'routine', kubectl: 'routine', service: 'read', dashboard: 'read', ip: 'read', license: 'read' },
  }),
  client(['k3d'], ['-c', '--config', '--servers', '--agents', '--image', '-p', '--port', '--api-port', '--registry-use', '--k3s-arg', '--volume', '-v'], {
    service: 'a local k3d cluster', depth: 2, unknown: 'routine', effects: { cluster: 'routine', node: 'routine', image: 'routine', kubeconfig: 'routine', registry: 'routine', config: 'routine' },
  }),
  client(['microk8s'], [], { service: 'a MicroK8s cluster', depth: 2, unknown: 'read', effects: { config: 'secret', 'add-node': 'secret', 'kubectl exec': 'exec', kubectl: 'read', 'kubectl apply': 'change' } }),
  client(['kubeadm'], ['--config', '--kubeconfig', '--rootfs', '--v', '-v', '--token', '--discovery-token', '--discovery-token-ca-cert-hash', '--control-plane-endpoint', '--pod-network-cidr', '--apiserver-advertise-address', '--cert-dir', '--cri-socket', '--node-name'], {
    service: 'a kubeadm cluster', depth: 2, dryRun: ['--dry-run'], effects: { token: 'secret', 'token list': 'secret', 'kubeconfig user': 'secret', 'upgrade plan': 'read', 'config print': 'read', 'config images': 'read', 'certs check-expiration': 'read' },
  }),
  client(['rancher'], ['--config', '--context', '--format', '--cluster', '--name'], {
    service: 'Rancher', depth: 3, unknown: 'read', effects: { ...AUTH, context: 'routine', server: 'routine', ssh: 'exec', token: 'secret', 'kubectl exec': 'exec' },
  }),
  client(['skaffold'], ['-f', '--filename', '-p', '--profile', '-n', '--namespace', '--kube-context', '--kubeconfig', '-d', '--default-repo', '-m', '--module', '-v', '--verbosity', '-l', '--label', '-t', '--tag', '--cache-file', '--build-concurrency', '-b', '--build-image', '-i', '--images', '--digest-source', '--platform', '--port-forward', '--trigger'], {
    service: 'a Kubernetes cluster through skaffold', depth: 1, dryRun: ['--dry-run'],
    effects: { dev: 'change', debug: 'change', build: 'routine', diagnose: 'read', fix: 'routine', init: 'routine', config: 'routine', schema: 'read', survey: 'read', filter: 'read' },
  }),
  client(['tilt'], ['--host', '--port', '--context', '-f', '--file', '--namespace'], {
    service: 'a Kubernetes cluster through Tilt', depth: 1, effects: { up: 'change', down: 'change', ci: 'change', args: 'change', dump: 'read', doctor: 'read', 'verify-install': 'read' },
  }),
  client(['telepresence'], ['--context', '-n', '--namespace', '--port', '--env-file', '--mount', '--manager-namespace'], {
    service: 'a cluster through Telepresence', depth: 2, effects: { connect: 'routine', quit: 'routine', intercept: 'change', leave: 'change', 'helm install': 'change', gather_logs: 'read', 'gather-logs': 'read', genyaml: 'read' },
  }),
  client(['okteto'], ['-c', '--context', '-n', '--namespace', '-f', '--file', '--name'], {
    service: 'Okteto', depth: 2, effects: { up: 'change', down: 'change', exec: 'exec', context: 'routine', 'context use': 'routine', 'context show': 'read', init: 'routine', 'preview deploy': 'change', kubeconfig: 'secret' },
  }),
  client(['devspace'], ['-n', '--namespace', '--kube-context', '-p', '--profile', '--config', '--var'], {
    service: 'a cluster through DevSpace', depth: 2, effects: { dev: 'change', enter: 'exec', use: 'routine', init: 'routine', sync: 'routine', analyze: 'read', 'print': 'read' },
  }),
  client(['helmfile'], ['-f', '--file', '-e', '--environment', '-n', '--namespace', '--kube-context', '-l', '--selector', '--state-values-set', '--state-values-file', '-b', '--helm-binary', '-k', '--kustomize-binary', '-c', '--chart', '--log-level', '--args', '--concurrency'], {
    service: 'Helm releases through helmfile', depth: 1, effects: { deps: 'routine', repos: 'routine', build: 'read', 'write-values': 'routine', init: 'routine', 'cache': 'routine' },
  }),
  client(['kapp'], ['-a', '--app', '-n', '--namespace', '-f', '--file', '--kubeconfig', '--kubeconfig-context'], { service: 'a Kubernetes cluster through kapp', depth: 2, dryRun: ['--diff-run'] }),
  client(['crossplane'], ['--context', '-f', '--package-file', '--embed-runtime-image'], {
    service: 'Crossplane', depth: 2, effects: { 'xpkg build': 'routine', 'xpkg init': 'routine', 'xpkg login': 'routine', 'xpkg logout': 'routine', 'xpkg extract': 'read', beta: 'read', render: 'read' },
  }),
  client(['clusterctl'], ['--config', '--kubeconfig', '--kubeconfig-context', '-v', '--infrastructure', '--control-plane', '--bootstrap', '--target-namespace', '--kubernetes-version', '--to-kubeconfig'], {
    service: 'Cluster API clusters', depth: 2, effects: { generate: 'read', 'get kubeconfig': 'secret', 'upgrade plan': 'read', 'config repositories': 'read' },
  }),
  client(['talosctl'], ['-n', '--nodes', '-e', '--endpoints', '--talosconfig', '--context', '--cluster', '-f', '--file', '-p', '--patch', '--mode', '--image', '-o', '--output'], {
    service: 'Talos nodes', depth: 3, unknown: 'read', dryRun: ['--dry-run'],
    effects: { kubeconfig: 'secret', config: 'routine', gen: 'routine', 'gen secrets': 'secret', 'etcd snapshot': 'routine', cluster: 'routine', cp: 'read', shutdown: 'change', bootstrap: 'change' },
  }),
  client(['k0s'], ['-c', '--config', '--data-dir', '--role', '--expiry'], {
    service: 'a k0s cluster', depth: 3, effects: { kubeconfig: 'secret', token: 'secret', 'token list': 'read', backup: 'routine', 'config create': 'read', 'config validate': 'read', sysinfo: 'read', airgap: 'read', 'kubectl exec': 'exec', kubectl: 'read', 'kubectl apply': 'change' },
  }),
  client(['k0sctl'], ['-c', '--config', '--concurrency'], { service: 'k0s clusters', depth: 2, dryRun: ['--dry-run'], effects: { kubeconfig: 'secret', init: 'read', backup: 'routine' } }),

  // infrastructure as code and deploy tools
  client(['pulumi'], ['-C', '--cwd', '-s', '--stack', '--color', '-v', '--verbose', '--config-file', '--tracing', '--secrets-provider', '-c', '--config', '-m', '--message', '--target', '-t', '--replace', '--parallel', '-p', '--exclude', '--policy-pack', '--policy-pack-config'], {
    service: 'the infrastructure Pulumi manages', depth: 2, dryRun: ['--preview-only'],
    effects: { ...AUTH, whoami: 'read', config: 'routine', new: 'routine', install: 'routine', plugin: 'routine', convert: 'routine', watch: 'change', 'stack select': 'routine', 'stack init': 'routine', 'stack unselect': 'routine', 'stack output': 'read', env: 'secret', 'env ls': 'read', 'env open': 'secret', console: 'read', 'gen-completion': 'read', schema: 'read' },
  }),
  client(['cdk'], ['-a', '--app', '-c', '--context', '-p', '--plugin', '--profile', '--role-arn', '-r', '-o', '--output', '--build', '--proxy', '--ca-bundle-path', '--toolkit-stack-name', '--require-approval', '--parameters', '--outputs-file', '--concurrency', '--method', '-m'], {
    service: 'AWS through the CDK', depth: 1,
    effects: { synth: 'read', synthesize: 'read', s: 'read', docs: 'read', notices: 'read', acknowledge: 'routine', ack: 'routine', init: 'routine', context: 'routine', watch: 'change', gc: 'irreversible', drift: 'read', metadata: 'read' },
  }),
  client(['cdktf'], ['-a', '--app', '-o', '--output', '--outputs-file', '--var', '--var-file', '--language'], {
    service: 'the infrastructure CDK for Terraform manages', depth: 2,
    effects: { ...AUTH, synth: 'read', init: 'routine', output: 'secret', watch: 'change', provider: 'routine', 'provider list': 'read', convert: 'routine', debug: 'read' },
  }),
  client(['serverless', 'sls', 'osls'], ['-s', '--stage', '-r', '--region', '-c', '--config', '--aws-profile', '--app', '--org', '-f', '--function', '-p', '--path', '-d', '--data', '-t', '--type', '--param'], {
    service: 'the cloud the Serverless Framework deploys to', depth: 2,
    effects: { ...AUTH, invoke: 'exec', 'invoke local': 'routine', offline: 'routine', package: 'read', create: 'routine', plugin: 'routine', 'plugin list': 'read', dev: 'change' },
  }),
  client(['sam'], ['--profile', '--region', '--config-file', '--config-env', '-t', '--template', '--template-file', '--stack-name', '--s3-bucket', '--parameter-overrides', '--capabilities', '-e', '--event', '--env-vars', '-n', '--debug-port', '--resource-id'], {
    service: 'AWS through SAM', depth: 2, dryRun: ['--no-execute-changeset'],
    effects: { build: 'routine', local: 'routine', init: 'routine', 'remote invoke': 'exec', 'pipeline init': 'routine', traces: 'read' },
  }),
  // ansible runs modules on the hosts of its inventory; --check only reports
  client(['ansible'], ['-i', '--inventory', '-m', '--module-name', '-a', '--args', '-u', '--user', '--become-user', '--become-method', '-f', '--forks', '-e', '--extra-vars', '-l', '--limit', '-M', '--module-path', '--private-key', '--key-file', '-c', '--connection', '-T', '--timeout', '-B', '--background', '-P', '--poll', '--vault-id', '--vault-password-file', '-t', '--tree', '--playbook-dir'], {
    service: 'the hosts of an Ansible inventory', depth: 0, unknown: 'exec', dryRun: ['--check', '-C', '--list-hosts', '--version'],
  }),
  client(['ansible-playbook'], ['-i', '--inventory', '-u', '--user', '--become-user', '--become-method', '-f', '--forks', '-e', '--extra-vars', '-l', '--limit', '-M', '--module-path', '--private-key', '--key-file', '-c', '--connection', '-T', '--timeout', '--vault-id', '--vault-password-file', '-t', '--tags', '--skip-tags', '--start-at-task'], {
    service: 'the hosts of an Ansible inventory', depth: 0, unknown: 'exec', dryRun: ['--check', '-C', '--syntax-check', '--list-hosts', '--list-tasks', '--list-tags', '--version'],
  }),
  client(['ansible-galaxy'], ['-s', '--server', '--token', '--api-key', '-p', '--roles-path', '--collections-path', '-r', '--role-file', '--requirements-file'], {
    service: 'Ansible Galaxy', depth: 2, effects: { install: 'routine', 'collection install': 'routine', 'role install': 'routine', init: 'routine', 'collection init': 'routine', 'role init': 'routine', 'collection build': 'routine', 'collection download': 'read' },
  }),
  // salt names the function to run on its targets (`salt '*' cmd.run ...`): its verb decides
  client(['salt', 'salt-ssh'], ['-t', '--timeout', '--out', '--output', '-b', '--batch-size', '--return', '--out-file', '-c', '--config-dir', '--log-level', '-l', '-u', '--user', '--eauth', '--state-output', '--roster', '--roster-file'], {
    service: 'Salt minions', depth: 2, unknown: 'exec',
  }),
  client(['salt-run'], ['-t', '--timeout', '--out', '-c', '--config-dir', '-l', '--log-level'], { service: 'a Salt master', depth: 1 }),
  client(['chef'], ['-c', '--config', '-g', '--group', '-n', '--node'], {
    service: 'a Chef server', depth: 2, unknown: 'routine', effects: { push: 'change', 'push-archive': 'change', 'clean-policy-revisions': 'irreversible', 'clean-policy-groups': 'irreversible', undelete: 'change', 'shell-init': 'read', env: 'read', exec: 'routine', generate: 'routine', install: 'routine', update: 'routine' },
  }),
  client(['knife'], ['-s', '--server-url', '-k', '--key', '-u', '--user', '-c', '--config', '--config-option', '-E', '--environment', '-F', '--format', '--profile', '-x', '--ssh-user', '-P', '--ssh-password', '-i', '--ssh-identity-file', '-a', '--attribute', '-r', '--run-list', '-N', '--node-name', '--secret-file'], {
    service: 'a Chef server', depth: 3,
    effects: { ssh: 'exec', winrm: 'exec', bootstrap: 'exec', exec: 'exec', vault: 'secret', 'vault list': 'read', 'client key': 'secret', 'user key': 'secret', 'data bag show': 'read', configure: 'routine', 'ssl fetch': 'routine', 'supermarket install': 'routine' },
  }),
  client(['packer'], ['-var', '-var-file', '-only', '-except', '-parallel-builds', '-on-error'], {
    service: 'the cloud images Packer builds', depth: 2, effects: { build: 'change', fmt: 'routine', init: 'routine', console: 'read', hcl2_upgrade: 'routine', plugins: 'routine', 'plugins installed': 'read' },
  }),
  client(['nomad'], ['-address', '--address', '-region', '-namespace', '-token', '-ca-cert', '-ca-path', '-client-cert', '-client-key', '-tls-server-name', '-task', '-job', '-group', '-var', '-var-file'], {
    service: 'a Nomad cluster', depth: 3,
    effects: { 'alloc exec': 'exec', exec: 'exec', 'alloc fs': 'read', var: 'secret', 'var list': 'read', 'acl token': 'secret', 'acl token list': 'read', 'acl bootstrap': 'secret', 'operator snapshot save': 'secret', agent: 'routine', ui: 'read', login: 'routine', 'system gc': 'change', 'node eligibility': 'change' },
  }),
  client(['consul'], ['-http-addr', '-token', '-token-file', '-datacenter', '-ca-file', '-ca-path', '-client-cert', '-client-key', '-tls-server-name', '-namespace', '-partition', '-node', '-service'], {
    service: 'a Consul cluster', depth: 3, unknown: 'read',
    effects: { ...AUTH, exec: 'exec', keygen: 'secret', 'acl token': 'secret', 'acl token list': 'read', 'acl bootstrap': 'secret', 'snapshot save': 'secret', 'snapshot restore': 'change', event: 'change', leave: 'change', maint: 'change', agent: 'routine', 'connect envoy': 'routine', 'kv export': 'read', 'intention create': 'change' },
  }),
  client(['waypoint'], ['-app', '-a', '-project', '-p', '-workspace', '-w', '-label', '-var', '-var-file'], {
    service: 'Waypoint', depth: 2, effects: { ...AUTH, up: 'change', build: 'routine', init: 'routine', ui: 'read', exec: 'exec', context: 'routine', token: 'secret', 'user token': 'secret' },
  }),
  // vagrant machines are local VMs
  client(['vagrant'], ['--provider', '--name', '--box-version'], {
    service: 'local Vagrant machines', depth: 2, unknown: 'routine',
    effects: { ssh: 'routine', reload: 'routine', provision: 'routine', suspend: 'routine', resume: 'routine', box: 'routine', snapshot: 'routine', plugin: 'routine', init: 'routine', upload: 'routine', 'ssh-config': 'read', share: 'change', cloud: 'change', 'cloud auth': 'routine' },
  }),
  client(['atmos'], ['-s', '--stack', '--base-path', '--config', '--config-path', '--logs-level', '--workflow', '-f', '--file'], { service: 'the infrastructure atmos manages', depth: 2, effects: { 'terraform output': 'secret', 'describe': 'read', validate: 'read', vendor: 'routine' } }),
  client(['spacectl'], ['--id', '--run', '--max-results', '--output', '-o', '--tail'], { service: 'Spacelift', depth: 2, effects: { profile: 'routine', 'stack confirm': 'change', 'stack open': 'read', whoami: 'read' } }),
  // capistrano and fabric run tasks on remote hosts
  client(['cap'], ['-f', '--rakefile', '-r', '--require', '-I', '--libdir', '-s', '--set'], { service: 'the hosts Capistrano deploys to', depth: 2, dryRun: ['-T', '--tasks', '-n', '--dry-run', '-D', '--describe', '-P', '--prereqs'] }),
  client(['fab'], ['-H', '--hosts', '-i', '--identity', '-f', '--fabfile', '-c', '--collection', '-S', '--ssh-config', '-u', '--user', '-t', '--connect-timeout'], { service: 'the hosts Fabric connects to', depth: 0, unknown: 'exec', dryRun: ['-l', '--list', '--dry'] }),

  // platforms and clouds: deploys change, consoles and ssh execute, config vars hold secrets
  client(['heroku'], ['-a', '--app', '-r', '--remote', '-t', '--team', '-s', '--space', '-n', '--num', '-d', '--dyno', '--type', '--size', '-e', '--env', '-p', '--process', '--confirm', '--pipeline', '--stage', '--source', '-b', '--buildpack'], {
    service: 'Heroku', depth: 2, unknown: 'read',
    effects: {
      ...AUTH, 'auth:login': 'routine', 'auth:logout': 'routine', 'git:remote': 'routine', local: 'routine', 'local:run': 'routine', 'local:start': 'routine',
      config: 'secret', 'config:get': 'secret', 'pg:credentials': 'secret', 'pg:credentials:url': 'secret', 'redis:credentials': 'secret', 'auth:token': 'secret', 'authorizations:create': 'secret', 'authorizations:rotate': 'secret',
      run: 'exec', 'run:detached': 'exec', 'run:inside': 'exec', 'ps:exec': 'exec', 'pg:psql': 'exec', 'redis:cli': 'exec', console: 'exec',
      'pg:backups:restore': 'irreversible', 'pg:copy': 'irreversible', 'maintenance:on': 'change', 'maintenance:off': 'change', 'ps:kill': 'change', 'ps:type': 'change', 'pg:kill': 'change', 'pg:killall': 'change', 'pg:upgrade': 'change', 'ps:scale': 'change', 'ps:restart': 'change', 'ps:stop': 'change', 'ps:resize': 'change', 'ps:autoscale:enable': 'change', 'ps:autoscale:disable': 'change', 'apps:join': 'change', 'apps:leave': 'change',
    },
  }),
  // fly is flyctl, and also Concourse's CLI (`fly -t target set-pipeline`)
  client(['flyctl', 'fly'], ['-a', '--app', '-c', '--config', '--org', '-r', '--region', '-t', '--target', '--access-token', '-i', '--image', '--vm-size', '--dockerfile', '--build-arg', '--env', '-e', '--strategy', '-C', '--command', '-n', '--team-name', '-p', '--pipeline', '-j', '--job'], {
    service: 'Fly.io or Concourse', depth: 3,
    effects: {
      ssh: 'exec', 'ssh issue': 'secret', 'ssh sftp': 'change', console: 'exec', 'machine exec': 'exec', 'postgres connect': 'exec', 'pg connect': 'exec', 'redis connect': 'exec', 'mysql connect': 'exec',
      secrets: 'secret', 'secrets list': 'read', 'auth token': 'secret', auth: 'routine', tokens: 'secret', 'tokens list': 'read', 'wireguard create': 'secret', 'scale show': 'read', open: 'read', dashboard: 'read', dig: 'read', proxy: 'read', releases: 'read', regions: 'read', platform: 'read', launch: 'change',
      pipelines: 'read', builds: 'read', workers: 'read', teams: 'read', targets: 'read', jobs: 'read', hijack: 'exec', intercept: 'exec', execute: 'change',
    },
  }),
  client(['vercel', 'vc'], ['--token', '-t', '--scope', '-S', '--cwd', '-A', '--local-config', '-Q', '--global-config', '-e', '--env', '-b', '--build-env', '-m', '--meta', '--regions', '--target', '--environment'], {
    service: 'Vercel', depth: 2,
    effects: { ...AUTH, whoami: 'read', dev: 'routine', build: 'routine', link: 'routine', init: 'routine', env: 'secret', 'env ls': 'read', 'env list': 'read', pull: 'secret', secrets: 'secret', switch: 'routine', 'teams switch': 'routine', open: 'read', bisect: 'read', curl: 'read', 'domains buy': 'change' },
  }),
  client(['netlify', 'ntl'], ['--auth', '--site', '-s', '--filter', '--dir', '-d', '--functions', '-f', '--alias', '-a', '--message', '-m', '--context', '--cwd'], {
    service: 'Netlify', depth: 2,
    effects: { ...AUTH, dev: 'routine', build: 'routine', link: 'routine', unlink: 'routine', init: 'routine', switch: 'routine', serve: 'routine', recipes: 'routine', open: 'read', 'env:list': 'secret', 'env:get': 'secret', 'functions:invoke': 'exec', 'functions:serve': 'routine', 'functions:create': 'routine', 'functions:build': 'routine', api: 'change' },
  }),
  client(['railway'], ['-s', '--service', '-e', '--environment', '-p', '--project'], {
    service: 'Railway', depth: 2,
    effects: { ...AUTH, whoami: 'read', up: 'change', run: 'secret', shell: 'secret', variables: 'secret', link: 'routine', unlink: 'routine', service: 'routine', environment: 'routine', open: 'read', docs: 'read', connect: 'exec', ssh: 'exec', domain: 'change', down: 'change' },
  }),
  client(['render'], ['-o', '--output', '--confirm', '-r', '--resources'], {
    service: 'Render', depth: 2, unknown: 'read', effects: { ...AUTH, ssh: 'exec', psql: 'exec', workspace: 'routine', 'workspace list': 'read', 'deploys create': 'change' },
  }),
  client(['doctl'], ['-t', '--access-token', '-u', '--api-url', '-c', '--config', '--context', '-o', '--output', '--format', '--region', '--image', '--size', '--ssh-keys', '--tag-name', '--wait'], {
    service: 'DigitalOcean', depth: 4,
    effects: { 'compute ssh': 'exec', 'apps console': 'exec', auth: 'routine', 'registry login': 'routine', 'registry docker-config': 'secret', 'kubernetes cluster kubeconfig': 'secret', 'k8s cluster kubeconfig': 'secret', 'databases connection': 'secret', 'databases user get': 'secret', 'compute droplet-action rebuild': 'irreversible', 'serverless functions invoke': 'exec' },
  }),
  client(['hcloud'], ['--context', '--config', '--endpoint', '-o', '--output', '--poll-interval', '--type', '--image', '--location', '--name', '--ssh-key', '--selector', '-l'], {
    service: 'Hetzner Cloud', depth: 2,
    effects: { context: 'routine', 'server ssh': 'exec', 'server request-console': 'exec', 'server rebuild': 'irreversible', 'server reset-password': 'secret', 'ssh-key list': 'read', 'ssh-key describe': 'read' },
  }),
  client(['linode-cli', 'linode', 'lin'], ['--as-user', '--format', '--delimiter', '--page', '--page-size', '--label', '--region', '--type', '--image', '--root_pass', '--authorized_keys'], {
    service: 'Linode', depth: 2, effects: { ssh: 'exec', configure: 'routine', 'linodes rebuild': 'irreversible', 'linodes ips-list': 'read' },
  }),
  client(['oci'], ['--profile', '--config-file', '--region', '--auth', '--output', '--query', '--endpoint', '--cert-bundle', '--compartment-id', '-c', '--defaults-file', '--connection-timeout', '--read-timeout', '--max-retries', '--auth-purpose', '--http-method', '--target-uri', '--request-body'], {
    service: 'Oracle Cloud', depth: 4, method: ['--http-method'],
    effects: { 'session authenticate': 'routine', 'setup config': 'routine', secrets: 'secret', vault: 'secret', 'vault secret list': 'read', 'instance-agent command create': 'exec', 'db autonomous-database generate-wallet': 'secret', 'iam auth-token': 'secret', 'iam auth-token list': 'read', 'iam customer-secret-key': 'secret', 'iam customer-secret-key list': 'read', 'bastion session create': 'exec', 'raw-request': 'read' },
  }),
  client(['ibmcloud', 'ic'], ['-r', '-g', '-a', '-c', '--apikey', '-u', '-p', '-o', '--output', '--cluster', '--instance-id'], {
    service: 'IBM Cloud', depth: 3, unknown: 'read',
    effects: { login: 'routine', logout: 'routine', target: 'routine', config: 'routine', plugin: 'routine', 'plugin list': 'read', 'cr login': 'routine', 'ks cluster config': 'secret', 'iam api-key-create': 'secret', 'iam service-api-key-create': 'secret', 'iam oauth-tokens': 'secret', 'iam api-key-reset': 'secret' },
  }),
  client(['scw'], ['-p', '--profile', '-c', '--config', '-o', '--output'], {
    service: 'Scaleway', depth: 4,
    effects: { init: 'routine', config: 'routine', login: 'routine', 'config get': 'read', 'k8s kubeconfig': 'secret', secret: 'secret', 'secret secret list': 'read', 'iam api-key': 'secret', 'iam api-key list': 'read', 'instance server ssh': 'exec', 'instance server console': 'exec' },
  }),
  client(['vultr-cli', 'vultr'], ['--config', '-o', '--output', '--api-key', '--region', '--plan', '--os', '--label'], {
    service: 'Vultr', depth: 3, effects: { 'kubernetes config': 'secret', 'instance reinstall': 'irreversible', snapshot: 'routine', 'ssh-key list': 'read', 'ssh-key get': 'read', account: 'read' },
  }),
  client(['exo'], ['-A', '--use-account', '-C', '--config', '-O', '--output-format', '--output-template', '-z', '--zone'], {
    service: 'Exoscale', depth: 4,
    effects: { config: 'routine', 'compute instance ssh': 'exec', 'compute sks kubeconfig': 'secret', 'storage presign': 'secret', 'iam api-key': 'secret', 'iam api-key list': 'read' },
  }),
  client(['upctl'], ['--config', '-o', '--output', '-t', '--client-timeout'], { service: 'UpCloud', depth: 3, effects: { 'kubernetes config': 'secret', 'k8s config': 'secret' } }),
  client(['civo'], ['--config', '--region', '-o', '--output', '-f', '--fields'], {
    service: 'Civo', depth: 3, effects: { 'kubernetes config': 'secret', 'k8s config': 'secret', 'k3s config': 'secret', apikey: 'secret', 'apikey list': 'read', 'apikey ls': 'read', 'apikey use': 'routine', 'region use': 'routine', 'region current': 'routine' },
  }),
  // aliyun and tccli name API actions in PascalCase, which the verb parts do not split
  client(['aliyun'], ['--profile', '-p', '--region', '--mode', '--access-key-id', '--access-key-secret', '--sts-token', '--endpoint', '--output', '--RegionId', '--InstanceId', '--InstanceIds', '--CommandContent', '--SecretName'], {
    service: 'Alibaba Cloud', depth: 2,
    effects: { configure: 'routine', 'ecs DescribeInstances': 'read', 'ecs DescribeRegions': 'read', 'ecs DeleteInstance': 'irreversible', 'ecs DeleteInstances': 'irreversible', 'ecs RunCommand': 'exec', 'ecs InvokeCommand': 'exec', 'kms Decrypt': 'secret', 'kms GetSecretValue': 'secret', 'rds DeleteDBInstance': 'irreversible' },
  }),
  client(['tccli'], ['--profile', '--region', '--output', '--secretId', '--secretKey', '--token', '--InstanceIds', '--cli-input-json'], {
    service: 'Tencent Cloud', depth: 2,
    effects: { configure: 'routine', 'cvm DescribeInstances': 'read', 'cvm DescribeRegions': 'read', 'cvm TerminateInstances': 'irreversible', 'tat RunCommand': 'exec', 'tat InvokeCommand': 'exec', 'ssm GetSecretValue': 'secret', 'kms Decrypt': 'secret', 'cdb IsolateDBInstance': 'irreversible' },
  }),
  client(['openstack'], ['--os-cloud', '--os-auth-url', '--os-project-name', '--os-project-id', '--os-username', '--os-password', '--os-region-name', '--os-token', '--os-identity-api-version', '--os-interface', '--os-cacert', '--os-user-domain-name', '--os-project-domain-name', '--os-auth-type', '-f', '--format', '-c', '--column', '--max-width', '--sort-column', '--log-file'], {
    service: 'an OpenStack cloud', depth: 4,
    effects: { 'server ssh': 'exec', 'token issue': 'secret', 'application credential': 'secret', 'application credential list': 'read', 'ec2 credentials': 'secret', 'ec2 credentials list': 'read', secret: 'secret', 'secret list': 'read', 'server rebuild': 'irreversible', 'console url show': 'exec' },
  }),
  client(['firebase'], ['-P', '--project', '--token', '--account', '--config', '-c', '--only', '--except', '-m', '--message', '--site', '--expires'], {
    service: 'Firebase', depth: 1,
    effects: { ...AUTH, 'login:ci': 'secret', 'login:add': 'routine', 'login:use': 'routine', use: 'routine', init: 'routine', serve: 'routine', 'emulators:start': 'routine', 'emulators:exec': 'routine', 'emulators:export': 'routine', open: 'read', 'functions:config:get': 'secret', 'functions:secrets:access': 'secret', 'functions:shell': 'exec', 'auth:export': 'secret', 'apps:sdkconfig': 'read', 'target:apply': 'routine', 'target:clear': 'routine' },
  }),
  client(['supabase'], ['--workdir', '--project-ref', '--db-url', '--profile', '-o', '--output', '--dns-resolver', '-p', '--password', '-s', '--schema', '-f', '--file', '--env-file'], {
    service: 'Supabase', depth: 2,
    effects: { ...AUTH, start: 'routine', stop: 'routine', link: 'routine', unlink: 'routine', init: 'routine', 'migration new': 'routine', 'functions new': 'routine', 'functions serve': 'routine', gen: 'read', secrets: 'secret', 'secrets list': 'read', 'projects api-keys': 'secret', bootstrap: 'change', 'db dump': 'read' },
  }),
  client(['neonctl', 'neon'], ['--api-key', '--context-file', '--project-id', '--org-id', '-o', '--output', '--config-dir', '--api-host', '--branch', '--database-name', '--role-name'], {
    service: 'Neon', depth: 2, effects: { auth: 'routine', 'connection-string': 'secret', cs: 'secret', 'set-context': 'routine', me: 'read', 'roles reset-password': 'secret' },
  }),
  client(['pscale'], ['--org', '--config', '--api-token', '--service-token', '--service-token-id', '-f', '--format', '--api-url'], {
    service: 'PlanetScale', depth: 2,
    effects: { 'auth login': 'routine', 'auth logout': 'routine', 'org switch': 'routine', 'branch switch': 'routine', connect: 'secret', shell: 'exec', password: 'secret', 'password list': 'read', 'service-token': 'secret', 'service-token list': 'read', backup: 'routine', 'backup restore': 'change', 'database restore-dump': 'change' },
  }),
  client(['turso'], ['-c', '--config-path', '--group', '--location', '--expiration'], {
    service: 'Turso', depth: 3,
    effects: { auth: 'routine', 'auth token': 'secret', 'auth api-tokens': 'secret', 'auth api-tokens list': 'read', dev: 'routine', 'org switch': 'routine', 'db shell': 'exec', 'db tokens': 'secret', 'group tokens': 'secret' },
  }),
  client(['wrangler'], ['-c', '--config', '-e', '--env', '--cwd', '--name', '--compatibility-date', '--binding', '--database', '--command', '--file', '--namespace-id', '--persist-to', '--account-id'], {
    service: 'Cloudflare', depth: 3,
    effects: { ...AUTH, whoami: 'read', dev: 'routine', 'pages dev': 'routine', init: 'routine', generate: 'routine', types: 'routine', docs: 'read', secret: 'secret', 'secret list': 'read', 'secret:bulk': 'secret', 'pages secret': 'secret', 'pages secret list': 'read', 'versions secret': 'secret', 'versions secret list': 'read', 'd1 execute': 'exec' },
  }),
  client(['surge'], ['-d', '--domain', '-p', '--project', '-e', '--endpoint'], { service: 'Surge', depth: 1, effects: { ...AUTH, whoami: 'read', token: 'secret', files: 'read' } }),
  client(['amplify'], ['--app-id', '--envName', '--profile', '--region', '--frontend'], {
    service: 'AWS Amplify', depth: 2,
    effects: { init: 'change', add: 'routine', update: 'routine', mock: 'routine', configure: 'routine', codegen: 'routine', env: 'routine', console: 'read', diagnose: 'read', override: 'routine', upgrade: 'routine' },
  }),
  client(['ampx'], ['--profile', '--identifier', '--branch', '--app-id', '--outputs-format', '--out-dir'], { service: 'AWS Amplify', depth: 2, effects: { sandbox: 'routine', 'sandbox secret': 'secret', 'sandbox secret list': 'read', generate: 'read', 'pipeline-deploy': 'change' } }),
  client(['eb'], ['--profile', '-r', '--region', '-p', '--platform', '-l', '--label', '-m', '--message', '-i', '--instance_type', '-k', '--keyname', '--cname', '--envvars', '--timeout'], {
    service: 'AWS Elastic Beanstalk', depth: 2,
    effects: { init: 'routine', ssh: 'exec', printenv: 'secret', open: 'read', console: 'read', use: 'routine', local: 'routine', swap: 'change', abort: 'change', setenv: 'change' },
  }),
  client(['copilot'], ['-a', '--app', '-e', '--env', '-n', '--name', '--image', '--port', '--resource-tags'], {
    service: 'AWS through Copilot', depth: 2,
    effects: { 'svc exec': 'exec', 'task exec': 'exec', secret: 'secret', 'svc package': 'read', 'job package': 'read', 'env package': 'read', 'run local': 'routine', 'app init': 'routine' },
  }),
  client(['gsutil'], ['-o', '-h', '-u', '-i', '-p'], {
    service: 'Google Cloud Storage', depth: 2, effects: { cp: 'routine', signurl: 'secret', 'hmac create': 'secret', config: 'routine', hash: 'read', rsync: 'change', setmeta: 'change' },
  }),
  client(['s3cmd'], ['-c', '--config', '--access_key', '--secret_key', '--access_token', '--region', '--host', '--host-bucket', '--exclude', '--include', '--exclude-from', '--rexclude', '--acl-grant', '--acl-revoke', '-m', '--mime-type', '--add-header', '--storage-class', '--expiry-days', '--expiry-date', '--expiry-prefix', '--bucket-location', '--encoding', '--limit-rate', '--multipart-chunk-size-mb'], {
    service: 'S3 storage', depth: 1, dryRun: ['--dry-run', '-n'], effects: { la: 'read', signurl: 'secret', delpolicy: 'irreversible', dellifecycle: 'irreversible', delcors: 'irreversible', abortmp: 'change' },
  }),
  client(['mc', 'mcli'], ['-C', '--config-dir', '--limit-upload', '--limit-download', '--custom-header', '-H', '--resolve', '--expire', '--storage-class', '--attr', '--tags'], {
    service: 'MinIO or S3 storage', depth: 3, dryRun: ['--dry-run'],
    effects: { head: 'read', sql: 'read', ready: 'read', pipe: 'change', share: 'secret', alias: 'routine', 'alias list': 'secret', 'alias ls': 'secret', 'alias export': 'secret', 'admin user svcacct add': 'secret', 'admin user svcacct info': 'read', 'idp': 'change', cp: 'routine' },
  }),
  client(['b2'], ['--profile'], {
    service: 'Backblaze B2', depth: 2, dryRun: ['--dry-run'],
    effects: { 'authorize-account': 'routine', account: 'routine', 'account get': 'read', key: 'secret', 'key list': 'read', 'create-key': 'secret', 'get-download-auth': 'secret', 'get-download-url-with-auth': 'secret', 'bucket get-download-auth': 'secret', 'file url': 'read' },
  }),
  client(['s5cmd'], ['--endpoint-url', '--profile', '--credentials-file', '--numworkers', '--retry-count', '-r', '--log', '--request-payer'], {
    service: 'S3 storage', depth: 1, dryRun: ['--dry-run'], effects: { cp: 'routine', presign: 'secret', pipe: 'change', head: 'read' },
  }),
  client(['azcopy'], ['--log-level', '--output-type', '--cap-mbps', '--trusted-microsoft-suffixes', '--output-level', '--include-pattern', '--exclude-pattern', '--include-path', '--exclude-path', '--block-size-mb', '--from-to', '--tenant-id', '--aad-endpoint'], {
    service: 'Azure Storage', depth: 2, dryRun: ['--dry-run'], effects: { ...AUTH, copy: 'routine', cp: 'routine', jobs: 'routine', make: 'change', bench: 'change' },
  }),
  client(['bq'], ['--project_id', '--dataset_id', '--location', '--format', '--apilog', '--api', '--api_version', '--bigqueryrc', '--credential_file', '--job_id', '--service_account', '--destination_table', '--max_rows', '-n', '--parameter', '--schema', '--time_partitioning_field', '--source_format', '--label'], {
    service: 'BigQuery', depth: 1, dryRun: ['--dry_run'], effects: { head: 'read', mkdef: 'read', init: 'routine', shell: 'change', mk: 'change', load: 'change', extract: 'change' },
  }),
  // cbt runs words together (`deletetable`, `listinstances`), which the verb parts do not split
  client(['cbt'], ['-project', '-instance', '-creds', '-admin-endpoint', '-data-endpoint', '-auth-token', '-timeout'], {
    service: 'Cloud Bigtable', depth: 1,
    effects: {
      deleterow: 'irreversible', deletetable: 'irreversible', deleteinstance: 'irreversible', deletecluster: 'irreversible', deletefamily: 'irreversible', deleteallrows: 'irreversible', deleteappprofile: 'irreversible', deletesnapshot: 'irreversible',
      listinstances: 'read', listclusters: 'read', listappprofile: 'read', listsnapshots: 'read', doc: 'read', version: 'read',
    },
  }),
  client(['cf', 'cf7', 'cf8'], ['-o', '-s', '-u', '-p', '-a', '-f', '-i', '-m', '-k', '-c', '-b', '--var', '--vars-file', '--strategy', '-X', '-H', '-d', '--origin'], {
    service: 'Cloud Foundry', depth: 1, unknown: 'read', method: ['-X'],
    effects: {
      login: 'routine', logout: 'routine', target: 'routine', api: 'routine', auth: 'routine', ssh: 'exec', 'run-task': 'exec', env: 'secret', 'create-service-key': 'secret', 'service-key': 'secret', 'oauth-token': 'secret', 'ssh-code': 'secret', curl: 'read',
      restage: 'change', 'bind-service': 'change', 'unbind-service': 'change', 'map-route': 'change', 'unmap-route': 'change', 'bind-route-service': 'change', 'unbind-route-service': 'change', 'share-service': 'change', 'unshare-service': 'change', 'bind-security-group': 'change', 'unbind-security-group': 'change', 'allow-space-ssh': 'change', 'disallow-space-ssh': 'change', 'continue-deployment': 'change',
    },
  }),
  client(['dokku'], ['--app', '--remote'], {
    service: 'a Dokku host', depth: 1,
    effects: { config: 'secret', 'config:show': 'secret', 'config:get': 'secret', 'config:export': 'secret', run: 'exec', 'run:detached': 'exec', enter: 'exec', 'postgres:connect': 'exec', 'mysql:connect': 'exec', 'redis:connect': 'exec', 'postgres:enter': 'exec', 'postgres:export': 'read', 'ps:scale': 'change', 'ps:restart': 'change', 'ps:stop': 'change', 'ps:start': 'change', 'ps:rebuild': 'change', 'ps:restore': 'change', 'ps:set': 'change' },
  }),
  client(['kamal'], ['-d', '--destination', '-c', '--config-file', '-h', '--hosts', '-r', '--roles', '--version', '--skip-hooks'], {
    service: 'the hosts Kamal deploys to', depth: 2,
    effects: { init: 'routine', setup: 'change', 'app exec': 'exec', 'accessory exec': 'exec', 'server exec': 'exec', details: 'read', 'app details': 'read', 'accessory details': 'read', secrets: 'secret', 'env push': 'secret', 'lock status': 'read', 'registry login': 'routine', docs: 'read', config: 'read' },
  }),
  client(['caprover'], ['-u', '--caproverUrl', '-n', '--caproverName', '-p', '--caproverPassword', '-a', '--caproverApp', '-b', '--branch', '-t', '--tarFile', '--path', '-i', '--imageName', '-c', '--configFile', '--appToken', '-m', '--method', '-d', '--data', '-o', '--output'], {
    service: 'a CapRover server', depth: 1, method: ['-m', '--method'], effects: { ...AUTH, serversetup: 'change', setup: 'change', api: 'read' },
  }),
  client(['coolify'], ['--context', '--format', '--token'], {
    service: 'Coolify', depth: 3, effects: { context: 'routine', execute: 'exec', 'app env': 'secret', 'app env list': 'read', 'deploy list': 'read', 'deploy get': 'read', 'resource list': 'read' },
  }),
  client(['sf', 'sfdx'], ['-o', '--target-org', '--target-dev-hub', '--api-version', '-f', '--file', '-q', '--query', '-d', '--source-dir', '-m', '--metadata', '-x', '--manifest', '-l', '--test-level', '-w', '--wait', '-s', '--sobject', '-i', '--record-id', '-a', '--alias'], {
    service: 'Salesforce', depth: 3,
    effects: { 'org login': 'routine', 'org logout': 'routine', config: 'routine', alias: 'routine', 'org display': 'secret', 'org open': 'read', 'org generate password': 'secret', 'apex run': 'exec', 'apex run test': 'read', 'project retrieve': 'read', 'project generate': 'routine' },
  }),
  client(['clever'], ['-a', '--app', '--alias', '--org', '-o', '--format'], {
    service: 'Clever Cloud', depth: 2, unknown: 'read', effects: { ...AUTH, link: 'routine', unlink: 'routine', env: 'secret', ssh: 'exec', deploy: 'change', redeploy: 'change', scale: 'change', domain: 'change', create: 'change', 'env set': 'change' },
  }),
  client(['scalingo'], ['-a', '--app', '-r', '--remote', '--region', '-e', '--env'], {
    service: 'Scalingo', depth: 1, unknown: 'read', effects: { ...AUTH, env: 'secret', run: 'exec', 'one-off-stop': 'change', deploy: 'change', restart: 'change', scale: 'change', 'env-set': 'change', 'env-unset': 'change', 'db-tunnel': 'secret' },
  }),
  client(['platform', 'upsun'], ['-p', '--project', '-e', '--environment', '-A', '--app', '-W', '--worker', '-I', '--instance'], {
    service: 'Platform.sh', depth: 1,
    effects: { ...AUTH, ssh: 'exec', 'db:sql': 'exec', 'db:dump': 'read', 'variable:get': 'secret', 'backup:list': 'read', 'backup:get': 'read', 'tunnel:open': 'secret', 'tunnel:single': 'secret', 'auth:info': 'read', 'auth:api-token-login': 'routine', 'auth:browser-login': 'routine' },
  }),
  client(['appwrite'], ['--endpoint', '--project-id', '--key', '--database-id', '--collection-id', '--function-id'], { service: 'Appwrite', depth: 2, effects: { ...AUTH, init: 'routine', run: 'routine', client: 'routine' } }),
  client(['convex'], ['--url', '--admin-key', '--env-file', '--deployment-name', '--preview-name', '--table', '--format', '--limit'], {
    service: 'Convex', depth: 2, dryRun: ['--dry-run'],
    effects: { ...AUTH, dev: 'routine', codegen: 'routine', run: 'exec', env: 'secret', data: 'read', dashboard: 'read', docs: 'read' },
  }),
  client(['hasura'], ['--endpoint', '--admin-secret', '--database-name', '--project', '--envfile', '--from', '--goto', '--version'], {
    service: 'a Hasura GraphQL engine', depth: 2, effects: { console: 'routine', init: 'routine', 'migrate status': 'read', 'migrate create': 'routine', 'seed create': 'routine', 'metadata inconsistency list': 'read' },
  }),
  client(['xata'], ['--db', '--branch', '--profile', '--workspace'], { service: 'Xata', depth: 2, effects: { 'auth login': 'routine', 'auth logout': 'routine', init: 'routine', codegen: 'routine', shell: 'exec', random: 'change' } }),
  client(['koyeb'], ['-o', '--output', '--token', '--organization', '--app'], {
    service: 'Koyeb', depth: 2, effects: { ...AUTH, secrets: 'secret', 'secrets list': 'read', 'instances exec': 'exec', 'services exec': 'exec' },
  }),
  client(['tsh'], ['--proxy', '--user', '--cluster', '--auth', '-l', '--login', '-i', '--identity', '--ttl', '--request-id', '--db-user', '--db-name', '--kube-namespace'], {
    service: 'a Teleport cluster', depth: 2, effects: { ...AUTH, ssh: 'exec', 'db connect': 'exec', 'kube exec': 'exec', 'kube login': 'routine', 'apps login': 'routine', 'db login': 'routine', 'kube credentials': 'secret', 'apps config': 'secret', 'db config': 'secret', 'proxy db': 'secret' },
  }),
  client(['tctl'], ['--auth-server', '-c', '--config', '-i', '--identity', '--format', '--ttl', '--roles', '--type'], {
    service: 'a Teleport cluster', depth: 2, effects: { tokens: 'secret', 'tokens ls': 'read', 'auth sign': 'secret', 'auth export': 'secret', 'auth rotate': 'change', 'users reset': 'secret' },
  }),
  client(['boundary'], ['-addr', '-token', '-format', '-scope-id', '-target-id', '-auth-method-id', '-login-name', '-host-id'], {
    service: 'a Boundary cluster', depth: 2, effects: { authenticate: 'routine', connect: 'exec', 'targets authorize-session': 'secret', dev: 'routine' },
  }),
  client(['ngrok'], ['--authtoken', '--config', '--region', '--url', '--domain', '--log', '--log-level', '--basic-auth', '--oauth', '--traffic-policy-file'], {
    service: 'ngrok', depth: 3, effects: { 'config add-authtoken': 'secret', 'config add-api-key': 'secret', diagnose: 'read', update: 'routine', 'config edit': 'routine' },
  }),
  client(['tailscale'], ['--socket', '--authkey', '--auth-key', '--hostname', '--login-server', '--advertise-routes', '--advertise-tags', '--exit-node', '--operator'], {
    service: 'a tailnet', depth: 2,
    effects: { ...AUTH, up: 'change', down: 'change', ssh: 'exec', netcheck: 'read', ip: 'read', whois: 'read', switch: 'routine', funnel: 'change', serve: 'change', cert: 'secret', file: 'change', 'file get': 'routine', bugreport: 'read', dns: 'read' },
  }),

  // database servers' own clients (the SQL or scripts they are given is judged by its own rules)
  client(['mongosh', 'mongo'], ['--host', '--port', '-u', '--username', '-p', '--password', '--authenticationDatabase', '--authenticationMechanism', '--eval', '-f', '--file', '--tlsCAFile', '--tlsCertificateKeyFile', '--apiVersion'], { service: 'a MongoDB server', depth: 0, unknown: 'read' }),
  client(['mongorestore'], ['--uri', '-h', '--host', '--port', '-u', '--username', '-p', '--password', '--authenticationDatabase', '-d', '--db', '-c', '--collection', '--nsInclude', '--nsExclude', '--nsFrom', '--nsTo', '--archive', '--dir'], { service: 'a MongoDB server', depth: 0, dryRun: ['--dryRun', '--version'] }),
  client(['mongoimport'], ['--uri', '-h', '--host', '--port', '-u', '--username', '-p', '--password', '--authenticationDatabase', '-d', '--db', '-c', '--collection', '--file', '--type', '--fields', '--mode'], { service: 'a MongoDB server', depth: 0, dryRun: ['--version'] }),
  client(['mongofiles'], ['--uri', '-h', '--host', '--port', '-u', '--username', '-p', '--password', '-d', '--db', '-l', '--local', '-t', '--type', '--prefix'], { service: 'MongoDB GridFS', depth: 1, effects: { put_id: 'change', get_id: 'read', delete_id: 'irreversible' } }),
  client(['cqlsh'], ['-u', '--username', '-p', '--password', '-k', '--keyspace', '-e', '--execute', '-f', '--file', '--cqlshrc', '--encoding', '--cqlversion', '--protocol-version', '--connect-timeout', '--request-timeout'], { service: 'a Cassandra cluster', depth: 0, unknown: 'read' }),
  client(['clickhouse-client'], ['-h', '--host', '--port', '-u', '--user', '--password', '-d', '--database', '-q', '--query', '--queries-file', '-f', '--format', '--config-file', '--param_'], { service: 'a ClickHouse server', depth: 0, unknown: 'read' }),
  // redis-cli takes the command as its words; reads are listed, other commands change
  client(['redis-cli', 'valkey-cli', 'keydb-cli'], ['-h', '-p', '-s', '-a', '--user', '--pass', '-u', '-n', '-r', '-i', '-d', '--cacert', '--cert', '--key', '--sni', '--rdb', '--functions-rdb', '--pattern', '--count', '--quoted-pattern', '--eval', '--cluster', '-t'], {
    service: 'a Redis server', depth: 1, dryRun: ['--scan', '--bigkeys', '--memkeys', '--hotkeys', '--stat', '--latency', '--latency-history', '--latency-dist', '--version'],
    effects: {
      ...words(['GET', 'MGET', 'HGET', 'HGETALL', 'HMGET', 'HKEYS', 'HVALS', 'HLEN', 'HEXISTS', 'LRANGE', 'LLEN', 'LINDEX', 'SMEMBERS', 'SCARD', 'SISMEMBER', 'SRANDMEMBER', 'ZRANGE', 'ZREVRANGE', 'ZRANGEBYSCORE', 'ZSCORE', 'ZCARD', 'ZRANK', 'TTL', 'PTTL', 'TYPE', 'EXISTS', 'KEYS', 'SCAN', 'HSCAN', 'SSCAN', 'ZSCAN', 'INFO', 'DBSIZE', 'PING', 'ECHO', 'TIME', 'MONITOR', 'SLOWLOG', 'MEMORY', 'LATENCY', 'XRANGE', 'XREVRANGE', 'XLEN', 'XREAD', 'XINFO', 'XPENDING', 'STRLEN', 'GETRANGE', 'OBJECT', 'ROLE', 'LASTSAVE', 'PUBSUB', 'SUBSCRIBE', 'PSUBSCRIBE', 'COMMAND', 'RANDOMKEY', 'DUMP', 'BITCOUNT', 'GETBIT', 'PFCOUNT', 'GEOPOS', 'GEODIST', 'GEOSEARCH'], 'read'),
      ...words(['UNLINK', 'HDEL', 'SREM', 'ZREM', 'LREM', 'XDEL', 'XTRIM', 'GETDEL', 'ZREMRANGEBYSCORE', 'ZREMRANGEBYRANK', 'LTRIM'], 'irreversible'),
      ...words(['EVAL', 'EVALSHA', 'EVAL_RO', 'EVALSHA_RO', 'FCALL', 'FCALL_RO', 'MODULE'], 'exec'),
      ...words(['SHUTDOWN', 'CONFIG', 'ACL', 'CLIENT', 'CLUSTER', 'SCRIPT', 'FUNCTION', 'SAVE', 'BGSAVE', 'BGREWRITEAOF', 'REPLICAOF', 'SLAVEOF', 'SWAPDB', 'DEBUG', 'FAILOVER'], 'change'),
    },
  }),
  client(['cockroach'], ['--host', '--port', '--certs-dir', '--url', '-u', '--user', '-d', '--database', '-e', '--execute', '-f', '--file', '--format', '--store', '--join', '--listen-addr', '--advertise-addr', '--http-addr', '--cluster-name', '--locality', '--cache', '--max-sql-memory'], {
    service: 'a CockroachDB cluster', depth: 2, effects: { sql: 'read', demo: 'routine', debug: 'read', gen: 'read', cert: 'secret', 'cert list': 'read', 'auth-session': 'secret', 'auth-session list': 'read', workload: 'change' },
  }),
  client(['influx'], ['--host', '-t', '--token', '-o', '--org', '--org-id', '-c', '--active-config', '--configs-path', '-b', '--bucket', '--bucket-id', '-f', '--file', '--precision', '-p', '--start', '--stop', '--predicate', '-n', '--name', '-r', '--retention', '-u', '--username', '--password', '-i', '--id'], {
    service: 'an InfluxDB server', depth: 2,
    effects: { auth: 'secret', config: 'routine', setup: 'change', backup: 'routine', 'user password': 'secret', secret: 'secret', 'secret list': 'read', 'v1 shell': 'read', 'server-config': 'read' },
  }),
  client(['etcdctl'], ['--endpoints', '--cacert', '--cert', '--key', '--user', '--password', '--dial-timeout', '--command-timeout', '--keepalive-time', '--keepalive-timeout', '-w', '--write-out', '--discovery-srv', '--discovery-srv-name', '--auth-jwt-token', '--rev', '--limit', '--lease', '--ttl'], {
    service: 'an etcd cluster', depth: 2, effects: { snapshot: 'routine', compact: 'irreversible', 'user passwd': 'secret', 'endpoint hashkv': 'read', defrag: 'change', txn: 'change', elect: 'change' },
  }),
  // atlas is MongoDB Atlas's CLI and also Ariga's schema tool
  client(['atlas'], ['-P', '--profile', '-o', '--output', '--projectId', '--orgId', '--clusterName', '-u', '--url', '--env', '--dev-url', '--to', '--dir', '--var', '-c', '--config'], {
    service: 'MongoDB Atlas or a database schema', depth: 3, dryRun: ['--dry-run'],
    effects: { auth: 'routine', config: 'routine', login: 'routine', logout: 'routine', 'projects apiKeys': 'secret', 'projects apiKeys list': 'read', 'organizations apiKeys': 'secret', 'organizations apiKeys list': 'read', 'schema clean': 'irreversible', 'migrate new': 'routine', 'migrate hash': 'routine', 'migrate down': 'change', 'deployments connect': 'exec' },
  }),
  client(['mysqladmin', 'mariadb-admin'], ['-h', '--host', '-u', '--user', '-P', '--port', '-S', '--socket', '--defaults-file', '--defaults-extra-file', '--login-path', '-c', '--count', '-i', '--sleep', '--protocol', '--ssl-ca', '--ssl-cert', '--ssl-key'], {
    service: 'a MySQL server', depth: 1, effects: { shutdown: 'change', processlist: 'read', variables: 'read', password: 'secret', 'old-password': 'secret', kill: 'change' },
  }),
  client(['pg_ctl'], ['-D', '--pgdata', '-l', '--log', '-m', '--mode', '-o', '--options', '-t', '--timeout', '-N', '-U', '-e', '-p'], { service: 'a PostgreSQL server', depth: 1, effects: { kill: 'change', logrotate: 'change' } }),
  client(['pgbackrest'], ['--stanza', '--config', '--config-path', '--config-include-path', '--repo', '--pg1-path', '--repo1-path', '--log-level-console', '--log-level-file', '--type', '--set', '--target', '--process-max', '--db-include'], {
    service: 'pgBackRest repositories', depth: 1, effects: { backup: 'routine', expire: 'irreversible', restore: 'change', server: 'change' },
  }),
  client(['wal-g'], ['--config', '--pghost', '--pgport', '--pguser', '--pgdata'], {
    service: 'WAL-G backups', depth: 2, effects: { 'backup-push': 'routine', 'backup-list': 'read', 'backup-fetch': 'change', 'backup-mark': 'change', 'wal-receive': 'change', 'delete garbage': 'irreversible' },
  }),
  client(['dropdb', 'dropuser'], ['-h', '--host', '-p', '--port', '-U', '--username', '--maintenance-db'], { service: 'a PostgreSQL server', depth: 0, unknown: 'irreversible', dryRun: ['--version', '-V'] }),
  client(['createdb', 'createuser'], ['-h', '--host', '-p', '--port', '-U', '--username', '--maintenance-db', '-O', '--owner', '-T', '--template', '-E', '--encoding', '-l', '--locale', '-D', '--tablespace', '-c', '--connection-limit', '-g', '--role'], { service: 'a PostgreSQL server', depth: 0, dryRun: ['--version', '-V'] }),
  client(['pg_restore'], ['-h', '--host', '-p', '--port', '-U', '--username', '-d', '--dbname', '-n', '--schema', '-t', '--table', '-j', '--jobs', '-L', '--use-list', '-I', '--index', '-F', '--format', '--role'], { service: 'a PostgreSQL server', depth: 0, dryRun: ['-l', '--list', '-f', '--file', '--version', '-V'] }),
  client(['pg_upgrade'], ['-b', '--old-bindir', '-B', '--new-bindir', '-d', '--old-datadir', '-D', '--new-datadir', '-j', '--jobs', '-o', '--old-options', '-O', '--new-options', '-p', '--old-port', '-P', '--new-port', '-U', '--username'], { service: 'a PostgreSQL cluster', depth: 0, dryRun: ['-c', '--check', '--version', '-V'] }),
  client(['prisma'], ['--schema', '--config', '--name', '--url', '--from-url', '--to-url', '--from-schema-datamodel', '--to-schema-datamodel', '--file'], {
    service: 'the database Prisma manages', depth: 2, effects: { 'migrate dev': 'routine', 'db seed': 'routine', 'migrate status': 'read', 'migrate diff': 'read', 'migrate resolve': 'change', 'db execute': 'change', generate: 'read', format: 'read', studio: 'read', init: 'routine', debug: 'read' },
  }),
  // rails and rake run the same database tasks
  client(['rails', 'rake'], ['-e', '--environment', '-f', '--rakefile', '-C', '--directory', '-I', '--libdir', '-R', '--rakelibdir', '-r', '--require', '-j', '--jobs'], {
    service: 'the database of a Rails app', depth: 1, unknown: 'routine', dryRun: ['-T', '--tasks', '-n', '--dry-run', '-P', '--prereqs', '-W', '--where'],
    effects: { console: 'routine', c: 'routine', server: 'routine', s: 'routine', 'credentials:show': 'secret', 'credentials:edit': 'secret', 'credentials:diff': 'secret', secret: 'secret', 'db:schema:load': 'irreversible', 'db:structure:load': 'irreversible', 'db:seed:replant': 'irreversible', 'db:migrate': 'routine', 'db:seed': 'routine', 'db:create': 'routine', 'db:test:prepare': 'routine', 'db:setup': 'change', 'db:prepare': 'change', 'db:rollback': 'change', routes: 'read', stats: 'read', notes: 'read', middleware: 'read', initializers: 'read', 'db:version': 'read', 'db:migrate:status': 'read' },
  }),
  client(['knex'], ['--knexfile', '--cwd', '--env', '--specific', '--client', '--connection', '--migrations-directory', '--seeds-directory', '-x'], {
    service: 'the database knex migrates', depth: 1, effects: { 'migrate:latest': 'routine', 'migrate:up': 'routine', 'migrate:make': 'routine', 'seed:make': 'routine', 'migrate:status': 'read', 'migrate:list': 'read', 'migrate:currentVersion': 'read', init: 'routine' },
  }),
  client(['sequelize', 'sequelize-cli'], ['--env', '--config', '--options-path', '--migrations-path', '--seeders-path', '--models-path', '--url', '--name', '--seed', '--to', '--from', '--attributes'], {
    service: 'the database Sequelize migrates', depth: 1, effects: { 'db:migrate': 'routine', 'db:migrate:status': 'read', 'model:generate': 'routine', 'model:create': 'routine', 'migration:generate': 'routine', 'migration:create': 'routine', 'seed:generate': 'routine', 'seed:create': 'routine', init: 'routine' },
  }),
  client(['alembic'], ['-c', '--config', '-n', '--name', '-x', '-m', '--message', '--rev-id', '--head', '--splice'], {
    service: 'the database Alembic migrates', depth: 1, dryRun: ['--sql'], effects: { upgrade: 'routine', downgrade: 'change', revision: 'routine', merge: 'routine', init: 'routine', edit: 'routine', stamp: 'change', heads: 'read', branches: 'read' },
  }),
  client(['flyway'], ['-url', '-user', '-password', '-schemas', '-locations', '-configFiles', '-environment', '-target'], {
    service: 'the database Flyway migrates', depth: 1, dryRun: ['-dryRunOutput'], effects: { clean: 'irreversible', baseline: 'change', repair: 'change', undo: 'change', snapshot: 'read' },
  }),
  client(['liquibase'], ['--url', '--username', '--password', '--changelog-file', '--changeLogFile', '--defaults-file', '--defaultsFile', '--classpath', '--driver', '--log-level', '--search-path', '--contexts', '--labels', '--count', '--tag', '--output-file'], {
    service: 'the database Liquibase migrates', depth: 1,
    effects: { dropAll: 'irreversible', 'update-sql': 'read', updateSQL: 'read', 'update-count-sql': 'read', 'rollback-sql': 'read', rollbackSQL: 'read', 'rollback-count-sql': 'read', 'future-rollback-sql': 'read', snapshot: 'read', 'generate-changelog': 'routine', generateChangeLog: 'routine', 'db-doc': 'read', init: 'routine', 'unexpected-changesets': 'read' },
  }),
  client(['dbmate'], ['-u', '--url', '-e', '--env', '-d', '--migrations-dir', '-s', '--schema-file', '--migrations-table', '--wait-timeout', '--env-file'], {
    service: 'the database dbmate migrates', depth: 1, effects: { up: 'routine', migrate: 'routine', down: 'change', new: 'routine', load: 'change' },
  }),
  client(['goose'], ['-dir', '-table', '-certfile', '-ssl-cert', '-ssl-key'], { service: 'the database goose migrates', depth: 3, effects: { up: 'routine', create: 'routine', fix: 'routine' } }),
  // golang-migrate has these commands and no others: another word is a usage error (and, after a program
  // nobody declared, its own subcommand: `refinery migrate -e DATABASE_URL`)
  client(['migrate'], ['-path', '-database', '-source', '-lock-timeout', '-prefetch', '-ext', '-dir', '-format'], { service: 'the database golang-migrate migrates', depth: 1, unknown: 'read', effects: { up: 'routine', create: 'routine', down: 'change', force: 'change', goto: 'change', version: 'read' } }),
  client(['sqlx', 'cargo-sqlx'], ['-D', '--database-url', '--source', '--connect-timeout', '--target-version'], {
    service: 'the database SQLx migrates', depth: 2,
    effects: { 'migrate run': 'routine', 'migrate add': 'routine', 'migrate info': 'read', 'migrate build-script': 'routine', 'migrate revert': 'change', prepare: 'read', 'database create': 'routine', 'database setup': 'routine', completions: 'read' },
  }),
  // Flask-Migrate's `flask db` is Alembic's; other flask commands are the app's own
  client(['flask'], ['-A', '--app', '-e', '--env-file'], {
    service: 'the database of a Flask app', depth: 2, unknown: 'routine',
    effects: { run: 'routine', shell: 'routine', routes: 'read', 'db migrate': 'routine', 'db revision': 'routine', 'db upgrade': 'routine', 'db init': 'routine', 'db current': 'read', 'db history': 'read', 'db heads': 'read', 'db show': 'read', 'db check': 'read', 'db downgrade': 'change', 'db stamp': 'change' },
  }),
  client(['sqitch'], ['-C', '--chdir', '--plan-file', '-f', '--top-dir', '--db-client', '-d', '--db-name', '-u', '--db-user', '-h', '--db-host', '-p', '--db-port', '-t', '--target', '--registry', '--to', '--to-change'], {
    service: 'the database sqitch deploys to', depth: 1, effects: { add: 'routine', rework: 'routine', init: 'routine', config: 'routine', engine: 'routine', target: 'routine', bundle: 'routine', tag: 'routine', rebase: 'change', checkout: 'change' },
  }),
  client(['diesel'], ['--database-url', '--config-file', '--migration-dir', '--schema'], {
    service: 'the database Diesel migrates', depth: 2, effects: { 'migration run': 'routine', 'migration generate': 'routine', 'migration list': 'read', 'migration pending': 'read', setup: 'change', 'database setup': 'change' },
  }),
  client(['typeorm', 'typeorm-ts-node-commonjs', 'typeorm-ts-node-esm'], ['-d', '--dataSource', '-c', '--connection', '-o', '--outputJs'], {
    service: 'the database TypeORM manages', depth: 1, effects: { 'migration:run': 'routine', 'migration:generate': 'routine', 'migration:create': 'routine', 'entity:create': 'routine', 'subscriber:create': 'routine', init: 'routine', query: 'read', 'migration:show': 'read' },
  }),
  client(['drizzle-kit'], ['--config', '--dialect', '--schema', '--out', '--url'], { service: 'the database Drizzle manages', depth: 1, effects: { migrate: 'routine', generate: 'routine', studio: 'read', up: 'routine', introspect: 'read' } }),

  // package registries and artifacts: publishing changes, yanking destroys, building and installing are local
  client(['twine'], ['-r', '--repository', '--repository-url', '-u', '--username', '-p', '--password', '-c', '--comment', '--config-file', '-i', '--identity', '--sign-with', '--cert', '--client-cert'], { service: 'a Python package index', depth: 1 }),
  client(['gem'], ['-v', '--version', '--host', '-k', '--key', '--otp', '--platform', '-s', '--source', '-i', '--install-dir', '-n', '--bindir', '-a', '--add', '-r', '--remove'], {
    service: 'RubyGems', depth: 1, unknown: 'routine', effects: { install: 'routine', uninstall: 'routine', cleanup: 'routine', update: 'routine', build: 'routine', signin: 'routine', signout: 'routine', pristine: 'routine', sources: 'routine', owner: 'change', push: 'change', yank: 'irreversible' },
  }),
  client(['poetry'], ['-C', '--directory', '-P', '--project', '-r', '--repository', '-u', '--username', '-p', '--password', '--cert', '--client-cert', '--dist-dir', '-G', '--group', '-E', '--extras', '--with', '--without', '--only', '-f', '--format', '-o', '--output'], {
    service: 'a Python package index', depth: 2, unknown: 'routine', dryRun: ['--dry-run'],
    effects: { add: 'routine', remove: 'routine', update: 'routine', install: 'routine', lock: 'routine', config: 'routine', version: 'routine', env: 'routine', 'env remove': 'routine', self: 'routine', source: 'routine', 'source remove': 'routine', init: 'routine', new: 'routine', shell: 'routine', build: 'routine', sync: 'routine', 'cache clear': 'routine', publish: 'change' },
  }),
  client(['pdm'], ['-p', '--project', '-r', '--repository', '-u', '--username', '-P', '--password', '-G', '--group', '-d', '--dev'], {
    service: 'a Python package index', depth: 2, unknown: 'routine', dryRun: ['--dry-run'], effects: { add: 'routine', remove: 'routine', update: 'routine', install: 'routine', sync: 'routine', lock: 'routine', build: 'routine', init: 'routine', config: 'routine', use: 'routine', venv: 'routine', 'venv remove': 'routine', 'cache clear': 'routine', self: 'routine', publish: 'change' },
  }),
  client(['flit'], ['--repository', '--pypirc', '--setup-py'], { service: 'a Python package index', depth: 1, unknown: 'routine', effects: { build: 'routine', install: 'routine', init: 'routine', publish: 'change' } }),
  client(['hatch'], ['-e', '--env', '-p', '--project', '--data-dir', '--cache-dir', '--config', '-r', '--repo', '-u', '--user', '-a', '--auth'], {
    service: 'a Python package index', depth: 2, unknown: 'routine', effects: { env: 'routine', 'env remove': 'routine', 'env prune': 'routine', shell: 'routine', version: 'routine', new: 'routine', clean: 'routine', fmt: 'routine', build: 'routine', config: 'routine', python: 'routine', 'python remove': 'routine', self: 'routine', publish: 'change' },
  }),
  client(['uv'], ['--directory', '--project', '--python', '-p', '--index', '--index-url', '--default-index', '--extra-index-url', '--config-file', '--cache-dir', '--color', '--publish-url', '--token', '-t', '--username', '-u', '--password', '--trusted-publishing', '--with', '--group', '--extra', '--package', '-o', '--output-file'], {
    service: 'a Python package index', depth: 2, unknown: 'routine', dryRun: ['--dry-run'],
    effects: { add: 'routine', remove: 'routine', sync: 'routine', pip: 'routine', 'pip uninstall': 'routine', lock: 'routine', python: 'routine', 'python uninstall': 'routine', tool: 'routine', 'tool uninstall': 'routine', self: 'routine', init: 'routine', build: 'routine', cache: 'routine', 'cache clean': 'routine', 'cache prune': 'routine', venv: 'routine', version: 'routine', publish: 'change' },
  }),
  client(['maturin'], ['-r', '--repository', '--repository-url', '-u', '--username', '-p', '--password', '-m', '--manifest-path', '-i', '--interpreter', '-o', '--out', '--target', '-F', '--features'], {
    service: 'a Python package index', depth: 1, unknown: 'routine', effects: { develop: 'routine', build: 'routine', new: 'routine', init: 'routine', sdist: 'routine', publish: 'change', upload: 'change' },
  }),
  client(['bun'], ['--cwd', '-c', '--config', '--registry', '--tag', '--access', '--otp', '--filter', '-F'], {
    service: 'a JavaScript package registry', depth: 2, unknown: 'routine', dryRun: ['--dry-run'],
    effects: { install: 'routine', i: 'routine', add: 'routine', a: 'routine', remove: 'routine', rm: 'routine', run: 'routine', build: 'routine', link: 'routine', unlink: 'routine', upgrade: 'routine', update: 'routine', create: 'routine', init: 'routine', pm: 'routine', 'pm cache rm': 'routine', publish: 'change' },
  }),
  client(['dotnet'], ['-c', '--configuration', '-f', '--framework', '-r', '--runtime', '-o', '--output', '-s', '--source', '-k', '--api-key', '-p', '--project', '-v', '--verbosity', '-a', '--arch', '--os', '--launch-profile', '--symbol-source', '--symbol-api-key'], {
    service: 'a NuGet feed', depth: 3, unknown: 'routine',
    effects: { build: 'routine', run: 'routine', publish: 'routine', restore: 'routine', add: 'routine', remove: 'routine', new: 'routine', tool: 'routine', 'tool uninstall': 'routine', 'workload uninstall': 'routine', 'build-server shutdown': 'routine', 'nuget locals': 'routine', clean: 'routine', watch: 'routine', format: 'routine', pack: 'routine', sln: 'routine', 'dev-certs': 'routine', workload: 'routine', 'ef migrations add': 'routine', 'ef database update': 'routine', 'user-secrets': 'secret', 'nuget add': 'routine', 'nuget enable': 'routine', 'nuget disable': 'routine', 'nuget update': 'routine' },
  }),
  client(['nuget'], ['-Source', '-ApiKey', '-ConfigFile', '-Verbosity', '-OutputDirectory', '-Version', '-SymbolSource', '-s', '-k'], {
    service: 'a NuGet feed', depth: 1, unknown: 'routine', effects: { install: 'routine', restore: 'routine', pack: 'routine', sources: 'routine', update: 'routine', config: 'routine', spec: 'routine', init: 'routine', add: 'routine', setapikey: 'secret', push: 'change' },
  }),
  // maven and gradle build locally; deploying and publishing reach a repository
  client(['mvn', 'mvnw', 'mvnd'], ['-f', '--file', '-s', '--settings', '-gs', '--global-settings', '-pl', '--projects', '-P', '--activate-profiles', '-t', '--toolchains', '-T', '--threads', '-rf', '--resume-from', '-l', '--log-file', '-b', '--builder', '-D', '--define'], {
    service: 'a Maven repository', depth: 3, unknown: 'routine', reach: ['publish', 'deploy', 'release', 'upload', 'push', 'promote'],
    effects: { install: 'routine', 'clean install': 'routine', 'install:install-file': 'routine', 'versions:set': 'routine', 'spring-boot:run': 'routine', 'exec:java': 'routine', 'exec:exec': 'routine', 'quarkus:dev': 'routine', 'gpg:sign': 'routine', 'jib:build': 'change', 'flyway:clean': 'irreversible', 'liquibase:dropAll': 'irreversible', 'flyway:migrate': 'change', 'flyway:repair': 'change', 'liquibase:update': 'change', 'liquibase:rollback': 'change', 'release:clean': 'routine' },
  }),
  client(['gradle', 'gradlew'], ['-p', '--project-dir', '-b', '--build-file', '-c', '--settings-file', '-g', '--gradle-user-home', '-I', '--init-script', '-x', '--exclude-task', '-P', '-D', '--console', '--warning-mode', '--max-workers', '--include-build', '--project-cache-dir', '--priority'], {
    service: 'a Maven repository or plugin portal', depth: 3, unknown: 'routine', dryRun: ['--dry-run', '-m'], reach: ['publish', 'deploy', 'release', 'upload', 'push', 'promote'],
    effects: { run: 'routine', bootRun: 'routine', uploadArchives: 'change', jib: 'change', publishPlugins: 'change', artifactoryPublish: 'change', bintrayUpload: 'change', appengineDeploy: 'change', flywayClean: 'irreversible', flywayMigrate: 'change', 'publishToMavenLocal': 'routine' },
  }),
  client(['jf', 'jfrog'], ['--server-id', '--url', '--user', '--password', '--access-token', '--project', '--build-name', '--build-number', '--spec', '--props', '--target-props', '--exclusions', '--repo', '--target', '--module', '-X', '--request', '-H', '--header', '-d', '--data'], {
    service: 'JFrog Artifactory', depth: 3, method: ['-X', '--request'],
    effects: { ...AUTH, config: 'routine', c: 'routine', 'config show': 'read', 'rt build-discard': 'irreversible', 'rt bdi': 'irreversible', 'rt u': 'change', 'rt dl': 'read', 'rt s': 'read', 'rt curl': 'read', atc: 'secret', 'access-token-create': 'secret' },
  }),
  client(['crane'], ['--platform'], {
    service: 'a container registry', depth: 2, effects: { digest: 'read', manifest: 'read', config: 'read', catalog: 'read', blob: 'read', auth: 'routine', 'auth get': 'secret', 'auth token': 'secret' },
  }),
  client(['skopeo'], ['--registries-conf', '--override-arch', '--override-os', '--override-variant', '--policy', '--tmpdir', '--command-timeout', '--registries.d', '--user-agent', '--creds', '--src-creds', '--dest-creds', '--authfile'], {
    service: 'a container registry', depth: 1, dryRun: ['--dry-run'], effects: { ...AUTH, 'manifest-digest': 'read' },
  }),
  client(['oras'], ['-u', '--username', '-p', '--password', '--registry-config', '--artifact-type', '-a', '--annotation', '--annotation-file', '--config', '--platform', '-o', '--output', '--format'], {
    service: 'an OCI registry', depth: 2, effects: { ...AUTH, discover: 'read', resolve: 'read' },
  }),
  client(['cosign'], ['--key', '--output-file', '--output-signature', '--output-certificate', '--certificate', '--certificate-identity', '--certificate-oidc-issuer', '-a', '--annotations', '--predicate', '--type', '--rekor-url', '--fulcio-url', '--oidc-issuer', '--identity-token', '--signature', '--bundle', '--registry-username', '--registry-password'], {
    service: 'a container registry and transparency log', depth: 2,
    effects: { login: 'routine', 'generate-key-pair': 'secret', 'import-key-pair': 'secret', clean: 'irreversible', triangulate: 'read', 'public-key': 'read', initialize: 'routine', attest: 'change', 'attest-blob': 'change' },
  }),
  client(['regctl'], ['--host', '--user-agent', '-v', '--verbosity', '--format', '--platform', '--digest-tags'], {
    service: 'a container registry', depth: 2,
    effects: { registry: 'routine', 'registry config': 'read', 'image digest': 'read', 'image manifest': 'read', 'image config': 'read', 'image ratelimit': 'read', 'manifest head': 'read', 'blob head': 'read', 'tag ls': 'read', 'tag list': 'read' },
  }),
  client(['anaconda'], ['-t', '--token', '-s', '--site', '-u', '--user', '-l', '--label', '-c', '--channel', '--package-type', '-n', '--name'], {
    service: 'anaconda.org', depth: 1, effects: { ...AUTH, whoami: 'read', auth: 'secret', label: 'change', groups: 'change', channel: 'change', package: 'change' },
  }),
  client(['jsr'], ['--token', '--config'], { service: 'JSR', depth: 1, unknown: 'routine', dryRun: ['--dry-run'], effects: { add: 'routine', i: 'routine', install: 'routine', publish: 'change' } }),
  client(['deno'], ['--config', '-c', '--import-map', '--lock', '--cert', '--allow-read', '--allow-write', '--allow-net', '--allow-env', '--allow-run', '--token', '--org', '--app', '--project'], {
    service: 'JSR or Deno Deploy', depth: 1, unknown: 'routine', dryRun: ['--dry-run'],
    effects: { run: 'routine', install: 'routine', add: 'routine', upgrade: 'routine', init: 'routine', compile: 'routine', serve: 'routine', fmt: 'routine', doc: 'read', bench: 'read', outdated: 'read', publish: 'change', deploy: 'change' },
  }),
  client(['deployctl'], ['-p', '--project', '--token', '--entrypoint', '--include', '--exclude', '--env', '--env-file', '--org'], { service: 'Deno Deploy', depth: 2, effects: { ...AUTH } }),
  client(['vsce'], ['-p', '--pat', '-o', '--out', '--target', '--packagePath', '-i', '--baseContentUrl', '--baseImagesUrl'], { service: 'the VS Code Marketplace', depth: 1, effects: { ...AUTH, package: 'routine' } }),
  client(['ovsx'], ['-p', '--pat', '-r', '--registryUrl', '-i', '--packagePath', '-t', '--target'], { service: 'Open VSX', depth: 1, effects: { ...AUTH } }),
  client(['goreleaser'], ['-f', '--config', '-p', '--parallelism', '--timeout', '--release-notes', '--release-header', '--release-footer', '--skip', '--id', '-o', '--output'], {
    service: 'the release hosts goreleaser publishes to', depth: 1, dryRun: ['--snapshot', '--skip-publish'],
    effects: { build: 'routine', init: 'routine', healthcheck: 'read', changelog: 'read', jsonschema: 'read', announce: 'change', continue: 'change' },
  }),
  client(['pod'], ['--sources', '--project-directory', '--spec-sources'], {
    service: 'CocoaPods trunk', depth: 2, unknown: 'routine', effects: { install: 'routine', update: 'routine', init: 'routine', deintegrate: 'routine', cache: 'routine', setup: 'routine', 'trunk register': 'routine', 'trunk me': 'read', 'trunk info': 'read', 'lib lint': 'read', 'spec lint': 'read', 'repo add': 'routine', 'repo update': 'routine', outdated: 'read' },
  }),
  client(['dart', 'flutter'], ['-d', '--device-id', '--flavor', '-t', '--target', '--dart-define', '--build-name', '--build-number'], {
    service: 'pub.dev', depth: 2, unknown: 'routine', dryRun: ['--dry-run', '-n'],
    effects: { run: 'routine', build: 'routine', create: 'routine', install: 'routine', upgrade: 'routine', 'pub get': 'routine', 'pub add': 'routine', 'pub upgrade': 'routine', 'pub cache': 'routine', 'pub outdated': 'read', 'pub deps': 'read', 'pub publish': 'change', 'pub uploader': 'change', format: 'routine', fix: 'routine', compile: 'routine' },
  }),
  client(['mix'], ['--only', '--organization'], {
    service: 'Hex', depth: 1, unknown: 'routine', effects: { 'hex.publish': 'change', 'hex.retire': 'change', 'hex.owner': 'change', 'hex.user': 'routine', 'deps.get': 'routine', 'deps.update': 'routine', 'ecto.drop': 'irreversible', 'ecto.reset': 'irreversible', 'ecto.migrate': 'routine', 'ecto.rollback': 'change', 'ecto.create': 'routine', 'phx.server': 'routine' },
  }),
  client(['conan'], ['-r', '--remote', '-pr', '--profile', '-s', '--settings', '-o', '--options', '-b', '--build', '-of', '--output-folder', '-c', '--conf', '-f', '--format'], {
    service: 'a Conan remote', depth: 2, unknown: 'routine', effects: { install: 'routine', create: 'routine', build: 'routine', new: 'routine', 'remote add': 'routine', 'remote login': 'routine', 'remote list': 'read', export: 'routine', profile: 'routine', cache: 'routine', lock: 'routine', upload: 'change' },
  }),
  client(['ko'], ['-B', '--base-import-paths', '--bare', '-P', '--preserve-import-paths', '-t', '--tags', '--platform', '--image-label', '-f', '--filename', '--sbom', '--image-refs'], {
    service: 'a container registry and a cluster', depth: 1, dryRun: ['--local', '-L'], effects: { build: 'change', login: 'routine' },
  }),
  client(['buildah'], ['--storage-driver', '--root', '--runroot', '--registries-conf', '--authfile', '--creds', '-t', '--tag', '-f', '--file', '--format', '--build-arg', '--platform'], {
    service: 'container images and registries', depth: 2, unknown: 'routine', effects: { run: 'routine', commit: 'routine', config: 'routine', copy: 'routine', add: 'routine', build: 'routine', bud: 'routine', from: 'routine', mount: 'routine', tag: 'routine', ...AUTH },
  }),
  client(['notation'], ['--key', '--signature-format', '-u', '--username', '-p', '--password', '--plugin-config', '--plugin', '--id', '-o', '--output'], { service: 'a container registry', depth: 2, effects: { ...AUTH, 'key add': 'secret', 'cert generate-test': 'secret', 'policy show': 'read' } }),

  // DNS and CDNs
  client(['flarectl'], ['--zone', '--name', '--type', '--content', '--ttl', '--id', '--account-id', '--priority'], { service: 'Cloudflare', depth: 2, effects: { ips: 'read' } }),
  client(['cloudflared'], ['--config', '--url', '--hostname', '--origincert', '--credentials-file', '--loglevel', '--logfile', '--metrics', '--protocol', '--edge-ip-version', '--region', '--token', '--name', '-n', '--app', '--id', '--label'], {
    service: 'Cloudflare Tunnel', depth: 2,
    effects: { 'tunnel login': 'routine', 'access login': 'routine', 'tunnel token': 'secret', 'access token': 'secret', 'access tcp': 'read', 'access ssh': 'read', 'proxy-dns': 'routine', 'tunnel route': 'change' },
  }),
  client(['cfcli'], ['-d', '--domain', '-t', '--type', '-c', '--config', '-e', '--email', '-k', '--token', '-f', '--format', '-q', '--query', '-l', '--ttl', '-p', '--priority'], { service: 'Cloudflare DNS', depth: 1, effects: { zones: 'read' } }),
  client(['fastly'], ['-s', '--service-id', '--service-name', '--version', '--token', '-t', '-p', '--profile', '--endpoint', '--key', '--url', '--name', '--file'], {
    service: 'Fastly', depth: 2,
    effects: { update: 'routine', profile: 'routine', 'profile token': 'secret', 'auth-token': 'secret', 'auth-token list': 'read', 'secret-store-entry': 'secret', 'secret-store-entry list': 'read', 'compute serve': 'routine', 'compute build': 'routine', 'compute init': 'routine', 'compute pack': 'routine', pops: 'read' },
  }),
  client(['akamai'], ['--edgerc', '--section', '--accountkey', '--account-key'], { service: 'Akamai', depth: 3, effects: { install: 'routine', update: 'routine', config: 'routine', 'pm activate': 'change', 'property-manager activate': 'change' } }),
  // octodns-sync only plans unless told --doit; the option is not a word, so every run counts as a change
  client(['octodns-sync'], ['--config-file', '--source', '--target'], { service: 'DNS providers through octoDNS', depth: 0, dryRun: ['--version'] }),
  client(['dnscontrol'], ['--config', '--creds', '--providers', '--domains', '--env', '-v', '--variable'], { service: 'DNS providers through DNSControl', depth: 1, effects: { ppreview: 'read', ppush: 'change', 'write-types': 'routine', fmt: 'routine', 'get-certs': 'change' } }),
  client(['lexicon'], ['--delegated', '--config-dir', '--name', '--content', '--ttl', '--priority', '--identifier', '--log_level', '--output', '--auth-username', '--auth-token', '--auth-key', '--auth-email', '--auth-secret', '--auth-password'], { service: 'a DNS provider', depth: 2 }),
  client(['cli53'], ['--profile', '--region', '--endpoint-url', '--zone', '--format'], { service: 'Amazon Route 53', depth: 1, effects: { rrcreate: 'change', rrdelete: 'irreversible', rrpurge: 'irreversible', instances: 'change' } }),
  client(['hugo'], ['-s', '--source', '-d', '--destination', '-e', '--environment', '-b', '--baseURL', '-c', '--contentDir', '--config', '--target', '-t', '--theme'], { service: 'the site hugo deploys', depth: 1, unknown: 'routine', dryRun: ['--dryRun', '--dry-run'], effects: { new: 'routine', server: 'routine', mod: 'routine', deploy: 'change' } }),

  // payments: resources are nouns with the verb after (`stripe refunds create`)
  client(['stripe'], ['--api-key', '--project-name', '-p', '--color', '--config', '--device-name', '--log-level', '--stripe-account', '--stripe-version', '-d', '--data', '-e', '--expand', '-i', '--idempotency', '--forward-to', '--forward-connect-to', '-f', '--events', '--limit', '--starting-after', '--ending-before', '--filter-http-method', '--filter-status-code', '--filter-request-path'], {
    service: 'Stripe', depth: 2,
    effects: { ...AUTH, listen: 'read', open: 'read', serve: 'routine', samples: 'routine', completion: 'read', config: 'secret', post: 'change', fixtures: 'change', balance: 'read', 'events resend': 'change', 'logs tail': 'read' },
  }),

  // email and messaging: sending mail or messages changes what others receive
  client(['postmark'], ['--request-host', '-f', '--from', '-t', '--to', '-s', '--subject', '--html', '--text', '--server-token', '--account-token', '-c', '--config'], { service: 'Postmark', depth: 2, effects: { email: 'change', 'templates pull': 'read' } }),
  client(['twilio'], ['-p', '--profile', '-o', '--output', '--properties', '--to', '--from', '--body', '--sid', '--url', '--media-url', '--friendly-name', '--phone-number', '-l', '--log-level', '--limit'], {
    service: 'Twilio', depth: 1,
    effects: { login: 'routine', 'profiles:use': 'routine', 'profiles:add': 'routine', 'profiles:list': 'read', 'config:set': 'routine', 'plugins:install': 'routine', 'serverless:start': 'routine', 'api:core:keys:create': 'secret', 'api:iam:v1:keys:create': 'secret' },
  }),
  // mail senders take recipients, not subcommands: every run sends, unless an option only reads or asks
  client(['swaks'], ['-t', '--to', '-f', '--from', '-s', '--server', '-p', '--port', '-h', '--helo', '--ehlo', '-a', '--auth', '-au', '--auth-user', '-ap', '--auth-password', '--header', '--body', '--attach', '--data', '-d', '-q', '--quit-after', '--protocol', '--tls-cert', '--tls-key'], { service: 'a mail server', depth: 0, dryRun: ['--quit-after', '-q', '--version', '--help'] }),
  client(['sendmail', 'exim', 'exim4', 'ssmtp'], ['-f', '-F', '-r', '-o', '-O', '-B', '-N', '-R', '-V', '-X', '-C', '-L'], { service: 'a mail server', depth: 0, dryRun: ['-bp', '-bv', '-bt', '-bP'] }),
  client(['msmtp'], ['-a', '--account', '-C', '--file', '--host', '--port', '-f', '--from', '--auth', '--user', '--passwordeval', '--tls', '--logfile'], { service: 'a mail server', depth: 0, dryRun: ['--serverinfo', '-S', '--pretend', '-P', '--version'] }),
  client(['mail', 'mailx', 's-nail', 'bsd-mailx', 'nail'], ['-s', '-a', '-A', '-c', '-b', '-r', '-S', '-q', '-u', '-M'], { service: 'a mail server', depth: 0, dryRun: ['-f', '-H', '-e'] }),
  client(['mutt', 'neomutt'], ['-s', '-a', '-c', '-b', '-F', '-f', '-i', '-H', '-e', '-Q', '-A', '-m'], { service: 'a mail server', depth: 0, dryRun: ['-f', '-v', '-D', '-Q', '-A'] }),
  // slack is Slack's platform CLI; slack-cli sends messages
  client(['slack', 'slack-cli'], ['-a', '--app', '-w', '--workspace', '-t', '--team', '--token', '-c', '--channel', '-f', '--file'], {
    service: 'Slack', depth: 2,
    effects: { ...AUTH, run: 'routine', create: 'routine', init: 'routine', activity: 'read', manifest: 'read', 'trigger list': 'read', 'trigger info': 'read', env: 'secret', 'env list': 'read', presence: 'change', 'chat send': 'change' },
  }),
  client(['telegram-send'], ['-c', '--config', '--format', '--file', '--image', '--sticker', '--video', '--audio', '--location', '--caption', '--timeout'], { service: 'Telegram', depth: 0, dryRun: ['--version'] }),
  client(['apprise'], ['-t', '--title', '-b', '--body', '-n', '--notification-type', '-i', '--input-format', '-T', '--theme', '-c', '--config', '-a', '--attach', '-g', '--tag', '-R', '--recursion-depth', '-P', '--plugin-path', '-S', '--storage-path', '--storage-mode'], { service: 'notification services', depth: 0, dryRun: ['--dry-run', '-d', '--version', '-V', '--details', '-l'] }),
  client(['ntfy'], ['-c', '--config', '-u', '--user', '-t', '--title', '-p', '--priority', '--tags', '--delay', '--at', '--in', '--click', '--attach', '--icon', '--email', '--file', '--filename', '--token', '-m', '--message'], {
    service: 'ntfy', depth: 2, effects: { pub: 'change', subscribe: 'read', sub: 'read', serve: 'routine', token: 'secret', 'token list': 'read', 'webpush keys': 'secret' },
  }),
  client(['gotify'], ['-t', '--title', '-p', '--priority', '--token', '--url', '--contentType'], { service: 'a Gotify server', depth: 1, effects: { init: 'routine', config: 'read', push: 'change', p: 'change' } }),
  client(['signal-cli'], ['-a', '--account', '-u', '--username', '--config', '-o', '--output', '-m', '--message', '-g', '--group-id', '--attachment'], {
    service: 'Signal', depth: 1,
    effects: { receive: 'read', listGroups: 'read', listContacts: 'read', listIdentities: 'read', listDevices: 'read', listAccounts: 'read', daemon: 'routine', link: 'routine', updateProfile: 'change', updateGroup: 'change', quitGroup: 'change', deleteLocalAccountData: 'irreversible', removeDevice: 'irreversible' },
  }),

  // feature flags: toggling a flag changes production behaviour
  client(['ldcli'], ['--access-token', '--base-uri', '--project', '--environment', '--flag', '-o', '--output', '-d', '--data'], {
    service: 'LaunchDarkly', depth: 2, effects: { ...AUTH, config: 'routine', setup: 'routine', 'dev-server': 'routine', 'access-tokens': 'secret', 'access-tokens list': 'read' },
  }),
  client(['configcat'], ['-i', '--flag-id', '--config-id', '-e', '--environment-id', '-n', '--name', '-k', '--key', '-t', '--type', '-p', '--product-id', '-H', '--hint', '--init-value', '-f', '--flag'], {
    service: 'ConfigCat', depth: 3, effects: { setup: 'routine', scan: 'read', 'sdk-key': 'secret', k: 'secret', 'config-json': 'read' },
  }),
  client(['flagsmith'], ['-e', '--environment', '-a', '--api', '-o', '--output', '-i', '--identity'], { service: 'Flagsmith', depth: 1, unknown: 'read' }),
  client(['flipt'], ['--config', '--address', '--token', '--namespace', '-o', '--output'], { service: 'a Flipt server', depth: 2, unknown: 'routine', effects: { 'config init': 'routine', 'bundle build': 'routine' } }),
  // dvc is Data Version Control (remote storage) and also DevCycle's CLI
  client(['dvc'], ['-r', '--remote', '-j', '--jobs', '-o', '--out', '-m', '--message', '-n', '--name', '--project', '--environment'], {
    service: 'DVC remote storage or DevCycle', depth: 2,
    effects: { add: 'routine', commit: 'routine', repro: 'routine', init: 'routine', config: 'routine', remote: 'routine', 'remote list': 'read', exp: 'routine', checkout: 'routine', stage: 'routine', gc: 'irreversible', 'login sso': 'routine', 'keys get': 'secret', usages: 'read' },
  }),
  client(['posthog-cli', 'posthog'], ['--host', '--env-id', '--project', '--directory', '--version', '--release'], {
    service: 'PostHog', depth: 2, effects: { login: 'routine', 'sourcemap inject': 'routine', query: 'read', 'query run': 'read' },
  }),

  // monitoring, alerting and observability
  client(['datadog-ci'], ['--api-key', '--app-key', '--site', '--service', '--env', '--release-version', '--minified-path-prefix', '--repository-url', '--tags', '--config', '-f', '--files'], {
    service: 'Datadog', depth: 2, dryRun: ['--dry-run'], effects: { trace: 'change', 'synthetics run-tests': 'change', metric: 'change' },
  }),
  // dog is dogshell; also the name of a DNS client, whose queries read
  client(['dog', 'dogshell'], ['--config', '--api-key', '--application-key', '--timeout', '-t'], {
    service: 'Datadog', depth: 2, unknown: 'read',
    effects: { 'metric post': 'change', 'event post': 'change', 'service_check check': 'change', 'monitor post': 'change', 'downtime post': 'change', 'dashboard post': 'change', 'timeboard post': 'change', 'screenboard post': 'change', 'comment post': 'change', 'host mute': 'change', 'host unmute': 'change' },
  }),
  client(['datadog-agent'], ['-c', '--cfgpath', '--log-level', '-l'], {
    service: 'a Datadog agent', depth: 2, effects: { flare: 'change', config: 'read', secret: 'secret', 'secret-helper': 'secret', run: 'change', 'stream-logs': 'read', diagnose: 'read', health: 'read', hostname: 'read' },
  }),
  client(['newrelic'], ['-a', '--accountId', '-p', '--profile', '--format', '--guid', '--name', '--applicationId', '--revision', '--query', '-q', '-f', '--file', '-n', '--recipe', '--description', '--user', '--changelog'], {
    service: 'New Relic', depth: 3, effects: { profile: 'routine', profiles: 'routine', 'events post': 'change', decode: 'read', 'utils': 'read' },
  }),
  client(['sentry-cli'], ['--url', '--auth-token', '--api-key', '--log-level', '-o', '--org', '-p', '--project', '--header', '-e', '--env', '--release', '--dist', '--url-prefix'], {
    service: 'Sentry', depth: 3, effects: { ...AUTH, 'sourcemaps inject': 'routine', 'bash-hook': 'read', update: 'routine' },
  }),
  client(['pd', 'pagerduty'], ['--token', '-b', '--useauth', '-i', '--ids', '-e', '--email', '-n', '--name', '-t', '--title', '-d', '--details', '-p', '--service-ids'], {
    service: 'PagerDuty', depth: 2,
    effects: { login: 'routine', auth: 'routine', 'auth list': 'read', 'schedule list': 'read', 'schedule show': 'read', 'schedule render': 'read', 'schedule oncall': 'read', 'rest post': 'change', event: 'change', analytics: 'read' },
  }),
  client(['lamp', 'opsgenie'], ['--apiKey', '--config', '--message', '--alias', '--teams', '--recipients', '--actions', '--source', '--tags', '--description', '--entity', '--user', '--note', '--id', '--tinyId', '--identifier', '--identifierType', '--priority', '--name'], {
    service: 'Opsgenie', depth: 1,
    effects: { getAlert: 'read', listAlerts: 'read', countAlerts: 'read', listAlertNotes: 'read', listAlertLogs: 'read', getHeartbeat: 'read', listHeartbeats: 'read', whoIsOnCall: 'read', deleteAlert: 'irreversible', deleteHeartbeat: 'irreversible' },
  }),
  client(['grafana-cli'], ['--homepath', '--config', '--pluginsDir', '--repo', '--pluginUrl'], { service: 'a Grafana server', depth: 3, effects: { 'plugins list-remote': 'read', 'admin data-migration': 'change' } }),
  client(['grafanactl', 'gcx'], ['--config', '--context', '-p', '--path', '-o', '--output', '--max-concurrent', '--on-error'], {
    service: 'a Grafana instance', depth: 2, dryRun: ['--dry-run'], effects: { config: 'routine', 'config view': 'read', 'resources serve': 'routine', 'dev serve': 'routine' },
  }),
  client(['amtool'], ['--alertmanager.url', '--config.file', '-o', '--output', '--timeout', '--http.config.file', '-a', '--author', '-d', '--duration', '-c', '--comment', '--end', '--start'], {
    service: 'an Alertmanager', depth: 2, unknown: 'read', effects: { silence: 'read', 'silence add': 'change', 'silence expire': 'change', 'silence import': 'change', 'silence update': 'change' },
  }),
  client(['promtool'], ['--url', '--http.config.file', '--time', '--start', '--end', '--step', '--label', '--job'], {
    service: 'a Prometheus server', depth: 2, unknown: 'read', effects: { 'tsdb create-blocks-from': 'routine' },
  }),
  client(['honeymarker'], ['-k', '--writekey', '-d', '--dataset', '--api_host', '-t', '--type', '-m', '--msg', '-u', '--url', '-i', '--id', '-s', '--start_time', '-e', '--end_time'], { service: 'Honeycomb markers', depth: 1 }),
  client(['logcli'], ['--addr', '--username', '--password', '--bearer-token', '--org-id', '--ca-cert', '--cert', '--key', '-o', '--output', '--limit', '--since', '--from', '--to', '--timezone', '--batch', '--step'], { service: 'a Loki server', depth: 1, unknown: 'read' }),
  client(['vmctl'], ['--vm-addr', '--vm-user', '--vm-password', '--prom-snapshot', '--influx-addr', '--remote-read-src-addr', '--vm-native-src-addr', '--vm-native-dst-addr', '--vm-native-filter-match'], { service: 'a VictoriaMetrics server', depth: 1, effects: { 'verify-block': 'read' } }),
  client(['elastic-agent'], ['-c', '--path.home', '--path.config', '--path.logs', '--url', '--enrollment-token', '--fleet-server-es', '--fleet-server-service-token', '--tag'], { service: 'Elastic Fleet', depth: 1, effects: { diagnostics: 'read', enroll: 'change' } }),
  client(['checkly'], ['-c', '--config', '--location', '-e', '--env', '--env-file', '--reporter', '-t', '--tags'], {
    service: 'Checkly', depth: 2, dryRun: ['--preview'], effects: { ...AUTH, whoami: 'read', switch: 'routine', env: 'secret', 'env ls': 'read', runtimes: 'read' },
  }),
  client(['bugsnag-cli'], ['--api-key', '--upload-api-root-url', '--build-api-root-url', '--app-version', '--version-name', '--project-root', '--bundle-url', '--source-map', '--bundle'], { service: 'Bugsnag', depth: 2, dryRun: ['--dry-run'] }),
  client(['rollbar-cli'], ['--access-token', '--url-prefix', '--code-version', '--environment', '--revision', '--status'], { service: 'Rollbar', depth: 1, dryRun: ['--dry-run'] }),
  client(['honeybadger'], ['-k', '--api-key', '-e', '--environment', '-r', '--repository', '-s', '--revision', '-u', '--user', '-m', '--message', '-c', '--class'], {
    service: 'Honeybadger', depth: 2, effects: { exec: 'routine', test: 'change', notify: 'change', 'check-in': 'change', install: 'routine' },
  }),
  client(['sensuctl'], ['--api-url', '--api-key', '--namespace', '--config-dir', '--format', '--cache-dir', '--username', '--password', '-f', '--file'], {
    service: 'a Sensu backend', depth: 2, effects: { configure: 'routine', 'check create': 'change', 'check execute': 'change', 'check set-command': 'change', 'check set-interval': 'change', 'check set-subscriptions': 'change', 'check set-handlers': 'change', dump: 'secret', 'secret list': 'read', secret: 'secret', 'user change-password': 'secret', 'config view': 'read' },
  }),

  // app stores and mobile release tools
  client(['fastlane'], ['--env', '-e'], {
    service: 'the app stores fastlane releases to', depth: 2,
    effects: { match: 'secret', cert: 'secret', sigh: 'secret', pem: 'secret', spaceauth: 'secret', scan: 'read', gym: 'routine', snapshot: 'routine', frameit: 'routine', init: 'routine', lanes: 'read', actions: 'read', action: 'read', env: 'read', update_fastlane: 'routine' },
  }),
  client(['eas'], ['-p', '--platform', '-e', '--profile', '--branch', '--channel', '-m', '--message', '--id', '--environment', '--scope'], {
    service: 'Expo Application Services', depth: 1,
    effects: { ...AUTH, build: 'routine', 'build:configure': 'routine', 'build:run': 'routine', 'build:dev': 'routine', init: 'routine', 'project:init': 'routine', 'env:pull': 'secret', credentials: 'secret', diagnostics: 'read', whoami: 'read', 'metadata:pull': 'read' },
  }),
  client(['appcenter'], ['-a', '--app', '--token', '--env', '--output', '-f', '--file', '-g', '--group', '-r', '--release-notes', '-d', '--deployment-name', '-s', '--store'], {
    service: 'App Center', depth: 3, effects: { ...AUTH, tokens: 'secret', 'tokens list': 'read', 'build queue': 'change' },
  }),
  client(['xcrun'], ['--sdk', '--toolchain', '--apple-id', '--team-id', '--password', '--keychain-profile', '-f', '--file', '-t', '--type', '-u', '--username', '-p'], {
    service: 'Apple notarization and App Store Connect', depth: 3, unknown: 'routine', dryRun: ['--validate-app', '--list-apps', '--notarization-history', '--notarization-info', '--list-providers'],
    effects: { simctl: 'routine', stapler: 'routine', altool: 'change', 'notarytool store-credentials': 'secret' },
  }),
  client(['iTMSTransporter', 'transporter'], ['-m', '-u', '-p', '-assetFile', '-f', '-apple_id', '-itc_provider', '-jwt', '-apiKey', '-apiIssuer'], { service: 'App Store Connect', depth: 0, dryRun: ['-version'] }),
];
