/**
 * The load part of the report model: a load run's figures, its timeline as
 * chart series, and the latency percentile spectrum decoded from its HDR
 * histograms (whole transaction, service time, each phase).
 */
import * as hdr from 'hdr-histogram-js';
import { PHASES, type LatencyStats, type LoadResult, type TimelineSample } from '../../harness/load/types.ts';

export interface SpectrumSeries {
  /** 'transaction', 'service time', or a phase name. */
  name: string;
  count: number;
  /** Latency in ms at each of the model's percentiles (null past the last the histogram supports). */
  values: (number | null)[];
}

export interface Spectrum {
  /** Percentiles, HdrHistogram style: 0, 50, 75, 87.5, … (halving the distance to 100), then 100. */
  percentiles: number[];
  series: SpectrumSeries[];
}

export interface LoadModel {
  label: string;
  target: LoadResult['target'];
  startedAt: string;
  durationMs: number;
  model: LoadResult['model'];
  connections: number;
  workers: number;
  options: LoadResult['options'];
  messages: LoadResult['messages'];
  sessions: LoadResult['sessions'];
  schedule?: LoadResult['schedule'];
  /** Whole transaction (corrected for coordinated omission in the open loop). */
  latency: LatencyStats;
  /** Open loop: the uncorrected figure, from actual start. */
  serviceTime?: LatencyStats;
  phases: { name: string; stats: LatencyStats }[];
  /** Transaction spectrum (and service time, open loop). */
  spectrum: Spectrum;
  /** One spectrum with a series per phase. */
  phaseSpectrum: Spectrum;
  timeline: {
    intervalMs: number;
    /** Interval start, seconds. */
    t: number[];
    acceptedPerS: number[];
    startedPerS: number[];
    rejectedPerS: number[];
    failedPerS: number[];
    /** Open loop: deepest backlog of due-but-unstarted messages per interval. */
    backlog: number[];
    replies: Record<'2xx' | '3xx' | '4xx' | '5xx', number[]>;
    p50: (number | null)[];
    p99: (number | null)[];
  };
  replies: { classes: Record<'2xx' | '3xx' | '4xx' | '5xx', number>; codes: [string, number][]; rejections: [string, number][] };
  /** Errors by kind and phase ("reset@rcpt" → kind reset, phase rcpt). */
  errors: { kind: string; phase: string; count: number }[];
  assertions: LoadResult['assertions'];
  resources: LoadResult['resources'];
}

/** 0, 10 … 50, then halving the distance to 100 until the histogram runs out of samples. */
export function spectrumPercentiles(maxCount: number): number[] {
  const out = [0, 10, 20, 30, 40, 50];
  let gap = 50;
  // Stop once fewer than one sample lies beyond the percentile; cap the depth at 99.9999.
  while (gap / 2 >= 0.0001 && (gap / 2 / 100) * maxCount >= 1) {
    gap /= 2;
    out.push(100 - gap);
  }
  out.push(100);
  return out;
}

function decode(encoded: string | undefined): hdr.Histogram | undefined {
  if (!encoded) return undefined;
  try {
    return hdr.decodeFromCompressedBase64(encoded);
  } catch {
    return undefined;
  }
}

/** Values in ms (histograms hold µs), rounded to the microsecond. */
function valuesAt(h: hdr.Histogram, percentiles: number[]): (number | null)[] {
  if (h.totalCount === 0) return percentiles.map(() => null);
  return percentiles.map((p) => Math.round(h.getValueAtPercentile(p)) / 1000);
}

