/**
 * bench/probe: the URLs of ../shared/data/test-lists/cn.csv, each hostname served by the namespace
 * lab with a seeded mix of censorship (DNS injection racing the real answer, NXDOMAIN injection,
 * IP drop, IP reset, Host-keyword and SNI resets, a block page, and sites down everywhere).
 * Reports URLs per minute at a concurrency (against a low-concurrency baseline in the same run)
 * and classification accuracy against the lab's ground truth.
 *
 *   npm run bench:probe                      # concurrency 64, seed 7, baseline concurrency 8 on 64 URLs
 *   BENCH_CONCURRENCY=32 BENCH_SEED=3 npm run bench:probe     (BENCH_QUICK=1: the first 120 URLs)
 * Target: every URL classified as the lab's ground truth says (verdict and blocking), in both runs.
 */
import { mulberry32 } from '../../src/util/random.ts';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { join, resolve } from 'node:path';
import { labUnavailable, startLab, NET, ROOT, type LabConfig } from '../../test/probe/lab/lab.ts';
import { readTestList } from '../../src/probe/availability/test-list.ts';
import { reportSkip, reportTargets } from '../targets.ts';

const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64);
const BASE_CONCURRENCY = Number(process.env.BENCH_BASE_CONCURRENCY ?? 8);
const BASE_URLS = Number(process.env.BENCH_BASE_URLS ?? 64);
const SEED = Number(process.env.BENCH_SEED ?? 7);
const TIMEOUT_MS = 3000;

const list = resolve(ROOT, '../shared/data/test-lists/cn.csv');
if (!existsSync(list)) {
  reportSkip('probe', `${list} is absent (the shared data set is not mounted)`);
  process.exit();
}
const why = labUnavailable();
if (why) {
  reportSkip('probe', why);
  process.exit();
}

type Kind = 'reachable' | 'dns-injection' | 'dns-nxdomain' | 'ip-drop' | 'ip-reset' | 'keyword-sni-reset' | 'block-page' | 'down';
const MIX: Array<[Kind, number]> = [['reachable', 0.4], ['dns-injection', 0.14], ['dns-nxdomain', 0.06], ['ip-drop', 0.07], ['ip-reset', 0.07], ['keyword-sni-reset', 0.12], ['block-page', 0.07], ['down', 0.07]];
const TRUTH: Record<Kind, { verdict: string; blocking: string | false }> = {
  'reachable': { verdict: 'reachable', blocking: false }, 'dns-injection': { verdict: 'blocked', blocking: 'dns' }, 'dns-nxdomain': { verdict: 'blocked', blocking: 'dns' },
  'ip-drop': { verdict: 'blocked', blocking: 'tcp_ip' }, 'ip-reset': { verdict: 'blocked', blocking: 'tcp_ip' }, 'keyword-sni-reset': { verdict: 'blocked', blocking: 'http-failure' },
  'block-page': { verdict: 'blocked', blocking: 'http-diff' }, 'down': { verdict: 'down', blocking: false },
};


// The URLs, by hostname (one ground truth per host; the lab answers every path).
// Address literals and unusual ports are left out: the lab answers by name on ports 80 and 443.
const all = readTestList(list).map((e) => e.url);
const usable = all.filter((u) => {
  const url = new URL(u);
  return !isIP(url.hostname) && /^https?:$/.test(url.protocol) && url.port === '';
});
const urls = process.env.BENCH_QUICK === '1' ? usable.slice(0, 120) : usable;
const hosts = [...new Set(urls.map((u) => new URL(u).hostname))].sort();
const httpsHosts = new Set(urls.filter((u) => u.startsWith('https:')).map((u) => new URL(u).hostname));
const rand = mulberry32(SEED);
const kindOf = new Map<string, Kind>();
const cfg: LabConfig & Required<Pick<LabConfig, 'zone' | 'inject' | 'dropIps' | 'rstIps' | 'downIps' | 'hostKeywords' | 'sniBlock' | 'blockpageIps'>> = {
  zone: {}, inject: {}, dropIps: [], rstIps: [], downIps: [], hostKeywords: [], sniBlock: [], blockpageIps: [], thTimeoutMs: 2500,
};
let unique = 10;
let forged = 0;
for (const h of hosts) {
  let r = rand();
  let kind: Kind = 'reachable';
  for (const [k, p] of MIX) {
    if (r < p) {
      kind = k;
      break;
    }
    r -= p;
  }
  // A block page on port 80 cannot apply to a host also measured over HTTPS.
  if (kind === 'block-page' && httpsHosts.has(h)) kind = 'keyword-sni-reset';
  const needsOwnIp = kind === 'ip-drop' || kind === 'ip-reset' || kind === 'down' || kind === 'block-page';
  if (needsOwnIp && unique > 199) kind = 'reachable';
  const ip = needsOwnIp && kind !== 'reachable' ? `203.0.113.${unique++}` : `203.0.113.${200 + (hosts.indexOf(h) % 46)}`;
  kindOf.set(h, kind);
  cfg.zone[h] = [ip];
  if (kind === 'dns-injection') cfg.inject[h] = [`192.0.2.${129 + (forged++ % 120)}`];
  if (kind === 'dns-nxdomain') cfg.inject[h] = 'nxdomain';
  if (kind === 'ip-drop') cfg.dropIps.push(ip);
  if (kind === 'ip-reset') cfg.rstIps.push(ip);
  if (kind === 'down') cfg.downIps.push(ip);
  if (kind === 'block-page') cfg.blockpageIps.push(ip);
  if (kind === 'keyword-sni-reset') {
    cfg.hostKeywords.push(h);
    cfg.sniBlock.push(h);
  }
}

