/**
 * Accounts for the impostor bench: real public Chinese official and news accounts to protect,
 * impostors constructed from them by every trick the issue names (one trick each, so a miss
 * names its trick), and ordinary users with random names and handles.
 */
import * as OpenCC from 'opencc-js';
import type { WatchEntry } from '../../src/detect/impostors/names.ts';

export const WATCHED_ACCOUNTS: Array<{ name: string; handle: string }> = [
  ['人民日报', 'rmrb'], ['新华社', 'xinhuashefabu1'], ['新华网', 'xinhuanet'], ['央视新闻', 'cctvxinwen'], ['环球时报', 'huanqiushibao'],
  ['北京日报', 'bjrb'], ['北京晚报', 'bjwb'], ['中国新闻网', 'chinanews'], ['澎湃新闻', 'thepapernews'], ['光明日报', 'gmrb'],
  ['中国日报', 'chinadaily'], ['共青团中央', 'gqtzy'], ['平安北京', 'pinganbeijing'], ['中国警方在线', 'cpdonline'], ['公安部刑侦局', 'xingzhenju'],
  ['上海发布', 'shanghaifabu'], ['南方都市报', 'nddaily'], ['财新网', 'caixin'], ['新京报', 'xjbnews'], ['中国青年报', 'cyol'],
  ['经济日报', 'jjrb'], ['解放日报', 'jfdaily'], ['外交部发言人办公室', 'mfaspokesperson'], ['国资小新', 'guozixiaoxin'], ['最高人民法院', 'supremepeoplescourt'],
  ['最高人民检察院', 'spp'], ['健康中国', 'healthychina'], ['应急管理部', 'yingjiguanlibu'], ['中国消防', 'china119'], ['交通运输部', 'motgov'],
  ['人民网', 'peopleonline'], ['央视财经', 'cctvcaijing'], ['中国之声', 'chinavoice'], ['头条新闻', 'toutiaoxinwen'], ['上海警方', 'shanghaijingfang'],
  ['广州公安', 'guangzhougongan'], ['深圳交警', 'shenzhenjiaojing'], ['中国地震台网', 'ceicnews'], ['国家卫健委', 'nhcgov'], ['中央纪委国家监委', 'ccdinews'],
].map(([name, handle]) => ({ name: name!, handle: handle! }));

/** Look-alike CJK characters (the pairs in WeChat's and Weibo's impersonation cases: 日/曰, and common ones like 己/已). */
const CJK_LOOKALIKE: Record<string, string> = {
  日: '曰', 人: '入', 土: '士', 未: '末', 己: '已', 千: '干', 天: '夭', 王: '玉', 刀: '力', 田: '由', 白: '自', 大: '太', 方: '万', 广: '厂', 京: '亰',
  国: '囯', 中: '申', 民: '氏', 网: '冈', 新: '薪', 公: '会', 安: '案', 发: '友', 部: '郶', 报: '扱', 央: '夬', 视: '祝', 光: '尖', 明: '朋', 青: '靑',
  上: '止', 平: '乎', 北: '兆', 南: '喃', 州: '洲', 海: '诲', 市: '巿', 法: '怯', 院: '阮',
};
const CYRILLIC: Record<string, string> = { a: 'а', c: 'с', e: 'е', i: 'і', o: 'о', p: 'р', x: 'х', y: 'у', s: 'ѕ' };
const toTraditional = OpenCC.Converter({ from: 'cn', to: 'tw' });

export interface Constructed { kind: string; name: string | null; handle: string | null; target: number }

/** One impostor per watched account per trick (where the trick applies to that account). */
export function constructedAccounts(watched: WatchEntry[]): Constructed[] {
  const out: Constructed[] = [];
  for (const w of watched) {
    const name = w.name!;
    const handle = w.handle!;
    const fake = `${handle}_${w.id}x`; // an unrelated handle: the name is the imitation
    const add = (kind: string, n: string | null, h: string | null) => out.push({ kind, name: n, handle: h, target: w.id });
    add('same display name', name, fake);
    const mid = Math.max(1, Math.floor(name.length / 2));
    add('zero-width space', `${name.slice(0, mid)}\u200b${name.slice(mid)}`, fake);
    add('word joiner and soft hyphen', `${name.slice(0, mid)}\u2060${name.slice(mid)}\u00ad`, fake);
    const trad = toTraditional(name);
    if (trad !== name) add('traditional form', trad, fake);
    add('fake authority 官方', `${name}官方`, fake);
    add('fake authority 官博', `${name}官博`, fake);
    add('fake authority V', `${name}V`, fake);
    add('fake authority ✓', `${name}✓`, fake);
    add('brackets', `【${name}】`, fake);
    add('separator', `${name.slice(0, mid)}·${name.slice(mid)}`, fake);
    add('full-width space', `${name.slice(0, mid)}\u3000${name.slice(mid)}`, fake);
    const i = [...name].findIndex((ch) => CJK_LOOKALIKE[ch]);
    if (i >= 0) { const chars = [...name]; chars[i] = CJK_LOOKALIKE[chars[i]!]!; add('look-alike CJK character', chars.join(''), fake); }
    const j = [...handle].findIndex((ch) => CYRILLIC[ch]);
    if (j >= 0) { const chars = [...handle]; chars[j] = CYRILLIC[chars[j]!]!; add('Cyrillic homoglyph in handle', null, chars.join('')); }
    add('full-width handle', null, [...handle].map((c) => String.fromCodePoint(c.codePointAt(0)! + 0xfee0)).join(''));
    add('upper-case handle with separators', null, `${handle.slice(0, 2).toUpperCase()}_${handle.slice(2)}`);
  }
  return out;
}

const SURNAMES = '王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤';
const GIVEN = '伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬芳燕彩春菊兰凤洁梅琳素云莲真环雪荣爱妹霞香月莺媛艳瑞凡佳嘉琼勤珍贞莉桂娣叶璧璐娅琦晶妍茜秋珊莎锦黛青倩婷姣婉娴瑾颖露瑶怡婵雁蓓纨仪荷丹蓉眉君琴蕊薇菁梦岚苑婕馨瑗琰韵融园艺咏卿聪澜纯毓悦昭冰爽琬茗羽希宁欣飘育滢馥筠柔竹霭凝晓欢霄枫芸菲寒伊亚宜可姬舒影荔枝思丽';
const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/** Ordinary users: a Chinese personal name (surname and one or two given characters) and a random handle. */
export function ordinaryAccounts(n: number, seed: number): Array<{ name: string; handle: string }> {
  let a = seed >>> 0;
  const rnd = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const pick = (s: string) => s[Math.floor(rnd() * s.length)]!;
  const out: Array<{ name: string; handle: string }> = [];
  for (let i = 0; i < n; i++) {
    const name = pick(SURNAMES) + pick(GIVEN) + (rnd() < 0.6 ? pick(GIVEN) : '');
    let handle = '';
    const len = 5 + Math.floor(rnd() * 8);
    while (handle.length < len) handle += pick(LETTERS);
    out.push({ name, handle: rnd() < 0.3 ? `${handle}${Math.floor(rnd() * 1000)}` : handle });
  }
  return out;
}
