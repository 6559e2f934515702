/**
 * Redacts credentials from data about to leave the observatory (the public API, logs, exports).
 * Source configurations are written by many hands and a secret can hide under any key or inside
 * a URL, so values are judged by their shape at every depth, not only by the key that holds them:
 * URL userinfo, credential-like query and fragment parameters, bearer/basic strings, and absolute
 * filesystem paths (which reveal user names and the layout of the operator's machine).
 */

export const REDACTED = '[redacted]';

/** Key or parameter names that hold credentials (also matches e.g. `access_token`, `apiKey`, `X-Amz-Signature`). */
const SECRET_NAME = /token|key|secret|pass(word|wd)?|pwd|auth|sig|session|credential|cookie/i;
const URL_IN_TEXT = /\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi;
const SCHEME_AUTH = /\b(bearer|basic|token)\s+[A-Za-z0-9._~+/=-]{8,}/gi;
const POSIX_PATH = /^(~|\/(?!\/))[^\s]*$/;
const WINDOWS_PATH = /^([a-zA-Z]:[\\/]|\\\\)/;

/** True when a key or parameter name looks like it holds a credential. */
export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

function redactParams(params: string): string {
  return params.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq < 0 ? pair : pair.slice(0, eq);
    let decoded = name;
    try { decoded = decodeURIComponent(name); } catch { /* keep the raw name */ }
    return eq >= 0 && isSecretName(decoded) ? `${name}=${REDACTED}` : pair;
  }).join('&');
}

function redactUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return text;
  }
  if (url.protocol === 'file:') return REDACTED;
  // Rebuilt by hand so nothing the URL parser normalises (case, encoding) changes in the rest.
  const scheme = text.slice(0, text.indexOf('://') + 3);
  let rest = text.slice(scheme.length);
  const hostEnd = rest.search(/[/?#]/);
  let authority = hostEnd < 0 ? rest : rest.slice(0, hostEnd);
  rest = hostEnd < 0 ? '' : rest.slice(hostEnd);
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = `${REDACTED}@${authority.slice(at + 1)}`;
  const hash = rest.indexOf('#');
  let fragment = hash < 0 ? '' : rest.slice(hash + 1);
  rest = hash < 0 ? rest : rest.slice(0, hash);
  const q = rest.indexOf('?');
  if (q >= 0) rest = `${rest.slice(0, q)}?${redactParams(rest.slice(q + 1))}`;
  // OAuth's implicit flow puts tokens in the fragment (`#access_token=…`).
  if (fragment.includes('=')) fragment = redactParams(fragment);
  return `${scheme}${authority}${rest}${hash < 0 ? '' : `#${fragment}`}`;
}

/** Redacts credentials and filesystem paths from one string. */
export function redactString(s: string): string {
  if (POSIX_PATH.test(s) || WINDOWS_PATH.test(s)) return REDACTED;
  return s.replace(URL_IN_TEXT, (u) => redactUrl(u)).replace(SCHEME_AUTH, (_m, scheme: string) => `${scheme} ${REDACTED}`);
}

/** Returns a copy of `value` with credentials redacted at any depth (values under secret-like keys are replaced whole). */
export function redactSecrets<T>(value: T): T {
  return walk(value, 0) as T;
}

function walk(value: unknown, depth: number): unknown {
  if (depth > 64) return REDACTED; // a structure this deep is not configuration; never recurse without bound
  if (typeof value === 'string') return redactString(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, depth + 1));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, isSecretName(k) && v !== null && v !== '' ? REDACTED : walk(v, depth + 1)]));
  }
  return value;
}
