import { createHash } from 'node:crypto';
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/*
 * The whole working tree as one listing and one hash, for tests that compare what a rollback
 * restored with what was on disk at a step: names as bytes (a name that is not UTF-8 stays as it
 * is), file content and every mode bit, symlink targets, empty directories. `.git` at the top is
 * left out; a nested repository is listed as such, not entered. Directory mode bits are not
 * compared (checkpoints do not keep them).
 */

const show = (p: string): string => p.replace(/[^\x20-\x7e]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/** One line per entry, sorted by byte path: `<path as shown> <kind> <details>`. */
export function treeListing(root: string): string[] {
  const out: string[] = [];
  const walk = (rel: string): void => {
    const abs = Buffer.concat([Buffer.from(root), Buffer.from(rel ? `/${rel}` : '', 'latin1')]);
    const names = readdirSync(abs, { encoding: 'buffer' }).map((n) => n.toString('latin1'));
    if (rel && names.length === 0) out.push(`${show(rel)} empty-dir`);
    for (const name of names.sort()) {
      const p = rel ? `${rel}/${name}` : name;
      if (p === '.git') continue;
      const a = Buffer.concat([Buffer.from(root), Buffer.from(`/${p}`, 'latin1')]);
      const st = lstatSync(a);
      if (st.isSymbolicLink()) out.push(`${show(p)} link ${show(readlinkSync(a, { encoding: 'buffer' }).toString('latin1'))}`);
      else if (st.isDirectory()) {
        let nested = false;
        try {
          lstatSync(Buffer.concat([a, Buffer.from('/.git')]));
          nested = true;
        } catch {
          // not a repository
        }
        if (nested) out.push(`${show(p)} nested`);
        else walk(p);
      } else if (st.isFile())
        out.push(
          `${show(p)} file ${(st.mode & 0o7777).toString(8).padStart(4, '0')} ${createHash('sha1').update(readFileSync(a)).digest('hex').slice(0, 16)} ${st.size}`,
        );
      else out.push(`${show(p)} special`);
    }
  };
  walk('');
  return out;
}

export function treeHash(root: string): string {
  return createHash('sha256').update(treeListing(root).join('\n')).digest('hex');
}

/** The lines of `a` and `b` that differ, for a failure message. */
export function listingDiff(a: string[], b: string[]): string[] {
  const inB = new Set(b);
  const inA = new Set(a);
  return [...a.filter((l) => !inB.has(l)).map((l) => `- ${l}`), ...b.filter((l) => !inA.has(l)).map((l) => `+ ${l}`)];
}
