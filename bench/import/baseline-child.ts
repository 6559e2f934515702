/**
 * The baseline an importer is compared against: the plain way (csv-parse, one Kysely INSERT per
 * row in one transaction, deduplicated by the unique key). Prints JSON like child.ts.
 */
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse';
import { openStore } from '../../src/store/open.ts';
import { twitterIo } from '../../src/collect/formats/twitter-io.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { jsonList, jsonOrNull } from '../../src/store/bulk.ts';

const [file, target, limitArg] = process.argv.slice(2);
const limit = Number(limitArg);
const store = await openStore({ db: target });
const src = await ensureSource(store, { name: 'baseline', kind: 'import', platform: 'twitter' });
const t0 = performance.now();
let n = 0;
await store.db.transaction().execute(async (trx) => {
  const accounts = new Map<string, number>();
  for await (const rec of createReadStream(file).pipe(parse({ columns: true, bom: true, relax_column_count: true }))) {
    if (n++ >= limit) break;
    const p = twitterIo.toPost({ get: (c: string) => rec[c], raw: () => '' });
    let acc = accounts.get(p.accountId!);
    if (acc === undefined) {
      await trx.insertInto('accounts').values({ source_id: src.id, platform_account_id: p.accountId!, handle: p.accountHandle,
        display_name: p.accountName, status: 'unknown', first_seen: 0, last_seen: 0 }).onConflict((oc) => oc.doNothing()).execute();
      acc = (await trx.selectFrom('accounts').select('id').where('platform_account_id', '=', p.accountId!).executeTakeFirstOrThrow()).id;
      accounts.set(p.accountId!, acc);
    }
    await trx.insertInto('posts').values({
      source_id: src.id, platform_post_id: p.platformPostId, account_id: acc, created_at: p.createdAt, text: p.text,
      language: p.language, url: p.url, reply_to_id: p.replyToId, repost_of_id: p.repostOfId, hashtags: jsonList(p.hashtags),
      urls: jsonList(p.urls), mentions: jsonList(p.mentions), first_seen: 0, last_seen: 0, status: p.status,
      status_changed_at: null, status_evidence: null, extra: jsonOrNull(p.extra),
    }).onConflict((oc) => oc.doNothing()).execute();
  }
});
const ms = performance.now() - t0;
await store.close();
process.stdout.write(JSON.stringify({ imported: Math.min(n, limit), ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
