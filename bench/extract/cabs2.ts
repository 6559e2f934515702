/**
 * A re-implementation of the idea of Citizen Lab's `comp_aware_bin_split_2` (Xiong and Knockel,
 * FOCI 2019; citizenlab/censored-keyword-isolation), the cheaper sibling of CompAwareBinSplit:
 * the start of each component is found by the same binary search, but its end by a galloping
 * search (steps 1, 2, 4, …) followed by a binary search inside the last step, instead of a linear
 * scan. Written from the description of the algorithm, not from its code. Like the original it
 * finds one rule and trusts every answer of the oracle.
 */
import type { Oracle } from '../../src/detect/extract/oracle.ts';

/** Returns the components of one rule triggered by `text` and the queries used. */
export async function compAwareBinSplit2(oracle: Oracle, text: string, maxQueries = 10_000): Promise<{ rule: string[]; queries: number }> {
  const q0 = oracle.queries;
  const ask = (parts: string[]) => {
    if (oracle.queries - q0 >= maxQueries) throw new Error('budget');
    return oracle.isCensored(parts.join(oracle.separator));
  };
  const found: string[] = [];
  let rest = Array.from(text);
  // End of the previous component, relative to `rest`: a later component cannot end before it.
  let prevEnd = 0;
  try {
    for (;;) {
      // Latest start whose suffix, beside what is found so far, still completes the rule.
      let lo = 0;
      let hi = rest.length;
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (await ask([...found, rest.slice(mid).join('')])) lo = mid;
        else hi = mid;
      }
      const start = lo;
      const tail = rest.slice(start + 1).join('');
      // Does rest[start, end) complete the rule beside the text after its first character? Monotone in end.
      const completes = (end: number) => ask([...found, rest.slice(start, end).join(''), tail]);
      // Gallop from the earliest possible end, then bisect the last step for the smallest end.
      let no = Math.max(start + 1, prevEnd) - 1; // largest end known (or assumed) not to complete
      let yes = rest.length; // the whole suffix completes the rule (that is how start was chosen)
      let step = 1;
      let probe = no + 1;
      while (probe < yes) {
        if (await completes(probe)) {
          yes = probe;
          break;
        }
        no = probe;
        probe += step;
        step *= 2;
      }
      while (yes - no > 1) {
        const mid = (no + yes) >>> 1;
        if (await completes(mid)) yes = mid;
        else no = mid;
      }
      const end = yes;
      found.push(rest.slice(start, end).join(''));
      rest = end === rest.length ? [] : rest.slice(start + 1);
      if (!rest.length || (await ask(found))) break;
      prevEnd = end - start;
    }
  } catch (err) {
    if ((err as Error).message !== 'budget') throw err;
  }
  return { rule: [...new Set(found)].sort(), queries: oracle.queries - q0 };
}
