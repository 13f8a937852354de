import type { ProgramDecl } from '../types.js';

/** Clients of other remote services, family by family (secret managers, backups, queues, search, CI/CD, registries, DNS/CDN, payment, email, feature flags, monitoring, databases, platforms). */
export const SERVICE_DECLS: ProgramDecl[] = [
  { names: ['vault', 'bao'], globals: { values: ['-address', '-namespace', '-ca-cert'] }, remote: { service: 'a Vault server', depth: 3, secrets: true, effects: { status: 'read', login: 'routine', 'token lookup': 'read', 'token create': 'secret', 'secrets list': 'read', 'kv list': 'read', 'kv metadata get': 'read', 'policy list': 'read', 'policy read': 'read', 'auth list': 'read' } } },
];
