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
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Store } from '../store/open.ts';
import type { Archive, HttpExchange } from '../archive/types.ts';
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

/** Bytes of answers waiting to be written before a check waits for the archive (the loop never holds more). */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

/**
 * Gathers the answers of each check through the sources' HttpClient hook and archives those that
 * matter once the check is recorded. Checks run concurrently, so each gathers its own answers in
 * its async context (AsyncLocalStorage): answers outside a check (listings) are dropped. Writes go on behind the loop (a WARC
 * record is flushed to disk before it is indexed, some 10 ms each), so archiving does not slow
 * the checks; at most MAX_PENDING_BYTES wait, and `flush` waits for all of them.
 */
export class PostCapture {
  private readonly gathering = new AsyncLocalStorage<HttpExchange[]>();
  private readonly inflight = new Set<Promise<void>>();
  private inflightBytes = 0;
  /** Posts with a visible answer on its way to the archive (not yet indexed, so the store cannot tell). */
  private readonly visibleQueued = new Map<number, number>();
  /** Checks whose answers were archived, by reason (for progress and tests). */
  readonly counts: Record<CaptureReason, number> = { first_sight: 0, first_visible: 0, edit: 0, gone_answer: 0, confirmed_gone: 0, returned: 0 };

  constructor(private readonly store: Store, private readonly archive: Archive, private readonly warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)) {}

  /** The HttpClient `onExchange` hook. */
  readonly onExchange = (e: HttpExchange): void => {
    this.gathering.getStore()?.push(e);
  };

  /** Runs one check, gathering the answers its requests got; `exchanges` fills as they come, also when `fn` throws. */
  gather<T>(exchanges: HttpExchange[], fn: () => Promise<T>): Promise<T> {
    return this.gathering.run(exchanges, fn);
  }

  /**
   * Queues the check's answers for the archive if its reason says so, and returns the reason
   * (null: not archived). Never throws: a failed write is reported as a sentence.
   */
  async archiveCheck(item: Claimed, rec: RecordedCheck, exchanges: HttpExchange[]): Promise<CaptureReason | null> {
    if (!exchanges.length) return null;
    let reason: CaptureReason | null;
    try {
      reason = await captureReason(item, rec, async () => this.visibleQueued.has(item.postId) || hasVisibleRecord(this.store, item.postId));
    } catch (err) {
      this.warn(`watch: could not tell whether check ${rec.observationId} of post ${item.postId} should be archived (${(err as Error).message}); it was recorded, its answers were not archived.`);
      return null;
    }
    if (!reason) return null;
    this.counts[reason]++;
    const visible = rec.recorded === 'visible' || rec.recorded === 'edited' || rec.recorded === 'expired';
    for (const e of exchanges) {
      while (this.inflightBytes > MAX_PENDING_BYTES && this.inflight.size) await Promise.race(this.inflight);
      if (visible) this.visibleQueued.set(item.postId, (this.visibleQueued.get(item.postId) ?? 0) + 1);
      this.inflightBytes += e.body.byteLength;
      const done: Promise<void> = this.archive.record(e, { subject: 'post', subjectId: item.postId, observationId: rec.observationId }).then(
        () => undefined,
        (err: Error) => this.warn(`watch: archiving the answer of ${e.url} (post ${item.postId}, check ${rec.observationId}) failed: ${err.message}. The check is recorded; check the archive folder ${this.archive.dir} (space, permissions).`),
      ).finally(() => {
        this.inflight.delete(done);
        this.inflightBytes -= e.body.byteLength;
        if (visible) {
          const left = (this.visibleQueued.get(item.postId) ?? 1) - 1;
          if (left > 0) this.visibleQueued.set(item.postId, left);
          else this.visibleQueued.delete(item.postId);
        }
      });
      this.inflight.add(done);
    }
    return reason;
  }

  /** Waits until every queued answer is written (or reported as failed). */
  async flush(): Promise<void> {
    while (this.inflight.size) await Promise.all(this.inflight);
  }
}
