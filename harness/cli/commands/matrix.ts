/** `smtptest matrix`: the suites against several targets, one table. */
import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import type { RunResult } from '../../runner/types.ts';
import type { Level } from '../../scenario/schema.ts';
import { EXIT, selection, type SetExit } from '../shared.ts';

export function matrixCommand(y: Argv, setExit: SetExit): Argv {
  return y.command(
    'matrix',
    'run the suites against several targets (or read results.json files) and print one table',
    (y) =>
      selection(y)
        .option('target', { alias: 't', type: 'string', array: true, default: ['embedded'], describe: 'targets, in column order' })
        .option('from', { type: 'string', array: true, describe: 'results.json files to tabulate instead of running' })
        .option('markdown', { type: 'string', describe: 'also write the table as Markdown here (e.g. docs/matrix.md)' })
        .option('out', { alias: 'o', type: 'string', default: 'reports/out/matrix', describe: 'directory for results-<target>.json' })
        .option('timeout-scale', { type: 'number', describe: 'as for run (default: each target’s own)' })
        .option('profile', { type: 'string', choices: ['strict', 'lenient'] as const, default: 'strict' as const })
        .option('concurrency', { alias: 'c', type: 'number', default: 8 }),
    async (a) => {
      const { buildMatrix, matrixMarkdown, matrixText, runMatrix } = await import('../../matrix/index.ts');
      const { jsonReporter } = await import('../../../reports/json.ts');
      let runs: RunResult[];
      if (a.from?.length) {
        runs = a.from.map((f) => JSON.parse(fs.readFileSync(f, 'utf8')) as RunResult);
      } else {
        runs = await runMatrix(a.target, {
          suites: a.suite,
          grep: a.grep,
          levels: a.level as Level[] | undefined,
          timeoutScale: a['timeout-scale'],
          profile: a.profile,
          concurrency: a.concurrency,
          // The raw outcomes are the point of a matrix: no expectations applied.
          expectations: false,
        });
        for (const run of runs) {
          const name = run.target.name.replace(/[^a-z0-9.-]+/gi, '_');
          await jsonReporter(path.join(a.out, `results-${name}.json`)).onRunEnd?.(run);
        }
      }
      const m = buildMatrix(runs);
      process.stdout.write(matrixText(m));
      if (a.markdown) {
        const cmd = `smtptest matrix ${a.target.map((t) => `-t ${t}`).join(' ')}${a['timeout-scale'] !== undefined ? ` --timeout-scale ${a['timeout-scale']}` : ''}`;
        fs.mkdirSync(path.dirname(a.markdown), { recursive: true });
        fs.writeFileSync(a.markdown, matrixMarkdown(m, cmd));
      }
      setExit(runs.some((r) => r.summary.errored > 0) ? EXIT.failed : EXIT.ok);
    },
  );
}
