/** `smtptest load`: a load run against a target; a thin layer over runLoad(). */
import fs from 'node:fs';
import path from 'node:path';
import type { Argv } from 'yargs';
import type { LoadResult } from '../../load/types.ts';
import { formatProgress, formatResult } from '../../load/console.ts';
import { EXIT, type SetExit } from '../shared.ts';
import { withConfig } from '../../config/index.ts';

export function loadCommand(y: Argv, setExit: SetExit): Argv {
  return y.command(
    'load',
    'load-test a target: per-phase latency percentiles, throughput, errors (closed or open loop)',
    (y) =>
      withConfig(
        y
          .option('target', { alias: 't', type: 'string', default: 'sink', describe: "target: 'sink[:OPTIONS]', 'embedded', smtp://host:port, smtps://host:port" })
          .option('connections', { alias: 'c', type: 'number', default: 10, describe: 'concurrent connections' })
          .option('messages', { alias: 'm', type: 'number', describe: 'messages to send (after warm-up)' })
          .option('duration', { alias: 'd', type: 'number', describe: 'seconds to run (after warm-up; default 10 without -m)' })
          .option('rate', { alias: 'R', type: 'number', describe: 'open loop: start messages at this rate (msgs/s); latency corrected for coordinated omission' })
          .option('per-connection', { type: 'string', describe: 'messages per session: N, uniform:A-B, lognormal:MEDIAN:SIGMA (default unlimited)' })
          .option('pipelining', { type: 'boolean', default: false, describe: 'MAIL, RCPT and DATA in one write when the server offers PIPELINING (RFC 2920)' })
          .option('size', { type: 'string', default: '1000', describe: 'message size in octets: N, uniform:A-B, lognormal:MEDIAN:SIGMA' })
          .option('rcpts', { type: 'number', default: 1, describe: 'recipients per message' })
          .option('starttls', { type: 'boolean', default: false, describe: 'STARTTLS on every session (RFC 3207)' })
          .option('auth', { type: 'boolean', describe: "AUTH PLAIN with the target's account on every session (RFC 4954); default on for smtp://USER:PASSWORD@host" })
          .option('warmup', { type: 'number', default: 0, describe: 'seconds of load before measuring' })
          .option('workers', { type: 'number', default: 1, describe: 'worker threads (connections and schedule split between them)' })
          .option('workload', { type: 'string', describe: 'scenario file (FILE or FILE#ID) played as each session' })
          .option('timeout', { type: 'number', default: 10_000, describe: 'ms to wait for each reply' })
          .option('json', { type: 'string', describe: 'write the result JSON here' })
          .option('junit', { type: 'string', describe: 'write assertion results as JUnit XML here' })
          .option('assert', { type: 'string', array: true, describe: "pass/fail check, e.g. 'p99.eod<200ms' 'errors<0.1%' 'rate>=500/s' (exit 1 if one fails)" })
          .option('progress', { type: 'boolean', default: true, describe: 'live progress line on a TTY (--no-progress to hide)' })
          .option('seed', { type: 'number', default: 1, describe: 'seed for sizes and distributions' }),
        'load',
      ),
    async (a) => {
      const tty = a.progress && process.stderr.isTTY;
      const { runLoad } = await import('../../load/index.ts');
      const result = await runLoad({
        target: a.target,
        connections: a.connections,
        messages: a.messages,
        durationS: a.duration,
        rate: a.rate,
        perConnection: a['per-connection'],
        pipelining: a.pipelining,
        size: a.size,
        rcpts: a.rcpts,
        starttls: a.starttls,
        auth: a.auth,
        warmupS: a.warmup,
        workers: a.workers,
        workload: a.workload,
        timeoutMs: a.timeout,
        assert: a.assert,
        seed: a.seed,
        onProgress: tty ? (p) => process.stderr.write(`\r\x1b[2K${formatProgress(p)}`) : undefined,
      });
      if (tty) process.stderr.write('\r\x1b[2K');
      setExit(await writeLoadResult(result, a));
    },
  );
}

/** Prints a load result and writes its --json and --junit files; the exit code: 1 if an assertion failed. */
export async function writeLoadResult(result: LoadResult, to: { json?: string; junit?: string }): Promise<number> {
  process.stdout.write(formatResult(result));
  if (to.json) {
    fs.mkdirSync(path.dirname(path.resolve(to.json)), { recursive: true });
    fs.writeFileSync(to.json, JSON.stringify(result, null, 2) + '\n');
  }
  if (to.junit) (await import('../../load/junit.ts')).writeLoadJUnit(to.junit, result);
  return result.assertions.every((x) => x.passed) ? EXIT.ok : EXIT.failed;
}
