/**
 * Domain impostors: is a domain a look-alike of a protected site's? Each domain is reduced to its
 * registrable domain (Public Suffix List via tldts, private suffixes such as co.com included, so
 * theguardian.co.com is the name "theguardian" on the suffix "co.com"), then its name (the label
 * before the suffix) is compared with the protected names by edits a reader misses, combined with
 * a change of suffix, so a typo on a new suffix (t-onlinr.life) is found as the two edits it is.
 * Brand-in-subdomain (spiegel.de.example.com) and brand-plus-word (spiegel-news.com) forms too.
 *
 * The watchlist is indexed, never compared pair by pair: candidate names come from a
 * symmetric-delete index (every form of a protected name with up to two characters deleted, on the
 * name and on its visual skeleton), so a domain costs a few dozen hash look-ups
 * whatever the watchlist's size, and only the few candidates are aligned (align.ts).
 */
import { parse } from 'tldts';
import { domainToUnicode } from 'node:url';
import { align, type Edit } from './align.ts';
import { foldHomoglyphs, visualSkeleton } from './domain-lookalike.ts';
import { skeleton as confusableSkeleton } from './names.ts';

/** A protected site, as the watchlist gives it. */
export interface DomainTarget { id: number; domain: string }

/** A flagged domain: what it imitates, how confidently, and the edits a reader can check. */
export interface DomainFinding {
  domain: string;
  /** The protected registrable domain it imitates. */
  target: string;
  targetId: number;
  score: number;
  form: 'lookalike' | 'subdomain' | 'brand-word';
  reasons: string[];
}

export interface DomainIndexOptions {
  /** A confusable skeleton for one character, for IDN letters the built-in fold lacks (default: the names library's UTS #39 skeleton). */
  skeleton?: (ch: string) => string | null;
}

/** One character's UTS #39 skeleton, lower-cased (the names library's tables). */
const unicodeSkeleton = (ch: string): string | null => confusableSkeleton(ch).toLowerCase() || null;

interface Target {
  id: number;
  domain: string;
  suffix: string;
  /** The name before the suffix, lower-case, as written (with hyphens). */
  label: string;
  compact: string;
}

/** The parts of a host name the detector looks at; null for IPs and names without a public suffix. */
export interface ParsedHost { hostname: string; domain: string; suffix: string; label: string; subdomain: string }

const PSL = { allowPrivateDomains: true, extractHostname: true, validateHostname: false } as const;

/** Parses a domain or URL into its registrable parts (Unicode names decoded from punycode). */
export function parseHost(input: string): ParsedHost | null {
  const raw = input.trim().toLowerCase().replace(/\.$/, '');
  if (!raw) return null;
  const p = parse(raw, PSL);
  if (p.isIp || !p.domain || !p.publicSuffix || !p.domainWithoutSuffix || !p.hostname) return null;
  if (!/^[\p{L}\p{N}_-]+(?:\.[\p{L}\p{N}_-]+)+$/u.test(p.hostname)) return null;
  const hostname = p.hostname.includes('xn--') ? domainToUnicode(p.hostname) || p.hostname : p.hostname;
  const label = p.domainWithoutSuffix.startsWith('xn--') ? domainToUnicode(p.domainWithoutSuffix) || p.domainWithoutSuffix : p.domainWithoutSuffix;
  return { hostname, domain: `${label}.${p.publicSuffix}`, suffix: p.publicSuffix, label, subdomain: p.subdomain ?? '' };
}

/**
 * How much look-alike editing a name of this length tolerates: short names are crowded (a
 * keyboard slip on a three-letter name usually lands on another real name), so they take only
 * look-alike letters; long names take two edits.
 */
export function labelBudget(length: number): { budget: number; typos: boolean } {
  if (length <= 3) return { budget: 0.6, typos: false };
  if (length <= 5) return { budget: 0.6, typos: true };
  if (length <= 8) return { budget: 1.0, typos: true };
  return { budget: 1.6, typos: true };
}

/** Cost of moving to another public suffix (spiegel.de → spiegel.ltd), and of one IDN homoglyph. */
export const SUFFIX_COST = 0.5;
const HOMOGLYPH_COST = 0.1;
/**
 * At most this many edits to a name, whatever their cost: the index (two deletions deep on both
 * sides) finds every name within two edits, so a finding never depends on what the index pruned.
 */
