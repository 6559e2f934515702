/**
 * The change classifier: one verdict per capture of a tracked site, with reasons a newsroom can
 * publish. A pure function of the current answer, the site's earlier captures and the blocking
 * probe's latest verdict for the host.
 *
 * Precedence (first rule that holds wins):
 *   1. blocked     the probe measured blocking of the host recently (within max(2 x the site's
 *                  interval, 1 h)): from a blocked vantage point the answer cannot be trusted (a
 *                  DNS-injected or block page would otherwise read as a defacement or takedown);
 *   2. down        no answer (the fetch's failure code), a 5xx, another 4xx than 404/410/451, a 3xx
 *                  left unfollowed, or an empty page (a 304 Not Modified keeps the last page's verdict);
 *   3. taken_down  404, 410, 451; a parked or expired-domain page, or a shutdown / ICP-revocation
 *                  notice newly present (also reached through a redirect to another domain);
 *      then down again: a bot challenge, firewall block or maintenance notice standing in for
 *                  the site (newly present, small page): the site's own content could not be seen;
 *   4. defaced     defacement markers newly present (title, a banner line), the title replaced,
 *                  or main content AND layout unlike every earlier healthy capture;
 *   5. injected    hidden links or frames to new domains, spam terms newly in hidden text, the
 *                  title or link texts, a new redirect or script from a new domain, the rest similar;
 *   6. reachable   the normalised text, title and navigation equal the baseline's;
 *   7. updated     otherwise, with a diff summary.
 * The baseline is the most recent healthy (reachable/updated) capture: a defacement stays
 * `defaced` and an injection `injected` until cleaned, and a site back from a takedown compares
 * with its last good page. "New" hosts are new against every earlier healthy capture (and the
 * ordinary visible links of captures judged injected). A visible link whose text is a headline
 * holding one spam word, among the page's ordinary headlines, is editorial, not a link farm.
 */
import type { Classification, FetchOutcome, PageSnapshot, ProbeHint, SiteVerdict, SnapshotLink } from './types.ts';
import { HEALTHY_VERDICTS } from './types.ts';
import { ALL_TERMS, isAdHost, isParkingHost, type MarkerTerm } from './markers.ts';
import { sketchSimilarity } from './normalise.ts';
import { diffSummary, type DiffSummary } from './diff.ts';
import { registrableDomain, snapshotOf } from './snapshot.ts';

export { snapshotOf } from './snapshot.ts';
export type { PageSnapshot } from './types.ts';

/**
 * One earlier capture of the site, as the classifier needs it. The history is newest first; the
 * classifier reads the latest capture's verdict and up to THRESHOLDS.historyDepth (50) healthy
 * captures with snapshots, so a caller may pass just those (captures without a snapshot: null).
 */
export interface CaptureHistory {
  at: number;
  status: number | null;
  verdict: SiteVerdict;
  snapshot: PageSnapshot | null;
}

export interface ClassifyOptions {
  /** The site's revisit interval (ms): a probe verdict counts for max(2 x this, 1 h). */
  intervalMs?: number;
}

/** Thresholds, named so the README and the tests can cite them. */
export const THRESHOLDS = {
  /** Below both: the page is unlike an earlier capture (content, layout). */
  unlikeContent: 0.2,
  unlikeStructure: 0.35,
  /** Titles sharing less than this (character bigrams) are "replaced". */
  titleReplaced: 0.15,
  /** Small pages: parking and shutdown notices are short (visible characters). */
  smallPage: 3_000,
  probeMinWindowMs: 3_600_000,
  /** How many earlier healthy captures "unlike every earlier" and "new host" look at. */
  historyDepth: 50,
};

const TERM = new Map<string, MarkerTerm>(ALL_TERMS.map((m) => [m.term, m]));
const term = (t: string): MarkerTerm | undefined => TERM.get(t);

