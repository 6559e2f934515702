/** Recognises files that are plainly not text (images, archives), so an import fails at once and says why. */
import { openSync, readSync, closeSync } from 'node:fs';

const SIGNATURES: Array<[string, number[], string]> = [
  ['a PNG image', [0x89, 0x50, 0x4e, 0x47], ''],
  ['a JPEG image', [0xff, 0xd8, 0xff], ''],
  ['a GIF image', [0x47, 0x49, 0x46, 0x38], ''],
  ['a PDF document', [0x25, 0x50, 0x44, 0x46], ''],
  ['a ZIP archive (or an Excel workbook)', [0x50, 0x4b, 0x03, 0x04], ' Unzip it, or export the sheet as CSV, first.'],
  ['gzip-compressed', [0x1f, 0x8b], ' Decompress it first (gunzip FILE).'],
  ['a SQLite database', [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65], ''],
];

/** Returns a sentence explaining why the file is not text, or null when it may be. */
export function notTextReason(file: string, expected: string): string | null {
  const fd = openSync(file, 'r');
  const head = Buffer.alloc(4096);
  const n = readSync(fd, head, 0, head.length, 0);
  closeSync(fd);
  for (const [what, sig, hint] of SIGNATURES) {
    if (n >= sig.length && sig.every((b, i) => head[i] === b)) return `${file} is ${what}, not ${expected}.${hint}`;
  }
  // UTF-16 text has NULs too (about every other byte), but no importer reads it; say so rather
  // than garble it. A stray NUL or two is a damaged row, quarantined like any other.
  let nuls = 0;
  for (let i = 0; i < n; i++) if (head[i] === 0) nuls++;
  if (nuls >= Math.max(8, n / 64)) {
    return `${file} contains NUL bytes, so it is binary or UTF-16, not ${expected}. Convert it to UTF-8 (or GB18030 with --encoding gb18030) first.`;
  }
  return null;
}
