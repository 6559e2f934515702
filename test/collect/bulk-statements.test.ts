/**
 * The importers' write path takes posts many rows a statement (SQLite) when no versions are kept,
 * and one row a statement when they are. Both must sort rows into inserted, duplicates and
 * conflicts alike, whatever mix of new, repeated and changed ids a batch holds: the one-row path
 * (unchanged since before many-row statements) is the oracle.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { emptyPost } from '../../src/collect/formats/format.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import type { Store } from '../../src/store/open.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { mulberry32 } from '../../src/util/random.ts';

/** Batches of posts drawn from a small id space, so ids repeat within a batch, across batches, with and without changes. */
function batches(seed: number): PostRecord[][] {
  const r = mulberry32(seed);
  const out: PostRecord[][] = [];
  for (let b = 0; b < 6; b++) {
    const n = Math.floor(r() * 90) + (b === 0 ? 40 : 1);
    out.push(Array.from({ length: n }, () => {
      const id = Math.floor(r() * 120);
      // Mostly the id's own content; sometimes another text, time or account (a conflict).
      const changed = r() < 0.15;
      return Object.assign(emptyPost(`p${id}`, changed && r() < 0.5 ? `other ${id}` : `text ${id}`), {
        accountId: changed && r() < 0.5 ? `u${(id + 1) % 7}` : `u${id % 7}`,
        createdAt: changed && r() < 0.3 ? 2000 + id : 1000 + id,
      });
    }));
  }
  return out;
}

async function writeAll(store: Store, input: PostRecord[][], versions: boolean) {
  const src = await ensureSource(store, { name: 'batches', kind: 'import', platform: 'test' });
  const w = store.bulkWriter();
  const results = [];
  for (const batch of input) results.push(await w.writePosts(src.id, batch, 5000, { versions }));
  // Two batches in one transaction too, as imports do.
  const tx = w.begin(src.id, 6000, { versions });
  await tx.add((await import('../../src/store/bulk.ts')).toColumns(input[0]!));
  await tx.add((await import('../../src/store/bulk.ts')).toColumns(input[1]!));
  results.push(await tx.commit());
  const posts = await store.db.selectFrom('posts as p').leftJoin('accounts as a', 'a.id', 'p.account_id')
    .select(['p.platform_post_id', 'p.text', 'p.created_at', 'a.platform_account_id']).orderBy('p.platform_post_id').execute();
  return { results, posts };
}

for (const backend of backends()) {
  describe(`many-row and one-row writes agree [${backend.label}]`, () => {
    for (const seed of [1, 2, 3, 4, 5]) {
      it(`seed ${seed}`, async () => {
        const input = batches(seed);
        const a = await backend.open();
        const b = await backend.open();
        try {
          const many = await writeAll(a.store, input, false);
          const one = await writeAll(b.store, input, true);
          assert.ok(many.results.some((r) => r.duplicates > 0) && many.results.some((r) => r.conflicts.length > 0), 'the batches hold duplicates and conflicts');
          assert.deepEqual(many.results, one.results);
          assert.deepEqual(many.posts, one.posts);
        } finally {
          await a.cleanup();
          await b.cleanup();
        }
      });
    }
  });
}
