/** Terms: the ranked censored-term table with intervals, and one term's timeline. */
import { get, qs } from '../api.ts';
import { chart } from '../charts.ts';
import { count, h, pct, statusLabel, table, time } from '../dom.ts';
import type { Page } from '../main.ts';
import { termDownloads } from '../downloads.ts';

interface Term {
  term: string; posts: number; removed: number; rate: number; low: number | null; high: number | null; q: number | null;
  qPooled?: number | null; expected?: number | null;
}

const TESTS: Record<string, string> = {
  'author-stratified': 'ranked and flagged by the author-stratified test (each term against its authors\' other posts)',
  pooled: 'ranked and flagged by the pooled test against the baseline: authors are unknown, so a flagged term may reflect who writes it',
};
const sci = (x: number | null | undefined) => (x == null ? '—' : x.toExponential(2));

export const termsPage: Page = {
  pattern: /^\/terms$/,
  title: 'Terms',
  nav: '/terms',
  async render(root, ctx) {
    const offset = Number(ctx.query.get('offset') ?? 0) || 0;
    const r = await get<{ baseline: number | null; created_at: number | null; test: string | null; removedAs: string[] | null; total: number; items: Term[]; next: number | null }>(`/api/terms${qs({ offset, limit: 100 })}`, ctx.signal);
    root.append(
      h('h1', null, 'Censored terms'),
      h('p', { class: 'muted' }, r.created_at ? `Latest run ${time(r.created_at)}; counted as removed: ${(r.removedAs ?? ['removed_by_platform']).map(statusLabel).join(', ')}; baseline removal rate ${pct(r.baseline, 2)}; ${count(r.total)} terms.` : 'The terms detector has not run yet.'),
      r.test ? h('p', { id: 'terms-test' }, `Terms are ${TESTS[r.test] ?? `ranked by the ${r.test} test`}; q (pooled) is the unstratified test, for comparison.`) : null,
      h('div', { id: 'terms-table' }, table(['term', 'posts', 'removed', 'expected', 'rate', 'interval (95%)', 'q', 'q (pooled)'], r.items.map((t) => [
        h('a', { href: `/terms/${encodeURIComponent(t.term)}` }, t.term), count(t.posts), count(t.removed), t.expected == null ? '—' : t.expected.toFixed(1), pct(t.rate),
        `${pct(t.low)} – ${pct(t.high)}`, sci(t.q), sci(t.qPooled)]))),
      r.next !== null ? h('a', { class: 'more', href: `/terms?offset=${r.next}` }, 'More →') : null,
    );
  },
};

/** Reads a timeline point whatever its field names (bucket/day/date/t, posts/removed). */
function point(x: unknown): { t: number; posts: number; removed: number } | null {
  if (!x || typeof x !== 'object') return null;
  const o = x as Record<string, unknown>;
  const raw = o.bucket ?? o.day ?? o.date ?? o.t ?? o.at;
  const t = typeof raw === 'number' ? raw : typeof raw === 'string' ? Date.parse(raw) : NaN;
  if (!Number.isFinite(t)) return null;
  return { t, posts: Number(o.posts ?? o.total ?? 0), removed: Number(o.removed ?? 0) };
}

export const termPage: Page = {
  pattern: /^\/terms\/(.+)$/,
  title: 'Term',
  nav: '/terms',
  async render(root, ctx) {
    const term = ctx.params[0]!;
    const r = await get<{ term: Term; timeline: unknown[] }>(`/api/terms/${encodeURIComponent(term)}`, ctx.signal);
    const el = h('div', { class: 'chart', id: 'chart-term' });
    const pts = r.timeline.map(point).filter((p) => p !== null).sort((a, b) => a.t - b.t);
    root.append(
      h('h1', null, `Term: `, h('span', { class: 'term' }, r.term.term)),
      h('p', null, `${count(r.term.posts)} posts, ${count(r.term.removed)} removed (${pct(r.term.rate)}, interval ${pct(r.term.low)} – ${pct(r.term.high)}). `,
        h('a', { href: `/posts${qs({ q: r.term.term })}` }, 'Posts containing it →')),
      h('section', { class: 'panel' }, h('h2', null, 'Timeline by day'), pts.length ? el : h('p', { class: 'muted' }, 'The detector stored no timeline for this term.')),
    );
    root.querySelector('h1')?.after(termDownloads(r.term.term));
    if (pts.length) {
      chart(el, {
        legend: { top: 0 }, grid: { left: 50, right: 20, top: 30, bottom: 30 }, tooltip: { trigger: 'axis', renderMode: 'richText' },
        xAxis: { type: 'time' }, yAxis: { type: 'value', minInterval: 1 },
        series: [
          { name: 'posts', type: 'bar', data: pts.map((p) => [p.t, p.posts]) },
          { name: 'removed', type: 'bar', data: pts.map((p) => [p.t, p.removed]), itemStyle: { color: '#c0392b' } },
        ],
      });
    }
  },
};
