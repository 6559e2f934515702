/**
 * PLACEHOLDER until the `names` branch lands (it owns this file and replaces it whole): the
 * contract the impostor detector calls, implemented only as exact matching of normalised names
 * (NFKC, case, invisible characters, separators), so the rest of the detector runs and is tested.
 */

export interface WatchEntry { id: number; name: string | null; handle: string | null; platform: string | null; domain: string | null }
export interface AccountMatch { entry: WatchEntry; score: number; reasons: string[] } // score in [0,1]

type Account = { name: string | null; handle: string | null; platform?: string | null };

const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u206f\ufeff]/g;

function norm(s: string | null): string {
  return (s ?? '').normalize('NFKC').replace(INVISIBLE, '').toLowerCase().replace(/^@/, '').replace(/[\s._\-·•|()[\]【】（）]+/g, '');
}

/** Indexes the watchlist's names and handles once; `match` is sub-linear in the watchlist size. */
export class NameIndex {
  private byKey = new Map<string, WatchEntry[]>();
  private watched = new Set<string>();

  constructor(entries: WatchEntry[]) {
    for (const e of entries) {
      for (const [kind, v] of [['n', e.name], ['h', e.handle]] as const) {
        const k = norm(v);
        if (!k) continue;
        const list = this.byKey.get(k) ?? [];
        list.push(e);
        this.byKey.set(k, list);
        this.watched.add(`${kind}:${k}`);
      }
    }
  }

  match(a: Account): AccountMatch[] {
    if (this.isWatched(a)) return [];
    const out: AccountMatch[] = [];
    for (const [what, v] of [['display name', a.name], ['handle', a.handle]] as const) {
      const k = norm(v);
      for (const e of (k && this.byKey.get(k)) || []) {
        if (e.platform && a.platform && e.platform !== a.platform) continue;
        out.push({ entry: e, score: 0.9, reasons: [`same ${what} as the watched ${e.name ?? e.handle} once normalised`] });
      }
    }
    return out;
  }

  isWatched(a: Account): boolean {
    const h = norm(a.handle);
    return Boolean(h && this.watched.has(`h:${h}`));
  }
}
