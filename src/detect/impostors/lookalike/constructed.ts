/**
 * A seeded generator of impostor accounts, for the tests and the bench: every trick the
 * account scorer claims to see (CJK look-alikes, Traditional forms, invisible characters,
 * fake-authority additions, separators and brackets, Latin homoglyphs in handles, the same
 * name on another handle), alone and combined, each impostor labelled with its target.
 */
import * as OpenCC from 'opencc-js';
import { createRng, type Rng } from '../../../util/random.ts';
import type { WatchEntry } from '../names.ts';

/** Real-looking official accounts: state media, police, government and their handles. */
export const OFFICIAL_ACCOUNTS: ReadonlyArray<readonly [string, string]> = [
  ['人民日报', 'renminribao'], ['新华社', 'xinhuashe'], ['新华网', 'xinhuanet'], ['央视新闻', 'cctvxinwen'],
  ['共青团中央', 'gqtzy'], ['北京日报', 'beijingribao'], ['北京晚报', 'beijingwanbao'], ['上海发布', 'shanghaifabu'],
  ['公安部刑侦局', 'gabxzj'], ['中国警察网', 'cpd_com_cn'], ['平安北京', 'pinganbeijing'], ['环球时报', 'huanqiushibao'],
  ['光明日报', 'guangmingribao'], ['经济日报', 'jingjiribao'], ['中国日报', 'chinadaily'], ['人民网', 'renminwang'],
  ['央视网', 'cctvcom'], ['中国新闻网', 'chinanews'], ['澎湃新闻', 'thepapernews'], ['最高人民法院', 'supremecourt'],
  ['最高人民检察院', 'spp_gov'], ['外交部发言人办公室', 'mfa_spokesperson'], ['中国消防', 'china119'], ['国资小新', 'guozixiaoxin'],
  ['健康中国', 'healthychina'], ['中国气象局', 'cma_gov'], ['中国长安网', 'chinapeace'], ['平安天津', 'pingantianjin'],
  ['广州公安', 'gzjd'], ['深圳交警', 'szjj'], ['江宁公安在线', 'jiangninggongan'], ['中国政府网', 'govcn'],
  ['解放军报', 'jfjb'], ['法治日报', 'fazhiribao'], ['南方日报', 'nanfangribao'], ['新京报', 'xinjingbao'],
];

/** The official accounts as a watchlist (ids from 1, one platform). */
export function officialWatchlist(platform: string | null = 'weibo'): WatchEntry[] {
  return OFFICIAL_ACCOUNTS.map(([name, handle], i) => ({ id: i + 1, name, handle, platform, domain: null }));
}

/** Classic look-alike pairs, written down independently of the measured table. */
export const CLASSIC_LOOKALIKES: Readonly<Record<string, string>> = {
  日: '曰', 曰: '日', 人: '入', 入: '人', 己: '已', 已: '巳', 巳: '己', 土: '士', 士: '土', 未: '末', 末: '未',
  戊: '戌', 戌: '戍', 戍: '戌', 天: '夭', 干: '千', 千: '干', 大: '太', 王: '玉', 今: '令', 免: '兔', 折: '拆',
  午: '牛', 乌: '鸟', 治: '冶', 晴: '睛', 刺: '剌', 句: '旬', 失: '夫', 夫: '失', 京: '亰', 中: '申', 团: '困',
};

const INVISIBLE = ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u00ad', '\u180e'];
const AUTHORITY_SUFFIX = ['官方', '官博', '认证', 'V', '✓', '✔', '☑', '_官方', '(官方)', '【官方】', '官方微博'];
const SEPARATE = ['·', ' ', '_', '-', '.'];
const WRAP: ReadonlyArray<readonly [string, string]> = [['【', '】'], ['「', '」'], ['(', ')'], ['《', '》'], ['[', ']']];
/** Latin letters and a Cyrillic, Greek or other look-alike (UTS #39 confusables). */
const HOMOGLYPHS: Readonly<Record<string, string[]>> = {
  a: ['а'], e: ['е'], o: ['о', 'ο', '0'], p: ['р', 'ρ'], c: ['с', 'ϲ'], x: ['х'], i: ['і', 'ı'], y: ['у'], s: ['ѕ'],
  j: ['ј'], h: ['һ'], l: ['1', 'I', 'ӏ'], n: ['ո'], g: ['ɡ'], b: ['Ь'], u: ['υ'],
};

export type ImpostorKind = 'cjk-lookalike' | 'traditional' | 'invisible' | 'authority' | 'separators' | 'homoglyph-handle' | 'same-name' | 'combined';
export interface ConstructedAccount { name: string; handle: string; target: number; kinds: ImpostorKind[] }

const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });

