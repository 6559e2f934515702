import { RuleFilter, SimulatedOracle } from '../../src/detect/extract/oracle.ts';
import { extractRules } from '../../src/detect/extract/extract.ts';
import { isolateStats, LengthModel } from '../../src/detect/extract/isolate.ts';
import { compAwareBinSplit } from '../../src/detect/extract/baseline.ts';
import { wechatRules, organic, makeArticles } from './data.ts';
const set = wechatRules(); const f = new RuleFilter(set);
const arts = makeArticles(set, organic(), 300, [1, 1], 11);
let q = 0, b = 0; const lm = new LengthModel();
for (const a of arts) { const r = await extractRules(new SimulatedOracle(f), a.text, { negations: false, assumeCensored: true, thorough: false, lengths: lm }); q += r.queries; b += (await compAwareBinSplit(new SimulatedOracle(f), a.text)).queries; }
const n = arts.length;
console.log({ q: q / n, b: b / n, check: isolateStats.check / n, prefix: isolateStats.prefix / n, length: isolateStats.length / n, comps: isolateStats.components / n });
