/** Censored terms: the ranked table the terms detector stored (finding kind 'terms'), and one term's timeline. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiError, type ApiContext, limitParam, parseJson, route } from './common.ts';
import { num } from './posts.ts';
import { serveDb, type ServeDb } from './tables.ts';
import { wilson } from '../../detect/terms/stats.ts';

const termRow = z.object({
  term: z.string(), posts: z.number().catch(0), removed: z.number().catch(0), rate: z.number().catch(0),
  low: z.number().nullable().catch(null).default(null), high: z.number().nullable().catch(null).default(null),
  q: z.number().nullable().catch(null).default(null),
  qPooled: z.number().nullable().catch(null).default(null), expected: z.number().nullable().catch(null).default(null),
}).loose();
const termsEvidence = z.object({
  baseline: z.number().nullable().catch(null).default(null),
  /** The test that ranked and flagged the terms (absent from findings stored before it was recorded). */
  test: z.enum(['author-stratified', 'pooled']).nullable().catch(null).default(null),
  /** The statuses counted as a removal (findings stored before it was recorded counted removed_by_platform). */
  removedAs: z.array(z.string()).catch(['removed_by_platform']).default(['removed_by_platform']),
  /** The smallest number of posts a term needed to be tested (absent where the run did not record it). */
  minPosts: z.number().int().positive().nullable().catch(null).default(null),
  terms: z.array(z.unknown()).catch([]).default([]),
  timeline: z.unknown().optional(),
}).loose();

async function latest(db: ServeDb) {
  const row = await db.selectFrom('findings').selectAll().where('kind', '=', 'terms').where('key', '=', 'latest').executeTakeFirst();
  if (!row) return null;
  const ev = termsEvidence.parse(parseJson(row.evidence) ?? {});
  const terms = ev.terms.map((t) => termRow.safeParse(t)).filter((r) => r.success).map((r) => r.data);
  return { row, ev, terms };
}

/** A term's daily timeline, wherever the detector put it (under `timeline`, keyed by term, or on the term). */
function timelineOf(ev: z.output<typeof termsEvidence>, term: z.output<typeof termRow>): unknown[] {
  const tl = ev.timeline as Record<string, unknown> | unknown[] | undefined;
  if (tl && !Array.isArray(tl) && Array.isArray(tl[term.term])) return tl[term.term] as unknown[];
  if (Array.isArray(tl)) return tl.filter((x) => (x as { term?: string })?.term === term.term);
  const own = (term as Record<string, unknown>).timeline;
  return Array.isArray(own) ? own : [];
}

const DAY = 86_400_000;

/** A stored timeline point: the detector writes `bucket` as a UTC day (YYYY-MM-DD); older findings may use other names or epoch ms. */
const timelinePoint = z.object({
  t: z.union([z.string(), z.number()]),
  posts: z.coerce.number().int().min(0),
  removed: z.coerce.number().int().min(0),
}).refine((p) => p.removed <= p.posts, 'more removed than posts');

/**
 * A term's timeline as the charts need it: one point per UTC day, in order, days with the same
 * date merged, each with its rate and 95% Wilson interval. `day` is the date the point counts;
 * points that name no readable day are dropped rather than drawn on a wrong one.
 */
export function dailyTimeline(raw: unknown[]): Array<{ bucket: string; day: number; posts: number; removed: number; rate: number; low: number; high: number }> {
  const days = new Map<number, { posts: number; removed: number }>();
  for (const x of raw) {
    const o = (x && typeof x === 'object' ? x : {}) as Record<string, unknown>;
    const p = timelinePoint.safeParse({ t: o.bucket ?? o.day ?? o.date ?? o.t ?? o.at, posts: o.posts ?? o.total, removed: o.removed ?? 0 });
    if (!p.success) continue;
    // A bare date is a UTC day; a timestamp (epoch ms or ISO) counts on the UTC day it falls in.
    const ms = typeof p.data.t === 'number' ? p.data.t : /^\d{4}-\d{2}-\d{2}$/.test(p.data.t) ? Date.parse(`${p.data.t}T00:00:00Z`) : Date.parse(p.data.t);
    if (!Number.isFinite(ms)) continue;
    const day = Math.floor(ms / DAY) * DAY;
    const d = days.get(day) ?? { posts: 0, removed: 0 };
    d.posts += p.data.posts;
    d.removed += p.data.removed;
    days.set(day, d);
  }
  return [...days.entries()].sort((a, b) => a[0] - b[0]).map(([day, d]) => {
    const w = wilson(d.removed, d.posts);
    return { bucket: new Date(day).toISOString().slice(0, 10), day, posts: d.posts, removed: d.removed, rate: d.posts ? d.removed / d.posts : 0, low: w.low, high: w.high };
  });
}

/** Registers the terms routes. */
export async function termsApi(app: FastifyInstance, ctx: ApiContext): Promise<void> {
  const db = serveDb(ctx.store.db);
  ctx.pages.push('/terms', '/terms/:term');

  route(app, ctx, {
    method: 'GET', url: '/api/terms', tag: 'terms', summary: 'Censored terms as the latest terms run ranked them (by q of the test named in `test`), with intervals.',
    query: z.object({ limit: limitParam(100, 1000), offset: z.coerce.number().int().min(0).max(1_000_000).default(0), q: z.string().trim().min(1).max(100).optional() }),
  }, async ({ query }) => {
    const l = await ctx.cache.get('terms:latest', () => latest(db), 3000);
    if (!l) return { baseline: null, created_at: null, test: null, removedAs: null, minPosts: null, total: 0, items: [], next: null };
    const matching = query.q ? l.terms.filter((t) => t.term.includes(query.q!)) : l.terms;
    const items = matching.slice(query.offset, query.offset + query.limit);
    return {
      baseline: l.ev.baseline, created_at: num(l.row.created_at), test: l.ev.test, removedAs: l.ev.removedAs, minPosts: l.ev.minPosts, summary: l.row.summary, total: matching.length, items,
      next: query.offset + query.limit < matching.length ? query.offset + query.limit : null,
    };
  });

  route(app, ctx, {
    method: 'GET', url: '/api/terms/:term', tag: 'terms', summary: "One term's figures and its timeline: one point per UTC day (`bucket` YYYY-MM-DD, `day` its start in epoch ms) with posts, removed, rate and the rate's 95% Wilson interval.",
    params: z.object({ term: z.string().min(1).max(100) }),
  }, async ({ params }) => {
    const l = await ctx.cache.get('terms:latest', () => latest(db), 3000);
    const term = l?.terms.find((t) => t.term === params.term);
    if (!l || !term) throw new ApiError(404, 'not_found', `The latest terms run has no term "${params.term}".`, 'term');
    return { baseline: l.ev.baseline, created_at: num(l.row.created_at), test: l.ev.test, removedAs: l.ev.removedAs, minPosts: l.ev.minPosts, term, timeline: dailyTimeline(timelineOf(l.ev, term)) };
  });
}
