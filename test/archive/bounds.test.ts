/**
 * Rolling files, the storage bound, and crash safety, on both store backends; and where the
 * archive folder is.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { backends } from '../helpers/stores.ts';
import { openArchive, listWarcFiles, readRecordAt, MAX_BYTES_SETTING } from '../../src/archive/index.ts';
import { archiveDirFor } from '../../src/archive/location.ts';
import { parseRecord, serializeRecord, newRecordId } from '../../src/archive/warc.ts';
import type { HttpExchange } from '../../src/archive/types.ts';
import { independentParse } from './parse-check.ts';

const ex = (i: number, body: Uint8Array): HttpExchange => ({
  at: Date.UTC(2026, 0, 1) + i * 1000, method: 'GET', url: `http://roll.test/${i}`, requestHeaders: {}, status: 200,
  responseHeaders: new Headers({ 'content-type': 'text/plain' }), body, truncated: false,
});
/** n incompressible bytes, the same for the same i. */
function distinct(i: number, n = 3000): Uint8Array {
  const out = new Uint8Array(n);
  for (let o = 0, k = 0; o < n; o += 32, k++) out.set(createHash('sha256').update(`${i}:${k}`).digest().subarray(0, Math.min(32, n - o)), o);
  return out;
}

test('the archive folder: --archive, else $CENSORSCOPE_ARCHIVE, else beside the SQLite file, else ./censorscope-archive', () => {
  assert.equal(archiveDirFor({ archive: '/a', db: '/x/s.db', env: { CENSORSCOPE_ARCHIVE: '/e' } }), '/a');
  assert.equal(archiveDirFor({ db: '/x/s.db', env: { CENSORSCOPE_ARCHIVE: '/e' } }), '/e');
  assert.equal(archiveDirFor({ db: '/x/s.db', env: {} }), '/x/s-archive');
  assert.equal(archiveDirFor({ env: { CENSORSCOPE_DB: '/data/censorscope.db' } }), '/data/censorscope-archive');
  assert.equal(archiveDirFor({ env: {} }), 'censorscope-archive');
  assert.equal(archiveDirFor({ env: { DATABASE_URL: 'postgres://h/db' } }), 'censorscope-archive');
});

