/**
 * The import baseline as a competent user writes it: csv-parse streaming the file, the same
 * field conversion as our importer (twitterIo.toPost), and one prepared better-sqlite3 INSERT
 * per row inside a single transaction, into the user's own table (deduplicated by post id only:
 * no accounts table, no content comparison, no quarantine, no secondary indexes). Prints JSON
 * like child.ts.
 */
import { createReadStream } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { parse } from 'csv-parse';
import { twitterIo } from '../../src/collect/formats/twitter-io.ts';

const [file, target] = process.argv.slice(2);
const t0 = performance.now();
const db = new Database(target!);
db.pragma('journal_mode = WAL');
db.exec(`CREATE TABLE posts (id TEXT PRIMARY KEY, account TEXT NOT NULL, handle TEXT, name TEXT, created_at INTEGER, text TEXT,
  language TEXT, reply_to TEXT, repost_of TEXT, hashtags TEXT, urls TEXT, mentions TEXT, extra TEXT)`);
const insert = db.prepare('INSERT OR IGNORE INTO posts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)');
const list = (xs: string[] | null) => (xs?.length ? JSON.stringify(xs) : null);
let imported = 0;
let rows = 0;
db.exec('BEGIN');
for await (const rec of createReadStream(file!).pipe(parse({ columns: true, bom: true, relax_column_count: true }))) {
  rows++;
  const p = twitterIo.toPost({ get: (c: string) => rec[c], raw: () => '' });
  imported += insert.run(p.platformPostId, p.accountId, p.accountHandle, p.accountName, p.createdAt, p.text, p.language, p.replyToId,
    p.repostOfId, list(p.hashtags), list(p.urls), list(p.mentions), p.extra ? JSON.stringify(p.extra) : null).changes;
}
db.exec('COMMIT');
db.close();
const ms = performance.now() - t0;
process.stdout.write(JSON.stringify({ rows, imported, ms, maxRssMB: process.resourceUsage().maxRSS / 1024 }) + '\n');
