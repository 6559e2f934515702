/** Posts: the filterable table (filters live in the URL) and one post's full history. */
import { get, qs } from '../api.ts';
import { clip, count, h, safeHref, statusBadge, statusLabel, table, time } from '../dom.ts';
import { navigate, type Page } from '../main.ts';
import { impostorNote } from './impostors.ts';

interface PostRow { id: number; source: string | null; account: string | null; platform_account_id: string | null; created_at: number | null; text: string; status: string; status_changed_at: number | null }
interface Source { id: number; name: string }
const FILTERS = ['q', 'status', 'source', 'account', 'from', 'to'] as const;
const STATUSES = ['', 'visible', 'deleted', 'removed_by_platform', 'deleted_by_author', 'account_gone', 'unknown'];

export const postsPage: Page = {
  pattern: /^\/posts$/,
  title: 'Posts',
  nav: '/posts',
  async render(root, ctx) {
    const q = ctx.query;
    const sources = await get<{ items: Source[] }>('/api/sources', ctx.signal);
    const input = (name: string, placeholder: string, type = 'text') => h('input', { name, placeholder, type, value: q.get(name) ?? '', id: `f-${name}` });
    const status = h('select', { name: 'status', id: 'f-status' }, STATUSES.map((s) => {
      const o = h('option', { value: s }, s ? statusLabel(s) : 'any status');
      if (s === (q.get('status') ?? '')) o.selected = true;
      return o;
    }));
    const source = h('select', { name: 'source', id: 'f-source' }, h('option', { value: '' }, 'any source'), sources.items.map((s) => {
      const o = h('option', { value: String(s.id) }, s.name);
      if (String(s.id) === q.get('source')) o.selected = true;
      return o;
    }));
    const form = h('form', { class: 'filters', id: 'post-filters' },
      input('q', 'search text'), status, source, input('account', 'account id'),
      h('label', null, 'from ', input('from', 'from', 'date')), h('label', null, 'to ', input('to', 'to', 'date')),
      h('button', { type: 'submit' }, 'Filter'));
    form.addEventListener('submit', (ev) => {
      ev.preventDefault();
      const data = new FormData(form);
      const params: Record<string, string> = {};
      for (const f of FILTERS) {
        const v = String(data.get(f) ?? '').trim();
        if (v) params[f] = v;
      }
      navigate(`/posts${qs(params)}`);
    });
    const params: Record<string, string> = {};
    for (const f of FILTERS) if (q.get(f)) params[f] = q.get(f)!;
    if (q.get('before')) params.before = q.get('before')!;
    const page = await get<{ items: PostRow[]; next: number | null; scanned: { from: number; to: number } | null }>(`/api/posts${qs({ ...params, limit: 50 })}`, ctx.signal);
    const rows = page.items.map((p) => [
      h('a', { href: `/posts/${p.id}` }, String(p.id)), time(p.created_at), p.account ?? p.platform_account_id ?? '—', p.source ?? '',
      h('span', { class: 'text' }, clip(p.text)), statusBadge(p.status), time(p.status_changed_at),
    ]);
    const more = page.next !== null ? h('a', { class: 'more', id: 'next-page', href: `/posts${qs({ ...params, before: page.next })}` }, 'Older posts →') : null;
    const note = page.scanned && page.items.length < 50 && page.next !== null
      ? h('p', { class: 'muted' }, `Searched ids ${count(page.scanned.from)}–${count(page.scanned.to)}; continue for older posts.`) : null;
    root.append(h('h1', null, 'Posts'), form, h('div', { id: 'posts-table' }, table(['id', 'created', 'account', 'source', 'text', 'status', 'changed'], rows)), note, more);
  },
};

interface PostDetail {
  post: PostRow & { platform_post_id: string; url: string | null; account_name: string | null; account_status: string | null; first_seen: number; last_seen: number; status_evidence: unknown; extra: unknown; hashtags: unknown; language: string | null };
  versions: Array<{ id: number; seen_at: number; text: string; sha256: string }>;
  observations: Array<{ id: number; observed_at: number; outcome: string; http_status: number | null; error_code: string | null; detail: unknown }>;
  disappearances: Array<{ id: number; kind: string; last_seen_at: number | null; first_missing_at: number | null; observation_id: number | null; detected_at: number | null }>;
}

export const postPage: Page = {
  pattern: /^\/posts\/(\d+)$/,
  title: 'Post',
  nav: '/posts',
  async render(root, ctx) {
    const d = await get<PostDetail>(`/api/posts/${ctx.params[0]}`, ctx.signal);
    const p = d.post;
    const dl = (pairs: Array<[string, string | Node]>) => h('dl', { class: 'facts' }, pairs.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
    root.append(
      h('h1', null, `Post ${p.id} `, statusBadge(p.status)),
      h('blockquote', { class: 'post-text', id: 'post-text' }, p.text),
      dl([
        ['account', `${p.account ?? '—'} (${p.platform_account_id ?? '?'})${p.account_status ? ` · ${p.account_status}` : ''}`],
        ['source', p.source ?? '—'], ['platform id', p.platform_post_id],
        ['created', time(p.created_at)], ['first seen', time(p.first_seen)], ['last seen', time(p.last_seen)],
        ['status changed', time(p.status_changed_at)],
        // Only http(s) URLs become links; anything else (javascript:, data:) is shown as text.
        ['link', p.url ? (safeHref(p.url)?.startsWith('http') ? h('a', { href: p.url, external: true }, p.url) : p.url) : '—'],
      ]),
      h('section', { class: 'panel', id: 'disappearance' }, h('h2', null, 'Disappearance'),
        d.disappearances.length
          ? table(['kind', 'last seen', 'first missing', 'interval', 'proved by observation', 'detected'], d.disappearances.map((x) => [
            statusBadge(x.kind), time(x.last_seen_at), time(x.first_missing_at),
            x.last_seen_at != null && x.first_missing_at != null ? `${((x.first_missing_at - x.last_seen_at) / 60_000).toFixed(1)} min` : '—',
            x.observation_id != null ? `#${x.observation_id}` : '—', time(x.detected_at)]))
          : h('p', { class: 'muted' }, p.status === 'visible' ? 'Still visible at the last check.' : 'No disappearance interval recorded (status from an import).'),
        h('h3', null, 'Evidence'), h('pre', { class: 'json' }, JSON.stringify(p.status_evidence, null, 2) ?? 'none')),
      h('section', { class: 'panel', id: 'versions' }, h('h2', null, `Versions (${d.versions.length})`),
        table(['seen', 'text', 'sha256'], d.versions.map((v) => [time(v.seen_at), h('span', { class: 'text' }, v.text), v.sha256.slice(0, 12)]))),
      h('section', { class: 'panel', id: 'observations' }, h('h2', null, `Observations (${d.observations.length})`),
        table(['time', 'outcome', 'HTTP', 'error', 'detail'], d.observations.map((o) => [
          time(o.observed_at), statusBadge(o.outcome), o.http_status ?? '—', o.error_code ?? '', h('code', null, o.detail == null ? '' : clip(JSON.stringify(o.detail), 200))]))),
    );
    void impostorNote(p.id, ctx.signal).then((note) => { if (note && !ctx.signal.aborted) root.querySelector('#post-text')?.after(note); });
  },
};
