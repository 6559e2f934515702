/**
 * What bench/scale measures, one entry per stage: how to prepare its input (not timed) and the
 * CLI command to time. Other work changes these commands' speed, not their shape; to measure a
 * new flag (say `terms --workers 2`), change its `args` here.
 */
import { sql } from 'kysely';
import { ensureBenchFile } from '../import/make-file.ts';
import { generateSynthetic } from '../../src/collect/synthetic/generate.ts';
import { loadSynthetic } from '../../src/collect/synthetic/load.ts';
import type { BenchStore } from './stores.ts';

export interface PostStage {
  name: 'import' | 'coordination' | 'terms';
  /** Which store the stage runs on: a fresh empty one, or the shared synthetic store of this size. */
  input: 'empty' | 'synthetic';
  /** Prepares what the command needs (untimed); returns the command's arguments after the store's. */
  prepare(posts: number, say: (line: string) => void): Promise<string[]>;
}

/** Node flags for the CLI child: a large heap so that a memory-hungry stage is measured, not killed at V8's default. */
export const NODE_FLAGS = ['--max-old-space-size=16384'];

export const POST_STAGES: PostStage[] = [
  {
    name: 'import',
    input: 'empty',
    async prepare(posts, say) {
      const file = await ensureBenchFile(posts, say);
      return ['import', '--quiet', '--format', 'twitter-io', file];
    },
  },
  {
    name: 'coordination',
    input: 'synthetic',
    prepare: async () => ['coordination', '--quiet', '--window', '3600', '--similarity', '0.8', '--json'],
  },
  {
    name: 'terms',
    input: 'synthetic',
    prepare: async () => ['terms', '--json'],
  },
];

/** Share of the synthetic posts marked removed by the platform, so `terms` has removals to test (issue 16 measures it with them). */
const REMOVED_EVERY = 20;

/**
 * Fills `store` with `posts` synthetic posts (planted campaigns over organic background, the data
 * of bench/coordination) and marks every 20th removed_by_platform. Untimed: it is the input.
 */
export async function loadSyntheticStore(store: BenchStore, posts: number, say: (line: string) => void): Promise<void> {
  const db = await store.open();
  try {
    const data = generateSynthetic({ posts, seed: 20240101, windowSeconds: 3600 });
    let done = 0;
    let next = 0;
    await loadSynthetic(db, data, {
      name: 'scale', batchSize: 20_000,
      onBatch: (n) => {
        done += n;
        if (done >= next) { say(`  loading synthetic store: ${done.toLocaleString('en-US')} / ${posts.toLocaleString('en-US')}`); next += Math.max(1_000_000, posts / 10); }
      },
    });
    await sql`UPDATE posts SET status = 'removed_by_platform', status_changed_at = created_at WHERE id % ${REMOVED_EVERY} = 0`.execute(db.db);
  } finally {
    await db.close();
  }
}
