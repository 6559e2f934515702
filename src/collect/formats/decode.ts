/**
 * Byte-exact decoding for the readers. Bytes that are not valid in the file's encoding become
 * lone surrogates U+DC80–U+DCFF, one per byte (Python's "surrogateescape"): valid text never
 * decodes to a lone surrogate, so a bad byte is told from a literal U+FFFD (which is data), and
 * the original bytes can be recovered exactly for the quarantine.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';

const ESCAPE_BASE = 0xdc00;

/** True for the spellings of UTF-8 that take the fast path. */
export function isUtf8Name(encoding: string): boolean {
  return /^utf-?8$/i.test(encoding);
}

/** True when the text holds an escaped (invalid) byte, i.e. is not well-formed UTF-16. */
export function hasBadBytes(text: string): boolean {
  // ES2024, in Node 20; the project's TypeScript lib predates it.
  return !(text as unknown as { isWellFormed(): boolean }).isWellFormed();
}

/**
 * The bytes a decoded text came from: escaped bytes as they were, the rest encoded again in the
 * file's encoding (for UTF-8 this is exactly the original; for other encodings iconv-lite's round trip).
 */
export function originalBytes(text: string, encoding: string): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  const encode = (s: string) => (isUtf8Name(encoding) ? Buffer.from(s, 'utf8') : iconv.encode(s, encoding));
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && isHigh(text.charCodeAt(i - 1)))) {
      if (i > start) parts.push(encode(text.slice(start, i)));
      parts.push(Buffer.from([c - ESCAPE_BASE]));
      start = i + 1;
    }
  }
  if (start < text.length) parts.push(encode(text.slice(start)));
  return Buffer.concat(parts);
}

/** The escaped bytes of a text as hex (`ff fe`), for a reason a user reads; at most `max` of them. */
export function badBytesHex(text: string, max = 8): string {
  const out: string[] = [];
  for (let i = 0; i < text.length && out.length < max; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xdc80 && c <= 0xdcff && !(i > 0 && isHigh(text.charCodeAt(i - 1)))) out.push((c - ESCAPE_BASE).toString(16).padStart(2, '0'));
  }
  return out.join(' ');
}

const isHigh = (c: number) => c >= 0xd800 && c <= 0xdbff;

/** Length of the UTF-8 sequence a lead byte starts (0: not a lead byte). */
function seqLength(b: number): number {
  if (b < 0x80) return 1;
  if (b >= 0xc2 && b <= 0xdf) return 2;
  if (b >= 0xe0 && b <= 0xef) return 3;
  if (b >= 0xf0 && b <= 0xf4) return 4;
  return 0;
}

/** The range the second byte of a sequence may take, which excludes overlongs, surrogates and > U+10FFFF. */
function secondRange(b: number): [number, number] {
  if (b === 0xe0) return [0xa0, 0xbf];
  if (b === 0xed) return [0x80, 0x9f];
  if (b === 0xf0) return [0x90, 0xbf];
  if (b === 0xf4) return [0x80, 0x8f];
  return [0x80, 0xbf];
}

/** Length of the valid UTF-8 sequence at `i`, or 0 when the byte there cannot start one. */
function validSeqAt(buf: Buffer, i: number): number {
  const n = seqLength(buf[i]);
  if (n <= 1 || i + n > buf.length) return n === 1 ? 1 : 0;
  const [lo, hi] = secondRange(buf[i]);
  if (buf[i + 1] < lo || buf[i + 1] > hi) return 0;
  for (let k = 2; k < n; k++) if (buf[i + k] < 0x80 || buf[i + k] > 0xbf) return 0;
  return n;
}