function quote(s: string, max = 80): string {
  const one = s.replace(/\s+/gu, ' ').trim();
  return `'${one.length > max ? `${one.slice(0, max - 1)}…` : one}'`;
}

function list(xs: readonly string[], max = 5): string {
  const shown = xs.slice(0, max).join(', ');
  return xs.length > max ? `${shown} and ${xs.length - max} more` : shown;
}

function pct(x: number): string {
  return `${Math.round(x * 100)}%`;
}

function iso(at: number): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/u, 'Z');
}

function bigrams(s: string): Set<string> {
  const t = s.replace(/\s+/gu, ' ');
  const out = new Set<string>();
  for (let i = 0; i + 2 <= t.length; i++) out.add(t.slice(i, i + 2));
  if (t.length === 1) out.add(t);
  return out;
}

/** Jaccard similarity of two titles' character bigrams (language-independent). */
export function titleSimilarity(a: string, b: string): number {
  const x = bigrams(a); const y = bigrams(b);
  if (x.size === 0 && y.size === 0) return 1;
  let both = 0;
  for (const g of x) if (y.has(g)) both++;
  return both / (x.size + y.size - both);
}

function result(verdict: SiteVerdict, reasons: string[], diff: DiffSummary | null = null, baselineIndex: number | null = null): Classification {
  return { verdict, reasons, diff, baselineIndex };
}

/** Terms of a family present in `now` and absent from the baseline's title and text. */
function newTerms(now: readonly string[], base: PageSnapshot | null, family: MarkerTerm['family']): MarkerTerm[] {
  const before = new Set(base ? [...base.markers.title, ...base.markers.visible, ...base.markers.hidden] : []);
  return now.map(term).filter((m): m is MarkerTerm => m !== undefined && m.family === family && !before.has(m.term));
}

/** A stored snapshot this version can compare with (older or damaged ones are skipped). */
function usable(s: PageSnapshot | null): s is PageSnapshot {
  return s !== null && typeof s === 'object' && s.v === 1 && Array.isArray(s.lines) && Array.isArray(s.sketch) && Array.isArray(s.skeleton)
    && Array.isArray(s.links) && typeof s.markers === 'object' && s.markers !== null;
}

/** Verdict for a recent blocking measurement, or null. */
function probeVerdict(current: FetchOutcome, probe: ProbeHint | null, options: ClassifyOptions): Classification | null {
  if (!probe || !probe.blocking || probe.accessible === true) return null;
  const window = Math.max(2 * (options.intervalMs ?? 0), THRESHOLDS.probeMinWindowMs);
  const age = current.at - probe.at;
  // A measurement far in the future of this capture is another clock's mistake, not evidence.
  if (age > window || age < -5 * 60_000) return null;
  const mins = Math.max(0, Math.round(age / 60_000));
  const seen = current.kind === 'failure' ? `this fetch got no answer (${current.code})` : `this fetch got HTTP ${current.status}, which may be what the blocking serves`;
  return result('blocked', [
    `the blocking probe found ${probe.blocking} blocking of this host ${mins} minute${mins === 1 ? '' : 's'} before this capture (measurement ${probe.measurementId})`,
    seen,
  ]);
}

