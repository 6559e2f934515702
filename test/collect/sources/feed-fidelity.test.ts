/**
 * Issue 12's feed cases, each through the path a live feed takes (loopback HTTP with a real
 * Content-Type → HTTP client → charset → parser → posts): charsets and their precedence, RSS 1.0
 * and 0.9x, JSON Feed, entities, ids and titles kept as strings, non-English and zone-less dates
 * (the latter under several TZ values, in child processes), and HTML pages refused.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import iconv from 'iconv-lite';
import { serveFeeds, listServed, type FeedServer } from './feed-serve.ts';
import { HttpClient, RequestBudget, TooLargeError } from '../../../src/collect/sources/http.ts';
import { VirtualClock } from '../../../src/watch/clock.ts';

const rss = (items: string, decl = '<?xml version="1.0"?>') =>
  `${decl}<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel><title>c</title><link>http://x/</link><description>d</description>${items}</channel></rss>`;
const item = (guid: string, title: string, extra = '') => `<item><guid isPermaLink="false">${guid}</guid><title>${title}</title>${extra}</item>`;

describe('feed fidelity: charsets', () => {
  let s: FeedServer;
  before(async () => { s = await serveFeeds(); });
  after(() => s.close());

  // Each case: the encoding the bytes are in, the declaration, the HTTP Content-Type, and the title.
  const cases: { name: string; enc: string; decl: string | null; type: string; title: string }[] = [
    { name: 'GB2312 by XML declaration (tech.qq.com)', enc: 'gb2312', decl: 'GB2312', type: 'text/xml', title: '腾讯科技：网络审查报告' },
    { name: 'GBK and GB18030 characters in a feed labelled GB2312 (read as GB18030)', enc: 'gb18030', decl: 'gb2312', type: 'application/rss+xml', title: '朱镕基谈话 𠀀' },
    { name: 'GB18030 four-byte characters', enc: 'gb18030', decl: 'GB18030', type: 'text/xml', title: '𠀀字 测试' },
    { name: 'Big5', enc: 'big5', decl: 'Big5', type: 'application/xml', title: '繁體中文標題：言論自由' },
    { name: 'Shift_JIS', enc: 'shift_jis', decl: 'Shift_JIS', type: 'text/xml', title: '日本語のタイトル' },
    { name: 'EUC-KR', enc: 'euc-kr', decl: 'EUC-KR', type: 'text/xml', title: '한국어 제목' },
    { name: 'ISO-8859-2', enc: 'iso-8859-2', decl: 'ISO-8859-2', type: 'text/xml', title: 'Zażółć gęślą jaźń' },
    { name: 'windows-1251', enc: 'windows-1251', decl: 'windows-1251', type: 'text/xml', title: 'Свобода слова' },
    { name: 'windows-1256', enc: 'windows-1256', decl: 'windows-1256', type: 'text/xml', title: 'حرية التعبير' },
    { name: 'ISO-8859-1', enc: 'iso-8859-1', decl: 'ISO-8859-1', type: 'text/xml', title: 'Notícias de São Paulo' },
    { name: 'HTTP charset with no declaration', enc: 'gbk', decl: null, type: 'text/xml; charset=GBK', title: '中文标题' },
    { name: 'HTTP charset beats a wrong declaration', enc: 'big5', decl: 'UTF-8', type: 'application/rss+xml; charset="big5"', title: '臺灣新聞' },
    { name: 'a server-default ISO-8859-1 yields to the declaration', enc: 'gb2312', decl: 'GB2312', type: 'text/html; charset=ISO-8859-1', title: '新闻标题' },
    { name: 'an HTTP UTF-8 that the bytes are not yields to the declaration', enc: 'gb2312', decl: 'gb2312', type: 'text/xml; charset=utf-8', title: '新闻标题' },
    { name: 'an HTTP charset naming no encoding (a hostile "constructor") is ignored', enc: 'gb2312', decl: 'GB2312', type: 'text/xml; charset=constructor', title: '新闻标题' },
    { name: 'nothing declared and not UTF-8: windows-1252 (UOL)', enc: 'windows-1252', decl: null, type: 'text/xml', title: 'Últimas Notícias – 2º turno' },
  ];
  for (const c of cases) {
    it(c.name, async () => {
      const doc = rss(item('g1', c.title), c.decl ? `<?xml version="1.0" encoding="${c.decl}"?>` : '');
      const posts = await listServed(s, `/${encodeURIComponent(c.name)}`, { contentType: c.type, body: iconv.encode(doc, c.enc) });
      assert.equal(posts.length, 1);
      assert.equal(posts[0].text, c.title);
    });
  }

  for (const enc of ['utf-16le', 'utf-16be']) {
    it(`${enc} with a BOM, whatever the HTTP charset says`, async () => {
      const doc = `<?xml version="1.0" encoding="UTF-16"?>${rss(item('g1', '中文 Ελληνικά'), '')}`;
      const bytes = iconv.encode(doc, enc, { addBOM: true });
      const posts = await listServed(s, `/${enc}`, { contentType: 'text/xml; charset=ISO-8859-1', body: bytes });
      assert.equal(posts[0]?.text, '中文 Ελληνικά');
    });
  }

  it('a UTF-8 BOM beats an HTTP charset', async () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(rss(item('g1', 'Ação')), 'utf8')]);
    const posts = await listServed(s, '/bom', { contentType: 'text/xml; charset=windows-1252', body: bytes });
    assert.equal(posts[0]?.text, 'Ação');
  });
});

describe('feed fidelity: formats, entities, strings', () => {
  let s: FeedServer;
  before(async () => { s = await serveFeeds(); });
  after(() => s.close());

  it('RSS 1.0 (RDF) with rdf:about ids and dc:date', async () => {
    const doc = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/" xmlns:dc="http://purl.org/dc/elements/1.1/">
      <channel rdf:about="http://x/"><title>c</title><link>http://x/</link><description>d</description></channel>
      <item rdf:about="http://x/a?rss=1"><title>A</title><link>http://x/a</link><dc:date>2017-06-15T10:29:47-07:00</dc:date><dc:creator>Hines, P. J.</dc:creator></item>
      <item rdf:about="http://x/b"><title>B</title><link>http://x/b</link><description>text b</description><dc:date>2017-06-15</dc:date></item></rdf:RDF>`;
    const posts = await listServed(s, '/rdf', { contentType: 'application/rdf+xml', body: doc });
    assert.deepEqual(posts.map((p) => [p.platformPostId, p.url, p.text, p.createdAt, p.accountId]), [
      ['http://x/a?rss=1', 'http://x/a', 'A', Date.UTC(2017, 5, 15, 17, 29, 47), 'Hines, P. J.'],
      ['http://x/b', 'http://x/b', 'B\ntext b', Date.UTC(2017, 5, 15), null],
    ]);
  });

  it('RSS 0.90 (RDF, Netscape namespace) and RSS 0.91 without guids', async () => {
    const rss090 = `<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://my.netscape.com/rdf/simple/0.9/"><channel><title>c</title><link>http://x/</link><description>d</description></channel><item><title>Old</title><link>http://x/old</link></item></rdf:RDF>`;
    const a = await listServed(s, '/rss090', { contentType: 'text/xml', body: rss090 });
    assert.deepEqual(a.map((p) => [p.platformPostId, p.text]), [['http://x/old', 'Old']]);
    const rss091 = `<?xml version="1.0"?><rss version="0.91"><channel><title>c</title><link>http://x/</link><description>d</description><language>en</language><item><title>T1</title><link>http://x/1</link><description>one</description></item></channel></rss>`;
    const b = await listServed(s, '/rss091', { contentType: 'text/xml', body: rss091 });
    assert.deepEqual(b.map((p) => [p.platformPostId, p.url, p.text]), [['http://x/1', 'http://x/1', 'T1\none']]);
  });

  it('RSS 2.0 items dated only by dc:date keep their date', async () => {
    const posts = await listServed(s, '/dcdate', { contentType: 'application/rss+xml', body: rss(item('g', 't', '<dc:date>2026-12-02T10:00:00+08:00</dc:date>')) });
    assert.equal(posts[0].createdAt, Date.UTC(2026, 11, 2, 2));
  });

  for (const version of ['https://jsonfeed.org/version/1', 'https://jsonfeed.org/version/1.1']) {
    it(`JSON Feed ${version.endsWith('1.1') ? '1.1' : '1.0'}`, async () => {
      const v11 = version.endsWith('1.1');
      const doc = JSON.stringify({
        version, title: 'c', home_page_url: 'http://x/',
        items: [
          { id: '00042', url: 'http://x/42', title: '标题', content_text: '正文', date_published: '2026-12-02T10:00:00+08:00', ...(v11 ? { authors: [{ name: 'Ann' }] } : { author: { name: 'Ann' } }) },
          { id: 'b', content_html: '<p>only html</p>', date_modified: '2026-12-02T10:00:00Z' },
        ],
      });
      const posts = await listServed(s, `/json${v11 ? '11' : '10'}`, { contentType: 'application/feed+json', body: doc });
      assert.deepEqual(posts.map((p) => [p.platformPostId, p.url, p.text, p.createdAt, p.accountId]), [
        ['00042', 'http://x/42', '标题\n正文', Date.UTC(2026, 11, 2, 2), 'Ann'],
        ['b', null, '<p>only html</p>', Date.UTC(2026, 11, 2, 10), null],
      ]);
    });
  }

  it('decodes numeric entities and double-escaped HTML entities in titles (only with their semicolon), keeps CDATA literal', async () => {
    const posts = await listServed(s, '/entities', { contentType: 'application/rss+xml', body: rss([
      item('e1', 'It&#039;s &#x4E2D;&#25991;'),
      item('e2', 'Tom &amp;amp; Jerry&amp;#039;s &amp;eacute;t&amp;eacute;'),
      item('e3', '<![CDATA[Bolsonaro & Haddad: 2º turno &#039;já&#039;]]>'),
      item('e5', 'Bar&amp;nothing, AT&amp;T, R&amp;D &amp;copy 2026'),
      `<item><guid>e4</guid><title>t</title><description>caf&#233; &lt;b&gt;x&lt;/b&gt;</description></item>`,
    ].join('')) });
    assert.deepEqual(posts.map((p) => p.text), ["It's 中文", "Tom & Jerry's été", "Bolsonaro & Haddad: 2º turno 'já'", 'Bar&nothing, AT&T, R&D &copy 2026', 't\ncafé <b>x</b>']);
  });

  it('keeps guids and titles as the strings written (no 00042 → 42, 0x1F → 31, 1e3 → 1000)', async () => {
    const written = ['00042', '0x1F', '1e3', '-0', '1.50', 'true', '12345678901234567890'];
    const posts = await listServed(s, '/strings', { contentType: 'application/rss+xml', body: rss(written.map((w) => item(w, w)).join('')) });
    assert.deepEqual(posts.map((p) => [p.platformPostId, p.text]), written.map((w) => [w, w]));
    const atom = `<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>c</title><id>f</id><updated>2026-01-01T00:00:00Z</updated>${written.map((w) => `<entry><id>${w}</id><title>${w}</title><updated>2026-01-01T00:00:00Z</updated></entry>`).join('')}</feed>`;
    const a = await listServed(s, '/strings-atom', { contentType: 'application/atom+xml', body: atom });
    assert.deepEqual(a.map((p) => [p.platformPostId, p.text]), written.map((w) => [w, w]));
    // JSON Feed ids written as (non-conforming) numbers keep every digit and their spelling.
    const json = '{"version":"https://jsonfeed.org/version/1.1","title":"c","items":[{"id": 12345678901234567890,"content_text":"a"},{"id":1e3 ,"content_text":"b"},{"id":"00042","content_text":"say \\"id\\": 7"}]}';
    const j = await listServed(s, '/strings-json', { contentType: 'application/feed+json', body: json });
    assert.deepEqual(j.map((p) => [p.platformPostId, p.text]), [['12345678901234567890', 'a'], ['1e3', 'b'], ['00042', 'say "id": 7']]);
  });

  it('refuses an answer larger than the cap at once, without retrying', async () => {
    s.routes.set('/huge', { contentType: 'application/rss+xml', body: rss(item('g', 'x'.repeat(50_000))) });
    const clock = new VirtualClock(0);
    const budget = new RequestBudget(100, clock);
    const client = new HttpClient({ policy: { allowPrivate: true }, budget, clock, attempts: 3 });
    await assert.rejects(client.get(`${s.url}/huge`, 'application/rss+xml', 10_000), (err: Error) =>
      err instanceof TooLargeError && err.message === `${s.url}/huge answered more than 10000 bytes; refusing to read it.`);
    assert.equal(budget.used, 1, 'not retried');
    assert.equal((await client.get(`${s.url}/huge`, 'application/rss+xml', 60_000)).bytes.length, rss(item('g', 'x'.repeat(50_000))).length);
  });

  it('refuses an HTML page, naming the feed it advertises', async () => {
    const page = '<!DOCTYPE html><html><head><title>News</title><link rel="alternate" type="application/rss+xml" title="RSS" href="/rss.xml?x=1&amp;y=2"></head><body>hi</body></html>';
    await assert.rejects(listServed(s, '/page', { contentType: 'text/html; charset=utf-8', body: page }),
      (err: Error) => err.message === `${s.url}/page answered with an HTML page, not a feed; give the feed's own URL (the page advertises this feed: ${s.url}/rss.xml?x=1&y=2).`);
  });
});

/** Dates as feeds write them → the instant they mean (UTC ms), or null when only a guess could say. */
export const DATE_CASES: [string, number | null][] = [
  ['Qua, 02 Dez 2026 10:00:00 -0300', Date.UTC(2026, 11, 2, 13)],
  ['Seg, 24 Set 2018 19:42:40 -0300', Date.UTC(2018, 8, 24, 22, 42, 40)],
  ['Mi, 02 Dez 2026 10:00:00 +0100', Date.UTC(2026, 11, 2, 9)],
  ['Mi, 02 Dez 2026', Date.UTC(2026, 11, 2)],
  ['2. Dezember 2026 um 10:00 Uhr MEZ', Date.UTC(2026, 11, 2, 9)],
  ['mer., 02 déc. 2026 10:00:00 +0100', Date.UTC(2026, 11, 2, 9)],
  ['mercredi 2 décembre 2026 10:00', Date.UTC(2026, 11, 2, 10)],
  ['miércoles, 2 de diciembre de 2026 10:00:00 -0500', Date.UTC(2026, 11, 2, 15)],
  ['mar, 01 dic 2026 10:00:00 +0000', Date.UTC(2026, 11, 1, 10)],
  ['Mer, 02 Dic 2026 10:00:00 +0100', Date.UTC(2026, 11, 2, 9)],
  ['2026年12月2日 10:00', Date.UTC(2026, 11, 2, 10)],
  ['2026年12月2日 10:00:00 +0800', Date.UTC(2026, 11, 2, 2)],
  ['2026년 12월 2일 10:00', Date.UTC(2026, 11, 2, 10)],
  ['2026-12-02 10:00', Date.UTC(2026, 11, 2, 10)],
  ['2026-12-02T10:00:00.250+08:00', Date.UTC(2026, 11, 2, 2, 0, 0, 250)],
  ['Wed, 02 Dec 2026 10:00:00 EST', Date.UTC(2026, 11, 2, 15)],
  ['Wed, 02 Dec 2026 10:00:00', Date.UTC(2026, 11, 2, 10)],
  ['Wed, 2 Dec 26 10:00 GMT', Date.UTC(2026, 11, 2, 10)],
  ['Wed, 02 Dec 2026 10:00:00 GMT+0800', Date.UTC(2026, 11, 2, 2)],
  ['Dec 2, 2026 10:00 PM', Date.UTC(2026, 11, 2, 22)],
  ['02/12/2026 10:00', null],
  ['Wed, 02 Dec 2026 10:00:00 XYZT', null],
  ['2026-02-30T10:00:00Z', null],
  ['yesterday', null],
  ['constructor 2 toString 2026', null],
];

