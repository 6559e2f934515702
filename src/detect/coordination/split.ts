/**
 * Coordination split by time range over several processes or machines (PostgreSQL). `planSplit`
 * cuts the corpus into ranges, one job row each; workers claim jobs with FOR UPDATE SKIP LOCKED
 * (a lease lets a crashed worker's job be taken again), read their range plus the window before
 * it, and store the pairs whose later post is in the range; `mergeSplit` reads every job's pairs
 * and builds the one set of campaigns. Pairs only depend on the window before their later post,
 * so the union of the jobs' pairs is exactly the single-process run's, and so are the campaigns.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import type { Generated, Kysely } from 'kysely';
import type { Store } from '../../store/open.ts';
import type { Database } from '../../store/schema.ts';
import type { Progress } from '../../util/progress.ts';
import { UserError } from '../../util/errors.ts';
import { CoordinationOptionsSchema, resolveOptions, type CoordinationInput, type CoordinationOptions } from './options.ts';
import { postSpan, readRange } from './read.ts';
import { streamPairs } from './stream.ts';
import { featureStream } from './feature-pool.ts';
import { PairStore } from './networks.ts';
import { PairSpill } from './pair-spill.ts';
import { finish, type CoordinationResult } from './index.ts';

interface JobsTable {
  id: Generated<number>;
  run_id: string;
  range_start: number;
  range_end: number;
  options: string;
  status: 'pending' | 'running' | 'done';
  worker: string | null;
  lease_until: number | null;
  finished_at: number | null;
  posts: number | null;
  candidates: number | null;
  verified: number | null;
}

interface PairsTable {
  job_id: number;
  type: number;
  acc_a: number;
  acc_b: number;
  post_a: number;
  post_b: number;
  time_a: number;
  time_b: number;
}

type Db = Kysely<Database & { coordination_jobs: JobsTable; coordination_pairs: PairsTable }>;
const dbOf = (store: Store): Db => store.db.withTables<{ coordination_jobs: JobsTable; coordination_pairs: PairsTable }>() as unknown as Db;

/** A claimed job. */
export interface SplitJob {
  id: number;
  start: number;
  end: number;
  options: CoordinationOptions;
}

/** Refuses the split on a store that cannot share work between processes (SQLite). */
function requireSplit(store: Store): void {
  if (!store.caps.skipLocked) {
    throw new UserError(`The split by time range needs PostgreSQL (this store is ${store.caps.label}); on SQLite it is not needed: run \`censorscope coordination\` without --split-hours, --worker or --merge, which streams a store of any size in one process.`);
  }
}

/** Plans a split run (replacing any earlier plan): one pending job per `hours` of the corpus. */
export async function planSplit(store: Store, input: CoordinationInput, hours: number): Promise<{ runId: string; jobs: number; posts: number }> {
  requireSplit(store);
  const opts = resolveOptions(input);
  const span = await postSpan(store);
  if (span.posts === 0) throw new UserError('The store has no posts to split: import posts first.');
  const width = Math.max(1, Math.round(hours * 3600_000));
  const runId = randomUUID();
  const rows: Array<Omit<JobsTable, 'id'>> = [];
  for (let s = span.start; s <= span.end; s += width) {
    rows.push({ run_id: runId, range_start: s, range_end: Math.min(s + width - 1, span.end), options: JSON.stringify(opts), status: 'pending',
      worker: null, lease_until: null, finished_at: null, posts: null, candidates: null, verified: null });
  }
  const db = dbOf(store);
  await db.transaction().execute(async (tx) => {
    await tx.deleteFrom('coordination_jobs').execute();
    for (let i = 0; i < rows.length; i += 1000) await tx.insertInto('coordination_jobs').values(rows.slice(i, i + 1000)).execute();
  });
  return { runId, jobs: rows.length, posts: span.posts };
}

/** Claims the next pending job (or one whose worker's lease ran out), or null when none is left. */
export async function claimJob(store: Store, worker: string, leaseMs: number, now = Date.now()): Promise<SplitJob | null> {
  requireSplit(store);
  return dbOf(store).transaction().execute(async (tx) => {
    const row = await tx.selectFrom('coordination_jobs').selectAll()
      .where((eb) => eb.or([eb('status', '=', 'pending'), eb.and([eb('status', '=', 'running'), eb('lease_until', '<', now)])]))
      .orderBy('id').limit(1).forUpdate().skipLocked()
      .executeTakeFirst();
    if (!row) return null;
    await tx.updateTable('coordination_jobs').set({ status: 'running', worker, lease_until: now + leaseMs }).where('id', '=', row.id).execute();
    // zod at the boundary: the options were written by another process, maybe another version.
    const options = CoordinationOptionsSchema.parse(JSON.parse(row.options));
    return { id: Number(row.id), start: Number(row.range_start), end: Number(row.range_end), options };
  });
}

