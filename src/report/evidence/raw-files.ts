/**
 * The raw files of a bundle: the evidence as data, for a reader's own tools. JSON and JSON lines
 * with every time as ISO 8601 UTC; the campaign's edges as the coordination exports' CSV
 * (QUT-compatible columns, then the evidence; cells defused for spreadsheets).
 */
import type { PostEvidence } from './post-evidence.ts';
import type { CampaignEvidence } from './campaign-evidence.ts';
import { edgesCsv } from '../../detect/coordination/export.ts';
import { iso } from './time.ts';
import { ARCHIVE_JSONL, archiveJsonl } from './archive-files.ts';

const jsonl = (rows: unknown[]) => rows.map((r) => `${JSON.stringify(r)}\n`).join('');
const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/** The raw files of a post bundle, by file name. */
export function postRawFiles(e: PostEvidence): Record<string, string> {
  const p = e.post;
  return {
    'post.json': json({
      source: e.source,
      post: {
        ...p, created_at: iso(p.created_at), first_seen: iso(p.first_seen), last_seen: iso(p.last_seen), status_changed_at: iso(p.status_changed_at),
      },
      recheck: { post_url: e.recheck.publicUrl, check_url: e.recheck.url, how: e.recheck.how },
    }),
    'versions.jsonl': jsonl(e.versions.map((v) => ({ seen_at: iso(v.seen_at), sha256: v.sha256, sha256_matches: v.sha256_matches, text: v.text }))),
    'observations.jsonl': jsonl(e.observations.map((o) => ({
      id: o.id, observed_at: iso(o.observed_at), outcome: o.outcome, http_status: o.http_status, error_code: o.error_code,
      request_url: o.request.url, detail: o.detail,
    }))),
    'disappearances.json': json(e.disappearances.map((d) => ({
      id: d.id, kind: d.kind, last_seen_at: iso(d.last_seen_at), first_missing_at: iso(d.first_missing_at),
      interval_seconds: (d.first_missing_at - d.last_seen_at) / 1000, observation_id: d.observation_id, detected_at: iso(d.detected_at),
    }))),
    ...(e.archive.records.length ? { [ARCHIVE_JSONL]: archiveJsonl(e.archive) } : {}),
  };
}

/** The raw files of a campaign bundle, by file name. */
export function campaignRawFiles(e: CampaignEvidence): Record<string, string> {
  const f = e.finding;
  return {
    'finding.json': json({ ...f, created_at: iso(f.created_at), accounts: e.accounts.length, posts: e.posts.length, edges: e.edges.length }),
    'accounts.jsonl': jsonl(e.accounts),
    'posts.jsonl': jsonl(e.posts.map((p) => ({
      source: p.source, platform_post_id: p.platform_post_id, account: p.account, created_at: iso(p.created_at), status: p.status,
      status_changed_at: iso(p.status_changed_at), url: p.url, text: p.text,
    }))),
    'edges.csv': edgesCsv({ nodes: [], edges: e.edges }),
    'texts.jsonl': jsonl(e.texts.map((t) => ({ ...t, first: iso(t.first), last: iso(t.last) }))),
    'observations.jsonl': jsonl(e.observations.map((o) => ({ ...o, observed_at: iso(o.observed_at) }))),
    'disappearances.jsonl': jsonl(e.disappearances.map((d) => ({
      ...d, last_seen_at: iso(d.last_seen_at), first_missing_at: iso(d.first_missing_at), interval_seconds: (d.first_missing_at - d.last_seen_at) / 1000,
      detected_at: iso(d.detected_at),
    }))),
  };
}
