/**
 * A plain re-implementation of the idea of CompAwareBinSplit (Xiong and Knockel, FOCI 2019),
 * the comparison anchor of bench/extract: binary search for the latest start of a suffix that
 * still completes the rule, then a linear scan for the end of the component starting there,
 * tested beside the rest of the text after that start; repeat until the collected components
 * are censored on their own. It finds one rule and trusts every answer of the oracle.
 */
import type { Oracle } from './oracle.ts';

/** Returns the components of one rule triggered by `text` and the queries used. */
export async function compAwareBinSplit(oracle: Oracle, text: string, maxQueries = 10_000): Promise<{ rule: string[]; queries: number }> {
  const q0 = oracle.queries;
  const ask = (parts: string[]) => {
    if (oracle.queries - q0 >= maxQueries) throw new Error('budget');
    return oracle.isCensored(parts.join(oracle.separator));
  };
  const found: string[] = [];
  let rest = Array.from(text);
  let end = 0;
  try {
    for (;;) {
      // Latest start whose suffix, with what is found so far, is still censored.
      let lo = 0;
      let hi = rest.length;
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (await ask([...found, rest.slice(mid).join('')])) lo = mid;
        else hi = mid;
      }
      const start = lo;
      end = Math.max(start + 1, end);
      let limit = rest.length;
      const tail = rest.slice(start + 1).join('');
      while (end < limit) {
        if (await ask([...found, rest.slice(start, end).join(''), tail])) limit = end;
        else end++;
      }
      found.push(rest.slice(start, end).join(''));
      if (end === rest.length) rest = [];
      else rest = rest.slice(start + 1);
      if (!rest.length || (await ask(found))) break;
      end -= start;
    }
  } catch (err) {
    if ((err as Error).message !== 'budget') throw err;
  }
  return { rule: [...new Set(found)].sort(), queries: oracle.queries - q0 };
}
