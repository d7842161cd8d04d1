/**
 * The load JSON contract (`smtptest load --json FILE`) and its zod schema.
 * Later tools, CI users and the HTML report parse it: changes are additive
 * only, and anything else bumps `schemaVersion`.
 *
 * Units: every latency figure is in milliseconds (floats, microsecond
 * resolution); histograms are recorded in microseconds and kept encoded
 * (HdrHistogram compressed base64, V2 encoding as hdr-histogram-js and the
 * Java/Go HdrHistogram libraries read it), so runs can be merged exactly.
 */
import { z } from 'zod';

export { PHASES, type Phase } from './phases.ts';

/** Percentiles and moments of one histogram, in milliseconds (autocannon's key names). */
export const LatencyStatsSchema = z.object({
  count: z.number().int().nonnegative(),
  min: z.number().nonnegative(),
  p50: z.number().nonnegative(),
  p90: z.number().nonnegative(),
  p97_5: z.number().nonnegative(),
  p99: z.number().nonnegative(),
  p99_9: z.number().nonnegative(),
  max: z.number().nonnegative(),
  mean: z.number().nonnegative(),
  stddev: z.number().nonnegative(),
});
export type LatencyStats = z.infer<typeof LatencyStatsSchema>;

const Counts = z.record(z.string(), z.number().int().nonnegative());

export const RepliesSchema = z.object({
  '2xx': z.number().int().nonnegative(),
  '3xx': z.number().int().nonnegative(),
  '4xx': z.number().int().nonnegative(),
  '5xx': z.number().int().nonnegative(),
  /** Every reply by exact code, with its enhanced status where the reply was not 2xx/3xx: "250", "451 4.3.0". */
  codes: Counts,
  /** Negative replies by phase and code: "rcpt 550 5.1.1". */
  rejections: Counts,
});
export type Replies = z.infer<typeof RepliesSchema>;

/** One interval of the timeline (throughput and reply classes over time). */
export const TimelineSampleSchema = z.object({
  /** Start of the interval, ms since measurement began. */
  t: z.number().nonnegative(),
  /** Messages started in this interval. */
  started: z.number().int().nonnegative(),
  /** Messages that completed in this interval, by outcome. */
  accepted: z.number().int().nonnegative(),
  rejected: z.number().int().nonnegative(),
  failed: z.number().int().nonnegative(),
  replies: z.object({ '2xx': z.number().int().nonnegative(), '3xx': z.number().int().nonnegative(), '4xx': z.number().int().nonnegative(), '5xx': z.number().int().nonnegative() }),
  /** Open loop: the deepest the backlog of due-but-unstarted messages grew in this interval (summed over workers). */
  backlog: z.number().int().nonnegative(),
  /** Whole-transaction latency of the messages completed in this interval (corrected in the open loop). */
  latency: z.object({ count: z.number().int().nonnegative(), p50: z.number(), p90: z.number(), p99: z.number(), max: z.number() }),
  /** The same latencies as an encoded histogram (as in `histograms`), so that timelines of several runs merge exactly. */
  histogram: z.string().optional(),
});
export type TimelineSample = z.infer<typeof TimelineSampleSchema>;

export const ScheduleSchema = z.object({
  /** Requested rate, messages per second; message i is intended to start at start + i/rate. */
  rate: z.number().positive(),
  /** Messages whose intended start fell inside the measured run. */
  intended: z.number().int().nonnegative(),
  started: z.number().int().nonnegative(),
  /** Starts later than `lateThresholdMs` after their intended time (no free connection, or the harness was behind). */
  late: z.number().int().nonnegative(),
  lateThresholdMs: z.number().nonnegative(),
  /** The deepest the queue of due-but-unstarted messages grew. */
  maxBacklog: z.number().int().nonnegative(),
  /** The latest any start was, ms after its intended time. */
  maxLagMs: z.number().nonnegative(),
});

export const EncodedHistogramsSchema = z.object({
  unit: z.literal('us'),
  encoding: z.literal('hdr-compressed-base64'),
  significantDigits: z.number().int(),
  latency: z.string(),
  serviceTime: z.string().optional(),
  phases: z.record(z.string(), z.string()),
});

export const AssertionResultSchema = z.object({
  expr: z.string(),
  passed: z.boolean(),
  /** The measured value, in the expression's unit (ms, %, msgs/s, count). */
  actual: z.number(),
  message: z.string(),
});
export type AssertionResult = z.infer<typeof AssertionResultSchema>;

