/**
 * The mastodon source's `--hashtag` and `--account` timelines: exactly the tag's or the
 * account's statuses, paged forward from the cursor without gaps; a missing account is a clear
 * error; and once through the command line (`source add` then `watch`) against `censorscope sim`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { startSim } from '../../../src/collect/sim/server.ts';
import { MastodonSource } from '../../../src/collect/sources/mastodon.ts';
import { HttpClient, RequestBudget } from '../../../src/collect/sources/http.ts';
import { VirtualClock } from '../../../src/watch/clock.ts';
import type { SimPost } from '../../../src/collect/sim/scenario.ts';
import { backends } from '../../helpers/stores.ts';
import { runCli } from '../../helpers/cli.ts';

const START = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;

describe('mastodon source: hashtag and account timelines', () => {
  it('lists exactly the statuses of the hashtag and of the account, forward from the cursor', async () => {
    const clock = new VirtualClock(START + 30 * HOUR);
    const sim = await startSim({ seed: 13, clock, start: START, faultRate: 0, slowRate: 0, scenario: { dataDir: null, postsPerDay: 3000, ghostShare: 0.05 } });
    const http = new HttpClient({ policy: { allowPrivate: true }, budget: new RequestBudget(100_000, clock), clock });
    const listedNow = (p: SimPost, t: number) => p.created <= t && !(p.fate && p.fate.at <= t) && !(p.ghostFrom != null && p.ghostFrom <= t);
    try {
      const byTag = new MastodonSource({ url: sim.url, hashtag: '美食', maxPages: 100 }, http);
      const first = await byTag.listNew(null);
      assert.ok(first.posts.length > 5 && first.cursor);
      assert.ok(first.posts.every((p) => p.hashtags?.includes('美食')));
      await clock.sleep(6 * HOUR);
      const next = await byTag.listNew(first.cursor);
      const now = clock.now();
      const expected = sim.scenario.posts.filter((p) => BigInt(p.id) > BigInt(first.cursor!) && p.tags.includes('美食') && listedNow(p, now));
      assert.ok(expected.length > 10, `${expected.length} tagged posts`);
      assert.deepEqual(next.posts.map((p) => p.platformPostId).sort(), expected.map((p) => p.id).sort());

      // The busiest account that was never suspended, looked up by `@handle` as a user writes it.
      const counts = new Map<string, number>();
      for (const p of sim.scenario.posts) if (p.created <= now && p.account.suspendedAt == null) counts.set(p.account.id, (counts.get(p.account.id) ?? 0) + 1);
      const busiest = [...counts].sort((a, b) => b[1] - a[1])[0][0];
      const account = sim.scenario.accounts.find((a) => a.id === busiest)!;
      const byAccount = new MastodonSource({ url: sim.url, account: account.handle, maxPages: 100 }, http);
      const a1 = await byAccount.listNew(null);
      assert.ok(a1.posts.length > 0 && a1.posts.every((p) => p.accountId === account.id && p.accountHandle === account.handle));
      await clock.sleep(12 * HOUR);
      const a2 = await byAccount.listNew(a1.cursor);
      const t2 = clock.now();
      const mine = sim.scenario.posts.filter((p) => p.account.id === account.id && BigInt(p.id) > BigInt(a1.cursor!) && listedNow(p, t2));
      assert.ok(mine.length > 0);
      assert.deepEqual(a2.posts.map((p) => p.platformPostId).sort(), mine.map((p) => p.id).sort());

      const missing = new MastodonSource({ url: sim.url, account: 'nobody_here' }, http);
      await assert.rejects(missing.listNew(null), /Account nobody_here could not be looked up \(HTTP 404\)/);
    } finally {
      await sim.close();
    }
  });
});

const [b] = backends();
describe(`source add mastodon --hashtag / --account, then watch, on the command line [${b.label}]`, () => {
  it('stores the bare tag and handle and watches only their statuses', async () => {
    const ts = await b.open();
    const sim = spawn(process.execPath, ['bin/censorscope.js', 'sim', '--seed', '4', '--speed', '300', '--posts-per-day', '50000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      sim.stdout.setEncoding('utf8');
      while (!/http:\/\/127\.0\.0\.1:\d+/.test(out)) out += (await once(sim.stdout, 'data'))[0];
      const url = out.match(/http:\/\/127\.0\.0\.1:\d+/)![0];
      const both = runCli(['source', 'add', 'mastodon', '--url', url, '--hashtag', 'x', '--account', 'y'], ts.env);
      assert.equal(both.status, 1);
      assert.match(both.stderr, /exactly one of --public, --hashtag TAG or --account HANDLE/);
      const tag = runCli(['source', 'add', 'mastodon', '--url', url, '--hashtag', '#日常', '--budget', '600', '--json'], ts.env);
      assert.equal(tag.status, 0, tag.stderr);
      const tagRow = JSON.parse(tag.stdout);
      assert.equal(tagRow.config.hashtag, '日常');
      assert.equal(tagRow.name, `mastodon:${new URL(url).host}:#日常`);
      // An account that has posted (the sim starts empty): the most frequent among the newest statuses.
      let handle: string | undefined;
      for (let i = 0; i < 200 && !handle; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const r = await fetch(`${url}/api/v1/timelines/public?limit=40`);
        if (r.status !== 200) {
          await r.text();
          continue;
        }
        const handles = ((await r.json()) as Array<{ account: { acct: string } }>).map((s) => s.account.acct).filter((h) => h.startsWith('user'));
        if (handles.length < 30) continue;
        const n = new Map<string, number>();
        for (const h of handles) n.set(h, (n.get(h) ?? 0) + 1);
        handle = [...n].sort((x, y) => y[1] - x[1])[0][0];
      }
      assert.ok(handle, 'the simulator posted something');
      const acct = runCli(['source', 'add', 'mastodon', '--url', url, '--account', `@${handle}`, '--budget', '600', '--json'], ts.env);
      assert.equal(acct.status, 0, acct.stderr);
      const acctRow = JSON.parse(acct.stdout);
      assert.equal(acctRow.config.account, handle);
      const watch = runCli(['watch', '--for', '4s', '--sim-clock', url], ts.env);
      assert.equal(watch.status, 0, watch.stderr);
      const store = await ts.reopen();
      const rows = await store.db.selectFrom('posts as p').leftJoin('accounts as a', 'a.id', 'p.account_id')
        .select(['p.source_id', 'p.hashtags', 'a.handle']).execute();
      await store.close();
      const ofTag = rows.filter((r) => Number(r.source_id) === Number(tagRow.id));
      const ofAcct = rows.filter((r) => Number(r.source_id) === Number(acctRow.id));
      assert.ok(ofTag.length > 5, `${ofTag.length} tagged posts; watch said: ${watch.stderr}`);
      for (const r of ofTag) assert.ok((JSON.parse(r.hashtags ?? '[]') as string[]).includes('日常'), r.hashtags ?? 'no tags');
      assert.ok(ofAcct.length > 0, `the account timeline of ${handle} was listed; watch said: ${watch.stderr}`);
      for (const r of ofAcct) assert.equal(r.handle, handle);
    } finally {
      sim.kill('SIGINT');
      await once(sim, 'exit');
      await ts.cleanup();
    }
  });
});
