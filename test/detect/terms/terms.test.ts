import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { runCli } from '../../helpers/cli.ts';
import { runTerms, bucketOf } from '../../../src/detect/terms/index.ts';
import { wilson } from '../../../src/detect/terms/stats.ts';
import { outcomePosts, postsByAuthor } from '../../../src/detect/terms/read.ts';
import type { PostRecord } from '../../../src/store/bulk.ts';
import type { PostStatus } from '../../../src/store/schema.ts';

const DAY = 86_400_000;
const MON = Date.UTC(2024, 0, 1); // a Monday

function post(id: string, account: string, text: string, status: PostStatus, createdAt: number): PostRecord {
  return {
    platformPostId: id, accountId: account, accountHandle: account, accountName: null, createdAt, text, language: null, url: null,
    replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: null, status, statusChangedAt: null, statusEvidence: null, extra: null,
  };
}

/**
 * Ten authors each post "freedom" once (removed, in the second week) and eight harmless posts;
 * two of them also posted "freedom" earlier and deleted it themselves. One prolific account
 * has all forty of its posts removed, twenty of them saying "pills". Unknown outcomes are left out.
 */
function fixture(): PostRecord[] {
  const posts: PostRecord[] = [];
  for (let a = 1; a <= 10; a++) {
    posts.push(post(`f${a}`, `a${a}`, `freedom of speech 自由万岁`, 'removed_by_platform', MON + 9 * DAY + a * 1000));
    for (let k = 0; k < 8; k++) posts.push(post(`n${a}-${k}`, `a${a}`, 'nice weather today', 'visible', MON + k * DAY));
    if (a <= 2) posts.push(post(`d${a}`, `a${a}`, 'freedom again', 'deleted_by_author', MON + 1000 * a));
    posts.push(post(`u${a}`, `a${a}`, 'freedom unknown fate', 'unknown', MON));
  }
  for (let k = 0; k < 20; k++) {
    posts.push(post(`s${k}`, 'spammer', 'buy pills cheap', 'removed_by_platform', MON + k * DAY));
    posts.push(post(`h${k}`, 'spammer', 'hello world', 'removed_by_platform', MON + k * DAY));
  }
  return posts;
}

/** A store of backend `b` holding `posts` in one import source. */
async function seeded(b: ReturnType<typeof backends>[number], name: string, posts: PostRecord[]): Promise<TestStore> {
  const ts = await b.open();
  const src = await ts.store.db.insertInto('sources')
    .values({ kind: 'import', name, platform: 'test', config: '{}', cursor: null, enabled: 1, created_at: Date.now() })
    .returning('id').executeTakeFirstOrThrow();
  await ts.store.bulkWriter().writePosts(Number(src.id), posts, Date.now());
  return ts;
}

/** P(X ≥ x) by direct summation, independent of the library's incomplete beta. */
function tail(x: number, n: number, p: number): number {
  let s = 0;
  for (let k = x; k <= n; k++) {
    let c = 1;
    for (let i = 0; i < k; i++) c = (c * (n - i)) / (i + 1);
    s += c * p ** k * (1 - p) ** (n - k);
  }
  return s;
}

