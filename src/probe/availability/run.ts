/**
 * Probing a list of URLs: bounded concurrency, each measurement written as a JSONL line and
 * stored, and (when tracking a list) one availability row per site per round; `every` repeats
 * the round until the signal aborts.
 */
import { appendFileSync } from 'node:fs';
import type { Store } from '../../store/open.ts';
import { measureUrl, type ProbeOptions } from '../measure.ts';
import { toOoni, type EnvelopeContext, type OoniEnvelope } from '../ooni/format.ts';
import { saveAvailability, saveMeasurement } from '../store.ts';
import type { ListEntry } from './test-list.ts';

export interface RunOptions extends ProbeOptions, EnvelopeContext {
  concurrency?: number;
  outFile?: string;
  /** Set when tracking a list: the name availability rows are filed under. */
  listName?: string;
  everyMs?: number;
  signal?: AbortSignal;
  onMeasurement?: (m: OoniEnvelope) => void;
}

export interface RoundSummary {
  round: number;
  measured: number;
  verdicts: Record<string, number>;
  seconds: number;
}

/** Runs one round over `entries`; returns the OONI measurements in input order. */
export async function probeRound(store: Store | null, entries: ListEntry[], opts: RunOptions): Promise<OoniEnvelope[]> {
  const out: OoniEnvelope[] = new Array(entries.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < entries.length && !opts.signal?.aborted) {
      const i = next++;
      const e = entries[i];
      const raw = await measureUrl(e.url, opts);
      const m = toOoni(raw, opts);
      out[i] = m;
      const line = JSON.stringify(m);
      if (opts.outFile) appendFileSync(opts.outFile, line + '\n');
      if (store) {
        const saved = await saveMeasurement(store, m, 'probe', line);
        if (opts.listName) {
          await saveAvailability(store, {
            site: e.url, listName: opts.listName, categoryCode: e.category_code, checkedAt: raw.startedAt.getTime(),
            state: raw.analysis.x_verdict, how: raw.analysis.x_blocked_how, measurementId: saved.id,
          });
        }
      }
      opts.onMeasurement?.(m);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 8, entries.length)) }, worker));
  return out.filter(Boolean);
}

/** Repeats rounds every `everyMs` until aborted (or once when everyMs is unset). */
export async function trackList(store: Store | null, entries: ListEntry[], opts: RunOptions, onRound?: (s: RoundSummary) => void): Promise<OoniEnvelope[]> {
  let last: OoniEnvelope[] = [];
  for (let round = 1; ; round++) {
    const t0 = Date.now();
    last = await probeRound(store, entries, opts);
    const verdicts: Record<string, number> = {};
    for (const m of last) {
      const v = String((m.test_keys as { x_verdict?: string }).x_verdict ?? 'unknown');
      verdicts[v] = (verdicts[v] ?? 0) + 1;
    }
    onRound?.({ round, measured: last.length, verdicts, seconds: (Date.now() - t0) / 1000 });
    if (!opts.everyMs || opts.signal?.aborted) return last;
    const wait = Math.max(0, t0 + opts.everyMs - Date.now());
    const stopped = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), wait);
      opts.signal?.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(true);
      }, { once: true });
    });
    if (stopped) return last;
  }
}
