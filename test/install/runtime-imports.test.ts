import { readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string> };

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? jsFiles(join(dir, e.name)) : e.name.endsWith('.js') ? [join(dir, e.name)] : [],
  );
}

/** The package a bare specifier names: `react/jsx-runtime` → react, `@xterm/headless` → @xterm/headless. */
const packageOf = (spec: string) =>
  spec
    .split('/')
    .slice(0, spec.startsWith('@') ? 2 : 1)
    .join('/');

/** Every module specifier a compiled file loads: static and dynamic imports, re-exports, require(). */
export function specifiers(source: string): string[] {
  const found: string[] = [];
  const patterns = [
    // import/export … from '…', also over several lines (esbuild writes long import lists so)
    /^\s*(?:import|export)\s[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm,
    /^\s*import\s*['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\brequire\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) found.push(m[1]!);
  return found;
}

describe('what the installed package loads at run time', () => {
  it('the specifier reader finds every form a compiled file uses', () => {
    const source = [
      "import a from 'a';",
      'import {\n  b,\n  c\n} from "@s/b/x";',
      "export * from 'c';",
      "import 'd';",
      "await import('e');",
      "const f = require('f/g');",
      'const sql = `SELECT x FROM t, to_commit AS \' + "y"`;',
    ].join('\n');
    expect(specifiers(source).sort()).toEqual(['@s/b/x', 'a', 'c', 'd', 'e', 'f/g']);
  });

  it('dist imports only Node built-ins, its own files and dependencies, never a devDependency', () => {
    const files = jsFiles(join(ROOT, 'dist'));
    expect(files.length).toBeGreaterThan(50);
    const allowed = new Set(Object.keys(pkg.dependencies));
    const builtins = new Set(builtinModules);
    const outside: string[] = [];
    const used = new Set<string>();
    for (const file of files) {
      for (const spec of specifiers(readFileSync(file, 'utf8'))) {
        if (spec.startsWith('.') || spec.startsWith('node:') || builtins.has(spec.split('/')[0]!)) continue;
        const name = packageOf(spec);
        used.add(name);
        if (!allowed.has(name)) outside.push(`${file.slice(ROOT.length)}: ${spec}${name in pkg.devDependencies ? ' (a devDependency)' : ''}`);
      }
    }
    expect(outside).toEqual([]);
    // and each dependency is used: the list is the truth about what an install needs
    expect([...allowed].filter((d) => !used.has(d))).toEqual([]);
  });
});
