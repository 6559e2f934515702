/**
 * When an import is large next to the store, index upkeep is suspended for it (where the store
 * supports that) and the indexes rebuilt once at the end: a sort instead of inserts at random
 * places, row after row (bench/import).
 */
import type { Store } from '../store/open.ts';

export class BulkLoad {
  private decided = false;
  private restoreIndexes: (() => Promise<void>) | undefined;

  constructor(private readonly store: Store, private readonly fileBytes: number) {}

  /** Decides once, from the first rows read: suspends when the file brings at least as many posts as the store holds. */
  async start(rowsRead: number, bytesRead: number): Promise<void> {
    if (this.decided) return;
    this.decided = true;
    if (!this.store.suspendPostIndexes) return;
    const expected = this.fileBytes * (rowsRead / Math.max(1, bytesRead));
    // The highest id bounds the count and, unlike count(*), costs one index probe.
    const r = await this.store.db.selectFrom('posts').select((eb) => eb.fn.max('id').as('n')).executeTakeFirst();
    if (expected >= Number(r?.n ?? 0)) this.restoreIndexes = await this.store.suspendPostIndexes();
  }

  /** Rebuilds whatever was suspended; `say` gets a line for the user first. */
  async finish(say?: (line: string) => void): Promise<void> {
    if (!this.restoreIndexes) return;
    say?.('Rebuilding the posts indexes…');
    await this.restoreIndexes();
    this.restoreIndexes = undefined;
  }
}
