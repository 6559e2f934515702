/** `censorscope extract`: the exact keyword rules that censor a text, by asking an oracle. */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { printJson } from '../context.ts';
import { readRulesFile, formatRule } from '../../detect/extract/rules.ts';
import { RuleFilter, SimulatedOracle, type Oracle } from '../../detect/extract/oracle.ts';
import { HttpOracle, readOracleConfig } from '../../detect/extract/http-oracle.ts';
import { extractRules } from '../../detect/extract/extract.ts';
import { UserError } from '../../util/errors.ts';

interface Flags {
  rules?: string;
  oracle?: string;
  text: string;
  reliability?: string;
  alpha: string;
  maxQueries: string;
  seed: string;
  firstOnly?: boolean;
  quick?: boolean;
  json?: boolean;
}

export function registerExtract(program: Command): void {
  program.command('extract')
    .description('Find every keyword rule (components that must all be present, in any order) that censors a text, and negation rules that cancel one, by querying an oracle: a simulated filter from a rules file (one rule a line, components joined by "+", "\\+" a literal plus; a line "!A+B" is a negation rule cancelling every rule, "!A+B => X+Y" one cancelling rule X+Y) or an HTTP service described by a JSON config.')
    .requiredOption('--text <file>', 'the text to analyse (UTF-8)')
    .option('--rules <file>', 'simulate a filter from this rules file')
    .option('--oracle <config>', 'ask the HTTP service described by this JSON config (url, method, body template with {{text}}, censoredWhen, ratePerSecond)')
    .option('--reliability <p>', 'chance the oracle reports a censored text as censored (e.g. 0.75 for the GFW); uncensored answers are repeated adaptively (default: 1, or the config\'s value)')
    .option('--alpha <a>', 'accepted error chance per "uncensored" decision', '0.001')
    .option('--max-queries <n>', 'stop after this many oracle queries', '20000')
    .option('--seed <n>', 'seed of the simulated filter\'s misses (with --rules and --reliability < 1)', '1')
    .option('--first-only', 'stop after the first rule (like earlier methods)')
    .option('--quick', 'after each rule, check for further rules by breaking only the shortest component of each known rule (fewer queries; may miss rules that share that component)')
    .option('--json', 'print {"rules": [["component", ...], ...], "queries": N, "confidence", "negations", "censored"} as JSON')
    .action(async (flags: Flags) => {
      if (!!flags.rules === !!flags.oracle) throw new UserError('Give exactly one of --rules FILE (simulated filter) or --oracle CONFIG (HTTP service).');
      let text: string;
      try {
        text = readFileSync(flags.text, 'utf8').replace(/\r?\n$/, '');
      } catch (err) {
        throw new UserError(`Cannot read the text file ${flags.text}: ${(err as Error).message}.`);
      }
      if (!text) throw new UserError(`The text file ${flags.text} is empty.`);
      const alpha = Number(flags.alpha);
      const maxQueries = Number(flags.maxQueries);
      if (!(alpha > 0 && alpha < 1)) throw new UserError(`--alpha must be in (0, 1), not "${flags.alpha}".`);
      if (!(maxQueries >= 1)) throw new UserError(`--max-queries must be a positive number, not "${flags.maxQueries}".`);
      let reliability = flags.reliability === undefined ? undefined : Number(flags.reliability);
      if (reliability !== undefined && !(reliability > 0 && reliability <= 1)) throw new UserError(`--reliability must be in (0, 1], not "${flags.reliability}".`);
      let oracle: Oracle;
      if (flags.rules) {
        oracle = new SimulatedOracle(new RuleFilter(readRulesFile(flags.rules)), { reliability: reliability ?? 1, seed: Number(flags.seed) });
      } else {
        const config = readOracleConfig(flags.oracle!);
        reliability ??= config.reliability;
        oracle = new HttpOracle(config);
      }
      const r = await extractRules(oracle, text, { reliability: reliability ?? 1, alpha, maxQueries, firstOnly: flags.firstOnly, thorough: !flags.quick });
      if (flags.json) {
        return printJson({
          rules: r.rules, queries: r.queries, confidence: r.details.map((d) => d.confidence),
          negations: r.negations.map((n) => ({ components: n.components, cancels: n.cancels, confidence: n.confidence })),
          censored: r.censored, truncated: r.truncated,
        });
      }
      const out: string[] = [];
      if (!r.censored) out.push('The text is not censored, and no rule cancelled by a negation was found in it.');
      for (const d of r.details) out.push(`rule  ${formatRule(d.components)}    (confidence ${d.confidence.toFixed(4)}, ${d.queries} queries)`);
      for (const n of r.negations) out.push(`negation  !${formatRule(n.components)} => ${formatRule(n.cancels)}    (confidence ${n.confidence.toFixed(4)})`);
      if (r.truncated) out.push('The query budget ran out before the search finished; raise --max-queries for a complete answer.');
      out.push(`${r.queries} oracle queries.`);
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
