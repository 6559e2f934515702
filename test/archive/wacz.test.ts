/**
 * WACZ export by site, post and all validates, is deterministic and passes the real `unzip -t`;
 * tampering (a WARC byte, a CDXJ offset, a stated hash) is named by validateWacz.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { unzipSync, zipSync } from 'fflate';
import { backends } from '../helpers/stores.ts';
import { openArchive } from '../../src/archive/index.ts';
import { exportWacz, validateWacz } from '../../src/archive/wacz.ts';
import { fillArchive, SITE_URL } from './fixture.ts';

const unzipAvailable = spawnSync('unzip', ['-v']).status === 0;
if (!unzipAvailable && process.env.CI) throw new Error('CI is set but unzip is not installed: the WACZ test checks packages with the real `unzip -t` (apt-get install unzip).');
if (!unzipAvailable) console.warn('# unzip is not installed: the `unzip -t` check of exported WACZ files is skipped (apt-get install unzip).');

/** Rewrites one member of a WACZ (stored, as the export writes it). */
function rewrite(file: string, out: string, edit: (entries: Record<string, Uint8Array>) => void): void {
  const entries = unzipSync(readFileSync(file));
  edit(entries);
  writeFileSync(out, zipSync(entries, { level: 0 }));
}
const sha = (b: Uint8Array) => `sha256:${createHash('sha256').update(b).digest('hex')}`;
/** Restates a resource's hash and size in the datapackage, and the datapackage's digest, as a careful forger would. */
function rehash(entries: Record<string, Uint8Array>): void {
  const pkg = JSON.parse(Buffer.from(entries['datapackage.json']!).toString()) as { resources: Array<{ path: string; hash: string; bytes: number }> };
  for (const r of pkg.resources) { r.hash = sha(entries[r.path]!); r.bytes = entries[r.path]!.length; }
  entries['datapackage.json'] = Buffer.from(JSON.stringify(pkg));
  entries['datapackage-digest.json'] = Buffer.from(JSON.stringify({ path: 'datapackage.json', hash: sha(entries['datapackage.json']) }));
}

