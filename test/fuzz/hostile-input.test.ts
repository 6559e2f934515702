/**
 * Hostile-input fuzzing (issue 13), part of `npm test` with a bounded time: random and mutated
 * feeds (several encodings), posts files (CSV formats and JSONL) and OONI measurement lines (plain
 * and gzip) through the feed parser and the importers. Asserts no crash (only the documented
 * refusals: NotAFeedError for a feed, UserError for a file that is not the format at all), bounded
 * memory, and for every import rows = imported + duplicates + quarantined, also in the store.
 *
 * Seeded: the seed is printed; FUZZ_SEED=N replays a run, FUZZ_MS sets the time budget (default
 * 60 s in all, shared by the parts).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import iconv from 'iconv-lite';
import { backends, type TestStore } from '../helpers/stores.ts';
import { tempDir } from '../helpers/files.ts';
import { readFeed, NotAFeedError } from '../../src/collect/sources/feed.ts';
import { importFile } from '../../src/collect/import.ts';
import { readPosts } from '../../src/collect/read-posts.ts';
import { resolveFormat } from '../../src/collect/formats/registry.ts';
import { importOoniFile } from '../../src/probe/ooni/import.ts';
import { UserError } from '../../src/util/errors.ts';
import { build, genFile, GENERIC_MAPPING, MAX_FIELD } from '../collect/damage.ts';
import { mulberry32 } from '../../src/util/random.ts';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Math.floor(Math.random() * 2 ** 31);
const BUDGET_MS = Number(process.env.FUZZ_MS ?? 60_000);
console.log(`# fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED}), budget ${BUDGET_MS} ms`);

type Rand = () => number;
const int = (r: Rand, n: number) => Math.floor(r() * n);
const pick = <T>(r: Rand, xs: readonly T[]): T => xs[int(r, xs.length)];

/** Byte strings that break parsers: delimiters, quotes, line ends, markup, bad UTF-8, NUL. */
const NASTY = ['\0', '"', '""', ',', '\n', '\r', '\r\n', '<', '>', '&', '&amp', '&#0;', '&#xD800;', ']]>', '<![CDATA[', '<!--', '{', '}', '[', ']', '\\', '\\u0000', '\\ud800',
  '\uFFFD', '\uFEFF', '中文', '😀', '<item>', '</item>', '<entry>', '"id":', 'null', '1e999', '-0'].map((s) => Buffer.from(s));
const RAW_BYTES = [[0xff], [0xfe], [0xc3], [0x80], [0xe4, 0xb8], [0xed, 0xa0, 0x80], [0xf5, 0x80], [0x1f, 0x8b]].map((b) => Buffer.from(b));

/** 1–4 random edits: flip, insert nasty bytes, delete, duplicate a slice many times, truncate. */
export function mutate(input: Buffer, r: Rand): Buffer {
  let b = input;
  for (let n = 1 + int(r, 4); n > 0; n--) {
    const at = int(r, b.length + 1);
    switch (int(r, 6)) {
      case 0: if (b.length) { b = Buffer.from(b); b[int(r, b.length)] ^= 1 << int(r, 8); } break;
      case 1: b = Buffer.concat([b.subarray(0, at), pick(r, r() < 0.7 ? NASTY : RAW_BYTES), b.subarray(at)]); break;
      case 2: b = Buffer.concat([b.subarray(0, at), b.subarray(Math.min(b.length, at + 1 + int(r, 64)))]); break;
      case 3: {
        const slice = b.subarray(at, at + 1 + int(r, 32));
        b = Buffer.concat([b.subarray(0, at), ...Array<Buffer>(1 + int(r, r() < 0.1 ? 5000 : 20)).fill(slice), b.subarray(at)]);
        break;
      }
      case 4: b = b.subarray(0, at); break;
      default: b = Buffer.concat([b.subarray(0, at), Buffer.from('['.repeat(int(r, 20_000))), b.subarray(at)]); break;
    }
  }
  return b;
}

