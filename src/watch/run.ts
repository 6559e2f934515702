/**
 * The watch loop: lists each source for new posts on its own rhythm, claims due checks from the
 * persisted schedule, checks them within each source's request budget and records the outcome.
 * Strictly sequential within a process (so a VirtualClock shared with a simulator stays
 * deterministic); parallelism comes from running several watchers against PostgreSQL.
 */
import { randomBytes } from 'node:crypto';
import type { Store } from '../store/open.ts';
import type { Source } from '../store/schema.ts';
import { AcceleratedClock, realClock, type Clock } from './clock.ts';
import { HttpClient, RequestBudget, TransientError, type Budget } from '../collect/sources/http.ts';
import { SharedBudget } from './shared-budget.ts';
import { commonConfig, createDriver } from '../collect/sources/registry.ts';
import { listSources } from '../collect/sources/add.ts';
import type { CheckResult, SourceDriver } from '../collect/sources/source.ts';
import { claimDue, nextDue } from './queue.ts';
import { ingestPosts } from './ingest.ts';
import { recordCheck } from './record.ts';
import { holdSingleWatcher, releaseSingleWatcher } from './single.ts';
import { UserError } from '../util/errors.ts';
import { BlockedAddressError } from '../net/fetch.ts';
import { configOrigins } from '../net/address-policy.ts';
import { DEFAULT_POLICY, adjustScale, type SchedulePolicy } from './policy.ts';
import type { Archive } from '../archive/types.ts';
import type { SiteVerdict } from '../detect/sites/types.ts';
import { SiteWatch } from './sites/watcher.ts';
import { startAlertDelivery } from './sites/alerts.ts';
import { countSites } from './sites/claim.ts';
import { PostCapture } from './capture.ts';

export interface WatchProgress {
  tracked: number;
  checksPerMinute: number;
  disappearances: Record<string, number>;
  /** The site watch: tracked sites, captures in the last minute, sites per state. */
  sites: { tracked: number; capturesPerMinute: number; states: Record<string, number> };
}

export interface WatchOptions {
  signal?: AbortSignal;
  /** How long to run: on `clock` when one is given, else wall-clock time. */
  durationMs?: number;
  onProgress?: (p: WatchProgress) => void;
  /** Wall-clock ms between progress reports (default 1000); one more comes at the end. */
  progressEveryMs?: number;
  /** Time source; by default the wall clock (or the simulator's clock with `simClock`). */
  clock?: Clock;
  /**
   * The simulator's URL (`watch --sim-clock`, the demo): the watcher's clock then follows the
   * x-sim-time headers of that origin only. Without it no response header ever moves the clock.
   */
  simClock?: string;
  /** Lets sources, links and redirects reach loopback and private addresses (`watch --allow-private`). */
  allowPrivate?: boolean;
  policy?: Partial<SchedulePolicy>;
  /** Only these sources (default: every enabled live source). */
  sourceIds?: number[];
  /** Overrides each source's budget (requests/minute). */
  budgetPerMinute?: number;
  owner?: string;
  batch?: number;
  leaseMs?: number;
  /** Called after every check (tests use it to see concurrency). */
  onCheck?: (e: { postId: number; owner: string; start: number; end: number; outcome: string }) => void;
  /** Filled with each source's budget, for tests and benchmarks. */
  budgets?: Map<number, Budget>;
  /**
   * The web archive: every site capture, and the answers a post's evidence rests on
   * (src/watch/capture.ts), are written there. Without it site captures keep only their payload digest.
   */
  archive?: Archive;
  /** Revisit tracked sites too (default true). */
  sites?: boolean;
  /** Overrides the `sites` source's budget (requests/minute). */
  siteBudgetPerMinute?: number;
  /** Called after every site capture. */
  onCapture?: (e: { siteId: number; owner: string; start: number; end: number; verdict: SiteVerdict; changed: boolean }) => void;
  /** Deliver site webhook alerts beside the loop (default true). */
  alerts?: boolean;
  /** First retry delay of a failed webhook call (default 5 s; doubles each time). */
  alertBackoffMs?: number;
}

interface Live {
  row: Source;
  driver: SourceDriver;
  budget: Budget;
  listEveryMs: number;
  nextListAt: number;
}

/** Wall-clock ms a fetch in flight may still take once the duration has passed. */
const STOP_GRACE_MS = 1000;

