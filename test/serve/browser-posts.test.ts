/**
 * The posts pages in real Chromium: the list in the posts' own time order with a clean "Older
 * posts" link, the account filter taking what a reader would type (a handle, the pseudonym the
 * page shows, a store id) and saying when nothing matches, the evidence box as readable fields
 * (UTC times, a JSON answer body as its fields), and both pages at phone width (390 px): no
 * horizontal overflow, tables as cards, Chinese text at a readable line length.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { backends, type TestStore } from '../helpers/stores.ts';
import { browserSkip as skip, launchBrowser, SHOTS, type Browser } from '../helpers/browser.ts';
import { startServer, type RunningServer } from '../../src/serve/server.ts';
import { seedObservatory, type Seeded } from '../../src/serve/fixtures.ts';
import { ensureWebBundle } from '../../src/serve/web-build.ts';

const PHONE = { width: 390, height: 844 };
const iso = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z');

/** Created times of the list's rows, read back from the page (UTC, as shown). */
async function createdColumn(page: Page): Promise<number[]> {
  const cells = await page.locator('#posts-table tbody tr td:nth-child(2)').allTextContents();
  return cells.map((c) => Date.parse(c.replace(' ', 'T')));
}

describe('posts pages in Chromium', { skip }, () => {
  let ts: TestStore;
  let server: RunningServer;
  let seeded: Seeded;
  let browser: Browser;
  let evidencePost: number;
  const lastSeen = Date.UTC(2026, 10, 30, 8, 15, 0);
  const firstMissing = Date.UTC(2026, 10, 30, 8, 45, 0);

  before(async () => {
    await ensureWebBundle();
    ts = await backends()[0]!.open();
    seeded = await seedObservatory(ts.store, { posts: 1500, seed: 5 });
    // A disappearance as the watcher records it: times in epoch ms, and the platform's JSON
    // answer kept as a string inside the observation's detail.
    const db = ts.store.db;
    const post = await db.selectFrom('posts').select('id').where('status', '=', 'deleted').orderBy('id').executeTakeFirstOrThrow();
    evidencePost = Number(post.id);
    const obs = await db.selectFrom('observations').select('id').where('post_id', '=', evidencePost).where('outcome', '=', 'deleted').executeTakeFirstOrThrow();
    await db.updateTable('posts').set({ status_evidence: JSON.stringify({ observationId: Number(obs.id), lastSeenAt: lastSeen, firstMissingAt: firstMissing, httpStatus: 404, errorCode: null }) })
      .where('id', '=', evidencePost).execute();
    await db.updateTable('observations').set({ detail: JSON.stringify({ body: '{"error":"Record not found"}' }) }).where('id', '=', Number(obs.id)).execute();
    server = await startServer(ts.store, { port: 0 });
    browser = await launchBrowser(server.url);
  });
  after(async () => {
    await browser?.close();
    await server?.close();
    await ts?.cleanup();
  });

  it('lists posts newest first by their own time and pages on with a clean link', async () => {
    const page = await browser.open('/posts');
    await page.waitForSelector('#posts-table tbody tr');
    const main = await page.locator('main').innerText();
    assert.doesNotMatch(main, /null|undefined|NaN/);
    assert.equal((await page.locator('#next-page').textContent())?.trim(), 'Older posts →');
    // The seed's XSS posts have the highest ids but are an hour old: time order puts newer posts first.
    const first = await createdColumn(page);
    assert.equal(first.length, 50);
    assert.deepEqual(first, [...first].sort((a, b) => b - a));
    const firstIds = await page.locator('#posts-table tbody tr td:first-child').allTextContents();
    const newest = await ts.store.db.selectFrom('posts').select('id').orderBy('created_at', 'desc').orderBy('id', 'desc').limit(50).execute();
    assert.deepEqual(firstIds, newest.map((r) => String(r.id)));
    assert.notEqual(firstIds[0], String(seeded.xssPostIds.at(-1)), 'the newest id is an hour old: not first');
    await page.click('#next-page');
    await page.waitForURL(/before=/);
    await page.waitForFunction((prev) => {
      const td = document.querySelector('#posts-table tbody tr td');
      return td !== null && td.textContent !== prev;
    }, firstIds[0]);
    const second = await createdColumn(page);
    assert.ok(second.length > 0 && second[0]! <= first.at(-1)!, 'the next page starts where the first ended');
    const secondIds = await page.locator('#posts-table tbody tr td:first-child').allTextContents();
    assert.equal(secondIds.filter((id) => firstIds.includes(id)).length, 0, 'no post on both pages');
    await page.close();
  });

  it('filters by a handle, the pseudonym shown or a store id, and says when no account matches', async () => {
    const account = await ts.store.db.selectFrom('accounts').select(['id', 'handle']).where('handle', '=', 'user3').executeTakeFirstOrThrow();
    const want = (await ts.store.db.selectFrom('posts').select('id').where('account_id', '=', account.id).execute()).length;
    const page = await browser.open('/posts');
    await page.waitForSelector('#posts-table tbody tr');
    const filterBy = async (value: string) => {
      await page.fill('#f-account', value);
      await page.click('#post-filters button[type=submit]');
      await page.waitForFunction((v) => new URLSearchParams(location.search).get('account') === v && document.querySelector('#account-note'), value);
    };
    await filterBy('@user3');
    assert.doesNotMatch(await page.locator('main').innerText(), /Invalid input|NaN/);
    assert.match(await page.locator('#account-note').innerText(), /^Posts by acct_[0-9a-f]{20} \(sim-mastodon, matched by handle\)\.$/);
    const rows = await page.locator('#posts-table tbody tr').count();
    assert.equal(rows, Math.min(50, want));
    const shown = await page.locator('#posts-table tbody tr td:nth-child(3)').allTextContents();
    assert.equal(new Set(shown).size, 1);
    const pseudonym = shown[0]!;
    assert.match(pseudonym, /^acct_[0-9a-f]{20}$/);

    // The pseudonym the page shows is itself a filter value, and the account cell links to it.
    await filterBy(pseudonym);
    assert.match(await page.locator('#account-note').innerText(), new RegExp(`^Posts by ${pseudonym} \\(sim-mastodon, matched by pseudonym\\)`));
    assert.equal(await page.locator('#posts-table tbody tr').count(), Math.min(50, want));
    await filterBy(String(account.id));
    assert.match(await page.locator('#account-note').innerText(), /matched by store id/);
    assert.equal(await page.locator('#posts-table tbody tr td:nth-child(3) a').first().getAttribute('href'), `/posts?account=${account.id}`);

    await filterBy('no-such-person');
    const note = await page.locator('#account-note').innerText();
    assert.match(note, /^No account matches “no-such-person”\. Give the account's number in this store, its handle or platform id, or the pseudonym/);
    assert.equal(await page.locator('#posts-table tbody td.empty').count(), 1);
    await page.close();
  });

  it('shows status evidence and observation details as readable fields with UTC times', async () => {
    const page = await browser.open(`/posts/${evidencePost}`);
    await page.waitForSelector('#evidence dl');
    const evidence = await page.locator('#evidence').innerText();
    assert.match(evidence, new RegExp(`last seen at\\s+${iso(lastSeen)}`));
    assert.match(evidence, new RegExp(`first missing at\\s+${iso(firstMissing)}`));
    assert.match(evidence, /http status\s+404/);
    assert.doesNotMatch(evidence, new RegExp(`${lastSeen}|${firstMissing}|[{}"\\\\]|null`));
    const detail = await page.locator('#observations tbody').innerText();
    // The answer body is JSON inside a string: shown as its field, never as escaped JSON.
    assert.match(detail, /error\s+Record not found/);
    assert.doesNotMatch(detail, /\\"|\{"|null/);
    await page.screenshot({ path: join(SHOTS, 'post-evidence.png'), fullPage: true });
    await page.close();
  });

  for (const [name, path] of [['posts list', '/posts'], ['post', '/posts/EVIDENCE']] as const) {
    it(`fits the ${name} page in 390 px, tables as cards, Chinese text readable`, async () => {
      const page = await browser.open(path.replace('EVIDENCE', String(evidencePost)), PHONE);
      await page.waitForSelector('main table.data tbody tr');
      const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: window.innerWidth }));
      assert.ok(widths.doc <= widths.view, `page is ${widths.doc} px wide in a ${widths.view} px window`);
      // Every element stays inside the window (a panel that scrolls sideways would hide its overflow).
      const wide = await page.evaluate((w) => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > w + 0.5)
        .map((e) => `${e.tagName.toLowerCase()}${e.id ? `#${e.id}` : ''}.${e.className}`).slice(0, 5), widths.view);
      assert.deepEqual(wide, []);
      // Rows are cards: the header row is hidden, each cell says its column.
      assert.equal(await page.locator('main table.data thead').first().isVisible(), false);
      const label = await page.locator('main table.data tbody td').first().evaluate((td) => getComputedStyle(td, '::before').content);
      assert.notEqual(label, 'none');
      if (path === '/posts') {
        // At least a dozen CJK characters fit on a line of every post's text.
        const perLine = await page.locator('#posts-table td .text').evaluateAll((spans) => spans.map((s) => {
          const td = s.parentElement!;
          return td.clientWidth / parseFloat(getComputedStyle(s).fontSize);
        }));
        assert.ok(perLine.length === 50 && perLine.every((n) => n >= 12), `characters a line: ${Math.min(...perLine).toFixed(1)}`);
      }
      const header = await page.evaluate(() => { const r = document.querySelector('header.top')!.getBoundingClientRect(); return r.right; });
      assert.ok(header <= widths.view);
      await page.screenshot({ path: join(SHOTS, `phone-${name.replace(' ', '-')}.png`), fullPage: true });
      assert.deepEqual(browser.problems, []);
      await page.close();
    });
  }
});
