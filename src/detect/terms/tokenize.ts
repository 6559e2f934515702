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
const HAS_HAN = /\p{Script=Han}/u;

export interface TokenOptions {
  /** Character n-gram sizes for Han text (default [2, 3]). */
  ngrams?: number[];
}

/** Adds the character n-grams of one Han run (code points, so rare astral Han stays whole). */
function addNgrams(run: string, sizes: number[], out: Set<string>): void {
  // Fast path: Han in the BMP only (one code unit per character).
  const bmp = run.length === [...run].length;
  const chars = bmp ? null : Array.from(run);
  const len = bmp ? run.length : chars!.length;
  for (const n of sizes) {
    for (let i = 0; i + n <= len; i++) out.add(bmp ? run.slice(i, i + n) : chars!.slice(i, i + n).join(''));
  }
}

/** The distinct terms of one text. */
export function terms(text: string, opts: TokenOptions = {}): Set<string> {
  const out = new Set<string>();
  const sizes = opts.ngrams ?? [2, 3];
  if (HAS_HAN.test(text)) {
    // One segmenter call a post: jieba skips punctuation and keeps Han words whole.
    for (const w of segmenter().cut(text, true)) if (w.length >= 2 && HAN.test(w)) out.add(w);
    for (const m of text.matchAll(HAN_RUN)) if (m[0].length >= 2) addNgrams(m[0], sizes, out);
  }
  for (const m of text.matchAll(WORD)) {
    const w = m[0];
    if (HAN.test(w)) continue; // Han text handled above.
    if (w.length >= 2 && !/^\d+$/.test(w)) out.add(w.toLowerCase());
  }
  return out;
}

/** True when jieba keeps `term` whole (a dictionary word rather than a slice of one). */
export function isWord(term: string): boolean {
  if (!HAS_HAN.test(term)) return true;
  const parts = segmenter().cut(term, false);
  return parts.length === 1;
}
