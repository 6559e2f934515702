/** `censorscope terms`: which words get censored, from the posts whose outcome is known. */
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { runTerms } from '../../detect/terms/index.ts';
import { UserError } from '../../util/errors.ts';
import { POST_STATUSES, type PostStatus } from '../../store/schema.ts';
import { createProgress } from '../../util/progress.ts';

/** Makes a scraped term safe to print on a terminal (no control characters). */
function safe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '\uFFFD');
}

export function registerTerms(program: Command): void {
  program.command('terms')
    .description('Rank terms (Chinese words and character n-grams, words in other languages) whose posts are removed by the platform more often than their authors\' other posts: where authors are known the author-stratified (Cochran-Mantel-Haenszel) test decides, else the exact one-sided binomial test against the baseline ("test" in the output says which); both with Benjamini-Hochberg q-values, and Wilson intervals. Stores the result as finding kind "terms", key "latest".')
    .option('--min-posts <n>', 'test only terms in at least N posts', '5')
    .option('--fdr <q>', 'false discovery rate: report terms with q at most this', '0.05')
    .option('--limit <n>', 'report at most N terms', '50')
    .option('--by <bucket>', 'show per-term timelines by day or week (when each term became sensitive)')
    .option('--removed-as <statuses>', 'statuses counted as a removal, comma-separated (default removed_by_platform; add "deleted" — gone, actor unknown — on platforms such as Mastodon that never say who removed a post)')
    .option('--json', 'print {"baseline", "test", "terms": [{"term", "posts", "removed", "rate", "low", "high", "q", "qPooled", "qAuthor", "expected", ...}], "timeline"} as JSON')
    .action(async (flags: { minPosts: string; fdr: string; limit: string; by?: string; removedAs?: string; json?: boolean }, cmd: Command) => {
      const minPosts = Number(flags.minPosts);
      const fdr = Number(flags.fdr);
      const limit = Number(flags.limit);
      if (!Number.isInteger(minPosts) || minPosts < 1) throw new UserError(`--min-posts must be a whole number of at least 1, not "${flags.minPosts}".`);
      if (!(fdr > 0 && fdr <= 1)) throw new UserError(`--fdr must be a number in (0, 1], not "${flags.fdr}".`);
      if (!Number.isInteger(limit) || limit < 1) throw new UserError(`--limit must be a whole number of at least 1, not "${flags.limit}".`);
      if (flags.by !== undefined && flags.by !== 'day' && flags.by !== 'week') throw new UserError(`--by must be day or week, not "${flags.by}".`);
      const by = flags.by as 'day' | 'week' | undefined;
      const removedAs = flags.removedAs === undefined ? undefined : flags.removedAs.split(',').map((x) => x.trim()).filter(Boolean);
      const wrong = removedAs?.filter((x) => !(POST_STATUSES as readonly string[]).includes(x) || x === 'visible') ?? [];
      if (wrong.length || removedAs?.length === 0) {
        throw new UserError(`--removed-as takes post statuses other than visible (${POST_STATUSES.filter((x) => x !== 'visible').join(', ')}), not "${flags.removedAs}".`);
      }
      const progress = createProgress({ label: 'terms', unit: 'posts', quiet: Boolean(flags.json) && !process.stderr.isTTY });
      const result = await withStore(cmd, (store) => runTerms(store, { minPosts, fdr, limit, by, removedAs: removedAs as PostStatus[] | undefined }, progress));
      progress.stop();
      if (flags.json) return printJson(by ? result : { ...result, timeline: undefined });
      const out: string[] = [
        `${result.posts} posts with known outcomes, ${result.removed} removed (${result.removedAs.join(', ')}): baseline ${(100 * result.baseline).toFixed(2)}%. ${result.tested} terms tested (≥ ${minPosts} posts)${result.pruned ? ', rare n-grams pruned' : ''}${result.approximate ? ' (some frequent terms may be missing: the term cap was too small)' : ''}.`,
      ];
      out.push(`Deciding test: ${result.testReason}`);
      if (!result.terms.length) out.push(`No term is removed significantly more often at FDR ${fdr}.`);
      else {
        out.push(`term                 posts  removed   rate   95% Wilson      expected  q(${result.test === 'pooled' ? 'pooled' : 'author'})  q(pooled)  authors`);
        for (const t of result.terms) {
          const term = safe(t.term) + (t.variants.length ? ` (+${t.variants.length})` : '');
          const pad = Math.max(1, 20 - [...term].reduce((w, ch) => w + (/\p{Script=Han}/u.test(ch) ? 2 : 1), 0));
          out.push(`${term}${' '.repeat(pad)} ${String(t.posts).padStart(5)}  ${String(t.removed).padStart(7)}  ${(100 * t.rate).toFixed(1).padStart(5)}%  ${(100 * t.low).toFixed(1).padStart(5)}–${(100 * t.high).toFixed(1).padEnd(5)}%  ${t.expected.toFixed(1).padStart(8)}  ${t.q.toExponential(2)}   ${t.qPooled.toExponential(2)}   ${t.authors}`);
        }
        if (by) {
          out.push('', `Timelines by ${by} (rate = removed/posts; * = Wilson lower bound above the baseline):`);
          for (const t of result.terms.slice(0, 10)) {
            const pts = result.timeline[t.term] ?? [];
            out.push(`${safe(t.term)}${t.sensitiveSince ? ` (sensitive since ${t.sensitiveSince})` : ''}`);
            for (const p of pts) out.push(`  ${p.bucket}  ${String(p.removed).padStart(5)}/${String(p.posts).padEnd(5)} ${(100 * p.rate).toFixed(0).padStart(3)}%${t.sensitiveSince && p.bucket >= t.sensitiveSince && p.rate > result.baseline ? ' *' : ''}`);
          }
        }
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
