/**
 * OONI import fidelity on both backends: identity deduplication, quarantine instead of abort,
 * BOM and CRLF, non-JSONL refused at once, gzip, the accounting rule and the import record,
 * interrupted imports, and the migration of stores keyed by line hashes.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { backends, type TestStore } from '../helpers/stores.ts';
import { openStoreBefore } from '../helpers/old-store.ts';
import { tempDir } from '../helpers/files.ts';
import { importOoniFile } from '../../src/probe/ooni/import.ts';
import { UserError } from '../../src/util/errors.ts';
import { migrateToLatest } from '../../src/store/migrations/index.ts';
import { canonicalJson, measurementIdentity } from '../../src/probe/ooni/identity.ts';
import { parseOoniTime } from '../../src/probe/ooni/format.ts';

/** A web_connectivity measurement shaped like OONI's; `uid` false leaves measurement_uid out. */
function measurement(i: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    annotations: { platform: 'linux' }, data_format_version: '0.2.0', input: `https://site${i}.example/`,
    measurement_start_time: `2024-03-${String(1 + (i % 28)).padStart(2, '0')} 10:00:${String(i % 60).padStart(2, '0')}`,
    probe_asn: 'AS4134', probe_cc: 'CN', report_id: '', software_name: 'ooniprobe', software_version: '3.22.0',
    test_name: 'web_connectivity', test_runtime: 1.5, test_version: '0.5.28',
    test_keys: { blocking: i % 2 ? 'dns' : false, accessible: i % 2 === 0, queries: [{ hostname: `site${i}.example`, answers: [{ ipv4: '10.0.0.1' }] }] },
    ...extra,
  };
}