export const MAX_LABEL_EDITS = 2;
/** Brand-plus-word and brand-in-subdomain need names at least this long (shorter ones are words). */
const BRAND_MIN = 4;
const SUBDOMAIN_LABEL_MIN = 6;

/**
 * Words that dress a brand up as an official or news site (spiegel-news, bildonline). Only these
 * count when joined without a hyphen: a brand name inside any longer name is too often a word.
 */
export const BRAND_WORDS = ['news', 'online', 'live', 'today', 'info', 'aktuell', 'daily', 'now', 'tv', 'official', 'media', 'press', 'web',
  'site', 'portal', 'world', 'de', 'eu', 'uk', 'fr', 'it', 'ru', 'ua', 'com', 'net', 'org', '24', 'zeitung', 'nachrichten', 'actu', 'notizie', 'real', 'true', 'the'];

/**
 * Suffixes whose registrants are vetted (governments, universities, militaries, treaty bodies:
 * gov, edu, mil, int, gov.uk, ac.uk, gouv.fr, go.jp, …): an impostor cannot register there, so a
 * name under one is never flagged (nasa.gov is not a look-alike of ansa.it).
 */
export function vettedSuffix(suffix: string): boolean {
  const labels = suffix.split('.');
  if (['gov', 'edu', 'mil', 'int'].includes(labels[labels.length - 1]!)) return true;
  return labels.length > 1 && labels.slice(0, -1).some((l) => ['gov', 'gouv', 'gob', 'govt', 'gv', 'go', 'edu', 'ac', 'mil', 'gub'].includes(l));
}

/** Deletion neighbourhood of a string: itself and every form with up to `depth` characters removed. */
export function deletes(s: string, depth: number): Set<string> {
  const out = new Set<string>([s]);
  let frontier = [s];
  for (let d = 0; d < depth; d++) {
    const next: string[] = [];
    for (const w of frontier) {
      for (let i = 0; i < w.length; i++) {
        const v = w.slice(0, i) + w.slice(i + 1);
        if (!out.has(v)) { out.add(v); next.push(v); }
      }
    }
    frontier = next;
  }
  return out;
}

/** Index keys of a protected name: both forms (as written, and its visual skeleton) to `depth` deletions. */
function keysOf(label: string, depth: number): Set<string> {
  const compact = label.replace(/-/g, '');
  const keys = deletes(compact, depth);
  const skel = visualSkeleton(label);
  if (skel !== compact) for (const k of deletes(skel, depth)) keys.add(k);
  return keys;
}

/** The protected domains, indexed for look-alike queries. */
export class DomainIndex {
  private targets: Target[] = [];
  private own = new Map<string, Target>();
  private shallow = new DeleteIndex();
  private deep = new DeleteIndex();
  private brands = new Map<string, number[]>();

  constructor(entries: Iterable<DomainTarget>, private opts: DomainIndexOptions = {}) {
    this.opts = { skeleton: unicodeSkeleton, ...opts };
    for (const e of entries) {
      const p = parseHost(e.domain);
      if (!p || this.own.has(p.domain)) continue;
      const label = foldHomoglyphs(p.label, opts.skeleton).text;
      const t: Target = { id: e.id, domain: p.domain, suffix: p.suffix, label, compact: label.replace(/-/g, '') };
      const i = this.targets.push(t) - 1;
      this.own.set(p.domain, t);
      for (const k of keysOf(label, 1)) this.shallow.add(k, i);
      for (const k of keysOf(label, 2)) this.deep.add(k, i);
      if (t.compact.length >= BRAND_MIN) push(this.brands, t.compact, i);
    }
  }

  /** Number of protected domains indexed. */
  get size(): number {
    return this.targets.length;
  }

  /** True when `domain` is (a subdomain of) a protected domain itself. */
  isProtected(domain: string): boolean {
    const p = parseHost(domain);
    return p !== null && this.own.has(p.domain);
  }

  /** The best look-alike finding for a domain or URL's host, or null when it imitates nothing protected. */
  match(input: string): DomainFinding | null {
    const p = parseHost(input);
    if (!p || this.own.has(p.domain) || vettedSuffix(p.suffix)) return null;
    const { text: label, folded } = foldHomoglyphs(p.label, this.opts.skeleton);
    let best: DomainFinding | null = this.lookalike(p, label, folded);
    for (const f of [this.inSubdomain(p), this.brandWord(p, label)]) {
      if (f && (!best || f.score > best.score)) best = f;
    }
    return best;
  }

