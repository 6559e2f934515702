/**
 * Text for synthetic data: real Chinese reviews from ../shared/data/organic-chinese as organic
 * background and Meta's Spamouflage indicators from ../shared/data/campaigns as campaign seeds,
 * when present; otherwise a built-in phrase grammar, so tests run anywhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse/sync';
import { createRng } from '../../util/random.ts';

export interface Corpus {
  organic: string[];
  seeds: string[];
  /** 'shared' when real data was found, 'builtin' otherwise. */
  source: 'shared' | 'builtin';
}

/** The shared data folder, found relative to the project root. */
export function sharedDataDir(): string {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
  return path.resolve(root, '../shared/data');
}

/** Loads the corpus from `dataDir` (default: the shared data folder), or the built-in one. */
export function loadCorpus(dataDir: string | null = sharedDataDir()): Corpus {
  const organicDir = dataDir ? path.join(dataDir, 'organic-chinese') : '';
  if (!dataDir || !existsSync(organicDir)) return builtinCorpus();
  const organic: string[] = [];
  for (const f of readdirSync(organicDir).filter((x) => x.endsWith('.csv')).sort()) {
    const rows = parse(readFileSync(path.join(organicDir, f)), { columns: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true }) as Array<Record<string, string>>;
    for (const r of rows) {
      const t = (r.review ?? '').trim();
      if (t.length >= 4) organic.push(t);
    }
  }
  const seeds: string[] = [];
  const campaignDir = path.join(dataDir, 'campaigns');
  if (existsSync(campaignDir)) {
    for (const f of readdirSync(campaignDir).filter((x) => x.endsWith('.csv')).sort()) {
      const rows = parse(readFileSync(path.join(campaignDir, f)), { columns: true, skip_empty_lines: true, relax_column_count: true, relax_quotes: true }) as Array<Record<string, string>>;
      for (const r of rows) {
        const text = (r.Indicator ?? '').trim();
        // Post texts and headlines, not account URLs, domains or counts.
        if (text.length >= 20 && !/^https?:|\[\.\]|^\d[\d,]* /.test(text) && /\s/.test(text)) seeds.push(text);
      }
    }
  }
  return { organic, seeds: [...new Set(seeds)], source: 'shared' };
}

const SUBJECTS = ['这家店', '外卖小哥', '酒店前台', '老板', '我们全家', '这个地方', '服务员', '房间', '早餐', '味道', '今天的菜', '客服'];
const VERBS = ['真的', '还是', '特别', '有点', '非常', '一直', '居然', '总是', '比较', '确实'];
const ADJS = ['好吃', '干净', '热情', '慢', '贵', '实惠', '新鲜', '难吃', '方便', '安静', '吵', '舒服', '一般', '满意'];
const TAILS = ['下次还会来', '推荐大家试试', '不会再点了', '性价比很高', '等了一个小时', '送餐很快', '分量很足', '环境不错', '价格合理', '包装很好', '态度很差', '位置好找'];

function builtinCorpus(): Corpus {
  const rng = createRng(7);
  const organic: string[] = [];
  for (let i = 0; i < 5000; i++) {
    const parts: string[] = [];
    const n = rng.int(1, 4);
    for (let k = 0; k < n; k++) parts.push(`${rng.pick(SUBJECTS)}${rng.pick(VERBS)}${rng.pick(ADJS)}`);
    if (rng.chance(0.7)) parts.push(rng.pick(TAILS));
    organic.push(`${parts.join('，')}${rng.pick(['。', '！', '', '~'])}`);
  }
  return { organic, seeds: [], source: 'builtin' };
}
