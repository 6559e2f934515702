/**
 * Bulk loading for SQLite. While a large import runs, the posts table's secondary indexes (all
 * but the unique key, which deduplicates) are dropped and built again once at the end: one sort
 * instead of a million inserts at random places in each index. On 1,000,000 rows that turns
 * 10 s of inserts into 4.7 s plus 1.4 s of rebuilding (bench/import). Partial indexes (`WHERE
 * status <> 'visible'`) stay: most imported posts are visible and cost them one test, while
 * rebuilding each would read the whole table again (about 0.4 s a million posts each, three of them).
 *
 * Which importers hold the indexes suspended, and the indexes' own SQL, are kept in `settings`,
 * so an import killed midway leaves a note that the next process to open the store acts on:
 * the indexes come back as soon as no holder is alive.
 */
import type { Database as SqliteDb } from 'better-sqlite3';

const KEY = 'posts.suspended-indexes';

interface Suspension {
  /** Process ids of the imports that hold the indexes suspended. */
  holders: number[];
  indexes: Array<{ name: string; sql: string }>;
}

/** Drops the posts table's secondary indexes for this process; returns the function that restores them. */
export function suspendPostIndexes(raw: SqliteDb): () => void {
  raw.transaction(() => {
    const s = read(raw) ?? { holders: [], indexes: [] };
    const present = raw.prepare(
      `SELECT name, sql FROM sqlite_master
       WHERE type = 'index' AND tbl_name = 'posts' AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%' AND sql NOT LIKE '% where %'`,
    ).all() as Suspension['indexes'];
    for (const index of present) {
      if (!s.indexes.some((i) => i.name === index.name)) s.indexes.push(index);
      raw.exec(`DROP INDEX "${index.name}"`);
    }
    s.holders = [...s.holders.filter(alive), process.pid];
    write(raw, s);
  }).immediate();
  return () => release(raw, process.pid);
}

/** Rebuilds indexes that imports no longer alive left suspended; true if it rebuilt any. */
export function restoreOrphanedIndexes(raw: SqliteDb): boolean {
  const s = read(raw);
  if (!s || s.holders.some(alive)) return false;
  return release(raw, null);
}

/** Removes `pid` (and dead holders); the last one out rebuilds the indexes. */
function release(raw: SqliteDb, pid: number | null): boolean {
  return raw.transaction(() => {
    const s = read(raw);
    if (!s) return false;
    s.holders = s.holders.filter((h) => h !== pid && alive(h));
    if (s.holders.length) {
      write(raw, s);
      return false;
    }
    // The sort behind each index spills to a temporary file rather than memory, so rebuilding
    // after an import of any size keeps the process's memory flat.
    const tempStore = raw.pragma('temp_store', { simple: true });
    raw.pragma('temp_store = FILE');
    try {
      for (const index of s.indexes) raw.exec(index.sql.replace(/^CREATE INDEX /i, 'CREATE INDEX IF NOT EXISTS '));
    } finally {
      raw.pragma(`temp_store = ${Number(tempStore)}`);
    }
    raw.prepare('DELETE FROM settings WHERE key = ?').run(KEY);
    return true;
  }).immediate();
}

function read(raw: SqliteDb): Suspension | null {
  const value = raw.prepare('SELECT value FROM settings WHERE key = ?').pluck().get(KEY) as string | undefined;
  return value === undefined ? null : (JSON.parse(value) as Suspension);
}

function write(raw: SqliteDb, s: Suspension): void {
  raw.prepare('INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value')
    .run(KEY, JSON.stringify(s));
}

/** Whether a process with this id runs (SQLite stores are local files, so holders share this machine). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