const ITEM = (i: number) => `<item><guid>g${i}</guid><title>标题 ${i} é &amp; &lt;b&gt;</title><link>https://news.example/${i}</link><pubDate>Wed, 02 Dec 2026 10:0${i}:00 +0800</pubDate><description><![CDATA[<p>正文 ${i}</p>]]></description></item>`;
function feedSeeds(): Array<{ bytes: Buffer; contentType: string | null }> {
  const rss = (enc: string) => `<?xml version="1.0" encoding="${enc}"?><rss version="2.0"><channel><title>t</title>${[1, 2, 3].map(ITEM).join('')}</channel></rss>`;
  const atom = '<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>a</title><entry><id>urn:1</id><title>x</title><updated>2026-12-02T10:00:00Z</updated><link href="https://a.example/1"/></entry></feed>';
  const rdf = '<?xml version="1.0"?><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"><channel rdf:about="x"><title>r</title></channel><item rdf:about="https://r.example/1"><title>one</title><link>https://r.example/1</link></item></rdf:RDF>';
  const json = JSON.stringify({ version: 'https://jsonfeed.org/version/1.1', title: 'j', items: [{ id: 1, content_text: 'a' }, { id: '00042', title: 'b', date_published: '2026-12-02T10:00:00+08:00' }] });
  const seeds = [
    { bytes: Buffer.from(rss('UTF-8')), contentType: 'application/rss+xml; charset=utf-8' },
    { bytes: iconv.encode(rss('GB18030'), 'gb18030'), contentType: 'application/rss+xml' },
    { bytes: iconv.encode(rss('GBK'), 'gb18030'), contentType: 'text/xml; charset=ISO-8859-1' },
    { bytes: iconv.encode(rss('Big5').replace(/标题|正文/g, '標題'), 'big5'), contentType: null },
    { bytes: iconv.encode(rss('windows-1252').replace(/标题|正文/g, 'título'), 'win1252'), contentType: 'application/xml' },
    { bytes: Buffer.concat([Buffer.from([0xff, 0xfe]), iconv.encode(rss('UTF-16'), 'utf16le')]), contentType: null },
    { bytes: Buffer.from(atom), contentType: 'application/atom+xml' },
    { bytes: Buffer.from(rdf), contentType: null },
    { bytes: Buffer.from(json), contentType: 'application/feed+json' },
  ];
  const real = join(process.cwd(), '../shared/data/feeds/rss-parser/input');
  if (existsSync(real)) for (const f of readdirSync(real).slice(0, 30)) seeds.push({ bytes: readFileSync(join(real, f)), contentType: null });
  else console.log('# fuzz: ../shared/data/feeds/ is absent; mutating generated feeds only');
  return seeds;
}

function ooniLine(i: number, r: Rand): string {
  const m: Record<string, unknown> = {
    data_format_version: '0.2.0', input: `https://site${i}.example/`, measurement_start_time: `2024-03-0${1 + (i % 9)} 10:00:${String(i % 60).padStart(2, '0')}`,
    probe_asn: 'AS4134', probe_cc: 'CN', report_id: r() < 0.5 ? `R${i}` : '', software_name: 'ooniprobe', software_version: '3.22.0',
    test_name: 'web_connectivity', test_keys: { blocking: pick(r, [false, 'dns', 'tcp_ip', null]), accessible: r() < 0.5, requests: [{ response: { body: '<html>中文</html>' } }] },
  };
  if (r() < 0.3) m.measurement_uid = `20240301${i}`;
  return JSON.stringify(m);
}

/** Heap after a collection, when the test runs with --expose-gc; else as it stands. */
function heapNow(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage().heapUsed;
}
const MEMORY_BOUND = 512 << 20;

