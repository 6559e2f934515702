/** Campaigns: the list named by what they said, and one campaign's texts, account network and posts over time. */
import type { ECharts } from 'echarts/core';
import { get, qs } from '../api.ts';
import { chart } from '../charts.ts';
import { count, h, statusBadge, table, time } from '../dom.ts';
import { forceLayout } from '../graph-layout.ts';
import type { Page } from '../main.ts';
import { campaignDownloads } from '../downloads.ts';

interface Sample { text: string; language: string | null; posts: number | null }
interface CampaignRow {
  id: string; score: number; summary: string; accounts: number; posts: number; start: string | null; end: string | null;
  name: string | null; name_language: string | null; sample: Sample[];
}
interface CampaignPost { id: number; created_at: number | null; text: string; language?: string | null; status: string; account: string | null; platform_account_id: string | null }
interface TextGroup {
  text: string; name: string; language: string | null; posts: number; accounts: number; variants: number; first: string; last: string;
  examplePostIds: number[]; examples: CampaignPost[];
}
interface Campaign {
  id: string; score: number; summary: string; name: string | null; name_language: string | null;
  evidence: { accounts: string[]; posts: number; start: string | null; end: string | null; burstiness: number | null };
  edgeTypes: Array<{ type: string; label: string; pairs: number; weight: number }>;
  textGroups: TextGroup[];
  textGroupsCover: { posts: number; grouped: number; missing: number; groups: number; listed: number; similarity: number };
  activity: { bucketSeconds: number; buckets: number[]; series: Array<{ group: number | null; counts: number[] }> } | null;
  graph: { nodes: Array<{ id: string; label: string; degree: number }>; edges: Array<{ source: string; target: string; weight: number; edge_type: string }> };
  timeline: CampaignPost[];
}

/** Most accounts drawn in the network (the layout is quadratic in them); the best connected are kept. */
const MAX_NODES = 150;
/** Accounts labelled on the network without hovering. */
const MAX_LABELS = 15;

/** Sets the text's language on its element, so it is read and hyphenated as written. */
function lang<E extends HTMLElement>(el: E, language: string | null | undefined): E {
  if (language && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(language)) el.lang = language;
  return el;
}

