/** bench/scale's arithmetic: the 100M projection and the budget-window counts its verdicts rest on. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fmt, maxInBuckets, maxInWindow, project } from '../../bench/scale/project.ts';

describe('bench/scale projection', () => {
  it('extends linear time and flat memory as such, from the two largest sizes', () => {
    const p = project([{ posts: 1e5, seconds: 99, peakMB: 10 }, { posts: 1e6, seconds: 10, peakMB: 500 }, { posts: 1e7, seconds: 100, peakMB: 500 }], 1e8)!;
    assert.ok(Math.abs(p.seconds - 1000) < 1e-6, `time ${p.seconds}`);
    assert.ok(Math.abs(p.peakMB! - 500) < 1e-6, `memory ${p.peakMB}`);
    assert.match(p.how, /through 1M and 10M \(time b = 1\.00, memory b = 0\.00\)/);
  });

  it('extends superlinear growth with its exponent, and needs two sizes', () => {
    const p = project([{ posts: 1e6, seconds: 10, peakMB: null }, { posts: 4e6, seconds: 160, peakMB: null }], 8e6)!;
    assert.ok(Math.abs(p.seconds - 640) < 1e-6, `time ${p.seconds}`); // b = 2
    assert.equal(p.peakMB, null);
    assert.equal(project([{ posts: 1e6, seconds: 1, peakMB: 1 }], 1e8), null);
  });
});

describe('bench/scale budget windows', () => {
  it('counts the busiest 60 s sliding window', () => {
    assert.equal(maxInWindow([0, 59_999, 60_000, 60_001, 119_000], 60_000), 4);
    assert.equal(maxInWindow([5, 1, 3], 60_000), 3);
    assert.equal(maxInWindow([], 60_000), 0);
  });

  it('counts the busiest 12 five-second buckets, the shared budget\'s rule', () => {
    // Buckets 0 and 11 are one window; bucket 12 starts the next.
    assert.equal(maxInBuckets([0, 4_999, 55_000, 59_999, 60_000]), 4);
    assert.equal(maxInBuckets([60_000, 61_000, 119_999]), 3);
  });

  it('names sizes shortly', () => {
    assert.deepEqual([fmt(1e6), fmt(5e4), fmt(100_000_000), fmt(1234)], ['1M', '50k', '100M', '1234']);
  });
});
