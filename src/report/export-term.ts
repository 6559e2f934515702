/**
 * A censored term's downloads, read from the latest terms run (finding kind 'terms'): the posts
 * the run counted for it (posts of known outcome, or counted as removed, whose terms include it,
 * tokenised exactly as the detector tokenises) and its timeline by day with Wilson intervals.
 */
import { sql } from 'kysely';
import Papa from 'papaparse';
import { z } from 'zod';
import type { Store } from '../store/open.ts';
import { POST_STATUSES, type PostStatus } from '../store/schema.ts';
import { outcomeRule } from '../detect/terms/read.ts';
import { terms as tokenize } from '../detect/terms/tokenize.ts';
import { wilson } from '../detect/terms/stats.ts';
import { keepPosts, likePattern, pagedById } from './export-filter.ts';
import type { PostSelection } from './export-posts.ts';
import { defuseRecord } from './csv-safe.ts';

const point = z.object({
  bucket: z.string(), posts: z.number().int().min(0).catch(0), removed: z.number().int().min(0).catch(0),
}).loose();
const termsFinding = z.object({
  baseline: z.number().nullable().catch(null).default(null),
  removedAs: z.array(z.enum(POST_STATUSES)).min(1).catch(['removed_by_platform']).default(['removed_by_platform']),
  terms: z.array(z.unknown()).catch([]).default([]),
  timeline: z.record(z.string(), z.array(z.unknown())).catch({}).default({}),
}).loose();

/** A term as the latest terms run reported it. */
export interface StoredTerm {
  term: string;
  posts: number | null;
  removed: number | null;
  removedAs: PostStatus[];
  baseline: number | null;
  /** When the run was stored (epoch ms). */
  createdAt: number;
  timeline: Array<z.output<typeof point>>;
}

/** The term from the latest terms run, or null when the run did not report it (or never ran). */
export async function loadTerm(store: Store, term: string): Promise<StoredTerm | null> {
  const row = await store.db.selectFrom('findings').select(['evidence', 'created_at']).where('kind', '=', 'terms').where('key', '=', 'latest').executeTakeFirst();
  if (!row) return null;
  let raw: unknown;
  try {
    raw = JSON.parse(row.evidence ?? 'null');
  } catch {
    return null;
  }
  const ev = termsFinding.parse(raw ?? {});
  const found = ev.terms.find((t) => (t as { term?: unknown } | null)?.term === term) as { posts?: unknown; removed?: unknown } | undefined;
  if (!found) return null;
  const timeline = (ev.timeline[term] ?? []).flatMap((p) => {
    const r = point.safeParse(p);
    return r.success ? [r.data] : [];
  }).sort((a, b) => (a.bucket < b.bucket ? -1 : a.bucket > b.bucket ? 1 : 0));
  return {
    term, posts: typeof found.posts === 'number' ? found.posts : null, removed: typeof found.removed === 'number' ? found.removed : null,
    removedAs: ev.removedAs, baseline: ev.baseline, createdAt: Number(row.created_at), timeline,
  };
}

/**
 * The posts the terms run counted for `term`: statuses it read (known outcomes and those counted
 * as removed), holding the term once tokenised. A term without case (Chinese) is a substring of
 * its posts' text, so SQL narrows the scan; a cased word is matched on lower-cased text, as the
 * detector's timeline pass does.
 */
export function termPosts(t: Pick<StoredTerm, 'term' | 'removedAs'>): PostSelection {
  const statuses = outcomeRule(t.removedAs).statuses;
  const caseless = t.term.toLowerCase() === t.term.toUpperCase();
  const scan: PostSelection = (store, pageSize) => pagedById(store, pageSize, (qb) => {
    const narrowed = qb.where('posts.status', 'in', statuses);
    return caseless ? narrowed.where(sql<boolean>`posts.text like ${likePattern(t.term)} escape '\\'`) : narrowed;
  }, true);
  return keepPosts(scan, (row) => row.text.toLowerCase().includes(t.term) && tokenize(row.text).has(t.term));
}

/** One day of a term's timeline as downloaded: counts, removal rate and its 95% Wilson interval. */
export interface TimelineRow { day: string; posts: number; removed: number; rate: number | null; low: number | null; high: number | null }

/** The term's timeline rows (days are UTC, as the detector buckets them). */
export function timelineRows(t: StoredTerm): TimelineRow[] {
  return t.timeline.map((p) => {
    const w = p.posts > 0 ? wilson(p.removed, p.posts) : null;
    return { day: p.bucket, posts: p.posts, removed: p.removed, rate: p.posts > 0 ? p.removed / p.posts : null, low: w?.low ?? null, high: w?.high ?? null };
  });
}

export const TIMELINE_COLUMNS = ['day', 'posts', 'removed', 'rate', 'low', 'high'] as const;

/** The timeline as CSV (one row a UTC day) or as one JSON document naming what was counted. */
export function timelineText(t: StoredTerm, format: 'csv' | 'json'): string {
  const rows = timelineRows(t);
  if (format === 'csv') {
    const cells = rows.map((r) => defuseRecord({ ...r, rate: r.rate ?? '', low: r.low ?? '', high: r.high ?? '' }));
    return Papa.unparse({ fields: [...TIMELINE_COLUMNS], data: cells.map((r) => TIMELINE_COLUMNS.map((c) => r[c])) }) + '\r\n';
  }
  return `${JSON.stringify({
    term: t.term, by: 'day', timezone: 'UTC', removedAs: t.removedAs, baseline: t.baseline, run_at: new Date(t.createdAt).toISOString(),
    posts: t.posts, removed: t.removed, interval: '95% Wilson score interval of each day\'s removal rate', timeline: rows,
  }, null, 2)}\n`;
}
