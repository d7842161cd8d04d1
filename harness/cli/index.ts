/**
 * The CLI: yargs over exported functions (runSuites, …). Exit codes:
 * 0 every required scenario passed, 1 failures, 2 usage or configuration error.
 */
import path from 'node:path';
import yargs, { type Argv } from 'yargs';
import { isSmtpTestError } from '../errors.ts';
import { findSuiteFiles, runSuites, selectScenarios } from '../runner/index.ts';
import { loadSuites } from '../scenario/load.ts';
import type { Level } from '../scenario/schema.ts';
import type { Profile, Reporter } from '../runner/types.ts';
import { consoleReporter } from '../../reports/console.ts';
import { junitReporter } from '../../reports/junit.ts';
import { jsonReporter } from '../../reports/json.ts';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;

function selection<T>(y: Argv<T>) {
  return y
    .option('suite', { alias: 's', type: 'string', array: true, describe: 'suite file, directory, name or glob (default: all built-in suites)' })
    .option('grep', { alias: 'g', type: 'string', describe: 'only scenarios whose id or title matches this regular expression' })
    .option('level', { type: 'string', array: true, choices: LEVELS, describe: 'only scenarios of these levels' });
}

export function reportersFor(names: string[], out: string): Reporter[] {
  const list = names.flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean);
  return list.map((name) => {
    switch (name) {
      case 'console':
        return consoleReporter();
      case 'junit':
        return junitReporter(path.join(out, 'junit.xml'));
      case 'json':
        return jsonReporter(path.join(out, 'results.json'));
      default:
        throw new UsageError(`unknown reporter '${name}' (console, junit, json)`);
    }
  });
}

class UsageError extends Error {}

/** Runs the CLI with these arguments and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  const cli = yargs(argv)
    .scriptName('smtptest')
    .usage('$0 <command> [options]')
    .command(
      'run',
      'run conformance scenarios against a target',
      (y) =>
        selection(y)
          .option('target', { alias: 't', type: 'string', default: 'embedded', describe: "target: 'embedded', smtp://host:port, smtps://host:port" })
          .option('reporter', { alias: 'r', type: 'string', array: true, default: ['console,junit,json'], describe: 'console, junit, json (comma-separated)' })
          .option('out', { alias: 'o', type: 'string', default: 'reports/out', describe: 'directory for junit.xml and results.json' })
          .option('concurrency', { alias: 'c', type: 'number', default: 8, describe: 'scenarios run at once' })
          .option('timeout-scale', { type: 'number', default: 1, describe: 'multiplies RFC timers ({ timer: 5m }) and the target’s own timers where it controls them' })
          .option('reply-timeout', { type: 'number', default: 5000, describe: 'ms to wait for a reply unless a step says otherwise' })
          .option('profile', { type: 'string', choices: ['strict', 'lenient'] as const, default: 'strict' as const, describe: 'expectations where servers legitimately differ by policy' })
          .option('strict', { type: 'boolean', default: false, describe: 'SHOULD and MAY failures fail the run too' }),
      async (a) => {
        const result = await runSuites({
          target: a.target,
          suites: a.suite,
          grep: a.grep,
          levels: a.level as Level[] | undefined,
          profile: a.profile as Profile,
          strict: a.strict,
          timeoutScale: a['timeout-scale'],
          replyTimeoutMs: a['reply-timeout'],
          concurrency: a.concurrency,
          reporters: reportersFor(a.reporter, a.out),
        });
        code = result.verdict === 'pass' ? EXIT.ok : EXIT.failed;
      },
    )
    .command(
      'list',
      'list scenarios (id, level, RFC section, title)',
      (y) => selection(y),
      async (a) => {
        const suites = await loadSuites(findSuiteFiles(a.suite));
        for (const s of selectScenarios(suites, a.grep, a.level as Level[] | undefined)) {
          process.stdout.write(`${s.id.padEnd(28)} ${s.level.padEnd(6)} RFC ${s.rfc} §${s.section.padEnd(10)} ${s.title}\n`);
        }
      },
    )
    .demandCommand(1, 'name a command: run, list')
    .strict()
    .help()
    .version(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  try {
    await cli.parseAsync();
    return code;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`smtptest: ${e.message}\n\n${await cli.getHelp()}\n`);
      return EXIT.usage;
    }
    if (isSmtpTestError(e) && (e.code === 'E_SCENARIO' || e.code === 'E_CONFIG')) {
      process.stderr.write(`smtptest: ${e.message}\n`);
      return EXIT.usage;
    }
    if (isSmtpTestError(e)) {
      process.stderr.write(`smtptest: ${e.code}: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
