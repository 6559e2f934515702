/**
 * Maps (source, platform account id) to the store's account id. Bounded, so an import of any
 * size keeps constant memory: when full it simply starts over.
 */
export class AccountCache {
  private readonly map = new Map<string, number>();
  constructor(private readonly limit = 200_000) {}

  get(sourceId: number, platformId: string): number | undefined {
    return this.map.get(`${sourceId}\u0000${platformId}`);
  }

  set(sourceId: number, platformId: string, id: number): void {
    if (this.map.size >= this.limit) this.map.clear();
    this.map.set(`${sourceId}\u0000${platformId}`, id);
  }

  clear(): void {
    this.map.clear();
  }
}
