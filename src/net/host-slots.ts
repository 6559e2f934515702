/**
 * Politeness per host: at most N connections open to one host (host:port) at once, however
 * many sources, checks or watcher workers want it. safeFetch takes a slot per hop before it
 * connects and gives it back once the answer is read (or the request failed), so a redirect to
 * another host waits for that host's slot, not this one's. Waiters are served first come, first
 * served; a stop signal takes a waiter out of the line.
 */

/** Per-host connection slots shared by every fetch of one process (or one watcher). */
export class HostSlots {
  private readonly open = new Map<string, number>();
  private readonly waiting = new Map<string, Array<() => void>>();

  constructor(readonly perHost: number) {
    if (!Number.isInteger(perHost) || perHost < 1) throw new Error(`Connections per host must be a whole number of at least 1, not ${perHost}.`);
  }

  /** Connections open to `host` now. */
  inUse(host: string): number {
    return this.open.get(host) ?? 0;
  }

  /** Waits for a free connection to `host` (a URL's `host`: name and port); returns the function that frees it (idempotent). */
  async acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    if (this.inUse(host) >= this.perHost) {
      await new Promise<void>((resolve, reject) => {
        const line = this.waiting.get(host) ?? [];
        this.waiting.set(host, line);
        const onAbort = () => {
          const i = line.indexOf(go);
          if (i >= 0) line.splice(i, 1);
          reject(signal!.reason ?? new Error('aborted'));
        };
        const go = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        if (signal?.aborted) return onAbort();
        signal?.addEventListener('abort', onAbort, { once: true });
        line.push(go);
      });
    } else {
      this.open.set(host, this.inUse(host) + 1);
    }
    let freed = false;
    return () => {
      if (freed) return;
      freed = true;
      this.release(host);
    };
  }

  /** Hands the slot to the next waiter (the count stays), or frees it. */
  private release(host: string): void {
    const next = this.waiting.get(host)?.shift();
    if (next) return next();
    const n = this.inUse(host) - 1;
    if (n > 0) this.open.set(host, n);
    else {
      this.open.delete(host);
      this.waiting.delete(host);
    }
  }
}
