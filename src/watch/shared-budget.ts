/**
 * A request budget shared by every watcher of a source, for stores with concurrent writers
 * (PostgreSQL): the source's requests are counted in the store in 5-second buckets, under a
 * lock on the source's row, so N watchers together stay within its budget instead of spending
 * it N times over. Room is checked over 13 buckets (65 s), so no 60-second window, however it
 * falls across buckets, holds more than the budget. A request counts from its take (so requests
 * in flight count) and, once it has ended, from its end's bucket: the server saw it in between,
 * so no window of the server's holds more than the budget either.
 */
import type { Store } from '../store/open.ts';
import { WindowBudget, type Ended } from '../collect/sources/http.ts';
import type { Clock } from './clock.ts';

const BUCKET_MS = 5_000;
const WINDOW = 13;

export class SharedBudget extends WindowBudget {
  /** Clock time the last request was counted at, for tests. */
  lastTakenAt = 0;
  constructor(private readonly store: Store, private readonly sourceId: number, perMinute: number, clock: Clock) {
    super(perMinute, clock);
  }

  /** Counts one request if the window has room (returns 0 and its end hook), else returns ms until it may. */
  protected tryTake(): Promise<number | [0, Ended]> {
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
      return [0, () => this.moveToEnd(bucket)] as [0, Ended];
    });
  }

  /** Moves one count from the take's bucket to the end's (only when the request crossed a bucket edge, ~4% at 200 ms). */
  private async moveToEnd(from: number): Promise<void> {
    const to = Math.floor(this.clock.now() / BUCKET_MS);
    if (to <= from) return;
    try {
      await this.store.db.transaction().execute(async (tx) => {
        await tx.selectFrom('sources').select('id').where('id', '=', this.sourceId).forUpdate().execute();
        await tx.updateTable('request_budget').set((eb) => ({ used: eb('used', '-', 1) }))
          .where('source_id', '=', this.sourceId).where('bucket', '=', from).where('used', '>', 0).execute();
        await tx.insertInto('request_budget').values({ source_id: this.sourceId, bucket: to, used: 1 })
          .onConflict((oc) => oc.columns(['source_id', 'bucket']).doUpdateSet((eb) => ({ used: eb('request_budget.used', '+', 1) })))
          .execute();
      });
    } catch (err) {
      // The request stays counted at its take: at worst a window 5 s early, never a lost count.
      process.stderr.write(`watch: could not move a request of source ${this.sourceId} to its end's budget bucket (${(err as Error).message}); it stays counted at its start.\n`);
    }
  }
}
