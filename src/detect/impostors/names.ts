/**
 * Account impostors: display names and handles that pose as a watched account's.
 *
 * Both sides are folded (lookalike/fold.ts: invisible characters, width, case, separators,
 * Traditional → Simplified, UTS #39 skeleton, fake-authority words set aside). A name then
 * matches a watched one when, position by position, every character is the same or a
 * measured CJK look-alike (lookalike/cjk-lookalikes.txt); a Latin handle or name of six or
 * more characters also when one typing edit (insert, delete, substitute, swap) away. Anything
 * else, such as a different word (北京晚报 against 北京日报), is not a match: only what looks
 * alike is.
 *
 * The index is keyed by the folded key with each CJK character replaced by its look-alike
 * class, plus the one-deletion neighbourhood of Latin keys, so a lookup costs a few hash
 * probes whatever the watchlist's size; candidates are then verified pair by pair.
 */
import { foldName, type FoldedName, type Glyph } from './lookalike/fold.ts';
import { skeleton as utsSkeleton } from './lookalike/skeleton.ts';
import { cjkLookalikes } from './lookalike/tables.ts';

export interface WatchEntry { id: number; name: string | null; handle: string | null; platform: string | null; domain: string | null }
/** A watched entry an account poses as: score in [0,1] (1: indistinguishable), reasons a reader can check. */
export interface AccountMatch { entry: WatchEntry; score: number; reasons: string[] }
export interface AccountLike { name: string | null; handle: string | null; platform?: string | null }

type Field = 'name' | 'handle';
interface Indexed { entry: WatchEntry; field: Field; folded: FoldedName }

let classOf: Map<string, string> | null = null;
/** Each CJK character's look-alike class (connected components of the table), as its smallest member. */
function lookalikeClass(): Map<string, string> {
  if (classOf) return classOf;
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== undefined && parent.get(r) !== r) r = parent.get(r)!;
    let y = x;
    while (y !== r) { const n = parent.get(y)!; parent.set(y, r); y = n; }
    return r;
  };
  for (const [a, others] of cjkLookalikes()) {
    if (!parent.has(a)) parent.set(a, a);
    for (const b of others.keys()) {
      if (!parent.has(b)) parent.set(b, b);
      const ra = find(a), rb = find(b);
      if (ra !== rb) { if (ra < rb) parent.set(rb, ra); else parent.set(ra, rb); }
    }
  }
  const m = new Map<string, string>();
  for (const x of parent.keys()) m.set(x, find(x));
  classOf = m;
  return m;
}

/** The confusable skeleton of a string (UTS #39 skeleton + CJK look-alikes), for the domain scorer's IDN homographs too. */
export function skeleton(s: string): string {
  const cls = lookalikeClass();
  let out = '';
  for (const ch of utsSkeleton(s)) out += cls.get(ch) ?? ch;
  return out;
}

function coarse(key: string[]): string {
  const cls = lookalikeClass();
  let s = '';
  for (const k of key) s += cls.get(k) ?? k;
  return s;
}

const LATIN_KEY_RE = /^[a-z0-9]+$/;
/** Typing edits are only looked for in Latin keys this long: shorter ones collide with ordinary names. */
const TYPO_MIN = 6;

