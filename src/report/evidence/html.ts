/**
 * The pieces of a self-contained HTML report: every string from the store is escaped with a
 * maintained escaper (entities), the page carries its own stylesheet (screen and print) and a
 * Content-Security-Policy that allows nothing else, so a report opened from disk runs no script
 * and fetches nothing, whatever the scraped text holds.
 */
import { createHash } from 'node:crypto';
import { escapeUTF8 } from 'entities';
import { iso } from './time.ts';

/** Escapes text for element content and double-quoted attribute values. */
export function esc(text: string | number | null | undefined): string {
  return text == null ? '' : escapeUTF8(String(text));
}

/** An ISO 8601 UTC time in a <time> element, or a dash. */
export function timeCell(ms: number | null | undefined): string {
  const t = iso(ms);
  return t === null ? '—' : `<time datetime="${esc(t)}">${esc(t)}</time>`;
}

/** JSON pretty-printed inside <pre>, escaped. */
export function jsonBlock(value: unknown): string {
  if (value == null) return '<span class="muted">none</span>';
  return `<pre>${esc(JSON.stringify(value, null, 2))}</pre>`;
}

/** A link only for http(s) URLs; anything else (javascript:, data:) is shown as text. */
export function urlCell(url: string | null | undefined): string {
  if (!url) return '—';
  let ok = false;
  try {
    const u = new URL(url);
    ok = u.protocol === 'http:' || u.protocol === 'https:';
  } catch { /* not a URL: shown as text */ }
  return ok ? `<a href="${esc(url)}" rel="noopener noreferrer nofollow">${esc(url)}</a>` : `<code>${esc(url)}</code>`;
}

/** A table; cells are already-escaped HTML. */
export function table(headers: string[], rows: string[][], attrs = ''): string {
  const head = `<thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`;
  const body = rows.length ? rows.map((r) => `<tr>${r.join('')}</tr>`).join('\n') : `<tr><td colspan="${headers.length}" class="muted">none</td></tr>`;
  return `<table${attrs}>${head}<tbody>\n${body}\n</tbody></table>`;
}

/** A cell of already-escaped HTML. */
export const td = (html: string, cls?: string, id?: string) => `<td${cls ? ` class="${cls}"` : ''}${id ? ` id="${esc(id)}"` : ''}>${html}</td>`;

/** Key/value facts as a definition list (values already escaped). */
export function facts(pairs: Array<[string, string]>): string {
  return `<dl class="facts">${pairs.map(([k, v]) => `<dt>${esc(k)}</dt><dd>${v}</dd>`).join('')}</dl>`;
}

const CSS = `
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans CJK SC",sans-serif;color:#111;margin:2em auto;max-width:72em;padding:0 1em}
h1{font-size:1.5em;margin:.2em 0}h2{font-size:1.2em;margin:1.4em 0 .4em;border-bottom:1px solid #ccc}h3{font-size:1em}
table{border-collapse:collapse;width:100%;margin:.4em 0}th,td{border:1px solid #ccc;padding:.25em .4em;text-align:left;vertical-align:top}
th{background:#f2f2f2}td,pre,code,blockquote{overflow-wrap:anywhere;word-break:break-word}
pre{white-space:pre-wrap;margin:0;font-size:12px}code{font-size:12px}
blockquote{margin:.4em 0;padding:.5em .8em;border-left:4px solid #888;background:#fafafa;white-space:pre-wrap}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.2em 1em}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
.muted{color:#666}.privacy{padding:.4em .6em;border:1px solid #888;background:#f6f6f6}.privacy.revealed{border-color:#b00;color:#b00}
.summary{font-size:1.05em;padding:.5em .8em;border:1px solid #999;background:#fffbe6}
.hash{font-family:ui-monospace,monospace;font-size:12px}
@media print{body{margin:0;max-width:none;font-size:11px}a{color:#000;text-decoration:none}h2{break-after:avoid}tr,blockquote,pre{break-inside:avoid}
.summary,.privacy{background:none}th{background:#eee}}
`;

const CSP = `default-src 'none'; style-src 'sha256-${createHash('sha256').update(CSS).digest('base64')}'; img-src 'none'; base-uri 'none'; form-action 'none'`;

/** A complete HTML document around `body` (already escaped). */
export function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${esc(CSP)}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>${CSS}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

/** The privacy line every report carries: which policy was in force when the bundle was made. */
export function privacyNote(revealed: boolean): string {
  return revealed
    ? '<p class="privacy revealed" id="privacy">Accounts revealed: real account ids, handles and display names are shown. The people in this data may be at risk; share with care.</p>'
    : '<p class="privacy" id="privacy">Accounts pseudonymised: account ids and handles are keyed pseudonyms (<code>acct_…</code>, the same in every export of this store) and display names are left out. Post texts are kept as written: they are the evidence.</p>';
}

/** A table of the bundle's other files with their sizes and SHA-256 (the report cannot list its own). */
export function filesTable(files: Array<{ file: string; bytes: number; sha256: string }>): string {
  return table(['file', 'bytes', 'SHA-256'], files.map((f) => [td(`<code>${esc(f.file)}</code>`), td(esc(f.bytes)), td(esc(f.sha256), 'hash')]), ' id="files"');
}
