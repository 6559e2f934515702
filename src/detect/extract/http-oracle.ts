/**
 * An oracle that asks a real service over HTTP, configured by a JSON file (validated with zod):
 *
 *   {
 *     "url": "http://127.0.0.1:8080/check?q={{text}}",   // {{text}} is URL-encoded here
 *     "method": "POST",                                    // GET | POST (default GET)
 *     "headers": { "content-type": "application/json" },
 *     "body": "{\"text\": {{text}}}",                      // {{text}} encoded per bodyEncoding
 *     "bodyEncoding": "json",                              // json (a JSON string) | form | raw
 *     "censoredWhen": {                                    // any one that holds means censored
 *       "status": [403, 451], "bodyIncludes": "blocked",
 *       "jsonPath": "result.censored", "equals": true, "networkError": false
 *     },
 *     "ratePerSecond": 5, "timeoutMs": 10000, "retries": 2,
 *     "separator": "\n", "reliability": 1
 *   }
 *
 * Requests are spaced to respect the rate limit; transient failures (timeouts, 5xx) are
 * retried, and only then counted as errors rather than silently as "not censored". Requests go
 * through src/net/fetch.ts: the configured URL's own host may be internal, but a redirect may
 * not lead to an internal address, and an answer is read up to BODY_CAPS.oracle.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { UserError } from '../../util/errors.ts';
import type { Oracle } from './oracle.ts';
import { BODY_CAPS, BlockedAddressError, safeFetch, TooLargeError, type SafeFetchAnswer } from '../../net/fetch.ts';
import { configOrigins } from '../../net/address-policy.ts';

export const HttpOracleConfig = z.object({
  url: z.string().url(),
  method: z.enum(['GET', 'POST']).default('GET'),
  headers: z.record(z.string(), z.string()).default({}),
  body: z.string().optional(),
  bodyEncoding: z.enum(['json', 'form', 'raw']).default('json'),
  censoredWhen: z.object({
    status: z.array(z.number().int()).optional(),
    bodyIncludes: z.string().optional(),
    jsonPath: z.string().optional(),
    equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
    networkError: z.boolean().default(false),
  }).refine((c) => c.status || c.bodyIncludes !== undefined || c.jsonPath || c.networkError, { message: 'censoredWhen needs at least one of status, bodyIncludes, jsonPath, networkError' }),
  ratePerSecond: z.number().positive().default(5),
  timeoutMs: z.number().int().positive().default(10_000),
  retries: z.number().int().min(0).max(10).default(2),
  separator: z.string().min(1).default('\n'),
  reliability: z.number().min(0.05).max(1).default(1),
});
export type HttpOracleConfig = z.infer<typeof HttpOracleConfig>;

/** Reads and validates an oracle configuration file. */
export function readOracleConfig(file: string): HttpOracleConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new UserError(`Cannot read the oracle config ${file} as JSON: ${(err as Error).message}.`);
  }
  const parsed = HttpOracleConfig.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ');
    throw new UserError(`The oracle config ${file} is invalid: ${issues}.`);
  }
  return parsed.data;
}

function getPath(value: unknown, path: string): unknown {
  let cur = value;
  for (const key of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Asks an HTTP service whether texts are censored. */
export class HttpOracle implements Oracle {
  queries = 0;
  readonly separator: string;
  private nextAt = 0;

  constructor(readonly config: HttpOracleConfig) {
    this.separator = config.separator;
  }

  private encodeBody(text: string): string | undefined {
    const { body, bodyEncoding } = this.config;
    if (body === undefined) return undefined;
    const enc = bodyEncoding === 'json' ? JSON.stringify(text) : bodyEncoding === 'form' ? encodeURIComponent(text) : text;
    return body.split('{{text}}').join(enc);
  }

  async isCensored(text: string): Promise<boolean> {
    this.queries++;
    const c = this.config;
    let lastErr: unknown = null;
    for (let attempt = 0; attempt <= c.retries; attempt++) {
      const wait = this.nextAt - Date.now();
      if (wait > 0) await sleep(wait);
      this.nextAt = Math.max(Date.now(), this.nextAt) + 1000 / c.ratePerSecond;
      let res: SafeFetchAnswer;
      try {
        res = await safeFetch(c.url.split('{{text}}').join(encodeURIComponent(text)), {
          method: c.method, headers: c.headers, body: c.method === 'POST' ? this.encodeBody(text) : undefined,
          policy: { allowOrigins: configOrigins(c.url.split('{{text}}').join('x')) },
          maxBytes: BODY_CAPS.oracle.maxBytes,
          timeoutMs: c.timeoutMs,
        });
      } catch (err) {
        // A refused address or an endless answer is the configuration's problem, not censorship.
        if (err instanceof BlockedAddressError || err instanceof TooLargeError) {
          throw new UserError(`The oracle at ${c.url} cannot be asked: ${err.message}`);
        }
        if (c.censoredWhen.networkError) return true;
        lastErr = err;
        continue;
      }
      const body = new TextDecoder().decode(res.bytes);
      if (res.status >= 500 && !c.censoredWhen.status?.includes(res.status)) { lastErr = new Error(`HTTP ${res.status}`); continue; }
      return this.judge(res.status, body);
    }
    throw new UserError(`The oracle at ${c.url} did not answer after ${c.retries + 1} attempts (${(lastErr as Error)?.message ?? 'unknown error'}).`);
  }

  private judge(status: number, body: string): boolean {
    const w = this.config.censoredWhen;
    if (w.status?.includes(status)) return true;
    if (w.bodyIncludes !== undefined && body.includes(w.bodyIncludes)) return true;
    if (w.jsonPath) {
      let json: unknown;
      try { json = JSON.parse(body); } catch { return false; }
      const v = getPath(json, w.jsonPath);
      return w.equals === undefined ? Boolean(v) : v === w.equals;
    }
    return false;
  }
}
