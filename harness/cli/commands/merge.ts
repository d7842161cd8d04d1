/**
 * `smtptest merge FILE…`: load JSON files of runs made at the same time from
 * several machines → one result (histograms added bucket for bucket), printed
 * as `smtptest load` prints a run, with --json, --junit and --assert as there.
 */
import path from 'node:path';
import type { Argv } from 'yargs';
import type { LoadResult } from '../../load/types.ts';
import { UsageError, type SetExit } from '../shared.ts';
import { writeLoadResult } from './load.ts';

export function mergeCommand(y: Argv, setExit: SetExit): Argv {
  return y.command(
    'merge <files..>',
    'merge load JSON files of simultaneous runs (several machines) into one result; histograms add exactly',
    (y) =>
      y
        .positional('files', { type: 'string', array: true, demandOption: true, describe: 'load JSON files (smtptest load --json), two or more' })
        .option('json', { type: 'string', describe: 'write the merged result JSON here' })
        .option('junit', { type: 'string', describe: 'write assertion results as JUnit XML here' })
        .option('assert', { type: 'string', array: true, describe: "pass/fail check on the merged figures, as for load (exit 1 if one fails)" }),
    async (a) => {
      const files = a.files as string[];
      if (files.length < 2) throw new UsageError('merge takes two or more load JSON files');
      const { evaluate, parseAssertion } = await import('../../load/assert.ts');
      const { mergeRuns } = await import('../../load/merge-runs.ts');
      const { readResultsFile } = await import('../../../reports/html/index.ts');
      const assertions = (a.assert ?? []).map(parseAssertion);
      const runs = files.map((file) => {
        const r = readResultsFile(file);
        if (r.kind !== 'load') throw new UsageError(`${file} is a conformance results.json; merge takes load JSON files (smtptest matrix combines conformance runs)`);
        return { label: path.basename(file), run: r.run };
      });
      const { result, warnings } = mergeRuns(runs);
      for (const w of warnings) process.stderr.write(`smtptest merge: warning: ${w}\n`);
      const merged: LoadResult = { ...result, assertions: assertions.map((x) => evaluate(x, result)) };
      process.stdout.write(`merged ${files.length} runs: ${files.join(', ')}\n`);
      setExit(await writeLoadResult(merged, a));
    },
  );
}
