/**
 * `smtptest compare BASE CURRENT`: what changed since the base run. Exit 1 on
 * a regression beyond the thresholds (new failures; significant latency,
 * throughput or error-rate changes), 0 otherwise.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import { withConfig } from '../../config/index.ts';
import { PERCENTILE_GATES } from '../../config/names.ts';
import { EXIT, UsageError, type SetExit } from '../shared.ts';

export function compareCommand(y: Argv, setExit: SetExit): Argv {
  return y.command(
    'compare <files..>',
    'compare two results.json or two load JSON files (BASE CURRENT, or CURRENT with --baseline); exit 1 on a regression',
    (y) =>
      withConfig(
        y
          .positional('files', { type: 'string', array: true, demandOption: true, describe: 'BASE CURRENT, or CURRENT alone with --baseline' })
          .option('baseline', { type: 'string', describe: 'the base run when only CURRENT is given (e.g. last release’s results)' })
          .option('allow-new-failures', { type: 'number', default: 0, describe: 'conformance: new run-failing failures tolerated' })
          .option('strict', { type: 'boolean', default: false, describe: 'conformance: new SHOULD/MAY failures count as regressions' })
          .option('latency-threshold', { type: 'number', default: 10, describe: 'load: % slower a gated latency percentile may get' })
          .option('throughput-threshold', { type: 'number', default: 5, describe: 'load: % lower throughput may get' })
          .option('error-rate-threshold', { type: 'number', default: 1, describe: 'load: percentage points the error rate may rise' })
          .option('alpha', { type: 'number', default: 0.01, describe: 'load: significance level of the Mann-Whitney test' })
          .option('percentiles', { type: 'string', array: true, default: ['p50,p90,p99'], describe: 'load: latency percentiles gated (p50, p90, p99)' })
          .option('json', { type: 'string', describe: 'also write the comparison as JSON here' })
          .option('html', { type: 'string', describe: 'also write an HTML report (comparison and both runs) here' }),
        'compare',
      ),
    async (a) => {
      const files = a.files as string[];
      const [baseFile, currentFile] = files.length === 1 && a.baseline ? [a.baseline, files[0]!] : files;
      if (files.length > 2 || !baseFile || !currentFile) throw new UsageError('compare takes BASE CURRENT, or CURRENT with --baseline (or compare.baseline in the config file)');
      const percentiles = a.percentiles.flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
      const bad = percentiles.filter((p) => !(PERCENTILE_GATES as readonly string[]).includes(p));
      if (bad.length) throw new UsageError(`--percentiles: ${bad.join(', ')} not gateable (${PERCENTILE_GATES.join(', ')})`);
      for (const [flag, v] of [['alpha', a.alpha], ['latency-threshold', a['latency-threshold']], ['throughput-threshold', a['throughput-threshold']], ['error-rate-threshold', a['error-rate-threshold']], ['allow-new-failures', a['allow-new-failures']]] as const) {
        if (!Number.isFinite(v) || v < 0 || (flag === 'alpha' && (v <= 0 || v >= 1))) throw new UsageError(`--${flag}: ${v} is out of range`);
      }
      const { compareResults, formatComparison } = await import('../../../reports/compare/index.ts');
      const { readResultsFile, writeHtmlReport } = await import('../../../reports/html/index.ts');
      const base = readResultsFile(baseFile);
      const current = readResultsFile(currentFile);
      const result = compareResults(base, current, {
        conformance: { allowNewFailures: a['allow-new-failures'], strict: a.strict },
        load: {
          latencyPct: a['latency-threshold'],
          throughputPct: a['throughput-threshold'],
          errorRatePoints: a['error-rate-threshold'],
          alpha: a.alpha,
          percentiles: percentiles as (typeof PERCENTILE_GATES)[number][],
        },
      });
      process.stdout.write(formatComparison(result, { color: process.stdout.isTTY === true && !process.env.NO_COLOR }));
      if (a.json) {
        fs.mkdirSync(path.dirname(path.resolve(a.json)), { recursive: true });
        fs.writeFileSync(a.json, JSON.stringify(result, null, 2) + '\n');
      }
      if (a.html) {
        const title = `smtptest compare — ${result.base.target} → ${result.current.target}`;
        if (base.kind === 'conformance' && current.kind === 'conformance') writeHtmlReport(a.html, [base.run, current.run], [], { title, comparison: result, labels: [`base: ${base.run.target.name}`, `current: ${current.run.target.name}`] });
        else if (base.kind === 'load' && current.kind === 'load') writeHtmlReport(a.html, [], [base.run, current.run], { title, comparison: result, loadLabels: [`base: ${base.run.target.name}`, `current: ${current.run.target.name}`] });
      }
      setExit(result.verdict === 'pass' ? EXIT.ok : EXIT.failed);
    },
  );
}
