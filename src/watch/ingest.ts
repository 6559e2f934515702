/** Stores newly listed posts (through the store's bulk writer) and puts them on the revisit schedule. */
import type { Store } from '../store/open.ts';
import type { PostRecord } from '../store/bulk.ts';
import { schedulePosts } from './queue.ts';
import { addVersion } from './record.ts';
import type { SchedulePolicy } from './policy.ts';

/**
 * Writes posts of a source and schedules every listed post not yet on the schedule; returns how
 * many were new. Posts already stored are looked up too: a run stopped between the write and the
 * schedule left them unscheduled, and the next listing must not skip them for being old.
 */
export async function ingestPosts(store: Store, sourceId: number, posts: PostRecord[], now: number, policy: SchedulePolicy): Promise<number> {
  if (!posts.length) return 0;
  const { inserted } = await store.bulkWriter().writePosts(sourceId, posts, now);
  const created = new Map(posts.map((p) => [p.platformPostId, p.createdAt]));
  const rows: Array<{ postId: number; sourceId: number; postedAt: number }> = [];
  const ids = [...created.keys()];
  for (let i = 0; i < ids.length; i += 500) {
    const found = await store.db.selectFrom('posts as p').leftJoin('watch_schedule as w', 'w.post_id', 'p.id')
      .select(['p.id', 'p.platform_post_id', 'p.text', 'p.first_seen']).where('p.source_id', '=', sourceId)
      .where('p.platform_post_id', 'in', ids.slice(i, i + 500)).where('w.post_id', 'is', null).execute();
    for (const f of found) {
      rows.push({ postId: Number(f.id), sourceId, postedAt: Math.min(now, created.get(f.platform_post_id) ?? Number(f.first_seen)) });
      await addVersion(store.db, Number(f.id), now, f.text);
    }
  }
  await schedulePosts(store, policy, now, rows);
  return inserted;
}
