/** Terms: the ranked censored-term table with intervals, and one term's timeline by UTC day. */
import { get, qs } from '../api.ts';
import { axisTitle, chart } from '../charts.ts';
import { count, h, pct, statusLabel, table, time } from '../dom.ts';
import type { Page } from '../main.ts';
import { termDownloads } from '../downloads.ts';

interface Term {
  term: string; posts: number; removed: number; rate: number; low: number | null; high: number | null; q: number | null;
  qPooled?: number | null; expected?: number | null;
}
interface Point { bucket: string; day: number; posts: number; removed: number; rate: number; low: number; high: number }

const TESTS: Record<string, string> = {
  'author-stratified': 'ranked and flagged by the author-stratified test (each term against its authors\' other posts)',
  pooled: 'ranked and flagged by the pooled test against the baseline: authors are unknown, so a flagged term may reflect who writes it',
};
const sci = (x: number | null | undefined) => (x == null ? '—' : x.toExponential(2));
const DAY = 86_400_000;
/** A day's removal rate is drawn only from this many posts: below it the interval spans most of 0–100%. */
const MIN_DAY_POSTS = 10;
/** The terms detector's default minimum (src/detect/terms), named when a run did not record its own. */
const DETECTOR_DEFAULT_MIN_POSTS = 5;

/** Appends children, skipping absent ones (the DOM's append would print `null`). */
function appendAll(root: HTMLElement, ...children: Array<Node | null | false>): void {
  for (const c of children) if (c) root.append(c);
}

/** What a run's minimum sample was, as a sentence. */
function minSample(minPosts: number | null | undefined): string {
  return minPosts != null
    ? `Only terms in at least ${count(minPosts)} posts were tested.`
    : `This run did not record its minimum sample; the detector's default tests only terms in at least ${DETECTOR_DEFAULT_MIN_POSTS} posts.`;
}

export const termsPage: Page = {
  pattern: /^\/terms$/,
  title: 'Terms',
  nav: '/terms',
  async render(root, ctx) {
    const offset = Number(ctx.query.get('offset') ?? 0) || 0;
    const r = await get<{ baseline: number | null; created_at: number | null; test: string | null; removedAs: string[] | null; minPosts: number | null; total: number; items: Term[]; next: number | null }>(`/api/terms${qs({ offset, limit: 100 })}`, ctx.signal);
    appendAll(root,
      h('h1', null, 'Censored terms'),
      h('p', { class: 'muted' }, r.created_at ? `Latest run ${time(r.created_at)}; counted as removed: ${(r.removedAs ?? ['removed_by_platform']).map(statusLabel).join(', ')}; baseline removal rate ${pct(r.baseline, 2)}; ${count(r.total)} terms.` : 'The terms detector has not run yet.'),
      r.test ? h('p', { id: 'terms-test' }, `Terms are ${TESTS[r.test] ?? `ranked by the ${r.test} test`}; q (pooled) is the unstratified test, for comparison.`) : null,
      r.created_at ? h('p', { class: 'muted', id: 'terms-sample' }, `${minSample(r.minPosts)} The interval is the 95% Wilson interval of the removal rate.`) : null,
      h('div', { id: 'terms-table' }, table(['term', 'posts', 'removed', 'expected', 'rate', 'interval (95%)', 'q', 'q (pooled)'], r.items.map((t) => [
        h('a', { href: `/terms/${encodeURIComponent(t.term)}` }, t.term), count(t.posts), count(t.removed), t.expected == null ? '—' : t.expected.toFixed(1), pct(t.rate),
        `${pct(t.low)} – ${pct(t.high)}`, sci(t.q), sci(t.qPooled)]))),
      r.next !== null ? h('a', { class: 'more', href: `/terms?offset=${r.next}` }, 'More →') : null,
    );
  },
};