console.log(`bench/probe: ${urls.length} URLs (${all.length - usable.length} with address literals or other ports left out${urls.length < usable.length ? `, quick mode: first ${urls.length} of ${usable.length}` : ''}), ${hosts.length} hostnames from ${list}, seed ${SEED}`);
const mix: Record<string, number> = {};
for (const k of kindOf.values()) mix[k] = (mix[k] ?? 0) + 1;
console.log(`  mix: ${Object.entries(mix).map(([k, v]) => `${k} ${v}`).join(', ')}`);
const t0 = Date.now();
const lab = await startLab(cfg);
console.log(`  lab up in ${((Date.now() - t0) / 1000).toFixed(1)} s`);

interface RunResult { urls: number; seconds: number; perMinute: number; correct: number; wrong: string[] }

async function run(inputs: string[], concurrency: number, tag: string): Promise<RunResult> {
  const listFile = join(lab.dir, `${tag}.txt`);
  const out = join(lab.dir, `${tag}.jsonl`);
  writeFileSync(listFile, inputs.join('\n') + '\n');
  const started = Date.now();
  const r = await lab.probe(['--db', join(lab.dir, `${tag}.db`), 'probe', '--list', listFile, '--th', NET.th, '--out', out, '--json',
    '--allow-test-nets', '--timeout', String(TIMEOUT_MS), '--concurrency', String(concurrency), '--probe-cc', 'CN', '--probe-asn', 'AS4134'], { timeoutMs: 30 * 60_000 });
  const seconds = (Date.now() - started) / 1000;
  if (r.code !== 0) throw new Error(`probe failed: ${r.stderr.slice(-2000)}`);
  let correct = 0;
  const wrong: string[] = [];
  const lines = readFileSync(out, 'utf8').split('\n').filter(Boolean);
  for (const line of lines) {
    const m = JSON.parse(line) as { input: string; test_keys: { x_verdict: string; blocking: string | false | null; x_blocked_how: string[]; dns_experiment_failure: string | null; http_experiment_failure: string | null; control_failure: string | null; queries: Array<{ engine: string; answers: Array<{ ipv4: string }> | null; failure: string | null; t: number }> } };
    const kind = kindOf.get(new URL(m.input).hostname)!;
    const want = TRUTH[kind];
    if (m.test_keys.x_verdict === want.verdict && m.test_keys.blocking === want.blocking) correct++;
    else wrong.push(`${m.input} (${kind}): got ${m.test_keys.x_verdict}/${String(m.test_keys.blocking)} [${m.test_keys.x_blocked_how.join('+')}] dns=${m.test_keys.dns_experiment_failure} http=${m.test_keys.http_experiment_failure} control=${m.test_keys.control_failure} queries=${JSON.stringify(m.test_keys.queries.map((q) => [q.engine, q.failure, q.t.toFixed(2), q.answers?.map((a) => a.ipv4)]))}`);
  }
  if (lines.length !== inputs.length) wrong.push(`only ${lines.length} of ${inputs.length} URLs measured`);
  return { urls: inputs.length, seconds, perMinute: (inputs.length / seconds) * 60, correct, wrong };
}

try {
  const base = await run(urls.slice(0, BASE_URLS), BASE_CONCURRENCY, 'baseline');
  const main = await run(urls, CONCURRENCY, 'main');
  const acc = (r: RunResult): string => `${((100 * r.correct) / r.urls).toFixed(1)}% (${r.correct}/${r.urls})`;
  console.log(`  baseline: concurrency ${BASE_CONCURRENCY}, ${base.urls} URLs in ${base.seconds.toFixed(1)} s → ${base.perMinute.toFixed(0)} URLs/min, accuracy ${acc(base)}`);
  console.log(`  main:     concurrency ${CONCURRENCY}, ${main.urls} URLs in ${main.seconds.toFixed(1)} s → ${main.perMinute.toFixed(0)} URLs/min, accuracy ${acc(main)}`);
  console.log(`  speed-up over baseline: ×${(main.perMinute / base.perMinute).toFixed(2)}`);
  for (const w of [...base.wrong, ...main.wrong].slice(0, 30)) console.log(`  MISCLASSIFIED ${w}`);
  reportTargets('probe', [
    { measure: `classification accuracy, ${main.urls} URLs at concurrency ${CONCURRENCY}`, value: acc(main), target: '100% (verdict and blocking match the lab)', met: main.correct === main.urls },
    { measure: `classification accuracy, baseline run (${base.urls} URLs at concurrency ${BASE_CONCURRENCY})`, value: acc(base), target: '100%', met: base.correct === base.urls },
    { measure: 'URLs per minute', value: main.perMinute.toFixed(0), baseline: `${base.perMinute.toFixed(0)} at concurrency ${BASE_CONCURRENCY}`, ratio: `${(main.perMinute / base.perMinute).toFixed(2)}×`, met: null },
  ]);
} finally {
  await lab.close();
}
