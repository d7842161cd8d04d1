/**
 * Load results of runs made at the same time from several machines (or
 * processes) against one server → one result, as if one harness had made
 * them all. Histograms add bucket for bucket, so percentiles are exact, not
 * averaged; counts sum; the measured time spans the first run's
 * `measuredFrom` to the last run's end, and timelines line up on each run's
 * `measuredFrom`, rounded to whole intervals. The machines' clocks must agree
 * (NTP) to well within an interval for the timeline and the rate to mean
 * anything.
 */
import { SmtpTestError } from '../errors.ts';
import { toolInfo } from '../version.ts';
import { FastHistogram } from './fast-histogram.ts';
import { TimelineSum } from './merge.ts';
import { PHASES } from './phases.ts';
import type { LoadResult, TimelineSample } from './types.ts';

export interface MergedRuns {
  result: LoadResult;
  /** Options that differ between the runs (the merged figures still hold; the mix is the user's to judge). */
  warnings: string[];
}

const bad = (why: string) => new SmtpTestError('E_CONFIG', `merge: ${why}`);

/** Merges runs (each labelled, e.g. by file name, for messages). Assertions are left empty. */
export function mergeRuns(runs: readonly { label: string; run: LoadResult }[]): MergedRuns {
  if (runs.length === 0) throw bad('no runs to merge');
  const first = runs[0]!.run;
  const intervalMs = first.timeline.intervalMs;
  for (const { label, run } of runs) {
    if (run.model !== first.model) throw bad(`${label} is a ${run.model}-loop run and ${runs[0]!.label} a ${first.model}-loop one: their latencies do not measure the same thing`);
    if (run.timeline.intervalMs !== intervalMs) throw bad(`${label} has ${run.timeline.intervalMs} ms timeline intervals, ${runs[0]!.label} ${intervalMs} ms`);
    if (run.histograms.significantDigits !== first.histograms.significantDigits) throw bad(`${label}'s histograms have ${run.histograms.significantDigits} significant digits, ${runs[0]!.label}'s ${first.histograms.significantDigits}`);
    if (!run.measuredFrom || run.timeline.samples.some((s) => s.latency.count > 0 && !s.histogram)) {
      throw bad(`${label} has no measuredFrom or no interval histograms (written by an smtptest that could not merge): run it again to merge it`);
    }
  }
  const from = runs.map(({ run }) => Date.parse(run.measuredFrom!));
  const start = Math.min(...from);
  const end = Math.max(...runs.map(({ run }, i) => from[i]! + run.durationMs));
  const durationMs = end - start;

  const latency = new FastHistogram();
  const service = first.model === 'open' ? new FastHistogram() : undefined;
  const phaseHists = new Map<string, FastHistogram>();
  for (const { run } of runs) {
    latency.addEncoded(run.histograms.latency);
    if (service && run.histograms.serviceTime) service.addEncoded(run.histograms.serviceTime);
    for (const [p, b64] of Object.entries(run.histograms.phases)) {
      let h = phaseHists.get(p);
      if (!h) phaseHists.set(p, (h = new FastHistogram()));
      h.addEncoded(b64);
    }
  }
  const phaseOrder = (p: string) => ((PHASES as readonly string[]).indexOf(p) + 1 || PHASES.length + 1);
  const phaseNames = [...phaseHists.keys()].sort((a, b) => phaseOrder(a) - phaseOrder(b));

  const all = runs.map((r) => r.run);
  const sum = (f: (r: LoadResult) => number) => all.reduce((n, r) => n + f(r), 0);
  const counts = (f: (r: LoadResult) => Record<string, number>) => {
    const out: Record<string, number> = {};
    for (const r of all) for (const [k, v] of Object.entries(f(r))) out[k] = (out[k] ?? 0) + v;
    return out;
  };
  const timeline = mergeTimelines(all, from, start, intervalMs);
  const accepted = sum((r) => r.messages.accepted);
  const opts = all.map((r) => r.options);
  const allDefined = <T>(xs: (T | undefined)[]): xs is T[] => xs.every((x) => x !== undefined);
  const messages = opts.map((o) => o.messages);
  const rates = opts.map((o) => o.rate);
  const durations = opts.map((o) => o.durationS);

  const result: LoadResult = {
    schemaVersion: 1,
    tool: toolInfo(),
    target: mergedTarget(all),
    startedAt: new Date(Math.min(...all.map((r) => Date.parse(r.startedAt)))).toISOString(),
    measuredFrom: new Date(start).toISOString(),
    model: first.model,
    connections: sum((r) => r.connections),
    workers: sum((r) => r.workers),
    options: {
      ...first.options,
      messages: allDefined(messages) ? messages.reduce((a, b) => a + b, 0) : undefined,
      durationS: allDefined(durations) ? Math.max(...durations) : undefined,
      rate: allDefined(rates) ? rates.reduce((a, b) => a + b, 0) : undefined,
    },
    durationMs: Math.round(durationMs * 1000) / 1000,
    messages: {
      total: sum((r) => r.messages.total),
      accepted,
      rejected: sum((r) => r.messages.rejected),
      failed: sum((r) => r.messages.failed),
      perSecond: durationMs > 0 ? Math.round((accepted / durationMs) * 1e6) / 1000 : 0,
    },
    sessions: { opened: sum((r) => r.sessions.opened), pipelined: sum((r) => r.sessions.pipelined) },
    latency: latency.stats(),
    serviceTime: service?.stats(),
    phases: Object.fromEntries(phaseNames.map((p) => [p, phaseHists.get(p)!.stats()])),
    schedule:
      first.model === 'open'
        ? {
            rate: sum((r) => r.schedule?.rate ?? 0),
            intended: sum((r) => r.schedule?.intended ?? 0),
            started: sum((r) => r.schedule?.started ?? 0),
            late: sum((r) => r.schedule?.late ?? 0),
            lateThresholdMs: Math.max(...all.map((r) => r.schedule?.lateThresholdMs ?? 0)),
            // Each run knows its own deepest backlog; together, the deepest interval sum is the figure (as for workers).
            maxBacklog: all.length === 1 ? (first.schedule?.maxBacklog ?? 0) : Math.max(0, ...timeline.map((t) => t.backlog)),
            maxLagMs: Math.max(...all.map((r) => r.schedule?.maxLagMs ?? 0)),
          }
        : undefined,
    replies: {
      '2xx': sum((r) => r.replies['2xx']),
      '3xx': sum((r) => r.replies['3xx']),
      '4xx': sum((r) => r.replies['4xx']),
      '5xx': sum((r) => r.replies['5xx']),
      codes: counts((r) => r.replies.codes),
      rejections: counts((r) => r.replies.rejections),
    },
    errors: counts((r) => r.errors),
    timeline: { intervalMs, samples: timeline },
    histograms: {
      unit: 'us',
      encoding: 'hdr-compressed-base64',
      significantDigits: first.histograms.significantDigits,
      latency: latency.encode(),
      serviceTime: service?.encode(),
      phases: Object.fromEntries(phaseNames.map((p) => [p, phaseHists.get(p)!.encode()])),
    },
    resources: {
      // Per machine, the largest; CPU is what all of them spent.
      peakRssBytes: Math.max(...all.map((r) => r.resources.peakRssBytes)),
      cpuUserMs: sum((r) => r.resources.cpuUserMs),
      cpuSystemMs: sum((r) => r.resources.cpuSystemMs),
      ...(all.every((r) => r.resources.measuredCpuUserMs !== undefined && r.resources.measuredCpuSystemMs !== undefined)
        ? { measuredCpuUserMs: sum((r) => r.resources.measuredCpuUserMs!), measuredCpuSystemMs: sum((r) => r.resources.measuredCpuSystemMs!) }
        : {}),
    },
    assertions: [],
  };
  return { result, warnings: differences(runs) };
}

