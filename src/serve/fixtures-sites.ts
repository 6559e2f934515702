/**
 * Tracked sites with scripted histories for the dashboard's tests, the text scan and the
 * screenshots: each visit's answer is written through the real web archive (WARC records, the
 * revisit dedup) and kept as a site capture with its verdict and reasons, as the site watch
 * keeps it. The sites are under the reserved `.example` names, so none reads as a claim about a
 * real site. One page carries a script that would change its title and open an alert (replay
 * must not run it); `liveUrl` puts references to a "live web" server in pages, which replay and
 * screenshots must never reach.
 */
import type { Store } from '../store/open.ts';
import type { Archive } from '../archive/types.ts';
import { parseDocument, DomUtils } from 'htmlparser2';

const MIN = 60_000;
/** A 2×2 PNG (the news site's logo), archived as a subresource of its pages. */
export const LOGO_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');
const STYLE = 'body { font-family: sans-serif; } h1 { color: #1f5f99; }';

export interface SeededSite { id: number; url: string; name: string | null; captures: Array<{ id: number; at: number; verdict: string }> }

type Visit =
  | { kind: 'answer'; status: number; html: string; verdict: string; reasons: string[] }
  | { kind: 'failure'; code: string; verdict: string; reasons: string[] };

function page(title: string, body: string, extra = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><link rel="stylesheet" href="style.css">${extra}</head><body>${body}</body></html>`;
}

/** The scripted sites: what each visit got back and the verdict it was given. */
function script(opts: { liveUrl?: string; xss: boolean }) {
  const live = opts.liveUrl ? `<img src="${opts.liveUrl}/beacon.png" alt=""><link rel="stylesheet" href="${opts.liveUrl}/live.css"><script src="${opts.liveUrl}/live.js"></script>` : '';
  const news = (n: number) => page('Daily News', `<h1>Daily News</h1><img src="logo.png" alt="logo" id="logo"><p>Headline ${n}: the council met today.</p><p>Story ${n + 1}: rain expected.</p><p>Weather and markets.</p>${live}`);
  const gov = page('County government portal', '<h1>County government portal</h1><p>Office hours and public notices.</p><p>Apply for permits online.</p>');
  const defaced = page('HACKED BY zero-crew', `<h1>Hacked by zero-crew</h1><p>Your security is a joke.</p><script>document.title='PWNED';alert('pwned')</script>${live}`);
  const spam = page('County government portal', '<h1>County government portal</h1><p>Office hours and public notices.</p><p>Apply for permits online.</p><div style="display:none"><a href="http://casino.example/">澳门赌场 娱乐城 博彩</a></div>');
  const sites: Array<{ url: string; name: string | null; visits: Visit[] }> = [
    {
      url: 'http://news.example/', name: 'Daily News (simulated)', visits: [
        { kind: 'answer', status: 200, html: news(1), verdict: 'reachable', reasons: ['First capture: the baseline for later visits.'] },
        { kind: 'answer', status: 200, html: news(2), verdict: 'updated', reasons: ['2 lines added and 2 removed of the main text; title and layout unchanged.'] },
        { kind: 'answer', status: 200, html: news(2), verdict: 'reachable', reasons: ['The page is as before.'] },
        { kind: 'answer', status: 200, html: news(3), verdict: 'updated', reasons: ['2 lines added and 2 removed of the main text; title and layout unchanged.'] },
      ],
    },
    {
      url: 'http://portal.example/', name: 'County portal (simulated)', visits: [
        { kind: 'answer', status: 200, html: gov, verdict: 'reachable', reasons: ['First capture: the baseline for later visits.'] },
        { kind: 'answer', status: 200, html: defaced, verdict: 'defaced', reasons: ['The title changed from "County government portal" to "HACKED BY zero-crew".', 'Defacement marker "hacked by" in the title and main text.', 'The main text is unlike any earlier capture (similarity 0.00).'] },
        { kind: 'answer', status: 200, html: gov, verdict: 'reachable', reasons: ['The page is as before.'] },
        { kind: 'answer', status: 200, html: spam, verdict: 'injected', reasons: ['Hidden links added to an otherwise unchanged page: 1 link to casino.example.', 'Gambling spam terms in hidden text: 澳门赌场, 娱乐城, 博彩.'] },
      ],
    },
    {
      url: 'http://closed.example/', name: null, visits: [
        { kind: 'answer', status: 200, html: page('Closed club', '<h1>Closed club</h1><p>Meetings every Friday.</p>'), verdict: 'reachable', reasons: ['First capture: the baseline for later visits.'] },
        { kind: 'answer', status: 200, html: page('网站暂停访问', '<h1>网站暂停访问</h1><p>该网站已关闭</p>'), verdict: 'taken_down', reasons: ['Shutdown notice: "网站暂停访问", "该网站已关闭".'] },
        { kind: 'answer', status: 404, html: page('404 Not Found', '<h1>Not Found</h1>'), verdict: 'taken_down', reasons: ['HTTP 404: the page is gone.'] },
        { kind: 'failure', code: 'ECONNREFUSED', verdict: 'down', reasons: ['No answer: the connection was refused.'] },
      ],
    },
  ];
  if (opts.xss) {
    const hostile = '<img src=x onerror=alert(1)>';
    sites.push({
      url: 'http://hostile.example/?q=%3Cscript%3E', name: `${hostile} "name"`, visits: [
        { kind: 'answer', status: 200, html: page('&lt;img src=x onerror=alert(1)&gt;', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'), verdict: 'reachable', reasons: [`First capture: title ${hostile}.`] },
        { kind: 'answer', status: 200, html: page('&lt;img src=x onerror=alert(2)&gt;', '<p>&lt;script&gt;alert(2)&lt;/script&gt;</p><p>more</p>'), verdict: 'updated', reasons: [`Title ${hostile} <script>alert(2)</script>.`] },
      ],
    });
  }
  return sites;
}

/** Title and main-text lines of a page, as the snapshot the dashboard diffs holds them. */
function snapshotOfHtml(url: string, status: number, html: string): { v: 1; url: string; status: number; title: string; lines: string[] } {
  const doc = parseDocument(html);
  const title = DomUtils.textContent(DomUtils.getElementsByTagName('title', doc)).trim();
  const lines = DomUtils.getElementsByTagName((name) => ['h1', 'p', 'a'].includes(name), doc).map((e) => DomUtils.textContent(e).trim()).filter(Boolean);
  return { v: 1, url, status, title, lines };
}

/**
 * Seeds the scripted sites: visits `every` apart ending at `now`, each archived through `archive`
 * and kept as a capture; each site's state is its latest verdict.
 */
export async function seedTrackedSites(store: Store, archive: Archive, opts: { now?: number; everyMs?: number; liveUrl?: string; xss?: boolean } = {}): Promise<SeededSite[]> {
  const now = opts.now ?? Date.now();
  const every = opts.everyMs ?? 10 * MIN;
  const out: SeededSite[] = [];
  for (const s of script({ liveUrl: opts.liveUrl, xss: opts.xss ?? false })) {
    const start = now - (s.visits.length - 1) * every;
    const row = await store.db.insertInto('tracked_sites').values({
      url: s.url, name: s.name, every_ms: every, webhook: null, category: s.url.includes('news') ? 'NEWS' : null, enabled: 1,
      added_at: start - MIN, next_check_at: now + every, lease_owner: null, lease_until: null, state: null, state_since: null, last_capture_id: null,
    }).returning('id').executeTakeFirstOrThrow();
    const siteId = Number(row.id);
    const seeded: SeededSite = { id: siteId, url: s.url, name: s.name, captures: [] };
    let state: string | null = null;
    let since: number | null = null;
    let lastId: number | null = null;
    for (const [i, v] of s.visits.entries()) {
      const at = start + i * every;
      let recordId: number | null = null;
      let digest: string | null = null;
      let snapshot: string | null = null;
      if (v.kind === 'answer') {
        const headers = new Headers({ 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'tracker=1' });
        const body = new TextEncoder().encode(v.html);
        const archived = await archive.record({ at, method: 'GET', url: s.url, requestHeaders: { 'user-agent': 'censorscope' }, status: v.status, responseHeaders: headers, body, truncated: false },
          { subject: 'site', subjectId: siteId });
        recordId = archived.recordId;
        digest = archived.payloadDigest;
        snapshot = JSON.stringify(snapshotOfHtml(s.url, v.status, v.html));
        // The page's stylesheet and logo, fetched with it, so the replay can show them from the archive.
        const origin = new URL(s.url).origin;
        await archive.record({ at, method: 'GET', url: `${origin}/style.css`, requestHeaders: {}, status: 200, responseHeaders: new Headers({ 'content-type': 'text/css' }), body: new TextEncoder().encode(STYLE), truncated: false }, { subject: 'site', subjectId: siteId });
        if (s.url.includes('news')) await archive.record({ at, method: 'GET', url: `${origin}/logo.png`, requestHeaders: {}, status: 200, responseHeaders: new Headers({ 'content-type': 'image/png' }), body: LOGO_PNG, truncated: false }, { subject: 'site', subjectId: siteId });
      }
      const c = await store.db.insertInto('site_captures').values({
        site_id: siteId, at, status: v.kind === 'answer' ? v.status : null, final_url: v.kind === 'answer' ? s.url : null, verdict: v.verdict,
        reasons: JSON.stringify(v.reasons), digest, error_code: v.kind === 'failure' ? v.code : null, snapshot, diff: null,
        baseline_id: lastId, record_id: recordId, probe_measurement_id: null,
      }).returning('id').executeTakeFirstOrThrow();
      const healthy = (x: string | null) => x === 'reachable' || x === 'updated';
      if (state === null || (healthy(state) ? !healthy(v.verdict) : state !== v.verdict)) since = at;
      state = v.verdict;
      lastId = Number(c.id);
      seeded.captures.push({ id: lastId, at, verdict: v.verdict });
    }
    await store.db.updateTable('tracked_sites').set({ state, state_since: since, last_capture_id: lastId }).where('id', '=', siteId).execute();
    out.push(seeded);
  }
  // A site added but not visited yet.
  const fresh = await store.db.insertInto('tracked_sites').values({
    url: 'http://new.example/', name: null, every_ms: 5000, webhook: 'http://127.0.0.1:9/hook', category: null, enabled: 1, added_at: now, next_check_at: now,
    lease_owner: null, lease_until: null, state: null, state_since: null, last_capture_id: null,
  }).returning('id').executeTakeFirstOrThrow();
  out.push({ id: Number(fresh.id), url: 'http://new.example/', name: null, captures: [] });
  return out;
}
