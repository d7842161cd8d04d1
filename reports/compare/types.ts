/**
 * The comparison of two runs (`smtptest compare BASE CURRENT`): what the
 * console, compare.json and the HTML report show. Plain JSON.
 */
import type { Level } from '../../harness/scenario/schema.ts';
import type { Status } from '../../harness/runner/types.ts';
import type { BootstrapInterval, MannWhitney } from './stats.ts';

export type ScenarioChangeKind =
  /** Was passing or skipped, now fails (or errors) in a way that fails the run. */
  | 'new-failure'
  /** Now fails, but only as a warning (SHOULD/MAY without --strict, or a documented deviation). */
  | 'new-warning'
  | 'fixed'
  /** Any other change of status (passed → skipped, failed → errored, …). */
  | 'changed'
  /** Only in the current run. */
  | 'added'
  /** Only in the base run. */
  | 'removed';

export interface ScenarioChange {
  id: string;
  title: string;
  suite: string;
  level: Level;
  rfc: string;
  section: string;
  base: Status | null;
  current: Status | null;
  kind: ScenarioChangeKind;
  /** Counts against the thresholds. */
  regression: boolean;
  /** The current failure or error, in one line. */
  detail?: string;
}

export interface RunRef {
  file?: string;
  target: string;
  description: string;
  startedAt: string;
}

export interface ConformanceThresholds {
  /** New run-failing failures tolerated. */
  allowNewFailures: number;
  /** New warnings count as regressions too. */
  strict: boolean;
}

export interface ConformanceComparison {
  kind: 'conformance';
  base: RunRef & { summary: Record<'total' | 'passed' | 'failed' | 'errored' | 'skipped', number>; verdict: string };
  current: RunRef & { summary: Record<'total' | 'passed' | 'failed' | 'errored' | 'skipped', number>; verdict: string };
  thresholds: ConformanceThresholds;
  /** Changed scenarios, new failures first; unchanged ones are only counted. */
  changes: ScenarioChange[];
  unchanged: number;
  regressions: number;
  verdict: 'pass' | 'regressed';
}

export type MetricUnit = 'ms' | 'msg/s' | '%';

export interface MetricDelta {
  /** 'throughput', 'latency.p99', 'serviceTime.p50', 'phase.rcpt.p99', 'errorRate'. */
  metric: string;
  unit: MetricUnit;
  better: 'higher' | 'lower';
  base: number;
  current: number;
  /** current − base, in the metric's unit (percentage points for errorRate). */
  delta: number;
  /** Relative change, (current − base) / base; null when base is 0. */
  relative: number | null;
  /** Whether this metric has per-interval samples and so can be tested and gated. */
  gated: boolean;
  /** Per-interval samples compared: Mann-Whitney U over them. */
  test?: MannWhitney;
  /** Hodges-Lehmann shift of the per-interval samples, in the metric's unit. */
  shift?: number;
  /** Bootstrap interval of the change in per-interval medians (relative; in points for '%' metrics). */
  interval?: BootstrapInterval;
  /** The test found a difference at the chosen alpha. */
  significant: boolean;
  /** The change is worse than the threshold for this metric, whatever the test says. */
  beyondThreshold: boolean;
  /** Worse beyond the threshold and significant. */
  regression: boolean;
  /** Why a gated metric was not tested (too few intervals). */
  note?: string;
}

export interface LoadThresholds {
  /** Relative latency increase (%, e.g. 10) beyond which a significant change regresses. */
  latencyPct: number;
  /** Relative throughput decrease (%). */
  throughputPct: number;
  /** Error-rate increase in percentage points. */
  errorRatePoints: number;
  alpha: number;
  /** Latency percentiles gated (the ones with per-interval samples). */
  percentiles: ('p50' | 'p90' | 'p99')[];
  /** Intervals needed in each run to test a metric. */
  minSamples: number;
}

export interface LoadComparison {
  kind: 'load';
  base: RunRef & { model: string; connections: number; durationMs: number; intervals: number };
  current: RunRef & { model: string; connections: number; durationMs: number; intervals: number };
  thresholds: LoadThresholds;
  metrics: MetricDelta[];
  regressions: number;
  /** Differences in how the runs were made (connections, model, size…) that make the comparison doubtful. */
  caveats: string[];
  verdict: 'pass' | 'regressed';
}

export type CompareResult = ConformanceComparison | LoadComparison;