/** Runs every source and the scheduler until aborted or the duration has passed (fetches in flight are aborted soon after). */
export async function runWatch(store: Store, opts: WatchOptions = {}): Promise<void> {
  const policy: SchedulePolicy = { ...DEFAULT_POLICY, ...opts.policy };
  const follow = opts.clock || !opts.simClock ? null : new AcceleratedClock(Date.now(), 1);
  const simOrigin = opts.simClock ? simClockOrigin(opts.simClock) : null;
  const clock: Clock = opts.clock ?? follow ?? realClock;
  const durationClock = opts.clock ?? realClock;
  const endAt = opts.durationMs != null ? durationClock.now() + opts.durationMs : Infinity;
  const owner = opts.owner ?? `watch-${process.pid}-${randomBytes(3).toString('hex')}`;
  // One stop for everything in flight: the caller's signal, or the end of the duration on the
  // wall clock. Fetches, retries' backoff and budget waits all take it, so a slow or silent
  // server cannot keep the watcher past its end (it once ran 61 s of a 25 s --for).
  const stop = new AbortController();
  const onAbort = () => stop.abort();
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  if (opts.signal?.aborted) stop.abort();
  // At the end of the duration no new work starts; what is in flight gets a moment to finish.
  const timer = opts.durationMs != null && !opts.clock ? setTimeout(onAbort, Math.max(0, opts.durationMs) + STOP_GRACE_MS) : undefined;
  const stopped = () => stop.signal.aborted || durationClock.now() >= endAt;

  const single = !store.caps.concurrentWriters;
  try {
    if (single) await holdSingleWatcher(store, owner);
    try {
      await watchLoop(store, { ...opts, signal: stop.signal }, { policy, follow: follow && simOrigin ? { clock: follow, origin: simOrigin } : null, clock, owner, stopped, single });
    } finally {
      if (single) await releaseSingleWatcher(store, owner).catch(() => undefined);
    }
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener('abort', onAbort);
  }
}

/** The origin of the simulator's URL given to `--sim-clock`. */
export function simClockOrigin(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new UserError(`--sim-clock "${url}" is not a URL; give the simulator's address, e.g. http://127.0.0.1:8080.`);
  }
  if (!/^https?:$/.test(u.protocol)) throw new UserError(`--sim-clock "${url}" must be an http:// or https:// URL.`);
  return u.origin;
}

/** A source's request budget: shared through the store where several watchers may run (concurrent writers). */
export function budgetFor(store: Store, sourceId: number, perMinute: number, clock: Clock): Budget {
  return store.caps.concurrentWriters ? new SharedBudget(store, sourceId, perMinute, clock) : new RequestBudget(perMinute, clock);
}

interface LoopState {
  policy: SchedulePolicy;
  follow: { clock: AcceleratedClock; origin: string } | null;
  clock: Clock;
  owner: string;
  stopped: () => boolean | undefined;
  single: boolean;
}

