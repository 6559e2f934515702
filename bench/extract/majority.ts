/**
 * The repeated-query baseline for an unreliable oracle: each test is sent up to k times and the
 * majority answer taken (asking stops as soon as one answer has a majority, which changes no
 * decision and only saves queries). What a user of CompAwareBinSplit would do against a filter
 * that misses some censored texts.
 */
import type { Oracle } from '../../src/detect/extract/oracle.ts';

/** An oracle answering by majority vote of up to `k` queries to `inner` (k odd). */
export class MajorityOracle implements Oracle {
  constructor(private readonly inner: Oracle, readonly k: number) {
    if (k < 1 || k % 2 === 0) throw new Error(`majority vote needs an odd number of queries, not ${k}`);
  }

  get queries(): number {
    return this.inner.queries;
  }

  get separator(): string {
    return this.inner.separator;
  }

  async isCensored(text: string): Promise<boolean> {
    const need = (this.k + 1) / 2;
    let yes = 0;
    let no = 0;
    while (yes < need && no < need) {
      if (await this.inner.isCensored(text)) yes++;
      else no++;
    }
    return yes >= need;
  }
}
