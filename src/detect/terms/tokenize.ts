/**
 * Terms of a post: Chinese words from jieba plus character bigrams and trigrams of every Han
 * run (so unknown words, homophones and split-character variants still surface), and
 * lower-cased words and hashtags for other scripts. Each term counts once per post.
 */
import { Jieba } from '@node-rs/jieba';
import { dict } from '@node-rs/jieba/dict.js';

let jieba: Jieba | null = null;
function segmenter(): Jieba {
  jieba ??= Jieba.withDict(dict);
  return jieba;
}

const HAN_RUN = /\p{Script=Han}+/gu;
const WORD = /[#@]?[\p{L}\p{N}][\p{L}\p{N}\p{M}_'’-]*/gu;
const HAN = /\p{Script=Han}/u;

export interface TokenOptions {
  /** Character n-gram sizes for Han text (default [2, 3]). */
  ngrams?: number[];
}

/** The distinct terms of one text. */
export function terms(text: string, opts: TokenOptions = {}): Set<string> {
  const out = new Set<string>();
  const sizes = opts.ngrams ?? [2, 3];
  for (const m of text.matchAll(HAN_RUN)) {
    const run = m[0];
    for (const w of segmenter().cut(run, true)) if (w.length >= 2) out.add(w);
    const cps = Array.from(run);
    for (const n of sizes) for (let i = 0; i + n <= cps.length; i++) out.add(cps.slice(i, i + n).join(''));
  }
  for (const m of text.matchAll(WORD)) {
    const w = m[0].toLowerCase();
    if (HAN.test(w)) continue; // Han text handled above.
    if (w.length >= 2 && !/^\d+$/.test(w)) out.add(w);
  }
  return out;
}