export const termPage: Page = {
  pattern: /^\/terms\/(.+)$/,
  title: 'Term',
  nav: '/terms',
  async render(root, ctx) {
    const term = ctx.params[0]!;
    const r = await get<{ term: Term; removedAs: string[] | null; minPosts: number | null; timeline: Point[] }>(`/api/terms/${encodeURIComponent(term)}`, ctx.signal);
    const el = h('div', { class: 'chart', id: 'chart-term' });
    const removedAs = (r.removedAs ?? ['removed_by_platform']).map(statusLabel).join(' or ');
    appendAll(root,
      h('h1', null, `Term: `, h('span', { class: 'term' }, r.term.term)),
      h('p', { id: 'term-figures' }, `${count(r.term.posts)} posts, ${count(r.term.removed)} removed (${pct(r.term.rate)}, interval ${pct(r.term.low)} – ${pct(r.term.high)}). `,
        h('a', { href: `/posts${qs({ q: r.term.term })}` }, 'Posts containing it →')),
      h('section', { class: 'panel' }, h('h2', null, 'Timeline by day (UTC)'),
        r.timeline.length ? [
          h('p', { class: 'muted', id: 'term-chart-note' }, `Bars: posts holding the term per UTC day, and of them those ${removedAs} (drawn over the posts of the same day). Line: the day's removal rate with its 95% Wilson interval (shaded), only for days with at least ${MIN_DAY_POSTS} posts. Days without a bar had no such post.`),
          el,
        ] : h('p', { class: 'muted' }, 'The detector stored no timeline for this term.')),
    );
    root.querySelector('h1')?.after(termDownloads(r.term.term));
    if (r.timeline.length) drawTimeline(el, r.timeline);
  },
};

/** Posts and removals per day on one category axis (a day's two bars at one position), and the daily rate with its interval. */
function drawTimeline(el: HTMLElement, points: Point[]): void {
  const byDay = new Map(points.map((p) => [p.day, p]));
  const days: number[] = [];
  // Every day from the first to the last, so a day without posts is an empty slot, not skipped.
  for (let d = points[0]!.day; d <= points.at(-1)!.day && days.length < 3700; d += DAY) days.push(d);
  const at = (f: (p: Point) => number | null) => days.map((d) => { const p = byDay.get(d); return p ? f(p) : null; });
  const rated = (f: (p: Point) => number) => at((p) => (p.posts >= MIN_DAY_POSTS ? Math.round(f(p) * 10000) / 100 : null));
  chart(el, {
    legend: { top: 0, data: ['posts', 'removed', 'removal rate', '95% interval'] },
    grid: { left: 60, right: 60, top: 30, bottom: 50 },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: { type: 'category', data: days.map((d) => new Date(d).toISOString().slice(0, 10)), ...axisTitle('day (UTC)', 30), axisLabel: { hideOverlap: true } },
    yAxis: [
      { type: 'value', minInterval: 1, ...axisTitle('posts per day', 40) },
      { type: 'value', min: 0, max: 100, ...axisTitle('removal rate (%)', 40), splitLine: { show: false } },
    ],
    series: [
      { name: 'posts', type: 'bar', data: at((p) => p.posts), itemStyle: { color: '#5b8db8' }, barMaxWidth: 40 },
      // barGap -100%: the day's removals are drawn over its posts, at the same position.
      { name: 'removed', type: 'bar', data: at((p) => p.removed), itemStyle: { color: '#c0392b' }, barGap: '-100%', barMaxWidth: 40 },
      { name: 'removal rate', type: 'line', yAxisIndex: 1, data: rated((p) => p.rate), connectNulls: false, itemStyle: { color: '#222' } },
      // The interval as a band: an invisible line at the lower bound, and the bound's width stacked on it.
      { name: 'interval low', type: 'line', yAxisIndex: 1, stack: 'interval', data: rated((p) => p.low), lineStyle: { opacity: 0 }, symbol: 'none', connectNulls: false, tooltip: { show: false } },
      { name: '95% interval', type: 'line', yAxisIndex: 1, stack: 'interval', data: at((p) => (p.posts >= MIN_DAY_POSTS ? Math.round((p.high - p.low) * 10000) / 100 : null)),
        lineStyle: { opacity: 0 }, symbol: 'none', areaStyle: { color: 'rgba(192,57,43,0.18)' }, itemStyle: { color: 'rgba(192,57,43,0.4)' }, connectNulls: false },
    ],
  });
}
