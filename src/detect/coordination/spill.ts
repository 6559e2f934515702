/**
 * Time-segment spill files. The store is read in primary-key order (sequential on both
 * backends; reading in time order through the created_at index costs a random page read per
 * post), so each feature batch is split by time segment and appended to that segment's file in
 * a temporary directory; the window phase then reads the segments back one at a time, in time
 * order. Each segment's last window (the posts the next segment pairs with) also goes to a small
 * tail file, so the thread that hands out segments reads only tails, and the threads that pair
 * segments read the segment files themselves. Memory holds a few segments, never the corpus.
 */
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writevSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FeatureBatch } from './features.ts';
import { evStartOf, pickFeatures } from './segment.ts';

type Column = Float64Array | Int32Array | Uint32Array | Uint8Array;
type ColumnKind = { new (b: ArrayBufferLike, offset: number, length: number): Column; BYTES_PER_ELEMENT: number };
const COLUMNS = ['id', 'account', 'time', 'usable', 'keys', 'offsets', 'pool', 'evPost', 'evType', 'evKey'] as const;
const KINDS: Record<(typeof COLUMNS)[number], ColumnKind> = {
  id: Float64Array, account: Int32Array, time: Float64Array, usable: Uint8Array, keys: Uint32Array,
  offsets: Int32Array, pool: Uint32Array, evPost: Int32Array, evType: Uint8Array, evKey: Float64Array,
};

/**
 * Time segments [start + k·width, start + (k+1)·width) spilled to files; segment −1 holds posts
 * before `start`, of which only the tail is kept. The tail of segment k is its posts at or after
 * start(k + 1) − windowMs.
 */
export class SegmentSpill {
  readonly dir: string;
  private fds = new Map<string, number>();

  constructor(
    readonly start: number, readonly width: number, readonly segments: number, readonly bands: number, readonly windowMs: number,
    parent = tmpdir(),
  ) {
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

  /** First time of segment k's tail (the window before segment k + 1). */
  tailFrom(k: number): number {
    return this.startOf(k + 1) - this.windowMs;
  }

  /** Splits a batch by segment and appends each part to its file, and each part's tail to its tail file. */
  write(b: FeatureBatch): void {
    const seg = new Int32Array(b.n);
    const sizes = new Map<number, number>();
    const tails = new Map<number, number>();
    for (let i = 0; i < b.n; i++) {
      const k = this.segmentOf(b.time[i]);
      seg[i] = k;
      sizes.set(k, (sizes.get(k) ?? 0) + 1);
      if (k < this.segments - 1 && b.time[i] >= this.tailFrom(k)) tails.set(k, (tails.get(k) ?? 0) + 1);
    }
    const evStart = evStartOf(b);
    for (const [k, size] of sizes) {
      // Posts before the start matter only as the first segment's context: their tail.
      if (k < 0) continue;
      const idx = new Int32Array(size);
      let x = 0;
      for (let i = 0; i < b.n; i++) if (seg[i] === k) idx[x++] = i;
      this.append(segmentFile(k), sizes.size === 1 ? b : pickFeatures({ ...b, evStart }, idx, this.bands));
    }
    for (const [k, size] of tails) {
      const idx = new Int32Array(size);
      const from = this.tailFrom(k);
      let x = 0;
      for (let i = 0; i < b.n; i++) if (seg[i] === k && b.time[i] >= from) idx[x++] = i;
      this.append(tailFile(k), pickFeatures({ ...b, evStart }, idx, this.bands));
    }
  }

  /** Reads segment k's tail back and deletes its file. */
  readTail(k: number): FeatureBatch[] {
    const file = this.finish(tailFile(k));
    return file ? readSpillFile(file) : [];
  }

  /** Ends writing segment k and returns its file for readSpillFile (null when it has no posts). */
  segmentPath(k: number): string | null {
    return this.finish(segmentFile(k));
  }

  /** Removes every file (also after a failure). */
  close(): void {
    for (const fd of this.fds.values()) closeSync(fd);
    this.fds.clear();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private finish(name: string): string | null {
    const fd = this.fds.get(name);
    if (fd === undefined) return null;
    closeSync(fd);
    this.fds.delete(name);
    return path.join(this.dir, name);
  }

  private append(name: string, b: FeatureBatch): void {
    let fd = this.fds.get(name);
    if (fd === undefined) this.fds.set(name, (fd = openSync(path.join(this.dir, name), 'w')));
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
    if (written !== bytes) throw new Error(`Only ${written} of ${bytes} bytes reached ${path.join(this.dir, name)}; is the disk holding ${this.dir} full?`);
  }
}

/**
 * Reads a spill file (its batches, in write order) and deletes it. The batches' columns are
 * views of one buffer (the file's bytes, no copy): a buffer of their own, so they can move to
 * another thread together, or `scratch`'s, valid until its next read.
 */
export function readSpillFile(file: string, scratch?: ReadScratch): FeatureBatch[] {
  let buf = scratch ? readInto(file, scratch) : readFileSync(file);
  rmSync(file);
  // The views must own their buffer alone (it may move to another thread; a small file is read
  // into Node's shared pool) and start at offset 0 (columns are 8-byte aligned in the file).
  if (!scratch && (buf.byteOffset !== 0 || buf.buffer.byteLength !== buf.byteLength)) buf = new Uint8Array(buf);
  const out: FeatureBatch[] = [];
  let at = 0;
  while (at < buf.length) {
    const head = new Int32Array(buf.buffer, at, 1 + COLUMNS.length);
    at += HEAD_BYTES;
    const b = { n: head[0] } as FeatureBatch;
    COLUMNS.forEach((c, ci) => {
      const bytes = head[ci + 1];
      const Kind = KINDS[c];
      (b as unknown as Record<string, Column>)[c] = new Kind(buf.buffer, at, bytes / Kind.BYTES_PER_ELEMENT);
      at += padded(bytes);
    });
    out.push(b);
  }
  return out;
}

/** A buffer one thread reads its spill files into, file after file (a fresh one per file faults every page in again). */
export interface ReadScratch {
  buf: Uint8Array;
}

function readInto(file: string, scratch: ReadScratch): Uint8Array {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    if (scratch.buf.byteLength < size) scratch.buf = new Uint8Array(Math.ceil((size * 1.25) / 8) * 8);
    for (let at = 0; at < size;) {
      const got = readSync(fd, scratch.buf, at, size - at, at);
      if (got === 0) throw new Error(`${file} ended after ${at} of ${size} bytes while it was read back.`);
      at += got;
    }
    return scratch.buf.subarray(0, size);
  } finally {
    closeSync(fd);
  }
}

const segmentFile = (k: number) => `segment-${k + 1}.bin`;
const tailFile = (k: number) => `tail-${k + 1}.bin`;

/** A piece's header: its post count and each column's byte length, padded to 8 bytes. */
const HEAD_BYTES = padded(4 * (1 + COLUMNS.length));
const PAD = new Uint8Array(8);

function padded(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}
