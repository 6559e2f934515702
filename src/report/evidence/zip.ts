/**
 * Deterministic ZIP archives (fflate): entries sorted by name, one fixed entry time taken from the
 * data, fixed compression, no extra fields, so the same files always give the same bytes and a
 * bundle's hash can be cited. Reading is bounded: a hostile archive cannot make the reader
 * inflate more than it declares, nor more than a total cap.
 */
import { Unzip, UnzipInflate, unzipSync, zipSync, type Zippable } from 'fflate';

/**
 * ZIP stores local wall-clock time, and fflate reads the local fields of the Date it is given, so
 * the entry time is built from the UTC date's fields in the local zone. Noon, because no time zone
 * skips or repeats noon for daylight saving: the bytes are the same in every zone. DOS dates span
 * 1980–2107; times outside are clamped.
 */
export function entryTime(ms: number): Date {
  const d = new Date(ms);
  const year = Math.min(2107, Math.max(1980, d.getUTCFullYear()));
  const clamped = year !== d.getUTCFullYear();
  return new Date(year, clamped ? 0 : d.getUTCMonth(), clamped ? 1 : d.getUTCDate(), 12, 0, 0);
}

/** A ZIP of `files` (name → bytes), entries in name order, all dated `ms` (see entryTime). */
export function deterministicZip(files: Record<string, Uint8Array>, ms: number): Uint8Array {
  const mtime = entryTime(ms);
  const zippable: Zippable = {};
  for (const name of Object.keys(files).sort()) zippable[name] = [files[name]!, { level: 9, mtime, os: 3, attrs: 0o100644 << 16 }];
  return zipSync(zippable, { level: 9, mtime });
}

/** Thrown when bytes are not a ZIP archive this reader accepts; the message is a sentence. */
export class ZipReadError extends Error {}

export interface ReadZip {
  /** Entries by name. */
  files: Map<string, Uint8Array>;
  /** Names listed twice in the central directory (an archive that means two things). */
  duplicates: string[];
}

/** Reads a ZIP archive into memory, refusing entries or totals over `maxBytes` (default 1 GiB in all). */
export function readZip(data: Uint8Array, maxBytes = 1024 ** 3): ReadZip {
  // The central directory is what unzip(1) extracts: list it first, inflating nothing.
  const listed: Array<{ name: string; originalSize: number }> = [];
  try {
    unzipSync(data, { filter: (f) => { listed.push({ name: f.name, originalSize: f.originalSize }); return false; } });
  } catch (err) {
    throw new ZipReadError(`it is not a ZIP archive, or its end is damaged (${(err as Error).message})`);
  }
  const seen = new Set<string>();
  const duplicates: string[] = [];
  let declared = 0;
  for (const f of listed) {
    if (seen.has(f.name)) duplicates.push(f.name);
    seen.add(f.name);
    declared += f.originalSize;
  }
  if (declared > maxBytes) throw new ZipReadError(`its entries declare ${declared} bytes uncompressed, more than the ${maxBytes} this reader accepts`);
  // Inflate by streaming, stopping any entry that grows past its declared size.
  const files = new Map<string, Uint8Array>();
  const problems: string[] = [];
  const unzip = new Unzip((file) => {
    const chunks: Uint8Array[] = [];
    let size = 0;
    const limit = Math.min(file.originalSize ?? maxBytes, maxBytes);
    file.ondata = (err, chunk, final) => {
      if (err) { problems.push(`${file.name}: ${err.message}`); return; }
      size += chunk.byteLength;
      if (size > limit) {
        problems.push(`${file.name} inflates to more than the ${limit} bytes it declares`);
        file.terminate();
        return;
      }
      chunks.push(chunk);
      if (final && !files.has(file.name)) files.set(file.name, concat(chunks, size));
    };
    file.start();
  });
  unzip.register(UnzipInflate);
  try {
    unzip.push(data, true);
  } catch (err) {
    throw new ZipReadError(`an entry cannot be read (${(err as Error).message})`);
  }
  if (problems.length) throw new ZipReadError(problems.join('; '));
  for (const name of seen) if (!files.has(name)) throw new ZipReadError(`the archive's directory lists ${name} but no such entry can be read`);
  for (const name of files.keys()) if (!seen.has(name)) throw new ZipReadError(`the archive holds an entry ${name} that its directory does not list`);
  return { files, duplicates };
}

function concat(chunks: Uint8Array[], size: number): Uint8Array {
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
