import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { parse } from 'csv-parse/sync';
import { backends, type TestStore } from '../../helpers/stores.ts';
import { runCli } from '../../helpers/cli.ts';
import { p, seed } from './fixtures.ts';

const T0 = Date.UTC(2024, 4, 1, 8, 0, 0);
const TEXTS = [
  '我们坚决支持这项伟大的政策，人民群众一致拥护，这是历史的选择',
  '外国势力的抹黑不会得逞，真相终将大白于天下，大家一起来转发',
  '经济发展取得了举世瞩目的成就，老百姓的日子越过越红火了呢',
];
// Account ids are scraped text: the exports must escape them.
const ACCOUNTS = ['a<b&"c', "d'e>f", 'plain', '=cmd|x'];

function fixture() {
  const posts = [];
  let k = 0;
  for (let m = 0; m < TEXTS.length; m++) {
    ACCOUNTS.forEach((a, i) => posts.push(p(`m${m}-${k++}`, a, T0 + m * 86_400_000 + i * 60_000, `${TEXTS[m]}${i % 2 ? '！' : ''}`, { urls: [`https://ex.org/${m}?utm_source=${i}`] })));
  }
  posts.push(p('lonely', 'other', T0, '完全无关的一条普通帖子，今天的午饭很好吃'));
  return posts;
}

const xml = new XMLParser({ ignoreAttributes: false, attributeNamePrefix: '@', isArray: (name) => ['node', 'edge', 'data', 'attvalue', 'key'].includes(name) });

for (const b of backends()) {
  describe(`coordination CLI and exports [${b.label}]`, () => {
    let t: TestStore;
    let dir: string;
    before(async () => {
      t = await b.open();
      dir = mkdtempSync(path.join(tmpdir(), 'coord-export-'));
      await seed(t.store, fixture());
    });
    after(async () => {
      await t.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('prints exactly the campaigns JSON and writes CSV, GraphML, GEXF and a summary that parse back', () => {
      const files = { edges: path.join(dir, 'e.csv'), graphml: path.join(dir, 'n.graphml'), gexf: path.join(dir, 'n.gexf'), summary: path.join(dir, 's.json') };
      const r = runCli(['coordination', '--json', '--reveal-accounts', '--edges', files.edges, '--graphml', files.graphml, '--gexf', files.gexf, '--summary', files.summary], t.env);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { campaigns: Array<Record<string, unknown>> };
      assert.deepEqual(Object.keys(out), ['campaigns']);
      assert.equal(out.campaigns.length, 1);
      const c = out.campaigns[0];
      assert.deepEqual(Object.keys(c).sort(), ['accounts', 'end', 'id', 'posts', 'score', 'start']);
      assert.deepEqual([...(c.accounts as string[])].sort(), [...ACCOUNTS].sort());
      assert.equal(c.posts, 12);
      assert.equal(c.start, new Date(T0).toISOString());

      const csv = parse(readFileSync(files.edges), { columns: true }) as Array<Record<string, string>>;
      assert.deepEqual(Object.keys(csv[0]), ['source', 'target', 'weight', 'edge_type', 'evidence']);
      const types = new Set(csv.map((row) => row.edge_type));
      assert.deepEqual([...types].sort(), ['co_link', 'co_similar_tweet', 'co_tweet']);
      for (const row of csv) {
        // Evidence names posts as [source, platform post id], never by the store's row ids.
        const ev = JSON.parse(row.evidence) as Array<[[string, string], [string, string]]>;
        assert.equal(ev.length, Number(row.weight));
        assert.ok(ev.every((pair) => pair.length === 2 && pair.every((ref) => ref.length === 2 && /^m\d-\d+$/.test(ref[1]))), row.evidence);
      }
      // The spreadsheet-formula account is neutralised in CSV.
      assert.ok(csv.some((row) => row.source === "'=cmd|x" || row.target === "'=cmd|x"));

      const gm = xml.parse(readFileSync(files.graphml, 'utf8'));
      const g = gm.graphml.graph;
      assert.deepEqual(g.node.map((n: Record<string, string>) => n['@id']).sort(), [...ACCOUNTS].sort());
      assert.equal(g.edge.length, csv.length);
      for (const e of g.edge) {
        const data = Object.fromEntries(e.data.map((d: Record<string, string>) => [d['@key'], String(d['#text'] ?? '')]));
        assert.ok(data.evidence.length > 0 && Number(data.weight) >= 2 && data.edge_type.startsWith('co_'));
      }

      const gx = xml.parse(readFileSync(files.gexf, 'utf8'));
      const gg = gx.gexf.graph;
      assert.deepEqual(gg.nodes.node.map((n: Record<string, string>) => n['@id']).sort(), [...ACCOUNTS].sort());
      assert.equal(gg.edges.edge.length, csv.length);
      for (const e of gg.edges.edge) {
        assert.ok(Number(e['@weight']) >= 2);
        assert.ok(e.attvalues.attvalue.some((a: Record<string, string>) => a['@for'] === '1' && JSON.parse(a['@value']).length > 0));
      }

      const summary = JSON.parse(readFileSync(files.summary, 'utf8'));
      assert.equal(summary.campaigns[0].id, c.id);
      assert.equal(summary.campaigns[0].size, 4);
      assert.ok(summary.campaigns[0].representative.length > 0);
    });

    it('pseudonymises every account in every export and in --json unless --reveal-accounts', () => {
      const files = { edges: path.join(dir, 'pe.csv'), graphml: path.join(dir, 'pn.graphml'), gexf: path.join(dir, 'pn.gexf'), summary: path.join(dir, 'ps.json') };
      const r = runCli(['coordination', '--json', '--edges', files.edges, '--graphml', files.graphml, '--gexf', files.gexf, '--summary', files.summary], t.env);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { campaigns: Array<{ accounts: string[] }> };
      assert.equal(out.campaigns[0]!.accounts.length, 4);
      assert.ok(out.campaigns[0]!.accounts.every((a) => /^acct_[0-9a-f]{20}$/.test(a)), out.campaigns[0]!.accounts.join(' '));
      const gm = xml.parse(readFileSync(files.graphml, 'utf8'));
      assert.deepEqual(gm.graphml.graph.node.map((n: Record<string, string>) => n['@id']).sort(), [...out.campaigns[0]!.accounts].sort());
      // 'plain' is the one id that needs no escaping, so it would appear verbatim in every format.
      for (const f of [r.stdout, ...Object.values(files).map((f) => readFileSync(f, 'utf8'))]) assert.doesNotMatch(f, /\bplain\b/);
    });

    it('explains bad options in a sentence', () => {
      const r = runCli(['coordination', '--types', 'similar,bogus'], t.env);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /--types takes a comma-separated list/);
      const h = runCli(['coordination', '--help'], t.env);
      assert.match(h.stdout, /--graphml <file>/);
    });
  });
}
