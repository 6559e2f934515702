/**
 * Generated sample files in the real import formats, for the tests and the import benchmark.
 * Text mixes Chinese and English, with the quoting, commas and newlines real exports have.
 */
import { createWriteStream } from 'node:fs';
import Papa from 'papaparse';
import { mulberry32 as rng } from '../../util/random.ts';

const ZH = ['今天天气很好', '政府发布了新的通知', '大家注意安全', '这家外卖很好吃', '反对腐败', '转发微博', '我们要求公开信息',
  '六四', '人权律师', '新冠疫情', '上海封城', '言论自由', '酒店服务不错', '快递太慢了', '支持国家政策', '点赞'];

/** One element, chosen by `r`. */
function pick<T>(r: () => number, list: readonly T[]): T {
  return list[Math.floor(r() * list.length)];
}

const EN = ['breaking news', 'read this', 'so true', 'what a day', 'thread', 'please share', 'unbelievable'];

export const TWITTER_IO_COLUMNS = ['tweetid', 'userid', 'user_display_name', 'user_screen_name', 'user_reported_location',
  'user_profile_description', 'user_profile_url', 'follower_count', 'following_count', 'account_creation_date',
  'account_language', 'tweet_language', 'tweet_text', 'tweet_time', 'tweet_client_name', 'in_reply_to_userid',
  'in_reply_to_tweetid', 'quoted_tweet_tweetid', 'is_retweet', 'retweet_userid', 'retweet_tweetid', 'latitude',
  'longitude', 'quote_count', 'reply_count', 'like_count', 'retweet_count', 'hashtags', 'urls', 'user_mentions', 'poll_choices'];

export const WEIBOSCOPE_COLUMNS = ['mid', 'retweeted_status_mid', 'uid', 'retweeted_uid', 'source', 'image', 'text', 'geo',
  'created_at', 'deleted_last_seen', 'permission_denied'];

function text(r: () => number, i: number): string {
  const parts = [pick(r, ZH), pick(r, ZH), pick(r, EN)];
  if (r() < 0.2) parts.push(`#${pick(r, ['news', '新闻', 'china'])}`);
  if (r() < 0.1) parts.push('"quoted", with a comma');
  if (r() < 0.02) parts.push('\nsecond line');
  return `${parts.join(' ')} ${i}`;
}

const pad = (n: number) => String(n).padStart(2, '0');
function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
}

async function writeRows(path: string, header: string[], rows: Iterable<string[]>): Promise<void> {
  const out = createWriteStream(path);
  const nl = '\n';
  const put = (s: string) => new Promise<void>((res) => (out.write(s) ? res() : out.once('drain', res)));
  await put(Papa.unparse([header], { newline: nl }) + nl);
  let buf: string[][] = [];
  for (const row of rows) {
    buf.push(row);
    if (buf.length === 2000) {
      await put(Papa.unparse(buf, { newline: nl }) + nl);
      buf = [];
    }
  }
  if (buf.length) await put(Papa.unparse(buf, { newline: nl }) + nl);
  await new Promise<void>((res) => out.end(res));
}

/** Writes `n` rows in the Twitter/X information-operations archive format. */
export function writeTwitterIoSample(path: string, n: number, seed = 1, accounts = Math.max(10, Math.floor(n / 50))): Promise<void> {
  const r = rng(seed);
  const t0 = Date.UTC(2019, 5, 1);
  function* rows(): Generator<string[]> {
    for (let i = 0; i < n; i++) {
      const u = Math.floor(r() * accounts);
      const rt = r() < 0.2 && i > 0 ? String(1e15 + Math.floor(r() * i)) : '';
      const reply = !rt && r() < 0.1 && i > 0 ? String(1e15 + Math.floor(r() * i)) : '';
      yield [String(1e15 + i), `u${u}`, `User ${u}`, `user_${u}`, 'Beijing', 'desc, with comma', '', String(u * 3), '20',
        '2015-01-01', 'zh', r() < 0.7 ? 'zh' : 'en', text(r, i), stamp(t0 + i * 1000), 'Twitter Web App', reply ? `u${u + 1}` : '',
        reply, '', rt ? 'True' : 'False', rt ? `u${u + 2}` : '', rt, '', '', '0', '0', String(i % 7), '0',
        r() < 0.3 ? "['news', 'china']" : '[]', r() < 0.2 ? "['https://example.org/a']" : '[]', '[]', ''];
    }
  }
  return writeRows(path, TWITTER_IO_COLUMNS, rows());
}
