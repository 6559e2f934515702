/** An independent check of an archive folder against its index, with warcio's own parser. */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { WARCParser } from 'warcio';
import type { Store } from '../../src/store/open.ts';
import { listWarcFiles } from '../../src/archive/index.ts';

const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/**
 * Parses every WARC file with warcio from the start (not through our reader) and checks that every
 * index row names a record that is really at that offset, with that length, ID and digests.
 */
export async function independentParse(store: Store, dir: string): Promise<void> {
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
