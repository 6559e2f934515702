/**
 * Decoding a fetched page's bytes to text. Chinese sites still serve GB2312/GBK and Big5, often
 * without saying so in the header, and a wrong guess stores U+FFFD where the evidence was; the
 * order is: the Content-Type charset, a byte-order mark, <meta charset>/http-equiv in the first
 * 4 KB, then sniffing (strict UTF-8, else whichever of GB18030 and Big5 reads as more common Chinese).
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { decoderFor, httpCharset } from '../../collect/sources/feed/charset.ts';

export interface Decoded {
  text: string;
  charset: string;
  from: 'header' | 'meta' | 'bom' | 'sniff' | 'default';
}

/** The decoder for a charset label (WHATWG aliases: GB2312/GBK as GB18030), or null. */
function canonical(label: string): string | null {
  return label.length > 40 ? null : decoderFor(label);
}

/** The charset named by a Content-Type value, if any. */
export function charsetOfContentType(contentType: string | null): string | null {
  const label = httpCharset(contentType);
  return label ? canonical(label) : null;
}

function charsetOfMeta(bytes: Uint8Array): string | null {
  const head = Buffer.from(bytes.subarray(0, 4096)).toString('latin1');
  const m = /<meta[^>]+charset\s*=\s*["']?\s*([a-z0-9_.:-]+)/i.exec(head);
  return m ? canonical(m[1]!) : null;
}

// The most frequent Chinese characters; the first group has the same code point in simplified and
// traditional text, the second is traditional-only, the third simplified-only.
const COMMON = new Set([...'的一是不了人在有我他中大上到子和你地出道也时年要就可以生会自着去之过家学对小下得心所能而后多然于天无作都好看起发当没成只如事把还用第样想开手行方又其些实现新法面前回本意关者长已力从主两高外定内公此动全三间问很进种理最向己因正经老头同点电话政通信'.split('')]
  .concat([...'這個們來說國時過還對學會為發後經開兩點電話於與種裡見關問']).concat([...'这个们来说国时过还对学会为发后经开两点电话于与种里见关问']));

function commonScore(text: string): number {
  let n = 0;
  for (const ch of text) if (COMMON.has(ch)) n++;
  return n - 20 * (text.match(/\uFFFD/g)?.length ?? 0);
}

/** Valid UTF-8, allowing a character cut at the end (bodies are cut at the fetch's cap). */
function looksUtf8(buf: Buffer): boolean {
  for (let cut = 0; cut <= 3 && cut < buf.length; cut++) if (isUtf8(buf.subarray(0, buf.length - cut))) return true;
  return buf.length === 0;
}

/** Decodes a body: the charset from the header, else a BOM, else <meta>, else sniffed. */
export function decodeBody(body: Uint8Array, contentType: string | null): Decoded {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const fromHeader = charsetOfContentType(contentType);
  if (buf.length >= 3 && buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) return { text: iconv.decode(buf, 'utf-8'), charset: 'utf-8', from: 'bom' };
  if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return { text: iconv.decode(buf, 'utf-16le'), charset: 'utf-16le', from: 'bom' };
  if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return { text: iconv.decode(buf, 'utf-16be'), charset: 'utf-16be', from: 'bom' };
  const fromMeta = charsetOfMeta(buf);
  // A header's Latin-1 is usually the server's default, not a choice: the page's own <meta> wins
  // then; and a header claiming UTF-8 over bytes that are not UTF-8 is wrong (old GBK sites behind
  // a proxy that adds it), so the page's <meta> or sniffing decides.
  const headerIsDefault = fromHeader === 'windows-1252' && fromMeta !== null;
  const headerIsWrong = fromHeader === 'utf-8' && !looksUtf8(buf);
  if (fromHeader && !headerIsDefault && !headerIsWrong) return { text: iconv.decode(buf, fromHeader), charset: fromHeader, from: 'header' };
  if (fromMeta && !(fromMeta === 'utf-8' && !looksUtf8(buf))) return { text: iconv.decode(buf, fromMeta), charset: fromMeta, from: 'meta' };
  if (looksUtf8(buf)) return { text: buf.toString('utf-8'), charset: 'utf-8', from: 'sniff' };
  {
    // Not UTF-8: a CJK legacy encoding is the likely case here; else windows-1252 reads anything.
    const sample = buf.subarray(0, 64 * 1024);
    const gb = iconv.decode(sample, 'gb18030');
    const big5 = iconv.decode(sample, 'big5hkscs');
    const [sg, sb] = [commonScore(gb), commonScore(big5)];
    if (sg > 0 || sb > 0) {
      const cs = sg >= sb ? 'gb18030' : 'big5hkscs';
      return { text: iconv.decode(buf, cs), charset: cs, from: 'sniff' };
    }
    return { text: iconv.decode(buf, 'windows-1252'), charset: 'windows-1252', from: 'default' };
  }
}
