/**
 * The HTTP client every live source uses: a strict request budget (never more than N requests
 * in any sliding minute), timeouts, retries with exponential backoff that honour Retry-After,
 * and transient failures (timeouts, connection errors, 5xx, 429) reported as such, never as
 * an answer about the post.
 */
import type { Clock } from '../../watch/clock.ts';
import { SIM_SPEED_HEADER, SIM_TIME_HEADER } from '../../watch/clock.ts';
import { BlockedAddressError, DEFAULT_MAX_BYTES, FetchError, safeFetch, TooLargeError, type AddressPolicy, type BodyCap } from '../../net/fetch.ts';
import type { HttpExchange } from '../../archive/types.ts';
import type { HostSlots } from '../../net/host-slots.ts';

/** Moves a request's count to its end (see Budget.take). */
export type Ended = () => void | Promise<void>;

/** What the HTTP client needs of a request budget. */
export interface Budget {
  readonly perMinute: number;
  /** Requests this process made within the budget, for tests and benchmarks. */
  used: number;
  /**
   * Waits until one more request fits the budget, then counts it. May return a function to call
   * once the request has finished: the request then counts from its end (it reached the server
   * between take and end), so no server-side window sees more than the budget.
   */
  take(signal?: AbortSignal): Promise<void | Ended>;
  /** Clock time before which a take would surely wait (0 when unknown); lets a dispatcher skip a full source. */
  readyAt?(): number;
}

/**
 * A budget that counts requests somewhere (this process, or the store for several watchers) and,
 * while its window is full, sleeps on the clock until there is room.
 */
export abstract class WindowBudget implements Budget {
  used = 0;
  constructor(readonly perMinute: number, protected readonly clock: Clock) {
    if (!(perMinute > 0)) throw new Error('A request budget must be a positive number of requests per minute.');
  }

  /** Clock time the last full window said to wait until. */
  protected fullUntil = 0;

  /**
   * Counts one request if it fits now (returns 0 and, optionally, the function that moves its
   * count to the request's end), else returns the ms to wait before trying again.
   */
  protected abstract tryTake(): number | [0, Ended] | Promise<number | [0, Ended]>;

  async take(signal?: AbortSignal): Promise<void | Ended> {
    for (;;) {
      const got = await this.tryTake();
      if (got === 0 || Array.isArray(got)) {
        this.used++;
        return Array.isArray(got) ? got[1] : undefined;
      }
      this.fullUntil = this.clock.now() + got;
      if (signal?.aborted) throw new Error('aborted');
      await this.clock.sleep(got, signal);
    }
  }

  readyAt(): number {
    return this.fullUntil;
  }
}

/**
 * At most `perMinute` requests in any 60 s window of the clock, counted in this process. A
 * request counts from the moment it is taken (so requests in flight count) and, once it ends,
 * from its end: the server saw it somewhere in between, so windows the server counts hold no
 * more than the budget either.
 */
export class RequestBudget extends WindowBudget {
  private readonly times: Array<{ at: number; open: boolean }> = [];

  protected tryTake(): number | [0, Ended] {
    const now = this.clock.now();
    // In-flight requests keep their slot; ended ones leave the window 60 s after their end.
    for (let i = this.times.length - 1; i >= 0; i--) if (!this.times[i].open && this.times[i].at <= now - 60_000) this.times.splice(i, 1);
    if (this.times.length < this.perMinute) {
      const slot = { at: now, open: true };
      this.times.push(slot);
      return [0, () => {
        if (!slot.open) return;
        slot.open = false;
        slot.at = Math.max(slot.at, this.clock.now());
      }];
    }
    // A slot in flight frees no sooner than 60 s from now (it will count from its end).
    return Math.min(...this.times.map((t) => (t.open ? now : t.at))) + 60_000 - now + 1;
  }
}

export interface HttpAnswer {
  status: number;
  headers: Headers;
  /** The body read as UTF-8. */
  body: string;
  /** The body's bytes, for callers that must decode it by its declared charset (feeds). */
  bytes: Uint8Array;
  /** Cut at the cap (only when the cap says `truncate`). */
  truncated: boolean;
}

export { TooLargeError };

/** A request that kept failing transiently; the post's fate is still unknown. */
export class TransientError extends Error {
  constructor(message: string, readonly httpStatus: number | null, readonly code: string) {
    super(message);
  }
}

export interface HttpClientOptions {
  budget: Budget;
  clock: Clock;
  /** Attempts per request, including the first (default 4). */
  attempts?: number;
  /** First backoff in clock ms (default 2000); doubles each retry. */
  backoffMs?: number;
  /** Longest wait honoured from Retry-After or backoff (default 5 min). */
  maxWaitMs?: number;
  /** Real-time timeout per attempt (default 10 s). */
  timeoutMs?: number;
  signal?: AbortSignal;
  /**
   * The simulator whose clock headers the watcher follows (`watch --sim-clock URL`). Headers from
   * any other origin are ignored: a hostile source must never set the watcher's clock.
   */
  simClock?: SimClockFollower;
  /**
   * Which addresses may be fetched (src/net): by default no internal address at all; the watcher
   * allows each source's own configured origins, and everything with `--allow-private`.
   */
  policy?: AddressPolicy;
  /**
   * Told of every answer a server gave (transient ones and those before a retry included), with
   * the request as sent, so the watcher can archive what a check rests on. It only watches: it
   * must not throw, and the client behaves the same with or without it.
   */
  onExchange?: (e: HttpExchange) => void;
  /** Politeness: connections per host shared by the clients of one watcher (src/net/host-slots.ts). */
  hostSlots?: HostSlots;
}

