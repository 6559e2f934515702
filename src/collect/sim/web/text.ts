/**
 * Text for the simulated web's pages: real headlines (title and link of each item) from the feeds
 * in ../shared/data/feeds/rss-parser/output when present, real Chinese sentences from
 * ../shared/data/organic-chinese as Chinese headlines and paragraphs when present, and a built-in
 * phrase list otherwise, so the simulated web runs anywhere.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { loadCorpus, sharedDataDir } from '../../synthetic/corpus.ts';

export interface Headline {
  title: string;
  /** Where the item links to (the feed's own link: never fetched by the simulated web). */
  link: string;
}

export interface WebText {
  english: Headline[];
  chinese: Headline[];
  /** Chinese sentences for paragraphs and summaries. */
  paragraphs: string[];
  /** 'shared' when the real data sets were found, 'builtin' otherwise. */
  source: 'shared' | 'builtin';
}

/** rss-parser's expected outputs are JSON `{ feed: { items: [{ title, link }] } }`. */
function loadFeedHeadlines(dataDir: string): Headline[] {
  const dir = path.join(dataDir, 'feeds', 'rss-parser', 'output');
  if (!existsSync(dir)) return [];
  const out: Headline[] = [];
  const seen = new Set<string>();
  for (const f of readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(path.join(dir, f), 'utf8'));
    } catch {
      continue; // One broken expected-output file is not a reason to lose the others.
    }
    const feed = (parsed as { feed?: { items?: unknown } }).feed;
    const items = Array.isArray(feed?.items) ? feed.items : [];
    for (const it of items as Array<Record<string, unknown>>) {
      const title = typeof it.title === 'string' ? it.title.replace(/\s+/g, ' ').trim() : '';
      const link = typeof it.link === 'string' ? it.link.trim() : '';
      // Titles mis-decoded by the feed's own test (U+FFFD) and relative links are left out.
      if (title.length < 12 || title.includes('\uFFFD') || !/^https?:\/\//.test(link) || seen.has(title)) continue;
      seen.add(title);
      out.push({ title, link });
    }
  }
  return out;
}

const BUILTIN_EN = [
  'City council approves new budget for public transport', 'Storm warning issued for the coast tonight',
  'University opens new research centre for water quality', 'Local market prices steady ahead of the holiday',
  'Hospital extends visiting hours after renovation', 'Court hears appeal in long-running land dispute',
  'Railway line reopens after two weeks of repairs', 'Schools prepare for the new term with more teachers',
  'Museum shows rare maps from the eighteenth century', 'Farmers report an early harvest after a warm spring',
  'Bridge inspection finds no structural damage', 'New library branch to open in the northern district',
  'Air quality improves for the third week in a row', 'Football club signs a young striker from abroad',
  'Police ask residents for help after a string of thefts', 'Ferry timetable changes from next Monday',
];
const BUILTIN_ZH = [
  '市政府召开常务会议研究部署近期重点工作', '我市启动冬季供暖设施安全检查', '新建公共图书馆将于下月正式开放',
  '全市中小学开展消防安全演练', '多条公交线路调整运营时间', '农产品价格总体保持平稳', '城区主干道改造工程进入收尾阶段',
  '市卫生健康委发布流感防控提示', '第十届文化旅游节开幕', '高校毕业生就业招聘会举行', '气象台发布大风蓝色预警',
  '老旧小区改造惠及三千余户居民', '科技企业孵化基地签约入驻', '全市环境空气质量持续改善', '社区志愿服务队走访慰问老人',
  '铁路新线路开通运营',
];

/** Loads the page text from `dataDir` (default: the shared data folder), or the built-in lists. */
export function loadWebText(dataDir: string | null = sharedDataDir()): WebText {
  const english = dataDir ? loadFeedHeadlines(dataDir) : [];
  const corpus = loadCorpus(dataDir);
  const sentences = corpus.source === 'shared'
    ? corpus.organic.map((s) => s.replace(/\s+/g, ' ').trim()).filter((s) => s.length >= 8)
    : [];
  // A review's first clause reads as a headline; the whole review as a paragraph.
  const chinese = sentences.slice(0, 4000).map((s, i) => ({
    title: (s.split(/[，。！？,!?.]/)[0] ?? s).slice(0, 30) || s.slice(0, 30),
    link: `/article/${i + 1}.html`,
  })).filter((h) => h.title.length >= 6);
  const shared = english.length > 0 && chinese.length > 0;
  return {
    english: english.length ? english : BUILTIN_EN.map((title, i) => ({ title, link: `/news/${i + 1}.html` })),
    chinese: chinese.length ? chinese : BUILTIN_ZH.map((title, i) => ({ title, link: `/article/${i + 1}.html` })),
    paragraphs: sentences.length ? sentences.slice(0, 4000).map((s) => s.slice(0, 200)) : corpus.organic.slice(0, 2000),
    source: shared ? 'shared' : 'builtin',
  };
}
