/** Bridges `import --format ooni` to the probe's OONI importer, loaded only when asked for. */
import type { Store } from '../../store/open.ts';
import type { ImportCounts } from '../../collect/import.ts';
import { UserError } from '../../util/errors.ts';

/** Imports OONI measurement JSONL files. */
export async function importOoni(store: Store, files: string[], flags: { errors?: string; quiet?: boolean }): Promise<ImportCounts> {
  const modPath = '../../probe/ooni/import.ts';
  let mod: { importOoniFile?: (s: Store, f: string, o: { errorsFile?: string; quiet?: boolean }) => Promise<ImportCounts> };
  try {
    mod = await import(modPath);
  } catch {
    throw new UserError('The OONI importer is not available in this build.');
  }
  if (!mod.importOoniFile) throw new UserError('The OONI importer is not available in this build.');
  const sum: ImportCounts = { imported: 0, duplicates: 0, quarantined: 0 };
  for (const f of files) {
    const c = await mod.importOoniFile(store, f, { errorsFile: flags.errors, quiet: flags.quiet });
    sum.imported += c.imported;
    sum.duplicates += c.duplicates;
    sum.quarantined += c.quarantined;
  }
  return sum;
}
