import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { HookEndpoint } from './server.js';
import { hookPath, type HookEvent } from './protocol.js';

// dist/hooks/client.js → dist/harness-hook; src/hooks/client.ts (tests) → dist/harness-hook too
const NATIVE = [new URL('../harness-hook', import.meta.url), new URL('../../dist/harness-hook', import.meta.url)].map((u) => fileURLToPath(u));
const PORTABLE = fileURLToPath(new URL('../../hooks/harness-hook.sh', import.meta.url));

/** The hook client executable: the compiled one when the build produced it. */
export function hookClientPath(): string {
  return NATIVE.find((p) => existsSync(p)) ?? PORTABLE;
}

function quote(word: string): string {
  return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The shell command line an agent runs for a command hook. */
export function hookCommand(endpoint: HookEndpoint, agent: string, event: HookEvent, timeoutSeconds: number): string {
  return [hookClientPath(), endpoint.host, String(endpoint.port), hookPath(agent, event), endpoint.token, String(timeoutSeconds)].map(quote).join(' ');
}
