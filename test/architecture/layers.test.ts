import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildGraph, findCycles, importsOf, readSources, type ImportEdge } from './import-graph.js';

/**
 * The layers of DESIGN.md, checked on the import graph of src/ (every static, dynamic, type-only
 * and re-export import, read by the TypeScript parser):
 * - nothing outside src/tui and src/cli imports src/tui;
 * - src/policy imports only src/policy and the few pure packages below;
 * - the core (all but src/tui and src/cli) never imports Ink or React, and has no .tsx files;
 * - no import cycles among the files of src/.
 */

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

/** Imports of src/tui from outside src/tui and src/cli: none (the session gets its TUI from `harness run`, typed by src/session/views.ts). Add none. */
const KNOWN_TUI_IMPORTS = new Set<string>([]);

/** What src/policy may import from outside itself: pure packages and path/address helpers, no I/O (no fs, child_process, net sockets, process state). */
const POLICY_MAY_IMPORT = new Set(['node:path', 'node:net', 'picomatch', 'unbash', 'zod']);

const UI_PACKAGE = /^(ink|react|react-dom|react-reconciler|ink-[^/]+|@inkjs\/[^/]+)(\/|$)/;

const inUi = (file: string): boolean => file.startsWith('tui/') || file.startsWith('cli/');

interface Findings {
  tuiImports: string[];
  policyImports: string[];
  coreUi: string[];
  cycles: string[][];
  unresolved: string[];
}

/** What breaks the layers in a set of sources keyed by their path under src/. */
function layerFindings(files: Record<string, string>): Findings {
  const { edges, unresolved } = buildGraph(files);
  const where = (e: ImportEdge): string => `${e.from}:${e.line} imports '${e.specifier}'`;
  const tuiImports = new Set<string>();
  const policyImports: string[] = [];
  const coreUi: string[] = [];
  for (const e of edges) {
    if (!inUi(e.from) && e.to?.startsWith('tui/')) tuiImports.add(`${e.from} -> ${e.to}`);
    if (e.from.startsWith('policy/') && (e.to ? !e.to.startsWith('policy/') : !POLICY_MAY_IMPORT.has(e.specifier))) policyImports.push(where(e));
    if (!inUi(e.from) && !e.to && UI_PACKAGE.test(e.specifier)) coreUi.push(where(e));
  }
  for (const file of Object.keys(files)) if (!inUi(file) && file.endsWith('.tsx')) coreUi.push(`${file} is JSX (it imports React's runtime)`);
  return { tuiImports: [...tuiImports].sort(), policyImports, coreUi, cycles: findCycles(edges), unresolved: unresolved.map(where) };
}

describe('the layers of src/', () => {
  const files = readSources(SRC);
  const found = layerFindings(files);

  it('reads the whole tree and resolves every relative import', () => {
    expect(Object.keys(files).length).toBeGreaterThan(100);
    expect(Object.keys(files)).toContain('policy/engine.ts');
    expect(found.unresolved).toEqual([]);
  });

  it('imports src/tui only from src/tui and src/cli (the known exceptions excepted)', () => {
    const unexpected = found.tuiImports.filter((e) => !KNOWN_TUI_IMPORTS.has(e));
    expect(
      unexpected,
      'the core must not import src/tui: move what it needs to a neutral module (src/keys.ts, src/line-diff.ts, src/session/views.ts)',
    ).toEqual([]);
    const fixed = [...KNOWN_TUI_IMPORTS].filter((e) => !found.tuiImports.includes(e));
    expect(fixed, 'fixed: remove these from KNOWN_TUI_IMPORTS').toEqual([]);
  });

  it('keeps src/policy pure', () => {
    expect(found.policyImports, `src/policy may import only src/policy and ${[...POLICY_MAY_IMPORT].join(', ')}`).toEqual([]);
  });

  it('keeps Ink and React out of the core', () => {
    expect(found.coreUi).toEqual([]);
  });

  it('has no import cycles', () => {
    expect(found.cycles.map((c) => c.join(' -> '))).toEqual([]);
  });
});

describe('the layer check itself', () => {
  it('finds every kind of import, and none in comments, strings or regexes', () => {
    const text = [
      "import a from './a.js';",
      "import type { B } from './b.js';",
      "export { c } from './c.js';",
      "export * from './d.js';",
      "const e = await import('./e.js');",
      "let f: import('./f.js').F;",
      "const g = require('./g.js');",
      "import h = require('./h.js');",
      "// import x from './comment.js'",
      'const s = "import y from \'./string.js\'";',
      "const r = /require\\('child_process'\\)/;",
      'const dyn = await import(name);',
    ].join('\n');
    expect(importsOf('x.ts', text).map((i) => i.specifier)).toEqual([
      './a.js',
      './b.js',
      './c.js',
      './d.js',
      './e.js',
      './f.js',
      './g.js',
      './h.js',
      '<not a literal: name>',
    ]);
  });

  it('fails on each broken rule', () => {
    const found = layerFindings({
      'tui/keys.ts': 'export const k = 1;',
      'tui/view.tsx': "import { Box } from 'ink';",
      'session/a.ts': "import { k } from '../tui/keys.js'; import type { B } from './b.js';",
      'session/b.ts': "export type B = typeof import('./a.js');",
      'config/c.ts': "const t = () => import('../tui/view.js');",
      'policy/p.ts': "import { readFileSync } from 'node:fs'; import { x } from '../session/a.js'; import { join } from 'node:path';",
      'audit/q.ts': "import React from 'react'; import { render } from 'ink-testing-library';",
      'hooks/r.tsx': 'export const r = 1;',
      'cli/ok.ts': "import { k } from '../tui/keys.js'; import { render } from 'ink';",
      'agents/self.ts': "import './self.js';",
      'agents/missing.ts': "import './nowhere.js';",
    });
    expect(found.tuiImports).toEqual(['config/c.ts -> tui/view.tsx', 'session/a.ts -> tui/keys.ts']);
    expect(found.policyImports).toEqual(["policy/p.ts:1 imports 'node:fs'", "policy/p.ts:1 imports '../session/a.js'"]);
    expect(found.coreUi).toEqual([
      "audit/q.ts:1 imports 'react'",
      "audit/q.ts:1 imports 'ink-testing-library'",
      "hooks/r.tsx is JSX (it imports React's runtime)",
    ]);
    expect(found.cycles).toEqual([
      ['agents/self.ts', 'agents/self.ts'],
      ['session/a.ts', 'session/b.ts', 'session/a.ts'],
    ]);
    expect(found.unresolved).toEqual(["agents/missing.ts:1 imports './nowhere.js'"]);
  });

  it('names one cycle through a larger tangle', () => {
    const found = layerFindings({
      'x/a.ts': "import './b.js'; import './d.js';",
      'x/b.ts': "import './c.js';",
      'x/c.ts': "import './a.js';",
      'x/d.ts': 'export {};',
    });
    expect(found.cycles).toEqual([['x/a.ts', 'x/b.ts', 'x/c.ts', 'x/a.ts']]);
  });
});
