/**
 * Times are read the same whatever the machine's time zone: every format's dates are parsed in
 * child processes under several TZ values and must give identical epoch ms, equal to the UTC
 * reading the README documents.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const ZONES = ['UTC', 'Asia/Shanghai', 'America/New_York', 'Pacific/Chatham'];

// Each format's time field, as its files write it, with the UTC instant it stands for.
const CASES: Array<[format: string, value: string, expected: number]> = [
  ['ira', '10/1/17 19:58', Date.UTC(2017, 9, 1, 19, 58)],
  ['ira', '1/2/2017 14:39', Date.UTC(2017, 0, 2, 14, 39)],
  ['ira', '12/31/99 23:59', Date.UTC(1999, 11, 31, 23, 59)],
  ['weiboscope', '2012-01-03 02:02:27', Date.UTC(2012, 0, 3, 2, 2, 27)],
  ['twitter-io', '2019-06-01 12:30', Date.UTC(2019, 5, 1, 12, 30)],
  ['qut', '1546300800', Date.UTC(2019, 0, 1)],
  ['csv', '2020-02-01T10:00:00+08:00', Date.UTC(2020, 1, 1, 2)],
  ['csv', '2020-02-01 10:00:00', Date.UTC(2020, 1, 1, 10)],
  ['csv', 'Mon Oct 01 19:58:00 +0000 2017', Date.UTC(2017, 9, 1, 19, 58)],
  ['csv', 'Sun, 01 Oct 2017 19:58:00 -0400', Date.UTC(2017, 9, 1, 23, 58)],
  ['csv', 'October 1, 2017 7:58 PM', Date.UTC(2017, 9, 1, 19, 58)],
  ['csv', 'Oct 1 2017 19:58', Date.UTC(2017, 9, 1, 19, 58)],
];

// Maps one row through the real format, so each format's own field and parser are used.
const CHILD = `
const { resolveFormat } = await import('./src/collect/formats/registry.ts');
const cases = JSON.parse(process.argv[1]);
const column = { ira: 'publish_date', weiboscope: 'created_at', 'twitter-io': 'tweet_time', qut: 'timestamp', csv: 'time' };
const base = { mid: 'm', uid: 'u', text: 't', deleted_last_seen: '', permission_denied: '', tweetid: '1', userid: 'u', tweet_text: 't',
  author: 'a', content: 't', alt_external_id: 'a', tweet_id: '1', message_id: '1', user_id: 'u', message: 't', id: '1' };
const out = cases.map(([name, value]) => {
  const format = resolveFormat({ name, mapping: name === 'csv' ? { id: 'id', text: 'text', created_at: 'time' } : undefined });
  const fields = { ...base, [column[name]]: value };
  return format.toPost({ get: (c) => fields[c], raw: () => '' }).createdAt;
});
process.stdout.write(JSON.stringify({ tz: Intl.DateTimeFormat().resolvedOptions().timeZone, offset: new Date(Date.UTC(2017, 9, 1)).getTimezoneOffset(), out }));
`;

describe('times whatever the machine time zone', () => {
  it('every format reads the same instants under UTC, Asia/Shanghai, America/New_York and Pacific/Chatham', () => {
    const results = ZONES.map((tz) => {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD, JSON.stringify(CASES.map(([f, v]) => [f, v]))], {
        env: { ...process.env, TZ: tz }, encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      return JSON.parse(r.stdout) as { tz: string; offset: number; out: number[] };
    });
    // The children really ran in different zones, or the test proves nothing.
    assert.equal(new Set(results.map((r) => r.offset)).size, ZONES.length, JSON.stringify(results.map((r) => [r.tz, r.offset])));
    for (const r of results) {
      assert.deepEqual(r.out, CASES.map(([, , expected]) => expected), `under TZ=${r.tz}`);
    }
  });
});
