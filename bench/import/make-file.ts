/**
 * Writes the import benchmark's file: N generated rows in the twitter-io format (seed 42), the
 * file bench:import and bench:scale read, so `time censorscope import` can be run on it by hand.
 *
 *   npm run bench:import:file                      # .tmp/bench-import/twitter-io-1000000.csv
 *   npm run bench:import:file -- 200000            # another size
 *   time node bin/censorscope.js --db /tmp/b.db import --quiet --format twitter-io .tmp/bench-import/twitter-io-1000000.csv
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { dirname } from 'node:path';
import { writeTwitterIoSample } from '../../src/collect/samples/sample-files.ts';

/** Path of the bench file of `rows` rows. */
export function benchFilePath(rows: number): string {
  return `.tmp/bench-import/twitter-io-${rows}.csv`;
}

/** Writes the bench file of `rows` rows unless it already exists; returns its path. */
export async function ensureBenchFile(rows: number, say: (line: string) => void = () => undefined): Promise<string> {
  const file = benchFilePath(rows);
  if (existsSync(file)) return file;
  mkdirSync(dirname(file), { recursive: true });
  say(`generating ${rows.toLocaleString('en-US')} rows → ${file}`);
  // Written beside, then renamed, so an interrupted run never leaves a short file under the real name.
  const partial = `${file}.partial`;
  await writeTwitterIoSample(partial, rows, 42);
  renameSync(partial, file);
  return file;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const rows = Number(process.argv[2] ?? 1_000_000);
  if (!Number.isInteger(rows) || rows <= 0) {
    process.stderr.write(`Give the number of rows as a positive integer (got "${process.argv[2]}").\n`);
    process.exit(2);
  }
  process.stdout.write(`${await ensureBenchFile(rows, (l) => process.stderr.write(`${l}\n`))}\n`);
}
