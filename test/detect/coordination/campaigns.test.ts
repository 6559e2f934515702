import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { runCoordination, type CoordinationResult } from '../../../src/detect/coordination/index.ts';
import { generateSynthetic, type SyntheticData } from '../../../src/collect/synthetic/generate.ts';
import { loadCorpus } from '../../../src/collect/synthetic/corpus.ts';
import { loadSynthetic } from '../../../src/collect/synthetic/load.ts';
import { scoreCampaigns } from '../../../src/collect/synthetic/evaluate.ts';
import type { CampaignEvidence } from '../../../src/detect/coordination/findings.ts';

const corpus = loadCorpus(null); // built-in text: the test does not depend on shared data

for (const b of backends()) {
  describe(`coordination on planted campaigns [${b.label}]`, () => {
    let t: TestStore;
    let data: SyntheticData;
    let res: CoordinationResult;
    let platformOf: Map<number, string>;
    let idOf: Map<string, number>;
    before(async () => {
      t = await b.open();
      data = generateSynthetic({ posts: 6000, seed: 11, campaigns: 6, spanDays: 3, corpus });
      await loadSynthetic(t.store, data, { name: 'synthetic' });
      res = await runCoordination(t.store, { windowSeconds: 3600, similarity: 0.8, workers: 0 });
      const rows = await t.store.db.selectFrom('posts').select(['id', 'platform_post_id']).execute();
      platformOf = new Map(rows.map((r) => [Number(r.id), r.platform_post_id]));
      idOf = new Map(rows.map((r) => [r.platform_post_id, Number(r.id)]));
    });
    after(async () => t.cleanup());

    it('finds the planted campaigns and nothing else', () => {
      const detected = res.details.map((c) => ({
        accounts: c.accounts,
        pairs: c.edges.flatMap((e) => e.evidence.map(([x, y]) => [platformOf.get(x)!, platformOf.get(y)!] as [string, string])),
      }));
      const s = scoreCampaigns(data.truth, detected);
      assert.equal(s.planted, 9);
      assert.ok(s.campaignPrecision >= 0.95 && s.campaignRecall >= 0.95, JSON.stringify(s));
      assert.ok(s.pairRecall >= 0.9, JSON.stringify(s));
      const nearMiss = new Set(data.truth.nearMissAccounts);
      for (const c of res.campaigns) for (const a of c.accounts) assert.ok(!nearMiss.has(a), `near-miss account ${a} in a campaign`);
    });

    it('never makes near-miss pairs edges and always makes straddling pairs edges', () => {
      const key = (x: number, y: number) => `${Math.min(x, y)}:${Math.max(x, y)}`;
      const evidence = new Set(res.network.edges.flatMap((e) => e.evidence.map(([x, y]) => key(x, y))));
      for (const [x, y] of data.truth.nearMiss) assert.ok(!evidence.has(key(idOf.get(x)!, idOf.get(y)!)), `near miss ${x} ${y}`);
      for (const [x, y] of data.truth.straddle) assert.ok(evidence.has(key(idOf.get(x)!, idOf.get(y)!)), `straddle ${x} ${y}`);
    });

    it('gives every edge its evidence: one post pair per unit of weight, from the two accounts', async () => {
      assert.ok(res.network.edges.length > 0);
      const rows = await t.store.db.selectFrom('posts').innerJoin('accounts', 'accounts.id', 'posts.account_id')
        .select(['posts.id as id', 'accounts.platform_account_id as account']).execute();
      const accountOf = new Map(rows.map((r) => [Number(r.id), r.account]));
      for (const e of res.network.edges) {
        assert.equal(e.evidence.length, e.weight);
        for (const [x, y] of e.evidence) {
          assert.deepEqual([accountOf.get(x), accountOf.get(y)].sort(), [e.source, e.target].sort());
        }
      }
    });

    it('stores one finding per campaign and replaces them on re-run with stable ids', async () => {
      const first = await t.store.db.selectFrom('findings').selectAll().where('kind', '=', 'campaign').execute();
      assert.equal(first.length, res.campaigns.length);
      const ev = JSON.parse(first[0].evidence) as CampaignEvidence;
      for (const k of ['accounts', 'accountIds', 'posts', 'postIds', 'start', 'end', 'size', 'burstiness', 'types', 'edges', 'representative']) assert.ok(k in ev, k);
      assert.ok(ev.edges.every((e) => e.evidence.length > 0));
      assert.ok(ev.representative.length > 0 && ev.representative[0].text.length > 0);
      const again = await runCoordination(t.store, { windowSeconds: 3600, similarity: 0.8, workers: 0 });
      const second = await t.store.db.selectFrom('findings').select(['key']).where('kind', '=', 'campaign').execute();
      assert.deepEqual(second.map((r) => r.key).sort(), first.map((r) => r.key).sort());
      assert.deepEqual(again.campaigns.map((c) => c.id), res.campaigns.map((c) => c.id));
    });

    if (b.label === 'sqlite') {
      it('gives the same pairs with feature workers as without', async () => {
        const threaded = await runCoordination(t.store, { windowSeconds: 3600, workers: 2, store: false, chunkSize: 500 });
        assert.equal(threaded.stats.pairs, res.stats.pairs);
        assert.deepEqual(threaded.campaigns.map((c) => c.id), res.campaigns.map((c) => c.id));
      });
    }
  });
}
