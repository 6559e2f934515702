/**
 * The human-readable report of one post's bundle: what was seen when, from where, with which
 * response, the texts, and the interval in which it disappeared, with the observation that
 * proved it. Every observation of the post is listed by its id and time.
 */
import type { PostEvidence } from './post-evidence.ts';
import { esc, facts, filesTable, jsonBlock, page, privacyNote, table, td, timeCell, urlCell } from './html.ts';
import { statusWords } from './labels.ts';
import { duration, iso } from './time.ts';
import { archiveSection } from './archive-files.ts';

/** What the bundle says about itself (filled in by bundle.ts). */
export interface ReportMeta {
  generator: string;
  files: Array<{ file: string; bytes: number; sha256: string }>;
}

function disappearanceSummary(e: PostEvidence): string {
  const d = e.disappearances[0];
  if (d) {
    const proof = e.observations.find((o) => o.id === d.observation_id);
    const proofText = proof
      ? ` The observation that confirmed it is #${esc(proof.id)} at ${timeCell(proof.observed_at)}: outcome ${esc(statusWords(proof.outcome))}${proof.http_status != null ? `, HTTP ${esc(proof.http_status)}` : ''}${proof.error_code ? `, error <code>${esc(proof.error_code)}</code>` : ''}.`
      : d.observation_id != null ? ` It was proved by observation #${esc(d.observation_id)}.` : '';
    return `<p class="summary" id="interval">The post was <strong>${esc(statusWords(d.kind))}</strong>. It was last seen at ${timeCell(d.last_seen_at)} and first found missing at ${timeCell(d.first_missing_at)}, so it disappeared within those ${esc(duration(d.first_missing_at - d.last_seen_at))}.${proofText} A disappearance is recorded only after a second check confirms the first.</p>`;
  }
  if (e.post.status === 'visible') return `<p class="summary" id="interval">The post was <strong>visible</strong> at the last check (${timeCell(e.post.last_seen)}).</p>`;
  return `<p class="summary" id="interval">The post's status is <strong>${esc(statusWords(e.post.status))}</strong>${e.post.status_changed_at != null ? ` since ${timeCell(e.post.status_changed_at)}` : ''}, but Censorscope recorded no disappearance interval for it: the status comes from ${e.source.kind === 'import' ? 'the imported data set' : 'the source'} (see its evidence below).</p>`;
}

/** Renders report.html for a post bundle. */
export function postReport(e: PostEvidence, meta: ReportMeta): string {
  const p = e.post;
  const title = `Evidence: post ${e.source.name}:${p.platform_post_id}`;
  const body = [
    `<h1>${esc(title)}</h1>`,
    `<p class="muted">Store post id ${esc(p.id)} · data as of ${timeCell(e.asOf)} · made by ${esc(meta.generator)} · all times are UTC (ISO 8601)</p>`,
    privacyNote(e.revealed),
    disappearanceSummary(e),
    '<h2>The post</h2>',
    facts([
      ['source', `${esc(e.source.name)} <span class="muted">(${esc(e.source.kind)}, platform ${esc(e.source.platform)})</span>`],
      ['platform post id', `<code>${esc(p.platform_post_id)}</code>`],
      ['URL', urlCell(p.url)],
      ['account', `${esc(p.account ?? '—')}${p.handle && p.handle !== p.account ? ` (${esc(p.handle)})` : ''}${p.account_name ? ` · ${esc(p.account_name)}` : ''}${p.account_status ? ` · account status: ${esc(p.account_status)}` : ''}`],
      ['created', timeCell(p.created_at)],
      ['first seen', timeCell(p.first_seen)],
      ['last seen', timeCell(p.last_seen)],
      ['status', `${esc(statusWords(p.status))}${p.status_changed_at != null ? ` since ${timeCell(p.status_changed_at)}` : ''}`],
      ['language', esc(p.language ?? '—')],
      ['reply to / repost of', `${esc(p.reply_to_id ?? '—')} / ${esc(p.repost_of_id ?? '—')}`],
      ['hashtags', esc(Array.isArray(p.hashtags) ? p.hashtags.join(' ') : '—')],
      ['mentions', esc(Array.isArray(p.mentions) ? p.mentions.join(' ') : '—')],
    ]),
    '<h3>Text (as last stored)</h3>',
    `<blockquote id="text">${esc(p.text)}</blockquote>`,
    '<h3>Status evidence</h3>',
    jsonBlock(p.status_evidence),
    `<h2>Versions of the text (${esc(e.versions.length)})</h2>`,
    '<p class="muted">Each distinct text the post was seen with, with the SHA-256 of its UTF-8 bytes (checked again when this bundle was made).</p>',
    table(['seen', 'SHA-256', 'hash checks', 'text'], e.versions.map((v) => [
      td(timeCell(v.seen_at)), td(esc(v.sha256), 'hash'), td(v.sha256_matches ? 'matches' : '<strong>DOES NOT MATCH the text</strong>'), td(`<blockquote>${esc(v.text)}</blockquote>`),
    ]), ' id="versions"'),
    `<h2>Observations (${esc(e.observations.length)})</h2>`,
    "<p class=\"muted\">Every check of the post, oldest first: when, what the source answered, and the request made. The store does not record which network the watcher ran from; it is the machine that ran <code>censorscope watch</code>. Transient failures (timeouts, 5xx, 429) never count as a disappearance.</p>",
    table(['observation', 'time', 'outcome', 'HTTP', 'error', 'request', 'detail'], e.observations.map((o) => [
      td(`#${esc(o.id)}`, undefined, `obs-${o.id}`), td(timeCell(o.observed_at)), td(esc(statusWords(o.outcome))), td(esc(o.http_status ?? '—')), td(o.error_code ? `<code>${esc(o.error_code)}</code>` : '—'),
      td(`${o.request.url ? `<code>GET ${esc(o.request.url)}</code>` : '—'}`), td(jsonBlock(o.detail)),
    ]), ' id="observations"'),
    `<h2>Disappearance (${esc(e.disappearances.length)})</h2>`,
    table(['kind', 'last seen', 'first missing', 'interval', 'proved by', 'detected'], e.disappearances.map((d) => [
      td(esc(statusWords(d.kind))), td(timeCell(d.last_seen_at)), td(timeCell(d.first_missing_at)), td(esc(duration(d.first_missing_at - d.last_seen_at))),
      td(d.observation_id != null ? `observation #${esc(d.observation_id)}` : '—'), td(timeCell(d.detected_at)),
    ]), ' id="disappearances"'),
    archiveSection(e.archive),
    '<h2>How to look again</h2>',
    facts([
      ['post URL', e.recheck.publicUrl ? urlCell(e.recheck.publicUrl) : p.url ? `${urlCell(p.url)} <span class="muted">(an account in it is pseudonymised: not the platform's URL)</span>` : '—'],
      ['check request', e.recheck.url ? `<code>GET ${esc(e.recheck.url)}</code>` : '—'],
      ['how it is checked', esc(e.recheck.how)],
    ]),
    '<p>VERIFY.md in this bundle gives the exact commands to check the files and to request the post again.</p>',
    '<h2>Files in this bundle</h2>',
    `<p>Every file is listed with its SHA-256 in <code>MANIFEST.sha256</code> (check with <code>sha256sum -c MANIFEST.sha256</code>) and in <code>manifest.json</code>. The other files:</p>`,
    filesTable(meta.files),
    `<p class="muted">Report generated for data as of ${esc(iso(e.asOf))}.</p>`,
  ].join('\n');
  return page(title, body);
}
