/**
 * Overview: posts tracked, disappearances per hour by kind, sources and accounts by removal rate,
 * watch health. Tiles and tables come from one API response (one snapshot of the store), so the
 * numbers on the page always agree; rates carry their 95% intervals and a minimum sample.
 */
import { get } from '../api.ts';
import { axisTitle, chart, KIND_COLORS, utcTimeAxis } from '../charts.ts';
import { count, h, pct, statusLabel, table, time } from '../dom.ts';
import type { Page } from '../main.ts';
import { blockingPanel } from './overview-blocking.ts';

interface Rate { posts: number; removed: number; rate: number; low: number; high: number; ranked: boolean }
interface AccountRate extends Rate { account_id: number; handle: string | null; platform_account_id: string }
interface SourceRate extends Rate { source_id: number; name: string | null; kind: string | null }
interface RateMethod { removedAs: string[]; minPosts: number; confidence: number }
interface Overview {
  posts: number; accounts: number; sources: number; removed: number; byStatus: Record<string, number>; findings: Record<string, number>;
  bySource: SourceRate[]; topAccounts: RateMethod & { items: AccountRate[] };
  simulated: Array<{ kind: string; source: string }>;
  range: { firstPostAt: number | null; lastPostAt: number | null; lastCheckAt: number | null };
  asOf: number;
}
interface Series { from: number; to: number; bucket: number; series: Array<{ bucket: number; kind: string; count: number }>; checked: number[] }
interface Health { minutes: number; since: number; to: number; checks: number; errors: number; errorRate: number; checksPerMinute: number; lastCheckAt: number | null; series: Array<{ minute: number; checks: number; errors: number }>; watcher: { running: boolean } }

const MINUTE = 60_000;

/** "12.0% (9.1–15.6%)": a rate and its interval. */
const interval = (r: Rate) => `${pct(r.low)} – ${pct(r.high)}`;

/** Half-open runs of consecutive buckets in `missing`, as [first, last] bucket starts. */
function runs(missing: number[], width: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const b of missing) {
    const last = out.at(-1);
    if (last && b === last[1] + width) last[1] = b;
    else out.push([b, b]);
  }
  return out;
}

export const overviewPage: Page = {
  pattern: /^\/$/,
  title: 'Overview',
  nav: '/',
  async render(root, ctx) {
    const range = h('p', { class: 'muted', id: 'data-range' });
    const cards = h('section', { class: 'cards', id: 'cards' });
    const dis = h('div', { class: 'chart', id: 'chart-disappearances' });
    const disNote = h('p', { class: 'muted', id: 'disappearances-note' });
    const healthChart = h('div', { class: 'chart small', id: 'chart-health' });
    const healthText = h('p', { class: 'muted', id: 'health-text' });
    const accountsNote = h('p', { class: 'muted', id: 'accounts-method' });
    const accounts = h('div', { id: 'top-accounts' });
    const sourcesNote = h('p', { class: 'muted', id: 'sources-total' });
    const sources = h('div', { id: 'top-sources' });
    root.append(
      h('h1', null, 'Overview'), range, cards,
      h('section', { class: 'panel' }, h('h2', null, 'Disappearances per hour, by kind'), disNote, dis),
      h('div', { class: 'grid2' },
        h('section', { class: 'panel' }, h('h2', null, 'Top accounts by removal rate'), accountsNote, accounts),
        h('section', { class: 'panel' }, h('h2', null, 'Sources by removal rate'), sourcesNote, sources)),
      h('section', { class: 'panel' }, h('h2', null, 'Watch health'), healthText, healthChart),
    );
    root.append(blockingPanel(ctx));
    const load = async () => {
      const [o, s, hl] = await Promise.all([
        get<Overview>('/api/overview', ctx.signal), get<Series>('/api/disappearances', ctx.signal),
        get<Health>('/api/watch/health?minutes=30', ctx.signal),
      ]);
      const r = o.range;
      range.textContent = r.firstPostAt == null
        ? `No posts yet. Counts as of ${time(o.asOf)}.`
        : `Posts from ${time(r.firstPostAt)} to ${time(r.lastPostAt)}; last check ${time(r.lastCheckAt)} (the data's own clock, UTC). Counts as of ${time(o.asOf)}, all from one reading of the store.`;

      const card = (label: string, value: string, cls = '') => h('div', { class: `card ${cls}` }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label));
      const tiles = [
        card('posts tracked', count(o.posts)), card('accounts', count(o.accounts)),
        card('deleted (actor unknown)', count(o.byStatus.deleted ?? 0), 's-deleted'),
        card('removed by platform', count(o.byStatus.removed_by_platform ?? 0), 's-removed_by_platform'),
        card('account gone', count(o.byStatus.account_gone ?? 0), 's-account_gone'),
        card('deleted by author', count(o.byStatus.deleted_by_author ?? 0), 's-deleted_by_author'),
        card('campaigns', count(o.findings.campaign ?? 0)),
      ];
      cards.replaceChildren(...tiles);

      drawDisappearances(dis, disNote, s);

      const m = o.topAccounts;
      const removedAs = m.removedAs.map(statusLabel).join(' or ');
      accountsNote.textContent = `Accounts with at least ${count(m.minPosts)} posts, ranked by the lower bound of the ${Math.round(m.confidence * 100)}% Wilson interval of their removal rate (${removedAs}, per post): a few lucky removals cannot rank an account high.`;
      accounts.replaceChildren(table(['account', 'posts', 'removed', 'rate', `interval (${Math.round(m.confidence * 100)}%)`], m.items.map((a) => [
        h('a', { href: `/posts?account=${a.account_id}` }, a.handle ?? a.platform_account_id), count(a.posts), count(a.removed), pct(a.rate), interval(a)])));

      const simulated = new Set(o.simulated.filter((x) => x.kind === 'posts').map((x) => x.source));
      const unranked = o.bySource.filter((x) => !x.ranked).length;
      sourcesNote.textContent = `All sources: ${count(o.posts)} posts, ${count(o.removed)} removed (${removedAs}), as in the tiles above. Ranked like accounts${unranked ? `; ${count(unranked)} with fewer than ${count(m.minPosts)} posts are listed last, unranked` : ''}.`;
      sources.replaceChildren(table(['source', 'kind', 'posts', 'removed', 'rate', `interval (${Math.round(m.confidence * 100)}%)`], o.bySource.map((x) => [
        h('a', { href: `/posts?source=${x.source_id}` }, x.name ?? String(x.source_id)), simulated.has(x.name ?? '') ? `${x.kind ?? ''} (simulated)` : x.kind ?? '',
        count(x.posts), count(x.removed), x.ranked ? pct(x.rate) : `${pct(x.rate)} (too few posts to rank)`, interval(x)])));

      drawHealth(healthChart, healthText, hl);
    };
    await load();
    ctx.every(10_000, () => { load().catch(() => undefined); });
  },
};

