/** `smtptest serve`: the mutant SMTP server in the foreground, correct or with faults, until Ctrl-C. */
import type { Argv } from 'yargs';
import { FAULTS, FAULT_NAMES, MutantServer, parseFaults } from '../../../targets/mutant/index.ts';
import type { SetExit } from '../shared.ts';

export function faultListText(): string {
  const width = Math.max(...FAULT_NAMES.map((n) => n.length));
  return FAULT_NAMES.map((n) => `${n.padEnd(width)}  ${FAULTS[n].violates.padEnd(28)} ${FAULTS[n].description}\n`).join('');
}

export function serveCommand(y: Argv, _setExit: SetExit): Argv {
  return y.command(
    'serve',
    'run the mutant SMTP server (our reference server, or with --fault a named deviation) until Ctrl-C',
    (y) =>
      y
        .option('fault', { alias: 'f', type: 'string', array: true, describe: 'fault(s) to switch on (comma-separated or repeated); see --list-faults' })
        .option('port', { alias: 'p', type: 'number', default: 0, describe: 'port on 127.0.0.1 (0: a free one, printed)' })
        .option('timeout-scale', { type: 'number', default: 1, describe: 'multiplies the 5-minute idle timeout' })
        .option('list-faults', { type: 'boolean', default: false, describe: 'list the faults and exit' })
        .option('quiet', { alias: 'q', type: 'boolean', default: false, describe: 'do not print delivered messages' }),
    async (a) => {
      if (a['list-faults']) {
        process.stdout.write(faultListText());
        return;
      }
      const faults = parseFaults(a.fault);
      const server = new MutantServer({
        faults,
        port: a.port,
        timeoutScale: a['timeout-scale'],
        onDeliver: a.quiet
          ? undefined
          : (m) => process.stdout.write(`delivered: from <${m.from}> to ${m.to.map((t) => `<${t}>`).join(', ')}, ${m.content.length} octets\n`),
      });
      const { address, port } = await server.listen();
      const mode = faults.size ? `fault ${faults.list().join(', ')}` : 'reference mode, no faults';
      process.stdout.write(`smtptest mutant server (${mode}) listening on smtp://${address}:${port}\n`);
      process.stdout.write(`idle timeout ${server.idleTimeoutMs} ms, SIZE ${server.sizeLimit}; Ctrl-C to stop\n`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await server.close();
      process.stdout.write(`stopped; ${server.mailbox.messages.length} message(s) were delivered\n`);
    },
  );
}
