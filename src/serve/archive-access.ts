/**
 * How the server reaches the web archive (src/archive): the dashboard only reads it (replay,
 * screenshots), and opens it lazily, once, the first time a capture is shown, so a server on a
 * store without site captures never touches the archive folder.
 */
import type { ArchivedAnswer } from '../archive/types.ts';

/** The part of the archive the dashboard uses: reading a record back, and its folder (screenshot cache). */
export interface ArchiveReader {
  readonly dir: string;
  read(recordId: number): Promise<ArchivedAnswer>;
}

/** Opens the archive on first use; later calls share it. Null when the store has no archive. */
export type ArchiveAccess = () => Promise<ArchiveReader | null>;

/** An ArchiveAccess over a given archive, or over `open` called once on first use. */
export function archiveAccess(given: ArchiveReader | undefined, open: () => Promise<ArchiveReader | null>): ArchiveAccess {
  let opened: Promise<ArchiveReader | null> | null = given ? Promise.resolve(given) : null;
  return () => {
    opened ??= open().catch((err: Error) => {
      opened = null; // a folder made readable later is picked up by the next request
      throw err;
    });
    return opened;
  };
}
