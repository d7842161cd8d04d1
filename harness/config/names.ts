/**
 * What the command line needs of the config layer before it knows whether
 * there is a config file: the file's names, and the names the flags check
 * against. Nothing here loads the YAML parser or the schema (start-up time).
 */
import fs from 'node:fs';
import path from 'node:path';

export const CONFIG_FILES = ['smtptest.config.yaml', 'smtptest.config.yml'];

/** The config file in `dir`, if there is one. */
export function findConfigFile(dir = process.cwd()): string | undefined {
  return CONFIG_FILES.map((f) => path.join(dir, f)).find((f) => fs.existsSync(f));
}

/** Latency percentiles `compare` can gate on: those the load timeline samples per interval. */
export const PERCENTILE_GATES = ['p50', 'p90', 'p99'] as const;
