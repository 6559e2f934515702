/**
 * Finished checks wait here and are recorded together: several checks' observations, versions
 * and status changes in one transaction. A check's post keeps its lease until its batch is
 * committed, so no watcher takes it up again in between; `flush` on stop records what is left,
 * so nothing finished is lost and nothing is recorded twice.
 */
import type { Store } from '../store/open.ts';
import type { HttpExchange } from '../archive/types.ts';
import type { PostCapture } from './capture.ts';
import type { SchedulePolicy } from './policy.ts';
import { recordChecks, type FinishedCheck, type RecordedCheck } from './record.ts';

/** A finished check with what the loop reports about it. */
export interface DoneCheck extends FinishedCheck {
  /** Clock time the check started. */
  start: number;
  /** The answers its requests got (for the archive). */
  exchanges: HttpExchange[];
}

export interface RecorderOptions {
  policy: SchedulePolicy;
  capture: PostCapture | null;
  /** Checks per transaction at most. */
  maxBatch: number;
  /** Wall ms the oldest waiting check may wait before a flush is due. */
  maxWaitMs: number;
  /** Called for each check once it is committed. */
  onRecorded: (c: DoneCheck, rec: RecordedCheck) => void;
}

export class CheckRecorder {
  private buf: DoneCheck[] = [];
  private oldest = 0;

  constructor(private readonly store: Store, private readonly o: RecorderOptions) {}

  /** Checks waiting to be recorded. */
  get pending(): number {
    return this.buf.length;
  }

  /** Adds a finished check. */
  add(c: DoneCheck): void {
    if (!this.buf.length) this.oldest = Date.now();
    this.buf.push(c);
  }

  /** True when a batch is full or its oldest check has waited long enough. */
  due(): boolean {
    return this.buf.length >= this.o.maxBatch || (this.buf.length > 0 && Date.now() - this.oldest >= this.o.maxWaitMs);
  }

  /** Wall ms until `due()` turns true by age (Infinity when nothing waits). */
  msUntilDue(): number {
    return this.buf.length ? Math.max(0, this.oldest + this.o.maxWaitMs - Date.now()) : Infinity;
  }

  /** Records every waiting check, a batch per transaction, then archives and reports them. */
  async flush(): Promise<void> {
    while (this.buf.length) {
      const batch = this.buf.splice(0, this.o.maxBatch);
      this.oldest = Date.now();
      let recs: Array<RecordedCheck | null>;
      try {
        recs = await recordChecks(this.store, batch, this.o.policy);
      } catch {
        // A failed transaction wrote nothing (on PostgreSQL another watcher's batch may deadlock
        // with this one): record its checks one by one instead.
        recs = await Promise.all(batch.map(() => null));
        for (let i = 0; i < batch.length; i++) recs[i] = await this.recordAlone(batch[i]);
      }
      for (let i = 0; i < batch.length; i++) {
        const rec = recs[i];
        if (!rec) continue;
        await this.o.capture?.archiveCheck(batch[i].item, rec, batch[i].exchanges);
        this.o.onRecorded(batch[i], rec);
      }
    }
  }

  /** Records one check in its own transaction; on failure says so and frees the post for a later check. */
  private async recordAlone(c: DoneCheck): Promise<RecordedCheck | null> {
    try {
      return (await recordChecks(this.store, [c], this.o.policy))[0];
    } catch (err) {
      process.stderr.write(`watch: could not record the check of post ${c.item.postId} (${(err as Error).message}); it will be checked again.\n`);
      await this.store.db.updateTable('watch_schedule').set({ lease_owner: null, lease_until: null }).where('post_id', '=', c.item.postId).execute().catch(() => undefined);
      return null;
    }
  }
}
