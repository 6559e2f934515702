/**
 * Builds (or reuses) a bench store: a synthetic data set of `posts` posts with planted campaigns,
 * generated streaming and loaded into SQLite under `dir`, with its truth file beside it. A
 * "ready" marker makes a finished store reusable across runs (10M posts take minutes to load).
 * Run alone: node --import tsx bench/coordination/prepare.ts <posts> <dir>
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { openStore } from '../../src/store/open.ts';
import { generateSynthetic } from '../../src/collect/synthetic/generate.ts';
import { loadSynthetic } from '../../src/collect/synthetic/load.ts';
import { loadCorpus } from '../../src/collect/synthetic/corpus.ts';

export interface BenchStore {
  db: string;
  truthFile: string;
  /** Seconds spent generating and loading (0 when reused). */
  loadSeconds: number;
}

/** The bench store for `posts` posts in `dir`, generated unless already there. */
export async function prepareStore(posts: number, dir: string, log = (s: string) => console.log(s)): Promise<BenchStore> {
  mkdirSync(dir, { recursive: true });
  const db = path.join(dir, 'bench.db');
  const truthFile = path.join(dir, 'truth.json');
  const ready = path.join(dir, 'ready');
  if (existsSync(ready) && existsSync(db) && existsSync(truthFile)) return { db, truthFile, loadSeconds: 0 };
  // A store left half-loaded by an interrupted run is started again, not appended to.
  for (const f of [db, `${db}-wal`, `${db}-shm`]) rmSync(f, { force: true });
  const data = generateSynthetic({ posts, seed: 20240101, windowSeconds: 3600, corpus: loadCorpus() });
  const t0 = performance.now();
  const store = await openStore({ db });
  let done = 0;
  let next = 1_000_000;
  await loadSynthetic(store, data, { name: 'bench', batchSize: 20000, onBatch: (n) => {
    done += n;
    if (done >= next) { log(`# loading ${posts}: ${done} posts`); next += 1_000_000; }
  } });
  await store.close();
  writeFileSync(truthFile, JSON.stringify(data.truth));
  writeFileSync(ready, '');
  return { db, truthFile, loadSeconds: (performance.now() - t0) / 1000 };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [n, dir] = process.argv.slice(2);
  const s = await prepareStore(Number(n), dir);
  console.log(JSON.stringify(s));
}
