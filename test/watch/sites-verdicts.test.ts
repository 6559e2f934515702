/**
 * End to end, on both store backends: sites of the simulated web (src/collect/sim/web) move
 * through every verdict on a script, the REAL watcher (runWatch, sharing a VirtualClock with the
 * simulated web) fetches, archives and classifies them, and the stored captures' verdicts are
 * checked against the script — the first capture after each change, and every capture in between.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { backends, type TestStore } from '../helpers/stores.ts';
import { openArchive } from '../../src/archive/index.ts';
import { addSite } from '../../src/watch/sites/tracked.ts';
import { sitesSource } from '../../src/watch/sites/source.ts';
import { runWatch } from '../../src/watch/run.ts';
import { VirtualClock } from '../../src/watch/clock.ts';
import { blockedProbe, expectedFor, loadWebText, startSimWeb, stateAt, type SimSite, type SiteState } from '../../src/collect/sim/web/index.ts';
import { HEALTHY_VERDICTS, type SiteVerdict } from '../../src/detect/sites/types.ts';
import type { Store } from '../../src/store/open.ts';

const START = Date.UTC(2026, 0, 5, 8);
const MIN = 60_000;
/** Visits every 2 virtual minutes; each phase lasts 3 visits. */
const EVERY = 2 * MIN;
const PHASE = 3 * EVERY;
const text = loadWebText();

const normal = (edition = 0): SiteState => ({ kind: 'normal', edition });
/** A site whose phases follow one another, PHASE apart, from START. */
function site(id: string, kind: SimSite['kind'], lang: SimSite['lang'], states: SiteState[], charset: SimSite['charset'] = 'utf-8'): SimSite {
  return {
    id, name: id, kind, lang, charset,
    ownPort: states.some((s) => s.kind === 'down' && s.how === 'refused'),
    phases: states.map((state, i) => ({ from: START + i * PHASE + 30_000, state })),
  };
}
/** normal, X, normal, Y, normal, ...: each trouble followed by a recovery. */
const withRecoveries = (...troubles: SiteState[]) => [normal(), ...troubles.flatMap((t) => [t, normal()])];

const SITES: SimSite[] = [
  site('news-001', 'news', 'zh', [normal()]),
  site('news-002', 'news', 'en', [normal()]),
  site('gov-003', 'gov', 'zh', [normal(0), normal(1), normal(2), normal(3)]),
  site('gov-004', 'gov', 'zh', withRecoveries(
    { kind: 'injected', edition: 0, how: 'links', spam: 'gambling' },
    { kind: 'injected', edition: 0, how: 'iframe', spam: 'gambling' },
    { kind: 'injected', edition: 0, how: 'script', spam: 'gambling' },
  ), 'gb2312'),
  site('institution-005', 'institution', 'en', withRecoveries(
    { kind: 'injected', edition: 0, how: 'links', spam: 'pharma' },
    { kind: 'injected', edition: 0, how: 'all', spam: 'pharma' },
  )),
  site('institution-006', 'institution', 'zh', withRecoveries(
    { kind: 'defaced', edition: 0, how: 'replaced', crew: 'Sh4d0w Cr3w' },
    { kind: 'defaced', edition: 0, how: 'title', crew: 'GhostSquad' },
  )),
  site('gov-007', 'gov', 'zh', withRecoveries(
    { kind: 'gone', how: '404' }, { kind: 'gone', how: '410' }, { kind: 'gone', how: 'notice' }, { kind: 'gone', how: 'parked' },
  )),
  site('institution-008', 'institution', 'en', withRecoveries(
    { kind: 'down', how: '503' }, { kind: 'down', how: 'reset' }, { kind: 'down', how: 'refused' }, { kind: 'down', how: 'timeout' },
  )),
  site('gov-009', 'gov', 'zh', withRecoveries({ kind: 'blocked', edition: 0 }, { kind: 'blocked', edition: 0 })),
];
const RUN_MS = Math.max(...SITES.map((s) => s.phases.length)) * PHASE + EVERY;

interface Got { site: string; at: number; verdict: SiteVerdict; reasons: string[] }

