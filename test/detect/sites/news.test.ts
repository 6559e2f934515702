/**
 * The fidelity test: a live news front page that changes at every visit (headlines, order,
 * times, counters, rotating ads, tokens) must never be `defaced` or `injected` over 300 visits,
 * on real feed headlines (skipped with a message when the shared data is absent) and on a
 * generated pool (always). Injecting a hidden link farm into the same live page is caught.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { answer, SiteRun, hiddenGamblingBlock } from './pages.ts';
import { newsPage, realPool, generatedPool, FEEDS_DIR, rng, type NewsItem } from './news.ts';

const MIN = 60_000;
const T = Date.UTC(2026, 11, 2, 6, 0);

function visits(pool: readonly NewsItem[], n: number, seed: number, jump = false): Map<string, number> {
  const run = new SiteRun();
  const r = rng(seed);
  const counts = new Map<string, number>();
  let start = 0;
  for (let v = 0; v < n; v++) {
    const c = run.visit(answer(newsPage(pool, v, start), { at: T + v * MIN, url: 'https://www.courier.example/' }));
    counts.set(c.verdict, (counts.get(c.verdict) ?? 0) + 1);
    assert.ok(c.verdict === 'reachable' || c.verdict === 'updated', `visit ${v}: ${c.verdict}: ${c.reasons.join(' | ')}`);
    // New stories push old ones down: 1-4 a visit, or a whole new page (a day between visits).
    start += jump ? 24 : 1 + Math.floor(r() * 4);
  }
  return counts;
}

describe('a live news front page is never defaced or injected', () => {
  const real = realPool();
  it(`300 visits of a front page of real feed headlines (${real.length} items)`, { skip: real.length < 30 ? `shared feeds absent at ${FEEDS_DIR}` : false }, () => {
    const counts = visits(real, 300, 1);
    assert.ok((counts.get('updated') ?? 0) >= 290, `every visit changes the headlines: ${JSON.stringify([...counts])}`);
  });

  it('300 visits where every visit shows entirely new stories (real headlines): updated, the layout holds', { skip: real.length < 30 ? `shared feeds absent at ${FEEDS_DIR}` : false }, () => {
    visits(real, 300, 2, true);
  });

  it('300 visits of a front page of generated headlines (always runs)', () => {
    const counts = visits(generatedPool(), 300, 3);
    assert.ok((counts.get('updated') ?? 0) >= 290, JSON.stringify([...counts]));
  });

  it('the same live page with a hidden link farm injected is injected at once, and cleaned it is healthy again', () => {
    const pool = real.length >= 30 ? real : generatedPool();
    const run = new SiteRun();
    for (let v = 0; v < 20; v++) run.visit(answer(newsPage(pool, v, v * 2), { at: T + v * MIN, url: 'https://www.courier.example/' }));
    const html = newsPage(pool, 20, 40).replace('</main>', `${hiddenGamblingBlock(6, 3)}</main>`);
    const c = run.visit(answer(html, { at: T + 20 * MIN, url: 'https://www.courier.example/' }));
    assert.equal(c.verdict, 'injected', c.reasons.join(' | '));
    const clean = run.visit(answer(newsPage(pool, 21, 42), { at: T + 21 * MIN, url: 'https://www.courier.example/' }));
    assert.equal(clean.verdict, 'updated');
  });
});
