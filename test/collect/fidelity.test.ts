/**
 * Issue 12's measured import failures, each reproduced: a stray quote, literal U+FFFD, invalid
 * bytes, ids a spreadsheet rounded; every row read is accounted for and the import record says so.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir, csv } from '../helpers/files.ts';
import { importFile, openErrorsFile } from '../../src/collect/import.ts';
import { resolveFormat } from '../../src/collect/formats/registry.ts';
import { WEIBOSCOPE_COLUMNS } from '../../src/collect/samples/sample-files.ts';
import { accountingError, finalState } from '../../src/collect/accounting.ts';
import type { Store } from '../../src/store/open.ts';

const weibo = resolveFormat({ name: 'weiboscope' });
const row = (id: string, text: string, uid = 'u1', at = '2012-01-03 02:02:27') => [id, '', uid, '', '', '0', text, '', at, '', 'False'];

async function lastImport(store: Store) {
  return store.db.selectFrom('imports').select(['rows', 'imported', 'duplicates', 'quarantined', 'state']).orderBy('id', 'desc').executeTakeFirstOrThrow();
}

async function errorsOf(store: Store, file: string) {
  return store.db.selectFrom('import_errors').select(['line', 'field', 'reason', 'raw']).where('file', '=', file).orderBy('line').execute();
}

for (const b of backends()) {
  describe(`import fidelity [${b.label}]`, () => {
    let t: TestStore;
    const files = tempDir();
    before(async () => { t = await b.open(); });
    after(async () => { await t.cleanup(); files.cleanup(); });

    it('a stray quote on row 10 of 60,000 costs that row alone; line numbers stay right', async () => {
      const lines = [csv([WEIBOSCOPE_COLUMNS])];
      for (let i = 1; i <= 60_000; i++) {
        // Row 10 (line 11) opens its text field with a quote that never closes.
        lines.push(i === 10 ? `s${i},,u1,,,0,"stray quote opens here,,2012-01-03 02:02:27,,False\n` : csv([row(`s${i}`, `微博 ${i} 文本`)]));
        if (i === 30_000) lines.push('s30000b,,u1,,,0,bad row,,not a date,,False\n'); // line 30,002: a later error to check the numbering
      }
      const file = files.file('stray.csv', lines.join(''));
      const c = await importFile(t.store, file, { format: weibo, quiet: true, source: 'stray' });
      assert.deepEqual(c, { rows: 60_001, imported: 59_999, duplicates: 0, quarantined: 2, conflicts: 0 });
      const errs = await errorsOf(t.store, file);
      assert.deepEqual(errs.map((e) => [e.line, e.field]), [[11, '(row)'], [30_002, 'created_at']]);
      assert.match(errs[0].reason, /quoted field .* stray quote/);
      assert.equal(errs[0].raw, 's10,,u1,,,0,"stray quote opens here,,2012-01-03 02:02:27,,False');
      assert.deepEqual(await lastImport(t.store), { rows: 60_001, imported: 59_999, duplicates: 0, quarantined: 2, state: 'done' });
      const after = await t.store.db.selectFrom('posts').select('text').where('platform_post_id', '=', 's11').executeTakeFirstOrThrow();
      assert.equal(after.text, '微博 11 文本');
    });

    it('a quote that closes rows later costs only the line that opened it', async () => {
      const body = [csv([WEIBOSCOPE_COLUMNS]), csv([row('q1', 'one')]),
        'q2,,u1,,,0,"runs on,,2012-01-03 02:02:27,,False\n', // line 3: the quote closes on line 5
        csv([row('q3', 'three')]), csv([row('q4', 'he said "hi", ok')]), csv([row('q5', 'five\nsix')]), csv([row('q6', 'six')])].join('');
      const file = files.file('closes-later.csv', body);
      const c = await importFile(t.store, file, { format: weibo, quiet: true, source: 'later' });
      assert.deepEqual(c, { rows: 6, imported: 5, duplicates: 0, quarantined: 1, conflicts: 0 });
      assert.deepEqual((await errorsOf(t.store, file)).map((e) => e.line), [3]);
      const texts = await t.store.db.selectFrom('posts').innerJoin('sources', 'sources.id', 'posts.source_id').select(['platform_post_id', 'text'])
        .where('sources.name', '=', 'later').orderBy('platform_post_id').execute();
      assert.deepEqual(texts.map((r) => r.text), ['one', 'three', 'he said "hi", ok', 'five\nsix', 'six']);
    });

    it('a stray quote on a line longer than a read is quarantined, and the lines after it keep their numbers', async () => {
      const long = `l1,,u1,,,0,"${'长'.repeat(70_000)},,2012-01-03 02:02:27,,False\n`;
      const file = files.file('long-line.csv', `${csv([WEIBOSCOPE_COLUMNS])}${long}${csv([row('l2', 'two')])}l3,,u1,,,0,three,,never,,False\n`);
      const c = await importFile(t.store, file, { format: weibo, quiet: true, source: 'long-line', maxField: 100 });
      assert.deepEqual(c, { rows: 3, imported: 1, duplicates: 0, quarantined: 2, conflicts: 0 });
      const errs = await errorsOf(t.store, file);
      assert.deepEqual(errs.map((e) => [e.line, e.field]), [[2, '(row)'], [4, 'created_at']]);
      assert.match(errs[0].reason, /still open after/);
    });

    it('a closing quote followed by other characters quarantines the row instead of dropping a character', async () => {
      // The geo field is missing too, so a parser that drops the "d" sees the right number of fields.
      const file = files.file('after-quote.csv', `${csv([WEIBOSCOPE_COLUMNS])}x1,,u1,,,0,"abc"d,2012-01-03 02:02:27,,False\n${csv([row('x2', 'ok')])}`);
      const c = await importFile(t.store, file, { format: weibo, quiet: true, source: 'after-quote' });
      assert.deepEqual(c, { rows: 2, imported: 1, duplicates: 0, quarantined: 1, conflicts: 0 });
      assert.deepEqual((await errorsOf(t.store, file)).map((e) => [e.line, e.field]), [[2, '(row)']]);
    });

    it('a literal U+FFFD in valid UTF-8 is data; invalid bytes are quarantined with their original bytes', async () => {
      const bad = Buffer.from([0xe4, 0xb8, 0x41, 0xff]); // a cut multi-byte sequence and a byte UTF-8 never uses
      const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(csv([WEIBOSCOPE_COLUMNS, row('f1', 'replacement � kept'), row('f2', '\uFFFD')])),
        Buffer.from('f3,,u1,,,0,bad '), bad, Buffer.from(' bytes,,2012-01-03 02:02:27,,False\n'), Buffer.from(csv([row('f4', 'after')]))]);
      const file = files.file('fffd.csv', bytes);
      const c = await importFile(t.store, file, { format: weibo, quiet: true, source: 'fffd' });
      assert.deepEqual(c, { rows: 4, imported: 3, duplicates: 0, quarantined: 1, conflicts: 0 });
      const f1 = await t.store.db.selectFrom('posts').select('text').where('platform_post_id', 'in', ['f1', 'f2']).orderBy('platform_post_id').execute();
      assert.deepEqual(f1.map((r) => r.text), ['replacement \uFFFD kept', '\uFFFD']);
      const [e] = await errorsOf(t.store, file);
      assert.equal(e.line, 4);
      assert.equal(e.field, 'text');
      assert.match(e.reason, /not valid in the file's encoding \(e4 b8 ff\)/);
      assert.ok(e.raw.startsWith('base64:'));
      const original = Buffer.from(e.raw.slice('base64:'.length), 'base64');
      assert.ok(original.includes(Buffer.concat([Buffer.from('bad '), bad, Buffer.from(' bytes')])), 'the original bytes are kept exactly');
    });

    it('JSONL: literal U+FFFD imports, invalid bytes are quarantined with their bytes', async () => {
      const mapping = { id: 'id', text: 'text' };
      const bytes = Buffer.concat([Buffer.from(`${JSON.stringify({ id: 'j1', text: 'a � b' })}\n{"id":"j2","text":"x`), Buffer.from([0xc3, 0x28]),
        Buffer.from(`"}\r\n${JSON.stringify({ id: 'j3', text: '\uFFFD' })}\n`)]);
      const file = files.file('fffd.jsonl', bytes);
      const c = await importFile(t.store, file, { format: resolveFormat({ name: 'jsonl', mapping }), mapping, quiet: true, source: 'fffd-jsonl' });
      assert.deepEqual(c, { rows: 3, imported: 2, duplicates: 0, quarantined: 1, conflicts: 0 });
      const [e] = await errorsOf(t.store, file);
      assert.equal(e.line, 2);
      assert.match(e.reason, /\(c3\)/);
      assert.deepEqual(Buffer.from(e.raw.slice(7), 'base64'), Buffer.from([...Buffer.from('{"id":"j2","text":"x'), 0xc3, 0x28, ...Buffer.from('"}')]));
    });

    it('JSONL: a value nested 100,000 levels deep is quarantined, not the end of the import (issue 13)', async () => {
      const mapping = { id: 'id', text: 'body' };
      const depth = 100_000;
      const deep = `{"id":"n2","body":${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const file = files.file('nested.jsonl', `${JSON.stringify({ id: 'n1', body: 'before' })}\n${deep}\n${JSON.stringify({ id: 'n3', body: { a: [1, 2] } })}\n`);
      const c = await importFile(t.store, file, { format: resolveFormat({ name: 'jsonl', mapping }), mapping, quiet: true, source: 'nested-jsonl' });
      assert.deepEqual(c, { rows: 3, imported: 2, duplicates: 0, quarantined: 1, conflicts: 0 });
      const errors = await errorsOf(t.store, file);
      assert.deepEqual(errors.map((e) => [e.line, e.field, e.reason]), [[2, 'body', 'is nested too deeply to be kept as text']]);
      const texts = await t.store.db.selectFrom('posts').select(['platform_post_id', 'text']).where('platform_post_id', 'in', ['n1', 'n3']).orderBy('platform_post_id').execute();
      assert.deepEqual(texts.map((p) => p.text), ['before', '{"a":[1,2]}']);
      assert.equal((await lastImport(t.store)).state, 'done');
    });

    it('GB18030: a literal U+FFFD is data, a byte GB18030 does not allow is quarantined', async () => {
      const mapping = { id: 'id', text: 'text' };
      const iconv = (await import('iconv-lite')).default;
      const bytes = Buffer.concat([iconv.encode('id,text\ng1,中文 \uFFFD 好\ng2,坏', 'gb18030'), Buffer.from([0xff]), iconv.encode('字\ng3,好\n', 'gb18030')]);
      const file = files.file('gb.csv', bytes);
      const c = await importFile(t.store, file, { format: resolveFormat({ name: 'csv', mapping }), mapping, encoding: 'gb18030', quiet: true, source: 'gb' });
      assert.deepEqual(c, { rows: 3, imported: 2, duplicates: 0, quarantined: 1, conflicts: 0 });
      const g1 = await t.store.db.selectFrom('posts').select('text').where('platform_post_id', '=', 'g1').executeTakeFirstOrThrow();
      assert.equal(g1.text, '中文 \uFFFD 好');
      const [e] = await errorsOf(t.store, file);
      assert.equal(e.line, 3);
      assert.match(e.reason, /\(ff\)/);
    });

    it('a NUL near the start is a damaged row, quarantined; a UTF-16 file is refused at once', async () => {
      const file = files.file('early-nul.csv', `${csv([WEIBOSCOPE_COLUMNS])}n\u00001,,u1,,,0,x,,2012-01-03 02:02:27,,False\n${csv([row('n2', 'ok')])}`);
      const c = await importFile(t.store, file, { format: weibo, quiet: true, source: 'early-nul' });
      assert.deepEqual(c, { rows: 2, imported: 1, duplicates: 0, quarantined: 1, conflicts: 0 });
      const utf16 = files.file('utf16.csv', Buffer.from(`\uFEFF${csv([WEIBOSCOPE_COLUMNS, row('w1', 'x')])}`, 'utf16le'));
      await assert.rejects(importFile(t.store, utf16, { format: weibo, quiet: true, source: 'utf16' }), /binary or UTF-16/);
    });

    it('an id too long for the unique index is quarantined instead of failing the whole write', async () => {
      const file = files.file('long-id.csv', csv([WEIBOSCOPE_COLUMNS, row('好'.repeat(1000), 'long id'), row('short', 'ok')]));
      const c = await importFile(t.store, file, { format: weibo, quiet: true, source: 'long-id' });
      assert.deepEqual(c, { rows: 2, imported: 1, duplicates: 0, quarantined: 1, conflicts: 0 });
      const [e] = await errorsOf(t.store, file);
      assert.deepEqual([e.line, e.field], [2, '(post id)']);
      assert.match(e.reason, /3000 bytes long, over the 2048/);
    });

    it('ids a spreadsheet rounded: same content is a duplicate, other content a conflicting duplicate with both versions', async () => {
      const file = files.file('rounded.csv', csv([WEIBOSCOPE_COLUMNS,
        row('9.1458E+17', 'first text'), row('9.1458E+17', 'second text'), row('9.1458E+17', 'first text'),
        row('9.1458E+17', 'first text', 'u2'), row('ok1', 'fine')]));
      const errorsPath = `${files.dir}/rounded-errors.jsonl`;
      const errors = openErrorsFile(errorsPath);
      const c = await importFile(t.store, file, { format: weibo, quiet: true, source: 'rounded', errors });
      await new Promise<void>((res) => errors.end(res));
      assert.deepEqual(c, { rows: 5, imported: 2, duplicates: 1, quarantined: 2, conflicts: 2 });
      const errs = await errorsOf(t.store, file);
      assert.deepEqual(errs.map((e) => [e.line, e.field]), [[3, '(post)'], [5, '(post)']]);
      assert.match(errs[0].reason, /conflicting duplicate: post id 9\.1458E\+17 is already stored with another text/);
      assert.match(errs[1].reason, /another account/);
      const both = JSON.parse(errs[0].raw);
      assert.equal(both.row.text, 'second text');
      assert.equal(both.stored.text, 'first text');
      assert.equal(both.stored.account, 'u1');
      assert.equal(both.row.created_at, Date.UTC(2012, 0, 3, 2, 2, 27));
      assert.equal(readFileSync(errorsPath, 'utf8').trim().split('\n').length, 2);
      assert.deepEqual(await lastImport(t.store), { rows: 5, imported: 2, duplicates: 1, quarantined: 2, state: 'done' });

      // Again, and across files: the stored version still wins, the conflicts are found again.
      const again = await importFile(t.store, file, { format: weibo, quiet: true, source: 'rounded' });
      assert.deepEqual(again, { rows: 5, imported: 0, duplicates: 3, quarantined: 2, conflicts: 2 });
      const other = files.file('rounded-2.csv', csv([WEIBOSCOPE_COLUMNS, row('9.1458E+17', 'third text', 'u1', '2012-01-03 02:02:28')]));
      const c2 = await importFile(t.store, other, { format: weibo, quiet: true, source: 'rounded' });
      assert.deepEqual(c2, { rows: 1, imported: 0, duplicates: 0, quarantined: 1, conflicts: 1 });
      assert.match((await errorsOf(t.store, other))[0].reason, /another text and created_at/);
    });

    it('a conflict between two rows of one large file, in different transactions, is caught', async () => {
      const rows = [WEIBOSCOPE_COLUMNS];
      for (let i = 0; i < 3000; i++) rows.push(row(`big${i}`, `text ${i}`));
      rows.push(row('big5', 'not text 5'));
      const file = files.file('big-conflict.csv', csv(rows));
      const c = await importFile(t.store, file, { format: weibo, quiet: true, source: 'big', transactionRows: 500 });
      assert.deepEqual(c, { rows: 3001, imported: 3000, duplicates: 0, quarantined: 1, conflicts: 1 });
      assert.deepEqual((await errorsOf(t.store, file)).map((e) => e.line), [3002]);
    });
  });
}

describe('the accounting rule', () => {
  it('accepts counts that add up and explains counts that do not', () => {
    assert.equal(accountingError({ rows: 5, imported: 2, duplicates: 1, quarantined: 2 }, 'f.csv'), null);
    assert.deepEqual(finalState({ rows: 5, imported: 2, duplicates: 1, quarantined: 2 }, 'f.csv'), { state: 'done', error: null });
    const lost = finalState({ rows: 60_000, imported: 9, duplicates: 0, quarantined: 1 }, 'f.csv');
    assert.equal(lost.state, 'failed');
    assert.match(lost.error!, /f\.csv does not add up: 60000 rows were read .* 59990 rows are unaccounted for/);
    assert.match(finalState({ rows: 1, imported: 1, duplicates: 1, quarantined: 0 }, 'f.csv').error!, /counted twice/);
  });
});
