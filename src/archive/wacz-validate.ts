/**
 * Checks a WACZ the way a reader would rely on it: every datapackage resource has the stated hash
 * and size, the datapackage digest matches, every CDXJ line points at a WARC record that parses
 * with warcio and carries the digests it claims, and every page is in the index.
 */
import { readFileSync } from 'node:fs';
import { unzipSync } from 'fflate';
import { z } from 'zod';
import { WARCParser } from 'warcio';
import { createGunzip } from 'node:zlib';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseRecord, sha256 } from './warc.ts';

const Resource = z.object({ name: z.string().optional(), path: z.string(), hash: z.string(), bytes: z.number() });
const DataPackage = z.object({
  profile: z.string(),
  wacz_version: z.string(),
  resources: z.array(Resource),
});
const Digest = z.object({ path: z.literal('datapackage.json'), hash: z.string() });
const CdxjFields = z.object({
  url: z.string(),
  offset: z.union([z.number(), z.string().regex(/^\d+$/)]),
  length: z.union([z.number(), z.string().regex(/^\d+$/)]),
  filename: z.string(),
  digest: z.string().optional(),
  mime: z.string().optional(),
  status: z.union([z.number(), z.string()]).optional(),
});
const PageLine = z.object({ url: z.string(), ts: z.string().optional() });

export interface WaczCounts {
  resources: number;
  indexLines: number;
  pages: number;
}

/** The problems found in a WACZ file (empty when it is valid) and what was checked. */
export async function validateWacz(file: string): Promise<{ problems: string[]; counts: WaczCounts }> {
  const problems: string[] = [];
  const counts: WaczCounts = { resources: 0, indexLines: 0, pages: 0 };
  let entries: Record<string, Uint8Array>;
  try {
    entries = unzipSync(readFileSync(file));
  } catch (err) {
    return { problems: [`${file} is not a readable ZIP file (${(err as Error).message}).`], counts };
  }
  const json = (name: string): unknown => {
    const bytes = entries[name];
    if (!bytes) { problems.push(`${name} is missing.`); return null; }
    try { return JSON.parse(Buffer.from(bytes).toString('utf8')); } catch { problems.push(`${name} is not valid JSON.`); return null; }
  };

  const pkg = DataPackage.safeParse(json('datapackage.json'));
  if (entries['datapackage.json'] && !pkg.success) problems.push(`datapackage.json: ${pkg.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}.`);
  if (pkg.success) {
    if (pkg.data.profile !== 'data-package') problems.push(`datapackage.json: profile is "${pkg.data.profile}", not "data-package".`);
    for (const r of pkg.data.resources) {
      counts.resources++;
      const bytes = entries[r.path];
      if (!bytes) { problems.push(`datapackage.json names ${r.path}, which is not in the package.`); continue; }
      if (bytes.length !== r.bytes) problems.push(`${r.path} has ${bytes.length} bytes, datapackage.json says ${r.bytes}.`);
      if (sha256(bytes) !== r.hash) problems.push(`${r.path} has hash ${sha256(bytes)}, datapackage.json says ${r.hash}.`);
    }
    const listed = new Set(pkg.data.resources.map((r) => r.path));
    for (const name of Object.keys(entries)) {
      if ((name.startsWith('archive/') || name.startsWith('indexes/') || name.startsWith('pages/')) && !listed.has(name)) problems.push(`${name} is in the package but not in datapackage.json.`);
    }
  }
  const digest = Digest.safeParse(json('datapackage-digest.json'));
  if (entries['datapackage-digest.json'] && !digest.success) problems.push('datapackage-digest.json does not have the fields path and hash.');
  if (digest.success && entries['datapackage.json'] && digest.data.hash !== sha256(entries['datapackage.json'])) {
    problems.push(`datapackage.json has hash ${sha256(entries['datapackage.json'])}, datapackage-digest.json says ${digest.data.hash}.`);
  }

  for (const name of Object.keys(entries).filter((n) => /^archive\/.+\.warc(\.gz)?$/.test(n))) {
    problems.push(...await checkWholeWarc(name, entries[name]!));
  }

  const indexUrls = new Set<string>();
  const indexNames = Object.keys(entries).filter((n) => /^indexes\/.+\.cdxj$/.test(n));
  if (indexNames.length === 0) problems.push('the package has no CDXJ index in indexes/.');
  for (const name of indexNames) {
    const lines = Buffer.from(entries[name]!).toString('utf8').split('\n');
    let previous = '';
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i]!;
      if (!line) continue;
      counts.indexLines++;
      const where = `${name} line ${i + 1}`;
      if (line < previous) problems.push(`${where} is out of order (CDXJ must be sorted).`);
      previous = line;
      const m = /^(\S+) (\d{14}) (\{.*\})$/.exec(line);
      if (!m) { problems.push(`${where} is not "<surt> <timestamp> {json}".`); continue; }
      let fields: z.infer<typeof CdxjFields>;
      try {
        const parsed = CdxjFields.safeParse(JSON.parse(m[3]!));
        if (!parsed.success) { problems.push(`${where}: ${parsed.error.issues.map((x) => `${x.path.join('.')}: ${x.message}`).join('; ')}.`); continue; }
        fields = parsed.data;
      } catch {
        problems.push(`${where}: the JSON block does not parse.`);
        continue;
      }
      indexUrls.add(fields.url);
      try {
        problems.push(...await checkIndexedRecord(entries, where, m[2]!, fields));
      } catch (err) {
        problems.push(`${where}: the record it points at cannot be checked (${(err as Error).message}).`);
      }
    }
  }

  const pages = entries['pages/pages.jsonl'];
  if (!pages) problems.push('pages/pages.jsonl is missing.');
  else {
    const lines = Buffer.from(pages).toString('utf8').split('\n');
    try {
      const header = JSON.parse(lines[0] ?? '') as { format?: string };
      if (header.format !== 'json-pages-1.0') problems.push('pages/pages.jsonl line 1 is not a {"format": "json-pages-1.0"} header.');
    } catch {
      problems.push('pages/pages.jsonl line 1 is not JSON.');
    }
    for (let i = 1; i < lines.length; i++) {
      if (!lines[i]) continue;
      counts.pages++;
      let page: z.infer<typeof PageLine>;
      try {
        const parsed = PageLine.safeParse(JSON.parse(lines[i]!));
        if (!parsed.success) { problems.push(`pages/pages.jsonl line ${i + 1} has no url.`); continue; }
        page = parsed.data;
      } catch {
        problems.push(`pages/pages.jsonl line ${i + 1} is not JSON.`);
        continue;
      }
      if (!indexUrls.has(page.url)) problems.push(`pages/pages.jsonl line ${i + 1}: ${page.url} is not in the index.`);
    }
  }
  return { problems, counts };
}

