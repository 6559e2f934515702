/**
 * Constant-memory imports: `censorscope import` of a generated 2,000,000-row CSV (about 390 MB)
 * in a child process, against the same import of its first 500,000 rows. A streaming import
 * holds fixed-size things: SQLite's page cache (64 MB, src/store/backends/sqlite.ts, full once
 * the store passes 64 MB, which a 500,000-row store does at about 150 MB), the batches in flight
 * between the parser thread and the writer, V8's heap high-water mark. So from 500,000 to
 * 2,000,000 rows its peak RSS should barely move, whereas an importer that buffered the file
 * would grow by at least the extra bytes (as one Buffer; decoded to strings, more). The growth
 * allowed is a quarter of those extra bytes (about 72 MB): the file is four times larger than
 * that, and the measured growth is well under it (figures in the test's output and the report).
 *
 * SQLite only: on PostgreSQL the rows end up in the server's memory, not the importer's; the
 * importer's side is the same code. Both peaks come from `process.resourceUsage().maxRSS` at exit
 * (test/helpers/report-peak-rss.mjs), which includes the parser's worker thread.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, openSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/files.ts';

const BIG_ROWS = 2_000_000;
const SMALL_ROWS = 500_000;
const HEADER = 'id,account,created_at,text\n';
const MAPPING = 'id=id,account=account,created_at=created_at,text=text';

/** Writes `rows` distinct posts of about 230 bytes each (mixed Chinese and ASCII text). */
function generate(path: string, rows: number): number {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, HEADER);
    const t0 = Date.UTC(2020, 0, 1);
    let chunk: string[] = [];
    for (let i = 0; i < rows; i++) {
      chunk.push(`${1e15 + i},u${i % 40_000},${new Date(t0 + i * 1000).toISOString()},"第${i}条：今天的天气很好，我们去公园散步，看到很多人在跳舞。Row ${i} of the memory test, with a comma, and ""quotes""."\n`);
      if (chunk.length === 10_000) {
        writeSync(fd, chunk.join(''));
        chunk = [];
      }
    }
    writeSync(fd, chunk.join(''));
  } finally {
    closeSync(fd);
  }
  return statSync(path).size;
}

/** Runs `censorscope import` in a child process; returns its JSON answer and peak RSS in bytes. */
function importInChild(db: string, file: string): Promise<{ counts: Record<string, number>; peakRss: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', './test/helpers/report-peak-rss.mjs', 'bin/censorscope.js', '--db', db,
      'import', '--format', 'csv', '--map', MAPPING, '--quiet', '--json', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d; });
    child.on('error', reject);
    child.on('exit', (code) => {
      const peak = /peak-rss-kb=(\d+)/.exec(err);
      if (code !== 0 || !peak) return reject(new Error(`import exited with ${code}: ${err}`));
      resolve({ counts: JSON.parse(out) as Record<string, number>, peakRss: Number(peak[1]) * 1024 });
    });
  });
}

const MB = 1024 * 1024;

describe('imports stream the file in constant memory', () => {
  let dir: ReturnType<typeof tempDir>;
  before(() => { dir = tempDir(); });
  after(() => dir.cleanup());

  it(`importing ${BIG_ROWS.toLocaleString('en')} rows instead of ${SMALL_ROWS.toLocaleString('en')} grows peak RSS by under a quarter of the extra bytes`, { timeout: 30 * 60_000 }, async () => {
    const small = join(dir.dir, 'small.csv');
    const big = join(dir.dir, 'big.csv');
    const smallBytes = generate(small, SMALL_ROWS);
    const bigBytes = generate(big, BIG_ROWS);
    assert.ok(bigBytes > 350 * MB, `the big file is ${(bigBytes / MB).toFixed(0)} MB`);
    const extra = bigBytes - smallBytes;

    const s = await importInChild(join(dir.dir, 'small.db'), small);
    assert.deepEqual(s.counts, { rows: SMALL_ROWS, imported: SMALL_ROWS, duplicates: 0, quarantined: 0, conflicts: 0 });
    const b = await importInChild(join(dir.dir, 'big.db'), big);
    assert.deepEqual(b.counts, { rows: BIG_ROWS, imported: BIG_ROWS, duplicates: 0, quarantined: 0, conflicts: 0 }, 'every row imported');

    const growth = b.peakRss - s.peakRss;
    const bound = extra / 4;
    console.log(`# import memory: ${SMALL_ROWS} rows (${(smallBytes / MB).toFixed(0)} MB) peak ${(s.peakRss / MB).toFixed(0)} MB; ${BIG_ROWS} rows (${(bigBytes / MB).toFixed(0)} MB) peak ${(b.peakRss / MB).toFixed(0)} MB; growth ${(growth / MB).toFixed(0)} MB, bound ${(bound / MB).toFixed(0)} MB`);
    assert.ok(growth < bound, `peak RSS grew by ${(growth / MB).toFixed(0)} MB for ${(extra / MB).toFixed(0)} MB more file (bound ${(bound / MB).toFixed(0)} MB): the import is not streaming`);
  });
});