describe('fuzz: the feed parser', () => {
  it('reads or refuses every mutated feed, never crashes', () => {
    const r = mulberry32(SEED);
    const seeds = feedSeeds();
    const end = Date.now() + BUDGET_MS * 0.2;
    const heap0 = heapNow();
    let runs = 0;
    let parsed = 0;
    while (Date.now() < end) {
      const seed = pick(r, seeds);
      const bytes = r() < 0.1 ? Buffer.from(Array.from({ length: int(r, 400) }, () => int(r, 256))) : mutate(seed.bytes, r);
      runs++;
      try {
        const feed = readFeed(bytes, seed.contentType, 'https://feed.example/');
        for (const item of feed.items) assert.equal(typeof item.id, 'string');
        parsed++;
      } catch (err) {
        if (!(err instanceof NotAFeedError)) throw new Error(`run ${runs} (FUZZ_SEED=${SEED}): ${(err as Error).stack}\nbase64 input: ${bytes.toString('base64').slice(0, 2000)}`);
      }
      if (runs % 200 === 0) assert.ok(heapNow() - heap0 < MEMORY_BOUND, `heap grew by ${(heapNow() - heap0) >> 20} MiB`);
    }
    console.log(`# fuzz: ${runs} feeds, ${parsed} read, the rest refused as not a feed`);
    assert.ok(runs >= 20 && parsed > 0, `${runs} feeds tried, ${parsed} read`);
  });
});

const FORMATS = ['weiboscope', 'twitter-io', 'csv', 'jsonl'] as const;

describe('fuzz: the posts readers in-process', () => {
  const files = tempDir();
  after(() => files.cleanup());

  it('reads every mutated CSV/JSONL file to posts and quarantined rows, never crashes', async () => {
    const r = mulberry32(SEED ^ 0xc5f);
    const generated = fc.sample(genFile(FORMATS), { seed: SEED ^ 1, numRuns: 500 });
    const end = Date.now() + BUDGET_MS * 0.2;
    const heap0 = heapNow();
    let runs = 0;
    let refused = 0;
    while (Date.now() < end || runs < 10) {
      const g = generated[runs % generated.length];
      const bytes = mutate(build(g).bytes, r);
      const file = files.file(`r${runs % 50}.${g.format === 'jsonl' ? 'jsonl' : 'csv'}`, bytes);
      const mapping = g.format === 'csv' || g.format === 'jsonl' ? GENERIC_MAPPING : undefined;
      runs++;
      let read = 0;
      try {
        await readPosts(file, resolveFormat({ name: g.format, mapping }), { encoding: 'utf-8', maxField: MAX_FIELD }, async (batch) => {
          read += batch.posts.length + batch.bad.length;
          for (const bad of batch.bad) assert.ok(bad.line >= 1 && bad.reason.length > 0 && bad.field.length > 0, 'a quarantined row names line, field and reason');
        });
      } catch (err) {
        if (!(err instanceof UserError)) throw new Error(`${g.format} run ${runs} (FUZZ_SEED=${SEED}): ${(err as Error).stack}\nbase64 input: ${bytes.toString('base64').slice(0, 2000)}`);
        refused++;
      }
      assert.ok(read >= 0);
      if (runs % 50 === 0) assert.ok(heapNow() - heap0 < MEMORY_BOUND, `heap grew by ${(heapNow() - heap0) >> 20} MiB`);
    }
    console.log(`# fuzz: ${runs} posts files read in-process, ${refused} refused whole as not the format`);
    assert.ok(runs - refused > 0);
  });
});