/** An ISO time from the API as the dashboard writes times (UTC). */
function isoTime(iso: string | null): string {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? time(t) : '—';
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
      h('p', { class: 'muted' }, 'Each campaign is named by its most shared text (the representative of its largest group of near-identical posts).'),
      h('div', { id: 'campaigns-table' }, table(['campaign', 'score', 'accounts', 'posts', 'first post (UTC)', 'last post (UTC)'], r.items.map((c) => {
        const href = `/campaigns/${encodeURIComponent(c.id)}`;
        return [
          h('div', { class: 'campaign-name' },
            lang(h('a', { href, class: 'name' }, c.name ?? 'No text stored'), c.name_language),
            c.sample.slice(1).map((s) => lang(h('div', { class: 'sample muted' }, `also: ${s.text}`), s.language)),
            h('a', { href, class: 'cid' }, c.id)),
          c.score.toFixed(2), count(c.accounts), count(c.posts), isoTime(c.start), isoTime(c.end)];
      }))),
      // Not null: the DOM's append writes null as the text "null".
      r.next !== null ? h('a', { class: 'more', href: `/campaigns?offset=${r.next}` }, 'More →') : '',
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
    const nodes = [...c.graph.nodes].sort((a, b) => b.degree - a.degree || (a.id < b.id ? -1 : 1)).slice(0, MAX_NODES);
    const legend = h('div', { class: 'edge-legend', id: 'edge-legend' });
    const cover = c.textGroupsCover;
    root.append(
      lang(h('h1', { class: 'campaign-title' }, c.name ?? 'Campaign with no stored text'), c.name_language),
      h('p', { class: 'muted', id: 'campaign-id' }, `Campaign ${c.id} · score ${c.score.toFixed(2)} · ${count(c.evidence.accounts.length)} accounts · ${count(c.evidence.posts)} posts · ${isoTime(c.evidence.start)} → ${isoTime(c.evidence.end)}`),
      h('div', { id: 'campaign-actions', class: 'campaign-actions' }, campaignDownloads(c.id),
        h('p', { class: 'evidence-link' }, h('a', { href: `/api/campaigns/${encodeURIComponent(c.id)}/evidence.zip`, id: 'evidence-link' }, 'Download the evidence bundle (ZIP: printable report, posts, texts, edges with evidence, SHA-256 manifest)'))),
      h('p', { class: 'muted' }, `Detector's summary: ${c.summary}`),
      h('section', { class: 'panel', id: 'text-groups' },
        h('h2', null, `What it said: ${count(cover.groups)} ${cover.groups === 1 ? 'text' : 'texts'} in ${count(cover.grouped)} posts`),
        h('p', { class: 'muted' }, `Posts are grouped as the coordination detector compares them: the same text once case, width, Traditional/Simplified characters, punctuation and links are set aside, or near-identical (Jaccard similarity ≥ ${cover.similarity} of character or word pairs).`
          + (cover.grouped + cover.missing < cover.posts ? ` Only the first ${count(cover.grouped + cover.missing)} of ${count(cover.posts)} posts are grouped.` : '')
          + (cover.missing ? ` ${count(cover.missing)} of the campaign's posts are no longer in the store.` : '')
          + (cover.listed < cover.groups ? ` The ${count(cover.listed)} largest groups are listed.` : '')),
        c.textGroups.length ? c.textGroups.map((g, i) => textGroup(g, i)) : h('p', { class: 'muted' }, 'None of this campaign\'s posts are in the store.')),
      h('section', { class: 'panel' }, h('h2', null, 'Account network'),
        h('p', { class: 'muted' }, `Accounts linked when they did the same thing; line width: number of coordinated post pairs.${nodes.length < c.graph.nodes.length ? ` The ${count(nodes.length)} best connected of ${count(c.graph.nodes.length)} accounts are drawn.` : ''}`),
        legend, graphEl),
      h('section', { class: 'panel' }, h('h2', null, 'Posts over time (UTC)'), c.activity ? timelineEl : h('p', { class: 'muted' }, 'No post of this campaign has a time.')),
      h('section', { class: 'panel' }, h('h2', null, `Posts (${count(c.timeline.length)})`),
        table(['id', 'created (UTC)', 'account', 'text', 'status'], c.timeline.slice(0, 200).map((p) => [
          h('a', { href: `/posts/${p.id}` }, String(p.id)), time(p.created_at), p.account ?? p.platform_account_id ?? '—', lang(h('span', { class: 'text' }, p.text), p.language), statusBadge(p.status)]))),
    );
    drawNetwork(graphEl, legend, nodes, c);
    if (c.activity) drawActivity(timelineEl, c.activity, c.textGroups);
  },
};

/** One group of near-identical texts: its representative, its counts, and its variants side by side. */
function textGroup(g: TextGroup, i: number): HTMLElement {
  const variants = g.examples.slice(1);
  return h('div', { class: 'text-group', data: { posts: String(g.posts) } },
    h('div', { class: 'group-head' }, h('span', { class: 'group-no' }, `Text ${i + 1}`),
      h('span', { class: 'group-counts' }, `${count(g.posts)} ${g.posts === 1 ? 'post' : 'posts'} · ${count(g.accounts)} ${g.accounts === 1 ? 'account' : 'accounts'} · ${count(g.variants)} ${g.variants === 1 ? 'wording' : 'wordings'}`),
      h('span', { class: 'muted' }, ` · ${isoTime(g.first)} → ${isoTime(g.last)}`)),
    lang(h('blockquote', { class: 'group-text' }, g.text), g.language),
    variants.length ? h('details', { class: 'variants' }, h('summary', null, `${variants.length} other ${variants.length === 1 ? 'wording' : 'wordings'}, side by side`),
      h('div', { class: 'pair' }, g.examples.map(side))) : null,
    h('div', { class: 'group-posts muted' }, g.examplePostIds.length < g.posts ? `First posts: ` : 'Posts: ',
      g.examplePostIds.map((id, k) => [k ? ', ' : '', h('a', { href: `/posts/${id}` }, `#${id}`)]), g.examplePostIds.length < g.posts ? ', …' : ''));
}

