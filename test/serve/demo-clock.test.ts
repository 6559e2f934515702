/**
 * The demo's clock starts in the past, runs fast until it reaches the present and never passes
 * it; the simulator tells the watcher the pace it runs at now. A term's timeline is read as UTC
 * days, whatever the stored points look like.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CatchUpClock } from '../../src/serve/demo-clock.ts';
import { startSim } from '../../src/collect/sim/server.ts';
import { SIM_SPEED_HEADER, SIM_TIME_HEADER } from '../../src/watch/clock.ts';
import { dailyTimeline } from '../../src/serve/api/terms.ts';

const DAY = 86_400_000;

describe('the demo clock', () => {
  it('runs at its speed until it reaches the wall clock, then keeps its pace and never passes it', () => {
    let wall = Date.UTC(2026, 0, 10);
    const clock = new CatchUpClock(wall - 2 * DAY, 300, () => wall);
    assert.equal(clock.now(), wall - 2 * DAY);
    assert.equal(clock.rate, 300);
    // Two days behind at 299 simulated ms gained per wall ms: caught up after 2 days / 299.
    assert.equal(clock.caughtUpAt, wall + (2 * DAY) / 299);
    wall += 60_000;
    assert.equal(clock.now(), wall - 2 * DAY - 60_000 + 300 * 60_000);
    for (const step of [10 * 60_000, 3 * 60_000, DAY]) {
      wall += step;
      assert.ok(clock.now() <= wall, `ahead of the wall clock by ${clock.now() - wall} ms`);
    }
    assert.equal(clock.now(), wall);
    assert.equal(clock.rate, 1);
  });

  it('converts a sleep to wall time across the catch-up', () => {
    let wall = 1_000_000_000_000;
    const clock = new CatchUpClock(wall - 299 * 1000, 300, () => wall);
    // 1000 wall ms to catch up (299 s behind, 299 gained per ms), in which 300 s of clock pass.
    assert.equal(clock.realDuration(150_000), 500);
    assert.equal(clock.realDuration(300_000), 1000);
    assert.equal(clock.realDuration(310_000), 1000 + 10_000);
    wall += 5000;
    assert.equal(clock.realDuration(7000), 7000);
  });

  it('refuses a speed below 1', () => {
    assert.throws(() => new CatchUpClock(0, 0.5), /at least 1/);
  });

  it('has the simulator send its current pace to the watcher', async () => {
    let wall = Date.now();
    const start = wall - DAY;
    const clock = new CatchUpClock(start, 50, () => wall);
    const sim = await startSim({ port: 0, start, clock, faultRate: 0, slowRate: 0, outages: null, speed: 50 });
    try {
      const fast = await fetch(`${sim.url}/api/v1/instance`);
      assert.equal(fast.headers.get(SIM_SPEED_HEADER), '50');
      assert.equal(Number(fast.headers.get(SIM_TIME_HEADER)), start);
      wall = clock.caughtUpAt + 1000;
      const caught = await fetch(`${sim.url}/api/v1/instance`);
      assert.equal(caught.headers.get(SIM_SPEED_HEADER), '1');
      assert.equal(Number(caught.headers.get(SIM_TIME_HEADER)), Math.floor(wall));
    } finally {
      await sim.close();
    }
  });
});

describe("a term's daily timeline", () => {
  it('reads every stored shape as UTC days, merges a day given twice and adds Wilson intervals', () => {
    const t = dailyTimeline([
      { bucket: '2026-01-02', posts: 80, removed: 22 },
      { bucket: '2026-01-01', posts: 40, removed: 8 },
      { day: Date.UTC(2026, 0, 3, 23, 59), posts: 5, removed: 1 },
      { date: '2026-01-03T00:30:00+01:00', posts: 5, removed: 2 }, // 2026-01-02 23:30 UTC
      { bucket: 'not a day', posts: 9, removed: 1 },
      { bucket: '2026-01-04', posts: 3, removed: 4 }, // more removed than posts: not drawn
      null,
    ]);
    assert.deepEqual(t.map((p) => [p.bucket, p.day, p.posts, p.removed]), [
      ['2026-01-01', Date.UTC(2026, 0, 1), 40, 8],
      ['2026-01-02', Date.UTC(2026, 0, 2), 85, 24],
      ['2026-01-03', Date.UTC(2026, 0, 3), 5, 1],
    ]);
    // 8 of 40 by hand: 0.1050–0.3476.
    assert.deepEqual([Number(t[0]!.low.toFixed(4)), Number(t[0]!.high.toFixed(4))], [0.105, 0.3476]);
    assert.equal(t[1]!.rate, 24 / 85);
  });
});
