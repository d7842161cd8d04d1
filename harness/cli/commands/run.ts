/** `smtptest run`: conformance scenarios against a target. */
import path from 'node:path';
import type { Argv } from 'yargs';
import fs from 'node:fs';
import type { Level } from '../../scenario/schema.ts';
import type { Profile, Reporter } from '../../runner/types.ts';
import { withConfig } from '../../config/index.ts';
import { EXIT, UsageError, selection, type SetExit } from '../shared.ts';

export async function reportersFor(names: string[], out: string): Promise<Reporter[]> {
  const list = names.flatMap((n) => n.split(',')).map((n) => n.trim()).filter(Boolean);
  const reporters: Reporter[] = [];
  for (const name of list) {
    switch (name) {
      case 'console':
        reporters.push((await import('../../../reports/console.ts')).consoleReporter());
        break;
      case 'junit':
        reporters.push((await import('../../../reports/junit.ts')).junitReporter(path.join(out, 'junit.xml')));
        break;
      case 'json':
        reporters.push((await import('../../../reports/json.ts')).jsonReporter(path.join(out, 'results.json')));
        break;
      case 'html':
        reporters.push((await import('../../../reports/html/index.ts')).htmlReporter(path.join(out, 'report.html')));
        break;
      default:
        throw new UsageError(`unknown reporter '${name}' (console, junit, json, html)`);
    }
  }
  return reporters;
}

/** Where a target's expectations live: targets/<name>/expectations.yaml. */
function defaultExpectationsPath(target: string, packageRoot: string): string {
  const base = target.split(':')[0]!.replace(/-native$/, '');
  if (!/^[a-z][a-z0-9-]*$/.test(base)) throw new UsageError(`name an expectations file for target ${target} with --expectations FILE`);
  return path.join(packageRoot, 'targets', base, 'expectations.yaml');
}

export function runCommand(y: Argv, setExit: SetExit): Argv {
  return y
    .command(
      'run',
      'run conformance scenarios against a target',
      (y) =>
        withConfig(selection(y), 'run')
          .option('target', { alias: 't', type: 'string', default: 'embedded', describe: "target: 'embedded', smtp://host:port, smtps://host:port" })
          .option('reporter', { alias: 'r', type: 'string', array: true, default: ['console,junit,json'], describe: 'console, junit, json, html (comma-separated; html writes report.html)' })
          .option('out', { alias: 'o', type: 'string', default: 'reports/out', describe: 'directory for junit.xml and results.json' })
          .option('concurrency', { alias: 'c', type: 'number', default: 8, describe: 'scenarios run at once' })
          .option('timeout-scale', {
            type: 'number',
            describe: 'multiplies RFC timers ({ timer: 5m }) and the target’s own timers where it controls them (default 1; 0.01 for embedded, whose timers we set)',
          })
          .option('reply-timeout', { type: 'number', default: 5000, describe: 'ms to wait for a reply unless a step says otherwise' })
          .option('profile', { type: 'string', choices: ['strict', 'lenient'] as const, default: 'strict' as const, describe: 'expectations where servers legitimately differ by policy' })
          .option('strict', { type: 'boolean', default: false, describe: 'SHOULD and MAY failures fail the run too' })
          .option('expectations', {
            type: 'string',
            describe: "known deviations to judge the run by (default: targets/<target>/expectations.yaml if it exists); --no-expectations for none",
          })
          .option('update-expectations', { type: 'boolean', default: false, describe: 'rewrite the expectations file from this run' }),
      async (a) => {
        const { PACKAGE_ROOT, runSuites } = await import('../../runner/index.ts');
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
          reporters: await reportersFor(a.reporter, a.out),
          expectations: (a.expectations as unknown) === false ? false : (a.expectations ?? true),
        });
        if (a['update-expectations']) {
          const { loadExpectations, updatedExpectations, writeExpectations } = await import('../../runner/expectations.ts');
          const file =
            typeof a.expectations === 'string' ? a.expectations : result.expectations ? path.join(PACKAGE_ROOT, result.expectations) : defaultExpectationsPath(a.target, PACKAGE_ROOT);
          const prev = fs.existsSync(file) ? loadExpectations(file) : undefined;
          writeExpectations(file, updatedExpectations(prev, a.target, result.target.description, result.scenarios, a.profile as Profile));
          process.stdout.write(`wrote ${path.relative(process.cwd(), file)}\n`);
          setExit(EXIT.ok);
          return;
        }
        setExit(result.verdict === 'pass' ? EXIT.ok : EXIT.failed);
      },
    );
}