/** The same JSON value with every object's keys in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(reversedKeys);
  return Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reversedKeys(x)]));
}

describe('OONI identity and time', () => {
  it('reads only real UTC times', () => {
    assert.equal(parseOoniTime('2024-02-29 23:59:59'), Date.UTC(2024, 1, 29, 23, 59, 59));
    for (const bad of ['2019-02-30 25:61:61', '2019-02-30 10:00:00', '2023-02-29 10:00:00', '2024-01-01T10:00:00', '2024-01-01 10:00']) {
      assert.equal(parseOoniTime(bad), null, bad);
    }
  });

  it('keys by measurement_uid, else report_id + input + time, else canonical content', () => {
    const a = measurement(1);
    assert.equal(measurementIdentity(a).by, 'content');
    assert.equal(measurementIdentity(reversedKeys(a) as Record<string, unknown>).key, measurementIdentity(a).key);
    assert.notEqual(measurementIdentity(measurement(3)).key, measurementIdentity(a).key);
    const r = measurementIdentity({ ...a, report_id: 'R1' });
    assert.equal(r.by, 'report_id');
    assert.equal(measurementIdentity({ ...a, report_id: 'R1', test_runtime: 9 }).key, r.key, 'same report, input and time');
    assert.notEqual(measurementIdentity({ ...a, report_id: 'R1', test_runtime: 9 }).contentSha256, r.contentSha256);
    assert.equal(measurementIdentity({ ...a, measurement_uid: 'U1' }).key, 'U1');
    assert.equal(canonicalJson({ b: 1, a: [{ d: 1, c: 2 }] }), '{"a":[{"c":2,"d":1}],"b":1}');
  });
});

for (const b of backends()) {
  describe(`OONI import fidelity [${b.label}]`, () => {
    let t: TestStore;
    let files: ReturnType<typeof tempDir>;
    before(async () => {
      t = await b.open();
      files = tempDir();
    });
    after(async () => {
      await t.cleanup();
      files.cleanup();
    });
    const measurementsOf = (prefix: string) => t.store.db.selectFrom('probe_measurements').select(['uid', 'input', 'body', 'measured_at'])
      .where('input', 'like', `https://${prefix}%`).orderBy('id').execute();

    it('quarantines an impossible date with file, line, field and reason, and imports the rest', async () => {
      const lines = [measurement(1, { input: 'https://date1.example/' }), measurement(2, { input: 'https://date2.example/', measurement_start_time: '2019-02-30 25:61:61' }), measurement(3, { input: 'https://date3.example/' })];
      const file = files.file('date.jsonl', lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
      const c = await importOoniFile(t.store, file, { quiet: true });
      assert.deepEqual(c, { rows: 3, imported: 2, duplicates: 0, quarantined: 1 });
      assert.deepEqual((await measurementsOf('date')).map((r) => r.input), ['https://date1.example/', 'https://date3.example/']);
      const err = await t.store.db.selectFrom('import_errors').selectAll().where('file', '=', file).executeTakeFirstOrThrow();
      assert.equal(err.line, 2);
      assert.equal(err.field, 'measurement_start_time');
      assert.match(err.reason, /2019-02-30 25:61:61.*not a real UTC time/);
      assert.deepEqual(JSON.parse(err.raw), lines[1]);
    });

    it('quarantines a line with a raw NUL, whose parse error quotes the NUL, on every backend (found by the fuzz test)', async () => {
      const good = JSON.stringify(measurement(1, { input: 'https://nul1.example/' }));
      const file = files.file('nul.jsonl', `${good}\n{"input":\u0000"x"}\n`);
      const c = await importOoniFile(t.store, file, { quiet: true });
      assert.deepEqual(c, { rows: 2, imported: 1, duplicates: 0, quarantined: 1 });
      const err = await t.store.db.selectFrom('import_errors').selectAll().where('file', '=', file).executeTakeFirstOrThrow();
      assert.equal(err.line, 2);
      assert.ok(!err.reason.includes('\u0000') && err.reason.includes('\\u0000'), err.reason);
      assert.equal(Buffer.from(err.raw.replace(/^base64:/, ''), 'base64').toString(), '{"input":\u0000"x"}');
    });

    it('quarantines test keys the store cannot keep in its columns, naming the key, on every backend (found by the fuzz test)', async () => {
      const keys = (i: number, k: Record<string, unknown>) => JSON.stringify(measurement(i, { input: `https://keys${i}.example/`, test_keys: { accessible: false, ...k } }));
      const lines = [
        keys(1, { blocking: 'tcp_i\u0000p' }),
        keys(2, { blocking: 'dns', x_verdict: 'blocked\u0000' }),
        keys(3, { blocking: { dns: true } }),
        keys(4, { blocking: 'dns', x_blocking_flags: 1.5 }),
        keys(5, { blocking: 'dns', x_blocking_flags: 2 ** 40 }),
        keys(6, { blocking: 'http-diff', x_blocking_flags: 4, x_verdict: 'blocked' }),
        keys(7, { blocking: false, accessible: true }),
      ];
      const file = files.file('keys.jsonl', lines.join('\n') + '\n');
      const c = await importOoniFile(t.store, file, { quiet: true });
      assert.deepEqual(c, { rows: 7, imported: 2, duplicates: 0, quarantined: 5 });
      const errs = await t.store.db.selectFrom('import_errors').select(['line', 'field', 'reason', 'raw']).where('file', '=', file).orderBy('line').execute();
      assert.deepEqual(errs.map((e) => [e.line, e.field]), [[1, 'test_keys.blocking'], [2, 'test_keys.x_verdict'], [3, 'test_keys.blocking'], [4, 'test_keys.x_blocking_flags'], [5, 'test_keys.x_blocking_flags']]);
      assert.match(errs[0].reason, /NUL/);
      assert.ok(errs.every((e) => !e.reason.includes('\u0000')), 'no reason holds a raw NUL');
      assert.deepEqual(errs.map((e) => e.raw), lines.slice(0, 5), 'each line is kept as written');
      const stored = await measurementsOf('keys');
      assert.deepEqual(stored.map((r) => r.input), ['https://keys6.example/', 'https://keys7.example/']);
    });

    it('accepts a UTF-8 BOM before the first measurement', async () => {
      const file = files.file('bom.jsonl', '\uFEFF' + JSON.stringify(measurement(1, { input: 'https://bom.example/' })) + '\n');
      assert.deepEqual(await importOoniFile(t.store, file, { quiet: true }), { rows: 1, imported: 1, duplicates: 0, quarantined: 0 });
      const [row] = await measurementsOf('bom');
      assert.ok(!row.body.startsWith('\uFEFF'));
    });

    it('refuses a file that is not JSON lines at once, with a sentence, storing nothing', async () => {
      const png = files.file('m.jsonl', Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('\nIHDR\n{"a":1}\n')]));
      const array = files.file('array.json', JSON.stringify([measurement(1)]) + '\n');
      const pretty = files.file('pretty.json', JSON.stringify({ results: [measurement(1)] }, null, 2));
      const csv = files.file('list.csv', 'url,category_code\nhttps://a.example/,NEWS\n');
      const before = await t.store.db.selectFrom('import_errors').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow();
      for (const [file, why] of [[png, /is a PNG image, not an OONI measurement JSONL file/], [array, /line 1 is a JSON array/], [pretty, /pretty-printed JSON document/], [csv, /line 1 does not start with "\{"/]] as const) {
        await assert.rejects(importOoniFile(t.store, file, { quiet: true }), (e: Error) => e instanceof UserError && why.test(e.message) && e.message.includes(file));
      }
      const afterCount = await t.store.db.selectFrom('import_errors').select((e) => e.fn.countAll().as('n')).executeTakeFirstOrThrow();
      assert.equal(Number(afterCount.n), Number(before.n), 'no per-line quarantine for a file refused at once');
    });

    it('deduplicates by identity: reordered keys and reformatted JSON are duplicates; a same-uid conflict is quarantined with both versions', async () => {
      const plain = measurement(5, { input: 'https://dup1.example/' });
      const report = measurement(6, { input: 'https://dup2.example/', report_id: '20240301T100006Z_webconnectivity_CN_4134_n1_abc' });
      const uid = measurement(7, { input: 'https://dup3.example/', measurement_uid: '20240301100007.000000_CN_webconnectivity_0123456789abcdef' });
      const first = files.file('dup-a.jsonl', [plain, report, uid].map((m) => JSON.stringify(m)).join('\n'));
      assert.deepEqual(await importOoniFile(t.store, first, { quiet: true }), { rows: 3, imported: 3, duplicates: 0, quarantined: 0 });
      const again = files.file('dup-b.jsonl', [
        JSON.stringify(reversedKeys(plain)),
        JSON.stringify(reversedKeys(report), null, 1).replace(/\n/g, ' '),
        JSON.stringify(reversedKeys(uid)),
        JSON.stringify({ ...uid, test_keys: { ...(uid.test_keys as object), blocking: 'http-diff' } }),
      ].join('\n'));
      const errors = `${files.dir}/dup-errors.jsonl`;
      assert.deepEqual(await importOoniFile(t.store, again, { quiet: true, errorsFile: errors }), { rows: 4, imported: 0, duplicates: 3, quarantined: 1 });
      assert.equal((await measurementsOf('dup')).length, 3);
      const [conflict] = readFileSync(errors, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.equal(conflict.line, 4);
      assert.equal(conflict.field, 'measurement_uid');
      const both = JSON.parse(conflict.raw);
      assert.equal(both.stored.test_keys.blocking, 'dns');
      assert.equal(both.incoming.test_keys.blocking, 'http-diff');
    });

    it('keeps the accounting rule on a damaged file: good lines stored as written, bad ones quarantined', async () => {
      // Padded so that the NUL lines lie past the first 4 KiB, where a NUL means a binary or UTF-16 file.
      const good = [1, 2, 3, 4].map((i) => measurement(i, { input: `https://mix${i}.example/`, annotations: { note: 'x'.repeat(1200) } }));
      const truncated = JSON.stringify(measurement(9, { input: 'https://mix9.example/' })).slice(0, 120);
      const parts: Buffer[] = [
        Buffer.from('\uFEFF' + JSON.stringify(good[0]) + '\r\n'),
        Buffer.from(JSON.stringify(good[1]) + '\r\n'),
        Buffer.from('\r\n'),
        Buffer.from(JSON.stringify(measurement(8, { input: 'https://mix8.example/', measurement_start_time: '2019-02-30 25:61:61' })) + '\n'),
        Buffer.from(truncated + '\n'),
        Buffer.from('[1, 2, 3]\n'),
        Buffer.from('"a string"\n'),
        Buffer.concat([Buffer.from('{"input": "https://mix10.example/", "x": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}\n')]),
        Buffer.from(JSON.stringify({ ...good[2], probe_cc: 'China' }).replace('mix3', 'mix11') + '\n'),
        // PostgreSQL cannot hold NUL in text: quarantined, never an aborted import.
        Buffer.from(JSON.stringify(measurement(12, { input: 'https://mix12\u0000.example/' })) + '\n'),
        Buffer.from('{"input": "https://mix13.example/"}\u0000\n'),
        // Too long for PostgreSQL's indexes (random, so it does not compress): quarantined too.
        Buffer.from(JSON.stringify(measurement(14, { input: `https://mix14.example/${randomBytes(3000).toString('hex')}`, report_id: 'R14' })) + '\n'),
        Buffer.from(JSON.stringify(good[2]) + '\n'),
        Buffer.from(JSON.stringify(good[0]) + '\n'),
        Buffer.from('   \n'),
        Buffer.from(JSON.stringify(good[3])),
      ];
      const file = files.file('mixed.jsonl', Buffer.concat(parts));
      const errors = `${files.dir}/mixed-errors.jsonl`;
      const c = await importOoniFile(t.store, file, { quiet: true, errorsFile: errors });
      assert.equal(c.rows, c.imported + c.duplicates + c.quarantined);
      assert.deepEqual(c, { rows: 14, imported: 4, duplicates: 1, quarantined: 9 });
      const stored = await measurementsOf('mix');
      assert.deepEqual(stored.map((r) => r.input), good.map((g) => g.input));
      for (const [i, r] of stored.entries()) assert.equal(r.body, JSON.stringify(good[i]), 'stored as written, without BOM or CR');
      const quarantined = readFileSync(errors, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
      assert.deepEqual(quarantined.map((q) => [q.line, q.field]), [[4, 'measurement_start_time'], [5, '(line)'], [6, '(line)'], [7, '(line)'], [8, '(line)'], [9, 'probe_cc'], [10, 'input'], [11, '(line)'], [12, 'input']]);
      assert.match(quarantined[1].reason, /not valid JSON/);
      assert.match(quarantined[2].reason, /an array, not a measurement object/);
      assert.match(quarantined[4].reason, /not valid UTF-8/);
      assert.ok(Buffer.from(quarantined[4].raw.replace(/^base64:/, ''), 'base64').includes(Buffer.from([0xff, 0xfe])), 'the bad bytes are kept');
      assert.match(quarantined[6].reason, /NUL/);
      assert.equal(Buffer.from(quarantined[7].raw.replace(/^base64:/, ''), 'base64').toString(), '{"input": "https://mix13.example/"}\u0000');
      const kept = await t.store.db.selectFrom('import_errors').select(['line', 'raw']).where('file', '=', file).orderBy('line').execute();
      assert.deepEqual(kept.map((k) => k.line), [4, 5, 6, 7, 8, 9, 10, 11, 12], 'every quarantined line is in the store too');
      assert.match(quarantined[8].reason, /longer than 2048 bytes/);
      const record = await t.store.db.selectFrom('imports').selectAll().where('file', '=', file).executeTakeFirstOrThrow();
      assert.equal(record.state, 'done');
      assert.equal(record.format, 'ooni');
      assert.deepEqual([record.rows, record.imported, record.duplicates, record.quarantined].map(Number), [14, 4, 1, 9]);
    });

    it('reads gzip by its bytes, whatever the name, and keeps what came before a truncated stream', async () => {
      const lines = [1, 2, 3, 4, 5, 6].map((i) => JSON.stringify(measurement(i, { input: `https://gz${i}.example/`, padding: createHash('sha256').update(String(i)).digest('hex').repeat(200) })));
      const whole = gzipSync(lines.join('\n') + '\n');
      const file = files.file('gz-no-suffix.jsonl', whole);
      assert.deepEqual(await importOoniFile(t.store, file, { quiet: true }), { rows: 6, imported: 6, duplicates: 0, quarantined: 0 });
      const cut = files.file('cut.jsonl.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
      await assert.rejects(importOoniFile(t.store, cut, { quiet: true }), (e: Error) => e instanceof UserError && /damaged or truncated gzip/.test(e.message));
      const record = await t.store.db.selectFrom('imports').selectAll().where('file', '=', cut).executeTakeFirstOrThrow();
      assert.equal(record.state, 'failed');
      assert.ok(Number(record.rows) >= 1, 'lines before the damage were read');
      assert.equal(Number(record.rows), Number(record.duplicates), 'and accounted for');
    });

    it('an interrupted import is recorded as such and resumes without storing anything twice', async () => {
      const lines = Array.from({ length: 40 }, (_, i) => JSON.stringify(measurement(100 + i, { input: `https://resume${i}.example/` })));
      const file = files.file('resume.jsonl', lines.join('\n'));
      // A signal that turns aborted once 15 lines have been read (the importer looks once a line).
      let seen = 0;
      const counting = { get aborted() { return ++seen > 15; } } as unknown as AbortSignal;
      await assert.rejects(importOoniFile(t.store, file, { quiet: true, batchSize: 10, signal: counting }), /interrupted after line 16/);
      const first = await t.store.db.selectFrom('imports').selectAll().where('file', '=', file).executeTakeFirstOrThrow();
      assert.equal(first.state, 'interrupted');
      assert.equal(Number(first.imported), 16);
      const c = await importOoniFile(t.store, file, { quiet: true });
      assert.deepEqual(c, { rows: 40, imported: 24, duplicates: 16, quarantined: 0 });
      assert.equal((await measurementsOf('resume')).length, 40);
    });
  });
}

for (const b of backends()) describe(`migration 0008: stores keyed by line hashes [${b.label}]`, () => {
  it('re-keys old measurements by identity and merges one stored twice with reordered keys', async () => {
    const files = tempDir();
    const { backend, drop } = await openStoreBefore(b.label, files.dir, '0008_ooni_identity');
    try {
      const a = measurement(1);
      const lines = [JSON.stringify(a), JSON.stringify(reversedKeys(a)), JSON.stringify(measurement(2, { measurement_uid: 'U2' }))];
      const ids: number[] = [];
      for (const [i, line] of lines.entries()) {
        const m = JSON.parse(line);
        // As 0005 stored them: measurement_uid, else sha256 of the line as written.
        const uid = m.measurement_uid ?? 'sha256:' + createHash('sha256').update(line).digest('hex');
        const row = await backend.db.insertInto('probe_measurements').values({
          uid, origin: 'ooni', input: m.input, hostname: 'x', measured_at: 0, probe_cc: 'CN', probe_asn: 'AS4134', test_name: 'web_connectivity',
          blocking: null, accessible: null, verdict: 'unknown', blocking_flags: 0, how: '[]', body: line, created_at: i,
        } as never).returning('id').executeTakeFirstOrThrow();
        ids.push(Number(row.id));
      }
      await backend.db.insertInto('site_availability').values({ site: a.input as string, list_name: 'l', category_code: null, checked_at: 0, state: 'unknown', how: '[]', measurement_id: ids[1] }).execute();
      await migrateToLatest(backend.db, backend.caps, b.label === 'sqlite' ? undefined : backend.schema);
      const rows = await backend.db.selectFrom('probe_measurements').select(['id', 'uid', 'content_sha256']).orderBy('id').execute();
      assert.deepEqual(rows.map((r) => Number(r.id)), [ids[0], ids[2]], 'the reordered copy is merged into the first');
      assert.equal(rows[0].uid, measurementIdentity(a).key);
      assert.equal(rows[1].uid, 'U2');
      assert.ok(rows.every((r) => /^[0-9a-f]{64}$/.test(r.content_sha256 ?? '')));
      const avail = await backend.db.selectFrom('site_availability').select('measurement_id').executeTakeFirstOrThrow();
      assert.equal(Number(avail.measurement_id), ids[0], 'availability rows follow the merged measurement');
    } finally {
      await backend.close();
      await drop();
      files.cleanup();
    }
  });
});
