/**
 * Where the WARC files live. The archive is a folder of append-only files beside the store, so a
 * user who copies the SQLite file knows to copy the folder next to it; PostgreSQL has no file, so the
 * folder is in the working directory unless told otherwise.
 */
import { basename, dirname, join } from 'node:path';

export interface ArchiveDirOptions {
  /** SQLite store file (the global --db option). */
  db?: string;
  /** The global --archive option. */
  archive?: string;
  env?: NodeJS.ProcessEnv;
}

/** The archive folder: --archive, else $CENSORSCOPE_ARCHIVE, else beside the SQLite file, else ./censorscope-archive. */
export function archiveDirFor(o: ArchiveDirOptions = {}): string {
  const env = o.env ?? process.env;
  if (o.archive) return o.archive;
  if (env.CENSORSCOPE_ARCHIVE) return env.CENSORSCOPE_ARCHIVE;
  const url = o.db ? undefined : env.DATABASE_URL;
  if (url) return join('.', 'censorscope-archive');
  const db = o.db ?? env.CENSORSCOPE_DB ?? './censorscope.db';
  const stem = basename(db).replace(/\.(db|sqlite3?)$/i, '');
  return join(dirname(db), `${stem}-archive`);
}
