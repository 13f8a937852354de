import type { ProgramDecl } from './types.js';
import { FILE_DECLS } from './decls/files.js';
import { TOOL_DECLS } from './decls/tools.js';
import { SYSTEM_DECLS } from './decls/system.js';
import { NETWORK_DECLS } from './decls/network.js';
import { REMOTE_DECLS } from './decls/remote.js';
import { WRAPPER_DECLS } from './decls/wrappers.js';
import { HELP_DECLS } from './decls/help.js';
import { CODE_OPTION_DECLS } from './decls/code-options.js';
import { INTERPRETER_DECLS } from './decls/interpreters.js';
import { SERVER_DECLS } from './decls/servers.js';

/**
 * Every program declaration, by name. Families are declared in their own modules (files, tools,
 * system, network, remote services); a program may appear in several, but each of its facts is
 * declared once: two modules saying the same field of one program is an error at load.
 */
/** The same fact, stated for each of several names (`terraform` and `tofu` take the same help flags). */
function same(a: unknown, b: unknown): boolean {
  return (
    a === b ||
    JSON.stringify(a, (_k, v: unknown) => (v instanceof RegExp ? v.source : v)) === JSON.stringify(b, (_k, v: unknown) => (v instanceof RegExp ? v.source : v))
  );
}

export function buildRegistry(groups: readonly (readonly ProgramDecl[])[]): Map<string, ProgramDecl> {
  const byName = new Map<string, ProgramDecl>();
  for (const group of groups) {
    for (const decl of group) {
      // one program under all its names: what any of them was declared with, and this declaration
      const merged: Record<string, unknown> = {};
      const names = new Set(decl.names);
      for (const known of new Set(decl.names.map((n) => byName.get(n)).filter((d): d is ProgramDecl => d !== undefined))) {
        for (const n of known.names) names.add(n);
        for (const [field, value] of Object.entries(known)) {
          if (field === 'names') continue;
          if (field in merged && !same(merged[field], value)) throw new Error(`program ${decl.names[0]}: ${field} is declared twice, differently`);
          merged[field] = value;
        }
      }
      for (const [field, value] of Object.entries(decl)) {
        if (field === 'names') continue;
        if (field in merged && !same(merged[field], value)) throw new Error(`program ${decl.names[0]}: ${field} is declared twice, differently`);
        merged[field] = value;
      }
      merged.names = [...names];
      for (const n of names) byName.set(n, merged as unknown as ProgramDecl);
    }
  }
  return byName;
}

export const PROGRAM_GROUPS = [
  FILE_DECLS,
  TOOL_DECLS,
  SYSTEM_DECLS,
  NETWORK_DECLS,
  REMOTE_DECLS,
  WRAPPER_DECLS,
  HELP_DECLS,
  CODE_OPTION_DECLS,
  INTERPRETER_DECLS,
  SERVER_DECLS,
] as const;

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
