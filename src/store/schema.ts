/**
 * The store's tables, as TypeScript types for Kysely. Times are epoch milliseconds (UTC) in
 * integer columns on both backends, so range queries and bucketing are plain arithmetic.
 * JSON columns are text holding JSON.
 */
import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * What became of a post, as far as the evidence shows. `deleted`: gone, actor unknown (the
 * platform answers the same for its author's deletion and a moderator's removal, e.g. Mastodon's
 * 404); `deleted_by_author` and `removed_by_platform` only where a platform signal says who.
 */
export const POST_STATUSES = ['visible', 'deleted', 'deleted_by_author', 'removed_by_platform', 'account_gone', 'unknown'] as const;
export type PostStatus = (typeof POST_STATUSES)[number];

export interface SourcesTable {
  id: Generated<number>;
  /** import | mastodon | feed | http-json | … */
  kind: string;
  /** Unique, human-chosen name; imports default to the format name. */
  name: string;
  platform: string;
  /** JSON: the source's configuration. */
  config: string;
  /** Opaque position for "list new posts since". */
  cursor: string | null;
  enabled: number;
  created_at: number;
}

export interface AccountsTable {
  id: Generated<number>;
  source_id: number;
  platform_account_id: string;
  handle: string | null;
  display_name: string | null;
  /** active | suspended | gone | unknown */
  status: string;
  first_seen: number;
  last_seen: number;
}

export interface PostsTable {
  id: Generated<number>;
  source_id: number;
  platform_post_id: string;
  account_id: number | null;
  created_at: number | null;
  text: string;
  language: string | null;
  url: string | null;
  /** Platform id of the post this one replies to. */
  reply_to_id: string | null;
  /** Platform id of the post this one reposts. */
  repost_of_id: string | null;
  /** JSON arrays of strings. */
  hashtags: string | null;
  urls: string | null;
  mentions: string | null;
  first_seen: number;
  last_seen: number;
  status: PostStatus;
  status_changed_at: number | null;
  /** JSON: why the status is what it is (importer field, observation id, …). */
  status_evidence: string | null;
  /** JSON: format-specific columns kept verbatim. */
  extra: string | null;
}

export interface PostVersionsTable {
  id: Generated<number>;
  post_id: number;
  seen_at: number;
  text: string;
  sha256: string;
}

export interface ObservationsTable {
  id: Generated<number>;
  post_id: number;
  observed_at: number;
  /** visible | deleted | deleted_by_author | removed_by_platform | account_gone | transient | unknown */
  outcome: string;
  http_status: number | null;
  error_code: string | null;
  /** JSON: raw detail of the check. */
  detail: string | null;
}

export interface FindingsTable {
  id: Generated<number>;
  /** campaign | terms | … */
  kind: string;
  /** Stable key within a kind, so re-running a detector replaces rather than duplicates. */
  key: string;
  score: number;
  summary: string;
  /** JSON evidence. */
  evidence: string;
  created_at: number;
}

export interface ImportErrorsTable {
  id: Generated<number>;
  /** Content identity of the file (sha256 of size and first MiB). */
  file_key: string;
  file: string;
  line: number;
  field: string;
  reason: string;
  raw: string;
  created_at: number;
}

export interface ImportsTable {
  id: Generated<number>;
  file_key: string;
  file: string;
  format: string;
  source_id: number;
  rows: number;
  imported: number;
  duplicates: number;
  quarantined: number;
  /** running | done | interrupted | failed (an import ends `done` only when rows = imported + duplicates + quarantined) */
  state: string;
  started_at: number;
  finished_at: number | null;
  /** The process running the import (pid, host, its start time): null on rows from before 0009. */
  owner_pid: number | null;
  owner_host: string | null;
  owner_started_at: number | null;
}

export interface SettingsTable {
  key: string;
  value: string;
}

export interface Database {
  probe_measurements: ProbeMeasurementsTable;
  site_availability: SiteAvailabilityTable;
  sources: SourcesTable;
  accounts: AccountsTable;
  posts: PostsTable;
  post_versions: PostVersionsTable;
  observations: ObservationsTable;
  findings: FindingsTable;
  import_errors: ImportErrorsTable;
  imports: ImportsTable;
  settings: SettingsTable;
  watch_schedule: WatchScheduleTable;
  disappearances: DisappearancesTable;
  request_budget: RequestBudgetTable;
  watchlist: WatchlistTable;
  tracked_sites: TrackedSitesTable;
  site_captures: SiteCapturesTable;
  archive_records: ArchiveRecordsTable;
  site_alerts: SiteAlertsTable;
}

/** A website followed by the site watch (`censorscope site add`). */
export interface TrackedSitesTable {
  id: Generated<number>;
  /** The URL as fetched (unique). */
  url: string;
  name: string | null;
  /** Revisit interval. */
  every_ms: number;
  /** Webhook called on this site's state changes (else the global one, setting `site.webhook`). */
  webhook: string | null;
  /** Test-list category code, when added from a list. */
  category: string | null;
  enabled: number;
  added_at: number;
  next_check_at: number;
  /** Lease of the watcher checking it now (PostgreSQL: several watchers). */
  lease_owner: string | null;
  lease_until: number | null;
  /** The latest capture's verdict, and since when the site has been in that state. */
  state: string | null;
  state_since: number | null;
  last_capture_id: number | null;
}

