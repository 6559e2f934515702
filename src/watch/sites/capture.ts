/**
 * One visit of a tracked site: fetch it through the outbound-fetch module (address policy, body
 * cap, timeout, the watcher's stop), hand the exchange to the web archive, and describe what came
 * back as a FetchOutcome for the classifier. Nothing a server answers steers anything here: the
 * body and headers are only stored and classified.
 */
import { sha256 } from '../../archive/warc.ts';
import type { Archive, ArchivedResponse } from '../../archive/types.ts';
import { BODY_CAPS, BlockedAddressError, FetchError, safeFetch } from '../../net/fetch.ts';
import type { FetchOutcome } from '../../detect/sites/types.ts';
import type { TrackedSite } from '../../store/schema.ts';

/** What the site watch sends: an honest name, and the page types a browser asks for. */
export const SITE_REQUEST_HEADERS: Readonly<Record<string, string>> = {
  'user-agent': 'censorscope-site-watch/0.1 (+research; site change observatory)',
  accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8',
};

export interface FetchedSite {
  outcome: FetchOutcome;
  /** Set when the fetch was cut short by the watcher's stop: the visit says nothing about the site. */
  stopped: boolean;
}

/** Fetches a tracked site once. Its own origin may be internal (the operator chose it); redirects elsewhere follow the policy. */
export async function fetchSite(site: Pick<TrackedSite, 'url'>, o: { at: number; timeoutMs: number; allowPrivate: boolean; signal?: AbortSignal }): Promise<FetchedSite> {
  const origin = new URL(site.url).origin;
  try {
    const a = await safeFetch(site.url, {
      policy: { allowPrivate: o.allowPrivate, allowOrigins: [origin] },
      headers: { ...SITE_REQUEST_HEADERS },
      ...BODY_CAPS.site,
      timeoutMs: o.timeoutMs,
      signal: o.signal,
    });
    return { stopped: false, outcome: { kind: 'answer', at: o.at, status: a.status, finalUrl: a.url, headers: a.headers, body: a.bytes, truncated: a.truncated } };
  } catch (err) {
    if (o.signal?.aborted) return { stopped: true, outcome: { kind: 'failure', at: o.at, code: 'aborted', message: 'stopped' } };
    const code = err instanceof BlockedAddressError || err instanceof FetchError ? err.code : 'error';
    return { stopped: false, outcome: { kind: 'failure', at: o.at, code, message: (err as Error).message } };
  }
}

/** "sha256:<hex>" of a payload, as WARC-Payload-Digest is kept in the store. */
export function payloadDigest(body: Uint8Array): string {
  return sha256(body);
}

export interface ArchivedVisit {
  digest: string | null;
  recordId: number | null;
  /** Why the answer could not be archived (the capture is still recorded, without a record). */
  error: string | null;
}

/** Writes an answer to the archive (when there is one); failures become a note, never a lost capture. */
export async function archiveVisit(archive: Archive | undefined, siteId: number, outcome: FetchOutcome): Promise<ArchivedVisit> {
  if (outcome.kind !== 'answer') return { digest: null, recordId: null, error: null };
  const digest = payloadDigest(outcome.body);
  if (!archive) return { digest, recordId: null, error: null };
  try {
    const r: ArchivedResponse = await archive.record({
      at: outcome.at, method: 'GET', url: outcome.finalUrl, requestHeaders: { ...SITE_REQUEST_HEADERS },
      status: outcome.status, responseHeaders: outcome.headers, body: outcome.body, truncated: outcome.truncated,
    }, { subject: 'site', subjectId: siteId });
    return { digest: r.payloadDigest, recordId: r.recordId, error: null };
  } catch (err) {
    return { digest, recordId: null, error: (err as Error).message };
  }
}
