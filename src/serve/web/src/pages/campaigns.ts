/** Campaigns: the list, and one campaign's account network, post timeline and near-identical texts. */
import { get, qs } from '../api.ts';
import { chart } from '../charts.ts';
import { count, h, statusBadge, table, time } from '../dom.ts';
import type { Page } from '../main.ts';
import { campaignDownloads } from '../downloads.ts';

interface CampaignRow { id: string; score: number; summary: string; accounts: number; posts: number; start: string | null; end: string | null }
interface TimelinePost { id: number; created_at: number | null; text: string; status: string; account: string | null; platform_account_id: string | null }
interface Campaign {
  id: string; score: number; summary: string;
  evidence: { accounts: string[]; posts: number; start: string | null; end: string | null; burstiness: number | null; types: Record<string, number>; representative: Array<{ account?: string; createdAt?: string; text: string; postId?: number }> };
  graph: { nodes: Array<{ id: string; label: string; degree: number }>; edges: Array<{ source: string; target: string; weight: number; edge_type: string }> };
  timeline: TimelinePost[];
  pairs: Array<{ left: TimelinePost; right: TimelinePost }>;
}

export const campaignsPage: Page = {
  pattern: /^\/campaigns$/,
  title: 'Campaigns',
  nav: '/campaigns',
  async render(root, ctx) {
    const offset = Number(ctx.query.get('offset') ?? 0) || 0;
    const r = await get<{ items: CampaignRow[]; next: number | null }>(`/api/campaigns${qs({ offset })}`, ctx.signal);
    root.append(
      h('h1', null, 'Coordinated campaigns'),
      h('div', { id: 'campaigns-table' }, table(['campaign', 'score', 'accounts', 'posts', 'start', 'end', 'summary'], r.items.map((c) => [
        h('a', { href: `/campaigns/${encodeURIComponent(c.id)}` }, c.id), c.score.toFixed(2), count(c.accounts), count(c.posts), c.start ?? '—', c.end ?? '—', c.summary]))),
      r.next !== null ? h('a', { class: 'more', href: `/campaigns?offset=${r.next}` }, 'More →') : null,
    );
  },
};

export const campaignPage: Page = {
  pattern: /^\/campaigns\/(.+)$/,
  title: 'Campaign',
  nav: '/campaigns',
  async render(root, ctx) {
    const c = await get<Campaign>(`/api/campaigns/${encodeURIComponent(ctx.params[0]!)}`, ctx.signal);
    const graphEl = h('div', { class: 'chart tall', id: 'chart-graph' });
    const timelineEl = h('div', { class: 'chart', id: 'chart-timeline' });
    const types = Object.entries(c.evidence.types).map(([k, v]) => `${k}: ${v}`).join(', ');
    root.append(
      h('h1', null, 'Campaign ', h('span', { class: 'term' }, c.id)),
      h('p', null, c.summary),
      h('p', { class: 'muted' }, `score ${c.score.toFixed(2)} · ${count(c.evidence.accounts.length)} accounts · ${count(c.evidence.posts)} posts · ${c.evidence.start ?? '?'} → ${c.evidence.end ?? '?'}${types ? ` · ${types}` : ''}`),
      h('section', { class: 'panel' }, h('h2', null, 'Account network'), graphEl),
      h('section', { class: 'panel' }, h('h2', null, 'Posts over time'), timelineEl),
      h('section', { class: 'panel', id: 'pairs' }, h('h2', null, 'Near-identical texts, side by side'),
        c.pairs.length
          ? c.pairs.map((p) => h('div', { class: 'pair' }, side(p.left), side(p.right)))
          : h('div', { class: 'pairs-rep' }, c.evidence.representative.map((r) => h('div', { class: 'side' }, h('div', { class: 'meta' }, `${r.account ?? '?'} · ${r.createdAt ?? ''}`), h('blockquote', null, r.text))))),
      h('section', { class: 'panel' }, h('h2', null, `Posts (${c.timeline.length})`),
        table(['id', 'created', 'account', 'text', 'status'], c.timeline.slice(0, 200).map((p) => [
          h('a', { href: `/posts/${p.id}` }, String(p.id)), time(p.created_at), p.account ?? p.platform_account_id ?? '—', h('span', { class: 'text' }, p.text), statusBadge(p.status)]))),
    );
    root.querySelector('h1')?.after(campaignDownloads(c.id));
    const maxDeg = Math.max(1, ...c.graph.nodes.map((n) => n.degree));
    chart(graphEl, {
      tooltip: { renderMode: 'richText' },
      series: [{
        type: 'graph', layout: 'force', roam: true, draggable: true,
        force: { repulsion: 400, edgeLength: [80, 200], gravity: 0.05 },
        label: { show: c.graph.nodes.length <= 40, position: 'right', fontSize: 10 },
        data: c.graph.nodes.map((n) => ({ id: n.id, name: n.label, value: n.degree, symbolSize: 8 + 16 * (n.degree / maxDeg) })),
        links: c.graph.edges.map((e) => ({ source: e.source, target: e.target, value: e.weight, lineStyle: { width: Math.min(6, 0.5 + Math.log2(1 + e.weight)), opacity: 0.6 } })),
      }],
    });
    const accounts = [...new Set(c.timeline.map((p) => p.account ?? p.platform_account_id ?? '?'))];
    chart(timelineEl, {
      grid: { left: 120, right: 20, top: 10, bottom: 30 }, tooltip: { renderMode: 'richText' },
      xAxis: { type: 'time' }, yAxis: { type: 'category', data: accounts },
      series: [{ type: 'scatter', symbolSize: 8, data: c.timeline.filter((p) => p.created_at != null).map((p) => [p.created_at, p.account ?? p.platform_account_id ?? '?']) }],
    });
  },
};

function side(p: TimelinePost): HTMLElement {
  return h('div', { class: 'side' },
    h('div', { class: 'meta' }, h('a', { href: `/posts/${p.id}` }, `#${p.id}`), ` ${p.account ?? p.platform_account_id ?? '?'} · ${time(p.created_at)}`),
    h('blockquote', null, p.text));
}
