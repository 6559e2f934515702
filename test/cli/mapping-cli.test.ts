/**
 * `import --format csv|jsonl --mapping FILE`: the column mapping read from a JSON object file,
 * through the real command line on both backends (every mapped field lands where it should;
 * `--map` given beside the file wins for its fields), and a bad mapping file refused with a
 * sentence that names the file before anything is imported.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { backends } from '../helpers/stores.ts';
import { csv, tempDir } from '../helpers/files.ts';
import { runCli } from '../helpers/cli.ts';
import { loadMapping } from '../../src/collect/formats/generic.ts';
import { UserError } from '../../src/util/errors.ts';

type Posted = { platform_post_id: string; text: string; created_at: number | null; language: string | null; url: string | null; reply_to_id: string | null; hashtags: string | null; status: string; handle: string | null; platform_account_id: string | null };

for (const b of backends()) {
  describe(`import with --mapping FILE [${b.label}]`, () => {
    it('csv and jsonl: every mapped field lands in its column; --map overrides the file', async () => {
      const files = tempDir();
      const ts = await b.open();
      try {
        const csvMap = files.file('csv-map.json', JSON.stringify({
          id: 'tweet_id', text: 'body', account: 'uid', handle: 'screen', created_at: 'ts', language: 'lang', url: 'link', reply_to: 'parent', hashtags: 'tags', status: 'fate',
        }));
        const csvFile = files.file('posts.csv', csv([
          ['tweet_id', 'body', 'uid', 'screen', 'ts', 'lang', 'link', 'parent', 'tags', 'fate', 'unused'],
          ['0012', '第一条 #ignored', '77', 'alice', '2020-02-01T10:00:00+08:00', 'zh', 'https://ex.example/0012', '', 'a,b', 'visible', 'x'],
          ['0013', 'second, with a comma', '78', 'bob', '1580522400', 'en', '', '0012', '', 'removed_by_platform', 'y'],
        ]));
        const c = runCli(['import', '--format', 'csv', '--mapping', csvMap, '--source', 'csv-src', '--json', '--quiet', csvFile], ts.env);
        assert.equal(c.status, 0, c.stderr);
        assert.deepEqual(JSON.parse(c.stdout), { rows: 2, imported: 2, duplicates: 0, quarantined: 0, conflicts: 0 });

        // JSONL columns are dotted paths; the file maps text to "msg" but --map says "content".
        const jsonMap = files.file('jsonl-map.json', JSON.stringify({ id: 'id_str', text: 'msg', account: 'user.id', handle: 'user.name', created_at: 'created' }));
        const jsonl = files.file('posts.jsonl', [
          { id_str: '9001', msg: 'not this', content: 'this text', user: { id: 5, name: 'carol' }, created: '2021-03-04T05:06:07Z' },
          { id_str: '9002', msg: 'nor this', content: 'and this', user: { id: 6, name: 'dan' }, created: 1614834367000 },
        ].map((o) => JSON.stringify(o)).join('\n') + '\n');
        const j = runCli(['import', '--format', 'jsonl', '--mapping', jsonMap, '--map', 'text=content', '--source', 'jsonl-src', '--json', '--quiet', jsonl], ts.env);
        assert.equal(j.status, 0, j.stderr);
        assert.deepEqual(JSON.parse(j.stdout), { rows: 2, imported: 2, duplicates: 0, quarantined: 0, conflicts: 0 });

        const store = await ts.reopen();
        const rows = await store.db.selectFrom('posts').leftJoin('accounts', 'accounts.id', 'posts.account_id')
          .select(['platform_post_id', 'text', 'created_at', 'language', 'url', 'reply_to_id', 'hashtags', 'posts.status', 'accounts.handle', 'accounts.platform_account_id'])
          .orderBy('platform_post_id').execute() as Posted[];
        await store.close();
        const by = new Map(rows.map((r) => [r.platform_post_id, r]));
        assert.deepEqual([...by.keys()], ['0012', '0013', '9001', '9002'], 'ids as written (0012 keeps its zeros)');
        const p12 = by.get('0012')!;
        assert.equal(p12.text, '第一条 #ignored');
        assert.equal(Number(p12.created_at), Date.UTC(2020, 1, 1, 2, 0, 0), 'the +08:00 offset honoured');
        assert.equal(p12.language, 'zh');
        assert.equal(p12.url, 'https://ex.example/0012');
        assert.deepEqual(JSON.parse(p12.hashtags!), ['a', 'b'], 'hashtags from the mapped column, not from the text');
        assert.equal(p12.handle, 'alice');
        assert.equal(p12.platform_account_id, '77');
        const p13 = by.get('0013')!;
        assert.equal(p13.reply_to_id, '0012');
        assert.equal(p13.status, 'removed_by_platform');
        assert.equal(Number(p13.created_at), 1580522400_000, 'epoch seconds');
        assert.equal(by.get('9001')!.text, 'this text', '--map wins over the file for text');
        assert.equal(by.get('9001')!.handle, 'carol');
        assert.equal(by.get('9002')!.platform_account_id, '6');
        assert.equal(Number(by.get('9002')!.created_at), 1614834367000, 'epoch milliseconds');
        assert.equal(Number(by.get('9001')!.created_at), Date.UTC(2021, 2, 4, 5, 6, 7));
      } finally {
        await ts.cleanup();
        files.cleanup();
      }
    });
  });
}

describe('a bad --mapping FILE', () => {
  const files = tempDir();
  const cases: Array<[string, string, RegExp]> = [
    ['not-json.json', '{id: tweet_id}', /could not be read as JSON/],
    ['array.json', '[["id", "tweet_id"]]', /must hold one JSON object .* not an array/],
    ['string.json', '"id=tweet_id,text=body"', /must hold one JSON object .* not a string/],
    ['null.json', 'null', /must hold one JSON object .* not null/],
    ['no-text.json', '{"id": "tweet_id"}', /is not usable: text: /],
    ['typo.json', '{"id": "tweet_id", "txt": "body", "text": "body"}', /is not usable: .*txt/],
    ['number.json', '{"id": 3, "text": "body"}', /is not usable: id: /],
  ];

  for (const [name, content, reason] of cases) {
    it(`${name}: a sentence naming the file`, () => {
      const path = files.file(name, content);
      assert.throws(() => loadMapping(undefined, path), (e: Error) => {
        assert.ok(e instanceof UserError, `a UserError, not ${e.constructor.name}: ${e.message}`);
        assert.ok(e.message.includes(path), `names ${path}: ${e.message}`);
        assert.match(e.message, reason);
        return true;
      });
    });
  }

  it('a missing file is named; --map fixing what the file lacks makes it usable', () => {
    const missing = `${files.dir}/nope.json`;
    assert.throws(() => loadMapping(undefined, missing), (e: Error) => e instanceof UserError && e.message.includes(missing));
    const partial = files.file('partial.json', '{"id": "tweet_id"}');
    assert.deepEqual(loadMapping('text=body', partial), { id: 'tweet_id', text: 'body' });
    // A problem in --map itself is not blamed on the file.
    assert.throws(() => loadMapping('text=', partial), (e: Error) => !e.message.includes(partial) && /text/.test(e.message));
  });

  it('through the CLI: exit 1, the sentence on stderr, nothing imported', async () => {
    const [b] = backends();
    const ts = await b!.open();
    try {
      const bad = files.file('cli-bad.json', '["id", "text"]');
      const data = files.file('d.csv', csv([['id', 'text'], ['1', 'x']]));
      const r = runCli(['import', '--format', 'csv', '--mapping', bad, '--quiet', data], ts.env);
      assert.equal(r.status, 1);
      assert.ok(r.stderr.includes(bad), r.stderr);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'a sentence, not a stack trace');
      assert.equal(r.stdout, '');
      const store = await ts.reopen();
      const n = await store.db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n')).executeTakeFirst();
      await store.close();
      assert.equal(Number(n?.n), 0);
    } finally {
      await ts.cleanup();
      files.cleanup();
    }
  });
});
