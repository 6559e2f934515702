/**
 * Maps (source, platform account id) to the store's account id. Bounded, so an import of any
 * size keeps constant memory: when full it simply starts over.
 */
export class AccountCache {
  // One map per source: no key concatenation on the import hot path.
  private readonly bySource = new Map<number, Map<string, number>>();
  private size = 0;
  constructor(private readonly limit = 200_000) {}

  get(sourceId: number, platformId: string): number | undefined {
    return this.bySource.get(sourceId)?.get(platformId);
  }

  set(sourceId: number, platformId: string, id: number): void {
    if (this.size >= this.limit) this.clear();
    let map = this.bySource.get(sourceId);
    if (!map) this.bySource.set(sourceId, (map = new Map()));
    if (!map.has(platformId)) this.size++;
    map.set(platformId, id);
  }

  clear(): void {
    this.bySource.clear();
    this.size = 0;
  }
}