  private lookalike(p: ParsedHost, label: string, folded: Array<{ from: string; to: string; at: number }>): DomainFinding | null {
    const compact = label.includes('-') ? label.replace(/-/g, '') : label;
    const skel = visualSkeleton(label);
    const found = new Set<number>();
    // Both forms one deletion deep (cheap); the visual skeleton alone two deep (a pair read as one
    // letter, rn for m, is then already the same on both sides).
    this.shallow.probe(compact, 1, found);
    if (skel !== compact) this.shallow.probe(skel, 1, found);
    this.deep.probe(skel, 2, found);
    let best: DomainFinding | null = null;
    let bestCost = Infinity;
    for (const i of found) {
      const t = this.targets[i]!;
      const { budget, typos } = labelBudget(t.compact.length);
      const a = align(t.label, label, budget);
      if (!a || a.edits.length > MAX_LABEL_EDITS || (!typos && a.edits.some((e: Edit) => e.typo))) continue;
      const suffixChanged = t.suffix !== p.suffix;
      if (!a.edits.length && !folded.length && !suffixChanged) continue; // the protected name itself
      const cost = a.cost + (suffixChanged ? SUFFIX_COST : 0) + HOMOGLYPH_COST * folded.length;
      // Ties go to the longer protected name: the more specific imitation.
      if (cost < bestCost - 1e-9 || (Math.abs(cost - bestCost) < 1e-9 && best && t.compact.length > best.target.length)) {
        bestCost = cost;
        const reasons = [
          ...folded.map((f) => `${hex(f.from)} at ${f.at} looks like '${f.to}' (IDN homograph)`),
          ...a.edits.map((e) => e.reason),
          ...(suffixChanged ? [`suffix .${t.suffix}→.${p.suffix}`] : []),
        ];
        best = { domain: p.hostname, target: t.domain, targetId: t.id, score: scoreOf(cost), form: 'lookalike', reasons };
      }
    }
    return best;
  }

  /** spiegel.de.example.com, or a long protected name as a whole subdomain label (theguardian.example.net). */
  private inSubdomain(p: ParsedHost): DomainFinding | null {
    if (!p.subdomain) return null;
    const labels = p.subdomain.split('.');
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        const t = this.own.get(labels.slice(i, j + 1).join('.'));
        if (t) return { domain: p.hostname, target: t.domain, targetId: t.id, score: 0.8, form: 'subdomain', reasons: [`subdomain '${p.subdomain}' carries ${t.domain} on the unrelated domain ${p.domain}`] };
      }
      const hit = labels[i]!.length >= SUBDOMAIN_LABEL_MIN ? this.brands.get(labels[i]!.replace(/-/g, '')) : undefined;
      if (hit) {
        const t = this.targets[hit[0]!]!;
        return { domain: p.hostname, target: t.domain, targetId: t.id, score: 0.6, form: 'subdomain', reasons: [`subdomain '${labels[i]}' is the name of ${t.domain} on the unrelated domain ${p.domain}`] };
      }
    }
    return null;
  }

  /** spiegel-news.com, news-spiegel.com, spiegelonline.com: a protected name plus a word. */
  private brandWord(p: ParsedHost, label: string): DomainFinding | null {
    const tokens = label.split('-').filter(Boolean);
    if (tokens.length > 1) {
      for (let i = 0; i < tokens.length; i++) {
        for (let j = i + 1; j <= tokens.length; j++) {
          if (i === 0 && j === tokens.length) continue; // the whole name is the look-alike case
          const hit = this.brands.get(tokens.slice(i, j).join(''));
          if (!hit) continue;
          const t = this.targets[hit[0]!]!;
          const rest = [...tokens.slice(0, i), ...tokens.slice(j)].join('-');
          return this.brandFinding(p, t, rest, 0.7);
        }
      }
    }
    for (const w of BRAND_WORDS) {
      for (const rest of [label.startsWith(w) ? label.slice(w.length) : null, label.endsWith(w) ? label.slice(0, -w.length) : null]) {
        const hit = rest ? this.brands.get(rest) : undefined;
        if (hit) return this.brandFinding(p, this.targets[hit[0]!]!, w, 0.6);
      }
    }
    return null;
  }

  private brandFinding(p: ParsedHost, t: Target, word: string, score: number): DomainFinding {
    const reasons = [`the name '${t.label}' of ${t.domain} plus '${word}'`];
    if (t.suffix !== p.suffix) reasons.push(`suffix .${t.suffix}→.${p.suffix}`);
    return { domain: p.hostname, target: t.domain, targetId: t.id, score, form: 'brand-word', reasons };
  }
}