const rssWithDates = (dates: string[]) => rss(dates.map((d, i) => item(`d${i}`, `t${i}`, `<pubDate>${d}</pubDate>`)).join(''));

describe('feed fidelity: dates', () => {
  let s: FeedServer;
  before(async () => { s = await serveFeeds(); });
  after(() => s.close());

  it('reads RFC 822, ISO 8601, and Portuguese, German, French, Spanish, Italian, Chinese and Korean dates; refuses to guess', async () => {
    const posts = await listServed(s, '/dates', { contentType: 'application/rss+xml', body: rssWithDates(DATE_CASES.map(([d]) => d)) });
    assert.deepEqual(posts.map((p, i) => [DATE_CASES[i][0], p.createdAt]), DATE_CASES);
  });

  it('reads zone-less dates as UTC whatever the machine time zone (child processes under several TZ)', () => {
    const zoneless = DATE_CASES.filter(([d]) => !/[+-]\d{4}|[+-]\d\d:\d\d|GMT|EST|MEZ|Z$/.test(d));
    const doc = rssWithDates(zoneless.map(([d]) => d));
    // parseFeed is the parser every live fetch ends in; the child prints what it read.
    const code = `import { parseFeed } from './src/collect/sources/feed.ts'; process.stdout.write(JSON.stringify(parseFeed(process.argv[1]).map((i) => i.time)));`;
    for (const tz of ['UTC', 'America/Sao_Paulo', 'Asia/Shanghai', 'Pacific/Kiritimati', 'America/Los_Angeles']) {
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, doc], { env: { ...process.env, TZ: tz }, encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), zoneless.map(([, t]) => t), `TZ=${tz}`);
    }
  });
});
