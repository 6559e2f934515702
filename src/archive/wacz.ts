/**
 * WACZ 1.1.1 export: the selected WARC records copied byte for byte into one WARC file, a CDXJ
 * index written by warcio's indexer (the one js-wacz uses, so pywb and ReplayWeb.page read it),
 * the page list, and the datapackage with every resource's sha256. Output depends only on the
 * archived data: records in store order, ZIP times set to the newest record's date.
 */
import { createReadStream, createWriteStream, existsSync, mkdtempSync, rmSync, renameSync, statSync, readFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { Zip, ZipPassThrough } from 'fflate';
import { CDXIndexer } from 'warcio';
import type { Store } from '../store/open.ts';
import { UserError } from '../util/errors.ts';
import { normalise, type ArchiveRecordRow } from './lookup.ts';
import { readBytes } from './index.ts';
import { parseRecord, sha256, targetUri } from './warc.ts';
import { htmlTitle } from './title.ts';

export { validateWacz } from './wacz-validate.ts';

export const WACZ_VERSION = '1.1.1';
export const WARC_PATH = 'archive/data.warc.gz';
export const CDXJ_PATH = 'indexes/index.cdxj';
export const PAGES_PATH = 'pages/pages.jsonl';
/** Without ZIP64 (fflate has none) no member or offset may pass 4 GiB. */
const ZIP_LIMIT = 0xffff_ffff - 64 * 1024 * 1024;

export interface WaczSelection {
  site?: string;
  post?: number;
  all?: boolean;
}

export interface WaczSummary {
  records: number;
  pages: number;
  bytes: number;
}

/** Writes the WACZ of the selected records to `outFile`; `progress` gets sentences for the user. */
export async function exportWacz(
  store: Store, archive: { dir: string }, sel: WaczSelection, outFile: string, progress: (message: string) => void = () => undefined,
): Promise<WaczSummary> {
  const { rows, title, support } = await selectRecords(store, sel);
  const outDir = dirname(outFile) || '.';
  if (!existsSync(outDir)) throw new UserError(`the folder ${outDir} for --out does not exist.`);
  const tmp = mkdtempSync(join(outDir, '.wacz-'));
  try {
    progress(`copying ${rows.length} WARC records`);
    const warcFile = join(tmp, 'data.warc.gz');
    const pages = await copyRecords(archive.dir, rows, support, warcFile, progress);
    const warcBytes = statSync(warcFile).size;
    if (warcBytes > ZIP_LIMIT) throw new UserError(`the selection holds ${warcBytes} bytes of WARC records, more than a WACZ without ZIP64 can hold (4 GiB); export one site or post at a time.`);
    progress('indexing');
    const cdxj = Buffer.from((await cdxjOf(warcFile)).join(''), 'utf8');
    const pagesJsonl = Buffer.from([
      JSON.stringify({ format: 'json-pages-1.0', id: 'pages', title }),
      ...pages.map((p) => JSON.stringify(p)),
    ].join('\n') + '\n', 'utf8');
    const created = new Date(Math.max(...rows.map((r) => r.date))).toISOString();
    const datapackage = Buffer.from(JSON.stringify({
      profile: 'data-package',
      resources: [
        { name: 'data.warc.gz', path: WARC_PATH, hash: await fileHash(warcFile), bytes: warcBytes },
        { name: 'index.cdxj', path: CDXJ_PATH, hash: sha256(cdxj), bytes: cdxj.length },
        { name: 'pages.jsonl', path: PAGES_PATH, hash: sha256(pagesJsonl), bytes: pagesJsonl.length },
      ],
      wacz_version: WACZ_VERSION,
      software: `censorscope ${version()}`,
      created,
      title,
      ...(pages[0] ? { mainPageUrl: pages[0].url, mainPageDate: pages[0].ts } : {}),
    }, null, 2), 'utf8');
    const digest = Buffer.from(JSON.stringify({ path: 'datapackage.json', hash: sha256(datapackage) }, null, 2), 'utf8');

    progress(`writing ${outFile}`);
    const part = `${outFile}.part`;
    await writeZip(part, new Date(created), [
      { name: WARC_PATH, file: warcFile },
      { name: CDXJ_PATH, data: cdxj },
      { name: PAGES_PATH, data: pagesJsonl },
      { name: 'datapackage.json', data: datapackage },
      { name: 'datapackage-digest.json', data: digest },
    ]);
    renameSync(part, outFile);
    return { records: rows.length, pages: pages.length, bytes: statSync(outFile).size };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** The records a selection names, plus the originals its revisits repeat, in file order. */
async function selectRecords(store: Store, sel: WaczSelection): Promise<{ rows: ArchiveRecordRow[]; title: string; support: Set<number> }> {
  const chosen = [sel.site !== undefined, sel.post !== undefined, sel.all === true].filter(Boolean).length;
  if (chosen !== 1) throw new UserError('choose exactly one of --site URL, --post ID or --all.');
  let q = store.db.selectFrom('archive_records').selectAll();
  let title: string;
  if (sel.site !== undefined) {
    const site = await store.db.selectFrom('tracked_sites').select(['id', 'url']).where('url', 'in', [...new Set([sel.site, targetUri(sel.site)])]).executeTakeFirst();
    if (!site) throw new UserError(`no tracked site has the URL ${sel.site} (see \`censorscope site list\`).`);
    q = q.where('subject', '=', 'site').where('subject_id', '=', Number(site.id));
    title = `Censorscope captures of ${site.url}`;
  } else if (sel.post !== undefined) {
    const post = await store.db.selectFrom('posts').select('id').where('id', '=', sel.post).executeTakeFirst();
    if (!post) throw new UserError(`there is no post with ID ${sel.post} in the store.`);
    q = q.where('subject', '=', 'post').where('subject_id', '=', sel.post);
    title = `Censorscope captures of post ${sel.post}`;
  } else {
    title = 'Censorscope web archive';
  }
  const rows = (await q.execute()).map(normalise);
  if (rows.length === 0) throw new UserError(`nothing is archived for ${sel.site ? `site ${sel.site}` : sel.post !== undefined ? `post ${sel.post}` : 'this store'} yet.`);
  const have = new Set(rows.map((r) => r.id));
  // Originals outside the selection are copied (a revisit needs them to replay) but are not pages.
  const support = new Set<number>();
  const missing = [...new Set(rows.filter((r) => r.type === 'revisit' && r.refers_to != null && !have.has(r.refers_to)).map((r) => r.refers_to!))];
  for (let i = 0; i < missing.length; i += 500) {
    const originals = await store.db.selectFrom('archive_records').selectAll().where('id', 'in', missing.slice(i, i + 500)).execute();
    for (const o of originals.map(normalise)) { rows.push(o); support.add(o.id); }
  }
  rows.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.record_offset - b.record_offset));
  return { rows, title, support };
}

interface Page {
  id: string;
  url: string;
  ts: string;
  title?: string;
}

/** Copies the records byte for byte into `out`; answers the page list (one per response or revisit). */
async function copyRecords(dir: string, rows: ArchiveRecordRow[], support: Set<number>, out: string, progress: (m: string) => void): Promise<Page[]> {
  const stream = createWriteStream(out);
  const pages: Page[] = [];
  const bodies = new Map<number, { body: Uint8Array; type: string | null }>();
  const byId = new Map(rows.map((r) => [r.id, r]));
  let n = 0;
  for (const row of rows) {
    const bytes = await readBytes(join(dir, row.file), row.record_offset, row.record_length).catch((err: Error) => {
      throw new UserError(`archive record ${row.id} cannot be read from ${join(dir, row.file)} (${err.message}); is --archive pointing at the right folder?`);
    });
    if (!stream.write(bytes)) await once(stream, 'drain');
    if (row.type === 'response' || row.type === 'revisit') {
      const rec = await parseRecord(bytes);
      let body = rec.payload;
      if (row.type === 'response') bodies.set(row.id, { body, type: row.content_type });
      else body = bodies.get(row.refers_to ?? -1)?.body ?? await originalBody(dir, byId.get(row.refers_to ?? -1));
      const title = htmlTitle(body, row.content_type);
      if (!support.has(row.id)) pages.push({ id: rec.id.replace(/^<urn:uuid:|>$/g, ''), url: row.target_uri, ts: new Date(row.date).toISOString(), ...(title ? { title } : {}) });
    }
    if (++n % 1000 === 0) progress(`${n} of ${rows.length} records copied`);
  }
  stream.end();
  await once(stream, 'finish');
  pages.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : a.url < b.url ? -1 : a.url > b.url ? 1 : a.id < b.id ? -1 : 1));
  return pages;
}

