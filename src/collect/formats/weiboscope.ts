/**
 * Weiboscope CSV (Fu, Chan & Chau, HKU): sampled Sina Weibo posts revisited to detect deletion.
 * A row with `deleted_last_seen` was deleted. `permission_denied` (Weibo's error 20112: the post
 * exists but is withheld) is the platform's signal of censorship, so `removed_by_platform`;
 * without it Weibo answered 20101 "does not exist", which an author's deletion and a
 * platform's deletion both give (Zhu et al. 2013), so `deleted`: gone, actor unknown.
 */
import { emptyPost, type Format } from './format.ts';
import { hashtagsIn, mentionsIn, optional, parseBool, parseTime, required, urlsIn } from './fields.ts';

export const weiboscope: Format = {
  name: 'weiboscope',
  description: 'Weiboscope CSV: mid,retweeted_status_mid,uid,retweeted_uid,source,image,text,geo,created_at,deleted_last_seen,permission_denied',
  platform: 'weibo',
  input: 'csv',
  requiredColumns: ['mid', 'uid', 'text', 'created_at', 'deleted_last_seen', 'permission_denied'],
  toPost(row) {
    const text = row.get('text') ?? '';
    const p = emptyPost(required(row.get('mid'), 'mid'), text);
    p.accountId = required(row.get('uid'), 'uid');
    p.createdAt = parseTime(row.get('created_at'), 'created_at', { required: true });
    p.repostOfId = optional(row.get('retweeted_status_mid'));
    p.language = 'zh';
    p.hashtags = hashtagsIn(text);
    p.urls = urlsIn(text);
    p.mentions = mentionsIn(text);
    const deletedRaw = optional(row.get('deleted_last_seen'));
    const denied = parseBool(row.get('permission_denied'), 'permission_denied');
    if (deletedRaw !== null) {
      const lastSeen = parseTime(deletedRaw, 'deleted_last_seen');
      p.status = denied ? 'removed_by_platform' : 'deleted';
      p.statusChangedAt = lastSeen;
      p.statusEvidence = { source: 'weiboscope', deleted_last_seen: deletedRaw, permission_denied: denied };
    }
    p.extra = compact({
      retweeted_uid: optional(row.get('retweeted_uid')), source: optional(row.get('source')),
      image: optional(row.get('image')), geo: optional(row.get('geo')),
    });
    return p;
  },
};

/** Drops null entries; null when nothing is left, so empty extras take no space. */
export function compact(obj: Record<string, unknown>): Record<string, unknown> | null {
  let out: Record<string, unknown> | null = null;
  for (const k in obj) {
    const v = obj[k];
    if (v !== null && v !== undefined) (out ??= {})[k] = v;
  }
  return out;
}
