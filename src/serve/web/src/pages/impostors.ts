/** Impostors: accounts and domains that imitate the watchlist, with targets, scores and reasons; and the post page's note. */
import { get, qs } from '../api.ts';
import { h, mount, table } from '../dom.ts';
import type { Page } from '../main.ts';

interface ImpostorRow {
  finding_id: number;
  subject: 'account' | 'domain';
  target: string;
  score: number;
  reasons: string[];
  posts: number;
  // accounts
  account_id?: string;
  handle?: string | null;
  name?: string | null;
  accountId?: number;
  // domains
  domain?: string;
  form?: string;
  postIds?: number[];
}

function reasons(r: ImpostorRow): HTMLElement {
  return h('ul', { class: 'reasons' }, r.reasons.map((x) => h('li', null, x)));
}

/** Where a flagged account or domain is seen: the account's posts, or the posts linking the domain. */
function postsLink(r: ImpostorRow): Node | string {
  if (r.subject === 'account' && r.accountId !== undefined) return h('a', { href: `/posts${qs({ account: r.accountId })}` }, `${r.posts} posts`);
  const ids = r.postIds ?? [];
  if (!ids.length) return '—';
  return h('span', null, `${r.posts}: `, ids.slice(0, 5).flatMap((id, i) => [i ? ', ' : '', h('a', { href: `/posts/${id}` }, `#${id}`)]), ids.length > 5 || r.posts > 5 ? ' …' : '');
}

function who(r: ImpostorRow): Node | string {
  if (r.subject === 'domain') return h('code', null, r.domain ?? '');
  const label = [r.handle, r.name].filter(Boolean).join(' · ') || r.account_id || '—';
  return h('span', { title: r.account_id ?? '' }, label);
}

export const impostorsPage: Page = {
  pattern: /^\/impostors$/,
  title: 'Impostors',
  nav: '/impostors',
  async render(root, ctx) {
    const subject = ctx.query.get('subject') ?? undefined;
    const offset = Number(ctx.query.get('offset') ?? 0) || 0;
    const [r, watch] = await Promise.all([
      get<{ items: ImpostorRow[]; next: number | null }>(`/api/impostors${qs({ subject, offset })}`, ctx.signal),
      get<{ items: unknown[] }>('/api/watchlist', ctx.signal),
    ]);
    mount(root,
      h('h1', null, 'Impostors'),
      h('p', { class: 'muted' }, `Accounts and linked domains that imitate the ${watch.items.length} watchlist entries (look-alike names, handles and domains). Each row says what it imitates and why; accounts are pseudonymised unless an admin reveals them.`),
      h('p', null, h('a', { href: '/impostors' }, 'all'), ' · ', h('a', { href: '/impostors?subject=account' }, 'accounts'), ' · ', h('a', { href: '/impostors?subject=domain' }, 'domains')),
      r.items.length
        ? h('div', { id: 'impostors-table' }, table(['kind', 'impostor', 'imitates', 'score', 'reasons', 'seen in'], r.items.map((x) => [
          x.subject, who(x), h('strong', null, x.target), x.score.toFixed(2), reasons(x), postsLink(x)])))
        : h('p', { class: 'muted', id: 'impostors-empty' }, 'No impostor found (or the detector has not run: `censorscope impostors`, or the detectors schedule).'),
      r.next !== null ? h('a', { class: 'more', href: `/impostors${qs({ subject, offset: r.next })}` }, 'More →') : null,
    );
  },
};

/** A note for the post page when the post's account or a link in it is a flagged impostor (null otherwise). */
export async function impostorNote(postId: number, signal: AbortSignal): Promise<HTMLElement | null> {
  const r = await get<{ items: ImpostorRow[] }>(`/api/impostors${qs({ post: postId })}`, signal).catch(() => ({ items: [] as ImpostorRow[] }));
  if (!r.items.length) return null;
  return h('section', { class: 'panel impostor-note', id: 'impostor-note' }, h('h2', null, 'Impostor'),
    r.items.map((x) => h('p', null, x.subject === 'account' ? 'This post\'s account imitates ' : ['A link in this post (', h('code', null, x.domain ?? ''), ') imitates '],
      h('strong', null, x.target), ` (score ${x.score.toFixed(2)}): ${x.reasons.join('; ')}. `, h('a', { href: '/impostors' }, 'All impostors →'))));
}
