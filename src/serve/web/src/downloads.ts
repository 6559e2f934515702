/**
 * The "Download" bar each view carries: links with the `download` attribute to the API's
 * downloads (src/serve/api/downloads.ts), so the browser saves the file the server names. The
 * files are the ones `censorscope export` writes, pseudonymised as the dashboard is.
 */
import { qs } from './api.ts';
import { h } from './dom.ts';

/** One file a view offers. */
export interface DownloadLink {
  label: string;
  href: string;
  /** What the file holds, shown on hover. */
  title: string;
}

/** A bar of download links under a caption. */
export function downloadBar(id: string, links: DownloadLink[]): HTMLElement {
  return h('div', { class: 'downloads', id }, h('span', { class: 'downloads-caption' }, 'Download'), links.map((l) => {
    const a = h('a', { href: l.href, title: l.title, class: 'download', data: { format: l.label.toLowerCase().replace(/[^a-z]+/g, '-') } }, l.label);
    // The server sends Content-Disposition with the file's name; the attribute keeps the click a save, not a navigation.
    a.setAttribute('download', '');
    return a;
  }));
}

/** The post list with its current filters, every matching post rather than one page. */
export function postsDownloads(filters: Record<string, string>): HTMLElement {
  const f = { q: filters.q, status: filters.status, source: filters.source, account: filters.account, from: filters.from, to: filters.to };
  return downloadBar('posts-downloads', [
    { label: 'CSV', href: `/api/downloads/posts${qs({ ...f, format: 'csv' })}`, title: 'Every post these filters select, as CSV (spreadsheet-safe)' },
    { label: 'JSONL', href: `/api/downloads/posts${qs({ ...f, format: 'jsonl' })}`, title: 'Every post these filters select, one JSON object a line' },
  ]);
}

/** A campaign's posts, network and evidence. */
export function campaignDownloads(id: string): HTMLElement {
  const base = `/api/downloads/campaigns/${encodeURIComponent(id)}`;
  return downloadBar('campaign-downloads', [
    { label: 'Posts CSV', href: `${base}/posts?format=csv`, title: "The campaign's posts as CSV" },
    { label: 'Posts JSONL', href: `${base}/posts?format=jsonl`, title: "The campaign's posts, one JSON object a line" },
    { label: 'Network GEXF', href: `${base}/network?format=gexf`, title: 'The account network for Gephi (GEXF)' },
    { label: 'Network GraphML', href: `${base}/network?format=graphml`, title: 'The account network as GraphML' },
    { label: 'Edges CSV', href: `${base}/edges`, title: 'One row per coordinated post pair: both posts, their accounts, times and texts' },
  ]);
}

/** A term's posts and timeline. */
export function termDownloads(term: string): HTMLElement {
  const base = `/api/downloads/terms/${encodeURIComponent(term)}`;
  return downloadBar('term-downloads', [
    { label: 'Posts CSV', href: `${base}/posts?format=csv`, title: 'The posts the terms run counted for this term, as CSV' },
    { label: 'Posts JSONL', href: `${base}/posts?format=jsonl`, title: 'The posts the terms run counted for this term, one JSON object a line' },
    { label: 'Timeline CSV', href: `${base}/timeline?format=csv`, title: 'Posts, removals and removal rate with its 95% interval, by UTC day' },
    { label: 'Timeline JSON', href: `${base}/timeline?format=json`, title: 'The same timeline as JSON' },
  ]);
}
