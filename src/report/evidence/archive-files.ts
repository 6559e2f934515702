/**
 * How a bundle presents a post's archived answers (src/report/evidence/archived.ts): the
 * archive.jsonl listing, the report's table, and VERIFY.md's commands to open the WARC.
 */
import type { ArchivedEvidence } from './archived.ts';
import { esc, table, td, timeCell } from './html.ts';
import { iso } from './time.ts';

/** The WARC file inside a bundle. */
export const ARCHIVE_WARC = 'archive.warc.gz';
/** One line per archived record. */
export const ARCHIVE_JSONL = 'archive.jsonl';

const ROLE_WORDS = { check: "this post's check", proving_check: 'the check that proved its account gone', revisit_original: "a revisit's original" } as const;

/** archive.jsonl: every record, with its place in archive.warc.gz (null offsets when the WARC is left out). */
export function archiveJsonl(a: ArchivedEvidence): string {
  return a.records.map((r) => `${JSON.stringify({ ...r, date: iso(r.date), in_bundle: a.warc !== null })}\n`).join('');
}

/** The report's section on archived answers. */
export function archiveSection(a: ArchivedEvidence): string {
  if (!a.records.length) {
    return '<h2>Archived answers (0)</h2>\n<p class="muted">No answer of this post\'s checks is in the web archive (the watcher archives them when it runs with an archive: the first check, edits, and the answers a disappearance rests on).</p>';
  }
  const intro = a.warc
    ? `<p>The answers the platform gave to the checks that matter (first sight, edits, the answers a disappearance rests on) are in <code>archive.warc.gz</code> byte for byte as the watcher archived them (WARC 1.1). A <em>revisit</em> record repeats an earlier answer with the same payload digest; that earlier response is included too. VERIFY.md says how to open them.</p>`
    : `<p><strong>The WARC records are not in this bundle.</strong> ${esc(a.omitted)} They are listed here and in <code>archive.jsonl</code> with their payload digests, so anyone holding the archive can check them.</p>`;
  return [
    `<h2>Archived answers (${esc(a.records.length)})</h2>`,
    intro,
    table(['record', 'type', 'why', 'observation', 'time', 'URL', 'HTTP', 'payload digest'], a.records.map((r) => [
      td(`<code>${esc(r.warc_record_id)}</code>`), td(esc(r.type)), td(esc(ROLE_WORDS[r.role])), td(r.observation_id != null ? `#${esc(r.observation_id)}` : '—'),
      td(timeCell(r.date)), td(`<code>${esc(r.target_uri)}</code>`), td(esc(r.http_status ?? '—')), td(esc(r.payload_digest ?? '—'), 'hash'),
    ]), ' id="archive"'),
  ].join('\n');
}

/** VERIFY.md's lines on the archived answers. */
export function archiveNotes(a: ArchivedEvidence): string[] {
  if (!a.records.length) return [];
  if (!a.warc) {
    return ['## 4. The archived answers', '', `archive.jsonl lists the ${a.records.length} WARC records archived for this post, without their bytes: ${a.omitted}`];
  }
  return [
    '## 4. Open the archived answers',
    '',
    `archive.warc.gz holds ${a.records.length} WARC 1.1 records (request, response and revisit records, one gzip member each), copied byte for byte`,
    'from the watcher\'s archive. archive.jsonl lists each with its observation, time, URL, HTTP status, payload digest and its byte offset',
    'and length in archive.warc.gz. To read them all as text:',
    '',
    '```sh',
    'zcat archive.warc.gz | less',
    '```',
    '',
    'One record alone (OFFSET and LENGTH from archive.jsonl):',
    '',
    '```sh',
    'tail -c +$((OFFSET + 1)) archive.warc.gz | head -c LENGTH | zcat',
    '```',
    '',
    'Each response record\'s `WARC-Payload-Digest` is `sha256:` and the hex SHA-256 of the body exactly as the server sent it (not decoded);',
    'a revisit record carries the digest of the earlier response it repeats (`WARC-Refers-To`). To replay the answers in a browser, load',
    'archive.warc.gz into ReplayWeb.page (https://replayweb.page; the file stays on your machine) or into pywb (`wb-manager add`).',
  ];
}
