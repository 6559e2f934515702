/** Overview: posts tracked, disappearances per hour by kind, top sources and accounts by removal rate, watch health. */
import { get } from '../api.ts';
import { chart, KIND_COLORS } from '../charts.ts';
import { count, h, pct, statusLabel, table, time } from '../dom.ts';
import type { Page } from '../main.ts';
import { blockingPanel } from './overview-blocking.ts';

interface Overview { posts: number; accounts: number; sources: number; byStatus: Record<string, number>; findings: Record<string, number> }
interface Series { from: number; to: number; bucket: number; series: Array<{ bucket: number; kind: string; count: number }> }
interface AccountRate { account_id: number; handle: string | null; platform_account_id: string; posts: number; removed: number; rate: number }
interface SourceRate { source_id: number; name: string | null; kind: string | null; posts: number; removed: number; rate: number }
interface Health { checks: number; errors: number; errorRate: number; checksPerMinute: number; lastCheckAt: number | null; series: Array<{ minute: number; checks: number; errors: number }>; watcher: { running: boolean } }

export const overviewPage: Page = {
  pattern: /^\/$/,
  title: 'Overview',
  nav: '/',
  async render(root, ctx) {
    const cards = h('section', { class: 'cards', id: 'cards' });
    const dis = h('div', { class: 'chart', id: 'chart-disappearances' });
    const healthChart = h('div', { class: 'chart small', id: 'chart-health' });
    const healthText = h('p', { class: 'muted', id: 'health-text' });
    const accounts = h('div', { id: 'top-accounts' });
    const sources = h('div', { id: 'top-sources' });
    root.append(
      h('h1', null, 'Overview'), cards,
      h('section', { class: 'panel' }, h('h2', null, 'Disappearances per hour, by kind'), dis),
      h('div', { class: 'grid2' },
        h('section', { class: 'panel' }, h('h2', null, 'Top accounts by removal rate'), accounts),
        h('section', { class: 'panel' }, h('h2', null, 'Sources by removal rate'), sources)),
      h('section', { class: 'panel' }, h('h2', null, 'Watch health'), healthText, healthChart),
    );
    root.append(blockingPanel(ctx));
    const load = async () => {
      const [o, s, a, src, hl] = await Promise.all([
        get<Overview>('/api/overview', ctx.signal), get<Series>('/api/disappearances', ctx.signal),
        get<{ items: AccountRate[] }>('/api/removal-rates/accounts?limit=10', ctx.signal),
        get<{ items: SourceRate[] }>('/api/removal-rates/sources?limit=10', ctx.signal),
        get<Health>('/api/watch/health?minutes=30', ctx.signal),
      ]);
      const card = (label: string, value: string, cls = '') => h('div', { class: `card ${cls}` }, h('div', { class: 'value' }, value), h('div', { class: 'label' }, label));
      cards.replaceChildren(
        card('posts tracked', count(o.posts)), card('accounts', count(o.accounts)),
        card('deleted (actor unknown)', count(o.byStatus.deleted ?? 0), 's-deleted'),
        card('removed by platform', count(o.byStatus.removed_by_platform ?? 0), 's-removed_by_platform'),
        card('account gone', count(o.byStatus.account_gone ?? 0), 's-account_gone'),
        card('deleted by author', count(o.byStatus.deleted_by_author ?? 0), 's-deleted_by_author'),
        card('campaigns', count(o.findings.campaign ?? 0)),
      );
      const buckets: number[] = [];
      for (let t = Math.floor(s.from / s.bucket) * s.bucket; t < s.to; t += s.bucket) buckets.push(t);
      const kinds = [...new Set(s.series.map((x) => x.kind))].sort();
      const index = new Map(buckets.map((b, i) => [b, i]));
      chart(dis, {
        legend: { top: 0 },
        grid: { left: 50, right: 20, top: 30, bottom: 40 },
        tooltip: { trigger: 'axis', renderMode: 'richText' },
        xAxis: { type: 'category', data: buckets.map((b) => time(b).slice(5, 16)) },
        yAxis: { type: 'value', minInterval: 1 },
        series: kinds.map((k) => {
          const data = buckets.map(() => 0);
          for (const x of s.series) if (x.kind === k && index.has(x.bucket)) data[index.get(x.bucket)!] = x.count;
          return { name: statusLabel(k), type: 'bar', stack: 'kind', data, itemStyle: { color: KIND_COLORS[k] ?? '#2980b9' } };
        }),
      });
      accounts.replaceChildren(table(['account', 'posts', 'removed', 'rate'], a.items.map((r) => [
        h('a', { href: `/posts?account=${r.account_id}` }, r.handle ?? r.platform_account_id), count(r.posts), count(r.removed), pct(r.rate)])));
      sources.replaceChildren(table(['source', 'kind', 'posts', 'removed', 'rate'], src.items.map((r) => [
        h('a', { href: `/posts?source=${r.source_id}` }, r.name ?? String(r.source_id)), r.kind ?? '', count(r.posts), count(r.removed), pct(r.rate)])));
      healthText.textContent = `${hl.watcher.running ? 'Watcher running here. ' : ''}${hl.checksPerMinute.toFixed(1)} checks/min (last 5 min), ${count(hl.errors)} errors of ${count(hl.checks)} checks in 30 min (${pct(hl.errorRate)}); last check ${time(hl.lastCheckAt)}.`;
      chart(healthChart, {
        legend: { top: 0 }, grid: { left: 50, right: 20, top: 30, bottom: 30 },
        tooltip: { trigger: 'axis', renderMode: 'richText' },
        xAxis: { type: 'time' }, yAxis: { type: 'value', minInterval: 1 },
        series: [
          { name: 'checks', type: 'line', showSymbol: false, data: hl.series.map((r) => [r.minute, r.checks]) },
          { name: 'errors', type: 'line', showSymbol: false, data: hl.series.map((r) => [r.minute, r.errors]), itemStyle: { color: '#c0392b' } },
        ],
      });
    };
    await load();
    ctx.every(10_000, () => { load().catch(() => undefined); });
  },
};
