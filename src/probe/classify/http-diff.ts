/** ts-017's comparison of the probe's final HTTP response with the control's. */
import type { ControlResponse } from '../control/shapes.ts';
import { pageTitle } from '../http.ts';

// Headers every server sends; only the uncommon ones identify a server (ts-017 headers_match).
const COMMON = new Set(['date', 'content-type', 'server', 'cache-control', 'vary', 'set-cookie', 'location', 'expires',
  'x-powered-by', 'content-encoding', 'last-modified', 'accept-ranges', 'pragma', 'x-frame-options', 'etag',
  'x-content-type-options', 'age', 'via', 'p3p', 'x-xss-protection', 'content-language', 'cf-ray', 'alt-svc',
  'content-length', 'connection', 'keep-alive', 'transfer-encoding', 'strict-transport-security']);

export interface HttpDiff {
  body_length_match: boolean | null;
  body_proportion: number | null;
  status_code_match: boolean | null;
  headers_match: boolean | null;
  title_match: boolean | null;
}

/** Compares status, body length, uncommon header names and title; null where not comparable. */
export function compareHttp(probe: { code: number; headers: Record<string, string>; body: string; body_length: number } | null, control: ControlResponse['http_request'] | null): HttpDiff {
  if (!probe || !control || control.failure) {
    return { body_length_match: null, body_proportion: null, status_code_match: null, headers_match: null, title_match: null };
  }
  const a = probe.body_length;
  const b = control.body_length;
  const proportion = a > 0 && b > 0 ? Math.min(a, b) / Math.max(a, b) : a === b ? 1 : 0;
  const uncommon = (h: Record<string, string> | null): Set<string> =>
    new Set(Object.keys(h ?? {}).map((k) => k.toLowerCase()).filter((k) => !COMMON.has(k)));
  const ph = uncommon(probe.headers);
  const ch = uncommon(control.headers);
  const headersMatch = ph.size === 0 && ch.size === 0 ? true : [...ch].some((k) => ph.has(k));
  const pt = pageTitle(probe.body).toLowerCase();
  const ct = (control.title ?? '').toLowerCase();
  return {
    body_length_match: proportion > 0.7,
    body_proportion: proportion,
    status_code_match: control.status_code >= 500 ? null : probe.code === control.status_code,
    headers_match: headersMatch,
    title_match: pt === ct,
  };
}

/** ts-017: the page looks the same when the status matches and any of body length, headers or title do. */
export function looksSame(d: HttpDiff): boolean {
  if (d.status_code_match === false) return false;
  return Boolean(d.body_length_match || d.headers_match || d.title_match);
}