async function watchLoop(store: Store, opts: WatchOptions, st: LoopState): Promise<void> {
  const { policy, follow, clock, owner, stopped, single } = st;
  const signal = opts.signal;
  let heartbeat = Date.now();
  const capture = opts.archive ? new PostCapture(store, opts.archive) : null;
  const rows = (await listSources(store)).filter((s) => s.enabled && (!opts.sourceIds || opts.sourceIds.includes(Number(s.id))));
  const live = new Map<number, Live>();
  for (const row of rows) {
    const common = commonConfig(row);
    const budget = budgetFor(store, Number(row.id), opts.budgetPerMinute ?? common.budgetPerMinute, clock);
    opts.budgets?.set(Number(row.id), budget);
    const simClock = follow ? { origin: follow.origin, sync: (at: number, speed: number) => follow.clock.sync(at, speed) } : undefined;
    // A source's own configured URLs may be internal (the operator chose them); what its posts
    // link to or redirect to may not, unless --allow-private.
    const policy = { allowPrivate: opts.allowPrivate === true, allowOrigins: configOrigins(JSON.parse(row.config)) };
    const http = new HttpClient({ budget, clock, signal, simClock, policy, timeoutMs: common.timeoutMs, onExchange: capture?.onExchange });
    live.set(Number(row.id), { row, driver: createDriver(row, http, clock), budget, listEveryMs: common.listEveryMs, nextListAt: 0 });
  }
  const sourceIds = [...live.keys()];
  const sites = opts.sites === false ? null : new SiteWatch(store, {
    clock, owner, signal, allowPrivate: opts.allowPrivate, archive: opts.archive,
    budgetFor: (id, perMinute) => {
      const b = budgetFor(store, id, perMinute, clock);
      opts.budgets?.set(id, b);
      return b;
    },
    budgetPerMinute: opts.siteBudgetPerMinute ?? opts.budgetPerMinute, onCapture: opts.onCapture,
  });
  // Webhook alerts go out beside the loop: a slow or silent receiver never holds up a check. The
  // loop starts once there is anything to deliver or any site to watch, so a watch of posts alone
  // runs exactly as before.
  let delivery = null as { stop(): Promise<void> } | null;
  const startDelivery = () => {
    if (!delivery && sites && opts.alerts !== false) delivery = startAlertDelivery(store, { clock, signal, backoffMs: opts.alertBackoffMs });
  };
  if (sites) {
    const pending = await store.db.selectFrom('site_alerts').select('id').where('delivered_at', 'is', null).limit(1).executeTakeFirst();
    if (pending || await countSites(store)) startDelivery();
  }
  try {
    await loopBody();
  } finally {
    await delivery?.stop();
  }

  async function loopBody(): Promise<void> {
    const checkTimes: number[] = [];
    let lastProgress = 0;
    const progress = async (force = false) => {
      if (!opts.onProgress || (!force && Date.now() - lastProgress < (opts.progressEveryMs ?? 1000))) return;
      lastProgress = Date.now();
      const now = clock.now();
      while (checkTimes.length && checkTimes[0] <= now - 60_000) checkTimes.shift();
      const tracked = await store.db.selectFrom('watch_schedule').select((eb) => eb.fn.countAll().as('n')).where('done', '=', 0).executeTakeFirst();
      const kinds = await store.db.selectFrom('disappearances').select(['kind', (eb) => eb.fn.countAll().as('n')]).groupBy('kind').execute();
      const siteFigures = sites ? await sites.progress() : { tracked: 0, capturesPerMinute: 0, states: {} };
      opts.onProgress({ tracked: Number(tracked?.n ?? 0), checksPerMinute: checkTimes.length, disappearances: Object.fromEntries(kinds.map((k) => [k.kind, Number(k.n)])), sites: siteFigures });
    };

    while (!stopped()) {
      if (single && Date.now() - heartbeat > 5000) {
        heartbeat = Date.now();
        await holdSingleWatcher(store, owner);
      }
      for (const s of live.values()) {
        if (clock.now() < s.nextListAt || stopped()) continue;
        try {
          const listed = await s.driver.listNew(s.row.cursor);
          await ingestPosts(store, Number(s.row.id), listed.posts, clock.now(), policy);
          if (listed.cursor !== s.row.cursor) {
            await store.db.updateTable('sources').set({ cursor: listed.cursor }).where('id', '=', s.row.id).execute();
            s.row = { ...s.row, cursor: listed.cursor };
          }
        } catch (err) {
          if (!(err instanceof TransientError) && !signal?.aborted) process.stderr.write(`watch: listing ${s.row.name} failed: ${(err as Error).message}\n`);
        }
        s.nextListAt = clock.now() + s.listEveryMs;
      }
      const due = await claimDue(store, { sourceIds, now: clock.now(), limit: opts.batch ?? 20, owner, leaseMs: opts.leaseMs ?? 5 * 60_000 });
      if (due.length) adjustScale(policy, clock.now() - due[0].nextCheckAt);
      for (const item of due) {
        if (stopped()) break;
        const s = live.get(item.sourceId)!;
        const start = clock.now();
        let result: CheckResult;
        capture?.begin();
        try {
          result = await s.driver.checkPost({ platformPostId: item.platformPostId, url: item.url, accountPlatformId: item.accountPlatformId });
        } catch (err) {
          // A check cut short by the stop says nothing about the post: leave it for the next run.
          if (signal?.aborted) break;
          result = err instanceof TransientError
            ? { outcome: 'transient', httpStatus: err.httpStatus, errorCode: err.code, detail: { message: err.message } }
            : { outcome: 'unknown', httpStatus: null, errorCode: err instanceof BlockedAddressError ? err.code : 'error', detail: { message: (err as Error).message } };
        }
        const end = clock.now();
        const exchanges = capture?.take() ?? [];
        const recorded = await recordCheck(store, item, result, end, policy);
        await capture?.archiveCheck(item, recorded, exchanges);
        checkTimes.push(end);
        opts.onCheck?.({ postId: item.postId, owner, start, end, outcome: result.outcome });
      }
      // Leases of items not reached before stopping are released so another watcher takes them.
      if (stopped() && due.length) {
        await store.db.updateTable('watch_schedule').set({ lease_owner: null, lease_until: null })
          .where('lease_owner', '=', owner).where('post_id', 'in', due.map((d) => d.postId)).execute();
      }
      const captured = sites && !stopped() ? await sites.runDue(stopped) : 0;
      if (captured) startDelivery();
      await progress();
      if (!due.length && !captured && !stopped()) {
        const nextCheck = (await nextDue(store, sourceIds)) ?? Infinity;
        const nextList = Math.min(...[...live.values()].map((s) => s.nextListAt));
        const nextSite = (await sites?.nextDue()) ?? Infinity;
        const wait = Math.min(nextCheck, nextList, nextSite) - clock.now();
        // Cap the nap (2 s of wall time) so aborts, the duration and other watchers' released leases are noticed.
        const cap = follow ? 2000 * follow.clock.rate : opts.clock ? 60_000 : 2000;
        await clock.sleep(Math.max(1, Math.min(wait, cap)), signal);
      }
    }
    await capture?.flush();
    await progress(true);
  }
}
