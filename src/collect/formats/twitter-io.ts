/** Twitter/X information-operations archives (state-backed accounts, released 2018–2021). */
import { emptyPost, type Format } from './format.ts';
import { optional, parseBool, parseList, parseTime, required } from './fields.ts';
import { compact } from './weiboscope.ts';

export const twitterIo: Format = {
  name: 'twitter-io',
  description: 'Twitter/X information-operations archive CSV (tweetid,userid,…,tweet_text,tweet_time,…,hashtags,urls,user_mentions)',
  platform: 'twitter',
  input: 'csv',
  requiredColumns: ['tweetid', 'userid', 'tweet_text', 'tweet_time'],
  toPost(row) {
    const p = emptyPost(required(row.get('tweetid'), 'tweetid'), row.get('tweet_text') ?? '');
    p.accountId = required(row.get('userid'), 'userid');
    p.accountHandle = optional(row.get('user_screen_name'));
    p.accountName = optional(row.get('user_display_name'));
    p.createdAt = parseTime(row.get('tweet_time'), 'tweet_time', { required: true });
    p.language = optional(row.get('tweet_language'));
    p.replyToId = optional(row.get('in_reply_to_tweetid'));
    const isRetweet = parseBool(row.get('is_retweet'), 'is_retweet');
    p.repostOfId = optional(row.get('retweet_tweetid'));
    p.hashtags = parseList(row.get('hashtags'));
    p.urls = parseList(row.get('urls'));
    p.mentions = parseList(row.get('user_mentions'));
    p.extra = compact({
      in_reply_to_userid: optional(row.get('in_reply_to_userid')),
      quoted_tweet_tweetid: optional(row.get('quoted_tweet_tweetid')),
      retweet_userid: optional(row.get('retweet_userid')),
      is_retweet: isRetweet || null,
      tweet_client_name: optional(row.get('tweet_client_name')),
      user_reported_location: optional(row.get('user_reported_location')),
    });
    return p;
  },
};
