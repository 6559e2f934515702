/**
 * The site watch's part of the watch loop: each round it claims the due sites, visits them one at
 * a time within the `sites` budget, archives and classifies each answer and records the capture.
 * Sequential like the post checks (a VirtualClock stays deterministic); several watchers on
 * PostgreSQL share the work through the leases and the shared budget.
 */
import type { Store } from '../../store/open.ts';
import type { TrackedSite } from '../../store/schema.ts';
import type { Archive } from '../../archive/types.ts';
import type { Clock } from '../clock.ts';
import type { Budget } from '../../collect/sources/http.ts';
import type { SiteVerdict } from '../../detect/sites/types.ts';
import { classifyCapture, snapshotOf } from '../../detect/sites/classify.ts';
import { claimDueSites, countSites, nextSiteDue, releaseSites } from './claim.ts';
import { archiveVisit, fetchSite } from './capture.ts';
import { probeHintFor, recentCaptures, recordCapture } from './record.ts';
import { sitesSource } from './source.ts';

export interface SiteWatchOptions {
  clock: Clock;
  owner: string;
  signal?: AbortSignal;
  allowPrivate?: boolean;
  archive?: Archive;
  /** Budget factory (shared through the store on PostgreSQL); called once, when a site is first due. */
  budgetFor: (sourceId: number, perMinute: number) => Budget;
  /** Overrides the `sites` source's requests/minute. */
  budgetPerMinute?: number;
  batch?: number;
  leaseMs?: number;
  onCapture?: (e: { siteId: number; owner: string; start: number; end: number; verdict: SiteVerdict; changed: boolean }) => void;
}

/** Clock ms before looking again at sites left because their host was busy. */
const BUSY_RETRY_MS = 250;

/** One watcher's site visits. */
export class SiteWatch {
  /** Clock times of recent captures (progress: captures per minute). */
  readonly captureTimes: number[] = [];
  budget: Budget | null = null;
  private timeoutMs = 10_000;
  private warnedArchive = false;
  /** The last claim left due sites whose host another watcher is fetching. */
  private readonly busy = { hosts: false };

  constructor(private readonly store: Store, private readonly o: SiteWatchOptions) {}

  private async ensureBudget(): Promise<Budget> {
    if (this.budget) return this.budget;
    const src = await sitesSource(this.store);
    this.timeoutMs = src.timeoutMs;
    this.budget = this.o.budgetFor(src.id, this.o.budgetPerMinute ?? src.budgetPerMinute);
    return this.budget;
  }

  /** Visits the sites due now; returns how many were captured. */
  async runDue(stopped: () => boolean | undefined): Promise<number> {
    const { clock, owner } = this.o;
    this.busy.hosts = false;
    const due = await claimDueSites(this.store, { now: clock.now(), limit: this.o.batch ?? 10, owner, leaseMs: this.o.leaseMs ?? 5 * 60_000, busy: this.busy });
    if (!due.length) return 0;
    const budget = await this.ensureBudget();
    let done = 0;
    const left = new Set(due.map((d) => Number(d.id)));
    try {
      for (const site of due) {
        if (stopped()) break;
        let ended: void | (() => void | Promise<void>);
        try {
          ended = await budget.take(this.o.signal);
        } catch {
          break; // stopped while waiting for the budget
        }
        const visited = await this.visit(site).finally(async () => ended?.());
        if (visited) {
          left.delete(Number(site.id));
          done++;
        } else break;
      }
    } finally {
      // Sites not visited (stopping) go back at once, so another watcher takes them.
      await releaseSites(this.store, owner, [...left]);
    }
    return done;
  }

  /** One visit; false when the stop cut it short (nothing recorded). */
  private async visit(site: TrackedSite): Promise<boolean> {
    const { clock, owner } = this.o;
    const start = clock.now();
    const fetched = await fetchSite(site, { at: start, timeoutMs: this.timeoutMs, allowPrivate: this.o.allowPrivate === true, signal: this.o.signal });
    if (fetched.stopped) return false;
    const archived = await archiveVisit(this.o.archive, Number(site.id), fetched.outcome);
    if (archived.error && !this.warnedArchive) {
      this.warnedArchive = true;
      process.stderr.write(`watch: could not archive the answer of ${site.url} (${archived.error}); captures are recorded without their WARC record until the archive works again.\n`);
    }
    const snapshot = snapshotOf(fetched.outcome);
    const history = await recentCaptures(this.store, Number(site.id));
    const probe = await probeHintFor(this.store, site.url);
    const classification = classifyCapture({ outcome: fetched.outcome, snapshot }, history, probe, { intervalMs: Number(site.every_ms) });
    const end = clock.now();
    const rec = await recordCapture(this.store, site, {
      outcome: fetched.outcome, snapshot, classification, history, probe, digest: archived.digest, recordId: archived.recordId,
    }, end);
    this.captureTimes.push(end);
    this.o.onCapture?.({ siteId: Number(site.id), owner, start, end, verdict: rec.verdict, changed: rec.changed });
    return true;
  }

  /** When the next site is due (clock time), or null when none is tracked. */
  async nextDue(): Promise<number | null> {
    const now = this.o.clock.now();
    const next = await nextSiteDue(this.store, now);
    // Sites due on a host another watcher is fetching: look again shortly rather than at once.
    return this.busy.hosts && next != null ? Math.max(next, now + BUSY_RETRY_MS) : next;
  }

  /** Progress figures: tracked sites, captures in the last minute, sites per state. */
  async progress(): Promise<{ tracked: number; capturesPerMinute: number; states: Record<string, number> }> {
    const now = this.o.clock.now();
    while (this.captureTimes.length && this.captureTimes[0] <= now - 60_000) this.captureTimes.shift();
    const states = await this.store.db.selectFrom('tracked_sites').select(['state', (eb) => eb.fn.countAll().as('n')]).where('enabled', '=', 1).groupBy('state').execute();
    return {
      tracked: await countSites(this.store),
      capturesPerMinute: this.captureTimes.length,
      states: Object.fromEntries(states.map((s) => [s.state ?? 'new', Number(s.n)])),
    };
  }
}
