/**
 * The watch loop: lists each source for new posts on its own rhythm, claims due checks from the
 * persisted schedule, checks them within each source's request budget and records the outcome.
 * Many checks run at once (`concurrency`), sources taking turns (src/watch/fair-queue.ts), at
 * most `perHost` connections to one host (src/net/host-slots.ts), each source within its budget
 * (requests in flight counted), and finished checks are recorded in batched transactions
 * (src/watch/recorder.ts). With a VirtualClock shared with a simulator the loop runs one check at
 * a time, exactly as the sequential watcher did, so runs stay deterministic. Several watchers on
 * PostgreSQL share the budgets and never check one post at the same time.
 */
import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import type { Store } from '../store/open.ts';
import type { Source } from '../store/schema.ts';
import { AcceleratedClock, realClock, type Clock } from './clock.ts';
import { HttpClient, RequestBudget, TransientError, type Budget } from '../collect/sources/http.ts';
import { SharedBudget } from './shared-budget.ts';
import { commonConfig, createDriver } from '../collect/sources/registry.ts';
import { listSources } from '../collect/sources/add.ts';
import type { CheckResult, SourceDriver } from '../collect/sources/source.ts';
import { claimDue, nextDue, type Claimed } from './queue.ts';
import { FairQueue } from './fair-queue.ts';
import { CheckRecorder } from './recorder.ts';
import { HostSlots } from '../net/host-slots.ts';
import type { HttpExchange } from '../archive/types.ts';
import { ingestPosts } from './ingest.ts';
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
  /** Most posts claimed at once per source (default 20). */
  batch?: number;
  /**
   * Requests in flight at once in this process (`watch --concurrency`; default 16, and 1 with a
   * VirtualClock, whose time only stays deterministic with one actor).
   */
  concurrency?: number;
  /** Connections open to one host at once (`watch --per-host`; default 4). */
  perHost?: number;
  /** Checks recorded per transaction at most (default 50). */
  recordBatch?: number;
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
  /** A listing of this source is queued or running. */
  listing: boolean;
}

/** What the loop runs: a source's listing or the check of a claimed post. */
type Work = { kind: 'list'; sourceId: number; source: Live } | { kind: 'check'; sourceId: number; item: Claimed };