/** One visit of a tracked site: what came back, the verdict and why. */
export interface SiteCapturesTable {
  id: Generated<number>;
  site_id: number;
  at: number;
  /** HTTP status of the final answer; null when none came. */
  status: number | null;
  /** The URL that answered, after redirects. */
  final_url: string | null;
  /** reachable | updated | defaced | injected | taken_down | down | blocked (src/detect/sites/types.ts) */
  verdict: string;
  /** JSON array of sentences: why the verdict. */
  reasons: string;
  /** The payload digest of the body ("sha256:<hex>", as in WARC-Payload-Digest); null without a body. */
  digest: string | null;
  /** Why no answer came (timeout, ECONNREFUSED, ...). */
  error_code: string | null;
  /** JSON: the page's features the classifier compares (src/detect/sites/types.ts PageSnapshot). */
  snapshot: string | null;
  /** JSON: the change summary against the baseline capture. */
  diff: string | null;
  /** The capture this one was compared with. */
  baseline_id: number | null;
  /** The archive record (response or revisit) holding what was served. */
  record_id: number | null;
  /** The probe measurement whose verdict made this capture `blocked`. */
  probe_measurement_id: number | null;
}

/** Where one WARC record is, in the archive folder beside the store. */
export interface ArchiveRecordsTable {
  id: Generated<number>;
  /** WARC file name, relative to the archive folder. */
  file: string;
  /** Byte offset and length of the record in the file (as stored: the gzip member when compressed). */
  record_offset: number;
  record_length: number;
  /** request | response | revisit */
  type: string;
  /** WARC-Record-ID, `<urn:uuid:…>`. */
  warc_record_id: string;
  target_uri: string;
  /** WARC-Date, epoch ms. */
  date: number;
  /** WARC-Payload-Digest ("sha256:<hex>"); a revisit carries the digest of the payload it repeats. */
  payload_digest: string | null;
  http_status: number | null;
  content_type: string | null;
  /** A revisit: the response record it repeats; a request: the response it belongs to. */
  refers_to: number | null;
  /** site | post */
  subject: string;
  /** tracked_sites.id or posts.id */
  subject_id: number;
  /** The post check (observations.id) this record proves, for posts. */
  observation_id: number | null;
}

/** Outbox of webhook calls on site state changes; delivered with retries, apart from the watch loop. */
export interface SiteAlertsTable {
  id: Generated<number>;
  site_id: number;
  capture_id: number;
  url: string;
  /** JSON body sent. */
  body: string;
  attempts: number;
  next_attempt_at: number;
  delivered_at: number | null;
  last_error: string | null;
  created_at: number;
}

/** One account or site the impostor detector protects (any field may be empty). */
export interface WatchlistTable {
  id: Generated<number>;
  name: string | null;
  handle: string | null;
  platform: string | null;
  domain: string | null;
  /** The four fields as JSON: one row per distinct entry. */
  entry_key: string;
  created_at: number;
}

/** Requests made to a source per 5-second bucket, shared by all its watchers. */
export interface RequestBudgetTable {
  source_id: number;
  bucket: number;
  used: number;
}

export type Post = Selectable<PostsTable>;
export type NewPost = Insertable<PostsTable>;
export type Account = Selectable<AccountsTable>;
export type Source = Selectable<SourcesTable>;
export type Finding = Selectable<FindingsTable>;
export type TrackedSite = Selectable<TrackedSitesTable>;
export type SiteCapture = Selectable<SiteCapturesTable>;
export type ArchiveRecord = Selectable<ArchiveRecordsTable>;

/** One web-connectivity measurement (ours or imported from OONI); `body` is the OONI JSON. */
export interface ProbeMeasurementsTable {
  id: Generated<number>;
  /** The measurement's identity (src/probe/ooni/identity.ts): measurement_uid, report:…, or content:sha256. */
  uid: string;
  /** sha256 of the canonical JSON (sorted keys): tells a duplicate from a conflicting version. */
  content_sha256: string | null;
  /** probe | ooni */
  origin: string;
  input: string;
  hostname: string;
  measured_at: number;
  probe_cc: string;
  probe_asn: string;
  test_name: string;
  /** dns | tcp_ip | http-failure | http-diff | false, or null when undetermined */
  blocking: string | null;
  accessible: number | null;
  /** reachable | blocked | down | unknown */
  verdict: string;
  blocking_flags: number;
  /** JSON array of mechanisms (dns-injection, ip-drop, sni-reset, residual, …) */
  how: string;
  body: string;
  created_at: number;
}

/** One check of one site in an availability list: the timeline a report reads. */
export interface SiteAvailabilityTable {
  id: Generated<number>;
  site: string;
  list_name: string;
  category_code: string | null;
  checked_at: number;
  /** reachable | blocked | down | unknown */
  state: string;
  how: string;
  measurement_id: number | null;
}

/** One watched post's place in the revisit schedule (deletion watch). */
export interface WatchScheduleTable {
  post_id: number;
  source_id: number;
  /** When the post was published (or first seen), the origin of its age. */
  posted_at: number;
  next_check_at: number;
  last_checked_at: number | null;
  checks: number;
  transient_streak: number;
  /** A first "gone" outcome awaiting its confirming re-check. */
  pending_kind: string | null;
  pending_since: number | null;
  lease_owner: string | null;
  lease_until: number | null;
  /** 1 once the post is gone for good or past the watch horizon. */
  done: number;
}

/** One proven disappearance: the interval [last_seen_at, first_missing_at] and the observation that proved it. */
export interface DisappearancesTable {
  id: Generated<number>;
  post_id: number;
  /** deleted | deleted_by_author | removed_by_platform | account_gone */
  kind: string;
  last_seen_at: number;
  first_missing_at: number;
  observation_id: number | null;
  detected_at: number;
}