/** Decodes UTF-8 with every invalid byte escaped; the slow path, for chunks that are not valid. */
export function decodeUtf8Escaped(buf: Buffer): string {
  let out = '';
  let start = 0;
  let i = 0;
  while (i < buf.length) {
    const n = validSeqAt(buf, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (i > start) out += buf.toString('utf8', start, i);
    out += String.fromCharCode(ESCAPE_BASE + buf[i]);
    i++;
    start = i;
  }
  if (start < buf.length) out += buf.toString('utf8', start);
  return out;
}

/** Bytes at the end of `buf` that may be the start of a sequence the next chunk completes. */
function incompleteTail(buf: Buffer): number {
  for (let back = 1; back <= Math.min(3, buf.length); back++) {
    const b = buf[buf.length - back];
    if (b >= 0x80 && b <= 0xbf) continue; // a continuation byte: look further back
    const n = seqLength(b);
    return n > back ? back : 0;
  }
  return 0;
}

/**
 * Decodes a file's bytes to text with bad bytes escaped. UTF-8 is checked a chunk at a time
 * (simdutf) and decoded natively when valid; other encodings are decoded a line at a time by
 * iconv-lite, and a line whose U+FFFD does not round-trip is walked character by character.
 */
export class EscapingDecoder extends Transform {
  private pending: Buffer | null = null;
  private first = true;
  /** A BOM can only be at the very start of the text. */
  private atStart = true;
  private readonly utf8: boolean;

  constructor(private readonly encoding: string) {
    super({ readableObjectMode: true });
    this.utf8 = isUtf8Name(encoding);
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let buf = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    if (this.first) {
      if (buf.length < 4) {
        this.pending = buf;
        return done();
      }
      buf = this.stripBom(buf);
      this.first = false;
    }
    const keep = this.utf8 ? incompleteTail(buf) : buf.length - (buf.lastIndexOf(0x0a) + 1);
    if (keep) {
      this.pending = Buffer.from(buf.subarray(buf.length - keep));
      buf = buf.subarray(0, buf.length - keep);
    }
    if (buf.length) this.push(this.decode(buf));
    done();
  }

  override _flush(done: TransformCallback): void {
    let buf = this.pending;
    this.pending = null;
    if (buf && this.first) buf = this.stripBom(buf);
    if (buf?.length) this.push(this.decode(buf));
    done();
  }

  private stripBom(buf: Buffer): Buffer {
    if (this.utf8 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return buf.subarray(3);
    return buf;
  }

  private decode(buf: Buffer): string {
    if (this.utf8) return isUtf8(buf) ? buf.toString('utf8') : decodeUtf8Escaped(buf);
    let text = iconv.decode(buf, this.encoding, { stripBOM: false });
    if (text.includes('\uFFFD')) text = decodeLinesEscaped(buf, this.encoding);
    if (this.atStart && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.atStart = false;
    return text;
  }
}

/** Slow path for a non-UTF-8 chunk holding U+FFFD: each line checked by a round trip, bad ones walked. */
function decodeLinesEscaped(buf: Buffer, encoding: string): string {
  let out = '';
  let start = 0;
  while (start < buf.length) {
    const nl = buf.indexOf(0x0a, start);
    const end = nl < 0 ? buf.length : nl + 1;
    const line = buf.subarray(start, end);
    const text = iconv.decode(line, encoding, { stripBOM: false });
    out += !text.includes('\uFFFD') || iconv.encode(text, encoding).equals(line) ? text : walkEscaped(line, encoding);
    start = end;
  }
  return out;
}

/** Decodes a line character by character, escaping every byte that starts no valid character. */
function walkEscaped(line: Buffer, encoding: string): string {
  let out = '';
  let i = 0;
  outer: while (i < line.length) {
    for (let n = 1; n <= 4 && i + n <= line.length; n++) {
      const bytes = line.subarray(i, i + n);
      const ch = iconv.decode(bytes, encoding, { stripBOM: false });
      if (ch.length && iconv.encode(ch, encoding).equals(bytes)) {
        out += ch;
        i += n;
        continue outer;
      }
    }
    out += String.fromCharCode(ESCAPE_BASE + line[i]);
    i++;
  }
  return out;
}