/** The payload of a revisit's original that comes later in file order (another process's file). */
async function originalBody(dir: string, row: ArchiveRecordRow | undefined): Promise<Uint8Array> {
  if (!row) return new Uint8Array(0);
  return (await parseRecord(await readBytes(join(dir, row.file), row.record_offset, row.record_length))).payload;
}

/** CDXJ lines of a WARC file by warcio's indexer, sorted (SURT key, then timestamp: plain byte order). */
async function cdxjOf(warcFile: string): Promise<string[]> {
  const indexer = new CDXIndexer({ format: 'cdxj' });
  const lines: string[] = [];
  for await (const entry of indexer.iterIndex([{ filename: 'data.warc.gz', reader: createReadStream(warcFile) }])) {
    lines.push(indexer.serialize(entry));
  }
  return lines.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

type ZipEntry = { name: string; file?: string; data?: Uint8Array };

/** A ZIP of the entries, every one stored (WACZ readers fetch WARC records by range). */
async function writeZip(outFile: string, mtime: Date, entries: ZipEntry[]): Promise<void> {
  const out = createWriteStream(outFile);
  let failed: Error | null = null;
  const finished = new Promise<void>((resolve, reject) => {
    const zip = new Zip((err, chunk, final) => {
      if (err) { failed = err; reject(err); return; }
      out.write(chunk);
      if (final) out.end(() => resolve());
    });
    void (async () => {
      try {
        for (const e of entries) {
          const member = new ZipPassThrough(e.name);
          member.mtime = mtime;
          zip.add(member);
          if (e.data) member.push(e.data, true);
          else {
            const handle = await open(e.file!, 'r');
            try {
              const buf = Buffer.alloc(1024 * 1024);
              for (;;) {
                const { bytesRead } = await handle.read(buf, 0, buf.length, null);
                member.push(new Uint8Array(buf.subarray(0, bytesRead)), bytesRead === 0);
                if (bytesRead === 0) break;
                if (out.writableNeedDrain) await once(out, 'drain');
              }
            } finally {
              await handle.close();
            }
          }
        }
        zip.end();
      } catch (err) {
        reject(err as Error);
      }
    })();
  });
  await finished;
  if (failed) throw failed;
}


async function fileHash(path: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk as Buffer);
  return `sha256:${h.digest('hex')}`;
}

let cachedVersion: string | null = null;
function version(): string {
  if (cachedVersion) return cachedVersion;
  try {
    cachedVersion = String((JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string }).version ?? '');
  } catch {
    cachedVersion = '';
  }
  return cachedVersion;
}
