/**
 * Watched posts' answers in the web archive, on both store backends, against the simulated
 * Mastodon platform: a watch run with an archive writes WARC request/response pairs for each
 * post's first sight, its edits and the answers its disappearance rests on (the first 404 and
 * the confirming one, linked to those observations), each a record warcio parses at its stored
 * offset; Mastodon's identical 404 bodies become revisits; plain visible re-checks write nothing.
 * The post's evidence bundle carries the records (accounts revealed) and verifies; a failing
 * archive never costs an observation.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { closeSync, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { WARCParser } from 'warcio';
import { unzipSync, strFromU8 } from 'fflate';
import { backends, type TestStore } from '../helpers/stores.ts';
import { startSim, type SimHandle } from '../../src/collect/sim/server.ts';
import { addSource } from '../../src/collect/sources/add.ts';
import { runWatch } from '../../src/watch/run.ts';
import { VirtualClock } from '../../src/watch/clock.ts';
import { openArchive } from '../../src/archive/index.ts';
import type { Archive } from '../../src/archive/types.ts';
import { postBundle } from '../../src/report/evidence/bundle.ts';
import { verifyBundle } from '../../src/report/evidence/verify.ts';
import { runCli } from '../helpers/cli.ts';
import { startServer } from '../../src/serve/server.ts';

const START = Date.UTC(2026, 0, 5);
const HOUR = 3_600_000;
const hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function readAt(path: string, offset: number, length: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    assert.equal(readSync(fd, buf, 0, length, offset), length);
    return buf;
  } finally {
    closeSync(fd);
  }
}

interface Parsed { id: string; type: string; uri: string; payloadDigest: string | null; payload: Buffer; refersTo: string | null }

/** Every record in `bytes` (one or more gzip members), parsed by warcio itself. */
async function parseAll(bytes: Uint8Array): Promise<Array<Parsed & { offset: number; length: number }>> {
  const parser = new WARCParser(Readable.from([Buffer.from(bytes)]), { parseHttp: false });
  const out: Array<Parsed & { offset: number; length: number }> = [];
  for await (const record of parser) {
    const block = Buffer.from(await record.readFully(false));
    const end = block.indexOf('\r\n\r\n');
    out.push({
      id: record.warcHeader('WARC-Record-ID')!, type: record.warcType!, uri: record.warcTargetURI!, payloadDigest: record.warcPayloadDigest ?? null,
      payload: block.subarray(end + 4), refersTo: record.warcHeader('WARC-Refers-To') ?? null, offset: parser.offset, length: parser.recordLength,
    });
  }
  return out;
}

const SCENARIO = { dataDir: null, postsPerDay: 400, editShare: 0.9, authorDeleteShare: 0.2, sensitiveShare: 0.2, suspensionsPerDay: 0, campaignsPerDay: 0, ghostShare: 0 };

