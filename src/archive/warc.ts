/**
 * WARC 1.1 records for one HTTP exchange, each serialised by warcio as its own gzip member so the
 * store can address a record by (offset, length).
 *
 * The HTTP head is written here as bytes, not handed to warcio as a Headers object, because warcio
 * re-encodes header values as UTF-8 while an HTTP server sends bytes: a Latin-1 byte in a header
 * value must reach the WARC as that one byte. What is written, and why:
 * - the status line is `HTTP/1.1 <status> <standard reason phrase>`: the fetch module does not keep
 *   the reason phrase or protocol version the server sent;
 * - hop-by-hop headers (transfer-encoding, connection, keep-alive, …) are left out: the body is
 *   stored de-chunked, so writing `Transfer-Encoding: chunked` above it would be a lie to replay tools;
 * - every other response header is written as received, in the order the fetch module kept;
 * - request header names that are not HTTP tokens are dropped, and CR, LF and NUL in request values
 *   become spaces (they come from our own code, but a record must never be split by one);
 * - a body cut at the fetch's cap is marked `WARC-Truncated: length`.
 * Digests are `sha256:<hex>` throughout (WARC-Payload-Digest, WARC-Block-Digest and the store).
 */
import { createHash, randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { WARCRecord, WARCSerializer, WARCParser } from 'warcio';

export const WARC_VERSION = 'WARC/1.1';
export const REVISIT_PROFILE = 'http://netpreserve.org/warc/1.1/revisit/identical-payload-digest';

/** Headers that describe one connection, not the resource; never written (see the file comment). */
export const HOP_BY_HOP = new Set(['transfer-encoding', 'connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'upgrade']);

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const CRLF = '\r\n';

/** "sha256:<hex>" of bytes: the digest form used in WARC headers and in the store. */
export function sha256(bytes: Uint8Array): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** The URL as the WARC records it (WHATWG-normalised: punycode host, percent-encoded path). */
export function targetUri(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}

/** Header text as bytes: a ByteString (what Headers holds) byte for byte, anything wider as UTF-8. */
function headerBytes(s: string): Buffer {
  return /[^\x00-\xff]/.test(s) ? Buffer.from(s, 'utf8') : Buffer.from(s, 'latin1');
}

/** The response's status line and headers as sent on the wire (hop-by-hop headers left out). */
export function responseHead(status: number, headers: Headers): Uint8Array {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`.trimEnd()];
  for (const [name, value] of headers) if (!HOP_BY_HOP.has(name.toLowerCase())) lines.push(`${name}: ${value}`);
  return headerBytes(lines.join(CRLF) + CRLF + CRLF);
}

/** The request line and headers, with a Host header from the URL. */
export function requestHead(method: string, url: string, headers: Record<string, string>): Uint8Array {
  let path = '/';
  let host = '';
  try {
    const u = new URL(url);
    path = `${u.pathname}${u.search}` || '/';
    host = u.host;
  } catch { /* an unparsable URL keeps "/" and no host */ }
  const lines = [`${method} ${path} HTTP/1.1`];
  if (host) lines.push(`Host: ${host}`);
  for (const [name, value] of Object.entries(headers)) {
    if (!TOKEN.test(name) || name.toLowerCase() === 'host' || HOP_BY_HOP.has(name.toLowerCase())) continue;
    lines.push(`${name}: ${String(value).replace(/[\r\n\0]/g, ' ')}`);
  }
  return headerBytes(lines.join(CRLF) + CRLF + CRLF);
}

/** A new WARC-Record-ID. */
export function newRecordId(): string {
  return `<urn:uuid:${randomUUID()}>`;
}

export interface RecordSpec {
  type: 'request' | 'response' | 'revisit';
  id: string;
  url: string;
  /** epoch ms */
  date: number;
  /** The record block: the HTTP head, then (for request/response) the payload. */
  head: Uint8Array;
  payload?: Uint8Array;
  /** A revisit's: its original's payload digest (others are computed from `payload`). */
  payloadDigest?: string;
  concurrentTo?: string;
  truncated?: boolean;
  refersTo?: { id: string; url: string; date: number };
}

/** Serialises one record as a gzip member. */
export async function serializeRecord(spec: RecordSpec): Promise<Uint8Array> {
  const warcHeaders: Array<[string, string]> = [['WARC-Record-ID', spec.id]];
  if (spec.concurrentTo) warcHeaders.push(['WARC-Concurrent-To', spec.concurrentTo]);
  // Given for a revisit (its original's); otherwise the digest of the payload after the head.
  warcHeaders.push(['WARC-Payload-Digest', spec.payloadDigest ?? sha256(spec.payload ?? new Uint8Array(0))]);
  if (spec.truncated) warcHeaders.push(['WARC-Truncated', 'length']);
  if (spec.refersTo) warcHeaders.push(['WARC-Refers-To', spec.refersTo.id]);
  const block = [spec.head, ...(spec.payload ? [spec.payload] : [])];
  const record = WARCRecord.create({
    url: spec.url,
    date: new Date(spec.date).toISOString(),
    type: spec.type,
    warcVersion: WARC_VERSION,
    warcHeaders,
    refersToUrl: spec.refersTo?.url,
    refersToDate: spec.refersTo ? new Date(spec.refersTo.date).toISOString() : undefined,
  }, block);
  // The head is part of the block bytes above; warcio must not add a head of its own.
  record.httpHeaders = null;
  return WARCSerializer.serialize(record, { gzip: true, digest: { algo: 'sha-256', prefix: 'sha256:' } });
}

/** The warcinfo record at the head of every file. */
export async function serializeWarcinfo(filename: string, info: Record<string, string>): Promise<Uint8Array> {
  const record = WARCRecord.createWARCInfo({ filename, warcVersion: WARC_VERSION }, info);
  return WARCSerializer.serialize(record, { gzip: true, digest: { algo: 'sha-256', prefix: 'sha256:' } });
}

/** One record parsed back from its gzip member. */
export interface ParsedRecord {
  type: string;
  id: string;
  targetUri: string;
  date: number;
  payloadDigest: string | null;
  blockDigest: string | null;
  truncated: string | null;
  refersTo: string | null;
  /** The HTTP head as bytes, and the payload after it. */
  head: Uint8Array;
  payload: Uint8Array;
}

/** Parses the single record held in `bytes` (one gzip member, as stored) with warcio. */
export async function parseRecord(bytes: Uint8Array): Promise<ParsedRecord> {
  const parser = new WARCParser([bytes], { parseHttp: false });
  const record = await parser.parse();
  if (!record) throw new Error('no WARC record at this offset');
  const block = await record.readFully(false);
  const end = indexOfHeadEnd(block);
  const date = Date.parse(record.warcDate ?? '');
  return {
    type: record.warcType,
    id: record.warcHeader('WARC-Record-ID') ?? '',
    targetUri: record.warcTargetURI ?? '',
    date,
    payloadDigest: record.warcPayloadDigest ?? null,
    blockDigest: record.warcBlockDigest ?? null,
    truncated: record.warcHeader('WARC-Truncated') ?? null,
    refersTo: record.warcHeader('WARC-Refers-To') ?? null,
    head: end < 0 ? block : block.subarray(0, end),
    payload: end < 0 ? new Uint8Array(0) : block.subarray(end),
  };
}

/** Offset just past the CRLFCRLF ending the HTTP head, or -1. */
function indexOfHeadEnd(b: Uint8Array): number {
  for (let i = 0; i + 3 < b.length; i++) {
    if (b[i] === 13 && b[i + 1] === 10 && b[i + 2] === 13 && b[i + 3] === 10) return i + 4;
  }
  return -1;
}

/** Status and headers of an HTTP response head, values as ByteStrings (as the Headers class holds them). */
export function parseResponseHead(head: Uint8Array): { status: number; headers: Array<[string, string]> } {
  const lines = Buffer.from(head).toString('latin1').split(CRLF).filter((l) => l.length > 0);
  const status = Number(/^HTTP\/\S+\s+(\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Array<[string, string]> = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    // Only the space after the colon is ours; a value's own trailing spaces are kept.
    if (colon > 0) headers.push([line.slice(0, colon), line.slice(colon + 1).replace(/^[ \t]+/, '')]);
  }
  return { status, headers };
}
