/**
 * The WARC writer and reader on both store backends: exchanges round-trip byte for byte (binary
 * bodies, Latin-1 header bytes, non-ASCII URLs), and an independent pass of warcio's own parser
 * over the files finds every indexed record at its offset with the digests the store holds.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { backends } from '../helpers/stores.ts';
import { openArchive, listWarcFiles } from '../../src/archive/index.ts';
import { targetUri } from '../../src/archive/warc.ts';
import { independentParse } from './parse-check.ts';
import { lookupRecord, recordsOf } from '../../src/archive/lookup.ts';
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


for (const backend of backends()) {
  test(`${backend.label}: lookupRecord finds the capture of a URL at or before a time; recordsOf lists a subject's records`, async () => {
    const ts = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'censorscope-archive-'));
    try {
      const archive = await openArchive(ts.store, { dir });
      const at = (min: number) => Date.UTC(2026, 5, 1) + min * 60_000;
      const ex = (t: number, url: string, body: string): HttpExchange => ({
        at: t, method: 'GET', url, requestHeaders: {}, status: 200, responseHeaders: new Headers({ 'content-type': 'text/css' }),
        body: new TextEncoder().encode(body), truncated: false,
      });
      const a = await archive.record(ex(at(0), 'http://站点.test/样式.css', 'a{}'), { subject: 'site', subjectId: 1 });
      const b = await archive.record(ex(at(10), 'http://站点.test/样式.css', 'b{}'), { subject: 'site', subjectId: 1 });
      const c = await archive.record(ex(at(20), 'http://站点.test/样式.css', 'a{}'), { subject: 'site', subjectId: 2 });
      await archive.close();
      assert.equal(await lookupRecord(ts.store, { url: 'http://站点.test/样式.css', at: at(0) - 1 }), null);
      assert.equal((await lookupRecord(ts.store, { url: 'http://站点.test/样式.css', at: at(0) }))?.id, a.recordId);
      assert.equal((await lookupRecord(ts.store, { url: 'http://站点.test/样式.css', at: at(15) }))?.id, b.recordId);
      const latest = await lookupRecord(ts.store, { url: targetUri('http://站点.test/样式.css'), at: at(60) });
      assert.equal(latest?.id, c.recordId);
      assert.equal(latest?.type, 'revisit');
      assert.equal(await lookupRecord(ts.store, { url: 'http://站点.test/other.css', at: at(60) }), null);
      const of1 = await recordsOf(ts.store, { subject: 'site', subjectId: 1 });
      assert.deepEqual(of1.map((r) => r.type), ['response', 'request', 'response', 'request']);
      assert.deepEqual((await recordsOf(ts.store, { subject: 'site', subjectId: 2 })).map((r) => [r.type, r.refers_to]), [['revisit', a.recordId], ['request', c.recordId]]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await ts.cleanup();
    }
  });
}
