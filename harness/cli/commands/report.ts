/** `smtptest report`: results.json and load JSON files → one self-contained HTML report. */
import type { Argv } from 'yargs';
import type { LoadResult } from '../../load/types.ts';
import type { RunResult } from '../../runner/types.ts';
import { EXIT, type SetExit } from '../shared.ts';

export function reportCommand(y: Argv, setExit: SetExit): Argv {
  return y.command(
    'report <files..>',
    'write an HTML report from results.json (several: the scenario × target matrix) and load JSON files',
    (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'results.json and load JSON files, in column order' })
        .option('out', { alias: 'o', type: 'string', default: 'report.html', describe: 'the HTML file to write' })
        .option('title', { type: 'string', describe: 'page title (default: the targets’ names)' }),
    async (a) => {
      const { readResultsFile, writeHtmlReport } = await import('../../../reports/html/index.ts');
      const inputs = (a.files as string[]).map(readResultsFile);
      const runs: RunResult[] = [];
      const loads: LoadResult[] = [];
      for (const r of inputs) {
        if (r.kind === 'conformance') runs.push(r.run);
        else loads.push(r.run);
      }
      writeHtmlReport(a.out, runs, loads, a.title ? { title: a.title } : {});
      process.stdout.write(`wrote ${a.out} (${runs.length} conformance, ${loads.length} load)\n`);
      setExit(EXIT.ok);
    },
  );
}