for (const backend of backends()) {
  test(`${backend.label}: files roll past maxFileBytes, each opening with a warcinfo record`, async () => {
    const ts = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'censorscope-roll-'));
    try {
      const archive = await openArchive(ts.store, { dir, maxFileBytes: 8000 });
      for (let i = 0; i < 12; i++) await archive.record(ex(i, distinct(i)), { subject: 'site', subjectId: 1 });
      await archive.close();
      const files = listWarcFiles(dir);
      assert.ok(files.length >= 3, `expected several files, got ${files.join(', ')}`);
      for (const f of files) {
        assert.match(f, new RegExp(`^censorscope-\\d{17}-[A-Za-z0-9.-]+-${process.pid}-\\d+\\.warc\\.gz$`));
        const first = await parseRecord(readFileSync(join(dir, f)));
        assert.equal(first.type, 'warcinfo');
        // A file is closed once it passes the limit: at most one pair of records over it.
        assert.ok(statSync(join(dir, f)).size < 8000 + 2 * 4000, `${f} is ${statSync(join(dir, f)).size} bytes`);
      }
      await independentParse(ts.store, dir);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await ts.cleanup();
    }
  });

  test(`${backend.label}: past the storage bound payloads are not written, revisits still are, one warning`, async () => {
    const ts = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'censorscope-bound-'));
    try {
      // The bound from the settings table.
      await ts.store.db.insertInto('settings').values({ key: MAX_BYTES_SETTING, value: '20000' }).execute();
      const warnings: string[] = [];
      const archive = await openArchive(ts.store, { dir, warn: (m) => warnings.push(m) });
      const answers = [];
      for (let i = 0; i < 10; i++) answers.push(await archive.record(ex(i, distinct(i, 6000)), { subject: 'site', subjectId: 1 }));
      const firstSkipped = answers.findIndex((a) => a.skipped === 'archive_full');
      assert.ok(firstSkipped > 0, 'some payloads were written before the bound');
      assert.ok(answers.slice(firstSkipped).every((a) => a.skipped === 'archive_full' && !a.revisit));
      assert.equal(warnings.length, 1);
      assert.match(warnings[0]!, /reached its bound of 20000 bytes.*archive\.maxBytes/);
      const sizeFull = listWarcFiles(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);
      // A headers-only record is small: the 6000-byte payloads were not written.
      assert.ok(sizeFull < 20000 + 6000 + (10 - firstSkipped) * 1200, `archive grew to ${sizeFull}`);
      const skipped = await archive.read(answers[firstSkipped]!.recordId);
      assert.equal(skipped.status, 200);
      assert.equal(skipped.body.length, 0);
      assert.deepEqual(skipped.headers, [['content-type', 'text/plain']]);
      assert.equal(answers[firstSkipped]!.payloadDigest, `sha256:${createHash('sha256').update(distinct(firstSkipped, 6000)).digest('hex')}`);
      // A payload archived before the bound still dedups to a revisit.
      const again = await archive.record(ex(0, distinct(0, 6000)), { subject: 'site', subjectId: 1 });
      assert.equal(again.revisit, true);
      assert.equal(again.skipped, undefined);
      assert.deepEqual(Buffer.from((await archive.read(again.recordId)).body), Buffer.from(distinct(0, 6000)));
      await archive.close();
      await independentParse(ts.store, dir);
      const row = await ts.store.db.selectFrom('archive_records').selectAll().where('id', '=', answers[firstSkipped]!.recordId).executeTakeFirstOrThrow();
      const rec = await readRecordAt(dir, row.file, Number(row.record_offset), Number(row.record_length));
      assert.equal(rec.truncated, 'length');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await ts.cleanup();
    }
  });

  test(`${backend.label}: a writer killed mid-file leaves a torn tail that is neither indexed nor appended to`, async () => {
    const ts = await backend.open();
    const dir = mkdtempSync(join(tmpdir(), 'censorscope-crash-'));
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/archive/writer-child.ts', dir], {
        env: { ...process.env, DATABASE_URL: '', ...ts.env }, stdio: ['ignore', 'pipe', 'inherit'],
      });
      let written = 0;
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => { written += d.split('\n').filter(Boolean).length; if (written >= 8) child.kill('SIGKILL'); });
      await once(child, 'exit');
      assert.ok(written >= 8);
      const [deadFile] = listWarcFiles(dir);
      assert.ok(deadFile);
      // Whatever the kill left, make the tail certainly torn: half a record, as a write cut short leaves it.
      const half = await serializeRecord({ type: 'response', id: newRecordId(), url: 'http://crash.test/torn', date: Date.now(), head: new TextEncoder().encode('HTTP/1.1 200 OK\r\n\r\n'), payload: distinct(1, 5000) });
      appendFileSync(join(dir, deadFile), half.subarray(0, half.length >> 1));
      const deadSize = statSync(join(dir, deadFile)).size;

      // Every indexed record of the dead writer parses where the index says.
      const rows = await ts.store.db.selectFrom('archive_records').selectAll().execute();
      assert.ok(rows.length >= 16);
      for (const r of rows) {
        const rec = await readRecordAt(dir, r.file, Number(r.record_offset), Number(r.record_length));
        assert.equal(rec.id, r.warc_record_id);
        assert.ok(Number(r.record_offset) + Number(r.record_length) <= deadSize - (half.length >> 1));
      }
      // A new process writes to a new file and leaves the dead one alone.
      const archive = await openArchive(ts.store, { dir });
      await archive.record(ex(1, distinct(99)), { subject: 'site', subjectId: 1 });
      await archive.close();
      assert.equal(statSync(join(dir, deadFile)).size, deadSize);
      assert.equal(listWarcFiles(dir).length, 2);
      const newest = await ts.store.db.selectFrom('archive_records').select('file').orderBy('id', 'desc').limit(1).executeTakeFirstOrThrow();
      assert.notEqual(newest.file, deadFile);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await ts.cleanup();
    }
  });
}
