/**
 * Comparing two load runs. Whole-run figures give the deltas people read;
 * the per-interval samples of the timeline decide significance, with the
 * Mann-Whitney U test (no normality assumed) and a bootstrap interval of the
 * relative change in medians. A metric regresses when it is worse than its
 * threshold and the test rejects "same distribution" at `alpha`.
 *
 * Intervals are not independent (a slow second tends to follow a slow
 * second), so treat p-values as a screen, not as exact error rates; the
 * threshold on the size of the change is what keeps noise from failing CI.
 */
import type { LoadResult, TimelineSample } from '../../harness/load/types.ts';
import { bootstrapMedianChange, hodgesLehmann, mannWhitney, smallestP } from './stats.ts';
import type { LoadComparison, LoadThresholds, MetricDelta, MetricUnit, RunRef } from './types.ts';

export const DEFAULT_LOAD_THRESHOLDS: LoadThresholds = {
  latencyPct: 10,
  throughputPct: 5,
  errorRatePoints: 1,
  alpha: 0.01,
  percentiles: ['p50', 'p90', 'p99'],
  minSamples: 5,
};

const ALL_PERCENTILES = ['p50', 'p90', 'p97_5', 'p99', 'p99_9', 'max'] as const;
const INTERVAL_PERCENTILES = ['p50', 'p90', 'p99'] as const;

/** Intervals that lie wholly inside the measured time (a last partial interval would read as a dip). */
export function fullIntervals(run: LoadResult): TimelineSample[] {
  const { intervalMs, samples } = run.timeline;
  // A few ms of slack: the measured time ends a hair after the last full interval.
  return samples.filter((s) => s.t + intervalMs <= run.durationMs + Math.min(50, intervalMs / 20));
}

export function intervalThroughput(run: LoadResult): number[] {
  const secs = run.timeline.intervalMs / 1000;
  return fullIntervals(run).map((s) => s.accepted / secs);
}

export function intervalErrorRate(run: LoadResult): number[] {
  return fullIntervals(run)
    .filter((s) => s.accepted + s.rejected + s.failed > 0)
    .map((s) => (100 * (s.rejected + s.failed)) / (s.accepted + s.rejected + s.failed));
}

export function intervalLatency(run: LoadResult, p: (typeof INTERVAL_PERCENTILES)[number]): number[] {
  return fullIntervals(run)
    .filter((s) => s.latency.count > 0)
    .map((s) => s.latency[p]);
}

function errorRate(run: LoadResult): number {
  return run.messages.total ? (100 * (run.messages.rejected + run.messages.failed)) / run.messages.total : 0;
}

interface MetricSpec {
  metric: string;
  unit: MetricUnit;
  better: 'higher' | 'lower';
  base: number;
  current: number;
  samples?: [number[], number[]];
  /** How much worse (relative %, or points for '%') is a regression; undefined: not gated. */
  limit?: number;
}

function measure(spec: MetricSpec, t: LoadThresholds): MetricDelta {
  const delta = spec.current - spec.base;
  const relative = spec.base !== 0 ? delta / spec.base : null;
  const worse = spec.better === 'lower' ? delta > 0 : delta < 0;
  const size = spec.unit === '%' ? Math.abs(delta) : relative === null ? (delta === 0 ? 0 : Infinity) : Math.abs(relative) * 100;
  const gated = spec.limit !== undefined && spec.samples !== undefined;
  const beyondThreshold = spec.limit !== undefined && worse && size > spec.limit;
  const out: MetricDelta = { metric: spec.metric, unit: spec.unit, better: spec.better, base: spec.base, current: spec.current, delta, relative, gated, significant: false, beyondThreshold, regression: false };
  if (!spec.samples) return out;
  const [a, b] = spec.samples;
  if (a.length < t.minSamples || b.length < t.minSamples) {
    return { ...out, note: `not tested: ${a.length} and ${b.length} intervals (need ${t.minSamples} in each)` };
  }
  const test = mannWhitney(b, a);
  const interval = bootstrapMedianChange(a, b, { statistic: spec.unit === '%' ? 'difference' : 'relative' });
  const significant = test.p < t.alpha;
  const floor = smallestP(a.length, b.length);
  const note = floor >= t.alpha ? `too few intervals (${a.length}, ${b.length}) to reach α = ${t.alpha}: run longer` : undefined;
  return { ...out, test, shift: hodgesLehmann(a, b), ...(interval ? { interval } : {}), significant, regression: gated && beyondThreshold && significant, ...(note ? { note } : {}) };
}

