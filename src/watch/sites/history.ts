/** A tracked site's captures read back: `censorscope site history URL [--json]`. */
import type { Store } from '../../store/open.ts';
import type { TrackedSite } from '../../store/schema.ts';

/** One capture as `site history --json` prints it. */
export interface HistoryCapture {
  /** ISO-8601 UTC. */
  at: string;
  status: number | null;
  verdict: string;
  reasons: string[];
  digest: string | null;
}

export interface SiteHistory {
  url: string;
  captures: HistoryCapture[];
}

/** The site's captures, oldest first, in the shape of `site history --json`. */
export async function siteHistory(store: Store, site: TrackedSite): Promise<SiteHistory> {
  const rows = await store.db.selectFrom('site_captures').select(['at', 'status', 'verdict', 'reasons', 'digest'])
    .where('site_id', '=', site.id).orderBy('at').orderBy('id').execute();
  return {
    url: site.url,
    captures: rows.map((r) => ({
      at: new Date(Number(r.at)).toISOString(),
      status: r.status == null ? null : Number(r.status),
      verdict: r.verdict,
      reasons: parseReasons(r.reasons),
      digest: r.digest ?? null,
    })),
  };
}

function parseReasons(s: string): string[] {
  try {
    const v = JSON.parse(s) as unknown;
    return Array.isArray(v) ? v.map(String) : [String(v)];
  } catch {
    return [s];
  }
}