/** A clock that follows the simulator's x-sim-time headers, and the only origin trusted to send them. */
export interface SimClockFollower {
  origin: string;
  sync(at: number, speed: number): void;
}

/** Feeds the simulator's clock headers to `follower` when `finalUrl` is the simulator's own origin. */
export function followSimClock(follower: SimClockFollower | undefined, finalUrl: string, headers: Headers): void {
  if (!follower) return;
  const simTime = headers.get(SIM_TIME_HEADER);
  if (!simTime) return;
  let origin: string;
  try {
    origin = new URL(finalUrl).origin;
  } catch {
    return;
  }
  if (origin !== follower.origin) return;
  const at = Number(simTime);
  const speed = Number(headers.get(SIM_SPEED_HEADER) ?? 1);
  if (Number.isFinite(at) && Number.isFinite(speed) && speed > 0) follower.sync(at, speed);
}

/** True for answers that say "try later" rather than anything about the resource. */
export function isTransientStatus(status: number): boolean {
  return status === 429 || status === 408 || (status >= 500 && status !== 501);
}

/** Parses Retry-After (seconds or HTTP date) into clock ms, or null. */
export function retryAfterMs(value: string | null, now: number): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** What the watcher calls itself on every request (and what archived request records show). */
export const USER_AGENT = 'censorscope-watch/0.1 (+research; deletion observatory)';

export class HttpClient {
  constructor(private readonly o: HttpClientOptions) {}

  get budget(): Budget {
    return this.o.budget;
  }

  /**
   * GETs `url` within the budget, retrying transient failures; throws TransientError when they
   * persist, TooLargeError past the cap (bytes, or a BODY_CAPS entry; default 32 MiB),
   * BlockedAddressError for a URL the address policy refuses.
   */
  async get(url: string, accept = 'application/json', cap: number | BodyCap = DEFAULT_MAX_BYTES): Promise<HttpAnswer> {
    const { maxBytes, truncate } = typeof cap === 'number' ? { maxBytes: cap, truncate: false } : cap;
    const attempts = this.o.attempts ?? 4;
    let backoff = this.o.backoffMs ?? 2000;
    const maxWait = this.o.maxWaitMs ?? 300_000;
    let last: TransientError = new TransientError('no attempt made', null, 'none');
    for (let i = 0; i < attempts; i++) {
      const ended = await this.o.budget.take(this.o.signal);
      let wait = backoff;
      try {
        const at = this.o.clock.now();
        const headers = { accept, 'user-agent': USER_AGENT };
        const res = await safeFetch(url, {
          policy: this.o.policy ?? {},
          headers,
          timeoutMs: this.o.timeoutMs ?? 10_000,
          signal: this.o.signal,
          maxBytes,
          truncate,
          hostSlots: this.o.hostSlots,
        });
        await ended?.();
        const { bytes } = res;
        this.report({ at, method: 'GET', url: res.url, requestHeaders: { ...headers }, status: res.status, responseHeaders: res.headers, body: bytes, truncated: res.truncated });
        const body = new TextDecoder().decode(bytes);
        followSimClock(this.o.simClock, res.url, res.headers);
        if (!isTransientStatus(res.status)) return { status: res.status, headers: res.headers, body, bytes, truncated: res.truncated };
        last = new TransientError(`HTTP ${res.status} from ${url}`, res.status, res.status === 429 ? 'rate_limited' : 'server_error');
        wait = retryAfterMs(res.headers.get('retry-after'), this.o.clock.now()) ?? backoff;
      } catch (err) {
        // Refusals and oversized answers are facts about the URL; a stop is not worth a retry.
        await ended?.();
        if (err instanceof TooLargeError || err instanceof BlockedAddressError) throw err;
        const code = err instanceof FetchError ? err.code : 'network_error';
        last = new TransientError(err instanceof FetchError ? err.message : `${code} for ${url}: ${(err as Error).message}`, null, code);
        if (code === 'aborted') throw last;
      }
      if (i + 1 < attempts) await this.o.clock.sleep(Math.min(wait, maxWait), this.o.signal);
      backoff *= 2;
    }
    throw last;
  }

  /** Hands an answer to the exchange hook; a failing hook is reported, never taken for a failed fetch. */
  private report(e: HttpExchange): void {
    if (!this.o.onExchange) return;
    try {
      this.o.onExchange(e);
    } catch (err) {
      process.stderr.write(`watch: the exchange hook failed on ${e.url}: ${(err as Error).message}\n`);
    }
  }
}