/** Runs one claimed job and stores its pairs; false when the job was taken over meanwhile (its lease ran out). */
export async function runJob(store: Store, job: SplitJob, worker: string, onBatch?: (n: number) => void): Promise<boolean> {
  const opts = job.options;
  const from = job.start - opts.windowSeconds * 1000;
  const db = dbOf(store);
  const count = await db.selectFrom('posts').select((eb) => eb.fn.countAll().as('n'))
    .where('created_at', '>=', from).where('created_at', '<=', job.end).executeTakeFirstOrThrow();
  const posts = Number(count.n);
  const workers = opts.workers >= 0 ? opts.workers : posts >= 50_000 ? Math.min(2, availableParallelism()) : 0;
  const res = await streamPairs(featureStream(readRange(store, opts.chunkSize, from, job.end), opts, workers, onBatch), opts, { start: job.start, end: job.end, posts }, workers);
  const p = res.pairs;
  return db.transaction().execute(async (tx) => {
    const mine = await tx.updateTable('coordination_jobs')
      .set({ status: 'done', finished_at: Date.now(), posts: res.posts, candidates: res.candidates, verified: res.verified })
      .where('id', '=', job.id).where('worker', '=', worker).where('status', '=', 'running')
      .executeTakeFirst();
    if (Number(mine.numUpdatedRows) !== 1) return false;
    await tx.deleteFrom('coordination_pairs').where('job_id', '=', job.id).execute();
    for (let s = 0; s < p.length; s += 2000) {
      const rows: PairsTable[] = [];
      for (let i = s; i < Math.min(p.length, s + 2000); i++) {
        rows.push({ job_id: job.id, type: p.type[i], acc_a: p.accA[i], acc_b: p.accB[i], post_a: p.postA[i], post_b: p.postB[i], time_a: p.timeA[i], time_b: p.timeB[i] });
      }
      await tx.insertInto('coordination_pairs').values(rows).execute();
    }
    return true;
  });
}

/** A default worker name: host and process id. */
export function workerName(): string {
  return `${hostname()}:${process.pid}`;
}

/** Claims and runs jobs until none is left; returns how many this worker finished. */
export async function runWorker(store: Store, o: { worker?: string; leaseMs?: number; onJob?: (job: SplitJob) => void; onBatch?: (n: number) => void } = {}): Promise<number> {
  const worker = o.worker ?? workerName();
  let done = 0;
  for (;;) {
    const job = await claimJob(store, worker, o.leaseMs ?? 3600_000);
    if (!job) return done;
    o.onJob?.(job);
    if (await runJob(store, job, worker, o.onBatch)) done++;
  }
}

/** Builds the campaigns from every job's pairs (all jobs must be done) and stores them like a single run. */
export async function mergeSplit(store: Store, progress?: Progress): Promise<CoordinationResult> {
  requireSplit(store);
  const started = performance.now();
  const db = dbOf(store);
  const jobs = await db.selectFrom('coordination_jobs').selectAll().orderBy('id').execute();
  if (!jobs.length) throw new UserError('No split is planned: run `censorscope coordination --split-hours N` first, then `--worker` in as many processes as you like, then `--merge`.');
  const open = jobs.filter((j) => j.status !== 'done').length;
  if (open) throw new UserError(`${open} of ${jobs.length} split jobs are not done yet: run \`censorscope coordination --worker\` until they are, then --merge again.`);
  const opts = CoordinationOptionsSchema.parse(JSON.parse(jobs[0].options));
  progress?.setTotal(jobs.length);
  let pairs = new PairStore();
  // Many pairs go to disk; only those of groups heavy enough to be edges come back (pair-spill.ts).
  const pairSpill = new PairSpill();
  let posts = 0;
  let candidates = 0;
  let verified = 0;
  for (const j of jobs) {
    const rows = await db.selectFrom('coordination_pairs').selectAll().where('job_id', '=', j.id).execute();
    // PostgreSQL returns bigint columns as strings.
    for (const r of rows) pairs.add(Number(r.type), Number(r.post_a), Number(r.acc_a), Number(r.time_a), Number(r.post_b), Number(r.acc_b), Number(r.time_b));
    posts += Number(j.posts);
    candidates += Number(j.candidates);
    verified += Number(j.verified);
    progress?.tick(1);
    if (pairs.length >= opts.spillPairs) {
      pairSpill.add(pairs);
      pairs = new PairStore();
    }
  }
  let pairTotal = pairs.length;
  if (pairSpill.total) {
    pairSpill.add(pairs);
    pairTotal = pairSpill.total;
    pairs = pairSpill.reduce(opts.minWeight);
  } else pairSpill.close();
  const t1 = performance.now();
  return finish(store, opts, { pairs, pairTotal, posts, candidates, verified, featureSeconds: (t1 - started) / 1000, windowSeconds: 0 }, started);
}
