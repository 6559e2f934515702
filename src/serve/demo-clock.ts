/**
 * The demo's simulated clock. It starts in the past and runs `speed` times faster than the wall
 * clock until it reaches the present, then keeps the wall clock's pace: the demo fills a week of
 * history in minutes, and no post, check or disappearance it shows is ever dated in the future.
 */
import { realClock, type Clock } from '../watch/clock.ts';

/** Accelerated time that never runs ahead of the wall clock. */
export class CatchUpClock implements Clock {
  private readonly realStart: number;

  /** `start`: the simulated time now; `wall`: the wall clock (tests pass their own). */
  constructor(private readonly start: number, private readonly speed: number, private readonly wall: () => number = Date.now) {
    if (!(speed >= 1)) throw new Error(`The demo clock's speed must be at least 1 (got ${speed}).`);
    this.realStart = wall();
  }

  /** Current simulated time, epoch ms: never later than the wall clock. */
  now(): number {
    const real = this.wall();
    return Math.floor(Math.min(real, this.accelerated(real)));
  }

  /** Simulated ms per wall ms right now: `speed` while catching up, then 1 (the simulator sends it to the watcher). */
  get rate(): number {
    const real = this.wall();
    return this.accelerated(real) < real ? this.speed : 1;
  }

  private accelerated(real: number): number {
    return this.start + (real - this.realStart) * this.speed;
  }

  /** When the clock reaches the present (wall-clock epoch ms). */
  get caughtUpAt(): number {
    if (this.speed === 1) return this.start >= this.realStart ? this.realStart : Number.POSITIVE_INFINITY;
    return this.realStart + Math.max(0, this.realStart - this.start) / (this.speed - 1);
  }

  /** Wall ms it takes this clock to advance `ms`: fast until it catches up, then one for one. */
  realDuration(ms: number): number {
    const real = this.wall();
    const fastLeft = Math.max(0, this.caughtUpAt - real);
    if (fastLeft === Number.POSITIVE_INFINITY) return ms / this.speed;
    return ms <= fastLeft * this.speed ? ms / this.speed : fastLeft + (ms - fastLeft * this.speed);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return realClock.sleep(this.realDuration(Math.max(0, ms)), signal);
  }
}