/** Default requests in flight per process, and connections per host. */
export const DEFAULT_CONCURRENCY = 16;
export const DEFAULT_PER_HOST = 4;

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
  // Every request in flight, retry backoff and budget wait listens on it: many at once are expected.
  setMaxListeners(0, stop.signal);
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
  // Discrete time (a VirtualClock, or a simulator's clock wrapping one) advances whenever someone
  // sleeps on it, so only one task may be under way at a time.
  const virtual = clock.discrete === true;
  // Following a simulator at many times real speed (`--sim-clock`), one check at a time unless
  // --concurrency says otherwise: CI once saw a 4 s watch of a 1440x simulator record no
  // disappearance with many in flight, and on a loaded machine the concurrent loop listed posts
  // but checked almost none (not yet understood); the sequential order is the one tested there.
  const concurrency = opts.concurrency ?? (virtual || follow ? 1 : DEFAULT_CONCURRENCY);
  const perSource = opts.perHost ?? DEFAULT_PER_HOST;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new UserError(`--concurrency must be a whole number of at least 1, not ${concurrency}.`);
  if (virtual && concurrency > 1) throw new Error('A VirtualClock stays deterministic only with one check at a time; use concurrency 1 with it.');
  const hostSlots = new HostSlots(perSource);
  const recordBatch = concurrency === 1 ? 1 : opts.recordBatch ?? 50;
  const leaseMs = opts.leaseMs ?? 5 * 60_000;
  const rows = (await listSources(store)).filter((s) => s.enabled && (!opts.sourceIds || opts.sourceIds.includes(Number(s.id))));
  const live = new Map<number, Live>();
  // Following a simulator's clock, times mean nothing until its first answer: one task at a time till then.
  let synced = !follow;
  for (const row of rows) {
    const common = commonConfig(row);
    const budget = budgetFor(store, Number(row.id), opts.budgetPerMinute ?? common.budgetPerMinute, clock);
    opts.budgets?.set(Number(row.id), budget);
    const simClock = follow ? { origin: follow.origin, sync: (at: number, speed: number) => { follow.clock.sync(at, speed); synced = true; } } : undefined;
    // A source's own configured URLs may be internal (the operator chose them); what its posts
    // link to or redirect to may not, unless --allow-private.
    const policy = { allowPrivate: opts.allowPrivate === true, allowOrigins: configOrigins(JSON.parse(row.config)) };
    const http = new HttpClient({ budget, clock, signal, simClock, policy, timeoutMs: common.timeoutMs, onExchange: capture?.onExchange, hostSlots });
    live.set(Number(row.id), { row, driver: createDriver(row, http, clock), budget, listEveryMs: common.listEveryMs, nextListAt: 0, listing: false });
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

    const recorder = new CheckRecorder(store, {
      policy, capture, maxBatch: recordBatch, maxWaitMs: 250,
      onRecorded: (c) => {
        checkTimes.push(c.at);
        opts.onCheck?.({ postId: c.item.postId, owner, start: c.start, end: c.at, outcome: c.result.outcome });
      },
    });
    const queue = new FairQueue<Work>(perSource);
    const running = new Set<Promise<void>>();
    /** Posts claimed and not recorded: started, waiting, or cut short by the stop. */
    const abandoned: number[] = [];
    const ready = (id: number) => (live.get(id)?.budget.readyAt?.() ?? 0) <= clock.now();
    let wake: () => void = () => undefined;
    let woke = false;
    let lag = -Infinity;
    let sinceJudged = 0;
    const start = (w: Work) => {
      const p = runWork(w).finally(() => {
        queue.done(w);
        running.delete(p);
        woke = true;
        wake();
      });
      running.add(p);
    };
    // Many checks at once: tracked sites are visited beside them, one round at a time, never
    // holding the checks up. One check at a time: between rounds, as the sequential watcher did.
    let sitesRound: Promise<void> | null = null;
    let nextSiteAt = 0;
    const visitSites = async (): Promise<number> => {
      const n = await sites!.runDue(stopped);
      if (n) startDelivery();
      else nextSiteAt = (await sites!.nextDue()) ?? clock.now() + 60_000;
      return n;
    };

    /** Lists a source for new posts (one listing of a source at a time). */
    const listSource = async (s: Live) => {
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
      s.listing = false;
    };

    /** Checks one claimed post and hands the outcome to the recorder. */
    const checkPost = async (item: Claimed) => {
      const s = live.get(item.sourceId)!;
      const begin = clock.now();
      const exchanges: HttpExchange[] = [];
      let result: CheckResult;
      try {
        const run = () => s.driver.checkPost({ platformPostId: item.platformPostId, url: item.url, accountPlatformId: item.accountPlatformId });
        result = capture ? await capture.gather(exchanges, run) : await run();
      } catch (err) {
        // A check cut short by the stop says nothing about the post: leave it for the next run.
        if (signal?.aborted) {
          abandoned.push(item.postId);
          return;
        }
        result = err instanceof TransientError
          ? { outcome: 'transient', httpStatus: err.httpStatus, errorCode: err.code, detail: { message: err.message } }
          : { outcome: 'unknown', httpStatus: null, errorCode: err instanceof BlockedAddressError ? err.code : 'error', detail: { message: (err as Error).message } };
      }
      recorder.add({ item, result, at: clock.now(), start: begin, exchanges });
    };
    const runWork = (w: Work) => (w.kind === 'list' ? listSource(w.source) : checkPost(w.item));

    while (!stopped()) {
      if (single && Date.now() - heartbeat > 5000) {
        heartbeat = Date.now();
        await holdSingleWatcher(store, owner);
      }
      let captured = 0;
      if (sites && concurrency === 1 && !running.size && !queue.size && !stopped()) {
        await recorder.flush();
        captured = await visitSites();
      } else if (sites && concurrency > 1 && !sitesRound && clock.now() >= nextSiteAt && !stopped()) {
        sitesRound = visitSites().then(() => undefined, (err: Error) => {
          process.stderr.write(`watch: visiting tracked sites failed: ${err.message}\n`);
          nextSiteAt = clock.now() + 60_000;
        }).finally(() => { sitesRound = null; });
      }
      // Listings go to the front of their source's line: new posts are what the checks feed on.
      for (const s of live.values()) {
        if (s.listing || clock.now() < s.nextListAt || stopped()) continue;
        s.listing = true;
        queue.add([{ kind: 'list', sourceId: Number(s.row.id), source: s }], true);
      }
      // Claim more when the lines run short: per source up to what it may have in flight and
      // waiting, and none for a source whose budget is full (its claims would only hold leases).
      let claimed: Claimed[] = [];
      if (!stopped() && queue.size + running.size < concurrency * 2) {
        if (concurrency === 1) {
          // One check at a time: exactly the order of the sequential watcher (most overdue first).
          if (!queue.size && !running.size) claimed = await claimDue(store, { sourceIds, now: clock.now(), limit: opts.batch ?? 20, owner, leaseMs });
        } else {
          const shares = new Map<number, number>();
          for (const id of sourceIds) {
            const want = Math.min(opts.batch ?? 20, perSource * 2) - queue.waiting(id) - queue.inFlight(id);
            if (want > 0 && ready(id)) shares.set(id, want);
          }
          if (shares.size) claimed = await claimDue(store, { sourceIds, now: clock.now(), limit: 0, owner, leaseMs, perSource: shares });
        }
        if (claimed.length) {
          // The slow-down rule is judged once per `batch` claimed (claims are small and frequent
          // with many checks in flight), on the most overdue post since the last judgement.
          lag = Math.max(lag, clock.now() - Math.min(...claimed.map((c) => c.nextCheckAt)));
          sinceJudged += claimed.length;
          if (concurrency === 1 || sinceJudged >= (opts.batch ?? 20)) {
            adjustScale(policy, lag);
            lag = -Infinity;
            sinceJudged = 0;
          }
          queue.add(claimed.map((item) => ({ kind: 'check' as const, sourceId: item.sourceId, item })));
        }
      }
      // Start what may start: within the process's concurrency, taking turns between sources.
      const limit = synced ? concurrency : 1;
      for (let w: Work | null; !stopped() && running.size < limit && (w = queue.next(ready)); ) start(w);
      if (recorder.due() || (recorder.pending && !running.size)) await recorder.flush();
      await progress();
      if (stopped() || captured) continue;
      if (running.size) {
        // Wait for a task to end (or a batch to fall due) before looking again.
        if (woke) {
          woke = false;
          continue;
        }
        const ended = new Promise<void>((r) => { wake = r; });
        const due = recorder.msUntilDue();
        await (Number.isFinite(due) ? Promise.race([ended, realClock.sleep(due, signal)]) : ended);
        continue;
      }
      if (!claimed.length && !queue.size) {
        const nextCheck = (await nextDue(store, sourceIds)) ?? Infinity;
        const nextList = Math.min(...[...live.values()].map((s) => s.nextListAt));
        // A site round running beside the checks wakes the loop when it ends; till then its sites are leased.
        const round = sitesRound;
        const nextSite = !sites || round ? Infinity : concurrency > 1 ? nextSiteAt : (await sites.nextDue()) ?? Infinity;
        const wait = Math.min(nextCheck, nextList, nextSite) - clock.now();
        // Cap the nap (2 s of wall time) so aborts, the duration and other watchers' released leases are noticed.
        const cap = follow ? 2000 * follow.clock.rate : opts.clock ? 60_000 : 2000;
        const nap = clock.sleep(Math.max(1, Math.min(wait, cap)), signal);
        await (round ? Promise.race([nap, round]) : nap);
      } else if (queue.size) {
        // Work waits only for full budgets: sleep until the first may take a request again.
        const until = Math.min(...sourceIds.filter((id) => queue.waiting(id)).map((id) => live.get(id)?.budget.readyAt?.() ?? 0));
        await clock.sleep(Math.max(1, until - clock.now()), signal);
      }
    }
    // Stopping: nothing new starts; what is in flight ends (or is cut short by the stop), what
    // finished is recorded, and leases of everything not recorded go back for the next watcher.
    while (running.size) await Promise.race(running);
    await sitesRound;
    await recorder.flush();
    for (const w of queue.drain()) if (w.kind === 'check') abandoned.push(w.item.postId);
    if (abandoned.length) {
      await store.db.updateTable('watch_schedule').set({ lease_owner: null, lease_until: null })
        .where('lease_owner', '=', owner).where('post_id', 'in', abandoned).execute();
    }
    await capture?.flush();
    await progress(true);
  }
}
