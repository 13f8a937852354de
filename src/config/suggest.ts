import type { z } from 'zod';

/**
 * "did you mean …?" for config mistakes: the valid keys at a place in the config come from the
 * zod schema itself (never a hand-kept list), and the nearest one by edit distance is suggested.
 */

/** Edit distance with adjacent transpositions (optimal string alignment), ignoring case: "defualts" is 1 from "defaults". */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  // three rows are enough for a transposition, which looks two back
  let before = new Array<number>(t.length + 1).fill(0);
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, before[j - 2]! + 1);
      row.push(d);
    }
    before = prev;
    prev = row;
  }
  return prev[t.length]!;
}

/**
 * The candidates close enough to `word` to be what was meant, nearest first (ties in the
 * candidates' order). Close enough: a third of the longer word's letters (at least one) differ,
 * or one starts with the other (at least 4 letters: "timeout" for "timeoutSeconds").
 */
export function nearest(word: string, candidates: readonly string[]): string[] {
  const scored: { key: string; d: number }[] = [];
  for (const key of new Set(candidates)) {
    if (key === word) continue;
    const d = editDistance(word, key);
    const limit = Math.max(1, Math.floor(Math.max(word.length, key.length) / 3));
    const lw = word.toLowerCase();
    const lk = key.toLowerCase();
    const prefix = Math.min(lw.length, lk.length) >= 4 && (lk.startsWith(lw) || lw.startsWith(lk));
    if (d <= limit) scored.push({ key, d });
    else if (prefix) scored.push({ key, d: limit + 0.5 });
  }
  scored.sort((x, y) => x.d - y.d);
  const best = scored[0]?.d;
  return scored.filter((s) => s.d === best).map((s) => s.key);
}

/** What zod 4 keeps of a schema's definition, as far as walking into it goes. */
interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  valueType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  left?: z.ZodType;
  right?: z.ZodType;
  items?: z.ZodType[];
  getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): Def | null {
  const def = (schema as unknown as { _zod?: { def?: Def } })._zod?.def;
  return def && typeof def.type === 'string' ? def : null;
}

/** The schemas a value at `key` of a value matching `schema` is checked by (several through unions). */
function childSchemas(schema: z.ZodType, key: PropertyKey, depth = 0): z.ZodType[] {
  const def = defOf(schema);
  if (!def || depth > 20) return [];
  switch (def.type) {
    case 'object':
      return typeof key === 'string' && def.shape && Object.hasOwn(def.shape, key) ? [def.shape[key]!] : [];
    case 'array':
      return typeof key === 'number' && def.element ? [def.element] : [];
    case 'tuple':
      return typeof key === 'number' && def.items?.[key] ? [def.items[key]] : [];
    case 'record':
      return typeof key === 'string' && def.valueType ? [def.valueType] : [];
    default:
      return inner(def).flatMap((s) => childSchemas(s, key, depth + 1));
  }
}

/** The schemas a wrapper (optional, default, union, pipe, lazy …) hands its value to. */
function inner(def: Def): z.ZodType[] {
  if (def.innerType) return [def.innerType];
  if (def.options) return def.options;
  if (def.type === 'pipe') return [def.in, def.out].filter((s): s is z.ZodType => s !== undefined);
  if (def.type === 'intersection') return [def.left, def.right].filter((s): s is z.ZodType => s !== undefined);
  if (def.type === 'lazy' && def.getter) return [def.getter()];
  return [];
}

/** The keys the objects `schema` accepts take (through wrappers and unions), in the schema's order. */
function objectKeys(schema: z.ZodType, depth = 0): string[] {
  const def = defOf(schema);
  if (!def || depth > 20) return [];
  if (def.type === 'object') return Object.keys(def.shape ?? {});
  return inner(def).flatMap((s) => objectKeys(s, depth + 1));
}

/** The keys valid in the object at `path` of a value checked by `schema`; [] when the schema has no object there. */
export function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  let at: z.ZodType[] = [schema];
  for (const key of path) at = at.flatMap((s) => childSchemas(s, key));
  return [...new Set(at.flatMap((s) => objectKeys(s)))];
}

/** ` did you mean "x"?` / ` did you mean "x" or "y"?`, or '' when nothing is near. */
export function didYouMean(word: string, candidates: readonly string[]): string {
  const near = nearest(word, candidates).slice(0, 2);
  return near.length === 0 ? '' : `did you mean ${near.map((k) => JSON.stringify(k)).join(' or ')}?`;
}

/**
 * What to say about an unknown key `key` in the object at `path`: the nearest valid key when one
 * is near (the fix: rename it), and the keys valid there.
 */
export function unknownKeyProblem(schema: z.ZodType, path: readonly PropertyKey[], key: string): string {
  const valid = keysAt(schema, path);
  const hint = didYouMean(key, valid);
  const listed = valid.length > 20 ? [...valid.slice(0, 20).map((k) => JSON.stringify(k)), '…'] : valid.map((k) => JSON.stringify(k));
  return `unknown key${hint ? `, ${hint}` : ''}${valid.length > 0 ? ` (keys allowed here: ${listed.join(', ')})` : ''}`;
}
