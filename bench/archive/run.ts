/**
 * Web archive benchmark: what archiving costs per capture. A 60 kB news-like page (pseudo-random
 * text, so gzip cannot flatter it) is captured N times into a fresh SQLite store and archive:
 *   changing   every capture differs (a news front page): a full response each time
 *   unchanged  every capture repeats the first payload: revisit records only
 * Reported: captures per second (each with its fsync and index insert), archive bytes per capture,
 * and the WACZ export and validation time of the whole archive.
 * Targets: an unchanged capture costs under 2 kB (deduplication works); at least 600 captures per
 * minute (ten times a watcher revisiting 60 sites every minute).
 * Run: node --import tsx bench/archive/run.ts   (BENCH_QUICK=1: 100 captures per case)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { openStore } from '../../src/store/open.ts';
import { openArchive, archiveBytes } from '../../src/archive/index.ts';
import { exportWacz } from '../../src/archive/wacz.ts';
import { validateWacz } from '../../src/archive/wacz-validate.ts';
import { reportTargets, type TargetRow } from '../targets.ts';

const N = process.env.BENCH_QUICK === '1' ? 100 : 400;
const WORDS = ['government', 'notice', 'market', 'weather', 'province', 'report', 'city', 'school', 'police', 'river', 'price', 'train'];

/** A page of ~60 kB whose text depends on `seed`. */
function page(seed: number): Uint8Array {
  const parts = ['<!doctype html><html><head><title>News</title></head><body>'];
  let h = createHash('sha256').update(String(seed)).digest();
  for (let i = 0; parts.join('').length < 60_000; i++) {
    if (i % 32 === 0) h = createHash('sha256').update(h).digest();
    parts.push(`<p>${WORDS[h[i % 32]! % WORDS.length]} ${h.readUInt32BE((i % 7) * 4)} ${WORDS[h[(i + 5) % 32]! % WORDS.length]}</p>`);
  }
  parts.push('</body></html>');
  return new TextEncoder().encode(parts.join(''));
}

const rows: TargetRow[] = [];
for (const kase of ['changing', 'unchanged'] as const) {
  const dir = mkdtempSync(path.join(tmpdir(), 'censorscope-bench-archive-'));
  try {
    const store = await openStore({ db: path.join(dir, 'bench.db') });
    const archiveDir = path.join(dir, 'archive');
    const archive = await openArchive(store, { dir: archiveDir });
    const site = await store.db.insertInto('tracked_sites').values({
      url: 'http://news.bench.test/', name: null, every_ms: 60_000, webhook: null, category: null, enabled: 1, added_at: 0,
      next_check_at: 0, lease_owner: null, lease_until: null, state: null, state_since: null, last_capture_id: null,
    }).returning('id').executeTakeFirstOrThrow();
    const bodies = Array.from({ length: N }, (_, i) => page(kase === 'changing' ? i : 0));
    const before = archiveBytes(archiveDir);
    const t0 = performance.now();
    for (let i = 0; i < N; i++) {
      await archive.record({
        at: Date.UTC(2026, 0, 1) + i * 60_000, method: 'GET', url: 'http://news.bench.test/', requestHeaders: { 'user-agent': 'censorscope' },
        status: 200, responseHeaders: new Headers({ 'content-type': 'text/html; charset=utf-8', 'content-length': String(bodies[i]!.length) }),
        body: bodies[i]!, truncated: false,
      }, { subject: 'site', subjectId: Number(site.id) });
    }
    const secs = (performance.now() - t0) / 1000;
    await archive.close();
    const bytes = archiveBytes(archiveDir) - before;
    const perMinute = (N / secs) * 60;
    const t1 = performance.now();
    const out = path.join(dir, 'all.wacz');
    await exportWacz(store, { dir: archiveDir }, { all: true }, out);
    const exportMs = performance.now() - t1;
    const t2 = performance.now();
    const { problems } = await validateWacz(out);
    const validateMs = performance.now() - t2;
    await store.close();
    console.log(`${kase.padEnd(9)}  ${N} captures in ${secs.toFixed(1)} s (${Math.round(perMinute)}/min), ${Math.round(bytes / N)} archive bytes per capture` +
      ` (page ${bodies[0]!.length} bytes); WACZ export ${Math.round(exportMs)} ms, validation ${Math.round(validateMs)} ms, ${problems.length} problems`);
    rows.push({ measure: `${kase}: captures per minute`, value: String(Math.round(perMinute)), target: '≥ 600', met: perMinute >= 600 });
    rows.push({
      measure: `${kase}: archive bytes per capture`, value: String(Math.round(bytes / N)),
      ...(kase === 'unchanged' ? { target: '< 2000', met: bytes / N < 2000 } : { met: null }),
    });
    rows.push({ measure: `${kase}: exported WACZ validates`, value: problems.length ? problems[0]! : 'yes', target: 'yes', met: problems.length === 0 });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
reportTargets('archive', rows);
