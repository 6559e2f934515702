/**
 * The human-readable report of one campaign's bundle: the finding, its accounts, its texts grouped
 * by their normal form with counts, the network's edges with the post pairs that prove them,
 * every post with its fate, and every observation and disappearance of those posts.
 */
import type { CampaignEvidence } from './campaign-evidence.ts';
import { esc, facts, filesTable, page, privacyNote, table, td, timeCell, urlCell } from './html.ts';
import { statusWords } from './labels.ts';
import type { ReportMeta } from './post-report.ts';
import { duration, iso } from './time.ts';

const ref = (r: { source: string; platform_post_id: string } | null) => (r ? `<code>${esc(r.source)}:${esc(r.platform_post_id)}</code>` : '<span class="muted">(post no longer in the store)</span>');

/** Renders report.html for a campaign bundle. */
export function campaignReport(e: CampaignEvidence, meta: ReportMeta): string {
  const f = e.finding;
  const title = `Evidence: campaign ${f.id}`;
  const gone = e.posts.filter((p) => p.status !== 'visible').length;
  const types = Object.entries(f.types).map(([k, v]) => `${k}: ${v}`).join(', ');
  const body = [
    `<h1>${esc(title)}</h1>`,
    `<p class="muted">Finding ${esc(f.finding_id)}, found at ${timeCell(f.created_at)} · data as of ${timeCell(e.asOf)} · made by ${esc(meta.generator)} · all times are UTC (ISO 8601)</p>`,
    privacyNote(e.revealed),
    `<p class="summary" id="finding-summary">${esc(f.summary)}</p>`,
    facts([
      ['score', esc(f.score.toFixed(4))],
      ['period', `${esc(f.start ?? '?')} → ${esc(f.end ?? '?')}`],
      ['accounts', esc(e.accounts.length)],
      ['posts', `${esc(e.posts.length)} (${esc(gone)} no longer visible)`],
      ['burstiness', esc(f.burstiness ?? '—')],
      ['edge types', esc(types || '—')],
    ]),
    '<p class="muted">A campaign is a community of accounts that posted the same or nearly the same text, reposted, linked, replied or tagged alike within a short window (the coordination detector). It is a statistical finding about behaviour: read the texts and the pairs below before naming anyone.</p>',
    `<h2>Texts (${esc(e.texts.length)} distinct after normalisation)</h2>`,
    '<p class="muted">Posts grouped by the detector\'s normal form of their text (NFKC, case folded, Traditional→Simplified, links, tags and punctuation removed); the text shown is the earliest post\'s, as written.</p>',
    table(['posts', 'accounts', 'first', 'last', 'text', 'posts (source:platform id)'], e.texts.map((t) => [
      td(esc(t.count)), td(esc(t.accounts)), td(timeCell(t.first)), td(timeCell(t.last)), td(`<blockquote>${esc(t.text)}</blockquote>`),
      td(t.posts.slice(0, 50).map((r) => ref(r)).join(' ') + (t.posts.length > 50 ? ` <span class="muted">and ${esc(t.posts.length - 50)} more (texts.jsonl)</span>` : '')),
    ]), ' id="texts"'),
    `<h2>Accounts (${esc(e.accounts.length)})</h2>`,
    table(['account', 'source', 'posts in the campaign', 'no longer visible'], e.accounts.map((a) => [
      td(`<code>${esc(a.account)}</code>`), td(esc(a.source ?? '—')), td(esc(a.posts)), td(esc(a.gone)),
    ]), ' id="accounts"'),
    `<h2>Network edges (${esc(e.edges.length)})</h2>`,
    '<p class="muted">Each edge joins two accounts; its evidence is the pairs of posts (source:platform id) that made it. Also in edges.csv.</p>',
    table(['source', 'target', 'weight', 'type', 'evidence (post pairs)'], e.edges.map((x) => [
      td(`<code>${esc(x.source)}</code>`), td(`<code>${esc(x.target)}</code>`), td(esc(x.weight)), td(esc(x.edge_type)),
      td(x.evidence.map(([a, b]) => `${ref(a)} ↔ ${ref(b)}`).join('<br>') || '—'),
    ]), ' id="edges"'),
    `<h2>Posts (${esc(e.posts.length)})</h2>`,
    table(['post', 'account', 'created', 'status', 'status since', 'URL', 'text'], e.posts.map((p) => [
      td(ref(p)), td(`<code>${esc(p.account ?? '—')}</code>`), td(timeCell(p.created_at)), td(esc(statusWords(p.status))), td(timeCell(p.status_changed_at)),
      td(urlCell(p.url)), td(`<blockquote>${esc(p.text)}</blockquote>`),
    ]), ' id="posts"'),
    `<h2>Disappearances (${esc(e.disappearances.length)})</h2>`,
    table(['post', 'kind', 'last seen', 'first missing', 'interval', 'proved by'], e.disappearances.map((d) => [
      td(ref(d.post)), td(esc(statusWords(d.kind))), td(timeCell(d.last_seen_at)), td(timeCell(d.first_missing_at)),
      td(esc(duration(d.first_missing_at - d.last_seen_at))), td(d.observation_id != null ? `observation #${esc(d.observation_id)}` : '—'),
    ]), ' id="disappearances"'),
    `<h2>Observations (${esc(e.observations.length)})</h2>`,
    '<p class="muted">Every check of these posts, oldest first. Details are in observations.jsonl.</p>',
    table(['observation', 'post', 'time', 'outcome', 'HTTP', 'error'], e.observations.map((o) => [
      td(`#${esc(o.id)}`, undefined, `obs-${o.id}`), td(ref(o.post)), td(timeCell(o.observed_at)), td(esc(statusWords(o.outcome))),
      td(esc(o.http_status ?? '—')), td(o.error_code ? `<code>${esc(o.error_code)}</code>` : '—'),
    ]), ' id="observations"'),
    '<h2>Files in this bundle</h2>',
    '<p>Every file is listed with its SHA-256 in <code>MANIFEST.sha256</code> (check with <code>sha256sum -c MANIFEST.sha256</code>) and in <code>manifest.json</code>; VERIFY.md gives the exact commands. The other files:</p>',
    filesTable(meta.files),
    `<p class="muted">Report generated for data as of ${esc(iso(e.asOf))}.</p>`,
  ].join('\n');
  return page(title, body);
}
