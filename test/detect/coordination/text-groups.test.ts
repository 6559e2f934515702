/**
 * Near-duplicate text groups (what a campaign page lists) must be the detector's own notion of
 * "the same text": checked against hand-built variants, against an exact brute-force grouping
 * of Meta's real Spamouflage headlines (the LSH shortcut must lose nothing), and against the
 * detector itself — every co_tweet / co_similar_tweet pair it reports lies inside one group.
 * The real-data parts need ../shared/data and skip with a message when it is absent.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { groupTexts, type GroupPost } from '../../../src/detect/coordination/text-groups.ts';
import { resolveOptions } from '../../../src/detect/coordination/options.ts';
import { normaliseText } from '../../../src/detect/coordination/normalise.ts';
import { jaccard, shingles } from '../../../src/detect/coordination/shingle.ts';
import { edgeTypeLabel, formatWindow } from '../../../src/detect/coordination/edge-types.ts';
import { QUT_EDGE_TYPE } from '../../../src/detect/coordination/networks.ts';
import { runCoordination } from '../../../src/detect/coordination/index.ts';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { p, seed } from './fixtures.ts';

const OPTS = resolveOptions({});
const DATA = join(import.meta.dirname, '../../../../shared/data');
const SPAMOUFLAGE = join(DATA, 'campaigns/meta-2023q2-spamouflage-china.csv');
const present = existsSync(SPAMOUFLAGE);
if (!present && process.env.CI) throw new Error(`CI is set but ${SPAMOUFLAGE} is absent: the shared data must be present in CI.`);
const noData = present ? false : `${SPAMOUFLAGE} is absent (the shared data; CI has it)`;
if (noData) console.warn(`# text-group real-data tests skipped: ${noData}`);

/** Headlines and posts Meta attributes to the network (tactic 6: posting content). */
function spamouflageTexts(): string[] {
  const rows = parse(readFileSync(SPAMOUFLAGE), { columns: true, bom: true }) as Array<Record<string, string>>;
  return rows.filter((r) => r.Procedure?.startsWith('6.') && r.Indicator?.trim()).map((r) => r.Indicator!);
}

const posts = (texts: string[]): GroupPost[] => texts.map((text, i) => ({ id: i + 1, text, account: i % 3, time: 1_000 * i }));
const sim = (a: string, b: string) => jaccard(shingles(normaliseText(a).text), shingles(normaliseText(b).text));

/** Groups as sets of post ids, for comparing partitions. */
const partition = (groups: Array<{ postIds: number[] }>) => groups.map((g) => [...g.postIds].sort((a, b) => a - b).join(',')).sort();

describe('near-duplicate text groups', () => {
  it('puts a message\'s variants (punctuation, width, Traditional characters, one word more) in one group and other messages apart', () => {
    const texts = [
      '坚决拥护清朗行动，净化网络空间人人有责，大家一起转发支持！',
      '坚决拥护清朗行动!净化网络空间 人人有责 大家一起转发支持!!',
      '堅決擁護清朗行動，淨化網絡空間人人有責，大家一起轉發支持！',
      '坚决拥护清朗行动，净化网络空间人人有责，请大家一起转发支持！',
      'Foreign media lies about the region will never succeed. Share the truth with everyone!',
      'ＦＯＲＥＩＧＮ media lies about the region will never succeed — share the truth with everyone',
      '今天的午饭很好吃，推荐大家去这家店尝尝他们的招牌菜',
    ];
    const groups = groupTexts(posts(texts), OPTS);
    assert.deepEqual(partition(groups), ['1,2,3,4', '5,6', '7']);
    const [big] = groups;
    assert.equal(big!.variants, 3, 'the Traditional text normalises to the first; spacing and 请 make two more');
    assert.equal(big!.accounts, 3);
    assert.deepEqual([big!.first, big!.last], [0, 3000]);
    assert.equal(groups.reduce((s, g) => s + g.postIds.length, 0), texts.length);
  });

  it('represents a group by its medoid, not its most frequent wording', () => {
    const words = 'one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty';
    const b = words;
    const a = words.replace('one two', 'alpha beta');
    const c = words.replace('nineteen twenty', 'omega psi');
    // The premise: a and c each near b, not near each other.
    assert.ok(sim(a, b) >= OPTS.similarity && sim(b, c) >= OPTS.similarity && sim(a, c) < OPTS.similarity, `${sim(a, b)} ${sim(b, c)} ${sim(a, c)}`);
    const input = posts([a, a, b, c, c]);
    const groups = groupTexts(input, OPTS);
    assert.equal(groups.length, 1, 'linked through b: one group');
    assert.equal(groups[0]!.representative, 3, 'b is most similar to the whole group although a and c have more posts');
    assert.equal(groups[0]!.variants, 3);
  });

  it('lists each variant once among the examples, the representative first, and never a post twice', () => {
    const texts = ['same words in this text here now', 'same words in this text here now!', 'same words in this text here now and', 'other text entirely with its own words', 'same words in this text here now'];
    const groups = groupTexts(posts(texts), OPTS);
    const all = groups.flatMap((g) => g.examples);
    assert.equal(new Set(all).size, all.length);
    for (const g of groups) {
      assert.equal(g.examples[0], g.representative);
      assert.equal(g.examples.length, g.variants);
      assert.ok(g.examples.every((id) => g.postIds.includes(id)));
    }
  });

  it('groups texts too short for the detector only when they are identical as written', () => {
    const groups = groupTexts(posts(['好', '好', '好!', '', '', 'ok']), OPTS);
    assert.deepEqual(partition(groups), ['1,2', '3', '4,5', '6']);
  });
});