const list = backends();
for (const b of list) {
  describe(`fuzz: importers [${b.label}]`, () => {
    let t: TestStore;
    const files = tempDir();
    before(async () => {
      t = await b.open();
    });
    after(async () => {
      await t.cleanup();
      files.cleanup();
    });

    const assertRecorded = async (file: string, c: { rows: number; imported: number; duplicates: number; quarantined: number }, what: string) => {
      assert.equal(c.rows, c.imported + c.duplicates + c.quarantined, `${what}: accounting ${JSON.stringify(c)} (FUZZ_SEED=${SEED})`);
      const rec = await t.store.db.selectFrom('imports').select(['rows', 'imported', 'duplicates', 'quarantined', 'state']).where('file', '=', file).orderBy('id', 'desc').executeTakeFirstOrThrow();
      assert.equal(rec.state, 'done', what);
      assert.equal(Number(rec.rows), Number(rec.imported) + Number(rec.duplicates) + Number(rec.quarantined), `${what}: the imports record adds up`);
    };

    it('posts files (CSV formats and JSONL), generated then mutated: no crash, every row accounted for', async () => {
      const r = mulberry32(SEED ^ 0x5eed);
      const generated = fc.sample(genFile(FORMATS), { seed: SEED, numRuns: 400 });
      const end = Date.now() + (BUDGET_MS * 0.25) / list.length;
      const heap0 = heapNow();
      let runs = 0;
      let refused = 0;
      while (Date.now() < end || runs < 3) {
        const g = generated[runs % generated.length];
        const bytes = r() < 0.7 ? mutate(build(g).bytes, r) : build(g).bytes;
        const file = files.file(`p${runs}.${g.format === 'jsonl' ? 'jsonl' : 'csv'}`, bytes);
        const mapping = g.format === 'csv' || g.format === 'jsonl' ? GENERIC_MAPPING : undefined;
        runs++;
        try {
          const c = await importFile(t.store, file, { format: resolveFormat({ name: g.format, mapping }), mapping, source: `fuzz-${g.format}`, maxField: MAX_FIELD, quiet: true });
          await assertRecorded(file, c, `${g.format} run ${runs}`);
        } catch (err) {
          if (!(err instanceof UserError)) throw new Error(`${g.format} run ${runs} (FUZZ_SEED=${SEED}): ${(err as Error).stack}\nbase64 input: ${bytes.toString('base64').slice(0, 2000)}`);
          refused++;
        }
        assert.ok(heapNow() - heap0 < MEMORY_BOUND, `heap grew by ${(heapNow() - heap0) >> 20} MiB`);
      }
      console.log(`# fuzz [${b.label}]: ${runs} posts files, ${refused} refused whole as not the format`);
      assert.ok(runs - refused > 0, 'some files were imported');
    });

    it('OONI lines, plain and gzip, mutated: no crash, every line accounted for', async () => {
      const r = mulberry32(SEED ^ 0x00111);
      const end = Date.now() + (BUDGET_MS * 0.35) / list.length;
      const heap0 = heapNow();
      let runs = 0;
      let refused = 0;
      while (Date.now() < end || runs < 3) {
        const lines = Array.from({ length: 1 + int(r, 12) }, (_, i) => Buffer.from(ooniLine(runs * 100 + int(r, 40) + i, r)));
        const text = Buffer.concat(lines.flatMap((l) => [r() < 0.5 ? mutate(l, r) : l, Buffer.from(pick(r, ['\n', '\r\n', '\n\n']))]));
        const gz = r() < 0.4;
        let bytes = gz ? gzipSync(text) : text;
        // A damaged gzip stream is refused with its lines before kept: also fuzzed, sometimes.
        const damagedGzip = gz && r() < 0.2;
        if (damagedGzip) bytes = Buffer.concat([bytes.subarray(0, 10), mutate(bytes.subarray(10), r)]);
        const file = files.file(`o${runs}.jsonl${gz ? '.gz' : ''}`, bytes);
        runs++;
        try {
          const c = await importOoniFile(t.store, file, { quiet: true });
          await assertRecorded(file, c, `ooni run ${runs}`);
        } catch (err) {
          if (!(err instanceof UserError)) throw new Error(`ooni run ${runs} (FUZZ_SEED=${SEED}): ${(err as Error).stack}\nbase64 input: ${bytes.toString('base64').slice(0, 2000)}`);
          refused++;
          const rec = await t.store.db.selectFrom('imports').select(['rows', 'imported', 'duplicates', 'quarantined']).where('file', '=', file).orderBy('id', 'desc').executeTakeFirst();
          if (rec) assert.equal(Number(rec.rows), Number(rec.imported) + Number(rec.duplicates) + Number(rec.quarantined), `ooni run ${runs}: a refused import's record still adds up`);
        }
        assert.ok(heapNow() - heap0 < MEMORY_BOUND, `heap grew by ${(heapNow() - heap0) >> 20} MiB`);
      }
      console.log(`# fuzz [${b.label}]: ${runs} OONI files, ${refused} refused whole`);
      assert.ok(runs - refused > 0, 'some files were imported');
    });
  });
}
