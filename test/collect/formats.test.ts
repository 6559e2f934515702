/** Each import format, against each store backend: fields land where they belong. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir, csv } from '../helpers/files.ts';
import { importFile } from '../../src/collect/import.ts';
import { resolveFormat } from '../../src/collect/formats/registry.ts';
import { loadMapping } from '../../src/collect/formats/generic.ts';
import { WEIBOSCOPE_COLUMNS, TWITTER_IO_COLUMNS } from '../../src/collect/samples/sample-files.ts';
import type { Store } from '../../src/store/open.ts';

const IRA_COLUMNS = ['external_author_id', 'author', 'content', 'region', 'language', 'publish_date', 'harvested_date', 'following',
  'followers', 'updates', 'post_type', 'account_type', 'retweet', 'account_category', 'new_june_2018', 'alt_external_id', 'tweet_id',
  'article_url', 'tco1_step1', 'tco2_step1', 'tco3_step1'];

function twitterRow(over: Record<string, string>): string[] {
  return TWITTER_IO_COLUMNS.map((c) => over[c] ?? '');
}

async function post(store: Store, platformPostId: string) {
  return store.db.selectFrom('posts').leftJoin('accounts', 'accounts.id', 'posts.account_id')
    .select(['posts.platform_post_id', 'posts.text', 'posts.created_at', 'posts.status', 'posts.status_changed_at',
      'posts.status_evidence', 'posts.reply_to_id', 'posts.repost_of_id', 'posts.hashtags', 'posts.urls', 'posts.mentions',
      'posts.language', 'accounts.platform_account_id', 'accounts.handle'])
    .where('posts.platform_post_id', '=', platformPostId).executeTakeFirstOrThrow();
}

for (const b of backends()) {
  describe(`import formats [${b.label}]`, () => {
    let t: TestStore;
    const files = tempDir();
    before(async () => { t = await b.open(); });
    after(async () => { await t.cleanup(); files.cleanup(); });

    it('weiboscope: deletions become removed_by_platform (permission denied) or deleted (actor unknown), with evidence', async () => {
      const file = files.file('weibo.csv', csv([WEIBOSCOPE_COLUMNS,
        ['m1', '', 'u1', '', '新浪微博', '0', '今天天气很好', '', '2012-01-03 02:02:27', '', 'False'],
        ['m2', 'm1', 'u2', 'u1', '', '0', '转发：六四 #话题#', '', '2012-01-03 03:00:00', '2012-01-03 04:00:00', 'True'],
        ['m3', '', 'u1', '', '', '0', '我删了', '', '2012-01-03 05:00:00', '2012-01-03 06:30:00', 'False'],
      ]));
      const c = await importFile(t.store, file, { format: resolveFormat({ name: 'weiboscope' }), quiet: true });
      assert.deepEqual(c, { rows: 3, imported: 3, duplicates: 0, quarantined: 0, conflicts: 0 });
      const m1 = await post(t.store, 'm1');
      assert.equal(m1.status, 'visible');
      assert.equal(m1.created_at, Date.UTC(2012, 0, 3, 2, 2, 27));
      assert.equal(m1.platform_account_id, 'u1');
      const m2 = await post(t.store, 'm2');
      assert.equal(m2.status, 'removed_by_platform');
      assert.equal(m2.repost_of_id, 'm1');
      assert.equal(m2.status_changed_at, Date.UTC(2012, 0, 3, 4));
      assert.deepEqual(JSON.parse(m2.status_evidence!), { source: 'weiboscope', deleted_last_seen: '2012-01-03 04:00:00', permission_denied: true });
      assert.deepEqual(JSON.parse(m2.hashtags!), ['话题']);
      assert.equal((await post(t.store, 'm3')).status, 'deleted');
    });

    it('twitter-io: reposts, replies, hashtags, urls and mentions are kept', async () => {
      const file = files.file('io.csv', csv([TWITTER_IO_COLUMNS,
        twitterRow({ tweetid: '100', userid: 'a1', user_screen_name: 'alice', tweet_text: 'hello #one', tweet_time: '2019-06-01 12:30',
          tweet_language: 'en', hashtags: "['one', 'two']", urls: "['https://example.org/x']", user_mentions: "['bob']", is_retweet: 'False' }),
        twitterRow({ tweetid: '101', userid: 'a2', tweet_text: 'RT hello', tweet_time: '2019-06-01 12:31', is_retweet: 'True', retweet_tweetid: '100', retweet_userid: 'a1' }),
        twitterRow({ tweetid: '102', userid: 'a1', tweet_text: '@bob reply', tweet_time: '2019-06-01 12:32', in_reply_to_tweetid: '101', in_reply_to_userid: 'a2' }),
      ]));
      const c = await importFile(t.store, file, { format: resolveFormat({ name: 'twitter-io' }), quiet: true });
      assert.deepEqual(c, { rows: 3, imported: 3, duplicates: 0, quarantined: 0, conflicts: 0 });
      const p100 = await post(t.store, '100');
      assert.deepEqual(JSON.parse(p100.hashtags!), ['one', 'two']);
      assert.deepEqual(JSON.parse(p100.urls!), ['https://example.org/x']);
      assert.deepEqual(JSON.parse(p100.mentions!), ['bob']);
      assert.equal(p100.handle, 'alice');
      assert.equal(p100.created_at, Date.UTC(2019, 5, 1, 12, 30));
      assert.equal((await post(t.store, '101')).repost_of_id, '100');
      assert.equal((await post(t.store, '102')).reply_to_id, '101');
    });

    it('ira: alt_external_id is the account, publish_date is M/D/YYYY H:MM', async () => {
      const row = Object.fromEntries(IRA_COLUMNS.map((c) => [c, ''])) as Record<string, string>;
      Object.assign(row, { external_author_id: '9.06E+17', author: '10_GOP', content: 'We love #MAGA https://t.co/x', publish_date: '1/2/2017 14:39',
        alt_external_id: '905874659358453760', tweet_id: '915000', language: 'English', retweet: '0', tco1_step1: 'https://t.co/x' });
      const file = files.file('ira.csv', csv([IRA_COLUMNS, IRA_COLUMNS.map((c) => row[c])]));
      const c = await importFile(t.store, file, { format: resolveFormat({ name: 'ira' }), quiet: true });
      assert.equal(c.imported, 1);
      const p = await post(t.store, '915000');
      assert.equal(p.platform_account_id, '905874659358453760');
      assert.equal(p.handle, '10_GOP');
      assert.equal(p.created_at, Date.UTC(2017, 0, 2, 14, 39));
      assert.deepEqual(JSON.parse(p.urls!), ['https://t.co/x']);
      assert.deepEqual(JSON.parse(p.hashtags!), ['maga']);
    });

    it('qut: epoch-second timestamps and space-separated urls', async () => {
      const file = files.file('qut.csv', csv([['message_id', 'user_id', 'username', 'repost_id', 'reply_id', 'message', 'timestamp', 'urls'],
        ['q1', 'u9', 'nine', '', '', 'same text', '1546300800', 'http://a.example/1 http://b.example/2'],
        ['q2', 'u8', 'eight', 'q1', '', 'RT same text', '1546300860', ''],
      ]));
      await importFile(t.store, file, { format: resolveFormat({ name: 'qut' }), quiet: true });
      const q1 = await post(t.store, 'q1');
      assert.equal(q1.created_at, 1546300800_000);
      assert.deepEqual(JSON.parse(q1.urls!), ['http://a.example/1', 'http://b.example/2']);
      assert.equal((await post(t.store, 'q2')).repost_of_id, 'q1');
    });

    it('generic csv with a column mapping, GB18030-encoded, CRLF line ends', async () => {
      const text = csv([['pid', 'who', 'body', 'when', 'fate'], ['g1', 'w1', '维权律师被抓', '2020-02-01T10:00:00Z', 'removed_by_platform'],
        ['g2', 'w2', '繁體中文測試', '2020-02-01T11:00:00+08:00', 'visible']], '\r\n');
      const file = files.file('gbk.csv', iconv.encode(text, 'gb18030'));
      const mapping = loadMapping('id=pid,account=who,text=body,created_at=when,status=fate', undefined);
      const c = await importFile(t.store, file, { format: resolveFormat({ name: 'csv', mapping }), mapping, encoding: 'gb18030', source: 'gbk', quiet: true });
      assert.deepEqual(c, { rows: 2, imported: 2, duplicates: 0, quarantined: 0, conflicts: 0 });
      assert.equal((await post(t.store, 'g1')).text, '维权律师被抓');
      assert.equal((await post(t.store, 'g1')).status, 'removed_by_platform');
      const g2 = await post(t.store, 'g2');
      assert.equal(g2.text, '繁體中文測試');
      assert.equal(g2.created_at, Date.UTC(2020, 1, 1, 3));
    });

    it('generic jsonl with nested paths, UTF-8 with BOM', async () => {
      const lines = ['{"id": "j1", "user": {"id": 7, "name": "seven"}, "content": "你好 #世界", "ts": 1580551200}',
        '{"id": "j2", "user": {"id": 8}, "content": "second", "ts": "2020-02-01 10:00:00", "tags": ["a", "b"]}'];
      const file = files.file('posts.jsonl', '\uFEFF' + lines.join('\n') + '\n');
      const mapping = loadMapping('id=id,account=user.id,handle=user.name,text=content,created_at=ts,hashtags=tags', undefined);
      const c = await importFile(t.store, file, { format: resolveFormat({ name: 'jsonl', mapping }), mapping, source: 'jl', quiet: true });
      assert.deepEqual(c, { rows: 2, imported: 2, duplicates: 0, quarantined: 0, conflicts: 0 });
      const j1 = await post(t.store, 'j1');
      assert.equal(j1.platform_account_id, '7');
      assert.equal(j1.handle, 'seven');
      assert.equal(j1.created_at, 1580551200_000);
      assert.deepEqual(JSON.parse((await post(t.store, 'j2')).hashtags!), ['a', 'b']);
    });
  });
}
