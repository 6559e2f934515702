/**
 * The `http-json` source: any JSON-over-HTTP API, described by a config file: where the list
 * is, where the items are, which fields hold id/text/time/account, and rules that map a check's
 * answer (HTTP status and/or a JSON field's value) to an outcome. The rules are the attribution:
 * map a signal to `deleted_by_author` or `removed_by_platform` only where the platform documents
 * who acted, else to `deleted` (gone, actor unknown). For example Weibo's API: error 20112
 * "permission denied" = removed_by_platform (the post exists but is withheld: censorship, as
 * Weiboscope reads it), 20101 "does not exist" = deleted (the author's deletion and the
 * platform's look the same).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { HttpClient } from './http.ts';
import { BODY_CAPS } from '../../net/fetch.ts';
import { livePost, type AccountCheck, type CheckResult, type ListResult, type SourceDriver, type WatchedPost } from './source.ts';

const ruleSchema = z.object({
  status: z.union([z.number().int(), z.array(z.number().int())]).optional(),
  /** Dot path into the JSON answer (e.g. "error_code" or "data.0.state"). */
  path: z.string().optional(),
  equals: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
});
const checkRuleSchema = ruleSchema.extend({
  outcome: z.enum(['visible', 'deleted', 'deleted_by_author', 'removed_by_platform', 'account_gone', 'unknown']),
});
const accountRuleSchema = ruleSchema.extend({ state: z.enum(['active', 'suspended', 'gone', 'unknown']) });

export const httpJsonConfigSchema = z.object({
  name: z.string().optional(),
  platform: z.string().optional(),
  list: z.object({
    url: z.string().url(),
    itemsPath: z.string().default(''),
    fields: z.object({
      id: z.string(),
      text: z.string(),
      time: z.string().optional(),
      account: z.string().optional(),
      accountName: z.string().optional(),
      url: z.string().optional(),
    }),
  }),
  check: z.object({
    /** URL template; {id} is replaced by the post id. */
    url: z.string(),
    rules: z.array(checkRuleSchema).min(1),
    /** Path of the text in a visible answer, to notice edits. */
    textPath: z.string().optional(),
    default: z.enum(['visible', 'unknown']).default('unknown'),
  }),
  account: z.object({ url: z.string(), rules: z.array(accountRuleSchema).min(1) }).optional(),
});
export type HttpJsonConfig = z.infer<typeof httpJsonConfigSchema>;

/** Reads a dot path ("a.b.0.c") from parsed JSON. */
export function atPath(value: unknown, path: string): unknown {
  if (!path) return value;
  let cur: unknown = value;
  for (const key of path.split('.')) {
    if (cur == null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[key];
  }
  return cur;
}

function matches(rule: z.infer<typeof ruleSchema>, status: number, json: unknown): boolean {
  if (rule.status !== undefined && !(Array.isArray(rule.status) ? rule.status : [rule.status]).includes(status)) return false;
  if (rule.path !== undefined) {
    const v = atPath(json, rule.path);
    if (rule.equals === undefined ? v === undefined : String(v) !== String(rule.equals)) return false;
  }
  return true;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

/** Loads and validates a config file, with a sentence naming what is wrong. */
export function loadHttpJsonConfig(file: string): HttpJsonConfig {
  const parsed = httpJsonConfigSchema.safeParse(parseJson(readFileSync(file, 'utf8')));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${file} is not a valid http-json source config: ${issue.path.join('.') || '(root)'}: ${issue.message}`);
  }
  return parsed.data;
}

const fill = (template: string, key: string, value: string) => template.replaceAll(`{${key}}`, encodeURIComponent(value));

export class HttpJsonSource implements SourceDriver {
  readonly kind = 'http-json';
  constructor(private readonly config: HttpJsonConfig, private readonly http: HttpClient) {}

  async listNew(cursor: string | null): Promise<ListResult> {
    const { list } = this.config;
    const res = await this.http.get(list.url, 'application/json', BODY_CAPS['http-json']);
    if (res.status !== 200) throw new Error(`List ${list.url} answered HTTP ${res.status}.`);
    const items = atPath(parseJson(res.body), list.itemsPath);
    if (!Array.isArray(items)) throw new Error(`List ${list.url} has no array at "${list.itemsPath}".`);
    const since = cursor ? Number(cursor) : -Infinity;
    let newest = cursor ? Number(cursor) : null;
    const posts = [];
    for (const it of items) {
      const id = atPath(it, list.fields.id);
      const text = atPath(it, list.fields.text);
      if (id == null || typeof text !== 'string') continue;
      const rawTime = list.fields.time ? atPath(it, list.fields.time) : undefined;
      const time = typeof rawTime === 'number' ? (rawTime < 1e12 ? rawTime * 1000 : rawTime) : typeof rawTime === 'string' ? Date.parse(rawTime) : NaN;
      const createdAt = Number.isNaN(time) ? null : time;
      if (createdAt != null && createdAt < since) continue;
      if (createdAt != null) newest = Math.max(newest ?? createdAt, createdAt);
      const account = list.fields.account ? atPath(it, list.fields.account) : undefined;
      const url = list.fields.url ? atPath(it, list.fields.url) : undefined;
      posts.push(livePost({
        platformPostId: String(id), text, createdAt,
        accountId: account == null ? null : String(account),
        accountHandle: account == null ? null : String(account),
        accountName: list.fields.accountName ? String(atPath(it, list.fields.accountName) ?? '') || null : null,
        url: typeof url === 'string' ? url : null,
      }));
    }
    return { posts, cursor: newest == null ? cursor : String(newest) };
  }

  async checkPost(post: WatchedPost): Promise<CheckResult> {
    const { check } = this.config;
    const res = await this.http.get(fill(check.url, 'id', post.platformPostId), 'application/json', BODY_CAPS['http-json']);
    const json = parseJson(res.body);
    const rule = check.rules.find((r) => matches(r, res.status, json));
    const outcome = rule?.outcome ?? check.default;
    const code = json && typeof json === 'object' ? ((json as Record<string, unknown>).error_code ?? (json as Record<string, unknown>).code) : undefined;
    const text = outcome === 'visible' && check.textPath ? atPath(json, check.textPath) : undefined;
    return {
      outcome, httpStatus: res.status, errorCode: code == null ? null : String(code),
      detail: { body: res.body.slice(0, 1000), rule: rule ? check.rules.indexOf(rule) : null },
      ...(typeof text === 'string' ? { text } : {}),
    };
  }

  async checkAccount(id: string): Promise<AccountCheck> {
    if (!this.config.account) return { state: 'unknown', httpStatus: null, detail: { reason: 'no account endpoint configured' } };
    const res = await this.http.get(fill(this.config.account.url, 'account', id), 'application/json', BODY_CAPS['http-json']);
    const json = parseJson(res.body);
    const rule = this.config.account.rules.find((r) => matches(r, res.status, json));
    return { state: rule?.state ?? 'unknown', httpStatus: res.status, detail: { body: res.body.slice(0, 500) } };
  }
}
