/** Posts: the filterable table (filters live in the URL) and one post's full history. */
import { get, qs } from '../api.ts';
import { clip, count, fields, h, mount, safeHref, statusBadge, statusLabel, table, time } from '../dom.ts';
import { navigate, type Page } from '../main.ts';
import type { Child } from '../dom.ts';
import { postsDownloads } from '../downloads.ts';
import { impostorNote } from './impostors.ts';

interface PostRow { id: number; source: string | null; account_id: number | null; account: string | null; platform_account_id: string | null; created_at: number | null; text: string; status: string; status_changed_at: number | null }
interface AccountMatch { id: number; source: string; account: string; matched: string }
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
      input('q', 'search text'), status, source, input('account', 'account: id, handle or acct_…'),
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
    const page = await get<{ items: PostRow[]; next: number | null; accounts?: AccountMatch[]; scanned: { window: number; newest: number | null; oldest: number | null } | null }>(
      `/api/posts${qs({ ...params, limit: 50 })}`, ctx.signal);
    const rows = page.items.map((p) => [
      h('a', { href: `/posts/${p.id}` }, String(p.id)), time(p.created_at), accountLink(p), p.source ?? '—',
      h('span', { class: 'text' }, clip(p.text)), statusBadge(p.status), time(p.status_changed_at),
    ]);
    const more = page.next !== null ? h('a', { class: 'more', id: 'next-page', href: `/posts${qs({ ...params, before: page.next })}` }, 'Older posts →') : null;
    const s = page.scanned;
    const note = s && page.items.length < 50 && page.next !== null
      ? h('p', { class: 'muted', id: 'scan-note' }, `Searched ${count(s.window)} posts${s.newest !== null && s.oldest !== null ? ` created ${time(s.oldest)} to ${time(s.newest)}` : ''}; older posts may match too: continue below.`)
      : null;
    mount(root, h('h1', null, 'Posts'), form, accountNote(q.get('account'), page.accounts),
      h('p', { class: 'muted order' }, 'Newest first by the time each post was created (UTC); posts without a time come last.'),
      h('div', { id: 'posts-table' }, table(['id', 'created', 'account', 'source', 'text', 'status', 'changed'], rows)), note, more);
    root.querySelector('h1')?.after(postsDownloads(params));
  },
};

/** The account cell: a link to the account's posts, by its store id (exact, whatever the privacy mode shows). */
function accountLink(p: PostRow): Child {
  const shown = p.account ?? p.platform_account_id;
  if (shown === null) return '—';
  return p.account_id === null ? shown : h('a', { href: `/posts${qs({ account: p.account_id })}`, title: 'Posts by this account' }, shown);
}

/** Says which accounts the "account" filter matched, or that none did and what it accepts. */
function accountNote(value: string | null, matches: AccountMatch[] | undefined): HTMLElement | null {
  if (value === null || matches === undefined) return null;
  if (!matches.length) {
    return h('p', { class: 'notice', id: 'account-note' }, `No account matches “${value}”. Give the account's number in this store, its handle or platform id, or the pseudonym (acct_…) shown in the account column.`);
  }
  return h('p', { class: 'muted', id: 'account-note' }, `Posts by `, matches.map((m, i) => [i ? '; ' : '', h('strong', null, m.account), ` (${m.source}, matched by ${m.matched})`]), '.');
}

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
    const dl = (pairs: Array<[string, Child]>) => h('dl', { class: 'facts' }, pairs.map(([k, v]) => [h('dt', null, k), h('dd', null, v)]));
    mount(root,
      h('h1', null, `Post ${p.id} `, statusBadge(p.status)),
      h('blockquote', { class: 'post-text', id: 'post-text' }, p.text),
      h('p', { class: 'evidence-link' }, h('a', { href: `/api/posts/${p.id}/evidence.zip`, id: 'evidence-link' }, 'Download the evidence bundle (ZIP: printable report, every observation, SHA-256 manifest)')),
      dl([
        ['account', [accountLink(p), accountDetails(p)]],
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
        // Evidence as stored, shown as labelled fields: times in UTC, a JSON answer body as its fields.
        h('h3', null, 'Evidence'), p.status_evidence == null ? h('p', { class: 'muted', id: 'evidence' }, 'none recorded') : h('div', { id: 'evidence' }, fields(p.status_evidence))),
      h('section', { class: 'panel', id: 'versions' }, h('h2', null, `Versions (${d.versions.length})`),
        table(['seen', 'text', 'sha256'], d.versions.map((v) => [time(v.seen_at), h('span', { class: 'text' }, v.text), v.sha256.slice(0, 12)]))),
      h('section', { class: 'panel', id: 'observations' }, h('h2', null, `Observations (${d.observations.length})`),
        table(['time', 'outcome', 'HTTP', 'error', 'detail'], d.observations.map((o) => [
          time(o.observed_at), statusBadge(o.outcome), o.http_status ?? '—', o.error_code ?? '—', o.detail == null ? '—' : fields(o.detail)]))),
    );
    void impostorNote(p.id, ctx.signal).then((note) => { if (note && !ctx.signal.aborted) root.querySelector('#post-text')?.after(note); });
  },
};

/** What the post page adds after the account: its platform id when it differs from what is shown (revealed mode), name and state. */
function accountDetails(p: PostDetail['post']): string {
  const parts = [
    p.platform_account_id !== null && p.platform_account_id !== p.account ? `id ${p.platform_account_id}` : null,
    p.account_name, p.account_status && p.account_status !== 'unknown' ? p.account_status : null,
  ].filter((x): x is string => !!x);
  return parts.length ? ` (${parts.join(' · ')})` : '';
}
