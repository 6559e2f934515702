/** The QUT coordination-network-toolkit's CSV preprocessing format. */
import { emptyPost, type Format } from './format.ts';
import { fail } from './row-error.ts';
import { hashtagsIn, mentionsIn, optional, parseTime, required } from './fields.ts';

export const qut: Format = {
  name: 'qut',
  description: 'QUT coordination-network-toolkit CSV: message_id,user_id,username,repost_id,reply_id,message,timestamp,urls',
  platform: 'generic',
  input: 'csv',
  requiredColumns: ['message_id', 'user_id', 'message', 'timestamp'],
  toPost(row) {
    const text = row.get('message') ?? '';
    const p = emptyPost(required(row.get('message_id'), 'message_id'), text);
    p.accountId = required(row.get('user_id'), 'user_id');
    p.accountHandle = optional(row.get('username'));
    const ts = required(row.get('timestamp'), 'timestamp');
    if (!/^\d+(\.\d+)?$/.test(ts)) fail('timestamp', `must be epoch seconds (got "${ts.slice(0, 30)}")`);
    p.createdAt = parseTime(ts, 'timestamp', { required: true });
    p.repostOfId = optional(row.get('repost_id'));
    p.replyToId = optional(row.get('reply_id'));
    const urls = optional(row.get('urls'));
    p.urls = urls ? urls.split(/\s+/).filter(Boolean) : null;
    p.hashtags = hashtagsIn(text);
    p.mentions = mentionsIn(text);
    return p;
  },
};