const B = 0x9e3779b1 | 0;

/** 32-bit polynomial hash of a string (the index's key; candidates are verified by alignment, so a collision only costs one). */
function hashOf(s: string): number {
  let h = 0;
  for (let k = 0; k < s.length; k++) h = (Math.imul(h, B) + s.charCodeAt(k)) | 0;
  return h;
}

/**
 * A deletion-neighbourhood index keyed by hash: a query's deletion forms are hashed in O(1) each
 * from prefix and suffix hashes, never built as strings (a million queries probe ~10^8 forms).
 */
class DeleteIndex {
  private keys = new Map<number, number[]>();
  private min = Infinity;
  private max = 0;
  private pow: Int32Array = Int32Array.of(1);

  add(key: string, i: number): void {
    push(this.keys, hashOf(key), i);
    if (key.length < this.min) this.min = key.length;
    if (key.length > this.max) this.max = key.length;
  }

  private powers(n: number): Int32Array {
    if (this.pow.length <= n) {
      const p = new Int32Array(n + 1);
      p[0] = 1;
      for (let k = 1; k <= n; k++) p[k] = Math.imul(p[k - 1]!, B);
      this.pow = p;
    }
    return this.pow;
  }

  /** Looks up `s` and every form of it with up to `depth` (1 or 2) characters deleted, adding the hits to `out`. */
  probe(s: string, depth: 1 | 2, out: Set<number>): void {
    const n = s.length;
    if (n - depth > this.max || n < this.min) return;
    const add = (h: number) => { const hit = this.keys.get(h); if (hit) for (const i of hit) out.add(i); };
    const pow = this.powers(n);
    // pre[i]: hash of s[0, i); suf[i]: hash of s[i, n) as the tail of a string (its last char has power 0).
    const pre = new Int32Array(n + 1);
    for (let k = 0; k < n; k++) pre[k + 1] = (Math.imul(pre[k]!, B) + s.charCodeAt(k)) | 0;
    const suf = new Int32Array(n + 1);
    for (let k = n - 1; k >= 0; k--) suf[k] = (Math.imul(s.charCodeAt(k), pow[n - 1 - k]!) + suf[k + 1]!) | 0;
    if (n <= this.max) add(pre[n]!);
    const ones = n - 1 >= this.min && n - 1 <= this.max;
    const twos = depth === 2 && n - 2 >= this.min;
    for (let i = 0; i < n; i++) {
      // Deleting either of two equal neighbours gives the same form: probe it once.
      if (i > 0 && s[i] === s[i - 1]) continue;
      if (ones) add((Math.imul(pre[i]!, pow[n - 1 - i]!) + suf[i + 1]!) | 0);
      if (!twos) continue;
      const head = Math.imul(pre[i]!, pow[n - 2 - i] ?? 0);
      for (let j = i + 1; j < n; j++) {
        if (j > i + 1 && s[j] === s[j - 1]) continue;
        // s without positions i and j: head, the middle s(i, j), then the tail after j.
        const mid = (pre[j]! - Math.imul(pre[i + 1]!, pow[j - i - 1]!)) | 0;
        add((head + Math.imul(mid, pow[n - 1 - j]!) + suf[j + 1]!) | 0);
      }
    }
  }
}

function push<K>(map: Map<K, number[]>, key: K, i: number): void {
  const list = map.get(key);
  if (!list) map.set(key, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}

/** Score in (0, 1]: 1 minus 0.3 per unit of edit cost (a suffix change alone scores 0.85). */
function scoreOf(cost: number): number {
  return Math.max(0.05, Math.round((1 - 0.3 * cost) * 100) / 100);
}

function hex(ch: string): string {
  return `'${ch}' (U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')})`;
}
