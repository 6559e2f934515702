/** A file's content identity: the same bytes under another name are the same import. */
import { createHash } from 'node:crypto';
import { openSync, readSync, closeSync, statSync } from 'node:fs';

/** sha256 of the size and the first MiB: cheap on huge files, stable across renames. */
export function fileKey(file: string): string {
  const size = statSync(file).size;
  const fd = openSync(file, 'r');
  const buf = Buffer.alloc(Math.min(size, 1 << 20));
  readSync(fd, buf, 0, buf.length, 0);
  closeSync(fd);
  return createHash('sha256').update(String(size)).update(buf).digest('hex');
}
