import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { livePost, type CheckResult } from '../../src/collect/sources/source.ts';
import { ingestPosts } from '../../src/watch/ingest.ts';
import { claimDue } from '../../src/watch/queue.ts';
import { recordCheck } from '../../src/watch/record.ts';
import { DEFAULT_POLICY, nextInterval } from '../../src/watch/policy.ts';

const res = (outcome: CheckResult['outcome'], text?: string): CheckResult => ({ outcome, httpStatus: outcome === 'visible' ? 200 : 404, errorCode: null, detail: {}, ...(text ? { text } : {}) });

for (const b of backends()) {
  describe(`recording checks [${b.label}]`, () => {
    it('needs a confirming re-check; a visible or transient answer in between never yields a deletion', async () => {
      const ts = await b.open();
      try {
        const src = await addSource(ts.store, { kind: 'feed', url: 'http://127.0.0.1:9/feed' });
        const t0 = 1_000_000;
        await ingestPosts(ts.store, Number(src.id), [livePost({ platformPostId: 'x', text: '原文', createdAt: t0 })], t0, DEFAULT_POLICY);
        let now = t0;
        const step = async (r: CheckResult) => {
          const [item] = await claimDue(ts.store, { sourceIds: [Number(src.id)], now: now += 3_600_000, limit: 1, owner: 'w', leaseMs: 60_000 });
          assert.ok(item, 'the post is due');
          return (await recordCheck(ts.store, item, r, now, DEFAULT_POLICY)).recorded;
        };
        const gone = () => ts.store.db.selectFrom('disappearances').selectAll().execute();
        assert.equal(await step(res('deleted_by_author')), 'pending');
        assert.equal(await step(res('visible', '原文')), 'visible');
        assert.equal(await step(res('deleted_by_author')), 'pending');
        assert.equal(await step(res('transient')), 'transient');
        assert.equal(await step(res('removed_by_platform')), 'pending', 'a different kind starts over');
        assert.equal((await gone()).length, 0);
        assert.equal(await step(res('removed_by_platform')), 'removed_by_platform');
        const [d] = await gone();
        assert.equal(d.kind, 'removed_by_platform');
        assert.equal(Number(d.last_seen_at), t0 + 2 * 3_600_000);
        assert.equal(Number(d.first_missing_at), t0 + 5 * 3_600_000);
        const obs = await ts.store.db.selectFrom('observations').selectAll().where('id', '=', d.observation_id!).executeTakeFirstOrThrow();
        assert.equal(obs.outcome, 'removed_by_platform');
        const post = await ts.store.db.selectFrom('posts').selectAll().executeTakeFirstOrThrow();
        assert.equal(post.status, 'removed_by_platform');
        assert.equal(JSON.parse(post.status_evidence!).observationId, Number(d.observation_id));
        assert.equal((await ts.store.db.selectFrom('observations').selectAll().execute()).length, 6);
      } finally {
        await ts.cleanup();
      }
    });

    it('keeps edits as versions and schedules young posts more often than old ones', async () => {
      const ts = await b.open();
      try {
        const src = await addSource(ts.store, { kind: 'feed', url: 'http://127.0.0.1:9/feed' });
        await ingestPosts(ts.store, Number(src.id), [livePost({ platformPostId: 'y', text: 'v1', createdAt: 0 })], 0, DEFAULT_POLICY);
        const [item] = await claimDue(ts.store, { sourceIds: [Number(src.id)], now: 600_000, limit: 5, owner: 'w', leaseMs: 1 });
        const rec = await recordCheck(ts.store, item, res('visible', 'v2'), 600_000, DEFAULT_POLICY);
        assert.equal(rec.recorded, 'edited');
        assert.equal(rec.edited, true);
        const obs = await ts.store.db.selectFrom('observations').select(['id', 'outcome']).execute();
        assert.deepEqual(obs.map((o) => [Number(o.id), o.outcome]), [[rec.observationId, 'visible']], 'the observation id returned is the check\'s row');
        const versions = await ts.store.db.selectFrom('post_versions').select('text').orderBy('seen_at').execute();
        assert.deepEqual(versions.map((v) => v.text), ['v1', 'v2']);
        assert.ok(nextInterval(DEFAULT_POLICY, 10 * 60_000) < nextInterval(DEFAULT_POLICY, 10 * 3_600_000));
        const [w] = await ts.store.db.selectFrom('watch_schedule').selectAll().execute();
        assert.equal(Number(w.next_check_at), 600_000 + nextInterval(DEFAULT_POLICY, 600_000));
        assert.equal(w.lease_owner, null);
        // Past the horizon the watch ends.
        const [again] = await claimDue(ts.store, { sourceIds: [Number(src.id)], now: 8 * 86_400_000, limit: 5, owner: 'w', leaseMs: 1 });
        const last = await recordCheck(ts.store, again, res('visible', 'v3'), 8 * 86_400_000, DEFAULT_POLICY);
        assert.equal(last.recorded, 'expired');
        assert.equal(last.edited, true, 'an edit seen at the horizon is still an edit');
        assert.equal((await recordCheck(ts.store, { ...again, text: 'v3' }, res('visible', 'v3'), 8 * 86_400_000 + 1, DEFAULT_POLICY)).edited, false);
      } finally {
        await ts.cleanup();
      }
    });

    it('schedules stored posts the last run wrote but did not schedule (stopped in between), once', async () => {
      const ts = await b.open();
      try {
        const src = await addSource(ts.store, { kind: 'feed', url: 'http://127.0.0.1:9/feed' });
        const t0 = 5_000_000;
        const posts = [livePost({ platformPostId: 'a', text: '一', createdAt: t0 }), livePost({ platformPostId: 'b', text: '二', createdAt: t0 })];
        // What a run stopped after the write and before the schedule leaves behind.
        await ts.store.bulkWriter().writePosts(Number(src.id), posts, t0);
        const scheduled = async () => (await ts.store.db.selectFrom('watch_schedule').select('post_id').execute()).length;
        assert.equal(await scheduled(), 0);
        assert.equal(await ingestPosts(ts.store, Number(src.id), posts, t0 + 60_000, DEFAULT_POLICY), 0, 'no post was new');
        assert.equal(await scheduled(), 2, 'the stored posts are scheduled all the same');
        const more = [...posts, livePost({ platformPostId: 'c', text: '三', createdAt: t0 })];
        assert.equal(await ingestPosts(ts.store, Number(src.id), more, t0 + 120_000, DEFAULT_POLICY), 1);
        assert.equal(await scheduled(), 3, 'listing again schedules the new post and nothing twice');
        const versions = await ts.store.db.selectFrom('post_versions').select('text').execute();
        assert.deepEqual(versions.map((v) => v.text).sort(), ['一', '三', '二'].sort(), 'each post has its first version once');
      } finally {
        await ts.cleanup();
      }
    });
  });
}
