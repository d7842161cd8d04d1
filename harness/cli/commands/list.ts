/** `smtptest list`: the scenarios, one line each. */
import type { Argv } from 'yargs';
import type { Level } from '../../scenario/schema.ts';
import { selection, type SetExit } from '../shared.ts';

export function listCommand(y: Argv, _setExit: SetExit): Argv {
  return y
    .command(
      'list',
      'list scenarios (id, level, RFC section, title)',
      (y) => selection(y),
      async (a) => {
        const { findSuiteFiles, selectScenarios } = await import('../../runner/index.ts');
        const { loadSuites } = await import('../../scenario/load.ts');
        const suites = await loadSuites(findSuiteFiles(a.suite));
        for (const s of selectScenarios(suites, a.grep, a.level as Level[] | undefined)) {
          process.stdout.write(`${s.id.padEnd(28)} ${s.level.padEnd(6)} RFC ${s.rfc} §${s.section.padEnd(10)} ${s.title}\n`);
        }
      },
    );
}
