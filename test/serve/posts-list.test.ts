/**
 * The posts list's order and paging on both backends: newest created_at first, ties by id,
 * undated posts last, on a store whose ids do not follow time. Paging through every page of
 * every filter, at several page and scan-window sizes, must give exactly the filtered posts in
 * that order, once each. And the account filter takes a store id, a handle, a platform id or
 * the pseudonym the page shows, and says when nothing matches.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../helpers/stores.ts';
import { mulberry32 } from '../../src/util/random.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import type { PostRecord } from '../../src/store/bulk.ts';
import { POST_STATUSES, type PostStatus } from '../../src/store/schema.ts';
import { listPosts, type ListFilter } from '../../src/serve/api/posts-list.ts';
import { serveDb } from '../../src/serve/api/tables.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';

interface Row { id: number; created_at: number | null; source_id: number; account_id: number | null; status: string; text: string }

const T0 = Date.UTC(2026, 0, 1);

for (const b of backends()) {
  describe(`posts list order and paging [${b.label}]`, () => {
    let ts: TestStore;
    let all: Row[];
    let sources: number[];
    let server: RunningServer;

    before(async () => {
      ts = await b.open();
      const rand = mulberry32(11);
      sources = [];
      for (const name of ['one', 'two']) sources.push(Number((await ensureSource(ts.store, { name, kind: 'mastodon', platform: 'mastodon', config: {} })).id));
      const writer = ts.store.bulkWriter();
      for (const [si, sourceId] of sources.entries()) {
        // Shuffled times from few values (many ties), some undated: ids say nothing about time.
        const records: PostRecord[] = Array.from({ length: 160 }, (_, i) => {
          const acct = Math.floor(rand() * 6);
          return {
            platformPostId: `s${si}p${i}`, accountId: acct === 5 ? null : `${1000 + acct}`, accountHandle: acct === 5 ? null : `handle${acct}`, accountName: null,
            createdAt: rand() < 0.12 ? null : T0 + Math.floor(rand() * 40) * 60_000,
            text: `${rand() < 0.3 ? 'needle ' : ''}post ${si}/${i}`, language: null, url: null, replyToId: null, repostOfId: null,
            hashtags: null, urls: null, mentions: null, status: POST_STATUSES[Math.floor(rand() * POST_STATUSES.length)] as PostStatus,
            statusChangedAt: null, statusEvidence: null, extra: null,
          };
        });
        await writer.writePosts(sourceId, records, T0);
      }
      const rows = await ts.store.db.selectFrom('posts').select(['id', 'created_at', 'source_id', 'account_id', 'status', 'text']).execute();
      all = rows.map((r) => ({ id: Number(r.id), created_at: r.created_at == null ? null : Number(r.created_at), source_id: Number(r.source_id), account_id: r.account_id == null ? null : Number(r.account_id), status: r.status, text: r.text }));
      // The order the list must follow, computed independently of the store.
      all.sort((a, c) => (a.created_at === null) !== (c.created_at === null) ? (a.created_at === null ? 1 : -1) : (c.created_at ?? 0) - (a.created_at ?? 0) || c.id - a.id);
      server = await startServer(ts.store, { port: 0, rateLimit: { max: 100_000, timeWindowMs: 10_000 } });
    });
    after(async () => {
      await server?.close();
      await ts?.cleanup();
    });

    /** Every page of `f`, following `next` until it is null. */
    async function walk(f: Omit<ListFilter, 'limit' | 'before'>, limit: number, window?: number): Promise<number[]> {
      const db = serveDb(ts.store.db);
      const out: number[] = [];
      let before: number | undefined;
      for (let pages = 0; pages < 2000; pages++) {
        const page = await listPosts(db, { ...f, limit, before }, window);
        assert.ok(page.items.length <= limit);
        out.push(...page.items.map((p) => p.id));
        if (page.next === null) return out;
        before = page.next;
      }
      throw new Error('paging did not end');
    }

    it('orders by created_at then id, undated last, and pages every filter exactly', async () => {
      assert.ok(all.some((r) => r.created_at === null) && new Set(all.map((r) => r.created_at)).size < all.length, 'the fixture has undated posts and ties');
      const accounts = [...new Set(all.map((r) => r.account_id).filter((a): a is number => a !== null))];
      const cases: Array<[string, Omit<ListFilter, 'limit' | 'before'>, (r: Row) => boolean]> = [
        ['no filter', {}, () => true],
        ['status removed', { status: 'removed_by_platform' }, (r) => r.status === 'removed_by_platform'],
        ['status visible', { status: 'visible' }, (r) => r.status === 'visible'],
        ['text', { q: 'needle' }, (r) => r.text.includes('needle')],
        ['source', { source: sources[1] }, (r) => r.source_id === sources[1]],
        ['text and status', { q: 'needle', status: 'deleted' }, (r) => r.text.includes('needle') && r.status === 'deleted'],
        ['two accounts', { accounts: accounts.slice(0, 2) }, (r) => accounts.slice(0, 2).includes(r.account_id!)],
        ['time range', { from: T0 + 10 * 60_000, to: T0 + 30 * 60_000 }, (r) => r.created_at !== null && r.created_at >= T0 + 10 * 60_000 && r.created_at < T0 + 30 * 60_000],
        ['text in a time range', { q: 'needle', from: T0 + 5 * 60_000 }, (r) => r.text.includes('needle') && r.created_at !== null && r.created_at >= T0 + 5 * 60_000],
      ];
      for (const [name, f, keep] of cases) {
        const want = all.filter(keep).map((r) => r.id);
        assert.ok(want.length > 0, `${name}: the fixture has matching posts`);
        for (const [limit, window] of [[1, 1000], [7, 3], [7, 17], [50, 3], [50, 1000]] as const) {
          assert.deepEqual(await walk(f, limit, window), want, `${name}, ${limit} a page, window ${window}`);
        }
      }
    });

    it('pages the API the same way and refuses a cursor that names no post', async () => {
      const ids: number[] = [];
      let url = '/api/posts?limit=23';
      for (;;) {
        const body = await (await fetch(server.url + url)).json() as { items: Array<{ id: number }>; next: number | null };
        ids.push(...body.items.map((p) => p.id));
        if (body.next === null) break;
        url = `/api/posts?limit=23&before=${body.next}`;
      }
      assert.deepEqual(ids, all.map((r) => r.id));
      const res = await fetch(`${server.url}/api/posts?before=999999`);
      assert.equal(res.status, 400);
      const err = await res.json() as { error: { param: string; message: string } };
      assert.equal(err.error.param, 'before');
      assert.match(err.error.message, /no post has id 999999.*start again from the first page/);
    });

    it('finds an account by store id, handle, platform id or the pseudonym shown, and says when none matches', async () => {
      const account = await ts.store.db.selectFrom('accounts').select(['id', 'handle', 'platform_account_id']).where('source_id', '=', sources[0]!).orderBy('id').executeTakeFirstOrThrow();
      const id = Number(account.id);
      const get = async (value: string) => await (await fetch(`${server.url}/api/posts?limit=200&account=${encodeURIComponent(value)}`)).json() as {
        items: Array<{ id: number; account_id: number; account: string }>; accounts: Array<{ id: number; source: string; account: string; matched: string }>;
      };
      const byId = await get(String(id));
      const want = all.filter((r) => r.account_id === id).map((r) => r.id);
      assert.deepEqual(byId.items.map((p) => p.id), want);
      assert.deepEqual(byId.accounts.map((a) => [a.id, a.matched]), [[id, 'store id']]);
      const shown = byId.items[0]!.account;
      assert.match(shown, /^acct_[0-9a-f]{20}$/);
      assert.equal(byId.accounts[0]!.account, shown);

      const byPseudonym = await get(shown);
      assert.deepEqual(byPseudonym.items.map((p) => p.id), want);
      assert.deepEqual(byPseudonym.accounts.map((a) => [a.id, a.matched]), [[id, 'pseudonym']]);

      // The same handle and platform id exist in both sources: both accounts match, each named.
      const other = await ts.store.db.selectFrom('accounts').select('id').where('source_id', '=', sources[1]!).where('handle', '=', account.handle!).executeTakeFirstOrThrow();
      const both = [id, Number(other.id)].sort((a, c) => a - c);
      for (const value of [account.handle!, `@${account.handle!}`]) {
        const r = await get(value);
        assert.deepEqual(r.accounts.map((a) => [a.id, a.matched]), both.map((x) => [x, 'handle']), value);
        assert.deepEqual(r.items.map((p) => p.id), all.filter((x) => both.includes(x.account_id!)).map((x) => x.id));
      }
      const byPlatform = await get(account.platform_account_id);
      assert.deepEqual(byPlatform.accounts.map((a) => [a.id, a.matched]), both.map((x) => [x, 'platform id']));

      for (const nothing of ['nobody-here', 'acct_00000000000000000000', '987654']) {
        const r = await get(nothing);
        assert.deepEqual([r.items, r.accounts], [[], []], nothing);
      }
    });
  });
}