function takedownReasons(cur: PageSnapshot, base: PageSnapshot | null, refDomain: string): string[] {
  const reasons: string[] = [];
  const curHost = hostOf(cur.url);
  const moved = refDomain !== '' && cur.domain !== '' && cur.domain !== refDomain;
  if (curHost && isParkingHost(curHost)) reasons.push(`the site now redirects to ${curHost}, a domain-parking service`);
  for (const r of cur.redirects) if (r.host && isParkingHost(r.host)) reasons.push(`the page ${r.kind === 'meta' ? 'refreshes' : 'redirects by script'} to ${r.host}, a domain-parking service`);
  const parkingAssets = [...cur.scriptHosts, ...cur.iframes.map((f) => f.host)].filter((h) => h && isParkingHost(h));
  if (parkingAssets.length && !(base && [...base.scriptHosts, ...base.iframes.map((f) => f.host)].some((h) => isParkingHost(h))))
    reasons.push(`the page loads ${list([...new Set(parkingAssets)])}, a domain-parking service`);

  const small = cur.textLength <= THRESHOLDS.smallPage;
  // Weak terms in a title ("… is for sale") count as text: a classified ad says it too.
  const parkedTitle = newTerms(cur.markers.title, base, 'parked').filter((m) => m.strong);
  const parkedText = [...new Set([...newTerms(cur.markers.visible, base, 'parked'), ...newTerms(cur.markers.title, base, 'parked').filter((m) => !m.strong)])];
  const strongParked = parkedText.filter((m) => m.strong);
  if (parkedTitle.length) reasons.push(`the title ${quote(cur.title)} reads as a parked or expired domain (${list(parkedTitle.map((m) => m.term))})`);
  else if ((strongParked.length && small) || (moved && parkedText.length) || parkedText.length >= 2 && small)
    reasons.push(`the page reads as a parked or expired domain: ${list(parkedText.map((m) => `'${m.term}'`))}`);

  const shutTitle = newTerms(cur.markers.title, base, 'shutdown');
  const shutText = newTerms(cur.markers.visible, base, 'shutdown');
  const strongShut = shutText.filter((m) => m.strong);
  if (shutTitle.length) reasons.push(`the title ${quote(cur.title)} is a shutdown notice (${list(shutTitle.map((m) => m.term))})`);
  else if ((strongShut.length && small) || (shutText.length >= 2 && small && cur.textLength <= THRESHOLDS.smallPage / 2))
    reasons.push(`the page is a shutdown or ICP-revocation notice: ${list(shutText.map((m) => `'${m.term}'`))}`);
  if (reasons.length && moved) reasons.push(`the answer came from ${cur.domain}, not ${refDomain}`);
  return reasons;
}

/** A bot challenge, firewall block or maintenance notice standing in for the site, or null. */
function unavailableReason(cur: PageSnapshot, base: PageSnapshot | null): string | null {
  if (cur.textLength > THRESHOLDS.smallPage) return null;
  const inTitle = newTerms(cur.markers.title, base, 'unavailable');
  const inText = newTerms(cur.markers.visible, base, 'unavailable').filter((m) => m.strong);
  const found = [...new Set([...inTitle, ...inText].map((m) => `'${m.term}'`))];
  return found.length ? `a bot challenge, firewall or maintenance page answered instead of the site (${list(found)})` : null;
}

function hostOf(url: string): string {
  try { return new URL(url).host.toLowerCase(); } catch { return ''; }
}

/**
 * Registrable domains the site linked before: everything in earlier healthy captures (links,
 * frames, scripts, redirects, the site's own), and the ordinary visible links of captures judged
 * `injected` (the site's own page with spam added: a news page keeps publishing while it carries
 * a hidden iframe, and the outlets it starts linking then are its own, not the attacker's). Of an
 * injected capture only visible, non-ad links without spam words count, and never a domain that
 * capture also reached by a hidden or spam link, a frame, a script or a redirect.
 */
function knownDomains(healthy: readonly PageSnapshot[], cur: PageSnapshot, injected: readonly PageSnapshot[] = []): Set<string> {
  const out = new Set<string>([cur.domain]);
  for (const s of healthy) {
    out.add(s.domain);
    for (const l of s.links) if (l.host) out.add(registrableDomain(l.host));
    for (const h of s.linkHosts ?? []) out.add(registrableDomain(h));
    for (const f of s.iframes) if (f.host) out.add(registrableDomain(f.host));
    for (const h of s.scriptHosts) out.add(registrableDomain(h));
    for (const r of s.redirects) if (r.host) out.add(registrableDomain(r.host));
  }
  for (const s of injected) {
    const suspect = new Set<string>([
      ...s.links.filter((l) => l.host && (l.hidden || l.spam)).map((l) => l.host),
      ...s.iframes.map((f) => f.host), ...s.scriptHosts, ...s.redirects.map((r) => r.host),
    ].filter((h) => h).map(registrableDomain));
    for (const l of s.links) {
      const d = l.host ? registrableDomain(l.host) : '';
      if (d && !l.hidden && !l.ad && !l.spam && !suspect.has(d)) out.add(d);
    }
  }
  return out;
}

