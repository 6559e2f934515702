/**
 * Coordinated pairs spilled to disk when many. Most pairs of a large corpus are one-off organic
 * coincidences that never make an edge (an edge needs `minWeight` distinct post pairs of one type
 * between two accounts). Pairs are partitioned by (type, account pair) into files, so every edge's
 * pairs land in one partition; each partition is then read alone and only the pairs of groups
 * heavy enough to become edges are kept. buildEdges on the kept pairs gives exactly the edges it
 * gives on all of them: a group's weight is unchanged, and only groups below minWeight are gone.
 */
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PairStore } from './networks.ts';

type Col = Uint8Array | Int32Array | Float64Array;
const COLS = ['type', 'accA', 'accB', 'postA', 'postB', 'timeA', 'timeB'] as const;
const KIND: Record<(typeof COLS)[number], new (b: ArrayBuffer) => Col> = {
  type: Uint8Array, accA: Int32Array, accB: Int32Array, postA: Float64Array, postB: Float64Array, timeA: Float64Array, timeB: Float64Array,
};

/** Pairs partitioned by (type, account pair) into temporary files. */
export class PairSpill {
  readonly dir: string;
  private fds: number[];
  total = 0;

  constructor(readonly partitions = 16, parent = tmpdir()) {
    this.dir = mkdtempSync(path.join(parent, 'censorscope-pairs-'));
    this.fds = Array.from({ length: partitions }, (_, k) => openSync(path.join(this.dir, `pairs-${k}.bin`), 'w'));
  }

  /** Appends every pair of `p` to its partition's file. */
  add(p: PairStore): void {
    const part = new Int32Array(p.length);
    const sizes = new Int32Array(this.partitions);
    for (let i = 0; i < p.length; i++) {
      const h = Math.imul(Math.imul(p.accA[i], 0x9e3779b1) ^ p.accB[i], 0x85ebca6b) ^ p.type[i];
      part[i] = ((h >>> 0) % this.partitions);
      sizes[part[i]]++;
    }
    for (let k = 0; k < this.partitions; k++) {
      const n = sizes[k];
      if (!n) continue;
      const idx = new Int32Array(n);
      let x = 0;
      for (let i = 0; i < p.length; i++) if (part[i] === k) idx[x++] = i;
      writeSync(this.fds[k], new Uint8Array(new Int32Array([n]).buffer));
      for (const c of COLS) {
        const src = p[c];
        const out = new (src.constructor as new (n: number) => Col)(n);
        for (let y = 0; y < n; y++) out[y] = src[idx[y]];
        writeSync(this.fds[k], new Uint8Array(out.buffer));
      }
    }
    this.total += p.length;
  }

  /** The pairs of every (type, account pair) group with at least `minWeight` distinct post pairs; removes the files. */
  reduce(minWeight: number): PairStore {
    const kept = new PairStore();
    try {
      for (let k = 0; k < this.partitions; k++) {
        closeSync(this.fds[k]);
        const p = this.read(k);
        keepHeavy(p, minWeight, kept);
      }
    } finally {
      this.fds = [];
      rmSync(this.dir, { recursive: true, force: true });
    }
    return kept;
  }

  /** Removes the files (also after a failure). */
  close(): void {
    for (const fd of this.fds) closeSync(fd);
    this.fds = [];
    rmSync(this.dir, { recursive: true, force: true });
  }

  private read(k: number): PairStore {
    const buf = readFileSync(path.join(this.dir, `pairs-${k}.bin`));
    const p = new PairStore();
    let at = 0;
    while (at < buf.length) {
      const n = buf.readInt32LE(at);
      at += 4;
      const cols = {} as Record<(typeof COLS)[number], Col>;
      for (const c of COLS) {
        const bytes = n * (KIND[c] === Uint8Array ? 1 : KIND[c] === Int32Array ? 4 : 8);
        cols[c] = new KIND[c](buf.buffer.slice(buf.byteOffset + at, buf.byteOffset + at + bytes));
        at += bytes;
      }
      for (let i = 0; i < n; i++) p.add(cols.type[i], cols.postA[i], cols.accA[i], cols.timeA[i], cols.postB[i], cols.accB[i], cols.timeB[i]);
    }
    return p;
  }
}

/** Appends to `out` the pairs of groups with at least `minWeight` distinct post pairs. */
function keepHeavy(p: PairStore, minWeight: number, out: PairStore): void {
  const { type, accA, accB, postA, postB } = p;
  const idx = new Int32Array(p.length);
  for (let i = 0; i < idx.length; i++) idx[i] = i;
  idx.sort((x, y) => type[x] - type[y] || accA[x] - accA[y] || accB[x] - accB[y] || postA[x] - postA[y] || postB[x] - postB[y]);
  let s = 0;
  while (s < idx.length) {
    const f = idx[s];
    let e = s + 1;
    let distinct = 1;
    while (e < idx.length && type[idx[e]] === type[f] && accA[idx[e]] === accA[f] && accB[idx[e]] === accB[f]) {
      if (postA[idx[e]] !== postA[idx[e - 1]] || postB[idx[e]] !== postB[idx[e - 1]]) distinct++;
      e++;
    }
    if (distinct >= minWeight) {
      for (let k = s; k < e; k++) {
        const i = idx[k];
        out.add(type[i], postA[i], accA[i], p.timeA[i], postB[i], accB[i], p.timeB[i]);
      }
    }
    s = e;
  }
}
