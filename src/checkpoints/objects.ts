import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';

export type ObjectFormat = 'sha1' | 'sha256';
export type ObjectType = 'blob' | 'tree' | 'commit';

/** The id git gives an object: the hash of `<type> <size>\0<content>`. */
export function objectId(format: ObjectFormat, type: ObjectType, content: Buffer): string {
  return createHash(format).update(`${type} ${content.length}\0`).update(content).digest('hex');
}

/**
 * Writes loose objects straight into a repository's object store, the way git does (zlib of
 * header + content, temp file then rename): a tree or a commit costs microseconds instead of a
 * git process.
 */
export class LooseObjectWriter {
  constructor(
    readonly objectsDir: string,
    readonly format: ObjectFormat,
  ) {}

  write(type: ObjectType, content: Buffer): string {
    const id = objectId(this.format, type, content);
    const dir = join(this.objectsDir, id.slice(0, 2));
    const file = join(dir, id.slice(2));
    if (existsSync(file)) return id;
    mkdirSync(dir, { recursive: true });
    const tmp = join(dir, `tmp_obj_harness_${randomBytes(6).toString('hex')}`);
    try {
      writeFileSync(tmp, deflateSync(Buffer.concat([Buffer.from(`${type} ${content.length}\0`), content])), { mode: 0o444 });
      renameSync(tmp, file);
    } catch (error) {
      rmSync(tmp, { force: true });
      if (!existsSync(file)) throw error;
    }
    return id;
  }
}