/** Samples of every run, each moved by its run's start (whole intervals) and added by interval. */
function mergeTimelines(all: readonly LoadResult[], from: readonly number[], start: number, intervalMs: number): TimelineSample[] {
  const acc = new TimelineSum(intervalMs);
  all.forEach((run, r) => {
    const shift = Math.round((from[r]! - start) / intervalMs);
    for (const x of run.timeline.samples) {
      const encoded = x.histogram;
      acc.add(Math.round(x.t / intervalMs) + shift, x, x.replies, encoded ? (h) => h.addEncoded(encoded) : undefined);
    }
  });
  return acc.samples();
}

function mergedTarget(all: readonly LoadResult[]): LoadResult['target'] {
  const t = all[0]!.target;
  const names = [...new Set(all.map((r) => `${r.target.name}`))];
  const addrs = [...new Set(all.map((r) => `${r.target.host}:${r.target.port}`))];
  if (names.length === 1 && addrs.length === 1) return t;
  return { ...t, name: names.join(' + '), description: `${all.length} runs against ${addrs.join(', ')}` };
}

/** Options that are not the same in every run (message size, recipients, pipelining…). */
function differences(runs: readonly { label: string; run: LoadResult }[]): string[] {
  const keys = ['perConnection', 'size', 'rcpts', 'pipelining', 'starttls', 'warmupS', 'workload'] as const;
  const out: string[] = [];
  for (const k of keys) {
    const vals = runs.map(({ label, run }) => `${label}: ${String(run.options[k] ?? '(none)')}`);
    if (new Set(runs.map(({ run }) => String(run.options[k]))).size > 1) out.push(`runs differ in ${k} (${vals.join('; ')})`);
  }
  return out;
}
