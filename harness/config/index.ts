/**
 * The config file on the command line: `withConfig(y, command)` adds
 * `--config FILE` (default ./smtptest.config.yaml when present) to a
 * command, maps the file's keys to that command's flags (flags given on the
 * command line win), and surfaces an invalid file as E_CONFIG with
 * file:line:col.
 *
 * The parser (yaml, zod: about 0.2 s to load) is loaded only when a command
 * line will read a config file: main() awaits prepareConfig() before yargs
 * parses, since yargs reads the file synchronously.
 */
import type { Argv } from 'yargs';
import { isSmtpTestError, type SmtpTestError } from '../errors.ts';
import { CONFIG_FILES, findConfigFile } from './names.ts';
import type { LoadedConfig } from './schema.ts';

export type { LoadedConfig, SmtpTestConfig, CompareConfig } from './schema.ts';

let loadConfigFile: ((file: string) => LoadedConfig) | undefined;

/** Loads the config parser if these arguments will read a config file (--config, or one in the working directory). */
export async function prepareConfig(argv: readonly string[]): Promise<void> {
  if (loadConfigFile) return;
  if (argv.some((a) => a === '--config' || a.startsWith('--config=')) || findConfigFile()) {
    loadConfigFile = (await import('./load.ts')).loadConfigFile;
  }
}

export type ConfigCommand = 'run' | 'load' | 'compare' | 'report';

type Args = Record<string, unknown>;

/** The config's keys as the flags of `command` (yargs names), leaving out what the file does not set. */
export function argsFor(command: ConfigCommand, cfg: LoadedConfig): Args {
  const out: Args = {};
  const set = (flag: string, v: unknown) => {
    if (v !== undefined) out[flag] = v;
  };
  switch (command) {
    case 'run':
      set('target', cfg.target);
      set('suite', cfg.suites);
      set('grep', cfg.grep);
      set('level', cfg.levels);
      set('profile', cfg.profile);
      set('strict', cfg.strict);
      set('concurrency', cfg.concurrency);
      set('timeout-scale', cfg.timeoutScale);
      set('reply-timeout', cfg.replyTimeout);
      set('reporter', cfg.reporters && [cfg.reporters.join(',')]);
      set('out', cfg.out);
      set('expectations', cfg.expectations);
      break;
    case 'load':
      set('target', cfg.target);
      for (const [k, v] of Object.entries(cfg.load ?? {})) set(k, v);
      break;
    case 'compare': {
      const c = cfg.compare ?? {};
      set('baseline', c.baseline);
      set('allow-new-failures', c.allowNewFailures);
      set('strict', c.strict);
      set('latency-threshold', c.latency);
      set('throughput-threshold', c.throughput);
      set('error-rate-threshold', c.errorRate);
      set('alpha', c.alpha);
      set('percentiles', c.percentiles && [c.percentiles.join(',')]);
      break;
    }
    case 'report':
      break;
  }
  return out;
}

/** Adds `--config` to a command's options. Wrap the builder's yargs: `(y) => withConfig(selection(y)…, 'run')`. */
export function withConfig<T>(y: Argv<T>, command: ConfigCommand): Argv<T & { config: string | undefined }> {
  let pending: SmtpTestError | undefined;
  return y
    .option('config', { type: 'string' })
    // yargs sets the option's description from .config()'s second argument.
    .config('config', `config file (default: ./${CONFIG_FILES[0]} when present; --config '' for none)`, (file: string) => {
      pending = undefined;
      try {
        if (!loadConfigFile) throw new Error(`config file ${file}: prepareConfig() was not called with these arguments`);
        return argsFor(command, loadConfigFile(file));
      } catch (e) {
        // yargs would keep only the message of an error thrown here; rethrow it with its code below.
        if (!isSmtpTestError(e)) throw e;
        pending = e;
        return {};
      }
    })
    .default('config', findConfigFile())
    .middleware(() => {
      if (pending) throw pending;
    }, true) as Argv<T & { config: string | undefined }>;
}
