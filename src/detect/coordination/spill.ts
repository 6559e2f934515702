/**
 * Time-segment spill files. The store is read in primary-key order (sequential on both
 * backends; reading in time order through the created_at index costs a random page read per
 * post), so each feature batch is split by time segment and appended to that segment's file in
 * a temporary directory; the window phase then reads the segments back one at a time, in time
 * order. Memory holds one segment, never the corpus.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FeatureBatch } from './features.ts';
import { evStartOf, pickFeatures } from './segment.ts';

type Column = Float64Array | Int32Array | Uint32Array | Uint8Array;
const COLUMNS = ['id', 'account', 'time', 'usable', 'keys', 'offsets', 'pool', 'evPost', 'evType', 'evKey'] as const;
const KINDS: Record<(typeof COLUMNS)[number], new (b: ArrayBuffer) => Column> = {
  id: Float64Array, account: Int32Array, time: Float64Array, usable: Uint8Array, keys: Uint32Array,
  offsets: Int32Array, pool: Uint32Array, evPost: Int32Array, evType: Uint8Array, evKey: Float64Array,
};

/** Time segments [start + k·width, start + (k+1)·width) spilled to files; segment −1 holds posts before `start`. */
export class SegmentSpill {
  readonly dir: string;
  private fds = new Map<number, number>();
  private counts = new Map<number, number>();

  constructor(readonly start: number, readonly width: number, readonly segments: number, readonly bands: number, parent = tmpdir()) {
    this.dir = mkdtempSync(path.join(parent, 'censorscope-coordination-'));
  }

  /** Segment of a post time (−1 before the start; times past the end go to the last segment). */
  segmentOf(t: number): number {
    if (t < this.start) return -1;
    return Math.min(this.segments - 1, Math.floor((t - this.start) / this.width));
  }

  /** First time of segment k. */
  startOf(k: number): number {
    return this.start + k * this.width;
  }

  /** Splits a batch by segment and appends each part to its file. */
  write(b: FeatureBatch): void {
    const seg = new Int32Array(b.n);
    const sizes = new Map<number, number>();
    for (let i = 0; i < b.n; i++) {
      seg[i] = this.segmentOf(b.time[i]);
      sizes.set(seg[i], (sizes.get(seg[i]) ?? 0) + 1);
    }
    const evStart = evStartOf(b);
    for (const [k, size] of sizes) {
      const idx = new Int32Array(size);
      let x = 0;
      for (let i = 0; i < b.n; i++) if (seg[i] === k) idx[x++] = i;
      this.append(k, sizes.size === 1 ? b : pickFeatures({ ...b, evStart }, idx, this.bands));
    }
  }

  /** Posts spilled into segment k so far. */
  count(k: number): number {
    return this.counts.get(k) ?? 0;
  }

  /**
   * Reads segment k back (its batches, in write order) and deletes its file. The batches' columns
   * are views of one buffer (the file's bytes, no copy), so they move to a thread together.
   */
  read(k: number): FeatureBatch[] {
    const fd = this.fds.get(k);
    if (fd === undefined) return [];
    closeSync(fd);
    this.fds.delete(k);
    const file = this.file(k);
    let buf: Uint8Array = readFileSync(file);
    rmSync(file);
    // The views must own their buffer alone (it moves to another thread; a small file is read
    // into Node's shared pool) and start at offset 0 (columns are 8-byte aligned in the file).
    if (buf.byteOffset !== 0 || buf.buffer.byteLength !== buf.byteLength) buf = new Uint8Array(buf);
    const out: FeatureBatch[] = [];
    let at = 0;
    while (at < buf.length) {
      const head = new Int32Array(buf.buffer, buf.byteOffset + at, 1 + COLUMNS.length);
      at += HEAD_BYTES;
      const b = { n: head[0] } as FeatureBatch;
      COLUMNS.forEach((c, ci) => {
        const bytes = head[ci + 1];
        const Kind = KINDS[c] as unknown as { new (b: ArrayBufferLike, offset: number, length: number): Column; BYTES_PER_ELEMENT: number };
        (b as unknown as Record<string, Column>)[c] = new Kind(buf.buffer, buf.byteOffset + at, bytes / Kind.BYTES_PER_ELEMENT);
        at += padded(bytes);
      });
      out.push(b);
    }
    return out;
  }

  /** Removes every file (also after a failure). */
  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private file(k: number): string {
    return path.join(this.dir, `segment-${k + 1}.bin`);
  }

  private append(k: number, b: FeatureBatch): void {
    let fd = this.fds.get(k);
    if (fd === undefined) this.fds.set(k, (fd = openSync(this.file(k), 'w')));
    this.counts.set(k, this.count(k) + b.n);
    const cols = COLUMNS.map((c) => b[c] as Column);
    const head = new Int32Array(HEAD_BYTES / 4);
    head[0] = b.n;
    cols.forEach((a, i) => { head[i + 1] = a.byteLength; });
    // One write a piece; each column padded to 8 bytes so that it reads back as an aligned view.
    const parts: Uint8Array[] = [new Uint8Array(head.buffer)];
    for (const a of cols) {
      if (a.byteLength) parts.push(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
      if (padded(a.byteLength) > a.byteLength) parts.push(PAD.subarray(0, padded(a.byteLength) - a.byteLength));
    }
    const bytes = parts.reduce((sum, x) => sum + x.byteLength, 0);
    const written = writevSync(fd, parts);
    if (written !== bytes) throw new Error(`Only ${written} of ${bytes} bytes reached ${this.file(k)}; is the disk holding ${this.dir} full?`);
  }
}

/** A piece's header: its post count and each column's byte length, padded to 8 bytes. */
const HEAD_BYTES = padded(4 * (1 + COLUMNS.length));
const PAD = new Uint8Array(8);

function padded(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}
