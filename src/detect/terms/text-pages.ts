/**
 * The posts of known outcome as compact pages for holding in memory (held.ts): each post's
 * author, time and outcome in typed arrays, and its text as a number; a text is sent once, when
 * first seen, so a repeated text costs four bytes a post. The reading, the text look-ups and the
 * strings' decoding run on a thread of their own (text-pages-worker.ts) when the store can be
 * opened again from there; else on the calling thread.
 */
import type { Store } from '../../store/open.ts';
import type { StoreLocation } from '../../store/backend.ts';
import type { PostStatus } from '../../store/schema.ts';
import { startTsWorker } from '../../util/ts-worker.ts';
import { outcomePosts, type OutcomePost, type OutcomeRule } from './read.ts';

/** One page of posts, in id order. */
export interface TextPage {
  account: Float64Array;
  created: Float64Array;
  removed: Uint8Array;
  /** Each post's text number. */
  text: Int32Array;
  /** Texts first seen in this page: numbers `firstText`, `firstText + 1`, … */
  fresh: string[];
  firstText: number;
}

/**
 * Numbers texts as they come. It remembers texts of at most `maxChars` characters in all, then
 * starts over (numbering on): a text seen again after that is sent, and cut, again.
 */
export class TextNumbers {
  private readonly seen = new Map<string, number>();
  private chars = 0;
  private next = 0;

  constructor(private readonly maxChars = 40_000_000) {}

  /** The page of `posts`, numbering their texts. */
  page(posts: OutcomePost[]): TextPage {
    const n = posts.length;
    const page: TextPage = {
      account: new Float64Array(n), created: new Float64Array(n), removed: new Uint8Array(n), text: new Int32Array(n), fresh: [], firstText: this.next,
    };
    for (let i = 0; i < n; i++) {
      const p = posts[i]!;
      page.account[i] = p.accountId ?? Number.NaN;
      page.created[i] = p.createdAt ?? Number.NaN;
      page.removed[i] = p.removed ? 1 : 0;
      let t = this.seen.get(p.text);
      if (t === undefined) {
        if (this.chars + p.text.length > this.maxChars) {
          this.seen.clear();
          this.chars = 0;
        }
        this.chars += p.text.length;
        t = this.next++;
        this.seen.set(p.text, t);
        page.fresh.push(p.text);
      }
      page.text[i] = t;
    }
    return page;
  }
}

/** What the reading thread is given. */
export interface TextPagesJob { location: StoreLocation; removedAs: PostStatus[]; window: number }

/** Messages from the reading thread. */
export type TextPagesMessage = { page: TextPage } | { end: true } | { error: string };

/**
 * The pages of the posts `rule` reads, on a thread of their own when the store has a location.
 * Closing the generator early (return) stops the thread.
 */
export async function* textPages(store: Store, rule: OutcomeRule): AsyncGenerator<TextPage> {
  if (!store.location) {
    const numbers = new TextNumbers();
    for await (const posts of outcomePosts(store, rule)) yield numbers.page(posts);
    return;
  }
  // The thread runs at most `window` pages ahead of what was taken, so a store too large to hold
  // is not read into the message queue before the caller gives up.
  const window = 16;
  const job: TextPagesJob = { location: store.location, removedAs: rule.removedAs, window };
  const worker = startTsWorker(new URL('./text-pages-worker.ts', import.meta.url), job);
  const queue: TextPagesMessage[] = [];
  let wake: (() => void) | null = null;
  const arrive = (m: TextPagesMessage) => {
    queue.push(m);
    wake?.();
  };
  worker.on('message', arrive);
  worker.on('error', (err) => arrive({ error: err.message }));
  worker.on('exit', (code) => arrive(code === 0 ? { end: true } : { error: `the reading thread stopped (exit code ${code})` }));
  try {
    for (;;) {
      while (!queue.length) await new Promise<void>((resolve) => { wake = resolve; });
      wake = null;
      const m = queue.shift()!;
      if ('end' in m) return;
      if ('error' in m) throw new Error(`Reading the posts for the term analysis failed: ${m.error}`);
      worker.postMessage('more');
      yield m.page;
    }
  } finally {
    await worker.terminate();
  }
}