/** Stacked bars per hour; hours in which no check was made are shaded as "no checks", not drawn as zero. */
function drawDisappearances(el: HTMLElement, note: HTMLElement, s: Series): void {
  const buckets: number[] = [];
  for (let t = Math.floor(s.from / s.bucket) * s.bucket; t < s.to; t += s.bucket) buckets.push(t);
  const kinds = [...new Set(s.series.map((x) => x.kind))].sort();
  const index = new Map(buckets.map((b, i) => [b, i]));
  const checked = new Set([...s.checked, ...s.series.map((x) => x.bucket)]);
  const unchecked = buckets.filter((b) => !checked.has(b));
  const label = (b: number) => time(b).slice(5, 16);
  note.textContent = unchecked.length
    ? `${count(unchecked.length)} of ${count(buckets.length)} hours had no check at all (shaded): nothing is known about them, which is not the same as no disappearances.`
    : `Every hour shown had checks.`;
  chart(el, {
    legend: { top: 0 },
    grid: { left: 60, right: 20, top: 30, bottom: 55 },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: { type: 'category', data: buckets.map(label), ...axisTitle('hour starting (UTC, MM-DD hh:mm)', 32), axisLabel: { hideOverlap: true } },
    yAxis: { type: 'value', minInterval: 1, ...axisTitle('disappearances per hour', 40) },
    series: kinds.map((k, i) => {
      // A bucket without checks is null (no data), one with checks and no disappearance is 0.
      const data: Array<number | null> = buckets.map((b) => (checked.has(b) ? 0 : null));
      for (const x of s.series) if (x.kind === k && index.has(x.bucket)) data[index.get(x.bucket)!] = x.count;
      return {
        name: statusLabel(k), type: 'bar', stack: 'kind', data, itemStyle: { color: KIND_COLORS[k] ?? '#2980b9' },
        ...(i === 0 && unchecked.length ? {
          markArea: { silent: true, itemStyle: { color: 'rgba(120,120,120,0.15)' }, label: { show: false }, data: runs(unchecked, s.bucket).map(([a, b]) => [{ xAxis: label(a) }, { xAxis: label(b) }]) },
        } : {}),
      };
    }),
  });
}

/** Checks and failed checks per minute; a minute without checks is a gap in the lines, never a zero. */
function drawHealth(el: HTMLElement, text: HTMLElement, hl: Health): void {
  const byMinute = new Map(hl.series.map((r) => [r.minute, r]));
  const minutes: number[] = [];
  for (let t = hl.since; t < hl.to; t += MINUTE) minutes.push(t);
  const gaps = minutes.filter((t) => !byMinute.has(t)).length;
  text.textContent = `${hl.watcher.running ? 'Watcher running here. ' : ''}${count(hl.checks)} checks and ${count(hl.errors)} failed checks (${pct(hl.errorRate)}) in the ${hl.minutes} minutes up to the last check, ${time(hl.lastCheckAt)}; ${hl.checksPerMinute.toFixed(1)} checks per minute over its last 5 minutes.${gaps ? ` ${count(gaps)} minutes had no check (gaps in the lines).` : ''}`;
  chart(el, {
    legend: { top: 0 }, grid: { left: 60, right: 20, top: 30, bottom: 50 },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: { ...utcTimeAxis('minute (UTC)'), min: hl.since, max: hl.to },
    yAxis: { type: 'value', minInterval: 1, ...axisTitle('checks per minute', 40) },
    series: [
      { name: 'checks', type: 'line', showSymbol: true, symbolSize: 4, connectNulls: false, data: minutes.map((t) => [t, byMinute.get(t)?.checks ?? null]) },
      { name: 'failed checks', type: 'line', showSymbol: true, symbolSize: 4, connectNulls: false, data: minutes.map((t) => [t, byMinute.get(t)?.errors ?? null]), itemStyle: { color: '#c0392b' } },
    ],
  });
}
