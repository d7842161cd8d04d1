/** What the CLI's command modules share. */
import type { Argv } from 'yargs';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export type SetExit = (code: number) => void;

/** A usage error: printed with the help text, exit 2. */
export class UsageError extends Error {}

export const LEVELS = ['MUST', 'SHOULD', 'MAY'] as const;

/** --suite, --grep, --level: which scenarios. */
export function selection<T>(y: Argv<T>) {
  return y
    .option('suite', { alias: 's', type: 'string', array: true, describe: 'suite file, directory, name or glob (default: all built-in suites)' })
    .option('grep', { alias: 'g', type: 'string', describe: 'only scenarios whose id or title matches this regular expression' })
    .option('level', { type: 'string', array: true, choices: LEVELS, describe: 'only scenarios of these levels' });
}
