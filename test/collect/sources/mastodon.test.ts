import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSim } from '../../../src/collect/sim/server.ts';
import { MastodonSource } from '../../../src/collect/sources/mastodon.ts';
import { HttpClient, RequestBudget } from '../../../src/collect/sources/http.ts';
import { VirtualClock } from '../../../src/watch/clock.ts';

const START = Date.UTC(2026, 0, 5);

describe('mastodon source against the simulated platform', () => {
  it('lists without gaps; a deletion and a removal are both "deleted", account loss and ghosts apart', async () => {
    const clock = new VirtualClock(START + 36 * 3_600_000);
    const sim = await startSim({ seed: 11, clock, start: START, faultRate: 0, slowRate: 0, scenario: { dataDir: null, postsPerDay: 1500, ghostShare: 0.1 } });
    try {
      const src = new MastodonSource({ url: sim.url, public: true, maxPages: 100 }, new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(10_000, clock), clock }));
      const first = await src.listNew(null);
      assert.ok(first.posts.length > 0 && first.cursor);
      await clock.sleep(3_600_000);
      const next = await src.listNew(first.cursor);
      const now = clock.now();
      const expected = sim.scenario.posts.filter((p) => p.id > first.cursor! && p.created <= now && !(p.fate && p.fate.at <= now) && !(p.ghostFrom != null && p.ghostFrom <= now));
      assert.deepEqual(next.posts.map((p) => p.platformPostId).sort(), expected.map((p) => p.id).sort());
      const byKind = (k: string) => sim.scenario.posts.find((p) => p.fate?.kind === k && p.fate.at < now && p.created < now)!;
      const check = (p: { id: string; account: { id: string } }) => src.checkPost({ platformPostId: p.id, url: null, accountPlatformId: p.account.id });
      // Mastodon answers a moderator's removal and an author's deletion with the same 404.
      const removed = await check(byKind('removed_by_platform'));
      assert.deepEqual([removed.outcome, removed.httpStatus, removed.errorCode], ['deleted', 404, 'Record not found']);
      assert.equal((await check(byKind('deleted_by_author'))).outcome, 'deleted');
      assert.equal((await check(byKind('account_gone'))).outcome, 'account_gone');
      const ghost = sim.scenario.posts.find((p) => p.ghostFrom != null && p.ghostFrom < now && !p.fate)!;
      const g = await check(ghost);
      assert.equal(g.outcome, 'visible');
      assert.equal(g.text, ghost.edit && ghost.edit.at <= now ? ghost.edit.text : ghost.text);
      const acc = await src.checkAccount(byKind('account_gone').account.id);
      assert.equal(acc.state, 'suspended');
    } finally {
      await sim.close();
    }
  });
});
