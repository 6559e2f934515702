/** `censorscope coordination`: find coordinated campaigns, store them, optionally export the network. */
import type { Command } from 'commander';
import { withStore, printJson } from '../context.ts';
import { UserError } from '../../util/errors.ts';
import { createProgress } from '../../util/progress.ts';
import { runCoordination } from '../../detect/coordination/index.ts';
import { mergeSplit, planSplit, runWorker, workerName } from '../../detect/coordination/split.ts';
import { EDGE_TYPES, type EdgeType } from '../../detect/coordination/networks.ts';
import { shownExports, writeExports } from '../../detect/coordination/export.ts';

interface Flags {
  window: string;
  similarity: string;
  minWeight: string;
  minParticipation: string;
  minSize: string;
  types: string;
  edges?: string;
  graphml?: string;
  gexf?: string;
  summary?: string;
  json?: boolean;
  quiet?: boolean;
  revealAccounts?: boolean;
  splitHours?: string;
  worker?: boolean;
  merge?: boolean;
}

function number(name: string, v: string, integer = false): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) throw new UserError(`--${name} must be a positive ${integer ? 'integer' : 'number'} (got "${v}").`);
  return n;
}

export function registerCoordination(program: Command): void {
  program.command('coordination')
    .description('Find coordinated campaigns: groups of accounts posting near-identical text, reposting, linking, replying or tagging alike within a sliding time window. Stores each campaign as a finding (kind "campaign"), replacing earlier ones.')
    .option('--window <seconds>', 'sliding window Δt in seconds', '3600')
    .option('--similarity <jaccard>', 'Jaccard threshold for near-identical text (0–1]', '0.8')
    .option('--min-weight <n>', 'minimum coordinated events per account pair and type', '2')
    .option('--min-participation <n>', 'minimum coordinated posts per account', '2')
    .option('--min-size <n>', 'minimum accounts in a campaign', '3')
    .option('--types <list>', `networks to build, comma-separated: ${EDGE_TYPES.join(',')}`, EDGE_TYPES.join(','))
    .option('--edges <file>', 'write the edge list CSV (source,target,weight,edge_type,evidence; QUT-compatible first columns)')
    .option('--graphml <file>', 'write the network as GraphML')
    .option('--gexf <file>', 'write the network as GEXF (Gephi)')
    .option('--summary <file>', 'write campaign summaries as JSON')
    .option('--reveal-accounts', 'write real account ids in the exports and output (the people in this data may be at risk); pseudonyms otherwise')
    .option('--quiet', 'no progress on stderr')
    .option('--json', 'print {"campaigns": [{"id", "accounts", "posts", "score", "start", "end"}]} as JSON')
    .option('--split-hours <n>', 'PostgreSQL, several processes or machines: plan the run as one job per N hours of posts (replacing an earlier plan), with these options; then run --worker anywhere, then --merge')
    .option('--worker', 'PostgreSQL: claim and run planned split jobs until none is left')
    .option('--merge', 'PostgreSQL: build, store and print the campaigns from the finished split jobs (with the options of the plan), like a single run')
    .action(async (flags: Flags, cmd: Command) => {
      const modes = [flags.splitHours !== undefined, !!flags.worker, !!flags.merge].filter(Boolean).length;
      if (modes > 1) throw new UserError('Use one of --split-hours, --worker and --merge at a time: plan, then run workers, then merge.');
      const types = flags.types.split(',').map((t) => t.trim()).filter(Boolean);
      const bad = types.filter((t) => !(EDGE_TYPES as readonly string[]).includes(t));
      if (bad.length || !types.length) throw new UserError(`--types takes a comma-separated list of ${EDGE_TYPES.join(', ')} (unknown: ${bad.join(', ') || 'none given'}).`);
      const similarity = number('similarity', flags.similarity);
      if (similarity > 1) throw new UserError(`--similarity must be at most 1 (got ${similarity}).`);
      const options = {
        windowSeconds: number('window', flags.window),
        similarity,
        minWeight: number('min-weight', flags.minWeight, true),
        minParticipation: number('min-participation', flags.minParticipation, true),
        minCampaignSize: number('min-size', flags.minSize, true),
        types: types as EdgeType[],
      };
      if (options.minCampaignSize < 2) throw new UserError('--min-size must be at least 2.');
      if (flags.splitHours !== undefined) {
        const hours = number('split-hours', flags.splitHours);
        const plan = await withStore(cmd, (store) => planSplit(store, options, hours));
        if (flags.json) return printJson(plan);
        process.stdout.write(`Planned ${plan.jobs} jobs of ${hours} h over ${plan.posts} posts (run ${plan.runId}): run \`censorscope coordination --worker\` in any number of processes, then \`censorscope coordination --merge\`.\n`);
        return;
      }
      if (flags.worker) {
        const worker = workerName();
        const progress = createProgress({ label: `coordination worker ${worker}`, unit: 'posts', quiet: flags.quiet || !!flags.json });
        const done = await withStore(cmd, (store) => runWorker(store, { worker, onBatch: (n) => progress.tick(n) }));
        progress.stop();
        if (flags.json) return printJson({ worker, jobs: done });
        process.stdout.write(`${worker} ran ${done} jobs; no job is left (run --merge once every worker has finished).\n`);
        return;
      }
      const progress = createProgress({ label: 'coordination', unit: flags.merge ? 'jobs' : 'posts', quiet: flags.quiet || !!flags.json });
      // Everything printed or written goes through the privacy policy (src/report/privacy.ts).
      const { result, shown } = await withStore(cmd, async (store) => {
        const r = flags.merge ? await mergeSplit(store, progress) : await runCoordination(store, options, progress);
        // The whole network's lookups are only worth doing when a network export was asked for.
        const net = flags.edges || flags.graphml || flags.gexf ? r.network : { nodes: [], edges: [] };
        return { result: r, shown: await shownExports(store, net, r.details, !!flags.revealAccounts) };
      });
      progress.stop();
      await writeExports({ edges: flags.edges, graphml: flags.graphml, gexf: flags.gexf, summary: flags.summary }, shown.network, shown.campaigns);
      if (flags.json) return printJson({ campaigns: shown.campaigns.map((c) => ({ id: c.id, accounts: c.accounts, posts: c.posts, score: c.score, start: c.start, end: c.end })) });
      const s = result.stats;
      const lines = [`${s.posts} posts, ${s.pairs} coordinated post pairs, ${s.edges} edges, ${result.campaigns.length} campaigns (${s.seconds.toFixed(1)} s)`];
      for (const c of shown.campaigns) {
        lines.push(`${c.id}  score ${c.score.toFixed(3)}  ${c.size} accounts  ${c.posts} posts  ${c.start} – ${c.end}`);
        lines.push(`  ${c.summary}`);
        for (const r of c.representative.slice(0, 1)) lines.push(`  e.g. ${r.account ?? '?'}: ${JSON.stringify(r.text.slice(0, 100))}`);
      }
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
