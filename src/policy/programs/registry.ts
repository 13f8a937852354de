import type { ProgramDecl } from './types.js';
import { FILE_DECLS } from './decls/files.js';
import { TOOL_DECLS } from './decls/tools.js';
import { SYSTEM_DECLS } from './decls/system.js';
import { NETWORK_DECLS } from './decls/network.js';
import { REMOTE_DECLS } from './decls/remote.js';

/**
 * Every program declaration, by name. Families are declared in their own modules (files, tools,
 * system, network, remote services); a program may appear in several, but each of its facts is
 * declared once: two modules saying the same field of one program is an error at load.
 */
export function buildRegistry(groups: readonly (readonly ProgramDecl[])[]): Map<string, ProgramDecl> {
  const byName = new Map<string, ProgramDecl>();
  for (const group of groups) {
    for (const decl of group) {
      for (const name of decl.names) {
        const existing = byName.get(name);
        if (!existing) {
          byName.set(name, decl);
          continue;
        }
        const merged: Record<string, unknown> = { ...existing };
        for (const [field, value] of Object.entries(decl)) {
          if (field === 'names') continue;
          if (field in merged) throw new Error(`program ${name}: ${field} is declared twice`);
          merged[field] = value;
        }
        merged.names = [...new Set([...existing.names, ...decl.names])];
        byName.set(name, merged as unknown as ProgramDecl);
      }
    }
  }
  return byName;
}

export const PROGRAM_GROUPS = [FILE_DECLS, TOOL_DECLS, SYSTEM_DECLS, NETWORK_DECLS, REMOTE_DECLS] as const;

const REGISTRY = buildRegistry(PROGRAM_GROUPS);

/** The declaration of a program by its basename (`python3.12` is `python3`'s). */
export function programOf(name: string): ProgramDecl | undefined {
  const direct = REGISTRY.get(name);
  if (direct !== undefined || !/\d$/.test(name)) return direct;
  return REGISTRY.get(name.replace(/[.-]?\d+(\.\d+)*$/, ''));
}

/** Every declared program name (for tests and reports). */
export function declaredPrograms(): string[] {
  return [...REGISTRY.keys()];
}
