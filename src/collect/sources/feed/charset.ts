/**
 * Turning a feed's bytes into text. Precedence (RFC 7303, with the corrections real servers need):
 *
 *   1. a byte-order mark (UTF-8, UTF-16LE/BE): it cannot be there by accident;
 *   2. the HTTP Content-Type charset, except when it is a server's default rather than a choice
 *      (ISO-8859-1, US-ASCII, windows-1252: Apache's AddDefaultCharset and the old HTTP text/*
 *      default) and the document declares something else, or when it says UTF-8 and the bytes
 *      are not UTF-8 (the next rules decide then);
 *   3. the XML declaration (`<?xml … encoding="GB2312"?>`), which the author wrote; a
 *      `text/xml` without a charset counts as no charset (RFC 3023's US-ASCII default for it is
 *      what no server means and what no reader applies);
 *   4. nothing declared: UTF-8 when the bytes are valid UTF-8 (the XML default), UTF-16 when the
 *      first bytes are `<` `?` in UTF-16 without a BOM, else windows-1252, reported as a guess.
 *
 * Labels follow the WHATWG Encoding Standard, as browsers and feed readers read them: GB2312 and
 * GBK are decoded as GB18030 (their superset: "GB2312" pages routinely hold GBK characters),
 * ISO-8859-1 and US-ASCII as windows-1252, Big5 as Big5-HKSCS, EUC-KR as windows-949.
 */
import { isUtf8 } from 'node:buffer';
import iconv from 'iconv-lite';
import { NotAFeedError } from './parse.ts';

export type CharsetSource = 'bom' | 'http' | 'xml' | 'default' | 'guess';

export interface DecodedFeed {
  text: string;
  /** The decoder used (an iconv-lite name). */
  charset: string;
  /** Which rule chose it. */
  from: CharsetSource;
}

/** Charset labels that servers send by default rather than by choice. */
const SERVER_DEFAULTS = new Set(['iso-8859-1', 'iso8859-1', 'latin1', 'l1', 'us-ascii', 'ascii', 'windows-1252', 'cp1252', 'x-cp1252']);

/** WHATWG label mappings to the superset decoder actually used. */
const SUPERSETS: Record<string, string> = {
  gb2312: 'gb18030', gbk: 'gb18030', 'x-gbk': 'gb18030', cp936: 'gb18030', 'csgb2312': 'gb18030', 'chinese': 'gb18030', 'iso-ir-58': 'gb18030',
  'iso-8859-1': 'windows-1252', iso8859_1: 'windows-1252', 'iso8859-1': 'windows-1252', latin1: 'windows-1252', l1: 'windows-1252', 'us-ascii': 'windows-1252', ascii: 'windows-1252',
  big5: 'big5hkscs', 'big5-hkscs': 'big5hkscs', 'x-x-big5': 'big5hkscs', 'cn-big5': 'big5hkscs',
  'euc-kr': 'cp949', 'ks_c_5601-1987': 'cp949', 'windows-949': 'cp949',
  shift_jis: 'shift_jis', 'shift-jis': 'shift_jis', sjis: 'shift_jis', 'ms_kanji': 'shift_jis', 'windows-31j': 'windows-31j',
  'tis-620': 'windows-874', 'iso-8859-11': 'windows-874',
  'utf8': 'utf-8', 'unicode-1-1-utf-8': 'utf-8',
};

/** The decoder for a charset label, or null when it names nothing we can decode. */
export function decoderFor(label: string): string | null {
  const l = label.trim().replace(/^["']|["']$/g, '').toLowerCase();
  if (!l) return null;
  const name = Object.hasOwn(SUPERSETS, l) ? SUPERSETS[l] : l;
  return iconv.encodingExists(name) ? name : null;
}

/** The charset parameter of a Content-Type header, or null. */
export function httpCharset(contentType: string | null | undefined): string | null {
  const m = contentType?.match(/;\s*charset\s*=\s*("?)([^";,\s]+)\1/i);
  return m ? m[2] : null;
}

/** The encoding named in an XML declaration, read from the bytes as ASCII, or null. */
export function xmlDeclaredCharset(bytes: Uint8Array): string | null {
  // The declaration must be at the very start (after a BOM); 200 bytes is more than it needs.
  const head = Buffer.from(bytes.subarray(0, 200)).toString('latin1').replace(/^\uFEFF|^\xEF\xBB\xBF/, '');
  const m = head.match(/^\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']/);
  return m ? m[1] : null;
}

function bom(bytes: Uint8Array): { charset: string; skip: number } | null {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { charset: 'utf-8', skip: 3 };
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { charset: 'utf-16le', skip: 2 };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { charset: 'utf-16be', skip: 2 };
  return null;
}

/** UTF-16 without a BOM, recognised by `<` followed by `?` or a letter with NULs between. */
function bomlessUtf16(bytes: Uint8Array): string | null {
  if (bytes.length < 4) return null;
  if (bytes[0] === 0x3c && bytes[1] === 0 && bytes[2] !== 0 && bytes[3] === 0) return 'utf-16le';
  if (bytes[0] === 0 && bytes[1] === 0x3c && bytes[2] === 0 && bytes[3] !== 0) return 'utf-16be';
  return null;
}

function decode(bytes: Uint8Array, charset: string, from: CharsetSource, skip = 0): DecodedFeed {
  const body = Buffer.from(bytes.buffer, bytes.byteOffset + skip, bytes.byteLength - skip);
  // iconv-lite strips a leading BOM by default; a second one would be data, so keep it.
  return { text: iconv.decode(body, charset, { stripBOM: false }), charset, from };
}

/** Decodes a feed's bytes by the precedence above; throws a sentence when the declared charset is unknown. */
export function decodeFeedBytes(bytes: Uint8Array, contentType?: string | null): DecodedFeed {
  const b = bom(bytes);
  if (b) return decode(bytes, b.charset, 'bom', b.skip);
  const utf16 = bomlessUtf16(bytes);
  // A UTF-16 document's declaration cannot be read as ASCII; the NUL pattern is the evidence.
  const httpLabel = httpCharset(contentType);
  const xmlLabel = utf16 ? null : xmlDeclaredCharset(bytes);
  const http = httpLabel ? decoderFor(httpLabel) : null;
  const xml = xmlLabel ? decoderFor(xmlLabel) : null;
  if (http && !(utf16 && !http.startsWith('utf-16'))) {
    const defaultish = SERVER_DEFAULTS.has(httpLabel!.toLowerCase());
    // A server that calls non-UTF-8 bytes UTF-8 is wrong about this document; never decode to U+FFFD on its word.
    const notReallyUtf8 = http === 'utf-8' && !isUtf8(bytes);
    if (!notReallyUtf8 && !(xml && xml !== http && defaultish)) return decode(bytes, http, 'http');
  }
  if (xml) return decode(bytes, xml, 'xml');
  if (xmlLabel && !isUtf8(bytes)) {
    throw new NotAFeedError(`The feed declares the encoding "${xmlLabel}", which censorscope cannot decode.`);
  }
  if (utf16) return decode(bytes, utf16, 'default');
  if (isUtf8(bytes)) return decode(bytes, 'utf-8', 'default');
  return decode(bytes, 'windows-1252', 'guess');
}
