/**
 * Feed dates as publishers write them: RFC 822/1123 (`Wed, 02 Dec 2026 10:00:00 -0300`), ISO 8601
 * / RFC 3339, and the same RFC 822 shape in other languages (`Qua, 02 Dez 2026`, `Mi, 02 Dez
 * 2026`, `mercredi 2 décembre 2026 10:00`, `miércoles, 2 de diciembre de 2026`), plus CJK
 * `2026年12月2日 10:00`. A date without a zone or offset is read as UTC whatever the machine's
 * zone. Anything ambiguous (`02/12/2026`, an unknown zone name) gives null: a lost date is
 * honest, a misread one is not. Date.parse is never used, as it reads zone-less dates in local time.
 */

/** Month names and abbreviations (accents removed, lower case) in en, pt, es, fr, de, it, nl. */
const MONTHS = new Map<string, number>();
const MONTH_NAMES: string[][] = [
  ['jan', 'january', 'janeiro', 'ene', 'enero', 'janv', 'janvier', 'januar', 'janner', 'jann', 'gen', 'gennaio', 'januari'],
  ['feb', 'february', 'fev', 'fevereiro', 'febrero', 'fevr', 'fevrier', 'februar', 'febbraio', 'februari'],
  ['mar', 'march', 'marco', 'marzo', 'mars', 'marz', 'mrz', 'maart', 'mrt'],
  ['apr', 'april', 'abr', 'abril', 'avr', 'avril', 'aprile'],
  ['may', 'mai', 'maio', 'mayo', 'mag', 'maggio', 'mei'],
  ['jun', 'june', 'junho', 'junio', 'juin', 'juni', 'giu', 'giugno'],
  ['jul', 'july', 'julho', 'julio', 'juil', 'juillet', 'juli', 'lug', 'luglio'],
  ['aug', 'august', 'ago', 'agosto', 'aout', 'augustus'],
  ['sep', 'sept', 'september', 'set', 'setembro', 'septiembre', 'setiembre', 'septembre', 'settembre'],
  ['oct', 'october', 'out', 'outubro', 'octubre', 'octobre', 'okt', 'oktober', 'ott', 'ottobre'],
  ['nov', 'november', 'novembro', 'noviembre', 'novembre'],
  ['dec', 'december', 'dez', 'dezembro', 'dic', 'diciembre', 'decembre', 'dezember', 'dicembre'],
];
MONTH_NAMES.forEach((names, i) => { for (const n of names) MONTHS.set(n, i + 1); });

/** Zone abbreviations whose offset is unambiguous in feeds (RFC 822's own, and common European/Asian ones). */
const ZONES = new Map<string, number>(Object.entries({
  z: 0, ut: 0, utc: 0, gmt: 0, wet: 0,
  est: -300, edt: -240, cst: -360, cdt: -300, mst: -420, mdt: -360, pst: -480, pdt: -420,
  cet: 60, cest: 120, mez: 60, mesz: 120, bst: 60, west: 60, eet: 120, eest: 180, msk: 180,
  brt: -180, brst: -120, art: -180, jst: 540, kst: 540, hkt: 480, sgt: 480, aest: 600, aedt: 660,
}));

/** Words that connect date parts ("2 de diciembre de 2026", "2. Dezember 2026 um 10:00 Uhr"). */
const FILLERS = new Set(['de', 'del', 'do', 'da', 'le', 'der', 'den', 'um', 'uhr', 'a', 'as', 'las', 'el', 'em', 'alle', 'ore', 'at', 'h', 'the', 'of']);

const fold = (s: string) => s.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

function utc(y: number, mo: number, d: number, h: number, mi: number, s: number, ms: number, offsetMin: number): number | null {
  if (y < 1900 || y > 2200 || mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 60) return null;
  const days = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  if (d > days) return null;
  const t = Date.UTC(y, mo - 1, d, h, mi, Math.min(s, 59), ms);
  return t - offsetMin * 60_000;
}

function offsetOf(sign: string, hh: string, mm: string | undefined): number {
  const m = Number(hh) * 60 + Number(mm ?? 0);
  return sign === '-' ? -m : m;
}