for (const b of backends()) {
  describe(`terms [${b.label}]`, () => {
    let ts: TestStore;
    before(async () => {
      ts = await seeded(b, 'terms-test', fixture());
    });
    after(() => ts.cleanup());

    it('counts posts and removals per term against the baseline, with exact tests', async () => {
      const r = await runTerms(ts.store, { minPosts: 5, fdr: 0.05, by: 'week' });
      assert.equal(r.posts, 132);
      assert.equal(r.removed, 50);
      assert.equal(r.baseline, 50 / 132);
      const freedom = r.terms.find((t) => t.term === 'freedom');
      assert.ok(freedom, JSON.stringify(r.terms.map((t) => t.term)));
      assert.equal(freedom.posts, 12);
      assert.equal(freedom.removed, 10);
      assert.equal(freedom.rate, 10 / 12);
      const w = wilson(10, 12);
      assert.equal(freedom.low, w.low);
      assert.equal(freedom.high, w.high);
      // The pooled figures: the exact binomial tail against the baseline.
      assert.ok(Math.abs(freedom.pPooled - tail(10, 12, 50 / 132)) < 1e-12, `${freedom.pPooled} vs ${tail(10, 12, 50 / 132)}`);
      assert.ok(freedom.qPooled >= freedom.pPooled && freedom.qPooled <= 0.05);
      // Authors are known, so the author-stratified test decides. By hand: a1, a2 have 10 posts,
      // one removed, two with "freedom"; a3–a10 have 9, one removed, one with it. E = 2·(2/10) +
      // 8·(1/9); p = P(Binomial(12, E/12) ≥ 10).
      assert.equal(r.test, 'author-stratified');
      assert.equal(freedom.authors, 10);
      const e = 0.4 + 8 / 9;
      assert.ok(Math.abs(freedom.expected - e) < 1e-12, String(freedom.expected));
      assert.ok(Math.abs(freedom.pAuthor / tail(10, 12, e / 12) - 1) < 1e-9, `${freedom.pAuthor} vs ${tail(10, 12, e / 12)}`);
      assert.equal(freedom.p, freedom.pAuthor);
      assert.equal(freedom.q, freedom.qAuthor);
      assert.ok(freedom.q >= freedom.p && freedom.q <= 0.05);
      // Slices of the same phrase with the same counts are folded into one row, named by a word.
      const phrase = r.terms.filter((t) => t.term === '自由' || t.variants.includes('自由'));
      assert.equal(phrase.length, 1, JSON.stringify(r.terms.map((t) => [t.term, t.variants])));
      assert.ok(['自由', '万岁'].includes(phrase[0]!.term), 'named by a jieba word, not an n-gram');
      assert.deepEqual([phrase[0]!.term, ...phrase[0]!.variants].sort(), ['万岁', '由万', '由万岁', '自由', '自由万'].sort());
      assert.equal(phrase[0]!.posts, 10);
      assert.ok(!r.terms.some((t) => t.term === 'weather'), 'never-removed terms are not reported');
      // Ranked by q.
      for (let i = 1; i < r.terms.length; i++) assert.ok(r.terms[i - 1]!.q <= r.terms[i]!.q);
    });

    it("reads every post of known outcome once, each author's posts together, in pages of any size", async () => {
      const all: number[] = [];
      for await (const page of outcomePosts(ts.store, undefined, 7)) all.push(...page.map((p) => p.id));
      assert.equal(all.length, 132, 'the ten unknown-fate posts of 142 are left out');
      assert.deepEqual(all, [...all].sort((a, b) => a - b));
      for (const size of [3, 12, 5000]) {
        const seen: Array<{ id: number; accountId: number | null }> = [];
        for await (const page of postsByAuthor(ts.store, undefined, size)) seen.push(...page);
        assert.deepEqual(seen.map((p) => p.id).sort((a, b) => a - b), all, `page ${size}: every post once`);
        const order = seen.map((p) => p.accountId).filter((a, i, xs) => i === 0 || a !== xs[i - 1]);
        assert.equal(new Set(order).size, order.length, `page ${size}: each author's posts come together`);
      }
    });

    it('stratifies by author: one prolific, always-removed account does not make its words sensitive', async () => {
      const r = await runTerms(ts.store, { minPosts: 5, save: false });
      assert.equal(r.test, 'author-stratified');
      assert.match(r.testReason, /same authors' other posts \(11 authors with several posts\)/);
      assert.ok(!r.terms.some((t) => t.term === 'pills' || t.term === 'cheap'), JSON.stringify(r.terms.map((t) => t.term)));
      assert.ok(r.terms.some((t) => t.term === 'freedom'));
      // The unstratified test, asked for, flags the spammer's words; the stratified figures clear them.
      const pooled = await runTerms(ts.store, { minPosts: 5, save: false, pooled: true });
      assert.equal(pooled.test, 'pooled');
      const pills = pooled.terms.find((t) => t.term === 'pills')!;
      assert.ok(pills.q < 0.05 && pills.q === pills.qPooled, 'unstratified test flags it');
      assert.equal(pills.pAuthor, 1);
      assert.equal(pills.expected, 20, 'an always-removed author explains every removal');
    });

    it('builds timelines showing when a term became sensitive, and stores one finding', async () => {
      const r = await runTerms(ts.store, { minPosts: 5, by: 'week' });
      const freedom = r.terms.find((t) => t.term === 'freedom')!;
      assert.deepEqual(r.timeline['freedom'], [
        { bucket: '2024-01-01', posts: 2, removed: 0, rate: 0 },
        { bucket: '2024-01-08', posts: 10, removed: 10, rate: 1 },
      ]);
      assert.equal(freedom.sensitiveSince, '2024-01-08');
      assert.equal(bucketOf(Date.UTC(2024, 0, 14, 23), 'week'), '2024-01-08');
      const rows = await ts.store.db.selectFrom('findings').selectAll().where('kind', '=', 'terms').execute();
      assert.equal(rows.length, 1, 're-running replaces the finding');
      assert.equal(rows[0]!.key, 'latest');
      const ev = JSON.parse(rows[0]!.evidence) as { baseline: number; terms: Array<{ term: string }>; timeline: Record<string, Array<{ bucket: string }>> };
      assert.equal(ev.baseline, 50 / 132);
      assert.deepEqual(ev.timeline['freedom']!.map((p) => p.bucket), ['2024-01-01', '2024-01-10'], 'stored timelines are daily');
    });

    it('prunes rare n-grams under a memory cap, recounts survivors exactly, and flags possible losses', async () => {
      // Its own store: the fixture plus ten one-post accounts each with a word no one else uses.
      const own = await b.open();
      try {
        const src = await own.store.db.insertInto('sources')
          .values({ kind: 'import', name: 'terms-prune', platform: 'test', config: '{}', cursor: null, enabled: 1, created_at: Date.now() })
          .returning('id').executeTakeFirstOrThrow();
        const rare = Array.from({ length: 10 }, (_, i) => post(`r${i}`, `solo${i}`, `rare${String.fromCharCode(97 + (i % 26))}${i}x word${i}y`, 'visible', MON));
        await own.store.bulkWriter().writePosts(Number(src.id), [...fixture(), ...rare], Date.now());
        // Pruning applies where the posts are read from the store author by author (hold: false).
        const r = await runTerms(own.store, { minPosts: 5, maxTerms: 30, save: false, hold: false });
        const full = await runTerms(own.store, { minPosts: 5, save: false });
        assert.equal(r.pruned, true);
        assert.equal(r.approximate, false);
        assert.ok(full.terms.length >= 3);
        assert.deepEqual(r.terms, full.terms);
        const tiny = await runTerms(own.store, { minPosts: 5, maxTerms: 4, save: false, hold: false });
        assert.equal(tiny.approximate, true, 'a cap too small to keep every frequent term is reported');
        // Posts held in memory are counted exactly over their dictionary: the cap does not apply.
        const held = await runTerms(own.store, { minPosts: 5, maxTerms: 4, save: false });
        assert.equal(held.pruned, false);
        assert.deepEqual(held.terms, full.terms);
        for (const t of tiny.terms) {
          const same = full.terms.find((f) => f.term === t.term)!;
          assert.equal(t.posts, same.posts, 'reported counts are exact even then');
          assert.equal(t.expected, same.expected, 'and so are the stratified sums');
        }
      } finally {
        await own.cleanup();
      }
    });

    it('`censorscope terms --json` prints exactly the documented shape', () => {
      const out = runCli(['terms', '--json', '--min-posts', '5', '--fdr', '0.05', '--by', 'week'], ts.env);
      assert.equal(out.status, 0, out.stderr);
      const doc = JSON.parse(out.stdout) as { baseline: number; test: string; terms: Array<Record<string, unknown>> };
      assert.equal(doc.baseline, 50 / 132);
      assert.equal(doc.test, 'author-stratified');
      for (const key of ['term', 'posts', 'removed', 'rate', 'low', 'high', 'q', 'qPooled', 'pPooled', 'qAuthor', 'expected']) assert.ok(key in doc.terms[0]!, key);
      for (const t of doc.terms) assert.equal(t.q, t.qAuthor, 'q is the author-stratified q');
      assert.deepEqual(doc.terms.map((t) => t.term).filter((t) => t === 'pills' || t === 'cheap'), []);
      const text = runCli(['terms', '--by', 'day'], ts.env);
      assert.equal(text.status, 0, text.stderr);
      assert.match(text.stdout, /baseline 37\.88%/);
      assert.match(text.stdout, /Deciding test: Author-stratified/);
      assert.match(text.stdout, /freedom/);
    });
  });
}

/**
 * A Mastodon-like world: the platform never says who removed a post, so posts with the trigger
 * word are stored as `deleted` (actor unknown). Ten authors each post it once (gone) beside
 * eight ordinary posts (visible).
 */
function unattributed(): PostRecord[] {
  const posts: PostRecord[] = [];
  for (let a = 1; a <= 10; a++) {
    posts.push(post(`t${a}`, `m${a}`, 'remember tiananmen square', 'deleted', MON + 3 * DAY + a * 1000));
    for (let k = 0; k < 8; k++) posts.push(post(`v${a}-${k}`, `m${a}`, 'lovely morning coffee', 'visible', MON + k * DAY));
  }
  return posts;
}

for (const b of backends()) {
  describe(`terms on unattributed disappearances (--removed-as) [${b.label}]`, () => {
    let ts: TestStore;
    before(async () => {
      ts = await seeded(b, 'mastodon-like', unattributed());
    });
    after(() => ts.cleanup());

    it('by default leaves `deleted` posts out (actor unknown), and counts them as removals only when asked', async () => {
      const plain = await runTerms(ts.store, { minPosts: 5, save: false });
      assert.deepEqual(plain.removedAs, ['removed_by_platform']);
      assert.equal(plain.posts, 80, 'the deleted posts are not read as visible');
      assert.equal(plain.removed, 0);
      assert.deepEqual(plain.terms, []);
      const asked = await runTerms(ts.store, { minPosts: 5, save: false, removedAs: ['removed_by_platform', 'deleted'] });
      assert.deepEqual(asked.removedAs, ['removed_by_platform', 'deleted']);
      assert.equal(asked.posts, 90);
      assert.equal(asked.removed, 10);
      assert.equal(asked.test, 'author-stratified');
      assert.ok(asked.terms.some((t) => t.term === 'tiananmen'), JSON.stringify(asked.terms.map((t) => t.term)));
      assert.ok(!asked.terms.some((t) => t.term === 'coffee'));
    });

    it('`censorscope terms --removed-as` takes statuses and refuses anything else with a sentence', () => {
      const out = runCli(['terms', '--json', '--removed-as', 'removed_by_platform,deleted'], ts.env);
      assert.equal(out.status, 0, out.stderr);
      const doc = JSON.parse(out.stdout) as { removedAs: string[]; terms: Array<{ term: string }> };
      assert.deepEqual(doc.removedAs, ['removed_by_platform', 'deleted']);
      assert.ok(doc.terms.some((t) => t.term === 'tiananmen'));
      for (const bad of ['visible', 'gone', '']) {
        const r = runCli(['terms', '--removed-as', bad], ts.env);
        assert.notEqual(r.status, 0, bad);
        assert.match(r.stderr, /--removed-as takes post statuses other than visible/);
      }
    });
  });
}
