import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/** One import of a module: static, `export … from`, `import type`, dynamic `import()`, `import('…')` types, `require()`. */
export interface ImportEdge {
  /** The importing file, relative to the source root, with `/` separators. */
  from: string;
  specifier: string;
  /** The imported file relative to the source root for a relative specifier; null for a package or a builtin. */
  to: string | null;
  line: number;
}

/** Every module specifier a file names, found by parsing it (comments, strings and regexes are not imports). */
export function importsOf(fileName: string, text: string): { specifier: string; line: number }[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const found: { specifier: string; line: number }[] = [];
  const add = (node: ts.Node | undefined): void => {
    if (!node) return;
    // a specifier the checks cannot read is reported as such, so that it fails the checks instead of hiding
    const specifier = ts.isStringLiteralLike(node) ? node.text : `<not a literal: ${node.getText(source)}>`;
    found.push({ specifier, line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require' && node.arguments.length === 1))
        add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** Resolves a relative specifier the way NodeNext does for this repo's sources (`./x.js` is `x.ts` or `x.tsx`). */
function resolveRelative(fromAbs: string, specifier: string, exists: (abs: string) => boolean): string | null {
  const target = resolve(dirname(fromAbs), specifier);
  const stem = target.replace(/\.(js|jsx|mjs)$/, '');
  const candidates = [target, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, join(target, 'index.ts')];
  return candidates.find((c) => exists(c) && /\.(ts|tsx|mts|json)$/.test(c)) ?? null;
}

/**
 * The import graph of a set of files (`{path relative to root: text}`); relative specifiers that
 * resolve to no file are reported in `unresolved`.
 */
export function buildGraph(files: Record<string, string>, root = '/src'): { edges: ImportEdge[]; unresolved: ImportEdge[] } {
  const known = new Set(Object.keys(files).map((f) => resolve(root, f)));
  const edges: ImportEdge[] = [];
  const unresolved: ImportEdge[] = [];
  for (const [from, text] of Object.entries(files)) {
    const fromAbs = resolve(root, from);
    for (const { specifier, line } of importsOf(from, text)) {
      if (!specifier.startsWith('.')) {
        edges.push({ from, specifier, to: null, line });
        continue;
      }
      // a JSON file (package.json, a pack) is data, not a module of the graph: resolved by name
      const abs = specifier.endsWith('.json') ? resolve(dirname(fromAbs), specifier) : resolveRelative(fromAbs, specifier, (p) => known.has(p));
      const edge = { from, specifier, to: abs ? relative(root, abs).split('\\').join('/') : null, line };
      (abs ? edges : unresolved).push(edge);
    }
  }
  return { edges, unresolved };
}

/** Every .ts/.tsx file under a directory, read from disk, keyed by its path relative to that directory. */
export function readSources(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (sub: string): void => {
    for (const entry of readdirSync(join(dir, sub), { withFileTypes: true })) {
      const rel = sub ? `${sub}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(rel);
      else if (entry.isFile() && /\.(ts|tsx|mts)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) files[rel] = readFileSync(join(dir, rel), 'utf8');
    }
  };
  walk('');
  return files;
}

/** The import cycles: every strongly connected component of more than one file (or a file importing itself), each as one cycle through it. */
export function findCycles(edges: ImportEdge[]): string[][] {
  const next = new Map<string, Set<string>>();
  for (const e of edges) if (e.to) (next.get(e.from) ?? next.set(e.from, new Set()).get(e.from)!).add(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  let counter = 0;
  // iterative Tarjan: src/ is deep enough that recursion depth is not a worry, but a loop costs nothing
  const strongConnect = (start: string): void => {
    const work: { node: string; children: string[]; i: number }[] = [];
    const open = (node: string): void => {
      index.set(node, counter);
      low.set(node, counter);
      counter++;
      stack.push(node);
      onStack.add(node);
      work.push({ node, children: [...(next.get(node) ?? [])].sort(), i: 0 });
    };
    open(start);
    while (work.length) {
      const frame = work[work.length - 1]!;
      if (frame.i < frame.children.length) {
        const child = frame.children[frame.i++]!;
        if (!index.has(child)) open(child);
        else if (onStack.has(child)) low.set(frame.node, Math.min(low.get(frame.node)!, index.get(child)!));
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) !== index.get(frame.node)) continue;
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== frame.node);
      if (component.length > 1 || next.get(frame.node)?.has(frame.node)) components.push(component);
    }
  };
  for (const node of [...next.keys()].sort()) if (!index.has(node)) strongConnect(node);
  return components.map((component) => cycleThrough(component, next));
}

/** One concrete cycle inside a strongly connected component, from its first file (sorted) back to it: readable in a failure message. */
function cycleThrough(component: string[], next: Map<string, Set<string>>): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0]!;
  const cameFrom = new Map<string, string>();
  const queue = [start];
  while (queue.length) {
    const node = queue.shift()!;
    for (const child of [...(next.get(node) ?? [])].sort()) {
      if (!members.has(child)) continue;
      if (child === start) {
        const path = [start];
        for (let at: string | undefined = node; at !== undefined && at !== start; at = cameFrom.get(at)) path.splice(1, 0, at);
        return [...path, start];
      }
      if (!cameFrom.has(child)) {
        cameFrom.set(child, node);
        queue.push(child);
      }
    }
  }
  return [...component, component[0]!];
}
