/**
 * Engine snapshots (one per worker thread) → the load JSON. Histograms are
 * added bucket by bucket, counters summed, timeline intervals merged by
 * index; nothing is averaged, so N workers report what one would.
 */
import { SIGNIFICANT_DIGITS } from './histograms.ts';
import { FastHistogram, type SparseCounts } from './fast-histogram.ts';
import type { RecorderSnapshot } from './recorder.ts';
import { TIMELINE_INTERVAL_MS } from './recorder.ts';
import type { LatencyStats, LoadResult, TimelineSample } from './types.ts';
import { PHASES } from './phases.ts';

export interface Merged {
  durationMs: number;
  messages: LoadResult['messages'];
  sessions: LoadResult['sessions'];
  latency: LatencyStats;
  serviceTime?: LatencyStats;
  phases: LoadResult['phases'];
  replies: LoadResult['replies'];
  errors: LoadResult['errors'];
  timeline: LoadResult['timeline'];
  histograms: LoadResult['histograms'];
  schedule: { intended: number; started: number; late: number; maxBacklog: number; maxLagMs: number };
}

const add = (into: Record<string, number>, from: Record<string, number>) => {
  for (const [k, v] of Object.entries(from)) into[k] = (into[k] ?? 0) + v;
};

/** Merges snapshots; `measureStartEpoch` is when measurement began (epoch ms). */
export function mergeSnapshots(snaps: readonly RecorderSnapshot[], measureStartEpoch: number, open: boolean): Merged {
  const latency = sum(snaps.map((s) => s.histograms.latency));
  const service = open ? sum(snaps.map((s) => s.histograms.serviceTime!).filter(Boolean)) : undefined;
  const phases: LoadResult['phases'] = {};
  const encodedPhases: Record<string, string> = {};
  for (const p of PHASES) {
    const list = snaps.map((s) => s.histograms.phases[p]).filter((x): x is SparseCounts => !!x);
    if (!list.length) continue;
    const h = sum(list);
    phases[p] = h.stats();
    encodedPhases[p] = h.encode();
  }
  const c = { total: 0, accepted: 0, rejected: 0, failed: 0, sessions: 0, pipelined: 0 };
  const classes = [0, 0, 0, 0];
  const codes: Record<string, number> = {};
  const rejections: Record<string, number> = {};
  const errors: Record<string, number> = {};
  const schedule = { intended: 0, started: 0, late: 0, maxBacklog: 0, maxLagMs: 0 };
  let lastEnd = 0;
  for (const s of snaps) {
    for (const k of Object.keys(c) as (keyof typeof c)[]) c[k] += s.counts[k];
    s.classes.forEach((n, i) => (classes[i]! += n));
    add(codes, s.codes);
    add(rejections, s.rejections);
    add(errors, s.errors);
    schedule.intended += s.schedule.intended;
    schedule.started += s.schedule.started;
    schedule.late += s.schedule.late;
    schedule.maxLagMs = Math.max(schedule.maxLagMs, s.schedule.maxLagMs);
    lastEnd = Math.max(lastEnd, s.lastEndEpoch);
  }
  const timeline = mergeTimeline(snaps);
  // One worker knows its exact deepest backlog; over several, the deepest interval sum is the figure.
  schedule.maxBacklog = snaps.length === 1 ? snaps[0]!.schedule.maxBacklog : Math.max(0, ...timeline.map((t) => t.backlog));
  const durationMs = lastEnd > measureStartEpoch ? lastEnd - measureStartEpoch : 0;
  const result: Merged = {
    durationMs: Math.round(durationMs * 1000) / 1000,
    messages: { ...pick(c, 'total', 'accepted', 'rejected', 'failed'), perSecond: durationMs > 0 ? Math.round((c.accepted / durationMs) * 1e6) / 1000 : 0 },
    sessions: { opened: c.sessions, pipelined: c.pipelined },
    latency: latency.stats(),
    serviceTime: service?.stats(),
    phases,
    replies: { '2xx': classes[0]!, '3xx': classes[1]!, '4xx': classes[2]!, '5xx': classes[3]!, codes, rejections },
    errors,
    timeline: { intervalMs: TIMELINE_INTERVAL_MS, samples: timeline },
    histograms: { unit: 'us', encoding: 'hdr-compressed-base64', significantDigits: SIGNIFICANT_DIGITS, latency: latency.encode(), serviceTime: service?.encode(), phases: encodedPhases },
    schedule,
  };
  return result;
}

/** One histogram of every list's buckets. */
function sum(list: readonly SparseCounts[]): FastHistogram {
  const h = new FastHistogram();
  for (const s of list) h.add(s);
  return h;
}

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

function mergeTimeline(snaps: readonly RecorderSnapshot[]): TimelineSample[] {
  const acc = new TimelineSum(TIMELINE_INTERVAL_MS);
  for (const snap of snaps) {
    for (const iv of snap.timeline) {
      const [r2, r3, r4, r5] = iv.replies;
      const latency = iv.latency;
      acc.add(iv.index, iv, { '2xx': r2, '3xx': r3, '4xx': r4, '5xx': r5 }, latency && ((h) => h.add(latency)));
    }
  }
  return acc.samples();
}

type Outcomes = Pick<TimelineSample, 'started' | 'accepted' | 'rejected' | 'failed' | 'backlog'>;

/**
 * Timeline samples added up by interval index: the workers of one run, or
 * runs lined up (merge-runs.ts). Each interval's latency histogram is built
 * from its parts only when the samples are read, in one reused histogram.
 */
export class TimelineSum {
  private readonly by = new Map<number, { s: TimelineSample; parts: ((h: FastHistogram) => void)[] }>();

  constructor(private readonly intervalMs: number) {}

  add(index: number, x: Outcomes, replies: TimelineSample['replies'], latency?: (h: FastHistogram) => void): void {
    let e = this.by.get(index);
    if (!e) {
      const s: TimelineSample = { t: index * this.intervalMs, started: 0, accepted: 0, rejected: 0, failed: 0, backlog: 0, replies: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, latency: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 } };
      this.by.set(index, (e = { s, parts: [] }));
    }
    const s = e.s;
    s.started += x.started;
    s.accepted += x.accepted;
    s.rejected += x.rejected;
    s.failed += x.failed;
    s.backlog += x.backlog;
    for (const k of ['2xx', '3xx', '4xx', '5xx'] as const) s.replies[k] += replies[k];
    if (latency) e.parts.push(latency);
  }

  /** In time order, each with its interval's latency percentiles and encoded histogram. */
  samples(): TimelineSample[] {
    const h = new FastHistogram();
    return [...this.by.keys()]
      .sort((a, b) => a - b)
      .map((index) => {
        const { s, parts } = this.by.get(index)!;
        h.reset();
        for (const add of parts) add(h);
        if (h.count > 0) {
          const { count, p50, p90, p99, max } = h.stats();
          s.latency = { count, p50, p90, p99, max };
          s.histogram = h.encode();
        }
        return s;
      });
  }
}
