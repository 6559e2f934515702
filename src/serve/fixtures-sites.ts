/**
 * Tracked sites with scripted histories for the dashboard's tests, the text scan and the
 * screenshots: each visit's answer is written through the real web archive (WARC records, the
 * revisit dedup), turned into a snapshot and classified by the real classifier
 * (src/detect/sites/classify.ts) against the site's earlier captures, and kept as a site capture
 * with its verdict, reasons and change summary, as the site watch keeps it. The verdict the
 * script expects is checked: a fixture that no longer shows what it says fails loudly. The sites are under the reserved `.example` names, so none reads as a claim about a
 * real site. One page carries a script that would change its title and open an alert (replay
 * must not run it); `liveUrl` puts references to a "live web" server in pages, which replay and
 * screenshots must never reach.
 */
import type { Store } from '../store/open.ts';
import type { Archive } from '../archive/types.ts';
import { classifyCapture, snapshotOf, type CaptureHistory, type PageSnapshot } from '../detect/sites/classify.ts';
import type { FetchOutcome, SiteVerdict } from '../detect/sites/types.ts';

const MIN = 60_000;
/** A 2×2 PNG (the news site's logo), archived as a subresource of its pages. */
export const LOGO_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');
const STYLE = 'body { font-family: sans-serif; } h1 { color: #1f5f99; }';

export interface SeededSite { id: number; url: string; name: string | null; captures: Array<{ id: number; at: number; verdict: string }> }

/** One scripted visit: what came back, and the verdict the classifier must give it. */
type Visit =
  | { kind: 'answer'; status: number; html: string; verdict: string }
  | { kind: 'failure'; code: string; verdict: string };

