/**
 * `censorscope import --format ooni`: reads OONI measurement JSONL (one measurement per line, as
 * OONI's S3 bucket and API publish them), validates the envelope, stores each measurement once.
 * Lines that are not valid measurements go to quarantine with the reason.
 */
import { createReadStream, existsSync, appendFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Store } from '../../store/open.ts';
import { UserError } from '../../util/errors.ts';
import { OoniEnvelopeSchema } from './format.ts';
import { saveMeasurement } from '../store.ts';
import { fileKey } from '../../collect/file-key.ts';

/** Imports one OONI JSONL file (optionally .gz). */
export async function importOoniFile(store: Store, file: string, opts: { errorsFile?: string; quiet?: boolean } = {}): Promise<{ imported: number; duplicates: number; quarantined: number }> {
  if (!existsSync(file)) throw new UserError(`${file} does not exist; give a path to an OONI measurement JSONL file.`);
  let input: NodeJS.ReadableStream = createReadStream(file);
  if (file.endsWith('.gz')) input = input.pipe(createGunzip());
  const rl = createInterface({ input, crlfDelay: Infinity });
  const counts = { imported: 0, duplicates: 0, quarantined: 0 };
  let lineNo = 0;
  const key = fileKey(file);
  const quarantine = async (line: string, field: string, reason: string): Promise<void> => {
    counts.quarantined++;
    await store.db.insertInto('import_errors').values({
      file_key: key, file, line: lineNo, field, reason: reason.slice(0, 500), raw: line.slice(0, 2000), created_at: Date.now(),
    }).onConflict((oc) => oc.columns(['file_key', 'line', 'field']).doNothing()).execute();
    if (opts.errorsFile) appendFileSync(opts.errorsFile, JSON.stringify({ file, line: lineNo, field, reason, raw: line.slice(0, 2000) }) + '\n');
  };
  for await (const line of rl) {
    lineNo++;
    if (!line.trim()) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      await quarantine(line, '(line)', `not JSON: ${(err as Error).message}`);
      continue;
    }
    const parsed = OoniEnvelopeSchema.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      await quarantine(line, issue.path.join('.') || '(envelope)', issue.message);
      continue;
    }
    const saved = await saveMeasurement(store, parsed.data, 'ooni', line);
    if (saved.duplicate) counts.duplicates++;
    else counts.imported++;
  }
  if (!opts.quiet) process.stderr.write(`${file}: ${counts.imported} measurements imported, ${counts.duplicates} duplicates, ${counts.quarantined} quarantined\n`);
  return counts;
}
