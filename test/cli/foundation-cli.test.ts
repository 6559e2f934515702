/** The foundation's command line: import, stats and export with their exact JSON shapes. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir, csv } from '../helpers/files.ts';
import { runCli } from '../helpers/cli.ts';
import { WEIBOSCOPE_COLUMNS } from '../../src/collect/samples/sample-files.ts';

const row = (id: string, uid: string, deleted: string, denied: string) =>
  [id, '', uid, '', '', '0', `微博 ${id}`, '', '2012-01-03 02:02:27', deleted, denied];

for (const b of backends()) {
  describe(`import, stats, export on the command line [${b.label}]`, () => {
    let t: TestStore;
    const files = tempDir();
    let file: string;
    before(async () => {
      t = await b.open();
      file = files.file('w.csv', csv([WEIBOSCOPE_COLUMNS, row('1', 'alice', '', 'False'), row('2', 'alice', '2012-01-04 00:00:00', 'True'),
        row('3', 'bob', '2012-01-04 00:00:00', 'False'), row('4', 'carol', '', ''), ['5', 'broken']]));
    });
    after(async () => { await t.cleanup(); files.cleanup(); });

    it('import --json prints {imported, duplicates, quarantined} (plus rows and conflicts), and again is all duplicates', () => {
      const first = runCli(['import', '--format', 'weiboscope', '--json', file], t.env);
      assert.equal(first.status, 0, first.stderr);
      assert.deepEqual(JSON.parse(first.stdout), { imported: 4, duplicates: 0, quarantined: 1, rows: 5, conflicts: 0 });
      const again = runCli(['import', '--format', 'weiboscope', '--json', '--errors', `${files.dir}/e.jsonl`, file], t.env);
      assert.deepEqual(JSON.parse(again.stdout), { imported: 0, duplicates: 4, quarantined: 1, rows: 5, conflicts: 0 });
      const err = JSON.parse(readFileSync(`${files.dir}/e.jsonl`, 'utf8'));
      assert.equal(err.line, 6);
      assert.equal(err.field, '(row)');
    });

    it('stats --json counts posts, accounts and every status', () => {
      const r = runCli(['stats', '--json'], t.env);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), {
        posts: 4, accounts: 3,
        byStatus: { visible: 2, deleted: 1, deleted_by_author: 0, removed_by_platform: 1, account_gone: 0, unknown: 0 },
      });
    });

    it('export posts pseudonymises accounts by default, consistently, and reveals them only on request', () => {
      const hidden = runCli(['export', 'posts', '--format', 'jsonl'], t.env);
      assert.equal(hidden.status, 0, hidden.stderr);
      const posts = hidden.stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(posts.length, 4);
      for (const key of ['source', 'platform_post_id', 'account', 'created_at', 'text', 'status', 'status_changed_at']) {
        assert.ok(key in posts[0], `record has ${key}`);
      }
      const byId = Object.fromEntries(posts.map((p) => [p.platform_post_id, p]));
      assert.equal(byId['1'].account, byId['2'].account, 'same account, same pseudonym');
      assert.notEqual(byId['1'].account, byId['3'].account);
      assert.doesNotMatch(hidden.stdout, /alice|bob|carol/);
      assert.equal(byId['2'].status, 'removed_by_platform');
      assert.equal(byId['3'].status, 'deleted', 'exports carry the actor-unknown status as is');
      assert.equal(byId['2'].status_changed_at, '2012-01-04T00:00:00.000Z');
      // Same store, same key: a second export gives the same pseudonyms.
      const again = runCli(['export', 'posts', '--format', 'jsonl'], t.env).stdout.trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(again.find((p) => p.platform_post_id === '1').account, byId['1'].account);

      const revealed = runCli(['export', 'posts', '--format', 'csv', '--reveal-accounts', '--out', `${files.dir}/out.csv`], t.env);
      assert.equal(revealed.status, 0, revealed.stderr);
      const rows = Papa.parse<Record<string, string>>(readFileSync(`${files.dir}/out.csv`, 'utf8'), { header: true, skipEmptyLines: true }).data;
      assert.deepEqual(rows.map((r) => r.account).sort(), ['alice', 'alice', 'bob', 'carol']);
      assert.equal(rows.find((r) => r.platform_post_id === '1')!.text, '微博 1');
    });

    it('fails with a sentence and a non-zero exit on a file of the wrong format', () => {
      const png = files.file('x.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
      const r = runCli(['import', '--format', 'twitter-io', png], t.env);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /is a PNG image, not a CSV file in the twitter-io format/);
      assert.doesNotMatch(r.stderr, /at .*\.ts:\d+/, 'no stack trace');
      const unknown = runCli(['import', '--format', 'nope', file], t.env);
      assert.notEqual(unknown.status, 0);
      assert.match(unknown.stderr, /Unknown format "nope"/);
    });
  });
}

describe('every command has --help', () => {
  it('prints usage and exits 0 for each command', () => {
    const top = runCli(['--help']);
    assert.equal(top.status, 0);
    const names = [...top.stdout.matchAll(/^ {2}([a-z][\w-]*)/gm)].map((m) => m[1]).filter((n) => n !== 'help');
    assert.ok(names.includes('import') && names.includes('stats') && names.includes('export'));
    for (const name of names) {
      const r = runCli([name, '--help']);
      assert.equal(r.status, 0, `${name} --help`);
      assert.match(r.stdout, new RegExp(`Usage: censorscope ${name}`));
    }
  });
});