/** Folded handle for identity: handles are case-insensitive on the platforms we read. */
function handleId(h: string | null | undefined): string | null {
  if (!h) return null;
  const t = h.normalize('NFKC').trim().replace(/^@+/, '').toLowerCase();
  return t || null;
}
function nameId(n: string | null | undefined): string | null {
  if (!n) return null;
  const t = n.normalize('NFC').trim();
  return t || null;
}
function samePlatform(a: string | null | undefined, b: string | null | undefined): boolean {
  return !a || !b || a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Indexes the watchlist's names and handles once; `match` is sub-linear in the watchlist size. */
export class NameIndex {
  private readonly exact = new Map<string, Indexed[]>();
  private readonly typo = new Map<string, Indexed[]>();
  private readonly byHandle = new Map<string, WatchEntry[]>();
  private readonly byName = new Map<string, WatchEntry[]>();

  constructor(entries: WatchEntry[]) {
    for (const entry of entries) {
      const h = handleId(entry.handle);
      if (h) push(this.byHandle, h, entry);
      const n = nameId(entry.name);
      if (n) push(this.byName, n, entry);
      for (const field of ['name', 'handle'] as const) {
        const raw = entry[field];
        if (!raw || !raw.trim()) continue;
        const folded = foldName(raw);
        if (!folded.key.length) continue;
        const item: Indexed = { entry, field, folded };
        const keys = new Set([coarse(folded.key), coarse(folded.fullKey)]);
        for (const k of keys) push(this.exact, `${field}\u0000${k}`, item);
        for (const key of new Set([folded.key.join(''), folded.fullKey.join('')])) {
          if (key.length < TYPO_MIN || !LATIN_KEY_RE.test(key)) continue;
          for (const d of deletions(key)) push(this.typo, `${field}\u0000${d}`, item);
        }
      }
    }
  }

  /** Whether the account is itself a watched one (same handle; or same name where a handle is unknown on either side). */
  isWatched(a: AccountLike): boolean {
    const h = handleId(a.handle);
    if (h && (this.byHandle.get(h) ?? []).some((e) => samePlatform(e.platform, a.platform))) return true;
    const n = nameId(a.name);
    if (!n) return false;
    return (this.byName.get(n) ?? []).some((e) => samePlatform(e.platform, a.platform) && (!h || !handleId(e.handle)));
  }

  /** The watched entries this account poses as, best first; none for a watched account. */
  match(a: AccountLike): AccountMatch[] {
    if (this.isWatched(a)) return [];
    const found = new Map<number, { entry: WatchEntry; score: number; reasons: string[]; exactName: boolean }>();
    let exactNameSomewhere = false;
    for (const field of ['name', 'handle'] as const) {
      const raw = a[field];
      if (!raw || !raw.trim()) continue;
      const folded = foldName(raw);
      if (!folded.key.length) continue;
      const seen = new Set<Indexed>();
      const candidates: Indexed[] = [];
      for (const k of new Set([coarse(folded.key), coarse(folded.fullKey)])) {
        for (const it of this.exact.get(`${field}\u0000${k}`) ?? []) if (!seen.has(it)) { seen.add(it); candidates.push(it); }
      }
      const key = folded.key.join('');
      if (key.length >= TYPO_MIN - 1 && LATIN_KEY_RE.test(key)) {
        for (const d of deletions(key)) {
          for (const it of this.typo.get(`${field}\u0000${d}`) ?? []) if (!seen.has(it)) { seen.add(it); candidates.push(it); }
        }
      }
      for (const it of candidates) {
        if (!samePlatform(it.entry.platform, a.platform)) continue;
        const v = verify(folded, it.folded, field);
        if (!v) continue;
        if (field === 'name' && v.exact) exactNameSomewhere = true;
        const cur = found.get(it.entry.id);
        if (!cur) found.set(it.entry.id, { entry: it.entry, score: v.score, reasons: v.reasons, exactName: field === 'name' && v.exact });
        else {
          cur.score = Math.min(1, Math.max(cur.score, v.score) + 0.02);
          for (const r of v.reasons) if (!cur.reasons.includes(r)) cur.reasons.push(r);
          cur.exactName ||= field === 'name' && v.exact;
        }
      }
    }
    let out = [...found.values()];
    // A name that is exactly some watched entry's (after folding) poses as that one, not as its look-alike neighbours.
    if (exactNameSomewhere) out = out.filter((m) => m.exactName);
    return out.map(({ entry, score, reasons }) => ({ entry, score: round(score), reasons }))
      .sort((x, y) => y.score - x.score || x.entry.id - y.entry.id);
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

function round(x: number): number {
  return Math.round(Math.max(0, Math.min(1, x)) * 1000) / 1000;
}

/** The string and every string one character shorter. */
function deletions(s: string): Set<string> {
  const out = new Set([s]);
  for (let i = 0; i < s.length; i++) out.add(s.slice(0, i) + s.slice(i + 1));
  return out;
}

interface Verdict { score: number; reasons: string[]; exact: boolean }

/** Score costs: what each kind of difference takes off a perfect 1. */
const COST = { lookalikeBase: 0.05, lookalikeBySim: 0.3, trad: 0.02, homoglyph: 0.02, width: 0.01, authority: 0.02, separators: 0.01, typo: 0.25 };

/** Whether account `a` poses as watched `e` on this field, with the reasons; null if not. */
function verify(a: FoldedName, e: FoldedName, field: Field): Verdict | null {
  const label = field === 'handle' ? 'handle: ' : '';
  // The account must not drop words the watched name has: "Madrid" does not pose as "Real Madrid".
  const missing = e.authority.filter((w) => !a.authority.includes(w));
  const added = a.authority.filter((w) => !e.authority.includes(w));
  const pairs: Array<[string[], number[], Glyph[], string[], number[], Glyph[]]> = [
    [a.fullKey, a.fullOwner, a.allGlyphs, e.fullKey, e.fullOwner, e.allGlyphs],
    [a.key, a.owner, a.glyphs, e.key, e.owner, e.glyphs],
  ];
  let best: Verdict | null = null;
  for (const [ak, ao, ag, ek, eo, eg] of pairs) {
    const usesStripped = ak === a.key;
    if (usesStripped && missing.length) continue;
    const v = ak.length === ek.length ? compareAligned(ak, ao, ag, ek, eo, eg) : null;
    const t = v ?? compareTypo(ak, ao, ag, ek);
    if (!t) continue;
    const reasons = t.reasons.map((r) => label + r);
    let score = t.score;
    if (usesStripped) for (const w of added) { reasons.push(`${label}added ${w}`); score -= COST.authority; }
    else for (const w of added.filter((x) => x.length === 1 && !/\p{L}/u.test(x))) { reasons.push(`${label}added ${w}`); score -= COST.authority; }
    for (const inv of a.invisible) reasons.push(`${label}${inv}`);
    const extraSep = [...a.separators].filter((c) => !e.separators.includes(c));
    if (extraSep.length) { reasons.push(`${label}added "${[...new Set(extraSep)].join('')}"`); score -= COST.separators; }
    const exact = t.exact && a.raw.normalize('NFC').trim() === e.raw.normalize('NFC').trim();
    if (!reasons.length) {
      reasons.push(exact || t.exact
        ? (field === 'name' ? 'same name as the watched account, on another account' : 'same handle as the watched account, on another account or platform')
        : `${label}same ${field} as the watched account's after ignoring case and width`);
    }
    const verdict: Verdict = { score: round(score), reasons, exact: t.exact };
    if (!best || verdict.score > best.score) best = verdict;
  }
  return best;
}

interface Compared { score: number; reasons: string[]; exact: boolean }

/** Same length: each position equal or a CJK look-alike; reasons per differing glyph. */
function compareAligned(ak: string[], ao: number[], ag: Glyph[], ek: string[], eo: number[], eg: Glyph[]): Compared | null {
  const table = cjkLookalikes();
  let subs = 0;
  let score = 1;
  const subAt = new Set<number>();
  for (let i = 0; i < ak.length; i++) {
    if (ak[i] === ek[i]) continue;
    const sim = table.get(ek[i]!)?.get(ak[i]!);
    if (sim === undefined) return null;
    subs++;
    subAt.add(i);
    score -= COST.lookalikeBase + COST.lookalikeBySim * (1 - sim);
  }
  // A name made only of look-alikes is another name: at most half may be replaced (one in a short name).
  if (subs > Math.max(1, Math.floor(ak.length / 2))) return null;
  const reasons: string[] = [];
  // Walk the key in segments that end where both sides' glyphs end together.
  let i = 0;
  while (i < ak.length) {
    let j = i + 1;
    while (j < ak.length && (ao[j] === ao[j - 1] || eo[j] === eo[j - 1])) j++;
    const ga = uniq(ao.slice(i, j).map((x) => ag[x]!));
    const ge = uniq(eo.slice(i, j).map((x) => eg[x]!));
    const rawA = ga.map((g) => g.raw).join('');
    const rawE = ge.map((g) => g.raw).join('');
    if (rawA !== rawE) {
      const at = ga[0]!.pos;
      let sub = false;
      for (let k = i; k < j; k++) if (subAt.has(k)) sub = true;
      const foldA = ga.map((g) => g.folded).join('');
      const foldE = ge.map((g) => g.folded).join('');
      if (sub) reasons.push(`${foldE}→${foldA} (visually similar)`);
      const trad = ga.filter((g) => g.trad);
      if (trad.length && !ge.some((g) => g.trad)) {
        for (const g of trad) reasons.push(`Traditional ${g.trad}→${g.folded}`);
        score -= COST.trad * trad.length;
      } else if (!sub && foldA !== foldE) {
        const sa = scriptOf(rawA), se = scriptOf(rawE);
        reasons.push(sa && se && sa !== se ? `${sa} ${rawA} for ${se} ${rawE} at ${at}` : `"${rawA}" for "${rawE}" at ${at}`);
        score -= COST.homoglyph;
      } else if (!sub && rawA.normalize('NFKC') !== rawA && rawA.normalize('NFKC').toLowerCase() === foldA) {
        reasons.push(`${/[\uff01-\uff5e]/u.test(rawA) ? 'full-width' : 'compatibility form'} ${rawA} at ${at}`);
        score -= COST.width;
      }
    }
    i = j;
  }
  return { score, reasons, exact: subs === 0 };
}

/** One typing edit between two Latin keys (insert, delete, substitute, swap), with its reason. */
function compareTypo(ak: string[], ao: number[], ag: Glyph[], ek: string[]): Compared | null {
  const a = ak.join(''), e = ek.join('');
  if (e.length < TYPO_MIN || !LATIN_KEY_RE.test(a) || !LATIN_KEY_RE.test(e)) return null;
  let p = 0;
  while (p < a.length && p < e.length && a[p] === e[p]) p++;
  const posOf = (k: number) => ag[ao[Math.min(k, ao.length - 1)]!]!.pos;
  let reason: string | null = null;
  if (a.length === e.length + 1 && a.slice(p + 1) === e.slice(p)) reason = `inserted '${a[p]}' at ${posOf(p)}`;
  else if (a.length + 1 === e.length && a.slice(p) === e.slice(p + 1)) reason = `deleted '${e[p]}' at ${posOf(Math.max(0, p - 1)) + (p > 0 ? 1 : 0)}`;
  else if (a.length === e.length && a.slice(p + 1) === e.slice(p + 1)) reason = `'${a[p]}' for '${e[p]}' at ${posOf(p)}`;
  else if (a.length === e.length && a[p] === e[p + 1] && a[p + 1] === e[p] && a.slice(p + 2) === e.slice(p + 2)) reason = `swapped '${e[p]}${e[p + 1]}' at ${posOf(p)}`;
  if (!reason) return null;
  return { score: 1 - COST.typo, reasons: [reason], exact: false };
}

function uniq<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

const SCRIPTS = ['Latin', 'Cyrillic', 'Greek', 'Armenian', 'Cherokee', 'Georgian', 'Hebrew', 'Arabic', 'Han', 'Hiragana', 'Katakana', 'Hangul', 'Thai', 'Devanagari', 'Coptic', 'Lisu', 'Vai', 'Tifinagh'] as const;
const SCRIPT_RE = SCRIPTS.map((s) => [s, new RegExp(`^\\p{Script=${s}}+$`, 'u')] as const);
/** The script of a run of characters, if they share one of the common ones (digits and symbols: none). */
function scriptOf(s: string): string | null {
  for (const [name, re] of SCRIPT_RE) if (re.test(s)) return name;
  return null;
}
