/**
 * Post capture (issue 15): the answers a watched post's evidence rests on, written to the web
 * archive as WARC request/response records linked to the check (observation) they belong to.
 *
 * Archived: every answer of the post's first check (first sight), of the first visible answer
 * when the first check brought none, of an edit, of the first "gone" answer, of the check that
 * confirmed the disappearance, and of a post that answers again after a "gone" answer. Not
 * archived: ordinary re-checks that find the post unchanged (they prove nothing new, and
 * deduplication would shrink each to a revisit anyway), transient and unknown answers after
 * the first check, and listings (a timeline page holds many accounts' posts: archiving it under
 * one post would put strangers' posts into that post's evidence; the post's own first check
 * follows its listing within minutes).
 *
 * Limit: a check that makes no request of its own (a feed item read from the feed already
 * fetched for an earlier check) has nothing to archive; a feed item's disappearance is proven by
 * the answer of its own link, which is always fetched and archived.
 *
 * The archive never costs an observation: the check is recorded first, and a failed write is
 * reported as a sentence on stderr while the watcher goes on.
 */
import type { Store } from '../store/open.ts';
import type { Archive, ArchivedResponse, HttpExchange } from '../archive/types.ts';
import { GONE_KINDS } from '../collect/sources/source.ts';
import type { Claimed } from './queue.ts';
import type { RecordedCheck } from './record.ts';

/** Why a check's answers were archived. */
export type CaptureReason = 'first_sight' | 'first_visible' | 'edit' | 'gone_answer' | 'confirmed_gone' | 'returned';

/**
 * Why the answers of this check are archived, or null for an ordinary re-check.
 * `hasVisibleRecord` says whether a visible answer of the post is archived already (asked only
 * for a plain visible re-check, so unchanged posts cost one indexed query).
 */
export async function captureReason(item: Claimed, rec: RecordedCheck, hasVisibleRecord: () => Promise<boolean>): Promise<CaptureReason | null> {
  if (item.checks === 0) return 'first_sight';
  if (rec.edited) return 'edit';
  if (rec.recorded === 'pending') return 'gone_answer';
  if ((GONE_KINDS as readonly string[]).includes(rec.recorded)) return 'confirmed_gone';
  if (rec.recorded !== 'visible' && rec.recorded !== 'expired') return null;
  if (item.pendingKind != null) return 'returned';
  return (await hasVisibleRecord()) ? null : 'first_visible';
}

/** True when an answer of a visible check of the post is in the archive. */
export async function hasVisibleRecord(store: Store, postId: number): Promise<boolean> {
  const row = await store.db.selectFrom('archive_records as r').innerJoin('observations as o', 'o.id', 'r.observation_id')
    .select('r.id').where('r.subject', '=', 'post').where('r.subject_id', '=', postId).where('o.outcome', '=', 'visible').limit(1).executeTakeFirst();
  return row != null;
}

/**
 * Gathers the answers of one check through the sources' HttpClient hook and archives those that
 * matter once the check is recorded. The watch loop is sequential, so one capture serves every
 * source: answers outside a check (listings) are dropped.
 */
export class PostCapture {
  private pending: HttpExchange[] | null = null;
  /** Checks whose answers were archived, by reason (for progress and tests). */
  readonly counts: Record<CaptureReason, number> = { first_sight: 0, first_visible: 0, edit: 0, gone_answer: 0, confirmed_gone: 0, returned: 0 };

  constructor(private readonly store: Store, private readonly archive: Archive, private readonly warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {}

  /** The HttpClient `onExchange` hook. */
  readonly onExchange = (e: HttpExchange): void => {
    this.pending?.push(e);
  };

  /** Starts gathering the answers of one check. */
  begin(): void {
    this.pending = [];
  }

  /** Stops gathering and returns the answers of the check (none when no check was begun). */
  take(): HttpExchange[] {
    const got = this.pending ?? [];
    this.pending = null;
    return got;
  }

  /** Archives the check's answers if its reason says so; never throws. Returns what was written. */
  async archiveCheck(item: Claimed, rec: RecordedCheck, exchanges: HttpExchange[]): Promise<ArchivedResponse[]> {
    if (!exchanges.length) return [];
    let reason: CaptureReason | null;
    try {
      reason = await captureReason(item, rec, () => hasVisibleRecord(this.store, item.postId));
    } catch (err) {
      this.warn(`watch: could not tell whether check ${rec.observationId} of post ${item.postId} should be archived (${(err as Error).message}); it was recorded, its answers were not archived.`);
      return [];
    }
    if (!reason) return [];
    const written: ArchivedResponse[] = [];
    for (const e of exchanges) {
      try {
        written.push(await this.archive.record(e, { subject: 'post', subjectId: item.postId, observationId: rec.observationId }));
      } catch (err) {
        this.warn(`watch: archiving the answer of ${e.url} (post ${item.postId}, check ${rec.observationId}) failed: ${(err as Error).message}. The check is recorded; check the archive folder ${this.archive.dir} (space, permissions).`);
      }
    }
    if (written.length) this.counts[reason]++;
    return written;
  }
}