function side(p: CampaignPost): HTMLElement {
  return h('div', { class: 'side' },
    h('div', { class: 'meta' }, h('a', { href: `/posts/${p.id}` }, `#${p.id}`), ` ${p.account ?? p.platform_account_id ?? '—'} · ${time(p.created_at)}`),
    lang(h('blockquote', null, p.text), p.language));
}

/** The network with its edge types coloured (colours from the legend's CSS), toggled from the legend. */
function drawNetwork(el: HTMLElement, legend: HTMLElement, nodes: Campaign['graph']['nodes'], c: Campaign): void {
  const index = new Map(nodes.map((n, i) => [n.id, i]));
  const edges = c.graph.edges.filter((e) => index.has(e.source) && index.has(e.target));
  const rect = el.getBoundingClientRect();
  // Labels need room beside the nodes: on a phone they show on hover (tap) only.
  const labelled = nodes.length <= MAX_LABELS && rect.width >= 600;
  // The shape of the area the series is fitted into (the margins below).
  const aspect = Math.max(0.5, Math.min(4, (rect.width - (labelled ? 200 : 60)) / Math.max(1, rect.height - 60)));
  const unit = Math.max(100, rect.height - 60);
  const pos = forceLayout(nodes.length, edges.map((e) => ({ source: index.get(e.source)!, target: index.get(e.target)! })), aspect);
  const maxDeg = Math.max(1, ...nodes.map((n) => n.degree));
  const hidden = new Set<string>();
  const colour = new Map<string, string>();
  const labels = new Map(c.edgeTypes.map((t) => [t.type, t.label]));
  const types = [...new Set([...c.edgeTypes.map((t) => t.type), ...edges.map((e) => e.edge_type)])];
  types.forEach((type, i) => {
    const info = c.edgeTypes.find((t) => t.type === type);
    const swatch = h('span', { class: `swatch ${swatchClass(type, i)}` });
    const button = h('button', { type: 'button', class: 'edge-key', data: { type } }, swatch,
      h('span', { class: 'edge-label' }, labels.get(type) ?? type.replace(/_/g, ' ')),
      h('span', { class: 'muted' }, info ? ` ${count(info.pairs)} account ${info.pairs === 1 ? 'pair' : 'pairs'}, ${count(info.weight)} post pairs` : ''));
    button.setAttribute('aria-pressed', 'true');
    button.title = 'Show or hide these links';
    button.addEventListener('click', () => {
      if (hidden.has(type)) hidden.delete(type);
      else hidden.add(type);
      button.setAttribute('aria-pressed', String(!hidden.has(type)));
      draw();
    });
    legend.append(button);
    colour.set(type, getComputedStyle(swatch).backgroundColor || '#888');
  });
  // Links of several types between one pair of accounts bend apart, the first bend towards the
  // middle of the drawing (outwards it would leave the fitted area); a single link is straight.
  const nth = new Map<string, number>();
  const curveness = edges.map((e) => {
    const key = e.source < e.target ? `${e.source}\n${e.target}` : `${e.target}\n${e.source}`;
    const k = nth.get(key) ?? 0;
    nth.set(key, k + 1);
    if (k === 0) return 0;
    const [p1, p2] = [pos[index.get(e.source)!]!, pos[index.get(e.target)!]!];
    // ECharts puts the control point at mid − normal × curveness, normal = (y1 − y2, x2 − x1).
    const inward = -Math.sign((p1[1] - p2[1]) * (aspect / 2 - (p1[0] + p2[0]) / 2) + (p2[0] - p1[0]) * (0.5 - (p1[1] + p2[1]) / 2)) || 1;
    return (k % 2 ? inward : -inward) * 0.12 * Math.ceil(k / 2);
  });
  const draw = () => chart(el, {
    tooltip: { renderMode: 'richText', formatter: (p: { dataType?: string; name?: string; value?: unknown; data?: { edgeType?: string } }) =>
      p.dataType === 'edge' ? `${labels.get(p.data?.edgeType ?? '') ?? p.data?.edgeType ?? ''}: ${String(p.value)} post pairs` : `${p.name ?? ''}: ${String(p.value)} coordinated post pairs` },
    series: [{
      type: 'graph', layout: 'none', roam: true, draggable: false,
      left: 30, right: labelled ? 170 : 30, top: 30, bottom: 30,
      label: { show: labelled, position: 'right', fontSize: 11, backgroundColor: 'rgba(255,255,255,0.85)', padding: [1, 3] },
      emphasis: { focus: 'adjacency', label: { show: true } },
      itemStyle: { color: '#34495e' },
      // In pixels: in unit coordinates ECharts misplaces some straight links (rounding to its pixel grid).
      data: nodes.map((n, i) => ({ id: n.id, name: n.label, value: n.degree, x: pos[i]![0] * unit, y: pos[i]![1] * unit, symbolSize: 10 + 18 * Math.sqrt(n.degree / maxDeg) })),
      links: edges.map((e, i) => ({ e, curveness: curveness[i]! })).filter(({ e }) => !hidden.has(e.edge_type)).map(({ e, curveness }) => ({
        source: e.source, target: e.target, value: e.weight, edgeType: e.edge_type,
        lineStyle: { color: colour.get(e.edge_type), width: Math.min(6, 1 + Math.log2(1 + e.weight)), opacity: 0.75, curveness },
      })),
    }],
  });
  draw();
}

