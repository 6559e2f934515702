/**
 * The lines of a JSONL byte stream, numbered as an editor numbers them, each decoded as strict
 * UTF-8: a line with bytes that are not UTF-8 comes out as a problem with its bytes kept, rather
 * than as text with U+FFFD in it (which would parse as JSON and store altered data silently).
 */
import type { Readable } from 'node:stream';

export interface Line {
  /** 1-based line number (LF-terminated lines; a CR before the LF is dropped). */
  no: number;
  /** The decoded text, without BOM (first line), CR or LF; null when `problem` is set. */
  text: string | null;
  /** Why the line cannot be read as text. */
  problem?: string;
  /** The line's bytes when it cannot be decoded (up to the line limit). */
  bytes?: Buffer;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** A limit on the bytes read in all: past it, reading stops. */
export interface TotalLimit {
  bytes: number;
  /** The problem reported on the line the limit cuts (the last line yielded). */
  problem: string;
}

/**
 * Yields each line of `input`; a line longer than `maxBytes` is reported, not buffered. With
 * `total`, reading stops once that many bytes have been read: the lines complete before it are
 * yielded as usual, then one last line (the one the limit cuts) with `total.problem` and the
 * first 4 KiB of its bytes, and the input is destroyed.
 */
export async function* readLines(input: Readable, maxBytes: number, total?: TotalLimit): AsyncGenerator<Line> {
  let parts: Buffer[] = [];
  let size = 0;
  let tooLong = false;
  let no = 0;
  const finish = (): Line => {
    no++;
    let bytes = parts.length === 1 ? parts[0] : Buffer.concat(parts, size);
    parts = [];
    size = 0;
    if (tooLong) {
      tooLong = false;
      return { no, text: null, problem: `the line is longer than ${maxBytes / (1 << 20)} MiB, more than any measurement OONI publishes`, bytes };
    }
    if (bytes.length && bytes[bytes.length - 1] === 0x0d) bytes = bytes.subarray(0, bytes.length - 1);
    if (no === 1 && bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) bytes = bytes.subarray(3);
    try {
      return { no, text: decoder.decode(bytes) };
    } catch {
      return { no, text: null, problem: 'the line has bytes that are not valid UTF-8 (kept in base64)', bytes: Buffer.from(bytes) };
    }
  };
  const add = (chunk: Buffer): void => {
    if (tooLong) return;
    if (size + chunk.length > maxBytes) {
      // Keep the start for the quarantine record; the rest of the line is skipped.
      tooLong = true;
      const room = Math.max(0, 4096 - size);
      if (room) parts.push(chunk.subarray(0, room));
      size += Math.min(room, chunk.length);
      return;
    }
    // File and gunzip streams hand out a fresh buffer per chunk, so a view of it stays valid.
    parts.push(chunk);
    size += chunk.length;
  };
  let seen = 0;
  for await (const whole of input as AsyncIterable<Buffer>) {
    let chunk = whole;
    const over = total !== undefined && seen + chunk.length > total.bytes;
    if (over) chunk = chunk.subarray(0, total.bytes - seen);
    seen += chunk.length;
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      add(chunk.subarray(start, nl));
      yield finish();
      start = nl + 1;
    }
    if (start < chunk.length) add(chunk.subarray(start));
    if (over) {
      // The line the limit cuts: keep its start (as a too-long line does) and read no further.
      let head = Buffer.concat([...parts, whole.subarray(chunk.length, chunk.length + 4096)]).subarray(0, 4096);
      const nl = head.indexOf(0x0a);
      if (nl !== -1) head = head.subarray(0, nl);
      parts = [];
      size = 0;
      tooLong = false;
      input.destroy();
      yield { no: no + 1, text: null, problem: total.problem, bytes: Buffer.from(head) };
      return;
    }
  }
  if (size || tooLong) yield finish();
}
