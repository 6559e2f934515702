/**
 * Months of the partitioned posts table (migration 0015), created before posts arrive for them.
 * A post of a month with no partition yet lands in posts_default; creating the month moves it.
 */
import type pg from 'pg';

/** Months outside this span stay in the DEFAULT partition: a bad timestamp must not create a table. */
const FIRST_YEAR = 1990;
const YEARS_AHEAD = 5;

/** Start (epoch ms, UTC) of the month holding `ms`. */
export function monthStart(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** The months of `times` that get a partition of their own, each once. */
export function partitionMonths(times: Iterable<number | null>, now = Date.now()): number[] {
  const lo = Date.UTC(FIRST_YEAR, 0, 1);
  const hi = Date.UTC(new Date(now).getUTCFullYear() + YEARS_AHEAD, 0, 1);
  const months = new Set<number>();
  for (const t of times) if (t !== null && Number.isFinite(t) && t >= lo && t < hi) months.add(monthStart(t));
  return [...months].sort((a, b) => a - b);
}

/** Remembers the months known to exist, per pool, so a batch asks PostgreSQL only about new ones. */
export class PartitionMonths {
  private readonly known = new Set<number>();
  constructor(private readonly pool: pg.Pool) {}

  /** Creates the partitions of these months that do not exist yet (each in its own short transaction). */
  async ensure(times: Iterable<number | null>): Promise<void> {
    for (const m of partitionMonths(times)) {
      if (this.known.has(m)) continue;
      await this.pool.query('SELECT censorscope_posts_month($1::bigint)', [m]);
      this.known.add(m);
    }
  }
}
