/** Bad input: bad rows are quarantined with file, line, field and reason; good rows are kept; wrong files fail at once. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir, csv } from '../helpers/files.ts';
import { importFile, openErrorsFile } from '../../src/collect/import.ts';
import { resolveFormat } from '../../src/collect/formats/registry.ts';
import { WEIBOSCOPE_COLUMNS } from '../../src/collect/samples/sample-files.ts';
import { UserError } from '../../src/util/errors.ts';

const weibo = resolveFormat({ name: 'weiboscope' });
const good = (id: string) => [id, '', 'u1', '', '', '0', `文本 ${id}`, '', '2012-01-03 02:02:27', '', 'False'];

for (const b of backends()) {
  describe(`quarantine and idempotence [${b.label}]`, () => {
    let t: TestStore;
    const files = tempDir();
    before(async () => { t = await b.open(); });
    after(async () => { await t.cleanup(); files.cleanup(); });

    it('keeps good rows and quarantines each bad one with its line, field and reason', async () => {
      const header = csv([WEIBOSCOPE_COLUMNS]);
      const body = [
        csv([good('a1')]),                                                          // line 2
        csv([['a2', '', 'u1', '', '', '0', 'bad date', '', 'yesterday', '', 'False']]), // line 3
        csv([['', '', 'u1', '', '', '0', 'no id', '', '2012-01-03 02:02:27', '', 'False']]), // line 4
        'a4,too,few,fields\n',                                                      // line 5
        csv([['a5', '', 'u1', '', '', '0', 'multi\nline\ntext', '', '2012-01-03 02:02:27', '', 'False']]), // lines 6-8
        csv([['a6', '', 'u1', '', '', '0', 'x'.repeat(200), '', '2012-01-03 02:02:27', '', 'False']]), // line 9
        csv([good('a7')]),                                                          // line 10
      ].join('');
      // Invalid UTF-8 bytes in the text field of line 11.
      const bytes = Buffer.concat([Buffer.from(header + body), Buffer.from('a8,,u1,,,0,'), Buffer.from([0xff, 0xfe, 0x41]),
        Buffer.from(',,2012-01-03 02:02:27,,False\n'), Buffer.from(csv([good('a9')]))]);
      const file = files.file('mixed.csv', bytes);
      const errorsPath = `${files.dir}/errors.jsonl`;
      const errors = openErrorsFile(errorsPath);
      const c = await importFile(t.store, file, { format: weibo, errors, maxField: 100, quiet: true });
      await new Promise<void>((res) => errors.end(res));
      assert.deepEqual(c, { rows: 9, imported: 4, duplicates: 0, quarantined: 5, conflicts: 0 });
      const ids = (await t.store.db.selectFrom('posts').select('platform_post_id').orderBy('platform_post_id').execute()).map((r) => r.platform_post_id);
      assert.deepEqual(ids, ['a1', 'a5', 'a7', 'a9']);
      const text = (await t.store.db.selectFrom('posts').select('text').where('platform_post_id', '=', 'a5').executeTakeFirstOrThrow()).text;
      assert.equal(text, 'multi\nline\ntext');

      const lines = readFileSync(errorsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      const brief = lines.map((e) => [e.line, e.field]);
      assert.deepEqual(brief, [[3, 'created_at'], [4, 'mid'], [5, '(row)'], [9, 'text'], [11, 'text']]);
      for (const e of lines) {
        assert.equal(e.file, file);
        assert.ok(e.reason.length > 5, 'reason is a phrase');
        assert.equal(typeof e.raw, 'string');
      }
      assert.match(lines[0].reason, /not a date/);
      assert.match(lines[2].reason, /4 fields where the header has 11/);
      assert.match(lines[3].reason, /over the limit of 100/);
      assert.match(lines[4].reason, /not valid/);
      const stored = await t.store.db.selectFrom('import_errors').select(['line', 'field', 'reason']).orderBy('line').execute();
      assert.deepEqual(stored.map((r) => [r.line, r.field]), brief);

      // Importing the same file again changes nothing.
      const again = await importFile(t.store, file, { format: weibo, maxField: 100, quiet: true });
      assert.deepEqual(again, { rows: 9, imported: 0, duplicates: 4, quarantined: 5, conflicts: 0 });
      const n = await t.store.db.selectFrom('posts').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(n.n), 4);
      const q = await t.store.db.selectFrom('import_errors').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(q.n), 5);
    });

    it('numbers lines right across many pieces with multi-line fields and stray quotes', async () => {
      // ~400 KB: several read pieces. Every 7th text spans three lines, some fields hold a bare
      // quote mid-field, and every 500th row has a bad date, so each reported line is checkable.
      const rows: string[] = [csv([WEIBOSCOPE_COLUMNS])];
      const expected: number[] = [];
      let line = 2;
      for (let i = 0; i < 6000; i++) {
        const text = i % 7 === 0 ? `第 ${i} 条\n第二行\n第三行` : i % 11 === 0 ? `引用 5" 寸 ${i}` : `文本 ${i}`;
        const date = i % 500 === 250 ? 'not a date' : '2012-01-03 02:02:27';
        if (i % 11 === 0 && i % 7 !== 0) rows.push(`q${i},,u1,,,0,${text},,${date},,False\n`);
        else rows.push(csv([[`q${i}`, '', 'u1', '', '', '0', text, '', date, '', 'False']]));
        if (date === 'not a date') expected.push(line);
        line += i % 7 === 0 ? 3 : 1;
      }
      const file = files.file('lines.csv', rows.join(''));
      const errorsPath = `${files.dir}/lines-errors.jsonl`;
      const errors = openErrorsFile(errorsPath);
      const c = await importFile(t.store, file, { format: weibo, errors, quiet: true });
      await new Promise<void>((res) => errors.end(res));
      assert.equal(c.quarantined, expected.length);
      assert.equal(c.imported, 6000 - expected.length);
      const reported = readFileSync(errorsPath, 'utf8').trim().split('\n').map((l) => JSON.parse(l).line);
      assert.deepEqual(reported, expected);
      const quoted = await t.store.db.selectFrom('posts').select('text').where('platform_post_id', '=', 'q11').executeTakeFirstOrThrow();
      assert.equal(quoted.text, '引用 5" 寸 11');
    });

    it('quarantines a NUL character deep in a file (CSV raw, JSONL escaped) instead of failing the import', async () => {
      const rows = [csv([WEIBOSCOPE_COLUMNS])];
      for (let i = 0; i < 300; i++) rows.push(csv([good(`z${i}`)]));
      rows.push(csv([['znul', '', 'u1', '', '', '0', 'bad\0nul', '', '2012-01-03 02:02:27', '', 'False']]));
      const file = files.file('nul.csv', rows.join(''));
      const c = await importFile(t.store, file, { format: weibo, quiet: true, source: 'nul' });
      assert.deepEqual(c, { rows: 301, imported: 300, duplicates: 0, quarantined: 1, conflicts: 0 });
      const q = await t.store.db.selectFrom('import_errors').select(['line', 'field', 'raw', 'reason']).where('file', '=', file).execute();
      assert.deepEqual(q.map((r) => [r.line, r.field]), [[302, 'text']]);
      assert.match(q[0].reason, /NUL/);
      assert.match(q[0].reason, /original bytes in base64/);
      assert.ok(q[0].raw.startsWith('base64:'));
      assert.ok(Buffer.from(q[0].raw.slice(7), 'base64').toString('utf8').includes('bad\0nul'), 'the NUL is kept, byte for byte');

      const mapping = { id: 'id', text: 'text' };
      const lines = [...Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `j${i}`, text: `好 ${i}` })), '{"id":"jnul","text":"a\\u0000b"}', '{"id":"jok","text":"a\\\\u0000b"}'];
      const jfile = files.file('nul.jsonl', lines.join('\n') + '\n');
      const j = await importFile(t.store, jfile, { format: resolveFormat({ name: 'jsonl', mapping }), mapping, source: 'nul-jsonl', quiet: true });
      assert.deepEqual(j, { rows: 52, imported: 51, duplicates: 0, quarantined: 1, conflicts: 0 });
      const kept = await t.store.db.selectFrom('posts').select('text').where('platform_post_id', '=', 'jok').executeTakeFirstOrThrow();
      assert.equal(kept.text, 'a\\u0000b', 'an escaped backslash before u0000 is ordinary text');
    });

    it('reads a tab-separated file as such and quarantines its bad rows in tabs', async () => {
      const mapping = { id: 'id', text: 'text', created_at: 'time' };
      const tsv = 'id\ttext\ttime\nt1\t一, 二\t2012-01-03 02:02:27\nt2\t坏\tnever\nt3\t"引号\t内"\t2012-01-03 02:02:28\n';
      const file = files.file('posts.tsv', tsv);
      const c = await importFile(t.store, file, { format: resolveFormat({ name: 'csv', mapping }), mapping, source: 'tsv', quiet: true });
      assert.deepEqual(c, { rows: 3, imported: 2, duplicates: 0, quarantined: 1, conflicts: 0 });
      const texts = await t.store.db.selectFrom('posts').select('text').where('platform_post_id', 'in', ['t1', 't3']).orderBy('platform_post_id').execute();
      assert.deepEqual(texts.map((r) => r.text), ['一, 二', '引号\t内']);
      const q = await t.store.db.selectFrom('import_errors').select(['line', 'field', 'raw']).where('file', '=', file).execute();
      assert.deepEqual(q, [{ line: 3, field: 'time', raw: 't2\t坏\tnever' }]);
    });

    it('fails at once, with a sentence, on a PNG or on the wrong header', async () => {
      const png = files.file('image.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
      await assert.rejects(importFile(t.store, png, { format: weibo, quiet: true }), (err: Error) =>
        err instanceof UserError && /is a PNG image, not a CSV file in the weiboscope format/.test(err.message));
      const wrong = files.file('wrong.csv', csv([['tweetid', 'userid', 'tweet_text'], ['1', '2', 'x']]));
      await assert.rejects(importFile(t.store, wrong, { format: weibo, quiet: true }), (err: Error) =>
        err instanceof UserError && /is not a weiboscope file: its header lacks mid, uid/.test(err.message));
    });
  });
}