for (const backend of backends()) {
  test(`${backend.label}: WACZ export by site, post and all validates and detects tampering`, async () => {
    const ts = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'censorscope-wacz-'));
    try {
      const archive = await openArchive(ts.store, { dir: join(dir, 'archive') });
      const { postId } = await fillArchive(ts.store, archive);
      await archive.close();

      const bySite = join(dir, 'site.wacz');
      const s = await exportWacz(ts.store, archive, { site: SITE_URL }, bySite);
      assert.equal(s.pages, 4);
      assert.deepEqual((await validateWacz(bySite)).problems, []);
      const byPost = join(dir, 'post.wacz');
      const p = await exportWacz(ts.store, archive, { post: postId }, byPost);
      assert.equal(p.pages, 2);
      assert.equal(p.records, 5, 'the post\'s two pairs plus the site response its revisit repeats');
      const vp = await validateWacz(byPost);
      assert.deepEqual(vp.problems, []);
      const all = join(dir, 'all.wacz');
      await exportWacz(ts.store, archive, { all: true }, all);
      const va = await validateWacz(all);
      assert.deepEqual(va.problems, []);
      assert.deepEqual(va.counts, { resources: 3, indexLines: 6, pages: 6 });

      // Contents a replay tool reads.
      const entries = unzipSync(readFileSync(byPost));
      assert.deepEqual(Object.keys(entries), ['archive/data.warc.gz', 'indexes/index.cdxj', 'pages/pages.jsonl', 'datapackage.json', 'datapackage-digest.json']);
      const pages = Buffer.from(entries['pages/pages.jsonl']!).toString().trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>);
      assert.deepEqual(pages[0], { format: 'json-pages-1.0', id: 'pages', title: 'Censorscope captures of post ' + postId });
      assert.equal(pages[1]!.title, 'Morning news 新闻', 'a revisit page takes its title from the original payload');
      assert.equal(pages[1]!.ts, '2026-11-01T08:03:20.000Z');
      const pkg = JSON.parse(Buffer.from(entries['datapackage.json']!).toString()) as Record<string, unknown>;
      assert.equal(pkg.wacz_version, '1.1.1');
      assert.equal(pkg.profile, 'data-package');
      const cdxj = Buffer.from(entries['indexes/index.cdxj']!).toString().trim().split('\n');
      assert.equal(cdxj.length, 3);
      assert.match(cdxj[0]!, /^test,example,news\)\/ 20261101080000 \{"url":"http:\/\/news\.example\.test\/","mime":"text\/html","status":"200"/);
      assert.match(cdxj[1]!, /^test,example,social\)\/p\/1 20261101080320 \{.*"mime":"warc\/revisit"/);

      // Deterministic: the same data gives the same bytes.
      const again = join(dir, 'post2.wacz');
      await exportWacz(ts.store, archive, { post: postId }, again);
      assert.deepEqual(readFileSync(again), readFileSync(byPost));

      if (unzipAvailable) {
        const t = spawnSync('unzip', ['-t', all], { encoding: 'utf8' });
        assert.equal(t.status, 0, t.stdout + t.stderr);
        assert.match(t.stdout, /No errors detected/);
      }

      // One byte of the WARC changed.
      const t1 = join(dir, 't1.wacz');
      rewrite(all, t1, (e) => { const w = new Uint8Array(e['archive/data.warc.gz']!); w[w.length - 40] ^= 0xff; e['archive/data.warc.gz'] = w; });
      const p1 = (await validateWacz(t1)).problems;
      assert.ok(p1.some((x) => x.startsWith('archive/data.warc.gz has hash')), p1.join('\n'));
      // The same, with the datapackage re-hashed: the record itself no longer checks out.
      const t1b = join(dir, 't1b.wacz');
      rewrite(all, t1b, (e) => { const w = new Uint8Array(e['archive/data.warc.gz']!); w[w.length - 40] ^= 0xff; e['archive/data.warc.gz'] = w; rehash(e); });
      const p1b = (await validateWacz(t1b)).problems;
      assert.ok(p1b.length > 0 && p1b.every((x) => x.startsWith('archive/data.warc.gz: ')), p1b.join('\n'));
      // A CDXJ offset moved, hashes restated.
      const t2 = join(dir, 't2.wacz');
      rewrite(all, t2, (e) => {
        const lines = Buffer.from(e['indexes/index.cdxj']!).toString().split('\n');
        lines[1] = lines[1]!.replace(/"offset":"(\d+)"/, (_, n: string) => `"offset":"${Number(n) + 1}"`);
        e['indexes/index.cdxj'] = Buffer.from(lines.join('\n'));
        rehash(e);
      });
      const p2 = (await validateWacz(t2)).problems;
      assert.ok(p2.some((x) => x.startsWith('indexes/index.cdxj line 2')), p2.join('\n'));
      // A stated hash changed.
      const t3 = join(dir, 't3.wacz');
      rewrite(all, t3, (e) => {
        e['datapackage.json'] = Buffer.from(Buffer.from(e['datapackage.json']!).toString().replace(/"hash": "sha256:[0-9a-f]/, '"hash": "sha256:X'));
      });
      const p3 = (await validateWacz(t3)).problems;
      assert.ok(p3.some((x) => /^archive\/data\.warc\.gz has hash .* datapackage\.json says sha256:X/.test(x)), p3.join('\n'));
      assert.ok(p3.some((x) => x.startsWith('datapackage.json has hash')), 'the datapackage digest no longer matches');

      await assert.rejects(exportWacz(ts.store, archive, { site: 'http://unknown.test/' }, join(dir, 'x.wacz')), /no tracked site has the URL http:\/\/unknown\.test\//);
      await assert.rejects(exportWacz(ts.store, archive, { all: true }, join(dir, 'no', 'such', 'x.wacz')), /the folder .*no\/such for --out does not exist/);
      await assert.rejects(exportWacz(ts.store, archive, { post: 999 }, join(dir, 'x.wacz')), /no post with ID 999/);
      await assert.rejects(exportWacz(ts.store, archive, { all: true, post: postId }, join(dir, 'x.wacz')), /exactly one of/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await ts.cleanup();
    }
  });
}
