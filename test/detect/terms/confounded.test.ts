/**
 * Issue 17's trap for term analysis, on real review text (../shared/data/organic-chinese): 25
 * accounts removed 90% of the time whatever they write, each with its habitual phrases (打卡,
 * 周末愉快, 今日份, 随手拍, 晚安) in most of its posts; 8 trigger words planted in ordinary
 * accounts' posts and removed 60% of the time against a 3% baseline (one of them only ever
 * posted by one-post accounts); 8 decoys planted as often and never censored. `terms --json`
 * must flag every trigger and none of the habitual phrases or decoys, because the
 * author-stratified test decides; with authors unknown it says it fell back to the pooled test.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { runCli } from '../../helpers/cli.ts';
import { runTerms, type TermRow } from '../../../src/detect/terms/index.ts';
import { loadCorpus } from '../../../src/collect/synthetic/corpus.ts';
import { emptyPost } from '../../../src/collect/formats/format.ts';
import { createRng } from '../../../src/util/random.ts';
import type { PostRecord } from '../../../src/store/bulk.ts';

const corpus = loadCorpus();
const skip = corpus.source === 'shared' ? false : 'the real review corpus ../shared/data/organic-chinese is absent (CI has it)';

const HABITS = ['打卡', '周末愉快', '今日份', '随手拍', '晚安'];
// Words from the June 4 list of censored keywords; the last is posted only by one-post accounts.
const TRIGGERS = ['六四', '坦克人', '戒严', '绝食', '学联', '民运', '悼念', '平反'];
const DECOYS = ['篮球', '键盘', '银杏', '台风', '钢琴', '高铁', '熊猫', '围巾'];
const BASE = 0.03;
const T0 = Date.UTC(2026, 0, 1);

/** The generated world; `authors: false` drops every account (a source that does not say who wrote what). */
function world(authors: boolean): PostRecord[] {
  const rng = createRng(17);
  const posts: PostRecord[] = [];
  const add = (account: string, parts: string[], removeChance: number) => {
    const p = emptyPost(`p${posts.length}`, parts.join(' '));
    p.accountId = authors ? account : null;
    p.createdAt = T0 + rng.int(0, 30 * 86_400_000);
    p.status = rng.chance(removeChance) ? 'removed_by_platform' : 'visible';
    posts.push(p);
  };
  for (let a = 0; a < 25; a++) {
    const habits = [HABITS[a % HABITS.length]!, HABITS[(a + 2) % HABITS.length]!];
    for (let k = 0; k < 40; k++) {
      const parts = [rng.pick(corpus.organic)];
      for (const h of habits) if (rng.chance(0.7)) parts.push(h);
      add(`risky${a}`, rng.shuffle(parts), 0.9);
    }
  }
  for (let i = 0; i < 4000; i++) {
    const parts = [rng.pick(corpus.organic)];
    let chance = BASE;
    if (rng.chance(0.06)) { parts.push(rng.pick(TRIGGERS.slice(0, 7))); chance = 0.6; }
    if (rng.chance(0.06)) parts.push(rng.pick(DECOYS));
    add(`user${rng.int(0, 399)}`, rng.shuffle(parts), chance);
  }
  for (let i = 0; i < 400; i++) {
    const parts = [rng.pick(corpus.organic)];
    let chance = BASE;
    if (rng.chance(0.08)) { parts.push(TRIGGERS[7]!); chance = 0.6; }
    if (rng.chance(0.06)) parts.push(rng.pick(DECOYS));
    add(`solo${i}`, rng.shuffle(parts), chance);
  }
  return posts;
}

/** A flagged term stands for a planted word when one contains the other (2+ characters). */
const related = (term: string, word: string) => term.length >= 2 && (word.includes(term) || term.includes(word));
const flaggedFor = (rows: Array<Pick<TermRow, 'term'>>, words: string[]) => words.filter((w) => rows.some((t) => related(t.term, w)));
/** Flagged terms no trigger explains that stand for one of `words`. */
const traps = (rows: Array<Pick<TermRow, 'term'>>, words: string[]) =>
  rows.filter((t) => !TRIGGERS.some((w) => related(t.term, w)) && words.some((w) => related(t.term, w))).map((t) => t.term);

async function load(ts: TestStore, posts: PostRecord[]): Promise<void> {
  const src = await ts.store.db.insertInto('sources')
    .values({ kind: 'import', name: 'terms-world', platform: 'test', config: '{}', cursor: null, enabled: 1, created_at: Date.now() })
    .returning('id').executeTakeFirstOrThrow();
  await ts.store.bulkWriter().writePosts(Number(src.id), posts, Date.now(), { versions: false });
}

