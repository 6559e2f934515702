/**
 * Replaying an archived capture: which archived record answers a URL the replayed page asks
 * for, and which of the archived response's headers may be repeated. The archived page is
 * hostile: only its body and a content type from a short list are served back, never its other
 * headers, and only records of the same site are looked up.
 */
import type { Store } from '../store/open.ts';

/** Media types an archived answer may be replayed as; anything else is sent as bytes to download, never rendered. */
const REPLAYABLE = /^(text\/(html|plain|css)|image\/(png|jpeg|gif|webp|avif|x-icon|vnd\.microsoft\.icon)|font\/(woff2?|ttf|otf)|application\/(xhtml\+xml))$/;

/** The archived Content-Type if it is one the replay serves (charset kept when it is a plain token), else a safe default. */
export function replayContentType(headers: Array<[string, string]>): string {
  const raw = headers.find(([k]) => k.toLowerCase() === 'content-type')?.[1] ?? '';
  const [type = '', ...params] = raw.split(';').map((s) => s.trim());
  const mime = type.toLowerCase();
  if (!REPLAYABLE.test(mime)) return 'application/octet-stream';
  const charset = params.map((p) => /^charset=("?)([A-Za-z0-9_.:-]{1,40})\1$/i.exec(p)?.[2]).find(Boolean);
  return charset ? `${mime}; charset=${charset}` : mime;
}

/** The archived URL a replayed path asks for: `rest` is the path under the replay route, resolved on the capture's origin. */
export function replayTarget(captureUrl: string, rest: string, search: string): string | null {
  try {
    const base = new URL(captureUrl);
    if (base.protocol !== 'http:' && base.protocol !== 'https:') return null;
    const u = new URL(`/${rest.replace(/^\/+/, '')}${search}`, base.origin);
    return u.origin === base.origin ? u.href : null;
  } catch {
    return null;
  }
}

/** Path and query of a URL as the replay route shows it (`/news/?p=1`), '/' when it cannot be parsed. */
export function replayPath(url: string): string {
  try {
    const u = new URL(url);
    return `${u.pathname}${u.search}`;
  } catch {
    return '/';
  }
}

/**
 * The archived response (or revisit) of one site for `uri` closest in time to `at`: what a
 * replayed page's subresource was when the capture was made. Null when none was archived.
 */
export async function findSiteRecord(store: Store, siteId: number, uri: string, at: number): Promise<number | null> {
  const base = store.db.selectFrom('archive_records').select(['id', 'date'])
    .where('subject', '=', 'site').where('subject_id', '=', siteId).where('target_uri', '=', uri).where('type', 'in', ['response', 'revisit']);
  const [before, after] = await Promise.all([
    base.where('date', '<=', at).orderBy('date', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst(),
    base.where('date', '>', at).orderBy('date', 'asc').orderBy('id', 'asc').limit(1).executeTakeFirst(),
  ]);
  const pick = !before ? after : !after ? before : (at - Number(before.date) <= Number(after.date) - at ? before : after);
  return pick ? Number(pick.id) : null;
}

