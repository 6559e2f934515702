/** The <title> of an archived HTML page, for the WACZ page list. */
import { Parser } from 'htmlparser2';

/** The first <title>'s text (whitespace collapsed, at most 300 characters), or null. */
export function htmlTitle(body: Uint8Array, contentType: string | null): string | null {
  if (!contentType || !/html/i.test(contentType)) return null;
  const charset = /charset\s*=\s*"?([\w-]+)/i.exec(contentType)?.[1] ?? 'utf-8';
  let text: string;
  try {
    text = new TextDecoder(charset).decode(body.subarray(0, 256 * 1024));
  } catch {
    text = new TextDecoder('utf-8').decode(body.subarray(0, 256 * 1024));
  }
  let inTitle = false;
  let done = false;
  let title = '';
  const parser = new Parser({
    onopentagname(name) { if (name === 'title' && !done) inTitle = true; },
    ontext(t) { if (inTitle) title += t; },
    onclosetag(name) { if (name === 'title' && inTitle) { inTitle = false; done = true; } },
  }, { decodeEntities: true });
  parser.write(text);
  parser.end();
  const clean = title.replace(/\s+/g, ' ').trim().slice(0, 300);
  return clean || null;
}