for (const b of backends()) {
  describe(`terms on a confounded world [${b.label}]`, { skip }, () => {
    let ts: TestStore;
    before(async () => {
      ts = await b.open();
      await load(ts, world(true));
    });
    after(() => ts?.cleanup());

    it('`terms --json` flags every trigger and no habitual phrase of always-removed accounts, nor any decoy', () => {
      const out = runCli(['terms', '--json', '--limit', '1000'], ts.env);
      assert.equal(out.status, 0, out.stderr);
      const doc = JSON.parse(out.stdout) as { test: string; testReason: string; terms: TermRow[] };
      assert.equal(doc.test, 'author-stratified');
      const flagged = doc.terms.filter((t) => t.q <= 0.05);
      assert.equal(flagged.length, doc.terms.length, 'every listed term is flagged at the default FDR');
      assert.deepEqual(flaggedFor(flagged, TRIGGERS), TRIGGERS, JSON.stringify(flagged.map((t) => t.term)));
      assert.deepEqual(traps(flagged, HABITS), [], 'habitual phrases flagged');
      assert.deepEqual(traps(flagged, DECOYS), [], 'decoys flagged');
      // The trigger only one-post accounts wrote is found through the shared stratum.
      const solo = flagged.find((t) => related(t.term, TRIGGERS[7]!))!;
      assert.equal(solo.authors, 0, 'no author has both posts with it and without it');
      assert.ok(solo.qAuthor <= 0.05 && solo.removed > solo.expected + 5, JSON.stringify(solo));
      // Ranked by the stratified q, with the pooled figures kept beside it.
      for (let i = 1; i < flagged.length; i++) assert.ok(flagged[i - 1]!.q <= flagged[i]!.q);
      for (const t of flagged) assert.ok(t.q === t.qAuthor && typeof t.qPooled === 'number' && typeof t.pPooled === 'number');
    });

    it('the world is a real trap: the pooled test, asked for, flags the habitual phrases', async () => {
      const pooled = await runTerms(ts.store, { save: false, limit: 1000, pooled: true });
      assert.equal(pooled.test, 'pooled');
      assert.deepEqual(flaggedFor(pooled.terms.filter((t) => t.qPooled <= 0.05), HABITS), HABITS);
      // And every habitual phrase, tested stratified, is cleared: its removals follow its authors.
      const auto = await runTerms(ts.store, { save: false, limit: 1000 });
      for (const h of HABITS) {
        const rows = pooled.terms.filter((t) => related(t.term, h));
        assert.ok(rows.length > 0, `${h} is in the pooled list`);
        for (const row of rows) assert.ok(row.qAuthor > 0.05, `${row.term}: qAuthor ${row.qAuthor}`);
        // Where the phrase is a term itself, its authors' own rates explain its removals.
        const own = rows.find((t) => t.term === h);
        if (h.length <= 3) assert.ok(own && Math.abs(own.removed - own.expected) < 0.1 * own.removed, `${h}: ${JSON.stringify(own)}`);
        assert.ok(!auto.terms.some((t) => related(t.term, h)));
      }
    });
  });

  describe(`terms where authors are unknown [${b.label}]`, { skip }, () => {
    let ts: TestStore;
    before(async () => {
      ts = await b.open();
      await load(ts, world(false));
    });
    after(() => ts?.cleanup());

    it('falls back to the pooled test and says so', () => {
      const out = runCli(['terms', '--json', '--limit', '1000'], ts.env);
      assert.equal(out.status, 0, out.stderr);
      const doc = JSON.parse(out.stdout) as { test: string; testReason: string; unstratifiedPosts: number; posts: number; terms: TermRow[] };
      assert.equal(doc.test, 'pooled');
      assert.match(doc.testReason, /no author has two posts/);
      assert.equal(doc.unstratifiedPosts, doc.posts);
      for (const t of doc.terms) assert.equal(t.q, t.qPooled);
      // Without authors the confounding cannot be removed: the habitual phrases are flagged, and
      // the baseline they inflate hides some of the triggers.
      assert.deepEqual(flaggedFor(doc.terms, HABITS), HABITS);
      assert.ok(flaggedFor(doc.terms, TRIGGERS).length > 0);
      const text = runCli(['terms'], ts.env);
      assert.match(text.stdout, /Deciding test: Pooled: no author has two posts/);
    });
  });
}
