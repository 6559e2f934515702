import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { blockedProbe, buildScript, loadWebText, startSimWeb, stateChanges, type SimSite } from '../../../src/collect/sim/web/index.ts';
import { safeFetch, FetchError } from '../../../src/net/fetch.ts';
import { VirtualClock } from '../../../src/watch/clock.ts';
import { backends } from '../../helpers/stores.ts';

const START = Date.UTC(2026, 0, 5, 8);
const MIN = 60_000;
const policy = { allowPrivate: true };
const get = (url: string, headers: Record<string, string> = {}) => safeFetch(url, { policy, timeoutMs: 1500, headers });
const textOf = (a: { bytes: Uint8Array }) => Buffer.from(a.bytes).toString('utf8');

/** One portal that goes through every state, ten minutes each. */
function tourSite(): SimSite {
  const states: SimSite['phases'][number]['state'][] = [
    { kind: 'normal', edition: 0 },
    { kind: 'injected', edition: 0, how: 'all', spam: 'gambling' },
    { kind: 'normal', edition: 0 },
    { kind: 'normal', edition: 1 },
    { kind: 'defaced', edition: 1, how: 'replaced', crew: 'Test Crew' },
    { kind: 'defaced', edition: 1, how: 'title', crew: 'Test Crew' },
    { kind: 'gone', how: '404' },
    { kind: 'gone', how: '410' },
    { kind: 'gone', how: 'notice' },
    { kind: 'gone', how: 'parked' },
    { kind: 'down', how: '503' },
    { kind: 'down', how: 'reset' },
    { kind: 'down', how: 'timeout' },
    { kind: 'down', how: 'refused' },
    { kind: 'normal', edition: 1 },
  ];
  return { id: 'gov-001', name: '青河市人民政府', kind: 'gov', lang: 'zh', charset: 'utf-8', ownPort: true, phases: states.map((state, i) => ({ from: START + i * 10 * MIN, state })) };
}

