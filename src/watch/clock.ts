/**
 * Time for the watcher and the simulated platform. The watcher never calls Date.now() directly:
 * a real clock in production, an accelerated clock that follows the simulator's time when it
 * watches `censorscope sim --speed X`, and a virtual clock in tests and benchmarks, where both
 * sides share one clock and a simulated day runs as fast as the CPU allows, deterministically.
 */
import { setTimeout as delay } from 'node:timers/promises';

export interface Clock {
  /** Current time, epoch ms. */
  now(): number;
  /** Waits `ms` of this clock's time (resolves early, without throwing, when `signal` aborts). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** True for discrete time (sleeping advances it at once): only one actor may wait on it at a time. */
  readonly discrete?: boolean;
}

/** Wall-clock time. */
export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) => delay(Math.max(0, ms), undefined, { signal }).catch(() => undefined),
};

/** Time that runs `speed` times faster than the wall clock, starting at `start`. */
export class AcceleratedClock implements Clock {
  private readonly realStart = Date.now();
  constructor(private start: number, private speed: number) {}
  now(): number {
    return Math.floor(this.start + (Date.now() - this.realStart) * this.speed);
  }
  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return realClock.sleep(ms / this.speed, signal);
  }
  /** Simulated ms per wall ms. */
  get rate(): number {
    return this.speed;
  }
  /** Re-anchors on a time read from elsewhere (the simulator's header), keeping the speed. */
  sync(at: number, speed: number): void {
    this.start = at - (Date.now() - this.realStart) * speed;
    this.speed = speed;
  }
}

/**
 * Discrete time for single-process simulations: sleeping advances the clock at once. Only
 * meaningful when one logical actor (the watcher) waits at a time, which the watch loop
 * guarantees: it is strictly sequential.
 */
export class VirtualClock implements Clock {
  readonly discrete = true;
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  async sleep(ms: number): Promise<void> {
    if (ms > 0) this.t += Math.ceil(ms);
    // Yield so I/O callbacks (the simulated server's answers) can run.
    await new Promise<void>((r) => setImmediate(r));
  }
}

/** The header a simulated platform uses to tell clients its time (epoch ms) and speed. */
export const SIM_TIME_HEADER = 'x-sim-time';
export const SIM_SPEED_HEADER = 'x-sim-speed';
