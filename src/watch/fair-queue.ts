/**
 * The work a watcher has taken on but not started, one line per source, served round-robin:
 * a source with a thousand due posts gets its turn like one with three, so a busy source never
 * starves the others. A source is skipped while it has `perSource` tasks in flight or its budget
 * is full (`readyAt` in the future), so no source can fill the process's concurrency with work
 * that would only sit waiting for its budget.
 */

/** One unit of work of a source: a listing or a check. */
export interface Task {
  sourceId: number;
}

export class FairQueue<T extends Task> {
  private readonly lines = new Map<number, T[]>();
  private readonly running = new Map<number, number>();
  private order: number[] = [];
  private turn = 0;
  private total = 0;

  constructor(private readonly perSource: number) {}

  /** Tasks waiting to start. */
  get size(): number {
    return this.total;
  }

  /** Tasks waiting for `sourceId`. */
  waiting(sourceId: number): number {
    return this.lines.get(sourceId)?.length ?? 0;
  }

  /** Tasks of `sourceId` started and not yet done. */
  inFlight(sourceId: number): number {
    return this.running.get(sourceId) ?? 0;
  }

  /** Queues tasks at the back of their source's line (or the front, for listings that should go first). */
  add(tasks: T[], front = false): void {
    for (const t of front ? [...tasks].reverse() : tasks) {
      let line = this.lines.get(t.sourceId);
      if (!line) {
        line = [];
        this.lines.set(t.sourceId, line);
        this.order.push(t.sourceId);
      }
      if (front) line.unshift(t);
      else line.push(t);
      this.total++;
    }
  }

  /** The next task to start, taking turns between sources that may start one now; null when none may. */
  next(ready: (sourceId: number) => boolean): T | null {
    for (let i = 0; i < this.order.length; i++) {
      const at = (this.turn + i) % this.order.length;
      const id = this.order[at];
      const line = this.lines.get(id)!;
      if (!line.length || this.inFlight(id) >= this.perSource || !ready(id)) continue;
      this.turn = at + 1;
      this.total--;
      this.running.set(id, this.inFlight(id) + 1);
      return line.shift()!;
    }
    return null;
  }

  /** Marks a started task done. */
  done(t: T): void {
    this.running.set(t.sourceId, this.inFlight(t.sourceId) - 1);
  }

  /** Removes and returns every waiting task (on stop, so their leases can be released). */
  drain(): T[] {
    const all = [...this.lines.values()].flat();
    this.lines.clear();
    this.order = [];
    this.turn = 0;
    this.total = 0;
    return all;
  }
}
