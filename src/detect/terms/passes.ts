/**
 * The two reads of a term analysis: the count pass (every post by author, counted by term slot
 * ids) and the timeline pass (the reported terms' posts per day). Both look a text up in the
 * text cache before tokenising it, and tokenise a page's new texts together on the tokenizer's
 * threads; counting itself stays on this thread, in the store's order, so the sums are the same
 * bit for bit whatever the cache holds and however many threads cut the texts.
 */
import type { Store } from '../../store/open.ts';
import type { Progress } from '../../util/progress.ts';
import { outcomePosts, postsByAuthor, type OutcomePost, type OutcomeRule } from './read.ts';
import type { TermCounts } from './count.ts';
import type { TextTermCache } from './cache.ts';
import type { Tokenizer } from './tokenize-pool.ts';
import { terms as tokenize } from './tokenize.ts';
import { AhoCorasick } from '../extract/aho.ts';

export interface PassTotals { posts: number; removed: number; loosePosts: number; looseRemoved: number; stratifiedAuthors: number }

/**
 * What the count pass needs beside the store: where to count, how to cut texts, and optionally
 * a log of every post's ids, time and outcome, so the timeline pass need not read the store again.
 */
export interface CountContext { counts: TermCounts; cache: TextTermCache; tokenizer: Tokenizer; log?: PostLog }

/**
 * Every counted post's term ids (shared with the cache: a repeated text costs one reference),
 * time and outcome. Valid only while the cache never started over — then every logged array is
 * one the cache holds, so the log costs a few bytes a post beyond the cache's budget — and at
 * most `maxPosts` posts; otherwise it is dropped and the timeline pass reads the store.
 */
export class PostLog {
  ids: Int32Array[] = [];
  created: number[] = [];
  removed: boolean[] = [];
  valid = true;

  constructor(private readonly maxPosts = 20_000_000) {}

  /** Logs one post, or drops the log once it would no longer be valid. */
  add(ids: Int32Array, createdAt: number | null, removed: boolean, cache: TextTermCache): void {
    if (!this.valid) return;
    if (cache.restarts > 0 || this.ids.length >= this.maxPosts) {
      this.valid = false;
      this.ids = [];
      this.created = [];
      this.removed = [];
      return;
    }
    this.ids.push(ids);
    this.created.push(createdAt ?? Number.NaN);
    this.removed.push(removed);
  }
}

/** The terms of a page's texts that the cache does not hold, cut together (on the tokenizer's threads). */
async function newTexts(page: OutcomePost[], ctx: CountContext): Promise<Map<string, string[]>> {
  const gen = ctx.counts.generation;
  const missing = new Set<string>();
  for (const p of page) if (!ctx.cache.get(p.text, gen)) missing.add(p.text);
  const texts = [...missing];
  const cut = await ctx.tokenizer.terms(texts);
  return new Map(texts.map((t, i) => [t, cut[i]!]));
}

/** The slot ids of `text`: from the cache, else from its cut terms (kept in the cache). */
function idsOf(text: string, fresh: Map<string, string[]>, ctx: CountContext): Int32Array {
  const gen = ctx.counts.generation;
  let ids = ctx.cache.get(text, gen);
  if (!ids) {
    // Not cut this page only when pruning since emptied the cache: cut it here.
    ids = ctx.counts.ids(fresh.get(text) ?? tokenize(text));
    ctx.cache.set(text, ids);
  }
  return ids;
}

/**
 * One pass over the store by author: each author's posts are counted together, then every term
 * they hold is credited with the author's own totals (an author's single post goes to the
 * shared stratum).
 */
export async function countPass(store: Store, rule: OutcomeRule, ctx: CountContext, progress?: Progress): Promise<PassTotals> {
  const { counts } = ctx;
  const totals: PassTotals = { posts: 0, removed: 0, loosePosts: 0, looseRemoved: 0, stratifiedAuthors: 0 };
  let author: number | null = null;
  let removedHere = 0;
  const close = () => {
    const n = counts.endAuthor();
    if (n === 1) {
      totals.loosePosts++;
      totals.looseRemoved += removedHere;
    } else if (n > 1) totals.stratifiedAuthors++;
    removedHere = 0;
  };
  for await (const page of postsByAuthor(store, rule)) {
    const fresh = await newTexts(page, ctx);
    for (const p of page) {
      totals.posts++;
      if (p.removed) totals.removed++;
      const ids = idsOf(p.text, fresh, ctx);
      ctx.log?.add(ids, p.createdAt, p.removed, ctx.cache);
      if (p.accountId === null) {
        counts.addIds(ids, p.removed);
        totals.loosePosts++;
        if (p.removed) totals.looseRemoved++;
        continue;
      }
      if (p.accountId !== author) {
        close();
        author = p.accountId;
      }
      counts.addAuthorPostIds(ids, p.removed);
      if (p.removed) removedHere++;
    }
    progress?.tick(page.length);
  }
  close();
  return totals;
}

/** A day's or week's posts and removals of one term. */
export type Tally = Map<string, [number, number]>;

/**
 * The timeline pass: for each chosen term (by slot), the posts and removals of each `bucket`
 * key of the posts holding it. A text in the cache is looked up by its ids; any other is
 * tokenised only when the chosen terms' automaton finds one of them in it (a term is always a
 * substring of its lower-cased post).
 */
export async function timelinePass(
  store: Store, rule: OutcomeRule, chosen: Map<string, number>, slotOf: Map<number, number>, ctx: CountContext,
  onPost: (i: number, createdAt: number, removed: boolean) => void,
): Promise<void> {
  const { log } = ctx;
  if (log?.valid && ctx.cache.restarts === 0 && !ctx.counts.pruned) {
    // Every post was logged with ids of these very slots: no need to read the store again.
    for (let j = 0; j < log.ids.length; j++) {
      const createdAt = log.created[j]!;
      if (Number.isNaN(createdAt)) continue;
      const ids = log.ids[j]!;
      for (let k = 0; k < ids.length; k++) {
        const i = slotOf.get(ids[k]!);
        if (i !== undefined) onPost(i, createdAt, log.removed[j]!);
      }
    }
    return;
  }
  const prefilter = new AhoCorasick([...chosen.keys()]);
  const gen = ctx.counts.generation;
  for await (const page of outcomePosts(store, rule)) {
    for (const p of page) {
      if (p.createdAt === null) continue;
      const ids = ctx.cache.get(p.text, gen);
      if (ids) {
        for (let k = 0; k < ids.length; k++) {
          const i = slotOf.get(ids[k]!);
          if (i !== undefined) onPost(i, p.createdAt, p.removed);
        }
        continue;
      }
      if (!prefilter.present(p.text.toLowerCase()).size) continue;
      for (const t of tokenize(p.text)) {
        const i = chosen.get(t);
        if (i !== undefined) onPost(i, p.createdAt, p.removed);
      }
    }
  }
}
