/**
 * smtptest.config.yaml: a project's target, suites, reporters, thresholds and
 * expectations in one place. Every key is optional; a command-line flag beats
 * the file, and the file beats the built-in default.
 */
import { z } from 'zod';
import { LevelSchema } from '../scenario/schema.ts';
import { PERCENTILE_GATES } from './names.ts';

/** 10, "10%", "2.5%": a percentage. */
const Percent = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?%$/, 'a percentage like 10 or "10%"')])
  .transform((v) => (typeof v === 'number' ? v : parseFloat(v)));

/** 5000, "500ms", "5s", "2m": milliseconds. */
export const MillisSchema = z
  .union([z.number().nonnegative(), z.string().regex(/^\d+(\.\d+)?(ms|s|m)$/, 'a duration like 500ms, 5s or 2m')])
  .transform((v) => {
    if (typeof v === 'number') return v;
    const n = parseFloat(v);
    return v.endsWith('ms') ? n : v.endsWith('s') ? n * 1000 : n * 60_000;
  });

export const REPORTERS = ['console', 'junit', 'json', 'html'] as const;

/** Thresholds for `smtptest compare` (percentages are relative changes unless noted). */
export const CompareConfigSchema = z.strictObject({
  /** The results to compare with by default: a results.json or load.json from the last release. */
  baseline: z.string().optional(),
  /** New run-failing scenario failures tolerated (default 0). */
  allowNewFailures: z.number().int().nonnegative().optional(),
  /** Count new SHOULD/MAY failures (warnings) as regressions too. */
  strict: z.boolean().optional(),
  /** A latency percentile this much slower (and significantly so) is a regression. */
  latency: Percent.optional(),
  /** Throughput this much lower (and significantly so) is a regression. */
  throughput: Percent.optional(),
  /** Error rate up by more than this many percentage points is a regression. */
  errorRate: Percent.optional(),
  /** Significance level of the Mann-Whitney test (default 0.01). */
  alpha: z.number().gt(0).lt(1).optional(),
  /** Latency percentiles that can regress (default p50, p90, p99). */
  percentiles: z.array(z.enum(PERCENTILE_GATES)).min(1).optional(),
});
export type CompareConfig = z.infer<typeof CompareConfigSchema>;

export const ConfigSchema = z.strictObject({
  /** 'embedded', smtp://host:port or smtps://host:port. */
  target: z.string().min(1).optional(),
  /** Suite files, directories, names or globs; paths are relative to the config file. */
  suites: z.union([z.string(), z.array(z.string()).min(1)]).transform((v) => (typeof v === 'string' ? [v] : v)).optional(),
  grep: z.string().optional(),
  levels: z.array(LevelSchema).min(1).optional(),
  profile: z.enum(['strict', 'lenient']).optional(),
  strict: z.boolean().optional(),
  concurrency: z.number().int().positive().optional(),
  timeoutScale: z.number().positive().optional(),
  replyTimeout: MillisSchema.optional(),
  reporters: z.array(z.enum(REPORTERS)).min(1).optional(),
  /** Output directory, relative to the config file. */
  out: z.string().min(1).optional(),
  /**
   * The target's known deviations: an expectations file (harness/runner/expectations.ts format),
   * relative to the config file, or false for none (default: targets/<name>/expectations.yaml).
   */
  expectations: z.union([z.string().min(1), z.literal(false)]).optional(),
  /** Options of `smtptest load`, by their long flag names (e.g. connections: 20, duration: 30s). */
  load: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.union([z.string(), z.number()]))])).optional(),
  compare: CompareConfigSchema.optional(),
});
export type SmtpTestConfig = z.infer<typeof ConfigSchema>;

/** A loaded config: validated, with paths resolved against its directory. */
export interface LoadedConfig extends SmtpTestConfig {
  file: string;
}