function spectrumOf(entries: { name: string; encoded: string | undefined }[]): Spectrum {
  const decoded = entries.map((e) => ({ name: e.name, h: decode(e.encoded) })).filter((e): e is { name: string; h: hdr.Histogram } => !!e.h && e.h.totalCount > 0);
  const percentiles = spectrumPercentiles(Math.max(0, ...decoded.map((d) => d.h.totalCount)));
  const series = decoded.map((d) => {
    // Past 1/count a series has nothing to say: leave those points empty rather than repeat the max.
    const values = valuesAt(d.h, percentiles).map((v, i) => (percentiles[i] === 100 || ((100 - percentiles[i]!) / 100) * d.h.totalCount >= 1 ? v : null));
    return { name: d.name, count: d.h.totalCount, values };
  });
  for (const d of decoded) d.h.destroy();
  return { percentiles, series };
}

export function buildLoadModel(run: LoadResult, index = 0, label?: string): LoadModel {
  const { intervalMs } = run.timeline;
  // The last interval may be cut short by the end of the run: scale it by its real length, or drop a sliver.
  const lengthMs = (s: TimelineSample) => Math.min(intervalMs, Math.max(0, run.durationMs - s.t));
  const samples = run.timeline.samples.filter((s) => lengthMs(s) >= intervalMs / 2);
  const perS = (f: (s: TimelineSample) => number) => samples.map((s) => round(f(s) / (lengthMs(s) / 1000)));
  const phaseNames = [...PHASES.filter((p) => run.phases[p]), ...Object.keys(run.phases).filter((p) => !(PHASES as readonly string[]).includes(p))];
  return {
    label: label ?? `${run.target.name} · ${run.model} loop · ${run.connections} conn${index ? ` (#${index + 1})` : ''}`,
    target: run.target,
    startedAt: run.startedAt,
    durationMs: run.durationMs,
    model: run.model,
    connections: run.connections,
    workers: run.workers,
    options: run.options,
    messages: run.messages,
    sessions: run.sessions,
    ...(run.schedule ? { schedule: run.schedule } : {}),
    latency: run.latency,
    ...(run.serviceTime ? { serviceTime: run.serviceTime } : {}),
    phases: phaseNames.filter((p) => run.phases[p]!.count > 0).map((name) => ({ name, stats: run.phases[name]! })),
    spectrum: spectrumOf([
      { name: run.model === 'open' ? 'transaction (corrected)' : 'transaction', encoded: run.histograms.latency },
      ...(run.model === 'open' ? [{ name: 'service time (uncorrected)', encoded: run.histograms.serviceTime }] : []),
    ]),
    phaseSpectrum: spectrumOf(phaseNames.map((name) => ({ name, encoded: run.histograms.phases[name] }))),
    timeline: {
      intervalMs: run.timeline.intervalMs,
      t: samples.map((s) => round(s.t / 1000)),
      acceptedPerS: perS((s) => s.accepted),
      startedPerS: perS((s) => s.started),
      rejectedPerS: perS((s) => s.rejected),
      failedPerS: perS((s) => s.failed),
      backlog: samples.map((s) => s.backlog ?? 0),
      replies: {
        '2xx': perS((s) => s.replies['2xx']),
        '3xx': perS((s) => s.replies['3xx']),
        '4xx': perS((s) => s.replies['4xx']),
        '5xx': perS((s) => s.replies['5xx']),
      },
      p50: samples.map((s) => (s.latency.count ? s.latency.p50 : null)),
      p99: samples.map((s) => (s.latency.count ? s.latency.p99 : null)),
    },
    replies: {
      classes: { '2xx': run.replies['2xx'], '3xx': run.replies['3xx'], '4xx': run.replies['4xx'], '5xx': run.replies['5xx'] },
      codes: sortedEntries(run.replies.codes),
      rejections: sortedEntries(run.replies.rejections),
    },
    errors: Object.entries(run.errors)
      .map(([key, count]) => {
        const [kind, phase] = key.split('@');
        return { kind: kind!, phase: phase ?? '', count };
      })
      .sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind) || a.phase.localeCompare(b.phase)),
    assertions: run.assertions,
    resources: run.resources,
  };
}

function sortedEntries(r: Record<string, number>): [string, number][] {
  return Object.entries(r).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
