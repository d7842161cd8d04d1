/** `smtptest selftest`: the catalogue against the mutant server, correct and with each fault (mutation testing). */
import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import type { Profile } from '../../runner/types.ts';
import { EXIT, type SetExit } from '../shared.ts';

export function selftestCommand(y: Argv, setExit: SetExit): Argv {
  return y.command(
    'selftest',
    'mutation test: run the scenarios against the mutant server, correct and with each fault; print which scenarios catch which fault',
    (y) =>
      y
        .option('suite', { alias: 's', type: 'string', array: true, describe: 'suite file, directory, name or glob (default: all built-in suites)' })
        .option('grep', { alias: 'g', type: 'string', describe: 'only scenarios whose id or title matches' })
        .option('fault', { alias: 'f', type: 'string', array: true, describe: 'only these faults (default: all)' })
        .option('profile', { type: 'string', choices: ['strict', 'lenient'] as const, default: 'strict' as const })
        .option('timeout-scale', { type: 'number', default: 0.01, describe: 'RFC timers and the server’s idle timeout are scaled by this' })
        .option('reply-timeout', { type: 'number', default: 1500, describe: 'ms to wait for a reply' })
        .option('jobs', { alias: 'j', type: 'number', default: 6, describe: 'servers (faults) run at once' })
        .option('concurrency', { alias: 'c', type: 'number', default: 24, describe: 'scenarios at once per server' })
        .option('exceptions', { type: 'string', describe: 'exceptions list (default targets/mutant/exceptions.yaml)' })
        .option('out', { alias: 'o', type: 'string', default: 'reports/out/selftest.json', describe: 'write the result as JSON here' })
        .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'list every scenario each fault kills' }),
    async (a) => {
      const { runSelftest } = await import('../../selftest/index.ts');
      const { runLine, selftestText } = await import('../../selftest/report.ts');
      const { FAULT_NAMES, parseFaults } = await import('../../../targets/mutant/index.ts');
      const faults = a.fault ? parseFaults(a.fault).list() : FAULT_NAMES;
      let scenarios = 0;
      const result = await runSelftest({
        suites: a.suite,
        grep: a.grep,
        faults,
        profile: a.profile as Profile,
        timeoutScale: a['timeout-scale'],
        replyTimeoutMs: a['reply-timeout'],
        jobs: a.jobs,
        concurrency: a.concurrency,
        exceptionsFile: a.exceptions,
        onRun: (run) => {
          scenarios ||= run.passed + run.outcomes.length;
          process.stderr.write(runLine(run, scenarios));
        },
      });
      process.stdout.write(selftestText(result, { verbose: a.verbose }));
      fs.mkdirSync(path.dirname(a.out), { recursive: true });
      fs.writeFileSync(a.out, JSON.stringify(result, null, 2) + '\n');
      process.stdout.write(`Written: ${a.out}\n`);
      setExit(result.verdict === 'pass' ? EXIT.ok : EXIT.failed);
    },
  );
}
