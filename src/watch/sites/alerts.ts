/**
 * Delivering the webhook alerts queued in `site_alerts` (an outbox: alerts survive restarts).
 * A loop beside the watch loop, never awaited by a check, claims due alerts with a lease (the
 * claim pushes next_attempt_at past the request's timeout, FOR UPDATE SKIP LOCKED on PostgreSQL),
 * POSTs the JSON body through safeFetch and marks the row delivered, or records the error and
 * retries with exponential backoff up to MAX_ATTEMPTS. So each alert is sent once by one watcher;
 * only a crash between the receiver's answer and the mark can send it twice.
 */
import type { Store } from '../../store/open.ts';
import { safeFetch } from '../../net/fetch.ts';
import { realClock, type Clock } from '../clock.ts';

export const MAX_ATTEMPTS = 8;
/** Timeout of one webhook call. */
export const WEBHOOK_TIMEOUT_MS = 10_000;
/** First retry delay; each further retry doubles it (5 s, 10 s, … about 10 min for the 8th). */
export const DEFAULT_BACKOFF_MS = 5_000;

export interface AlertDeliveryOptions {
  clock?: Clock;
  /** Stops the loop (and a call in flight). */
  signal?: AbortSignal;
  backoffMs?: number;
  timeoutMs?: number;
  /** Wall-clock ms between looks at the outbox when it is empty (default 500). */
  pollMs?: number;
  /** Called after each attempt (tests, progress). */
  onAttempt?: (e: { alertId: number; ok: boolean; attempt: number; error: string | null }) => void;
}

/** Claims due alerts for one pass: their next_attempt_at moves past the call's timeout so no other watcher takes them meanwhile. */
async function claimAlerts(store: Store, now: number, leaseMs: number, limit: number): Promise<Array<{ id: number; url: string; body: string; attempts: number }>> {
  return store.db.transaction().execute(async (tx) => {
    let q = tx.selectFrom('site_alerts').select(['id', 'url', 'body', 'attempts'])
      .where('delivered_at', 'is', null).where('next_attempt_at', '<=', now).where('attempts', '<', MAX_ATTEMPTS)
      .orderBy('next_attempt_at').orderBy('id').limit(limit);
    if (store.caps.skipLocked) q = q.forUpdate().skipLocked();
    const rows = await q.execute();
    if (rows.length) await tx.updateTable('site_alerts').set({ next_attempt_at: now + leaseMs }).where('id', 'in', rows.map((r) => r.id)).execute();
    return rows.map((r) => ({ id: Number(r.id), url: r.url, body: r.body, attempts: Number(r.attempts) }));
  });
}

/** POSTs one alert; resolves to null on a 2xx answer, else the error sentence. */
async function post(url: string, body: string, timeoutMs: number, signal?: AbortSignal): Promise<string | null> {
  try {
    // The webhook is operator-configured: its own origin may be internal; its redirects may not.
    const a = await safeFetch(url, {
      method: 'POST', body, headers: { 'content-type': 'application/json', 'user-agent': 'censorscope-site-watch/0.1' },
      policy: { allowOrigins: [new URL(url).origin] }, timeoutMs, signal, maxBytes: 64 * 1024, truncate: true, maxRedirects: 0,
    });
    return a.status >= 200 && a.status < 300 ? null : `the webhook answered HTTP ${a.status}`;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Runs one pass over the due alerts; returns how many were attempted. */
export async function deliverDueAlerts(store: Store, o: AlertDeliveryOptions = {}): Promise<number> {
  const clock = o.clock ?? realClock;
  const timeoutMs = o.timeoutMs ?? WEBHOOK_TIMEOUT_MS;
  const backoff = o.backoffMs ?? DEFAULT_BACKOFF_MS;
  // On the watcher's clock a lease must outlast the call's wall-clock timeout; with a fast
  // (virtual or accelerated) clock that is far more clock time, which only delays a retry.
  const leaseMs = Math.max(timeoutMs * 6, 60_000);
  const due = await claimAlerts(store, clock.now(), leaseMs, 10);
  for (const a of due) {
    if (o.signal?.aborted) {
      // Not attempted: give it back at once.
      await store.db.updateTable('site_alerts').set({ next_attempt_at: clock.now() }).where('id', '=', a.id).where('delivered_at', 'is', null).execute();
      continue;
    }
    const error = await post(a.url, a.body, timeoutMs, o.signal);
    if (error !== null && o.signal?.aborted) {
      // Cut short by the watcher's stop: not a failure of the receiver; the next run retries it.
      await store.db.updateTable('site_alerts').set({ next_attempt_at: clock.now() }).where('id', '=', a.id).execute();
      continue;
    }
    const attempt = a.attempts + 1;
    if (error === null) {
      await store.db.updateTable('site_alerts').set({ delivered_at: clock.now(), attempts: attempt, last_error: null }).where('id', '=', a.id).execute();
    } else {
      const next = clock.now() + backoff * 2 ** (attempt - 1);
      await store.db.updateTable('site_alerts').set({ attempts: attempt, next_attempt_at: next, last_error: error.slice(0, 500) }).where('id', '=', a.id).execute();
    }
    o.onAttempt?.({ alertId: a.id, ok: error === null, attempt, error });
  }
  return due.length;
}

/** Starts the delivery loop in the background; `stop()` ends it and waits for the call in flight. */
export function startAlertDelivery(store: Store, o: AlertDeliveryOptions = {}): { stop(): Promise<void> } {
  const ac = new AbortController();
  const outer = o.signal;
  const onAbort = () => ac.abort();
  outer?.addEventListener('abort', onAbort, { once: true });
  const pollMs = o.pollMs ?? 500;
  const done = (async () => {
    while (!ac.signal.aborted) {
      let n = 0;
      try {
        n = await deliverDueAlerts(store, { ...o, signal: ac.signal });
      } catch (err) {
        if (!ac.signal.aborted) process.stderr.write(`watch: delivering site alerts failed: ${(err as Error).message}\n`);
      }
      if (!n) await realClock.sleep(pollMs, ac.signal);
    }
  })();
  return {
    async stop() {
      ac.abort();
      outer?.removeEventListener('abort', onAbort);
      await done;
    },
  };
}
