/**
 * The WARC writer and reader on both store backends: exchanges round-trip byte for byte (binary
 * bodies, Latin-1 header bytes, non-ASCII URLs), and an independent pass of warcio's own parser
 * over the files finds every indexed record at its offset with the digests the store holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { WARCParser } from 'warcio';
import { backends } from '../helpers/stores.ts';
import { openArchive, listWarcFiles } from '../../src/archive/index.ts';
import { targetUri } from '../../src/archive/warc.ts';
import type { HttpExchange } from '../../src/archive/types.ts';

const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** A header value as a ByteString: printable Latin-1 without the characters HTTP forbids. */
const byteString = fc.array(fc.integer({ min: 0x20, max: 0xff }).filter((c) => c !== 0x7f), { maxLength: 40 })
  .map((cs) => String.fromCharCode(...cs).trim());
const exchange: fc.Arbitrary<HttpExchange> = fc.record({
  at: fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2090, 0, 1) }),
  path: fc.string({ unit: 'grapheme', maxLength: 12 }),
  host: fc.constantFrom('example.org', '例え.jp', 'xn--80ak6aa92e.com', '127.0.0.1:8080'),
  status: fc.constantFrom(200, 204, 301, 404, 410, 500, 599),
  headers: fc.array(fc.tuple(fc.constantFrom('content-type', 'x-hostile', 'set-cookie', 'server', 'x-empty'), byteString), { maxLength: 6 }),
  body: fc.uint8Array({ maxLength: 3000 }),
  truncated: fc.boolean(),
}).map((r) => {
  const h = new Headers();
  for (const [k, v] of r.headers) h.append(k, v);
  return {
    at: r.at, method: 'GET' as const, url: `http://${r.host}/${encodeURIComponent(r.path)}`,
    requestHeaders: { 'user-agent': 'censorscope-test', 'x-evil': 'a\r\nWARC/1.1\r\n' },
    status: r.status, responseHeaders: h, body: r.body, truncated: r.truncated,
  };
});

for (const backend of backends()) {
  test(`${backend.label}: exchanges round-trip through WARC records byte for byte`, async () => {
    const ts = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'censorscope-archive-'));
    try {
      const archive = await openArchive(ts.store, { dir });
      let subjectId = 0;
      await fc.assert(fc.asyncProperty(exchange, async (ex) => {
        const got = await archive.record(ex, { subject: 'site', subjectId: ++subjectId });
        assert.equal(got.payloadDigest, `sha256:${hex(ex.body)}`);
        const back = await archive.read(got.recordId);
        assert.deepEqual(Buffer.from(back.body), Buffer.from(ex.body));
        assert.equal(back.status, ex.status);
        assert.equal(back.targetUri, targetUri(ex.url));
        assert.equal(back.date, ex.at);
        assert.deepEqual(back.headers, [...ex.responseHeaders]);
      }), { numRuns: 60 });
      await archive.close();
      await independentParse(ts.store, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await ts.cleanup();
    }
  });

  test(`${backend.label}: a second identical payload becomes a revisit that reads back as the original's body`, async () => {
    const ts = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'censorscope-archive-'));
    try {
      const archive = await openArchive(ts.store, { dir });
      const body = new Uint8Array(20_000).map((_, i) => (i * 7919) % 251);
      const ex = (at: number, status: number): HttpExchange => ({
        at, method: 'GET', url: 'http://site.test/', requestHeaders: {}, status,
        responseHeaders: new Headers({ 'content-type': 'application/octet-stream', date: new Date(at).toUTCString() }), body, truncated: false,
      });
      const first = await archive.record(ex(1_700_000_000_000, 200), { subject: 'site', subjectId: 1 });
      const sizeAfterFirst = sizeOf(dir);
      const second = await archive.record(ex(1_700_000_060_000, 203), { subject: 'post', subjectId: 9, observationId: 4 });
      const grewBy = sizeOf(dir) - sizeAfterFirst;
      assert.equal(first.revisit, false);
      assert.equal(second.revisit, true);
      assert.equal(second.payloadDigest, first.payloadDigest);
      assert.ok(grewBy < 2_000, `a revisit of a 20 kB payload should cost well under 2 kB, it cost ${grewBy}`);
      const row = await ts.store.db.selectFrom('archive_records').selectAll().where('id', '=', second.recordId).executeTakeFirstOrThrow();
      assert.equal(row.type, 'revisit');
      assert.equal(Number(row.refers_to), first.recordId);
      assert.equal(Number(row.observation_id), 4);
      const back = await archive.read(second.recordId);
      assert.equal(back.status, 203, 'the revisit keeps its own status');
      assert.equal(back.date, 1_700_000_060_000);
      assert.deepEqual(Buffer.from(back.body), Buffer.from(body));
      await archive.close();
      await independentParse(ts.store, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await ts.cleanup();
    }
  });
}

function sizeOf(dir: string): number {
  let n = 0;
  for (const f of listWarcFiles(dir)) n += statSync(join(dir, f)).size;
  return n;
}

/**
 * Parses every WARC file with warcio from the start (not through our reader) and checks that every
 * index row names a record that is really at that offset, with that length, ID and digests.
 */
export async function independentParse(store: import('../../src/store/open.ts').Store, dir: string): Promise<void> {
  const found = new Map<string, { file: string; offset: number; length: number; type: string; payloadDigest: string | null; blockOk: boolean; payloadOk: boolean }>();
  for (const file of listWarcFiles(dir)) {
    const parser = new WARCParser(createReadStream(join(dir, file)), { parseHttp: false });
    for await (const record of parser) {
      const block = await record.readFully(false);
      const blockOk = record.warcBlockDigest == null || record.warcBlockDigest === `sha256:${hex(block)}`;
      let payloadOk = true;
      if (record.warcType === 'response' || record.warcType === 'request') {
        const end = Buffer.from(block).indexOf('\r\n\r\n');
        payloadOk = record.warcPayloadDigest === `sha256:${hex(block.subarray(end + 4))}`;
      }
      found.set(record.warcHeader('WARC-Record-ID')!, {
        file, offset: parser.offset, length: parser.recordLength, type: record.warcType,
        payloadDigest: record.warcPayloadDigest ?? null, blockOk, payloadOk,
      });
    }
  }
  const rows = await store.db.selectFrom('archive_records').selectAll().execute();
  assert.ok(rows.length > 0);
  for (const row of rows) {
    const rec = found.get(row.warc_record_id);
    assert.ok(rec, `record ${row.warc_record_id} is in no WARC file`);
    assert.equal(rec.file, row.file);
    assert.equal(rec.offset, Number(row.record_offset), `offset of ${row.warc_record_id}`);
    assert.equal(rec.length, Number(row.record_length), `length of ${row.warc_record_id}`);
    assert.equal(rec.type, row.type);
    assert.ok(rec.blockOk, `block digest of ${row.warc_record_id}`);
    assert.ok(rec.payloadOk, `payload digest of ${row.warc_record_id}`);
    if (row.type !== 'request') assert.equal(rec.payloadDigest, row.payload_digest);
  }
}