export const LoadResultSchema = z.object({
  schemaVersion: z.literal(1),
  tool: z.object({ name: z.literal('smtptest'), version: z.string(), node: z.string() }),
  /** `inProcess`: the server ran inside the harness's process, so `resources` include its CPU and memory. */
  target: z.object({ name: z.string(), host: z.string(), port: z.number().int(), description: z.string(), inProcess: z.boolean().optional() }),
  startedAt: z.string(),
  /** When measurement began (warm-up over), ISO 8601 to the millisecond: the zero of the timeline, used to line up merged runs. */
  measuredFrom: z.string().optional(),
  /** 'closed': each connection sends its next message when the last one ends; 'open': starts on a fixed schedule. */
  model: z.enum(['closed', 'open']),
  connections: z.number().int().positive(),
  workers: z.number().int().positive(),
  /** What was asked for, echoed. */
  options: z.object({
    messages: z.number().int().positive().optional(),
    durationS: z.number().positive().optional(),
    rate: z.number().positive().optional(),
    perConnection: z.string(),
    size: z.string(),
    rcpts: z.number().int().positive(),
    pipelining: z.boolean(),
    starttls: z.boolean(),
    /** Every session authenticated (AUTH PLAIN) with the target's account. */
    auth: z.boolean().optional(),
    warmupS: z.number().nonnegative(),
    workload: z.string().optional(),
  }),
  /** Measured time (warm-up excluded), ms. */
  durationMs: z.number().nonnegative(),
  messages: z.object({
    /** Messages attempted: accepted + rejected + failed. */
    total: z.number().int().nonnegative(),
    /** Got a 2xx to end-of-data (workload: the scenario ran to its end). */
    accepted: z.number().int().nonnegative(),
    /** Refused by a 4xx/5xx reply (workload: an expectation not met). */
    rejected: z.number().int().nonnegative(),
    /** Lost to the network or the harness: refused connection, reset, timeout, TLS failure. */
    failed: z.number().int().nonnegative(),
    /** Accepted messages per second of measured time. */
    perSecond: z.number().nonnegative(),
  }),
  sessions: z.object({ opened: z.number().int().nonnegative(), pipelined: z.number().int().nonnegative() }),
  /** Whole transaction, first byte of work to the end-of-data reply; in the open loop measured from the intended start. */
  latency: LatencyStatsSchema,
  /** Open loop only: the same, measured from the actual start (what an uncorrected tool reports). */
  serviceTime: LatencyStatsSchema.optional(),
  phases: z.record(z.string(), LatencyStatsSchema),
  schedule: ScheduleSchema.optional(),
  replies: RepliesSchema,
  /** Failures by kind, and phase where there is one: "refused", "reset@rcpt", "timeout@eod", "tls@starttls". */
  errors: Counts,
  timeline: z.object({ intervalMs: z.number().positive(), samples: z.array(TimelineSampleSchema) }),
  histograms: EncodedHistogramsSchema,
  resources: z.object({
    /** Peak resident set size of the harness process (all workers), bytes. */
    peakRssBytes: z.number().int().nonnegative(),
    /** CPU time the harness process used during the run (warm-up included), ms. */
    cpuUserMs: z.number().nonnegative(),
    cpuSystemMs: z.number().nonnegative(),
    /** CPU time during the measured window alone (after the warm-up; without one, the run's), ms. */
    measuredCpuUserMs: z.number().nonnegative().optional(),
    measuredCpuSystemMs: z.number().nonnegative().optional(),
  }),
  assertions: z.array(AssertionResultSchema),
});
export type LoadResult = z.infer<typeof LoadResultSchema>;

/** A distribution of sizes or counts: `1000`, `fixed:1000`, `uniform:500-5000`, `lognormal:2000:0.8`. */
export type Distribution =
  | { kind: 'fixed'; value: number }
  | { kind: 'uniform'; min: number; max: number }
  | { kind: 'lognormal'; median: number; sigma: number };

export interface LoadOptions {
  /** A target name ('embedded', 'sink:…', 'smtp://…') or an already started target (left running). */
  target?: string | import('../../targets/types.ts').StartedTarget;
  connections?: number;
  /** Total messages (warm-up excluded). With neither messages nor durationS, 10 s. */
  messages?: number;
  durationS?: number;
  /** Open loop at this many messages per second; absent = closed loop. */
  rate?: number;
  /** Messages per session: a number or a distribution; default: unlimited (keep-alive). */
  perConnection?: string;
  /** Message size in octets, or a distribution; default 1000. */
  size?: string;
  rcpts?: number;
  pipelining?: boolean;
  starttls?: boolean;
  /**
   * AUTH PLAIN (RFC 4954) with the target's account on every session, after
   * EHLO (inside TLS with starttls). Default: on when the target is a URL
   * with USER:PASSWORD@, off otherwise.
   */
  auth?: boolean;
  warmupS?: number;
  workers?: number;
  /** A scenario file (FILE or FILE#SCENARIO-ID) replayed as the per-session workload. */
  workload?: string;
  /** --assert expressions. */
  assert?: string[];
  /** Reply timeout, ms (default 10000). */
  timeoutMs?: number;
  /** Open-loop starts later than this count as late (default 1 ms). */
  lateThresholdMs?: number;
  /** Progress callback, about every 500 ms. */
  onProgress?: (p: Progress) => void;
  /** Seed for sizes and distributions (default fixed, so runs repeat). */
  seed?: number;
}

export interface Progress {
  elapsedMs: number;
  warmup: boolean;
  messages: number;
  accepted: number;
  errors: number;
  ratePerS: number;
  /** Transaction p99 so far, ms (with several workers, the highest of theirs). */
  p99Ms: number;
}
