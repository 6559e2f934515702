/**
 * `censorscope impostors` and `censorscope watchlist`, run as the real command line: the --json
 * document has exactly the shape; the user's own lists are printed as given; the store's
 * flagged accounts are pseudonymised unless --reveal-accounts; bad lines are named, not fatal.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, type TestStore } from '../helpers/stores.ts';
import { runCli } from '../helpers/cli.ts';
import { seedImpostors, WATCHLIST_CSV } from '../detect/impostors/fixture.ts';

const dir = mkdtempSync(path.join(tmpdir(), 'impostors-cli-'));
const file = (name: string, text: string) => { const p = path.join(dir, name); writeFileSync(p, text); return p; };
after(() => rmSync(dir, { recursive: true, force: true }));

interface Doc { accounts: Array<Record<string, unknown>>; domains: Array<Record<string, unknown>> }

describe('censorscope impostors --accounts/--domains (the user\'s own lists, no store)', () => {
  it('prints exactly one JSON document of the issue\'s shape, listing only what it flags, accounts as given', () => {
    const watch = file('watch.csv', WATCHLIST_CSV);
    const accounts = file('accounts.csv', 'account_id,name,handle\n1001,人民曰报,rmrb_fake\n1002,张伟,zhangwei\n1003,新华网,xinhuanet\n1004\n');
    const domains = file('domains.txt', '# suspects\nspiegel.ltd\nt-onlinr.life\nwww.spiegel.de\ntaz.de\nnot a domain\n\nspiegel.de.example.com\n');
    const r = runCli(['impostors', '--watchlist', watch, '--accounts', accounts, '--domains', domains, '--json'], { CENSORSCOPE_DB: path.join(dir, 'unused.db') });
    assert.equal(r.status, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Doc;
    assert.deepEqual(Object.keys(doc), ['accounts', 'domains']);
    assert.equal(doc.accounts.length, 1, JSON.stringify(doc.accounts));
    assert.deepEqual(Object.keys(doc.accounts[0]!), ['account_id', 'name', 'handle', 'target', 'score', 'reasons']);
    assert.deepEqual({ ...doc.accounts[0], score: undefined, reasons: undefined }, { account_id: '1001', name: '人民曰报', handle: 'rmrb_fake', target: '人民日报', score: undefined, reasons: undefined });
    assert.match((doc.accounts[0]!.reasons as string[]).join(), /日→曰/);
    assert.deepEqual(doc.domains.map((d) => [d.domain, d.target]), [['spiegel.ltd', 'spiegel.de'], ['t-onlinr.life', 't-online.de'], ['spiegel.de.example.com', 'spiegel.de']]);
    assert.deepEqual(Object.keys(doc.domains[0]!), ['domain', 'target', 'score', 'reasons']);
    assert.deepEqual(doc.domains[1]!.reasons, ["'e'→'r' at 8 (keyboard neighbour)", 'suffix .de→.life']);
    // Bad lines are named by file, line and field, and skipped.
    assert.match(r.stderr, /accounts\.csv, line 5, field \(row\): the row has 1 fields/);
    assert.match(r.stderr, /domains\.txt, line 6, field domain: "not a domain" is not a domain/);
  });

  it('fails with a sentence on a watchlist with the wrong header', () => {
    const r = runCli(['impostors', '--watchlist', file('bad.csv', 'site\nspiegel.de\n'), '--domains', file('d.txt', 'spiegel.ltd\n')]);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /bad\.csv, line 1: the header must be name,handle,platform,domain/);
  });
});

for (const b of backends()) {
  describe(`censorscope impostors on the store, and censorscope watchlist [${b.label}]`, () => {
    let t: TestStore;
    before(async () => {
      t = await b.open();
      await seedImpostors(t.store);
    });
    after(async () => t?.cleanup());

    it('scans the store, stores findings, and pseudonymises the flagged accounts unless --reveal-accounts', async () => {
      const r = runCli(['impostors', '--json'], t.env);
      assert.equal(r.status, 0, r.stderr);
      const doc = JSON.parse(r.stdout) as Doc;
      assert.equal(doc.accounts.length, 4);
      for (const a of doc.accounts) {
        assert.match(String(a.account_id), /^acct_[0-9a-f]{20}$/);
        assert.equal(a.handle, a.account_id, 'the handle is the same pseudonym');
        assert.equal(a.name, null, 'display names are dropped');
      }
      assert.ok(!r.stdout.includes('rmrb_news') && !r.stdout.includes('人民曰报'), 'no raw handle or name');
      assert.deepEqual(doc.domains.map((d) => d.domain).sort(), ['bild.pics', 'spiegel.ltd', 't-onlinr.life']);
      const stored = await t.store.db.selectFrom('findings').select('key').where('kind', '=', 'impostor').execute();
      assert.equal(stored.length, 7);
      const revealed = JSON.parse(runCli(['impostors', '--json', '--reveal-accounts'], t.env).stdout) as Doc;
      assert.ok(revealed.accounts.some((a) => a.handle === 'rmrb_news' && a.name === '人民曰报' && a.account_id === 'u5' && a.target === '人民日报'));
    });

    it('watchlist add | list --json | remove | import FILE (bad rows quarantined in import_errors)', async () => {
      const before = JSON.parse(runCli(['watchlist', 'list', '--json'], t.env).stdout) as Array<{ id: number; domain: string | null }>;
      assert.equal(before.length, 9);
      const add = runCli(['watchlist', 'add', '--domain', 'faz.net', '--json'], t.env);
      assert.deepEqual(JSON.parse(add.stdout), { added: 1 });
      assert.match(runCli(['watchlist', 'add'], t.env).stderr, /give at least one/);
      assert.match(runCli(['watchlist', 'add', '--domain', 'nope'], t.env).stderr, /--domain: "nope" is not a domain/);
      const list = JSON.parse(runCli(['watchlist', 'list', '--json'], t.env).stdout) as Array<{ id: number; domain: string | null }>;
      const faz = list.find((e) => e.domain === 'faz.net')!;
      assert.deepEqual(JSON.parse(runCli(['watchlist', 'remove', String(faz.id), '--json'], t.env).stdout), { removed: 1 });
      const csv = file(`import-${b.label}.csv`, 'name,handle,platform,domain\n,,,welt.de\n,,,bad domain\n人民日报,rmrb,weibo,\n');
      const imp = runCli(['watchlist', 'import', csv, '--json'], t.env);
      assert.deepEqual(JSON.parse(imp.stdout), { added: 1, duplicates: 1, quarantined: 1 });
      assert.match(imp.stderr, /line 3, field domain/);
      const q = await t.store.db.selectFrom('import_errors').select(['line', 'field', 'reason']).where('file', '=', csv).execute();
      assert.deepEqual(q.map((e) => [e.line, e.field]), [[3, 'domain']]);
    });
  });
}