const ISO = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:(?:T|\s+)(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?$/i;

function parseIso(s: string): number | null | undefined {
  const m = s.match(ISO);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, sec, frac, zone] = m;
  let offset = 0;
  if (zone && /^[+-]/.test(zone)) {
    const z = zone.match(/^([+-])(\d{2}):?(\d{2})?$/)!;
    offset = offsetOf(z[1], z[2], z[3]);
  }
  const ms = frac ? Math.round(Number(`0.${frac}`) * 1000) : 0;
  return utc(Number(y), Number(mo), Number(d), Number(h ?? 0), Number(mi ?? 0), Number(sec ?? 0), Math.min(ms, 999), offset);
}

/** Parses a feed date into epoch ms, or null when it cannot be read without guessing. */
export function parseFeedDate(raw: string | null | undefined): number | null {
  if (raw == null) return null;
  let s = raw.replace(/\s+/g, ' ').trim();
  if (!s) return null;
  const iso = parseIso(s);
  if (iso !== undefined) return iso;
  // CJK dates: 2026年12月2日 (Chinese, Japanese) and 2026년 12월 2일 (Korean).
  s = s.replace(/(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?/, '$1-$2-$3 ');
  s = s.replace(/\([^)]*\)/g, ' ').replace(/\s+/g, ' ').trim();
  const iso2 = parseIso(s);
  if (iso2 !== undefined) return iso2;

  let y: number | null = null, mo: number | null = null, d: number | null = null;
  let h = 0, mi = 0, sec = 0, ms = 0, offset: number | null = null, pm: boolean | null = null, sawTime = false;
  const tokens = s.split(/[\s,]+/).filter(Boolean);
  let monthAt = -1;
  for (const [at, tok] of tokens.entries()) {
    let t: RegExpMatchArray | null;
    if ((t = tok.match(/^(\d{4})-(\d{1,2})-(\d{1,2})$/))) {
      y = Number(t[1]); mo = Number(t[2]); d = Number(t[3]);
    } else if ((t = tok.match(/^(\d{1,2})[:h](\d{2})(?::(\d{2})(?:[.,](\d+))?)?$/))) {
      if (sawTime) return null;
      sawTime = true;
      h = Number(t[1]); mi = Number(t[2]); sec = Number(t[3] ?? 0);
      ms = t[4] ? Math.min(999, Math.round(Number(`0.${t[4]}`) * 1000)) : 0;
    } else if ((t = tok.match(/^(?:(?:gmt|utc|ut)(?=[+-]))?([+-])(\d{2}):?(\d{2})?$/i))) {
      if (offset != null) return null;
      offset = offsetOf(t[1], t[2], t[3]);
    } else if ((t = tok.match(/^(\d{1,4})\.?$/))) {
      const n = Number(t[1]);
      if (t[1].length === 4) { if (y != null) return null; y = n; }
      else if (d == null) d = n;
      else if (y == null && mo != null) y = n < 50 ? 2000 + n : 1900 + n; // RFC 822 two-digit years
      else return null;
    } else {
      const w = fold(tok).replace(/\.$/, '');
      if (MONTHS.has(w)) {
        // "mar" is also Tuesday in es/fr/it: a month word that opened the date was a weekday.
        if (mo != null && monthAt !== 0) return null;
        mo = MONTHS.get(w)!;
        monthAt = at;
      } else if (w === 'am' || w === 'pm') {
        pm = w === 'pm';
      } else if (ZONES.has(w)) {
        if (offset != null) return null;
        offset = ZONES.get(w)!;
      } else if (FILLERS.has(w)) {
        continue;
      } else if (sawTime || (y != null && mo != null && d != null)) {
        // A word after the date or time that is no zone we know: its offset would be a guess.
        return null;
      }
      // Any other word before the date is a weekday name in some language: ignored.
    }
  }
  if (y == null || mo == null || d == null) return null;
  if (pm != null) {
    if (h < 1 || h > 12) return null;
    h = (h % 12) + (pm ? 12 : 0);
  }
  return utc(y, mo, d, h, mi, sec, ms, offset ?? 0);
}
