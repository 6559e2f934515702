/**
 * The web archive's contract with the rest of the observatory: what a fetch hands over to be
 * archived, and what the archive answers. The implementation (WARC 1.1 files beside the store,
 * deduplication by payload digest, WACZ export) lives in this folder; callers only see these types.
 */

/** One HTTP request and the answer to it, as the outbound-fetch module saw them. */
export interface HttpExchange {
  /** When the request was sent (epoch ms, on the caller's clock). */
  at: number;
  method: 'GET' | 'POST';
  /** The URL that answered (after any redirects). */
  url: string;
  requestHeaders: Record<string, string>;
  status: number;
  /** As received; hop-by-hop headers (transfer-encoding) are dropped when written. */
  responseHeaders: Headers;
  /** The body as received (not decoded); possibly cut at the fetch's body cap. */
  body: Uint8Array;
  /** The body was cut at the cap (recorded as WARC-Truncated: length). */
  truncated: boolean;
}

/** What an archived exchange is evidence of. */
export interface ArchiveSubject {
  subject: 'site' | 'post';
  /** tracked_sites.id or posts.id */
  subjectId: number;
  /** For a post: the check (observations.id) the answer belongs to. */
  observationId?: number | null;
}

/** The response record written (or the revisit record, when the payload was already archived). */
export interface ArchivedResponse {
  /** archive_records.id */
  recordId: number;
  /** "sha256:<hex>" of the payload. */
  payloadDigest: string;
  /** True when only a revisit record was written (identical payload archived before). */
  revisit: boolean;
  /**
   * Set when the payload was not written: the archive reached its size bound, so the response
   * record holds the status and headers only (zero-length payload, WARC-Truncated: length).
   */
  skipped?: 'archive_full';
}

/** An archived HTTP response read back (a revisit resolves to the original's payload). */
export interface ArchivedAnswer {
  recordId: number;
  targetUri: string;
  date: number;
  status: number;
  headers: Array<[string, string]>;
  body: Uint8Array;
}

/** The archive a process writes to. */
export interface Archive {
  /** The folder holding the WARC files. */
  readonly dir: string;
  /** Writes the request and response records (a revisit when the payload is already archived). */
  record(exchange: HttpExchange, subject: ArchiveSubject): Promise<ArchivedResponse>;
  /** The response an archive record holds. */
  read(recordId: number): Promise<ArchivedAnswer>;
  /** Closes the current WARC file. */
  close(): Promise<void>;
}
