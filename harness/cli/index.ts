/**
 * The CLI: yargs over exported functions (runSuites, …), one module per
 * command in ./commands. Exit codes: 0 every required scenario passed,
 * 1 failures, 2 usage or configuration error.
 */
import yargs, { type Argv } from 'yargs';
import { isSmtpTestError } from '../errors.ts';
import { prepareConfig } from '../config/index.ts';
import { toolInfo } from '../version.ts';
import { EXIT, UsageError, type SetExit } from './shared.ts';
import { runCommand } from './commands/run.ts';
import { listCommand } from './commands/list.ts';
import { matrixCommand } from './commands/matrix.ts';
import { serveCommand } from './commands/serve.ts';
import { selftestCommand } from './commands/selftest.ts';
import { loadCommand } from './commands/load.ts';
import { sinkCommand } from './commands/sink.ts';
import { reportCommand } from './commands/report.ts';
import { compareCommand } from './commands/compare.ts';
import { mergeCommand } from './commands/merge.ts';

export { EXIT } from './shared.ts';

/**
 * Each command module adds itself to the parser. Add new commands here. A
 * command module imports what its handler needs inside the handler, so
 * that start-up loads only the command that runs (`smtptest --help` loaded
 * every module in 1.4 s; each handler's own imports are in its file).
 */
const COMMANDS: ((y: Argv, setExit: SetExit) => Argv)[] = [runCommand, listCommand, matrixCommand, serveCommand, selftestCommand, loadCommand, sinkCommand, reportCommand, compareCommand, mergeCommand];

/** Runs the CLI with these arguments and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  let code: number = EXIT.ok;
  await prepareConfig(argv);
  const setExit: SetExit = (c) => {
    code = c;
  };
  let cli: Argv = yargs(argv).scriptName('smtptest').usage('$0 <command> [options]');
  for (const add of COMMANDS) cli = add(cli, setExit);
  cli = cli
    .demandCommand(1, 'name a command')
    .strict()
    .help()
    .version(toolInfo().version)
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
    if (isSmtpTestError(e)) {
      // Bad scenario files, unknown targets, a target that cannot start: configuration, exit 2.
      process.stderr.write(e.code === 'E_SCENARIO' || e.code === 'E_CONFIG' ? `smtptest: ${e.message}\n` : `smtptest: ${e.code}: ${e.message}\n`);
      return EXIT.usage;
    }
    throw e;
  }
}
