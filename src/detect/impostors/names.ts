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
import { foldKeys, foldName, type FoldedName, type Glyph } from './lookalike/fold.ts';
import { skeleton as utsSkeleton } from './lookalike/skeleton.ts';
import { cjkLookalikes, lookalikeClasses } from './lookalike/tables.ts';

export interface WatchEntry { id: number; name: string | null; handle: string | null; platform: string | null; domain: string | null }
/** A watched entry an account poses as: score in [0,1] (1: indistinguishable), reasons a reader can check. */
export interface AccountMatch { entry: WatchEntry; score: number; reasons: string[] }
export interface AccountLike { name: string | null; handle: string | null; platform?: string | null }

type Field = 'name' | 'handle';
interface Indexed { entry: WatchEntry; field: Field; folded: FoldedName }

/** The confusable skeleton of a string (UTS #39 skeleton + CJK look-alikes), for the domain scorer's IDN homographs too. */
export function skeleton(s: string): string {
  const cls = lookalikeClasses();
  let out = '';
  for (const ch of utsSkeleton(s)) out += cls.get(ch) ?? ch;
  return out;
}

function coarse(key: string[]): string {
  const cls = lookalikeClasses();
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

interface FieldIndex {
  /** Look-alike-class key (with and without authority words) → entries. */
  exact: Map<string, Indexed[]>;
  /** Latin key and its one-character deletions → entries (typing edits). */
  typo: Map<string, Indexed[]>;
  /** Lengths of the Latin keys in `typo`, so a key no edit can reach skips the deletions. */
  typoLengths: Set<number>;
}

type Found = Map<number, { entry: WatchEntry; score: number; reasons: string[]; exactName: boolean }>;

/** Indexes the watchlist's names and handles once; `match` is sub-linear in the watchlist size. */
export class NameIndex {
  private readonly fields: Record<Field, FieldIndex> = {
    name: { exact: new Map(), typo: new Map(), typoLengths: new Set() },
    handle: { exact: new Map(), typo: new Map(), typoLengths: new Set() },
  };
  private readonly items: Indexed[] = [];
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
        this.items.push(item);
        const ix = this.fields[field];
        for (const k of new Set([coarse(folded.key), coarse(folded.fullKey)])) push(ix.exact, k, item);
        for (const key of new Set([folded.key.join(''), folded.fullKey.join('')])) {
          if (key.length < TYPO_MIN || !LATIN_KEY_RE.test(key)) continue;
          ix.typoLengths.add(key.length);
          for (const d of deletions(key)) push(ix.typo, d, item);
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
    const candidates: Record<Field, Indexed[]> = { name: this.candidates('name', a.name), handle: this.candidates('handle', a.handle) };
    if (!candidates.name.length && !candidates.handle.length) return [];
    if (this.isWatched(a)) return [];
    return this.verifyAll(a, candidates);
  }

  /** The same answer as `match`, by verifying the account against every entry (the all-pairs baseline the index is measured and tested against). */
  matchAllPairs(a: AccountLike): AccountMatch[] {
    if (this.isWatched(a)) return [];
    return this.verifyAll(a, { name: this.items.filter((i) => i.field === 'name'), handle: this.items.filter((i) => i.field === 'handle') });
  }

  private candidates(field: Field, raw: string | null | undefined): Indexed[] {
    if (!raw) return [];
    const ix = this.fields[field];
    const k = foldKeys(raw);
    if (!k.key) return [];
    let out: Indexed[] = ix.exact.get(k.coarse) ?? [];
    if (k.coarseStripped !== k.coarse) out = out.concat(ix.exact.get(k.coarseStripped) ?? []);
    const len = k.key.length;
    if ((ix.typoLengths.has(len) || ix.typoLengths.has(len - 1) || ix.typoLengths.has(len + 1)) && LATIN_KEY_RE.test(k.key)) {
      const hit = ix.typo.get(k.key);
      if (hit) out = out.concat(hit);
      for (let i = 0; i < len; i++) {
        const h = ix.typo.get(k.key.slice(0, i) + k.key.slice(i + 1));
        if (h) out = out.concat(h);
      }
    }
    return out.length > 1 ? [...new Set(out)] : out;
  }

  private verifyAll(a: AccountLike, candidates: Record<Field, Indexed[]>): AccountMatch[] {
    const found: Found = new Map();
    let exactNameSomewhere = false;
    for (const field of ['name', 'handle'] as const) {
      const raw = a[field];
      if (!raw || !candidates[field].length) continue;
      const folded = foldName(raw);
      if (!folded.key.length) continue;
      for (const it of candidates[field]) {
        if (!samePlatform(it.entry.platform, a.platform)) continue;
        const v = verify(folded, it.folded, field);
        if (!v) continue;
        const exactName = field === 'name' && v.exact;
        if (exactName) exactNameSomewhere = true;
        const cur = found.get(it.entry.id);
        if (!cur) found.set(it.entry.id, { entry: it.entry, score: v.score, reasons: v.reasons, exactName });
        else {
          // Name and handle both pose as the same entry: more certain than either alone.
          cur.score = Math.min(1, Math.max(cur.score, v.score) + 0.02);
          for (const r of v.reasons) if (!cur.reasons.includes(r)) cur.reasons.push(r);
          cur.exactName ||= exactName;
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
  // Authority words the account adds, as it writes them (V, 官方, ✓).
  const added = a.authority.flatMap((w, i) => (e.authority.includes(w) ? [] : [{ w, raw: a.authorityRaw[i]! }]));
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
    // Ticks are never part of the key, so they count as added on either comparison.
    for (const { w, raw } of added) {
      if (!usesStripped && /\p{L}/u.test(w)) continue;
      reasons.push(`${label}added ${raw}${[...raw].length > 1 && raw.toLowerCase() !== w ? ` (looks like ${w})` : ''}`);
      score -= COST.authority;
    }
    for (const inv of a.invisible) reasons.push(`${label}${inv}`);
    const extraSep = [...a.separators].filter((c) => ![...e.separators].some((d) => utsSkeleton(d) === utsSkeleton(c)));
    if (extraSep.length) { reasons.push(`${label}added "${[...new Set(extraSep)].join('')}"`); score -= COST.separators; }
    if (!reasons.length) {
      reasons.push(a.raw.normalize('NFC').trim() === e.raw.normalize('NFC').trim()
        ? `same ${field} as the watched account, on another account`
        : `same ${field} as the watched account's, but for case and spacing`);
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
