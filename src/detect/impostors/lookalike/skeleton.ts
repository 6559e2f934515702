/**
 * UTS #39 confusable skeletons: two strings that a reader cannot tell apart have the same
 * skeleton ("pаypal" with a Cyrillic а, "paypal"; "rn" and "m").
 */
import { confusableTable } from './tables.ts';

const cache = new Map<number, string>();

/** The skeleton of one code point (UTS #39: NFD, map each character, NFD). */
export function skeletonOf(cp: number): string {
  const hit = cache.get(cp);
  if (hit !== undefined) return hit;
  const table = confusableTable();
  let out = '';
  for (const ch of String.fromCodePoint(cp).normalize('NFD')) out += table.get(ch.codePointAt(0)!) ?? ch;
  out = out.normalize('NFD');
  cache.set(cp, out);
  return out;
}

/** The UTS #39 skeleton of a string (case-sensitive, as the standard defines it). */
export function skeleton(s: string): string {
  let out = '';
  for (const ch of s.normalize('NFD')) out += skeletonOf(ch.codePointAt(0)!);
  return out.normalize('NFD');
}