for (const b of backends()) {
  describe(`watched posts in the web archive [${b.label}]`, () => {
    let ts: TestStore;
    let sim: SimHandle;
    let dir: string;
    let archive: Archive;

    before(async () => {
      ts = await b.open();
      dir = mkdtempSync(join(tmpdir(), 'capture-test-'));
      const clock = new VirtualClock(START);
      // A few injected 503s: retried answers of a check that matters are archived with it.
      sim = await startSim({ seed: 15, clock, start: START, faultRate: 0.05, slowRate: 0, outages: null, scenario: SCENARIO });
      await addSource(ts.store, { kind: 'mastodon', url: sim.url, public: true, budgetPerMinute: 60 });
      archive = await openArchive(ts.store, { dir });
      await runWatch(ts.store, { clock, durationMs: 4 * HOUR, archive });
      await archive.close();
    });
    after(async () => {
      await sim?.close();
      await ts?.cleanup();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    const rows = () => ts.store.db.selectFrom('archive_records').selectAll().orderBy('id').execute();
    const answers = async (observationId: number) => (await rows()).filter((r) => Number(r.observation_id) === observationId && r.type !== 'request');

    it("archives every post's first check, linked to its observation", async () => {
      const firsts = await ts.store.db.selectFrom('observations').select(['post_id', (eb) => eb.fn.min('id').as('id')]).groupBy('post_id').execute();
      assert.ok(firsts.length >= 10, `only ${firsts.length} posts checked`);
      for (const f of firsts) {
        const got = await answers(Number(f.id));
        assert.ok(got.length >= 1, `first check ${f.id} of post ${f.post_id} has no archived answer`);
        for (const r of got) assert.equal(Number(r.subject_id), Number(f.post_id));
        for (const r of got) assert.equal(r.subject, 'post');
      }
    });

    it('archives each edit: the answer that carried the new text', async () => {
      const edits = await ts.store.db.selectFrom('post_versions as v').innerJoin('posts as p', 'p.id', 'v.post_id')
        .innerJoin('observations as o', (j) => j.onRef('o.post_id', '=', 'v.post_id').onRef('o.observed_at', '=', 'v.seen_at'))
        .select(['o.id as obs', 'v.text', 'p.platform_post_id']).where('v.seen_at', '>', (eb) => eb.ref('p.first_seen')).execute();
      assert.ok(edits.length >= 2, `only ${edits.length} edits seen`);
      for (const e of edits) {
        const got = (await answers(Number(e.obs))).filter((r) => r.http_status === 200);
        assert.equal(got.length, 1, `edit check ${e.obs} of ${e.platform_post_id}`);
        const served = JSON.parse(new TextDecoder().decode((await archive.read(Number(got[0]!.id))).body)) as { id: string; edited_at: string | null };
        assert.equal(served.id, e.platform_post_id);
        assert.ok(served.edited_at, 'the archived answer is the edited status');
      }
    });

    it('archives the 404 that first said gone and the one that proved it, deduplicated to revisits', async () => {
      const gone = await ts.store.db.selectFrom('disappearances as d').innerJoin('observations as o', 'o.id', 'd.observation_id')
        .select(['d.post_id', 'd.observation_id', 'd.first_missing_at', 'o.http_status']).execute();
      assert.ok(gone.length >= 2, `only ${gone.length} disappearances`);
      for (const d of gone) {
        const proof = await answers(Number(d.observation_id));
        assert.ok(proof.some((r) => r.http_status === 404 && r.target_uri.includes('/api/v1/statuses/')), `the confirming 404 of post ${d.post_id} is not archived`);
        const [pending] = await ts.store.db.selectFrom('observations').select('id').where('post_id', '=', d.post_id).where('observed_at', '=', d.first_missing_at).execute();
        assert.ok(pending, 'the first gone answer is an observation');
        assert.ok((await answers(Number(pending.id))).some((r) => r.http_status === 404), `the first 404 of post ${d.post_id} is not archived`);
      }
      // Mastodon's 404 body is the same for every status: one response record, the rest revisits of it.
      const notFound = (await rows()).filter((r) => r.http_status === 404 && r.target_uri.includes('/api/v1/statuses/'));
      assert.ok(notFound.length >= 4, `${notFound.length} archived 404s`);
      assert.equal(new Set(notFound.map((r) => r.payload_digest)).size, 1);
      const [original, ...repeats] = notFound;
      assert.equal(original!.type, 'response', 'the first 404 body is a response record');
      for (const r of repeats) {
        assert.equal(r.type, 'revisit', `404 record ${r.id} repeats the body`);
        assert.equal(Number(r.refers_to), Number(original!.id));
      }
    });

    it('writes nothing for plain visible re-checks', async () => {
      const obs = await ts.store.db.selectFrom('observations').select(['id', 'post_id', 'outcome', 'detail', 'observed_at']).orderBy('post_id').orderBy('id').execute();
      const versions = new Set((await ts.store.db.selectFrom('post_versions').select(['post_id', 'seen_at']).execute()).map((v) => `${v.post_id}@${v.seen_at}`));
      const archived = new Set((await rows()).map((r) => Number(r.observation_id)));
      let plain = 0;
      for (let i = 1; i < obs.length; i++) {
        const [prev, o] = [obs[i - 1]!, obs[i]!];
        // A visible check after a visible first sight, with no new text: it proves nothing new.
        const first = obs.find((x) => x.post_id === o.post_id)!;
        if (prev.post_id !== o.post_id || o.outcome !== 'visible' || prev.outcome !== 'visible' || first.outcome !== 'visible') continue;
        if (versions.has(`${o.post_id}@${o.observed_at}`)) continue;
        plain++;
        assert.ok(!archived.has(Number(o.id)), `plain re-check ${o.id} of post ${o.post_id} was archived`);
      }
      assert.ok(plain >= 20, `only ${plain} plain re-checks to look at`);
    });

    it('every record parses with warcio at its stored offset, with the digest the store holds', async () => {
      const all = await rows();
      assert.ok(all.length >= 40, `${all.length} records`);
      for (const r of all) {
        const [rec, ...more] = await parseAll(readAt(join(dir, r.file), Number(r.record_offset), Number(r.record_length)));
        assert.equal(more.length, 0, `exactly one record at ${r.file}:${r.record_offset}`);
        assert.equal(rec!.id, r.warc_record_id);
        assert.equal(rec!.type, r.type);
        assert.equal(rec!.uri, r.target_uri);
        if (r.type === 'response') assert.equal(`sha256:${hex(rec!.payload)}`, r.payload_digest);
        if (r.type !== 'request') assert.equal(rec!.payloadDigest, r.payload_digest);
      }
    });

    it("puts a disappeared post's records in its evidence bundle (accounts revealed), and only lists them otherwise", async () => {
      const d = await ts.store.db.selectFrom('disappearances').select(['post_id', 'observation_id']).orderBy('post_id').executeTakeFirstOrThrow();
      const postId = Number(d.post_id);
      const bundle = await postBundle(ts.store, postId, { reveal: true, archiveDir: dir });
      const verified = verifyBundle(bundle.bytes, bundle.name);
      assert.ok(verified.ok, JSON.stringify(verified.problems));
      const files = unzipSync(bundle.bytes);
      assert.ok(files['archive.warc.gz'] && files['archive.jsonl'], Object.keys(files).join());
      const listed = strFromU8(files['archive.jsonl']!).trimEnd().split('\n').map((l) => JSON.parse(l) as { warc_record_id: string; type: string; role: string; observation_id: number | null; offset: number; length: number; refers_to: string | null; in_bundle: boolean });
      const own = (await rows()).filter((r) => r.subject === 'post' && Number(r.subject_id) === postId);
      for (const r of own) assert.ok(listed.some((l) => l.warc_record_id === r.warc_record_id), `record ${r.warc_record_id} of the post is missing`);
      const inWarc = await parseAll(files['archive.warc.gz']!);
      assert.deepEqual(inWarc.map((r) => r.id), listed.map((l) => l.warc_record_id), 'archive.jsonl lists the WARC records in order');
      for (const [i, l] of listed.entries()) {
        assert.equal(l.in_bundle, true);
        assert.equal(inWarc[i]!.offset, l.offset, `offset of ${l.warc_record_id}`);
        assert.equal(inWarc[i]!.length, l.length);
      }
      // Every revisit's original is in the file, so the 404 can be replayed from the bundle alone.
      const ids = new Set(inWarc.map((r) => r.id));
      for (const r of inWarc.filter((x) => x.type === 'revisit')) assert.ok(ids.has(r.refersTo!), `original ${r.refersTo} of a revisit is missing`);
      assert.ok(listed.some((l) => l.observation_id === Number(d.observation_id) && l.type !== 'request'), 'the proving answer is listed');
      const report = strFromU8(files['report.html']!);
      assert.ok(report.includes('id="archive"') && report.includes(listed[0]!.warc_record_id.replace(/</g, '&lt;').replace(/>/g, '&gt;')), 'the report names the records');
      assert.match(strFromU8(files['VERIFY.md']!), /zcat archive\.warc\.gz/);
      // Byte for byte the same bundle again.
      assert.equal((await postBundle(ts.store, postId, { reveal: true, archiveDir: dir })).sha256, bundle.sha256);

      // Pseudonymised: the records and their digests, not the bytes (they name accounts as served).
      const hidden = await postBundle(ts.store, postId, { reveal: false, archiveDir: dir });
      assert.ok(verifyBundle(hidden.bytes, hidden.name).ok);
      const hf = unzipSync(hidden.bytes);
      assert.equal(hf['archive.warc.gz'], undefined);
      const hl = strFromU8(hf['archive.jsonl']!).trimEnd().split('\n').map((l) => JSON.parse(l) as { in_bundle: boolean; offset: number | null; payload_digest: string | null });
      assert.equal(hl.length, listed.length);
      assert.ok(hl.every((l) => !l.in_bundle && l.offset === null));
      const post = await ts.store.db.selectFrom('posts as p').innerJoin('accounts as a', 'a.id', 'p.account_id').select(['a.handle', 'a.platform_account_id']).where('p.id', '=', postId).executeTakeFirstOrThrow();
      const text = strFromU8(hf['archive.jsonl']!) + strFromU8(hf['report.html']!);
      assert.ok(!text.includes(`/api/v1/accounts/${post.platform_account_id}`), 'the account lookup URL is pseudonymised');
      assert.match(strFromU8(hf['report.html']!), /not in this bundle/);
    });

    it('`censorscope --archive DIR evidence post ID --reveal-accounts` writes the same bundle, and `evidence verify` passes it', async () => {
      const d = await ts.store.db.selectFrom('disappearances').select('post_id').orderBy('post_id').executeTakeFirstOrThrow();
      const out = join(dir, 'bundle.zip');
      const made = runCli(['--archive', dir, 'evidence', 'post', String(d.post_id), '--reveal-accounts', '--out', out, '--json'], ts.env);
      assert.equal(made.status, 0, made.stderr);
      const { sha256, files } = JSON.parse(made.stdout) as { sha256: string; files: Array<{ file: string }> };
      assert.ok(files.some((f) => f.file === 'archive.warc.gz'), files.map((f) => f.file).join());
      assert.equal(sha256, (await postBundle(ts.store, Number(d.post_id), { reveal: true, archiveDir: dir })).sha256);
      const verified = runCli(['evidence', 'verify', out]);
      assert.equal(verified.status, 0, verified.stderr);
      assert.match(verified.stdout, /^OK: all \d+ files/);
    });

    it('/api/posts/:id/evidence.zip carries archive.warc.gz only once an admin revealed accounts, the same bytes as the CLI', async () => {
      const d = await ts.store.db.selectFrom('disappearances').select('post_id').orderBy('post_id').executeTakeFirstOrThrow();
      const server = await startServer(ts.store, { port: 0, token: 'capture-token', archiveDir: dir });
      try {
        const get = async () => new Uint8Array(await (await fetch(`${server.url}/api/posts/${d.post_id}/evidence.zip`)).arrayBuffer());
        const hidden = unzipSync(await get());
        assert.equal(hidden['archive.warc.gz'], undefined);
        assert.ok(hidden['archive.jsonl']);
        const put = await fetch(`${server.url}/api/settings`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer capture-token' }, body: '{"revealAccounts":true}' });
        assert.equal(put.status, 200);
        const shown = await get();
        assert.ok(unzipSync(shown)['archive.warc.gz']);
        assert.equal(hex(shown), (await postBundle(ts.store, Number(d.post_id), { reveal: true, archiveDir: dir })).sha256);
      } finally {
        await fetch(`${server.url}/api/settings`, { method: 'PUT', headers: { 'content-type': 'application/json', authorization: 'Bearer capture-token' }, body: '{"revealAccounts":false}' });
        await server.close();
      }
    });
  });

  describe(`a failing archive [${b.label}]`, () => {
    it('never costs an observation: the check is recorded and the failure is said', async () => {
      const ts = await b.open();
      const dir = mkdtempSync(join(tmpdir(), 'capture-fail-'));
      const clock = new VirtualClock(START);
      const sim = await startSim({ seed: 3, clock, start: START, faultRate: 0, outages: null, scenario: SCENARIO });
      const said: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      try {
        await addSource(ts.store, { kind: 'mastodon', url: sim.url, public: true, budgetPerMinute: 60 });
        const archive = await openArchive(ts.store, { dir });
        await archive.close(); // every record() now throws
        process.stderr.write = ((chunk: string | Uint8Array) => (said.push(String(chunk)), true)) as typeof process.stderr.write;
        await runWatch(ts.store, { clock, durationMs: HOUR / 2, archive });
      } finally {
        process.stderr.write = write;
        await sim.close();
      }
      try {
        const obs = await ts.store.db.selectFrom('observations').select('id').execute();
        assert.ok(obs.length >= 5, `${obs.length} observations`);
        assert.equal((await ts.store.db.selectFrom('archive_records').select('id').execute()).length, 0);
        assert.ok(said.some((l) => /archiving the answer of .* failed: the archive is closed\. The check is recorded/.test(l)), said.slice(0, 3).join(''));
      } finally {
        await ts.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