/** Runs the real watcher over `sites` for `ms` of virtual time; returns every capture, oldest first. */
async function watchSites(store: Store, sites: SimSite[], ms: number): Promise<Got[]> {
  const dir = mkdtempSync(path.join(tmpdir(), 'sites-verdicts-'));
  const clock = new VirtualClock(START);
  const web = await startSimWeb({ sites, clock, text });
  const archive = await openArchive(store, { dir, clock: () => clock.now() });
  try {
    const byUrl = new Map<string, string>();
    for (const s of sites) byUrl.set((await addSite(store, { url: web.urlOf(s.id), everyMs: EVERY, name: s.name }, START)).site.url, s.id);
    // A site that does not answer costs the watcher its fetch timeout in wall time: a short one here.
    const src = await sitesSource(store);
    await store.db.updateTable('sources').set({ config: JSON.stringify({ budgetPerMinute: 600, timeoutMs: 1500 }) }).where('id', '=', src.id).execute();
    // The probe measures the blocked site blocked while its script says so.
    web.setOnTime(blockedProbe(store, web));
    await runWatch(store, { clock: web.clock, durationMs: START + ms - clock.now(), allowPrivate: true, archive });
    const rows = await store.db.selectFrom('site_captures as c').innerJoin('tracked_sites as t', 't.id', 'c.site_id')
      .select(['t.url', 'c.at', 'c.verdict', 'c.reasons']).orderBy('c.at').orderBy('c.id').execute();
    return rows.map((r) => ({ site: byUrl.get(r.url)!, at: Number(r.at), verdict: r.verdict as SiteVerdict, reasons: JSON.parse(r.reasons) as string[] }));
  } finally {
    await archive.close();
    await web.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Checks every capture of `s` against its script: the first after a change, and the ones after. */
function checkAgainstScript(s: SimSite, got: Got[]): number {
  const mine = got.filter((g) => g.site === s.id);
  assert.ok(mine.length >= s.phases.length, `${s.id}: only ${mine.length} captures`);
  let checked = 0;
  for (let i = 0; i < s.phases.length; i++) {
    const from = s.phases[i]!.from;
    const to = s.phases[i + 1]?.from ?? Infinity;
    const during = mine.filter((g) => g.at >= from && g.at < to);
    assert.ok(during.length >= 1, `${s.id}: phase ${i} (${s.phases[i]!.state.kind}) never captured`);
    const state = s.phases[i]!.state;
    const first = i === 0 ? ['reachable', 'updated'] as SiteVerdict[] : expectedFor(s.phases[i - 1]!.state, state).accepted;
    const why = (g: Got) => `${s.id} at +${(g.at - START) / MIN} min in ${JSON.stringify(state)}: ${g.verdict} (${g.reasons.join('; ')})`;
    if (i > 0) assert.ok(first.includes(during[0]!.verdict), `first capture after the change: ${why(during[0]!)}; expected ${first.join(' or ')}`);
    // Later captures in the same phase: the trouble persists; a healthy page stays healthy.
    for (const g of during.slice(i > 0 ? 1 : 0)) {
      const steady: SiteVerdict[] = state.kind === 'normal' ? ['reachable', 'updated'] : expectedFor(null, state).accepted;
      assert.ok(steady.includes(g.verdict), why(g));
    }
    checked += during.length;
  }
  return checked;
}

for (const b of backends()) {
  describe(`site verdicts end to end (${b.label})`, () => {
    let ts: TestStore;
    let got: Got[];
    before(async () => {
      ts = await b.open();
      got = await watchSites(ts.store, SITES, RUN_MS);
    });
    after(async () => ts?.cleanup());

    it('captures each site on its schedule', () => {
      for (const s of SITES) {
        const at = got.filter((g) => g.site === s.id).map((g) => g.at);
        const gaps = at.slice(1).map((t, i) => t - at[i]!);
        assert.ok(at.length >= Math.floor(RUN_MS / EVERY) - 1, `${s.id}: ${at.length} captures`);
        assert.ok(gaps.every((g) => g >= EVERY && g < 2 * EVERY), `${s.id}: gaps ${gaps.join(', ')}`);
      }
    });

    it('a live news front page that changes every visit is never defaced or injected', () => {
      for (const id of ['news-001', 'news-002']) {
        const mine = got.filter((g) => g.site === id);
        assert.ok(mine.length >= 20);
        for (const g of mine) assert.ok(HEALTHY_VERDICTS.has(g.verdict), `${id} at +${(g.at - START) / MIN} min: ${g.verdict} (${g.reasons.join('; ')})`);
        assert.ok(mine.filter((g) => g.verdict === 'updated').length >= mine.length - 2, `${id}: the page changes every visit`);
      }
    });

    it('ordinary updates are updated, and an unchanged page reachable', () => {
      checkAgainstScript(SITES[2]!, got);
    });
    it('injected: hidden gambling links, a hidden iframe, an external script (GB2312 page), then cleaned', () => {
      checkAgainstScript(SITES[3]!, got);
    });
    it('injected: a pharma link farm, then all three at once', () => {
      checkAgainstScript(SITES[4]!, got);
    });
    it('defaced: the page replaced, then only the title, each restored', () => {
      checkAgainstScript(SITES[5]!, got);
    });
    it('taken_down: 404, 410, a shutdown notice, a redirect to a parked domain, each back', () => {
      checkAgainstScript(SITES[6]!, got);
    });
    it('down: 503, connection reset, connection refused, no answer, each back', () => {
      checkAgainstScript(SITES[7]!, got);
    });
    it('blocked: the probe measures the host blocked (twice), then accessible', () => {
      checkAgainstScript(SITES[8]!, got);
    });
  });
}

/** Runs `censorscope ...args` without blocking this process (the simulated web answers from it). */
function cli(args: string[], env: Record<string, string>, started?: (child: ChildProcess) => void): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['bin/censorscope.js', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    started?.(child);
    let stdout = '', stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const until = async (cond: () => boolean, what: string, ms = 90_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

// On one backend: each command's start-up takes seconds on a loaded machine, and the verdicts on
// both backends are covered above.
for (const b of backends().slice(0, 1)) {
  describe(`site watch through the command line, in real time (${b.label})`, () => {
    it('site add --every 5s, watch: a defacement and its restoration, as site history --json tells', async () => {
      const ts = await b.open();
      const dir = mkdtempSync(path.join(tmpdir(), 'sites-cli-'));
      const env = { ...ts.env, CENSORSCOPE_ARCHIVE: path.join(dir, 'archive') };
      // Phases are set once the watcher is about to start; until then the page is normal.
      const s: SimSite = site('institution-010', 'institution', 'en', [normal()]);
      const web = await startSimWeb({ sites: [s], text });
      try {
        const url = web.urlOf(s.id);
        const added = await cli(['site', 'add', url, '--every', '5s', '--name', 'Riverton Community College'], env);
        assert.equal(added.status, 0, added.stderr);
        // The script is timed from the watcher's first visit (its start-up is slow on a loaded
        // machine), and the watch is stopped (SIGINT, as a user would) after two visits of the last phase.
        let child: ChildProcess | null = null;
        const watching = cli(['watch', '--for', '3m', '--quiet'], env, (c) => (child = c));
        await until(() => web.requests().length > 0, 'the first visit');
        const first = web.requests()[0]!.at;
        s.phases.push({ from: first + 7_000, state: { kind: 'defaced', edition: 0, how: 'replaced', crew: 'Sh4d0w Cr3w' } }, { from: first + 17_000, state: normal() });
        await until(() => web.requests().filter((r) => r.at >= first + 17_000).length >= 2, 'two visits after the restoration');
        child!.kill('SIGINT');
        const watched = await watching;
        assert.equal(watched.status, 0, watched.stderr);
        const h = await cli(['site', 'history', url, '--json'], env);
        assert.equal(h.status, 0, h.stderr);
        const history = JSON.parse(h.stdout) as { url: string; captures: Array<{ at: string; status: number | null; verdict: SiteVerdict; reasons: string[]; digest: string | null }> };
        assert.deepEqual(Object.keys(history), ['url', 'captures']);
        assert.equal(history.url, url);
        const at = history.captures.map((c) => Date.parse(c.at));
        assert.ok(history.captures.length >= 4, `${history.captures.length} captures in 27 s at --every 5s`);
        assert.deepEqual(at, [...at].sort((x, y) => x - y), 'oldest first');
        // The schedule is anchored at `site add`: the first visit comes late (the watcher's start-up),
        // the second when the anchored schedule says; from then on every 5 s.
        const gaps = at.slice(2).map((t, i) => t - at[i + 1]!);
        assert.ok(gaps.every((g) => g >= 4_500 && g < 8_000), `revisited every 5 s: gaps ${gaps.join(', ')}`);
        for (const c of history.captures) {
          assert.deepEqual(Object.keys(c), ['at', 'status', 'verdict', 'reasons', 'digest']);
          assert.match(c.at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3})?Z$/);
          assert.equal(c.status, 200);
          assert.match(c.digest ?? '', /^sha256:[0-9a-f]{64}$/);
          assert.ok(c.reasons.length > 0 || c.verdict === 'reachable', `${c.verdict} without reasons`);
        }
        const got = history.captures.map((c) => ({ site: s.id, at: Date.parse(c.at), verdict: c.verdict, reasons: c.reasons }));
        checkAgainstScript(s, got);
      } finally {
        await web.close();
        await ts.cleanup();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
