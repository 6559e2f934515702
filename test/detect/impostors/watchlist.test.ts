/** The watchlist: CSV read with bad rows quarantined (file, line, field, reason), stored on both backends. */
import { describe, it, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { addWatchEntries, listWatchlist, parseWatchlist, removeWatchEntries } from '../../../src/detect/impostors/watchlist.ts';
import { UserError } from '../../../src/util/errors.ts';
import { WATCHLIST_CSV } from './fixture.ts';

describe('watchlist CSV', () => {
  it('keeps good rows (any column may be empty) and quarantines bad ones with line, field and reason', () => {
    const text = [
      'name,handle,platform,domain',
      '人民日报,@rmrb,Weibo,',
      ',,,https://www.Spiegel.de/politik',
      'too,many,fields,here,x',
      ',,,not a domain',
      ',,,',
      `${'长'.repeat(201)},,,`,
      '"quoted, name",h,,',
      'ctl\u0007name,,,',
    ].join('\r\n');
    const { entries, errors } = parseWatchlist(text, 'w.csv');
    assert.deepEqual(entries, [
      { name: '人民日报', handle: 'rmrb', platform: 'weibo', domain: null },
      { name: null, handle: null, platform: null, domain: 'spiegel.de' },
      { name: 'quoted, name', handle: 'h', platform: null, domain: null },
    ]);
    assert.deepEqual(errors.map((e) => [e.line, e.field]), [[4, '(row)'], [5, 'domain'], [6, 'name'], [7, 'name'], [9, 'name']]);
    assert.match(errors[1]!.reason, /not a domain with a public suffix/);
    assert.match(errors[2]!.reason, /no name, handle or domain/);
    assert.equal(errors[0]!.raw, 'too,many,fields,here,x');
    assert.equal(errors[0]!.file, 'w.csv');
  });

  it('refuses a file whose header is not name,handle,platform,domain, with a sentence', () => {
    assert.throws(() => parseWatchlist('name,domain\nx,y.com', 'bad.csv'), (e: unknown) => e instanceof UserError && /bad\.csv, line 1: the header must be name,handle,platform,domain/.test(e.message));
  });
});

for (const b of backends()) {
  describe(`watchlist in the store [${b.label}]`, () => {
    let t: TestStore;
    before(async () => { t = await b.open(); });
    after(async () => t?.cleanup());

    it('adds, deduplicates, lists in order and removes', async () => {
      const { entries } = parseWatchlist(WATCHLIST_CSV, 'w.csv');
      assert.equal(await addWatchEntries(t.store, entries), 9);
      assert.equal(await addWatchEntries(t.store, entries), 0, 'the same entries again add nothing');
      const list = await listWatchlist(t.store);
      assert.equal(list.length, 9);
      assert.deepEqual(list[0], { id: list[0]!.id, name: '人民日报', handle: 'rmrb', platform: 'weibo', domain: null });
      assert.equal(list[8]!.domain, 'tagesspiegel.de');
      assert.equal(await removeWatchEntries(t.store, [list[0]!.id, 999_999]), 1);
      assert.equal((await listWatchlist(t.store)).length, 8);
    });
  });
}
