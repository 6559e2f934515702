/** FiveThirtyEight's Russian IRA tweets (Linvill & Warren). */
import { emptyPost, type Format } from './format.ts';
import { hashtagsIn, mentionsIn, optional, parseBool, parseTime, required } from './fields.ts';
import { compact } from './weiboscope.ts';

export const ira: Format = {
  name: 'ira',
  description: 'FiveThirtyEight IRA tweets CSV (external_author_id,author,content,…,publish_date,…,alt_external_id,tweet_id,…)',
  platform: 'twitter',
  input: 'csv',
  requiredColumns: ['author', 'content', 'publish_date', 'alt_external_id', 'tweet_id'],
  toPost(row) {
    const text = row.get('content') ?? '';
    const p = emptyPost(required(row.get('tweet_id'), 'tweet_id'), text);
    // alt_external_id is the stable account id; external_author_id is lossy (float-formatted) in the release.
    p.accountId = required(row.get('alt_external_id'), 'alt_external_id');
    p.accountHandle = optional(row.get('author'));
    p.createdAt = parseTime(row.get('publish_date'), 'publish_date', { required: true });
    p.language = optional(row.get('language'));
    p.url = optional(row.get('article_url'));
    p.hashtags = hashtagsIn(text);
    p.mentions = mentionsIn(text);
    const urls = ['tco1_step1', 'tco2_step1', 'tco3_step1'].map((c) => optional(row.get(c))).filter((u): u is string => !!u);
    p.urls = urls.length ? urls : null;
    const retweet = parseBool(row.get('retweet'), 'retweet');
    p.extra = compact({
      region: optional(row.get('region')), post_type: optional(row.get('post_type')),
      account_type: optional(row.get('account_type')), account_category: optional(row.get('account_category')),
      retweet: retweet || null, harvested_date: optional(row.get('harvested_date')),
      followers: optional(row.get('followers')), following: optional(row.get('following')),
    });
    return p;
  },
};
