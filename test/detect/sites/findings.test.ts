/**
 * The `site` detector on both store backends: captures classified in order and stored as the
 * watcher stores them become one finding per state change (never one for reachable <-> updated),
 * with the same row `siteFinding` gives the watcher; a re-run replaces rather than duplicates.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { SiteRun, T0, answer, failure, govPage, hiddenGamblingBlock, DEFACEMENT, ICP_NOTICE } from './pages.ts';
import { runSites, siteFinding, isStateChange, sitesDetector, SITE_KIND } from '../../../src/detect/sites/index.ts';
import { DETECTORS } from '../../../src/detect/index.ts';
import type { FetchOutcome } from '../../../src/detect/sites/types.ts';

const HOUR = 3_600_000;
const SITE = { every_ms: HOUR, webhook: null, category: null, enabled: 1, added_at: T0, next_check_at: T0, lease_owner: null, lease_until: null, state: null, state_since: null, last_capture_id: null };

describe('state changes', () => {
  it('reachable <-> updated is no change; anything else is; a first healthy capture is none', () => {
    assert.equal(isStateChange(null, 'reachable'), false);
    assert.equal(isStateChange(null, 'defaced'), true);
    assert.equal(isStateChange('reachable', 'updated'), false);
    assert.equal(isStateChange('updated', 'reachable'), false);
    assert.equal(isStateChange('updated', 'injected'), true);
    assert.equal(isStateChange('injected', 'injected'), false);
    assert.equal(isStateChange('down', 'taken_down'), true);
    assert.equal(isStateChange('down', 'reachable'), true);
  });

  it('is registered as the `site` detector', () => {
    assert.ok(DETECTORS.includes(sitesDetector));
    assert.equal(sitesDetector.name, SITE_KIND);
  });
});

for (const b of backends()) {
  describe(`site findings rebuilt from captures [${b.label}]`, () => {
    let t: TestStore;
    const changes: Array<{ captureId: number; verdict: string }> = [];
    let siteId = 0;
    before(async () => {
      t = await b.open();
      const db = t.store.db;
      const site = await db.insertInto('tracked_sites').values({ ...SITE, url: 'https://www.example.gov.cn/', name: '清河县政府' })
        .returning('id').executeTakeFirstOrThrow();
      siteId = Number(site.id);
      await db.insertInto('tracked_sites').values({ ...SITE, url: 'https://quiet.example/', name: null }).execute();
      const visits: FetchOutcome[] = [
        answer(govPage({ visit: 0 }), { at: T0 }),
        answer(govPage({ visit: 1, news: ['新的一条要闻', '关于做好今冬明春森林防火工作的通知'] }), { at: T0 + HOUR }),
        answer(govPage({ visit: 2, news: ['新的一条要闻', '关于做好今冬明春森林防火工作的通知'], extra: hiddenGamblingBlock() }), { at: T0 + 2 * HOUR }),
        answer(govPage({ visit: 3, news: ['新的一条要闻', '关于做好今冬明春森林防火工作的通知'], extra: hiddenGamblingBlock() }), { at: T0 + 3 * HOUR }),
        answer(govPage({ visit: 4, news: ['新的一条要闻', '关于做好今冬明春森林防火工作的通知'] }), { at: T0 + 4 * HOUR }),
        answer(DEFACEMENT, { at: T0 + 5 * HOUR }),
        failure('ETIMEDOUT', T0 + 6 * HOUR),
        answer(ICP_NOTICE, { at: T0 + 7 * HOUR }),
      ];
      const run = new SiteRun();
      let prev: string | null = null;
      for (const [i, o] of visits.entries()) {
        const c = run.visit(o);
        const row = await db.insertInto('site_captures').values({
          site_id: siteId, at: o.at, status: o.kind === 'answer' ? o.status : null, final_url: o.kind === 'answer' ? o.finalUrl : null,
          verdict: c.verdict, reasons: JSON.stringify(c.reasons), digest: run.history[0]!.snapshot?.bodyDigest ?? null,
          error_code: o.kind === 'failure' ? o.code : null, snapshot: JSON.stringify(run.history[0]!.snapshot), diff: JSON.stringify(c.diff),
          baseline_id: null, record_id: 100 + i, probe_measurement_id: null,
        }).returning('id').executeTakeFirstOrThrow();
        if (isStateChange(prev as never, c.verdict)) changes.push({ captureId: Number(row.id), verdict: c.verdict });
        prev = c.verdict;
      }
    });
    after(async () => t?.cleanup());

    it('writes one finding per state change, in order, with the evidence the watcher writes', async () => {
      const r = await runSites(t.store);
      assert.deepEqual(r, { sites: 2, captures: 8, findings: 5 });
      assert.deepEqual(changes.map((c) => c.verdict), ['injected', 'reachable', 'defaced', 'down', 'taken_down']);
      const rows = await t.store.db.selectFrom('findings').selectAll().where('kind', '=', SITE_KIND).orderBy('created_at').execute();
      assert.deepEqual(rows.map((r) => r.key), changes.map((c) => `site:${siteId}:${c.captureId}`));
      const inj = JSON.parse(rows[0]!.evidence);
      assert.deepEqual(Object.keys(inj).sort(), ['at', 'captureId', 'digest', 'from', 'name', 'reasons', 'recordId', 'siteId', 'to', 'url']);
      assert.equal(inj.from, 'updated');
      assert.equal(inj.to, 'injected');
      assert.equal(inj.recordId, 102);
      assert.match(rows[0]!.summary, /^清河县政府 \(https:\/\/www\.example\.gov\.cn\/\) is carrying injected spam or code \(was updated\): 14 hidden links added to 9 new hosts/);
      assert.ok(rows[2]!.score > rows[1]!.score, 'defaced outranks a recovery');
      // The watcher's row for the same change is the same row.
      const watcherRow = siteFinding({ id: siteId, url: 'https://www.example.gov.cn/', name: '清河县政府' },
        { id: inj.captureId, at: inj.at, verdict: 'injected', reasons: inj.reasons, recordId: 102, digest: inj.digest }, 'updated');
      const { id: _id, ...stored } = rows[0]!;
      assert.deepEqual({ ...stored, created_at: Number(stored.created_at), score: Number(stored.score) }, watcherRow);
    });

    it('a re-run replaces the findings rather than duplicating them', async () => {
      await runSites(t.store, { page: 3 });
      const n = await t.store.db.selectFrom('findings').select((eb) => eb.fn.countAll<number>().as('n')).where('kind', '=', SITE_KIND).executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 5);
    });
  });
}
