/** Several watchers of one source on PostgreSQL share its request budget through the store. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { SharedBudget } from '../../src/watch/shared-budget.ts';
import { AcceleratedClock } from '../../src/watch/clock.ts';
import { budgetFor } from '../../src/watch/run.ts';
import { RequestBudget } from '../../src/collect/sources/http.ts';

for (const b of backends()) {
  describe(`request budget of a source [${b.label}]`, () => {
    it(b.label === 'postgres' ? 'is shared by every watcher (SharedBudget)' : 'is the process\'s own (one watcher at a time)', async () => {
      const ts = await b.open();
      try {
        const src = await addSource(ts.store, { kind: 'feed', url: 'http://127.0.0.1:9/feed' });
        const budget = budgetFor(ts.store, Number(src.id), 7, new AcceleratedClock(0, 1));
        assert.ok(b.label === 'postgres' ? budget instanceof SharedBudget : budget instanceof RequestBudget);
        assert.equal(budget.perMinute, 7);
      } finally {
        await ts.cleanup();
      }
    });

    if (b.label !== 'postgres') return;
    it('two connections taking at once never exceed the budget in any 60-second window', async () => {
      const ts = await b.open();
      const second = await ts.reopen();
      try {
        const src = await addSource(ts.store, { kind: 'feed', url: 'http://127.0.0.1:9/feed' });
        // 1 simulated minute = 250 ms.
        const clock = new AcceleratedClock(Date.UTC(2026, 0, 5), 240);
        const a = new SharedBudget(ts.store, Number(src.id), 10, clock);
        const c = new SharedBudget(second, Number(src.id), 10, clock);
        const times: number[] = [];
        const taker = async (budget: SharedBudget) => {
          for (let i = 0; i < 15; i++) {
            await budget.take();
            times.push(budget.lastTakenAt);
          }
        };
        await Promise.all([taker(a), taker(c)]);
        assert.equal(times.length, 30);
        assert.ok(a.used > 0 && c.used > 0, `both got requests (${a.used} and ${c.used})`);
        times.sort((x, y) => x - y);
        for (const t of times) {
          const inWindow = times.filter((u) => u >= t && u < t + 60_000).length;
          assert.ok(inWindow <= 10, `${inWindow} requests within a minute of ${new Date(t).toISOString()}`);
        }
        // Without sharing, the two would have finished 20 requests in the first minute.
        assert.ok(times[29] - times[0] >= 120_000, `30 requests at 10/min took ${Math.round((times[29] - times[0]) / 1000)} s`);
      } finally {
        await second.close();
        await ts.cleanup();
      }
    });
  });
}
