/**
 * The baseline a competent user would run today: changedetection.io / urlwatch-style monitoring,
 * where any change of the page's text (HTML reduced to its visible text, whitespace collapsed —
 * urlwatch's html2text filter) raises an alert, and a change of status or a failure does too. A
 * second variant also masks digits, the usual filter for dates and counters.
 */
import { Parser } from 'htmlparser2';
import iconv from 'iconv-lite';

/** What one capture returned, as the baseline sees it. */
export type BaselineInput =
  | { kind: 'answer'; status: number; contentType: string | null; body: Uint8Array }
  | { kind: 'failure'; code: string };

const SKIP = new Set(['script', 'style', 'noscript', 'template']);

/** The visible text of an HTML page, decoded by the charset its Content-Type names. */
export function visibleText(body: Uint8Array, contentType: string | null): string {
  const label = /charset=([\w-]+)/i.exec(contentType ?? '')?.[1]?.toLowerCase() ?? 'utf-8';
  // Browsers (WHATWG Encoding) decode gb2312 as GBK.
  const encoding = label === 'gb2312' ? 'gbk' : iconv.encodingExists(label) ? label : 'utf-8';
  const html = iconv.decode(Buffer.from(body), encoding);
  const parts: string[] = [];
  let skipping = 0;
  const parser = new Parser({
    onopentagname(name) {
      if (SKIP.has(name)) skipping++;
    },
    onclosetag(name) {
      if (SKIP.has(name) && skipping > 0) skipping--;
    },
    ontext(t) {
      if (!skipping) parts.push(t);
    },
  }, { decodeEntities: true });
  parser.write(html);
  parser.end();
  return parts.join(' ').replace(/\s+/g, ' ').trim();
}

/** The fingerprint the baseline compares between two captures. */
export function fingerprint(x: BaselineInput, maskDigits: boolean): string {
  if (x.kind === 'failure') return `failure:${x.code}`;
  const text = visibleText(x.body, x.contentType);
  return `${x.status}\n${maskDigits ? text.replace(/\d+/g, '#') : text}`;
}
