/** `smtptest sink`: the built-in fast sink in the foreground, for load runs from another process. */
import type { Argv } from 'yargs';
import { parseSinkSpec, defaultSinkOptions } from '../../../targets/sink/options.ts';
import { startSink } from '../../../targets/sink/index.ts';
import type { SetExit } from '../shared.ts';

export function sinkCommand(y: Argv, _setExit: SetExit): Argv {
  return y.command(
    'sink [options..]',
    'run the fast SMTP sink (accepts and discards mail; fault injection) until interrupted',
    (y) =>
      y
        .positional('options', {
          type: 'string',
          array: true,
          describe: 'delay=D CMD-delay=D CMD-4xx=P CMD-5xx=P disconnect=P reset=P freeze=D@T no-pipelining no-starttls seed=N (CMD: greeting ehlo mail rcpt data eod quit)',
        })
        .option('host', { type: 'string', default: '127.0.0.1', describe: 'address to listen on' })
        .option('port', { alias: 'p', type: 'number', default: 2525, describe: 'port to listen on (0: any free port)' })
        .option('duration', { type: 'number', describe: 'stop by itself after this many seconds' })
        .option('stats', { type: 'number', default: 0, describe: 'print counters every N seconds (0: only at exit)' }),
    async (a) => {
      const options = parseSinkSpec((a.options ?? []).join(','), { ...defaultSinkOptions(), host: a.host, port: a.port });
      const sink = await startSink(options, 'sink');
      process.stdout.write(`smtptest sink listening on ${sink.host}:${sink.port} (${sink.description})\n`);
      const printStats = () => process.stdout.write(`${JSON.stringify(sink.stats)}\n`);
      const ticker = a.stats > 0 ? setInterval(printStats, a.stats * 1000) : undefined;
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
        if (a.duration !== undefined) setTimeout(resolve, a.duration * 1000);
      });
      clearInterval(ticker);
      printStats();
      await sink.stop();
    },
  );
}
