/**
 * Gzip bombs for the OONI importer, generated in code: long runs of one byte compress about a
 * thousand to one, so a few hundred KB on disk stand for hundreds of MB of lines.
 */
import { createWriteStream } from 'node:fs';
import { createGzip } from 'node:zlib';
import { once } from 'node:events';

/** Writes `count` copies of `piece` (each a Buffer or string) gzip-compressed to `file`; returns the decompressed size. */
export async function writeGzipBomb(file: string, pieces: Array<{ piece: Buffer | string; count: number }>): Promise<number> {
  const gz = createGzip({ level: 9 });
  const out = gz.pipe(createWriteStream(file));
  let total = 0;
  for (const { piece, count } of pieces) {
    const buf = Buffer.isBuffer(piece) ? piece : Buffer.from(piece);
    for (let i = 0; i < count; i++) {
      total += buf.length;
      if (!gz.write(buf)) await once(gz, 'drain');
    }
  }
  gz.end();
  await once(out, 'finish');
  return total;
}

/** A line of `bytes` bytes that is JSON but no measurement (no envelope): quarantined whole if read. */
export function longJunkLine(bytes: number): Buffer {
  const head = Buffer.from('{"data_format_version":"0.2.0","x":"');
  const tail = Buffer.from('"}\n');
  const line = Buffer.alloc(bytes, 0x41);
  head.copy(line, 0);
  tail.copy(line, bytes - tail.length);
  return line;
}
