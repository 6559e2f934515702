/**
 * Issue 14's "done when" for evidence bundles, in real Chromium on both store backends: click
 * the bundle link on a post's page and on a campaign's page, save the download, unzip it, check
 * every file's hash against MANIFEST.sha256 (and manifest.json), and check that the report names
 * every observation of the post as GET /api/posts/:id lists them (every post of the campaign as
 * GET /api/campaigns/:id lists them). The report of a post with hostile text is opened in
 * Chromium too: it runs nothing, and it prints to PDF.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import type { Page } from 'playwright-core';
import { backends } from '../helpers/stores.ts';
import { browserSkip as skip, launchBrowser, SHOTS, type Browser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory, XSS_TEXTS, type Seeded } from '../../src/serve/fixtures.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';
import { verifyBundle } from '../../src/report/evidence/verify.ts';
import type { TestStore } from '../helpers/stores.ts';

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Checks every file of a bundle against MANIFEST.sha256 and manifest.json, by hand and with the verifier. */
function checkHashes(bytes: Uint8Array, name: string): Record<string, string> {
  const files = unzipSync(bytes);
  const sums = strFromU8(files['MANIFEST.sha256']!).trimEnd().split('\n').map((l) => /^([0-9a-f]{64}) {2}(.+)$/.exec(l)!);
  assert.deepEqual(sums.map((m) => m[2]).sort(), Object.keys(files).filter((f) => f !== 'MANIFEST.sha256').sort(), 'MANIFEST.sha256 lists every other file');
  for (const m of sums) assert.equal(sha(files[m[2]!]!), m[1], `${m[2]} matches MANIFEST.sha256`);
  const manifest = JSON.parse(strFromU8(files['manifest.json']!)) as { files: Array<{ file: string; bytes: number; sha256: string }> };
  for (const f of manifest.files) assert.deepEqual([files[f.file]!.byteLength, sha(files[f.file]!)], [f.bytes, f.sha256], `${f.file} matches manifest.json`);
  const verified = verifyBundle(bytes, name);
  assert.deepEqual(verified.problems, []);
  return Object.fromEntries(Object.entries(files).map(([k, v]) => [k, strFromU8(v)]));
}

for (const b of backends()) {
  describe(`evidence bundles downloaded from the dashboard [${b.label}]`, { skip }, () => {
    let ts: TestStore;
    let server: RunningServer;
    let seeded: Seeded;
    let browser: Browser;
    let dir: string;

    before(async () => {
      await ensureWebBundle();
      ts = await b.open();
      seeded = await seedObservatory(ts.store, { posts: 400, seed: 7 });
      server = await startServer(ts.store, { port: 0 });
      browser = await launchBrowser(server.url, { acceptDownloads: true });
      dir = mkdtempSync(join(tmpdir(), 'browser-evidence-'));
    });
    after(async () => {
      await browser?.close();
      await server?.close();
      await ts?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    /** Clicks the page's bundle link and returns the saved download's name and bytes. */
    async function download(page: Page): Promise<{ name: string; bytes: Uint8Array }> {
      await page.waitForSelector('#evidence-link');
      const [d] = await Promise.all([page.waitForEvent('download'), page.click('#evidence-link')]);
      const path = join(dir, `${b.label}-${d.suggestedFilename()}`);
      await d.saveAs(path);
      return { name: d.suggestedFilename(), bytes: new Uint8Array(readFileSync(path)) };
    }

    it("a post's bundle verifies and its report names every observation of the post", async () => {
      for (const id of [seeded.removedPostId, seeded.xssPostIds[0]!]) {
        const page = await browser.open(`/posts/${id}`);
        const { name, bytes } = await download(page);
        assert.equal(name, `censorscope-evidence-post-${id}.zip`);
        const files = checkHashes(bytes, name);
        const api = (await (await fetch(`${server.url}/api/posts/${id}`)).json()) as { observations: Array<{ id: number; observed_at: number }>; disappearances: Array<{ first_missing_at: number; observation_id: number }> };
        assert.ok(api.observations.length >= 2, 'the seeded post has observations');
        const report = files['report.html']!;
        for (const o of api.observations) {
          assert.ok(report.includes(`<td id="obs-${o.id}">#${o.id}</td><td><time datetime="${new Date(o.observed_at).toISOString()}">`), `report.html names observation #${o.id}`);
        }
        assert.equal((report.match(/<td id="obs-\d+">/g) ?? []).length, api.observations.length, 'and no other');
        for (const d of api.disappearances) assert.ok(report.includes(`first found missing at <time datetime="${new Date(d.first_missing_at).toISOString()}">`));
        assert.equal(JSON.parse(files['manifest.json']!).accounts, 'pseudonymised');
        await page.close();
      }
      assert.deepEqual(browser.problems, []);
    });

    it('a report with hostile text runs nothing in Chromium and prints to PDF', async () => {
      const res = await fetch(`${server.url}/api/posts/${seeded.xssPostIds[1]}/evidence.zip`);
      assert.equal(res.headers.get('content-type'), 'application/zip');
      const report = strFromU8(unzipSync(new Uint8Array(await res.arrayBuffer()))['report.html']!);
      const page = await browser.context.newPage();
      const dialogs: string[] = [];
      page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
      await page.setContent(report);
      assert.equal(await page.locator('#text').textContent(), XSS_TEXTS[1]);
      assert.equal(await page.locator('script').count(), 0);
      await page.emulateMedia({ media: 'print' });
      const pdf = await page.pdf({ format: 'A4', path: join(SHOTS, `evidence-report-${b.label}.pdf`) });
      assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
      assert.ok(pdf.byteLength > 10_000, `a PDF with content (${pdf.byteLength} bytes)`);
      assert.deepEqual(dialogs, []);
      await page.close();
    });

    it("a campaign's bundle verifies and its report names every post of the campaign", async () => {
      const page = await browser.open(`/campaigns/${encodeURIComponent(seeded.campaignKey)}`);
      const { name, bytes } = await download(page);
      assert.equal(name, `censorscope-evidence-campaign-${seeded.campaignKey}.zip`);
      const files = checkHashes(bytes, name);
      const api = (await (await fetch(`${server.url}/api/campaigns/${encodeURIComponent(seeded.campaignKey)}`)).json()) as { evidence: { postRefs: Array<{ source: string; platform_post_id: string }> } };
      assert.ok(api.evidence.postRefs.length > 5);
      for (const r of api.evidence.postRefs) assert.ok(files['report.html']!.includes(`<code>${r.source}:${r.platform_post_id}</code>`), `report.html names ${r.platform_post_id}`);
      assert.equal(files['posts.jsonl']!.trimEnd().split('\n').length, api.evidence.postRefs.length);
      await page.close();
      assert.deepEqual(browser.problems, []);
    });
  });
}
