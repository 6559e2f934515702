/**
 * Findings of kind `site`: one per state change of a tracked site (a change of verdict other than
 * between the healthy pair reachable <-> updated). The watcher writes the row at capture time with
 * `siteFinding`; the detector rebuilds the same rows from `site_captures` (same key, same
 * created_at: the capture's time), so both ways agree. Sites are not people: URLs and names stay,
 * and the evidence holds nothing about any person.
 */
import type { Insertable } from 'kysely';
import type { FindingsTable } from '../../store/schema.ts';
import type { Store } from '../../store/open.ts';
import type { Progress } from '../../util/progress.ts';
import { HEALTHY_VERDICTS, SITE_VERDICTS, type SiteVerdict } from './types.ts';

export const SITE_KIND = 'site';

/** How serious each state is (a finding's score); recoveries score lowest. */
export const SEVERITY: Record<SiteVerdict, number> = {
  defaced: 0.95, injected: 0.9, taken_down: 0.85, blocked: 0.75, down: 0.5, updated: 0.2, reachable: 0.2,
};

const WORDS: Record<SiteVerdict, string> = {
  reachable: 'reachable again', updated: 'reachable again', defaced: 'defaced', injected: 'carrying injected spam or code',
  taken_down: 'taken down', down: 'down', blocked: 'blocked',
};

/** The evidence a site finding stores (JSON). */
export interface SiteFindingEvidence {
  siteId: number;
  url: string;
  name: string | null;
  captureId: number;
  at: number;
  from: SiteVerdict | null;
  to: SiteVerdict;
  reasons: string[];
  recordId: number | null;
  digest: string | null;
}

/** True when moving from `from` to `to` is a state change worth a finding (and an alert). */
export function isStateChange(from: SiteVerdict | null, to: SiteVerdict): boolean {
  if (from === null) return !HEALTHY_VERDICTS.has(to);
  return from !== to && !(HEALTHY_VERDICTS.has(from) && HEALTHY_VERDICTS.has(to));
}

/** The findings row for one state change of a site (the watcher and the detector both use it). */
export function siteFinding(site: { id: number; url: string; name: string | null },
  capture: { id: number; at: number; verdict: SiteVerdict; reasons: string[]; recordId: number | null; digest: string | null },
  from: SiteVerdict | null): Insertable<FindingsTable> {
  const evidence: SiteFindingEvidence = {
    siteId: site.id, url: site.url, name: site.name, captureId: capture.id, at: capture.at, from, to: capture.verdict,
    reasons: capture.reasons, recordId: capture.recordId, digest: capture.digest,
  };
  const label = site.name ? `${site.name} (${site.url})` : site.url;
  const was = from ? ` (was ${from.replace('_', ' ')})` : '';
  const why = capture.reasons[0] ? `: ${capture.reasons[0]}` : '';
  return {
    kind: SITE_KIND, key: `site:${site.id}:${capture.id}`, score: SEVERITY[capture.verdict],
    summary: `${label} is ${WORDS[capture.verdict]}${was}${why}.`.slice(0, 1000),
    evidence: JSON.stringify(evidence), created_at: capture.at,
  };
}

export interface SitesOptions {
  /** Rows read per query (default 2000). */
  page?: number;
}

export interface SitesResult {
  sites: number;
  captures: number;
  findings: number;
}

function verdictOf(v: string): SiteVerdict | null {
  return (SITE_VERDICTS as readonly string[]).includes(v) ? (v as SiteVerdict) : null;
}

function reasonsOf(json: string): string[] {
  try {
    const r: unknown = JSON.parse(json);
    return Array.isArray(r) ? r.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** Rebuilds the `site` findings from `site_captures` (one per state change, in capture order). */
export async function runSites(store: Store, opts: SitesOptions = {}, progress?: Progress): Promise<SitesResult> {
  const page = opts.page ?? 2000;
  const sites = new Map((await store.db.selectFrom('tracked_sites').select(['id', 'url', 'name']).execute())
    .map((s) => [Number(s.id), { id: Number(s.id), url: s.url, name: s.name }]));
  const total = await store.db.selectFrom('site_captures').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
  progress?.setTotal(Number(total?.n ?? 0));
  const rows: Array<Insertable<FindingsTable>> = [];
  let captures = 0;
  // Keyset paging on (site_id, at, id): the capture order the watcher wrote them in.
  let after: { site: number; at: number; id: number } | null = null;
  let prev: { site: number; verdict: SiteVerdict } | null = null;
  for (;;) {
    let q = store.db.selectFrom('site_captures').select(['id', 'site_id', 'at', 'verdict', 'reasons', 'record_id', 'digest'])
      .orderBy('site_id').orderBy('at').orderBy('id').limit(page);
    if (after) {
      const a = after;
      q = q.where((eb) => eb.or([
        eb('site_id', '>', a.site),
        eb.and([eb('site_id', '=', a.site), eb('at', '>', a.at)]),
        eb.and([eb('site_id', '=', a.site), eb('at', '=', a.at), eb('id', '>', a.id)]),
      ]));
    }
    const batch = await q.execute();
    if (!batch.length) break;
    for (const r of batch) {
      const siteId = Number(r.site_id);
      const verdict = verdictOf(r.verdict);
      const site = sites.get(siteId);
      if (!verdict || !site) continue;
      const from = prev && prev.site === siteId ? prev.verdict : null;
      if (isStateChange(from, verdict)) {
        rows.push(siteFinding(site, { id: Number(r.id), at: Number(r.at), verdict, reasons: reasonsOf(r.reasons), recordId: r.record_id === null ? null : Number(r.record_id), digest: r.digest }, from));
      }
      prev = { site: siteId, verdict };
    }
    const last = batch[batch.length - 1]!;
    after = { site: Number(last.site_id), at: Number(last.at), id: Number(last.id) };
    captures += batch.length;
    progress?.tick(batch.length, { changes: rows.length });
  }
  await store.db.transaction().execute(async (tx) => {
    await tx.deleteFrom('findings').where('kind', '=', SITE_KIND).execute();
    for (let i = 0; i < rows.length; i += 200) await tx.insertInto('findings').values(rows.slice(i, i + 200)).execute();
  });
  return { sites: sites.size, captures, findings: rows.length };
}