/** `n` impostors of `watch` entries, reproducible from `seed`; `lookalikes` gives more CJK pairs (the measured table). */
export function constructImpostors(watch: WatchEntry[], n: number, seed: number, lookalikes?: Map<string, Map<string, number>>): ConstructedAccount[] {
  const rng = createRng(seed);
  const out: ConstructedAccount[] = [];
  const kinds: ImpostorKind[] = ['cjk-lookalike', 'traditional', 'invisible', 'authority', 'separators', 'homoglyph-handle', 'same-name', 'combined'];
  const names = new Set(watch.map((w) => w.name));
  let guard = 0;
  while (out.length < n && guard++ < n * 50) {
    const e = rng.pick(watch);
    if (!e.name || !e.handle) continue;
    const kind = kinds[out.length % kinds.length]!;
    const handle = randomHandle(rng);
    let acc: ConstructedAccount | null = null;
    if (kind === 'combined') {
      let name: string | null = e.name;
      const used: ImpostorKind[] = [];
      for (const k of rng.shuffle(['cjk-lookalike', 'traditional', 'invisible', 'authority', 'separators'] as ImpostorKind[]).slice(0, rng.int(2, 3))) {
        const next = apply(k, name!, rng, lookalikes);
        if (next) { name = next; used.push(k); }
      }
      if (used.length >= 2) acc = { name, handle, target: e.id, kinds: ['combined', ...used] };
    } else if (kind === 'homoglyph-handle') {
      const h = homoglyphHandle(e.handle, rng);
      if (h) acc = { name: randomOrdinaryName(rng), handle: h, target: e.id, kinds: [kind] };
    } else if (kind === 'same-name') {
      acc = { name: e.name, handle, target: e.id, kinds: [kind] };
    } else {
      const name = apply(kind, e.name, rng, lookalikes);
      if (name) acc = { name, handle, target: e.id, kinds: [kind] };
    }
    // An edit that lands exactly on another watched name would be that account, not an impostor.
    if (acc && (acc.kinds[0] === 'same-name' || acc.kinds[0] === 'homoglyph-handle' || !names.has(acc.name))) out.push(acc);
  }
  return out;
}

function apply(kind: ImpostorKind, name: string, rng: Rng, lookalikes?: Map<string, Map<string, number>>): string | null {
  const chars = [...name];
  switch (kind) {
    case 'cjk-lookalike': {
      const spots = chars.map((c, i) => [i, CLASSIC_LOOKALIKES[c] ?? best(lookalikes?.get(c))] as const).filter(([, r]) => r);
      if (!spots.length) return null;
      const [i, r] = rng.pick(spots);
      chars[i] = r!;
      return chars.join('');
    }
    case 'traditional': {
      const t = toTraditional(name);
      return t !== name ? t : null;
    }
    case 'invisible': {
      chars.splice(rng.int(1, chars.length - 1), 0, rng.pick(INVISIBLE));
      return chars.join('');
    }
    case 'authority': {
      const a = rng.pick(AUTHORITY_SUFFIX);
      return rng.chance(0.8) || a.length === 1 ? name + a : a + name;
    }
    case 'separators': {
      if (rng.chance(0.5)) {
        const [l, r] = rng.pick(WRAP);
        return l + name + r;
      }
      chars.splice(rng.int(1, chars.length - 1), 0, rng.pick(SEPARATE));
      return chars.join('');
    }
    default:
      return null;
  }
}

/** The most similar look-alike of a character in the measured table. */
function best(m: Map<string, number> | undefined): string | undefined {
  if (!m) return undefined;
  let top: string | undefined;
  let s = -1;
  for (const [c, v] of m) if (v > s) { s = v; top = c; }
  return top;
}

function homoglyphHandle(handle: string, rng: Rng): string | null {
  const chars = [...handle];
  const spots = chars.map((c, i) => [i, HOMOGLYPHS[c]] as const).filter(([, r]) => r);
  if (!spots.length) return null;
  const [i, r] = rng.pick(spots);
  chars[i] = rng.pick(r!);
  return chars.join('');
}

const SYLLABLES = ['xiao', 'wang', 'li', 'zhang', 'chen', 'liu', 'yang', 'huang', 'zhao', 'wu', 'zhou', 'mei', 'lan', 'feng', 'yu', 'tian', 'ming', 'hua'];
/** An ordinary user's handle: pinyin syllables and digits. */
export function randomHandle(rng: Rng): string {
  let h = '';
  for (let i = rng.int(2, 3); i > 0; i--) h += rng.pick(SYLLABLES);
  return h + String(rng.int(0, 9999));
}

const GIVEN = ['小王', '阿明', '美兰', '老张', '晓峰', '丽丽', '大伟', '思雨', '佳怡', '子涵', '浩然', '欣怡'];
const HOBBY = ['爱吃火锅', '的日常', '在路上', '看世界', '爱旅行', '学英语', '的小屋', '爱摄影', '不加班'];
/** An ordinary user's display name. */
export function randomOrdinaryName(rng: Rng): string {
  return rng.pick(GIVEN) + rng.pick(HOBBY);
}
