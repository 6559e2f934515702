/**
 * Page snapshots: legacy Chinese encodings decode right whether the header, the page or nobody
 * names them; boilerplate is normalised away; visibility, links, frames, scripts and redirects
 * are read as a browser would show them; hostile input (huge, deeply nested, broken, random
 * bytes) never throws and stays within the caps.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import fc from 'fast-check';
import { snapshotOf, SNAPSHOT_CAPS } from '../../../src/detect/sites/snapshot.ts';
import { classifyCapture } from '../../../src/detect/sites/classify.ts';
import { normaliseLine } from '../../../src/detect/sites/normalise.ts';
import { textDiff, diffSummary } from '../../../src/detect/sites/diff.ts';
import { answer, govPage } from './pages.ts';

const TITLE = '清河县人民政府门户网站';

describe('charset decoding', () => {
  const gbk = (meta: string) => iconv.encode(govPage().replace('<meta charset="utf-8">', meta), 'gbk');
  for (const [label, body, ct, from] of [
    ['GB2312 named by the header', gbk(''), 'text/html; charset=GB2312', 'header'],
    ['GBK named by <meta charset>', gbk('<meta charset="gbk">'), 'text/html', 'meta'],
    ['GB2312 named by http-equiv', gbk('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">'), 'text/html', 'meta'],
    ['GBK named by nobody (sniffed)', gbk(''), 'text/html', 'sniff'],
    ['GBK under a wrong "utf-8" header, the page saying gb2312', gbk('<meta charset="gb2312">'), 'text/html; charset=utf-8', 'meta'],
    ['GBK under a server-default ISO-8859-1 header, the page saying gbk', gbk('<meta charset="gbk">'), 'text/html; charset=ISO-8859-1', 'meta'],
  ] as const) {
    it(`${label}: title and text decode without U+FFFD`, () => {
      const s = snapshotOf(answer(body, { contentType: ct }))!;
      assert.equal(s.title, TITLE);
      assert.equal(s.charset, 'gb18030');
      assert.equal(s.charsetFrom, from);
      assert.ok(s.lines.includes('关于做好今冬明春森林防火工作的通知 #'), s.lines.join('\n'));
      assert.ok(!JSON.stringify(s).includes('\uFFFD'));
    });
  }

  it('a Big5 page (traditional characters) named by nobody is sniffed as Big5', () => {
    const html = '<html><head><title>臺北市政府全球資訊網</title></head><body><h2>市政新聞</h2><p>臺北市政府今天舉行記者會，說明這個月的交通改善計畫與學校開學的相關措施。</p></body></html>';
    const s = snapshotOf(answer(iconv.encode(html, 'big5'), { contentType: 'text/html' }))!;
    assert.equal(s.title, '臺北市政府全球資訊網');
    assert.match(s.charset, /^big5/);
  });

  it('a UTF-8 body cut in the middle of a character at the size cap is still read as UTF-8', () => {
    const bytes = new TextEncoder().encode(govPage());
    const s = snapshotOf(answer(bytes.subarray(0, bytes.length - 40 - 1), { contentType: 'text/html', truncated: true }))!;
    assert.equal(s.charset, 'utf-8');
    assert.equal(s.title, TITLE);
    assert.equal(s.truncated, true);
  });
});

describe('normalisation of boilerplate', () => {
  it('dates, times, counters, relative times, tokens and years become placeholders', () => {
    const same: Array<[string, string]> = [
      ['今天是：2026年12月2日 星期三', '今天是：2027年1月15日 星期五'],
      ['Updated 5 minutes ago', 'Updated 3 hours ago'],
      ['Wed, 02 Dec 2026 10:22:01 GMT', 'Thu, 03 Dec 2026 08:01:59 GMT'],
      ['本站已有 12,345 人次访问', '本站已有 12,362 人次访问'],
      ['© 2004-2026 版权所有', '© 2004-2027 版权所有'],
      ['3小时前 · 1.2万阅读', '刚刚 · 8千阅读'],
      ['session a8f3c9e2b7d14f0a9c3e', 'session 9b2d7e4f1a0c3b5d8e6f'],
    ];
    for (const [a, b] of same) assert.equal(normaliseLine(a), normaliseLine(b), `${a} / ${b}`);
    assert.notEqual(normaliseLine('县政府召开常务会议'), normaliseLine('县政府召开全体会议'));
  });
});

describe('what a reader sees', () => {
  it('keeps nav/header/footer apart from the main text, drops ads, scripts and styles', () => {
    const s = snapshotOf(answer(govPage()))!;
    assert.deepEqual(s.navTexts, ['首页', '政务公开', '办事服务', '互动交流', '走进清河', '社保查询', '公积金查询']);
    assert.ok(s.chrome.some((l) => l.startsWith('主办:清河县人民政府办公室')), s.chrome.join('\n'));
    assert.ok(!s.lines.some((l) => /首页|主办|var /.test(l)), s.lines.join('\n'));
    assert.ok(s.links.some((l) => l.ad && l.host === 'ads.example-ads.com'));
    assert.deepEqual(s.scriptHosts, []);
    assert.equal(s.inlineScripts.length, 1);
  });

  it('finds hidden links however they are hidden, frames with their size, external scripts and redirects', () => {
    const html = `<html><head><title>t</title><meta http-equiv="refresh" content="5; URL='https://park.example/x'"><style>#k { display : none } .ok{color:red}</style></head><body>
<p>visible <a href="https://a.example/">a</a></p>
<div id="k"><a href="https://b.example/">b</a></div>
<div class="ok"><span style="font-size:0px"><a href="/c">c</a></span></div>
<a hidden href="https://d.example/">d</a>
<iframe src="https://f.example/" width="0" height="0"></iframe><iframe src="https://g.example/" width="300" height="200"></iframe>
<script src="https://cdn.h.example/x.js"></script><script>setTimeout(function(){ location.replace('https://i.example/go') }, 10)</script>
<noscript><iframe src="https://www.googletagmanager.com/ns.html" style="display:none"></iframe></noscript></body></html>`;
    const s = snapshotOf(answer(html))!;
    assert.deepEqual(s.links.map((l) => [l.host, l.hidden]), [['a.example', false], ['b.example', true], ['www.example.gov.cn', true], ['d.example', true]]);
    assert.deepEqual(s.iframes.map((f) => [f.host, f.hidden]), [['f.example', true], ['g.example', false]]);
    assert.deepEqual(s.scriptHosts, ['cdn.h.example']);
    assert.deepEqual(s.redirects, [{ kind: 'meta', target: 'https://park.example/x', host: 'park.example' }, { kind: 'script', target: 'https://i.example/go', host: 'i.example' }]);
  });

  it('markers count in visible text and titles, never inside attributes', () => {
    const s = snapshotOf(answer('<html><head><title>Casino Royale review</title></head><body><a href="https://casino.example/hacked-by-x" title="博彩">film</a><img alt="百家乐"></body></html>'))!;
    assert.deepEqual(s.markers, { title: ['casino'], visible: [], hidden: [], banner: [] });
  });
});

describe('hostile input never throws and stays bounded', () => {
  it('a huge page (8 MB of text and 50 000 links) is capped', () => {
    const html = `<html><body>${'<p>line of ordinary text number x</p>'.repeat(120_000)}${'<a href="https://x.example/">x</a>'.repeat(50_000)}</body></html>`;
    const s = snapshotOf(answer(html))!;
    assert.ok(s.lines.length <= SNAPSHOT_CAPS.lines && s.links.length <= SNAPSHOT_CAPS.links && s.truncated);
    assert.ok(JSON.stringify(s).length < 200_000, `${JSON.stringify(s).length} bytes`);
  });

  it('100 000 nested tags and broken HTML', () => {
    const deep = `<html><body>${'<div><span>'.repeat(100_000)}deep text${'</span>'.repeat(10)}<a href="http://[::1">x</a><p <b>><<>></td></tr></table></html></html><title>late`;
    const s = snapshotOf(answer(deep))!;
    assert.equal(s.truncated, true, 'nesting beyond the cap ends the parse, marked as cut');
    const deepButReal = `<html><body>${'<div><span>'.repeat(3000)}deep text</body></html>`;
    assert.ok(snapshotOf(answer(deepButReal))!.lines.includes('deep text'));
    classifyCapture({ outcome: answer(deep), snapshot: s }, [{ at: 0, status: 200, verdict: 'reachable', snapshot: snapshotOf(answer(govPage())) }], null);
  });

  it('random bytes under any content type, and any history, never throw', () => {
    const base = snapshotOf(answer(govPage()));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 3000 }), fc.constantFrom('text/html', 'text/html; charset=utf-8', 'text/plain', 'application/pdf', 'text/html; charset=x-nonsense', ''),
      fc.string({ maxLength: 300 }), (bytes, ct, text) => {
        for (const body of [bytes, new TextEncoder().encode(text)]) {
          const o = answer(body, { contentType: ct });
          const s = snapshotOf(o);
          assert.ok(s);
          const c = classifyCapture({ outcome: o, snapshot: s }, [{ at: 0, status: 200, verdict: 'updated', snapshot: base }], null);
          assert.ok(c.reasons.length > 0);
        }
      }), { numRuns: 300 });
  });
});

describe('diffs', () => {
  it('textDiff gives plain hunks; diffSummary counts and samples', () => {
    assert.deepEqual(textDiff(['a', 'b', 'c'], ['a', 'x', 'c']), [{ op: 'equal', lines: ['a'] }, { op: 'remove', lines: ['b'] }, { op: 'add', lines: ['x'] }, { op: 'equal', lines: ['c'] }]);
    const a = snapshotOf(answer(govPage()))!;
    const b = snapshotOf(answer(govPage({ visit: 1, news: ['新闻一', '新闻二'] })))!;
    const d = diffSummary(a, b);
    assert.deepEqual([d.added, d.removed, d.title], [2, 5, null]);
    assert.deepEqual(d.addedSample, ['新闻一 #', '新闻二 #']);
    assert.ok(d.similarity > 0 && d.similarity < 1 && d.structure > 0.9);
  });
});