/** Latin words and CJK characters of an anchor text: how much prose it is. */
function proseSize(text: string): { words: number; cjk: number } {
  return { words: (text.match(/[\p{L}\p{N}]*\p{Script=Latin}[\p{L}\p{N}'’-]*/gu) ?? []).length, cjk: (text.match(/\p{Script=Han}/gu) ?? []).length };
}

/** True when an anchor text reads as a headline: a sentence (5+ words, or 10+ Chinese characters). */
function isProse(text: string): boolean {
  const { words, cjk } = proseSize(text);
  return words >= 5 || cjk >= 10;
}

/**
 * True when a visible link with spam words reads as an ordinary headline rather than a spam
 * anchor: prose ("Porn actor Stormy Daniels casts doubt on denial of affair with Trump", "澳门11月
 * 博彩收入同比增长") holding one spam term, once, that is a small part of it. Link-farm anchors are
 * the keywords themselves ("澳门赌场", "cheap viagra") or stack several ("澳门威尼斯人娱乐城开户送彩金").
 */
function headlineLike(l: SnapshotLink): boolean {
  const spam = l.spam ?? [];
  if (spam.length !== 1 || !isProse(l.text)) return false;
  const m = term(spam[0]!);
  if (!m) return false;
  const hits = l.text.match(new RegExp(m.re.source, 'gu')) ?? [];
  const chars = hits.reduce((a, h) => a + h.length, 0);
  return hits.length === 1 && chars * 4 <= l.text.replace(/\s+/gu, '').length;
}

function injectionReasons(cur: PageSnapshot, base: PageSnapshot | null, healthy: readonly PageSnapshot[], injected: readonly PageSnapshot[] = []): string[] {
  const reasons: string[] = [];
  const known = knownDomains(healthy, cur, injected);
  const isNew = (host: string): boolean => host !== '' && !known.has(registrableDomain(host));
  const firstCapture = healthy.length === 0;

  // Hidden links to domains never linked before: the SEO link farm of a hacked site.
  const hidden = cur.links.filter((l) => l.hidden && !l.ad && isNew(l.host));
  const hiddenDomains = [...new Set(hidden.map((l) => registrableDomain(l.host)))];
  const hiddenSpam = [...new Set(hidden.flatMap((l) => l.spam ?? []))];
  if (hidden.length && (hiddenSpam.length || (!firstCapture && (hidden.length >= 3 || hiddenDomains.length >= 2)))) {
    reasons.push(`${hidden.length} hidden link${hidden.length === 1 ? '' : 's'} added to ${hiddenDomains.length} new host${hiddenDomains.length === 1 ? '' : 's'} (${list(hiddenDomains, 4)})`
      + (hiddenSpam.length ? `, with ${topicOf(hiddenSpam)} terms ${list(hiddenSpam)}` : ''));
  }
  // Visible link farms: several links to new domains whose texts are spam. A story is counted once
  // (the lead and "most read" link the same headline). Headlines that merely contain a spam word
  // (headlineLike) sit among the page's ordinary headlines and are editorial: they count only when
  // they outnumber those ordinary headlines (then the "headlines" are the farm).
  const key = (l: SnapshotLink): string => `${l.href}\n${l.text}`;
  const visibleSpam = cur.links.filter((l) => !l.hidden && !l.ad && l.spam && isNew(l.host));
  const ordinary = new Set(cur.links.filter((l) => !l.hidden && !l.ad && !l.spam && l.host && isProse(l.text)).map(key));
  const editorial = new Set(visibleSpam.filter(headlineLike).map(key));
  const editorialOk = editorial.size <= ordinary.size;
  const farm = visibleSpam.filter((l) => !(editorialOk && editorial.has(key(l))));
  const farmStories = new Set(farm.map(key)).size;
  const farmStrong = farm.some((l) => (l.spam ?? []).some((t) => term(t)?.strong));
  if (farmStories >= 3 || (farmStories >= 2 && farmStrong)) {
    const terms = [...new Set(farm.flatMap((l) => l.spam ?? []))];
    const domains = [...new Set(farm.map((l) => registrableDomain(l.host)))];
    const crowd = !editorialOk && editorial.size ? `, outnumbering the page's ${ordinary.size} ordinary headline link${ordinary.size === 1 ? '' : 's'}` : '';
    reasons.push(`${farmStories} links to ${domains.length} new host${domains.length === 1 ? '' : 's'} (${list(domains, 4)}) with ${topicOf(terms)} terms ${list(terms)}${crowd}`);
  }
  // Hidden frames from new domains (drive-by loaders, invisible ad fraud).
  const frames = cur.iframes.filter((f) => f.hidden && !f.ad && isNew(f.host));
  if (frames.length && !firstCapture) {
    reasons.push(`${frames.length} hidden iframe${frames.length === 1 ? '' : 's'} from ${list([...new Set(frames.map((f) => f.host))], 4)} added`);
  }
  // Spam terms newly in the hidden text or the title.
  const hiddenTerms = newTerms(cur.markers.hidden, base, 'spam').filter((m) => !hiddenSpam.includes(m.term));
  if (hiddenTerms.some((m) => m.strong) || hiddenTerms.length >= 2)
    reasons.push(`hidden text with ${topicOf(hiddenTerms.map((m) => m.term))} terms ${list(hiddenTerms.map((m) => m.term))} added`);
  const titleSpam = newTerms(cur.markers.title, base, 'spam');
  if (titleSpam.length) reasons.push(`the title now carries ${topicOf(titleSpam.map((m) => m.term))} terms ${list(titleSpam.map((m) => m.term))}: ${quote(cur.title)}`);
  // A redirect or external script from a new domain (not first sight: every page has some).
  if (!firstCapture) {
    for (const r of cur.redirects) {
      if (r.host && isNew(r.host) && !isAdHost(r.host) && !(base?.redirects.some((b) => b.kind === r.kind && b.host === r.host)))
        reasons.push(`a ${r.kind === 'meta' ? 'meta refresh' : 'script'} now sends visitors to ${r.host}`);
    }
    const scripts = cur.scriptHosts.filter((h) => isNew(h) && !isAdHost(h));
    if (scripts.length) reasons.push(`script${scripts.length === 1 ? '' : 's'} from new host${scripts.length === 1 ? '' : 's'} ${list(scripts, 4)} added`);
  }
  return reasons;
}

function topicOf(terms: readonly string[]): string {
  const topics = [...new Set(terms.map((t) => term(t)?.topic ?? 'spam'))];
  return topics.join('/');
}

/** Defacement reasons against the baseline and every earlier healthy capture. */
function defacementReasons(cur: PageSnapshot, base: PageSnapshot | null, healthy: readonly PageSnapshot[], contentSim: number): string[] {
  const reasons: string[] = [];
  const titleTerms = newTerms(cur.markers.title, base, 'defacement');
  if (titleTerms.length) reasons.push(`the title now reads ${quote(cur.title)} (defacement signature ${list(titleTerms.map((m) => `'${m.term}'`))})`);
  const banner = newTerms(cur.markers.banner, base, 'defacement');
  const strongBanner = banner.filter((m) => m.strong);
  if (strongBanner.length || (banner.length && contentSim < 0.5)) reasons.push(`defacement signature ${list(banner.map((m) => `'${m.term}'`))} on the page`);
  const textTerms = newTerms(cur.markers.visible, base, 'defacement').filter((m) => m.strong && !banner.some((b) => b.term === m.term));
  if (textTerms.length && !reasons.length && contentSim < 0.5) reasons.push(`defacement signature ${list(textTerms.map((m) => `'${m.term}'`))} in the page's text, whose content changed`);

  if (base && base.titleNorm && cur.titleNorm && !titleTerms.length && titleSimilarity(base.titleNorm, cur.titleNorm) < THRESHOLDS.titleReplaced
    && !newTerms(cur.markers.title, base, 'spam').length) {
    reasons.push(`the title changed from ${quote(base.title)} to ${quote(cur.title)}`);
  }
  if (healthy.length && cur.lines.length && !cur.truncated) {
    let bestContent = 0; let bestStructure = 0;
    for (const h of healthy) {
      bestContent = Math.max(bestContent, sketchSimilarity(h.sketch, cur.sketch));
      bestStructure = Math.max(bestStructure, sketchSimilarity(h.skeleton, cur.skeleton));
    }
    if (bestContent < THRESHOLDS.unlikeContent && bestStructure < THRESHOLDS.unlikeStructure)
      reasons.push(`the main content and the layout are unlike every earlier capture (at most ${pct(bestContent)} of the text and ${pct(bestStructure)} of the layout in common)`
        + (!reasons.length && base && titleSimilarity(base.titleNorm, cur.titleNorm) >= 0.5 ? '; the title is kept, as in a redesign: the capture deserves a look' : ''));
  }
  return reasons;
}

/**
 * Classifies one capture against the site's earlier captures (newest first) and the blocking
 * probe's latest verdict for the host (null where the probe does not run).
 */
export function classifyCapture(current: { outcome: FetchOutcome; snapshot: PageSnapshot | null }, history: CaptureHistory[], probe: ProbeHint | null, options: ClassifyOptions = {}): Classification {
  const { outcome } = current;
  const blocked = probeVerdict(outcome, probe, options);
  if (blocked) return blocked;
  if (outcome.kind === 'failure') return result('down', [`no answer: ${outcome.code}${outcome.message ? ` (${outcome.message.slice(0, 200)})` : ''}`]);
  const status = outcome.status;
  if (status === 404 || status === 410) return result('taken_down', [`the server answered HTTP ${status} (${status === 404 ? 'Not Found' : 'Gone'}) for the page`]);
  if (status === 451) return result('taken_down', ['the server answered HTTP 451 (Unavailable For Legal Reasons)']);
  if (status >= 500) return result('down', [`the server answered HTTP ${status} (a server error)`]);
  if (status >= 400) return result('down', [`the server refused the request: HTTP ${status}`]);
  if (status === 304) {
    // Not Modified (a conditional request): the page is the one last received.
    const last = history.findIndex((h) => h.snapshot !== null);
    if (last >= 0 && HEALTHY_VERDICTS.has(history[last]!.verdict)) return result('reachable', ['unchanged: the server answered HTTP 304 (Not Modified)'], null, last);
    if (last >= 0) return result(history[last]!.verdict, [`the server answered HTTP 304 (Not Modified): still the page of ${iso(history[last]!.at)}`], null, null);
  }
  if (status >= 300 && status < 400) return result('down', [`the server answered HTTP ${status} without a redirect that could be followed`]);

  const cur = current.snapshot && usable(current.snapshot) ? current.snapshot : snapshotOf(outcome);
  if (!cur) return result('down', ['the answer could not be read']);

  // The baseline: the most recent healthy capture with a snapshot; and every earlier healthy one.
  const baselineIndex = history.findIndex((h) => HEALTHY_VERDICTS.has(h.verdict) && usable(h.snapshot));
  const base = baselineIndex >= 0 ? history[baselineIndex]!.snapshot : null;
  const healthy = history.filter((h) => HEALTHY_VERDICTS.has(h.verdict) && usable(h.snapshot)).slice(0, THRESHOLDS.historyDepth).map((h) => h.snapshot!);
  // Captures judged injected: their ordinary visible links are the site's own (knownDomains).
  const soiled = history.filter((h) => h.verdict === 'injected' && usable(h.snapshot)).slice(0, THRESHOLDS.historyDepth).map((h) => h.snapshot!);
  const refDomain = base?.domain ?? [...history].reverse().find((h) => usable(h.snapshot))?.snapshot?.domain ?? '';
  const moved = refDomain !== '' && cur.domain !== '' && cur.domain !== refDomain ? [`the answer came from ${cur.domain}, not ${refDomain}`] : [];
  const diff = base ? diffSummary(base, cur) : null;
  const idx = baselineIndex >= 0 ? baselineIndex : null;
  const since = base ? ` since the capture of ${iso(history[baselineIndex]!.at)}` : '';
  const cut = cur.truncated ? ['the body was cut at the size cap; the part received was compared'] : [];

  const takedown = takedownReasons(cur, base, refDomain);
  if (takedown.length) return result('taken_down', takedown, diff, idx);

  const standIn = unavailableReason(cur, base);
  if (standIn) return result('down', [standIn], diff, idx);

  if (cur.lines.length === 0 && !cur.title && cur.textLength < 20 && cur.links.length === 0 && !(base && base.lines.length === 0))
    return result('down', [`the server answered HTTP ${status} with an empty page`], diff, idx);

  const contentSim = base ? sketchSimilarity(base.sketch, cur.sketch) : 1;
  const defaced = defacementReasons(cur, base, healthy, contentSim);
  if (defaced.length) {
    const spam = newTerms([...cur.markers.visible, ...cur.markers.title], base, 'spam');
    if (spam.length) defaced.push(`the page carries ${topicOf(spam.map((m) => m.term))} terms ${list(spam.map((m) => m.term))}`);
    return result('defaced', [...defaced, ...moved, ...cut], diff, idx);
  }

  const injected = injectionReasons(cur, base, healthy, soiled);
  if (injected.length) {
    if (diff) injected.push(`the rest of the page is ${pct(diff.similarity)} similar to the capture of ${iso(history[baselineIndex]!.at)}`);
    return result('injected', [...injected, ...cut], diff, idx);
  }

  if (!base) {
    const why = history.length === 0 ? 'first capture' : `first answer worth comparing: no earlier healthy capture (latest verdict ${history[0]!.verdict})`;
    return result('reachable', [why, ...cut], null, null);
  }
  // Lines are capped; the sketch covers the whole text, so a change past the cap still counts.
  const sameText = base.lines.length === cur.lines.length && base.lines.every((l, i) => l === cur.lines[i])
    && base.sketch.length === cur.sketch.length && base.sketch.every((h, i) => h === cur.sketch[i]);
  const sameNav = base.navTexts.length === cur.navTexts.length && base.navTexts.every((l, i) => l === cur.navTexts[i]);
  const sameBinary = cur.lines.length > 0 || base.bodyDigest === cur.bodyDigest;
  if (sameText && sameNav && base.titleNorm === cur.titleNorm && sameBinary)
    return result('reachable', [`unchanged${since} (dates, counters and other boilerplate aside)`, ...moved, ...cut], diff, idx);
  const parts: string[] = [];
  if (diff!.title) parts.push(`title changed from ${quote(diff!.title.from)} to ${quote(diff!.title.to)}`);
  if (diff!.added || diff!.removed) parts.push(`${diff!.added} line${diff!.added === 1 ? '' : 's'} added and ${diff!.removed} removed, ${pct(diff!.similarity)} of the text in common`);
  else if (!sameNav) parts.push('the navigation changed');
  else if (!sameText) parts.push('lines moved');
  else parts.push('the content changed (not text)');
  return result('updated', [`content updated${since}: ${parts.join('; ')}`, ...moved, ...cut], diff, idx);
}
