/**
 * A request budget shared by every watcher of a source, for stores with concurrent writers
 * (PostgreSQL): the source's requests are counted in the store in 5-second buckets, under a
 * lock on the source's row, so N watchers together stay within its budget instead of spending
 * it N times over. Room is checked over 13 buckets (65 s), so no 60-second window, however it
 * falls across buckets, holds more than the budget.
 */
import type { Store } from '../store/open.ts';
import { WindowBudget } from '../collect/sources/http.ts';
import type { Clock } from './clock.ts';

const BUCKET_MS = 5_000;
const WINDOW = 13;

export class SharedBudget extends WindowBudget {
  /** Clock time the last request was counted at, for tests. */
  lastTakenAt = 0;
  constructor(private readonly store: Store, private readonly sourceId: number, perMinute: number, clock: Clock) {
    super(perMinute, clock);
  }

  /** Counts one request if the window has room (returns 0), else returns ms until it may. */
  protected tryTake(): Promise<number> {
    return this.store.db.transaction().execute(async (tx) => {
      // Serialises the watchers of this source (other sources are not held up); the time is read
      // under the lock, so requests are counted in the order they are made.
      await tx.selectFrom('sources').select('id').where('id', '=', this.sourceId).forUpdate().execute();
      const now = this.clock.now();
      const bucket = Math.floor(now / BUCKET_MS);
      const rows = await tx.selectFrom('request_budget').select(['bucket', 'used'])
        .where('source_id', '=', this.sourceId).where('bucket', '>', bucket - WINDOW).execute();
      const used = rows.reduce((n, r) => n + Number(r.used), 0);
      if (used >= this.perMinute) {
        const oldest = Math.min(...rows.map((r) => Number(r.bucket)));
        return Math.max(1, (oldest + WINDOW) * BUCKET_MS - now);
      }
      await tx.insertInto('request_budget').values({ source_id: this.sourceId, bucket, used: 1 })
        .onConflict((oc) => oc.columns(['source_id', 'bucket']).doUpdateSet((eb) => ({ used: eb('request_budget.used', '+', 1) })))
        .execute();
      await tx.deleteFrom('request_budget').where('source_id', '=', this.sourceId).where('bucket', '<=', bucket - WINDOW).execute();
      this.lastTakenAt = now;
      return 0;
    });
  }
}
