/**
 * ts-017's comparison of the probe's final HTTP response with the control's, with the rules OONI's
 * probe applies (probe-cli webconnectivity v0.4 and v0.5's minipipeline): each match is null
 * whenever one side gives nothing to compare, so "nothing to compare" never counts as "the same".
 */
import type { ControlResponse } from '../control/shapes.ts';
import { pageTitle } from '../http.ts';

// OONI's list of headers every server sends; only the others identify a server (ts-017 headers_match).
const COMMON = new Set(['date', 'content-type', 'server', 'cache-control', 'vary', 'set-cookie', 'location', 'expires',
  'x-powered-by', 'content-encoding', 'last-modified', 'accept-ranges', 'pragma', 'x-frame-options', 'etag',
  'x-content-type-options', 'age', 'via', 'p3p', 'x-xss-protection', 'content-language', 'cf-ray',
  'strict-transport-security', 'link', 'x-varnish']);

// Hop-by-hop headers (RFC 9110 §7.6.1) describe one connection, not the server. Go's HTTP client,
// which OONI's probe and test helper use, consumes them and never reports them; Node's reports
// them. Comparing them would compare HTTP clients rather than sites, so both sides drop them.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

export interface HttpDiff {
  body_length_match: boolean | null;
  body_proportion: number | null;
  status_code_match: boolean | null;
  headers_match: boolean | null;
  title_match: boolean | null;
}

type ProbeResponse = { code: number; headers: Record<string, string>; body: string; body_length: number; body_is_truncated?: boolean };

/** Header names: identical sets match; otherwise they match when an uncommon name is on both sides. Null when a side has none. */
export function headersMatch(probe: Record<string, string> | null, control: Record<string, string> | null): boolean | null {
  const names = (h: Record<string, string> | null): Set<string> =>
    new Set(Object.keys(h ?? {}).map((k) => k.toLowerCase()).filter((k) => !HOP_BY_HOP.has(k)));
  const p = names(probe);
  const c = names(control);
  if (!p.size || !c.size) return null;
  if (p.size === c.size && [...p].every((k) => c.has(k))) return true;
  return [...p].some((k) => !COMMON.has(k) && c.has(k));
}

/** Titles match when every word of 5 bytes or more appears in both (any order, any case). Null when a title is missing. */
export function titleMatch(probeTitle: string, controlTitle: string): boolean | null {
  if (!probeTitle || !controlTitle) return null;
  const long = (t: string): Set<string> => new Set(t.split(' ').filter((w) => Buffer.byteLength(w) >= 5).map((w) => w.toLowerCase()));
  const a = long(probeTitle);
  const b = long(controlTitle);
  return [...a].every((w) => b.has(w)) && [...b].every((w) => a.has(w));
}

/** Compares status, body length, header names and title; null where not comparable. */
export function compareHttp(probe: ProbeResponse | null, control: ControlResponse['http_request'] | null): HttpDiff {
  if (!probe || !control || control.failure) {
    return { body_length_match: null, body_proportion: null, status_code_match: null, headers_match: null, title_match: null };
  }
  const a = probe.body_length;
  const b = control.body_length;
  // A truncated body's length says nothing about the page's.
  const proportion = a > 0 && b > 0 && !probe.body_is_truncated ? Math.min(a, b) / Math.max(a, b) : null;
  const comparable = probe.code > 0 && control.status_code > 0;
  // Different codes when the control did not get a 2xx: the control itself may have failed, so no verdict.
  const status = !comparable || (probe.code !== control.status_code && Math.floor(control.status_code / 100) !== 2) ? null : probe.code === control.status_code;
  return {
    body_length_match: proportion === null ? null : proportion > 0.7,
    body_proportion: proportion,
    status_code_match: status,
    headers_match: headersMatch(probe.headers, control.headers),
    title_match: comparable && !probe.body_is_truncated ? titleMatch(pageTitle(probe.body), control.title ?? '') : null,
  };
}

/** ts-017: the page looks the same when the status matches and any of body length, headers or title do. */
export function looksSame(d: HttpDiff): boolean {
  if (d.status_code_match !== true) return false;
  return Boolean(d.body_length_match || d.headers_match || d.title_match);
}
