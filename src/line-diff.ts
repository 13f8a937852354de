export type DiffKind = 'context' | 'added' | 'removed' | 'hunk' | 'file' | 'note';

export interface DiffLine {
  kind: DiffKind;
  text: string;
}

/** Past this many differing lines the diff gives up looking for the shortest edit and shows old and new blocks. */
const MAX_EDIT_DISTANCE = 1000;
const MAX_INPUT_LINES = 20_000;

function splitLines(text: string): string[] {
  if (text === '') return [];
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

type Op = { kind: 'context' | 'added' | 'removed'; text: string; oldNo: number; newNo: number };

/** Myers' O(ND) shortest edit script, bounded by MAX_EDIT_DISTANCE; null when the bound is hit. */
function shortestEdit(a: string[], b: string[]): Op[] | null {
  const n = a.length;
  const m = b.length;
  const max = Math.min(n + m, MAX_EDIT_DISTANCE);
  const offset = max + 1;
  const v = new Int32Array(2 * max + 3);
  // per step only the diagonals it can reach: memory grows with d², not with the inputs
  const trace: Int32Array[] = [];
  for (let d = 0; d <= max; d++) {
    trace.push(v.slice(offset - d - 1, offset + d + 2));
    for (let k = -d; k <= d; k += 2) {
      let x = k === -d || (k !== d && v[offset + k - 1]! < v[offset + k + 1]!) ? v[offset + k + 1]! : v[offset + k - 1]! + 1;
      let y = x - k;
      while (x < n && y < m && a[x] === b[y]) {
        x++;
        y++;
      }
      v[offset + k] = x;
      if (x >= n && y >= m) return backtrack(trace, a, b, d);
    }
  }
  return null;
}

function backtrack(trace: Int32Array[], a: string[], b: string[], dEnd: number): Op[] {
  const ops: Op[] = [];
  let x = a.length;
  let y = b.length;
  for (let d = dEnd; d >= 0; d--) {
    const saved = trace[d]!;
    const at = (k: number): number => saved[k + d + 1]!;
    const k = x - y;
    const prevK = k === -d || (k !== d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1;
    const prevX = d === 0 ? 0 : at(prevK);
    const prevY = prevX - prevK;
    while (x > prevX && y > prevY) {
      x--;
      y--;
      ops.push({ kind: 'context', text: a[x]!, oldNo: x, newNo: y });
    }
    if (d > 0) {
      if (x === prevX) ops.push({ kind: 'added', text: b[--y]!, oldNo: x, newNo: y });
      else ops.push({ kind: 'removed', text: a[--x]!, oldNo: x, newNo: y });
    }
  }
  return ops.reverse();
}

/** Common prefix and suffix kept as context, the middle shown as removed then added. */
function blockEdit(a: string[], b: string[]): Op[] {
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const ops: Op[] = [];
  for (let i = 0; i < pre; i++) ops.push({ kind: 'context', text: a[i]!, oldNo: i, newNo: i });
  for (let i = pre; i < a.length - suf; i++) ops.push({ kind: 'removed', text: a[i]!, oldNo: i, newNo: pre });
  for (let j = pre; j < b.length - suf; j++) ops.push({ kind: 'added', text: b[j]!, oldNo: a.length - suf, newNo: j });
  for (let i = 0; i < suf; i++) ops.push({ kind: 'context', text: a[a.length - suf + i]!, oldNo: a.length - suf + i, newNo: b.length - suf + i });
  return ops;
}

/**
 * A unified diff of two texts as lines for display: hunks with `context` lines around each
 * change, at most `maxLines` lines (then a note says how many were left out). Bounded work on any
 * input.
 */
export function lineDiff(oldText: string, newText: string, options: { context?: number; maxLines?: number } = {}): DiffLine[] {
  const context = options.context ?? 3;
  const maxLines = options.maxLines ?? 400;
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const tooBig = a.length > MAX_INPUT_LINES || b.length > MAX_INPUT_LINES;
  const ops = (tooBig ? null : shortestEdit(a, b)) ?? blockEdit(a, b);
  const changed = ops.map((o, i) => (o.kind === 'context' ? -1 : i)).filter((i) => i >= 0);
  if (changed.length === 0) return [];
  const out: DiffLine[] = [];
  let i = 0;
  while (i < changed.length) {
    const start = Math.max(0, changed[i]! - context);
    let end = Math.min(ops.length - 1, changed[i]! + context);
    while (i + 1 < changed.length && changed[i + 1]! - context <= end + 1) end = Math.min(ops.length - 1, changed[++i]! + context);
    i++;
    const first = ops[start]!;
    const slice = ops.slice(start, end + 1);
    const oldCount = slice.filter((o) => o.kind !== 'added').length;
    const newCount = slice.filter((o) => o.kind !== 'removed').length;
    out.push({ kind: 'hunk', text: `@@ -${first.oldNo + 1},${oldCount} +${first.newNo + 1},${newCount} @@` });
    for (const o of slice) out.push({ kind: o.kind, text: o.text });
  }
  return limitLines(out, maxLines);
}

/** Keeps the first `max` lines and says how many more there were. */
export function limitLines(lines: DiffLine[], max: number): DiffLine[] {
  if (lines.length <= max) return lines;
  return [...lines.slice(0, max), { kind: 'note', text: `… ${lines.length - max} more lines` }];
}

/** git's unified diff output (`diff --git …`) as display lines. */
export function parseUnifiedDiff(text: string, maxLines = 5000): DiffLine[] {
  const out: DiffLine[] = [];
  for (const line of text.split('\n')) {
    if (line.startsWith('diff --git ')) out.push({ kind: 'file', text: line.replace(/^diff --git a\/(.*) b\/.*$/, '$1') });
    else if (line.startsWith('@@')) out.push({ kind: 'hunk', text: line });
    else if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('index ')) continue;
    else if (line.startsWith('+')) out.push({ kind: 'added', text: line.slice(1) });
    else if (line.startsWith('-')) out.push({ kind: 'removed', text: line.slice(1) });
    else if (line.startsWith(' ')) out.push({ kind: 'context', text: line.slice(1) });
    else if (line) out.push({ kind: 'note', text: line });
  }
  return limitLines(out, maxLines);
}