function page(title: string, body: string, extra = ''): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${title}</title><link rel="stylesheet" href="style.css">${extra}</head><body>${body}</body></html>`;
}

/** The scripted sites: what each visit got back and the verdict it must be given. */
function script(opts: { liveUrl?: string; xss: boolean }) {
  const live = opts.liveUrl ? `<img src="${opts.liveUrl}/beacon.png" alt=""><link rel="stylesheet" href="${opts.liveUrl}/live.css"><script src="${opts.liveUrl}/live.js"></script>` : '';
  const stories = ['The council approved the new library budget after a long debate.', 'Rain is expected across the region for the rest of the week.',
    'The river festival returns with boats, music and food stalls.', 'Local bakery wins the national bread award for its sourdough.',
    'Train services resume on the northern line after repairs.', 'Students plant a thousand trees along the old canal path.']
  const news = (n: number) => page('Daily News', `<header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header><main><h1>Daily News</h1><img src="logo.png" alt="logo" id="logo">`
    + `<article><h2>${stories[n % stories.length]}</h2><p>Reporters followed the story through the day and spoke to residents about what it means for them.</p></article>`
    + `<article><h2>${stories[(n + 1) % stories.length]}</h2><p>More details will follow as the situation develops over the coming days.</p></article>`
    + `<p>Weather, markets and sport are updated through the day on every section of this site.</p></main>${live}`);
  const govBody = '<h1>County government portal</h1><p>Office hours and public notices for residents of the county.</p><p>Apply for building permits, business licences and parking permits online.</p><p>The county council meets on the first Monday of every month in the town hall.</p>';
  const gov = page('County government portal', govBody);
  const defaced = page('HACKED BY zero-crew', `<h1>Hacked by zero-crew</h1><p>Your security is a joke.</p><script>document.title='PWNED';alert('pwned')</script>${live}`);
  const spam = page('County government portal', `${govBody}<div style="display:none">${['澳门赌场', '娱乐城', '博彩', '真人百家乐', '网上赌场'].map((w, i) => `<a href="http://casino${i}.example/">${w}</a>`).join(' ')}</div>`);
  const sites: Array<{ url: string; name: string | null; visits: Visit[] }> = [
    {
      url: 'http://news.example/', name: 'Daily News (simulated)', visits: [
        { kind: 'answer', status: 200, html: news(1), verdict: 'reachable' },
        { kind: 'answer', status: 200, html: news(2), verdict: 'updated' },
        { kind: 'answer', status: 200, html: news(2), verdict: 'reachable' },
        { kind: 'answer', status: 200, html: news(3), verdict: 'updated' },
      ],
    },
    {
      url: 'http://portal.example/', name: 'County portal (simulated)', visits: [
        { kind: 'answer', status: 200, html: gov, verdict: 'reachable' },
        { kind: 'answer', status: 200, html: defaced, verdict: 'defaced' },
        { kind: 'answer', status: 200, html: gov, verdict: 'reachable' },
        { kind: 'answer', status: 200, html: spam, verdict: 'injected' },
      ],
    },
    {
      url: 'http://closed.example/', name: null, visits: [
        { kind: 'answer', status: 200, html: page('Closed club', '<h1>Closed club</h1><p>Meetings every Friday.</p>'), verdict: 'reachable' },
        { kind: 'answer', status: 200, html: page('网站暂停访问', '<h1>网站暂停访问</h1><p>该网站已关闭</p>'), verdict: 'taken_down' },
        { kind: 'answer', status: 404, html: page('404 Not Found', '<h1>Not Found</h1>'), verdict: 'taken_down' },
        { kind: 'failure', code: 'ECONNREFUSED', verdict: 'down' },
      ],
    },
  ];
  if (opts.xss) {
    const hostile = '<img src=x onerror=alert(1)>';
    sites.push({
      url: 'http://hostile.example/?q=%3Cscript%3E', name: `${hostile} "name"`, visits: [
        { kind: 'answer', status: 200, html: page('&lt;img src=x onerror=alert(1)&gt;', '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>'), verdict: 'reachable' },
        { kind: 'answer', status: 200, html: page('&lt;img src=x onerror=alert(2)&gt;', '<p>&lt;script&gt;alert(2)&lt;/script&gt;</p><p>more</p>'), verdict: 'updated' },
      ],
    });
  }
  return sites;
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
    const history: Array<CaptureHistory & { id: number }> = [];
    for (const [i, v] of s.visits.entries()) {
      const at = start + i * every;
      let recordId: number | null = null;
      let digest: string | null = null;
      const headers = new Headers({ 'content-type': 'text/html; charset=utf-8', 'set-cookie': 'tracker=1' });
      const outcome: FetchOutcome = v.kind === 'answer'
        ? { kind: 'answer', at, status: v.status, finalUrl: s.url, headers, body: new TextEncoder().encode(v.html), truncated: false }
        : { kind: 'failure', at, code: v.code, message: `connect ${v.code}` };
      if (outcome.kind === 'answer') {
        const body = outcome.body;
        const archived = await archive.record({ at, method: 'GET', url: s.url, requestHeaders: { 'user-agent': 'censorscope' }, status: outcome.status, responseHeaders: headers, body, truncated: false },
          { subject: 'site', subjectId: siteId });
        recordId = archived.recordId;
        digest = archived.payloadDigest;
        // The page's stylesheet and logo, fetched with it, so the replay can show them from the archive.
        const origin = new URL(s.url).origin;
        await archive.record({ at, method: 'GET', url: `${origin}/style.css`, requestHeaders: {}, status: 200, responseHeaders: new Headers({ 'content-type': 'text/css' }), body: new TextEncoder().encode(STYLE), truncated: false }, { subject: 'site', subjectId: siteId });
        if (s.url.includes('news')) await archive.record({ at, method: 'GET', url: `${origin}/logo.png`, requestHeaders: {}, status: 200, responseHeaders: new Headers({ 'content-type': 'image/png' }), body: LOGO_PNG, truncated: false }, { subject: 'site', subjectId: siteId });
      }
      const snapshot: PageSnapshot | null = snapshotOf(outcome);
      const verdict = classifyCapture({ outcome, snapshot }, history, null, { intervalMs: every });
      if (verdict.verdict !== v.verdict) {
        throw new Error(`fixtures-sites: visit ${i + 1} of ${s.url} was classified ${verdict.verdict}, the script expects ${v.verdict}: ${verdict.reasons.join(' ')}`);
      }
      const baseline = verdict.baselineIndex === null ? null : history[verdict.baselineIndex]!.id;
      const c = await store.db.insertInto('site_captures').values({
        site_id: siteId, at, status: outcome.kind === 'answer' ? outcome.status : null, final_url: outcome.kind === 'answer' ? s.url : null, verdict: verdict.verdict,
        reasons: JSON.stringify(verdict.reasons), digest, error_code: outcome.kind === 'failure' ? outcome.code : null, snapshot: snapshot ? JSON.stringify(snapshot) : null,
        diff: verdict.diff === null ? null : JSON.stringify(verdict.diff), baseline_id: baseline, record_id: recordId, probe_measurement_id: null,
      }).returning('id').executeTakeFirstOrThrow();
      history.unshift({ id: Number(c.id), at, status: outcome.kind === 'answer' ? outcome.status : null, verdict: verdict.verdict as SiteVerdict, snapshot });
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