/** Every record of a WARC file parses and its block digest holds, indexed or not (requests too). */
async function checkWholeWarc(name: string, bytes: Uint8Array): Promise<string[]> {
  const out: string[] = [];
  if (name.endsWith('.gz')) {
    // zlib checks every member's CRC-32: the only check that covers the WARC headers themselves.
    try {
      await pipeline(Readable.from([bytes]), createGunzip(), new Writable({ write(_c, _e, cb) { cb(); } }));
    } catch (err) {
      out.push(`${name}: the gzip data is damaged (${(err as Error).message}).`);
    }
  }
  const parser = new WARCParser([bytes], { parseHttp: false });
  try {
    for await (const record of parser) {
      const block = await record.readFully(false);
      const stated = record.warcBlockDigest;
      if (stated?.startsWith('sha256:') && stated !== sha256(block)) out.push(`${name}: the record at offset ${parser.offset} has block digest ${sha256(block)}, its header says ${stated}.`);
    }
  } catch (err) {
    out.push(`${name}: the WARC stops parsing after offset ${parser.offset} (${(err as Error).message}).`);
  }
  return out;
}

/** The record a CDXJ line points at parses, is the URL and time it says, and has the digests it claims. */
async function checkIndexedRecord(entries: Record<string, Uint8Array>, where: string, ts: string, f: z.infer<typeof CdxjFields>): Promise<string[]> {
  const warc = entries[`archive/${f.filename}`];
  if (!warc) return [`${where} names archive/${f.filename}, which is not in the package.`];
  const offset = Number(f.offset);
  const length = Number(f.length);
  if (offset + length > warc.length || length <= 0) return [`${where} points past the end of archive/${f.filename} (offset ${offset}, length ${length}).`];
  let rec;
  try {
    rec = await parseRecord(warc.subarray(offset, offset + length));
  } catch (err) {
    return [`${where}: no WARC record parses at offset ${offset} of archive/${f.filename} (${(err as Error).message}).`];
  }
  const out: string[] = [];
  if (!rec.id || !rec.type) out.push(`${where}: no WARC record parses at offset ${offset} of archive/${f.filename}.`);
  if (rec.targetUri !== f.url) out.push(`${where}: the record at offset ${offset} is for ${rec.targetUri}, not ${f.url}.`);
  const recTs = Number.isFinite(rec.date) ? new Date(rec.date).toISOString().replace(/[-:T]/g, '').slice(0, 14) : 'no valid WARC-Date';
  if (recTs !== ts) out.push(`${where}: the record at offset ${offset} is dated ${recTs}, not ${ts}.`);
  const block = Buffer.concat([rec.head, rec.payload]);
  if (rec.blockDigest && rec.blockDigest !== sha256(block)) out.push(`${where}: the record's block digest is ${sha256(block)}, its header says ${rec.blockDigest}.`);
  if (rec.type === 'response' && rec.payloadDigest !== sha256(rec.payload)) out.push(`${where}: the record's payload digest is ${sha256(rec.payload)}, its header says ${rec.payloadDigest}.`);
  if (f.digest && rec.payloadDigest && f.digest !== rec.payloadDigest && f.digest !== rec.payloadDigest.split(':').slice(1).join(':')) out.push(`${where}: the index says digest ${f.digest}, the record says ${rec.payloadDigest}.`);
  return out;
}
