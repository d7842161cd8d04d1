/**
 * Engine snapshots (one per worker thread) → the load JSON. Histograms are
 * added bucket by bucket, counters summed, timeline intervals merged by
 * index; nothing is averaged, so N workers report what one would.
 */
import { mergeEncoded, encode, stats, SIGNIFICANT_DIGITS } from './histograms.ts';
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
  const latency = mergeEncoded(snaps.map((s) => s.histograms.latency));
  const service = open ? mergeEncoded(snaps.map((s) => s.histograms.serviceTime!).filter(Boolean)) : undefined;
  const phases: LoadResult['phases'] = {};
  const encodedPhases: Record<string, string> = {};
  for (const p of PHASES) {
    const list = snaps.map((s) => s.histograms.phases[p]).filter((x): x is string => !!x);
    if (!list.length) continue;
    const h = mergeEncoded(list);
    phases[p] = stats(h);
    encodedPhases[p] = encode(h);
    h.destroy();
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
    latency: stats(latency),
    serviceTime: service ? stats(service) : undefined,
    phases,
    replies: { '2xx': classes[0]!, '3xx': classes[1]!, '4xx': classes[2]!, '5xx': classes[3]!, codes, rejections },
    errors,
    timeline: { intervalMs: TIMELINE_INTERVAL_MS, samples: timeline },
    histograms: { unit: 'us', encoding: 'hdr-compressed-base64', significantDigits: SIGNIFICANT_DIGITS, latency: encode(latency), serviceTime: service ? encode(service) : undefined, phases: encodedPhases },
    schedule,
  };
  latency.destroy();
  service?.destroy();
  return result;
}

function pick<T extends object, K extends keyof T>(o: T, ...keys: K[]): Pick<T, K> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Pick<T, K>;
}

function mergeTimeline(snaps: readonly RecorderSnapshot[]): TimelineSample[] {
  const by = new Map<number, { s: TimelineSample; hists: string[] }>();
  for (const snap of snaps) {
    for (const iv of snap.timeline) {
      let e = by.get(iv.index);
      if (!e) {
        e = { s: { t: iv.index * TIMELINE_INTERVAL_MS, started: 0, accepted: 0, rejected: 0, failed: 0, backlog: 0, replies: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 }, latency: { count: 0, p50: 0, p90: 0, p99: 0, max: 0 } }, hists: [] };
        by.set(iv.index, e);
      }
      const s = e.s;
      s.started += iv.started;
      s.accepted += iv.accepted;
      s.rejected += iv.rejected;
      s.failed += iv.failed;
      s.backlog += iv.backlog;
      s.replies['2xx'] += iv.replies[0];
      s.replies['3xx'] += iv.replies[1];
      s.replies['4xx'] += iv.replies[2];
      s.replies['5xx'] += iv.replies[3];
      if (iv.latency) e.hists.push(iv.latency);
    }
  }
  const out: TimelineSample[] = [];
  for (const index of [...by.keys()].sort((a, b) => a - b)) {
    const { s, hists } = by.get(index)!;
    if (hists.length) {
      const h = mergeEncoded(hists);
      const ms = (us: number) => Math.round(us) / 1000;
      s.latency = { count: h.totalCount, p50: ms(h.getValueAtPercentile(50)), p90: ms(h.getValueAtPercentile(90)), p99: ms(h.getValueAtPercentile(99)), max: ms(h.maxValue) };
      h.destroy();
    }
    out.push(s);
  }
  return out;
}