/** CSS class of an edge type's colour: the detector's six types have their own, anything else one of four spares. */
function swatchClass(type: string, i: number): string {
  const known = ['co_similar_tweet', 'co_tweet', 'co_retweet', 'co_link', 'co_reply', 'co_hashtag_sequence'];
  return known.includes(type) ? `t-${type}` : `t-other${i % 4}`;
}

/** Posts per time bucket, stacked by text group, on a UTC time axis labelled with dates. */
function drawActivity(el: HTMLElement, a: NonNullable<Campaign['activity']>, groups: TextGroup[]): void {
  const size = a.bucketSeconds * 1000;
  const daily = a.bucketSeconds >= 86_400;
  const label = (v: number) => {
    const iso = new Date(v).toISOString();
    return daily ? iso.slice(0, 10) : `${iso.slice(0, 10)}\n${iso.slice(11, 16)}`;
  };
  const c = chart(el, {
    useUTC: true,
    legend: { top: 0, type: 'scroll' },
    grid: { left: 64, right: 24, top: 40, bottom: 64 },
    tooltip: { trigger: 'axis', renderMode: 'richText' },
    xAxis: {
      type: 'time', min: a.buckets[0], max: a.buckets.at(-1)! + size, name: 'time (UTC)', nameLocation: 'middle', nameGap: 44,
      axisLabel: { formatter: label, hideOverlap: true },
    },
    yAxis: { type: 'value', minInterval: 1, name: `posts per ${bucketWords(a.bucketSeconds)}`, nameLocation: 'middle', nameGap: 44 },
    series: a.series.map((s) => ({
      type: 'bar', stack: 'posts', barCategoryGap: '10%',
      name: s.group === null ? 'other texts' : `Text ${s.group + 1}: ${clipLegend(groups[s.group]?.name ?? '')}`,
      data: a.buckets.map((b, i) => [b + size / 2, s.counts[i]]),
    })),
  });
  exposeDrawnText(el, c);
}

function clipLegend(text: string): string {
  const chars = Array.from(text);
  return chars.length > 24 ? `${chars.slice(0, 23).join('')}…` : text;
}

function bucketWords(s: number): string {
  if (s % 86_400 === 0) return s === 86_400 ? 'day' : `${s / 86_400} days`;
  if (s % 3600 === 0) return s === 3600 ? 'hour' : `${s / 3600} hours`;
  return s === 60 ? 'minute' : `${s / 60} minutes`;
}

/**
 * Writes the texts ECharts drew on the canvas (axis labels and names, legend) into
 * data-drawn-text, so a test can read what a reader sees without OCR.
 */
function exposeDrawnText(el: HTMLElement, c: ECharts): void {
  const texts: string[] = [];
  for (const d of c.getZr().storage.getDisplayList(true)) {
    const text = (d as { style?: { text?: unknown } }).style?.text;
    if (typeof text === 'string' && text) texts.push(text);
  }
  el.dataset.drawnText = JSON.stringify(texts);
}