describe('edge types in words', () => {
  it('names every type the detector writes, with the window and threshold only when recorded', () => {
    const labels = Object.values(QUT_EDGE_TYPE).map((t) => edgeTypeLabel(t));
    assert.deepEqual(labels, ['near-identical text', 'same text', 'reposted the same post', 'shared the same link', 'replied to the same post', 'same sequence of hashtags']);
    assert.equal(edgeTypeLabel('co_similar_tweet', { windowSeconds: 3600, similarity: 0.8 }), 'near-identical text (Jaccard ≥ 0.8) within 1 h');
    assert.equal(edgeTypeLabel('co_link', { windowSeconds: 90 }), 'shared the same link within 90 s');
    assert.equal(edgeTypeLabel('some_new_type'), 'some new type');
    assert.deepEqual([60, 600, 7200, 86_400, 3601].map(formatWindow), ['1 min', '10 min', '2 h', '1 d', '3601 s']);
  });
});

describe('text groups on real campaign text (Meta, Spamouflage)', { skip: noData }, () => {
  it('equal an exact brute-force grouping: LSH loses no pair of near-identical headlines', () => {
    const texts = spamouflageTexts();
    assert.ok(texts.length > 200, `${texts.length} texts`);
    // The reference: every pair compared exactly, same normalised text or Jaccard ≥ threshold, connected components.
    const norm = texts.map((t) => normaliseText(t).text);
    const sh = norm.map((n) => shingles(n));
    const parent = texts.map((_, i) => i);
    const find = (i: number): number => (parent[i] === i ? i : (parent[i] = find(parent[i]!)));
    let linked = 0;
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const same = norm[i]!.length >= OPTS.minExactLength ? norm[i] === norm[j] : texts[i]!.trim() === texts[j]!.trim();
        const near = sh[i]!.length >= OPTS.minShingles && sh[j]!.length >= OPTS.minShingles && jaccard(sh[i]!, sh[j]!) >= OPTS.similarity;
        if (same || near) {
          linked++;
          parent[find(j)] = find(i);
        }
      }
    }
    assert.ok(linked > 0, 'the real data has repeated headlines');
    const ref = new Map<number, number[]>();
    texts.forEach((_, i) => ref.set(find(i), [...(ref.get(find(i)) ?? []), i + 1]));
    assert.deepEqual(partition(groupTexts(posts(texts), OPTS)), partition([...ref.values()].map((postIds) => ({ postIds }))));
  });

  for (const b of backends()) {
    describe(`against the detector's own pairs [${b.label}]`, () => {
      let t: TestStore;
      before(async () => { t = await b.open(); });
      after(async () => { await t?.cleanup(); });

      it('puts both posts of every same-text and near-identical-text pair the detector found into one group', async () => {
        const texts = spamouflageTexts().slice(0, 60);
        const T0 = Date.UTC(2023, 4, 2, 6, 0, 0);
        // Five accounts post each headline within minutes, some with a tag or punctuation added.
        const planted = texts.flatMap((text, m) => [0, 1, 2, 3, 4].map((a) => p(`h${m}-${a}`, `acct${a}`, T0 + m * 7_200_000 + a * 90_000,
          a === 3 ? `${text} #真相` : a === 4 ? `${text}!!` : text)));
        await seed(t.store, planted);
        const result = await runCoordination(t.store, { workers: 0, store: false });
        assert.ok(result.details.length >= 1, 'the detector finds the planted campaign');
        let checked = 0;
        for (const c of result.details) {
          const rows = await t.store.db.selectFrom('posts').select(['id', 'text', 'account_id', 'created_at']).where('id', 'in', c.postIds).execute();
          const groups = groupTexts(rows.map((r) => ({ id: Number(r.id), text: r.text, account: Number(r.account_id), time: Number(r.created_at) })), OPTS);
          const groupOf = new Map<number, number>();
          groups.forEach((g, i) => g.postIds.forEach((id) => groupOf.set(id, i)));
          assert.equal(groupOf.size, c.postIds.length, 'every post of the campaign is in exactly one group');
          for (const e of c.edges) {
            if (e.edge_type !== 'co_tweet' && e.edge_type !== 'co_similar_tweet') continue;
            for (const [x, y] of e.evidence) {
              assert.equal(groupOf.get(x), groupOf.get(y), `posts ${x} and ${y} (${e.edge_type}) are in different groups`);
              checked++;
            }
          }
        }
        assert.ok(checked > 100, `only ${checked} pairs checked`);
      });
    });
  }
});
