/** Field parsing: the date styles and lists the real formats use. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseTime, parseList, parseBool, hashtagsIn } from '../../src/collect/formats/fields.ts';
import { RowError } from '../../src/collect/formats/row-error.ts';

describe('fields', () => {
  it('reads the date styles of the formats as UTC', () => {
    assert.equal(parseTime('2012-01-03 02:02:27', 'f'), Date.UTC(2012, 0, 3, 2, 2, 27));
    assert.equal(parseTime('1/2/2017 14:39', 'f'), Date.UTC(2017, 0, 2, 14, 39));
    assert.equal(parseTime('12/31/2016 9:05', 'f'), Date.UTC(2016, 11, 31, 9, 5));
    assert.equal(parseTime('1546300800', 'f'), 1546300800_000);
    assert.equal(parseTime('1546300800123', 'f'), 1546300800123);
    assert.equal(parseTime('2020-02-01T10:00:00+08:00', 'f'), Date.UTC(2020, 1, 1, 2));
    assert.equal(parseTime('2020-02-01T10:00:00.250Z', 'f'), Date.UTC(2020, 1, 1, 10, 0, 0, 250));
    assert.equal(parseTime('', 'f'), null);
  });

  it('names the field when a date is unreadable or impossible', () => {
    for (const bad of ['yesterday', '2012-13-01 00:00:00', '2/30/2017 25:00', '2/30/2017 10:00', '2019-02-30 10:00', '2019-02-29 10:00:00', '2/29/19 1:00']) {
      assert.throws(() => parseTime(bad, 'publish_date'), (e: unknown) => e instanceof RowError && e.field === 'publish_date');
    }
    assert.throws(() => parseTime('', 'tweet_time', { required: true }), /is missing/);
  });

  it('reads lists and booleans as archives write them', () => {
    assert.deepEqual(parseList("['a', 'b']"), ['a', 'b']);
    assert.deepEqual(parseList('[a, b]'), ['a', 'b']);
    assert.equal(parseList('[]'), null);
    assert.equal(parseBool('True', 'x'), true);
    assert.equal(parseBool('0', 'x'), false);
    assert.throws(() => parseBool('maybe', 'is_retweet'), /is_retweet/);
    assert.deepEqual(hashtagsIn('看 #两会# 和 #Hello world'), ['两会', 'hello']);
  });
});