describe('simulated web: script', () => {
  it('is deterministic for a seed, differs across seeds, and scripts every kind of change', () => {
    const o = { start: START, durationMs: 4 * 3_600_000, sites: 200, visitEveryMs: 5 * MIN };
    const a = buildScript({ seed: 3, ...o });
    const b = buildScript({ seed: 3, ...o });
    const c = buildScript({ seed: 4, ...o });
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    const labels = new Set(stateChanges(a).map((ch) => ch.label.replace(/ \(.*/, '')));
    for (const l of ['injected', 'defaced', 'taken down', 'down', 'ordinary update', 'recovered from injected', 'recovered from defaced', 'recovered from down', 'recovered from gone']) {
      assert.ok(labels.has(l), `no "${l}" change in ${[...labels].join(', ')}`);
    }
    const hows = new Set(stateChanges(a).map((ch) => ch.label));
    for (const l of ['injected (links, gambling)', 'injected (iframe, gambling)', 'injected (script, gambling)', 'defaced (replaced)', 'defaced (title)', 'taken down (404)', 'taken down (410)', 'taken down (notice)', 'taken down (parked)', 'down (503)', 'down (reset)', 'down (refused)', 'down (timeout)']) {
      assert.ok(hows.has(l), `no "${l}"`);
    }
    assert.ok([...hows].some((l) => l.includes('pharma')));
    assert.ok(a.some((s) => s.kind === 'news') && a.some((s) => s.charset === 'gb2312') && a.some((s) => s.lang === 'en'));
  });

  it('keeps every abnormal phase at least three visits long, so each is captured', () => {
    const v = 5 * MIN;
    const sites = buildScript({ seed: 9, start: START, durationMs: 6 * 3_600_000, sites: 150, visitEveryMs: v });
    let checked = 0;
    for (const s of sites) {
      for (let i = 1; i < s.phases.length; i++) {
        assert.ok(s.phases[i]!.from > s.phases[i - 1]!.from, `${s.id}: phases out of order`);
        if (s.phases[i - 1]!.state.kind !== 'normal') {
          assert.ok(s.phases[i]!.from - s.phases[i - 1]!.from >= 3 * v, `${s.id}: phase ${i - 1} shorter than 3 visits`);
          checked++;
        }
      }
    }
    assert.ok(checked > 50);
  });
});

describe('simulated web: server', () => {
  it('answers each scripted state as a real server does', async () => {
    const clock = new VirtualClock(START);
    const site = tourSite();
    const web = await startSimWeb({ sites: [site], clock, text: undefined });
    const at = async (i: number) => {
      const target = START + i * 10 * MIN + 60_000;
      await web.clock.sleep(target - clock.now());
    };
    try {
      const url = web.urlOf(site.id);
      // normal
      let a = await get(url);
      assert.equal(a.status, 200);
      assert.equal(a.headers.get('content-type'), 'text/html; charset=utf-8');
      assert.ok(a.headers.get('last-modified') && a.headers.get('set-cookie')?.startsWith('PHPSESSID='));
      assert.equal(a.headers.get('date'), new Date(clock.now()).toUTCString());
      const normal = textOf(a);
      assert.match(normal, /<title>青河市人民政府门户网站<\/title>/);
      assert.match(normal, /您是本站第 [\d,]+ 位访客/);
      assert.doesNotMatch(normal, /博彩|娱乐城|display:none/);
      // A conditional request for an unchanged page is a 304 with no body.
      const cond = await get(url, { 'if-modified-since': a.headers.get('last-modified')! });
      assert.equal(cond.status, 304);
      assert.equal(cond.bytes.length, 0);
      // injected: the same page plus hidden links, a hidden iframe and an external script
      await at(1);
      a = await get(url);
      const inj = textOf(a);
      assert.equal(a.status, 200);
      assert.match(inj, /<div style="(display:none|position:absolute;left:-9999px;top:-9999px)">/);
      assert.match(inj, /澳门赌场|娱乐城|博彩/);
      assert.match(inj, /<iframe src="http:\/\/[^"]+bet\.example\/index\.html" width="0" height="0"/);
      assert.match(inj, /<script type="text\/javascript" src="http:\/\/js\.[^"]+"><\/script>/);
      assert.match(inj, /<title>青河市人民政府门户网站<\/title>/);
      // cleaned, then an ordinary update adds one notice
      await at(2);
      const cleaned = textOf(await get(url));
      assert.doesNotMatch(cleaned, /博彩|娱乐城|display:none/);
      await at(3);
      const updated = textOf(await get(url));
      const notices = (html: string) => [...html.matchAll(/<li><a href="[^"]+">([^<]+)<\/a><span class="date">/g)].map((m) => m[1]);
      assert.deepEqual(notices(updated).slice(1), notices(cleaned).slice(0, -1), 'an update pushes one new notice on top');
      // defaced: replaced, then only the title
      await at(4);
      a = await get(url);
      assert.equal(a.status, 200);
      assert.match(textOf(a), /<title>Hacked by Test Crew<\/title>/);
      assert.doesNotMatch(textOf(a), /通知公告/);
      await at(5);
      const titled = textOf(await get(url));
      assert.match(titled, /<title>Hacked by Test Crew<\/title>/);
      assert.match(titled, /通知公告/);
      // taken down: 404, 410, the notice (200), a redirect to the parking page
      await at(6);
      a = await get(url);
      assert.equal(a.status, 404);
      assert.match(textOf(a), /<center><h1>404 Not Found<\/h1><\/center>/);
      await at(7);
      assert.equal((await get(url)).status, 410);
      await at(8);
      a = await get(url);
      assert.equal(a.status, 200);
      assert.match(textOf(a), /网站暂停访问/);
      assert.match(textOf(a), /ICP备案已被注销/);
      await at(9);
      a = await get(url);
      assert.equal(a.status, 200);
      assert.match(a.url, /\/_parking\/gov-001\/\?domain=gov-001\.example$/);
      assert.match(textOf(a), /This domain may be for sale/);
      // down: 503 with Retry-After, reset, no answer, refused
      await at(10);
      a = await get(url);
      assert.equal(a.status, 503);
      assert.equal(a.headers.get('retry-after'), '600');
      await at(11);
      await assert.rejects(get(url), (e: unknown) => e instanceof FetchError && /ECONNRESET|socket hang up/i.test(e.message));
      await at(12);
      await assert.rejects(get(url), (e: unknown) => e instanceof FetchError && e.code === 'timeout');
      await at(13);
      await assert.rejects(get(url), (e: unknown) => e instanceof FetchError && e.code === 'ECONNREFUSED');
      // back
      await at(14);
      a = await get(url);
      assert.equal(a.status, 200);
      assert.match(textOf(a), /通知公告/);
      const statuses = web.requests().map((r) => r.status);
      for (const s of [200, 304, 404, 410, 302, 503, 'reset', 'hang'] as const) assert.ok(statuses.includes(s), `no ${s} served`);
    } finally {
      await web.close();
    }
  });

  it('serves news front pages that change every minute and GB2312 pages labelled so', async () => {
    const clock = new VirtualClock(START);
    const sites = buildScript({ seed: 5, start: START, durationMs: 3_600_000, sites: 60, visitEveryMs: 5 * MIN, mix: { news: 1, 'news-outage': 0, injection: 1, defacement: 0, takedown: 0, outage: 0, steady: 0 } });
    const web = await startSimWeb({ sites, clock });
    try {
      const news = sites.find((s) => s.kind === 'news')!;
      const first = textOf(await get(web.urlOf(news.id)));
      await web.clock.sleep(MIN);
      const second = textOf(await get(web.urlOf(news.id)));
      assert.notEqual(first, second);
      const heads = (h: string) => [...h.matchAll(/<li><a href="[^"]*">([^<]+)<\/a> <span class="views">/g)].map((m) => m[1]);
      // One new headline a minute: most of the list is still there, in another order.
      const common = heads(second).filter((x) => heads(first).includes(x));
      assert.ok(common.length >= 10, `only ${common.length} headlines in common`);
      assert.notDeepEqual(heads(second), heads(first), 'the headlines move every minute');
      assert.match(first, /(Updated \d+ minutes? ago|更新于 \d+ 分钟前)/);
      assert.match(first, /<iframe src="https:\/\/ads\.adnet\.example\/slot/);
      const gbk = sites.find((s) => s.charset === 'gb2312');
      assert.ok(gbk, 'the script has a GB2312 site');
      const a = await get(web.urlOf(gbk.id));
      assert.equal(a.headers.get('content-type'), 'text/html; charset=gb2312');
      assert.equal(Buffer.from(a.bytes).toString('utf8').includes('人民政府'), false, 'GBK bytes are not UTF-8');
      assert.match(iconv.decode(Buffer.from(a.bytes), 'gbk'), /<meta charset="gb2312">[\s\S]*人民政府/);
      assert.equal((await get(`${web.origin}/nosuch-999/`)).status, 404);
      const noSlash = await safeFetch(web.urlOf(news.id).replace(/\/$/, ''), { policy, maxRedirects: 0 }).catch((e: FetchError) => e);
      assert.ok(noSlash instanceof FetchError && noSlash.code === 'too_many_redirects');
    } finally {
      await web.close();
    }
  });

  it('follows the wall clock when none is given', async () => {
    const text = loadWebText(null);
    const site: SimSite = { ...tourSite(), ownPort: false, phases: [{ from: Date.now() - MIN, state: { kind: 'normal', edition: 0 } }, { from: Date.now() + 500, state: { kind: 'gone', how: '410' } }] };
    const web = await startSimWeb({ sites: [site], text });
    try {
      assert.equal((await get(web.urlOf(site.id))).status, 200);
      await new Promise((r) => setTimeout(r, 700));
      assert.equal((await get(web.urlOf(site.id))).status, 410);
      assert.deepEqual(web.changes().map((c) => c.expected), ['taken_down']);
    } finally {
      await web.close();
    }
  });
});

for (const b of backends()) {
  describe(`simulated web: the probe's view of blocked sites (${b.label})`, () => {
    it('serves a blocked site on a loopback address of its own and writes simulated measurements at the phase bounds', async () => {
      const ts = await b.open();
      const clock = new VirtualClock(START);
      const blocked: SimSite = { ...tourSite(), id: 'gov-002', ownPort: false, phases: [
        { from: START, state: { kind: 'normal', edition: 0 } },
        { from: START + 10 * MIN, state: { kind: 'blocked', edition: 0 } },
        { from: START + 20 * MIN, state: { kind: 'normal', edition: 0 } },
      ] };
      const plain: SimSite = { ...tourSite(), id: 'gov-003', ownPort: false, phases: [{ from: START, state: { kind: 'normal', edition: 0 } }] };
      const web = await startSimWeb({ sites: [blocked, plain], clock, text: loadWebText(null) });
      web.setOnTime(blockedProbe(ts.store, web));
      try {
        const host = new URL(web.urlOf('gov-002')).hostname;
        assert.match(host, /^127\.0\.0\.\d+$/);
        assert.notEqual(host, new URL(web.urlOf('gov-003')).hostname);
        // The server answers normally while blocked: blocking is the probe's finding, not the site's.
        await web.clock.sleep(12 * MIN);
        assert.equal((await get(web.urlOf('gov-002'))).status, 200);
        await web.clock.sleep(10 * MIN);
        const rows = await ts.store.db.selectFrom('probe_measurements').select(['uid', 'hostname', 'measured_at', 'blocking', 'accessible']).orderBy('measured_at').execute();
        assert.equal(rows.length, 2);
        assert.ok(rows.every((r) => r.uid.startsWith('SIMULATED-') && r.hostname === host));
        assert.deepEqual(rows.map((r) => Number(r.measured_at)), [START + 10 * MIN, START + 20 * MIN]);
        assert.equal(rows[0]!.blocking, 'dns');
        assert.equal(Number(rows[1]!.accessible), 1);
      } finally {
        await web.close();
        await ts.cleanup();
      }
    });
  });
}