export function compareLoad(base: LoadResult, current: LoadResult, thresholds: Partial<LoadThresholds> = {}, files: { base?: string; current?: string } = {}): LoadComparison {
  const t = { ...DEFAULT_LOAD_THRESHOLDS, ...thresholds };
  const specs: MetricSpec[] = [
    {
      metric: 'throughput',
      unit: 'msg/s',
      better: 'higher',
      base: base.messages.perSecond,
      current: current.messages.perSecond,
      samples: [intervalThroughput(base), intervalThroughput(current)],
      limit: t.throughputPct,
    },
    { metric: 'errorRate', unit: '%', better: 'lower', base: errorRate(base), current: errorRate(current), samples: [intervalErrorRate(base), intervalErrorRate(current)], limit: t.errorRatePoints },
  ];
  for (const p of ALL_PERCENTILES) {
    const interval = (INTERVAL_PERCENTILES as readonly string[]).includes(p) ? (p as (typeof INTERVAL_PERCENTILES)[number]) : undefined;
    specs.push({
      metric: `latency.${p}`,
      unit: 'ms',
      better: 'lower',
      base: base.latency[p],
      current: current.latency[p],
      ...(interval ? { samples: [intervalLatency(base, interval), intervalLatency(current, interval)] as [number[], number[]] } : {}),
      ...(interval && t.percentiles.includes(interval) ? { limit: t.latencyPct } : {}),
    });
  }
  if (base.serviceTime && current.serviceTime) {
    for (const p of ['p50', 'p99'] as const) specs.push({ metric: `serviceTime.${p}`, unit: 'ms', better: 'lower', base: base.serviceTime[p], current: current.serviceTime[p] });
  }
  for (const phase of Object.keys(current.phases)) {
    const b = base.phases[phase];
    const c = current.phases[phase]!;
    if (!b || b.count === 0 || c.count === 0) continue;
    for (const p of ['p50', 'p99'] as const) specs.push({ metric: `phase.${phase}.${p}`, unit: 'ms', better: 'lower', base: b[p], current: c[p] });
  }
  const metrics = specs.map((s) => measure(s, t));
  const regressions = metrics.filter((m) => m.regression).length;
  return {
    kind: 'load',
    base: loadRef(base, files.base),
    current: loadRef(current, files.current),
    thresholds: t,
    metrics,
    regressions,
    caveats: caveats(base, current),
    verdict: regressions > 0 ? 'regressed' : 'pass',
  };
}

function loadRef(run: LoadResult, file?: string): RunRef & LoadComparison['base'] {
  return {
    ...(file ? { file } : {}),
    target: run.target.name,
    description: run.target.description,
    startedAt: run.startedAt,
    model: run.model === 'open' ? `open loop, ${run.options.rate ?? '?'} msg/s` : 'closed loop',
    connections: run.connections,
    durationMs: run.durationMs,
    intervals: fullIntervals(run).length,
  };
}

/** Differences in setup that make the numbers hard to compare. */
function caveats(base: LoadResult, current: LoadResult): string[] {
  const out: string[] = [];
  const same = (what: string, a: unknown, b: unknown) => {
    const show = (v: unknown) => (v === undefined ? 'none' : typeof v === 'string' ? v : JSON.stringify(v));
    if (JSON.stringify(a) !== JSON.stringify(b)) out.push(`${what} differs: ${show(a)} → ${show(b)}`);
  };
  same('model', base.model, current.model);
  same('connections', base.connections, current.connections);
  same('rate', base.options.rate, current.options.rate);
  same('message size', base.options.size, current.options.size);
  same('recipients', base.options.rcpts, current.options.rcpts);
  same('messages per connection', base.options.perConnection, current.options.perConnection);
  same('pipelining', base.options.pipelining, current.options.pipelining);
  same('STARTTLS', base.options.starttls, current.options.starttls);
  same('workload', base.options.workload, current.options.workload);
  same('interval', base.timeline.intervalMs, current.timeline.intervalMs);
  return out;
}
