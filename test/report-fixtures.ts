/**
 * Fixtures for the report, compare and browser tests: a hand-written
 * conformance run (every status, two suites, transcripts) and synthetic load
 * runs drawn from a seeded lognormal, with real HdrHistogram encodings.
 */
import * as hdr from 'hdr-histogram-js';
import { LoadResultSchema, type LatencyStats, type LoadResult, type TimelineSample } from '../harness/load/types.ts';
import type { RunResult, ScenarioResult } from '../harness/runner/types.ts';
import { summarise } from '../harness/runner/index.ts';
import { failsRun } from '../harness/runner/types.ts';
import { seededRandom } from '../reports/compare/stats.ts';

const T0 = '2026-01-02T03:04:05.000Z';

function scenario(id: string, suite: string, section: string, level: 'MUST' | 'SHOULD' | 'MAY', rest: Partial<ScenarioResult> & { status: ScenarioResult['status'] }): ScenarioResult {
  return {
    id,
    title: `${id.toLowerCase().replace(/-/g, ' ')} behaves`,
    suite,
    file: `/repo/suites/${suite}.yaml`,
    rfc: '5321',
    section,
    level,
    durationMs: 12,
    transcript: [
      { dir: 'S', atMs: 1.5, text: '220 mx.example ESMTP\r\n' },
      { dir: 'C', atMs: 2.25, text: 'EHLO client.example\r\n' },
      { dir: 'S', atMs: 3.125, text: '250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n' },
    ],
    ...rest,
  } as ScenarioResult;
}

/** A run with every status; `variant` 'b' changes some outcomes (for matrix and compare tests). */
export function conformanceRun(variant: 'a' | 'b' = 'a', targetName = variant === 'a' ? 'alpha' : 'beta'): RunResult {
  const scenarios: ScenarioResult[] = [
    scenario('GREET-220', 'greeting', '3.1', 'MUST', { status: 'passed' }),
    scenario('EHLO-250', 'greeting', '4.1.1.1', 'MUST', { status: 'passed' }),
    variant === 'a'
      ? scenario('DATA-DOT', 'data', '4.5.2', 'MUST', {
          status: 'failed',
          failure: { step: 3, line: 42, stepText: 'expect: 250', expected: '250', actual: '554 5.6.0 bare LF\r\n', message: 'wrong reply code' },
          transcript: [
            { dir: 'S', atMs: 1, text: '220 mx.example ESMTP\r\n' },
            { dir: 'C', atMs: 2, text: 'DATA\r\n' },
            { dir: 'S', atMs: 3, text: '354 go ahead\r\n' },
            { dir: 'C', atMs: 4, text: 'a\nb\x00<script>\r\n.\r\n' },
            { dir: 'S', atMs: 5, text: '554 5.6.0 bare LF\r\n' },
            { dir: '*', atMs: 6, text: 'closed by server' },
          ],
        })
      : scenario('DATA-DOT', 'data', '4.5.2', 'MUST', { status: 'passed' }),
    scenario('DATA-LONG-LINE', 'data', '4.5.3.1.6', 'SHOULD', {
      status: 'failed',
      failure: { step: 1, line: 60, stepText: 'expect: 500', expected: '500', actual: '250 ok\r\n', message: 'wrong reply code' },
    }),
    variant === 'a'
      ? scenario('DATA-TIMEOUT', 'data', '4.5.3.2', 'MAY', { status: 'skipped', skipReason: 'needs mailbox' })
      : scenario('DATA-TIMEOUT', 'data', '4.5.3.2', 'MAY', { status: 'errored', error: { code: 'E_CONNECT', message: 'connection reset', step: 0 } }),
    scenario('GREET-CLOSE', 'greeting', '3.8', 'MUST', { status: 'errored', error: { code: 'E_CONNECT', message: 'connect ECONNREFUSED', step: -1 } }),
    ...(variant === 'b' ? [scenario('EHLO-SIZE', 'greeting', '4.1.1.1', 'MAY', { status: 'passed' })] : []),
  ];
  return {
    schemaVersion: 1,
    tool: { name: 'smtptest', version: '0.1.0', node: 'v20.20.2' },
    target: {
      name: targetName,
      host: '127.0.0.1',
      port: 2525,
      description: `${targetName} 1.0 (fixture)`,
      capabilities: { greeting: 'mx.example ESMTP', keywords: { PIPELINING: [], SIZE: ['1000000'] } },
    },
    startedAt: T0,
    durationMs: 345,
    options: { profile: 'strict', strict: false, timeoutScale: 1, replyTimeoutMs: 5000, concurrency: 8 },
    summary: summarise(scenarios, false),
    verdict: scenarios.some((r) => failsRun(r, false)) ? 'fail' : 'pass',
    scenarios,
  };
}

export interface SynthLoadOptions {
  seed: number;
  intervals?: number;
  intervalMs?: number;
  /** Messages completed per interval (about: ±5% noise). */
  perInterval?: number;
  medianMs?: number;
  sigma?: number;
  /** Multiplies every latency (1.3 = 30% slower). */
  latencyScale?: number;
  model?: 'closed' | 'open';
  /** One message in this many is rejected at RCPT; one in 10× this many fails (reset). 0: none. */
  rejectEvery?: number;
}

const PHASE_SHARE: [string, number][] = [
  ['connect', 0.03],
  ['greeting', 0.04],
  ['ehlo', 0.06],
  ['mail', 0.1],
  ['rcpt', 0.12],
  ['data', 0.1],
  ['eod', 0.5],
  ['quit', 0.05],
];

function newHistogram(): hdr.Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3_600_000_000, numberOfSignificantValueDigits: 3 });
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

function stats(values: number[]): LatencyStats {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const mean = n ? s.reduce((a, b) => a + b, 0) / n : 0;
  const sd = n ? Math.sqrt(s.reduce((a, b) => a + (b - mean) ** 2, 0) / n) : 0;
  const r = (x: number) => Math.round(x * 1000) / 1000;
  return { count: n, min: r(s[0] ?? 0), p50: r(quantile(s, 0.5)), p90: r(quantile(s, 0.9)), p97_5: r(quantile(s, 0.975)), p99: r(quantile(s, 0.99)), p99_9: r(quantile(s, 0.999)), max: r(s[n - 1] ?? 0), mean: r(mean), stddev: r(sd) };
}

/** A synthetic load result that passes LoadResultSchema. */
export function synthLoad(o: SynthLoadOptions): LoadResult {
  const rand = seededRandom(o.seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const intervals = o.intervals ?? 20;
  const intervalMs = o.intervalMs ?? 1000;
  const perInterval = o.perInterval ?? 200;
  const median = (o.medianMs ?? 20) * (o.latencyScale ?? 1);
  const sigma = o.sigma ?? 0.5;
  const model = o.model ?? 'closed';
  const rejectEvery = o.rejectEvery ?? 0;
  const hLat = newHistogram();
  const hSvc = newHistogram();
  const hPhase = new Map(PHASE_SHARE.map(([p]) => [p, newHistogram()]));
  const all: number[] = [];
  const svc: number[] = [];
  const phaseValues = new Map<string, number[]>(PHASE_SHARE.map(([p]) => [p, []]));
  const samples: TimelineSample[] = [];
  let accepted = 0;
  let rejected = 0;
  let failed = 0;
  let seq = 0;
  for (let i = 0; i < intervals; i++) {
    const n = Math.round(perInterval * (1 + 0.1 * (rand() - 0.5)));
    const lat: number[] = [];
    const s = { t: i * intervalMs, started: n, accepted: 0, rejected: 0, failed: 0, replies: { '2xx': 0, '3xx': 0, '4xx': 0, '5xx': 0 } };
    for (let k = 0; k < n; k++, seq++) {
      const ms = median * Math.exp(sigma * gauss());
      const isFail = rejectEvery > 0 && seq % (rejectEvery * 10) === rejectEvery * 10 - 1;
      const isReject = !isFail && rejectEvery > 0 && seq % rejectEvery === rejectEvery - 1;
      s.replies['2xx'] += isReject ? 4 : 6;
      if (!isReject && !isFail) s.replies['3xx']++;
      if (isFail) {
        s.failed++;
        continue;
      }
      if (isReject) {
        s.rejected++;
        s.replies['5xx']++;
      } else s.accepted++;
      lat.push(ms);
      all.push(ms);
      hLat.recordValue(Math.max(1, Math.round(ms * 1000)));
      const service = model === 'open' ? ms * (0.7 + 0.2 * rand()) : ms;
      svc.push(service);
      hSvc.recordValue(Math.max(1, Math.round(service * 1000)));
      for (const [p, share] of PHASE_SHARE) {
        const v = ms * share * (0.8 + 0.4 * rand());
        phaseValues.get(p)!.push(v);
        hPhase.get(p)!.recordValue(Math.max(1, Math.round(v * 1000)));
      }
    }
    accepted += s.accepted;
    rejected += s.rejected;
    failed += s.failed;
    const st = stats(lat);
    samples.push({ ...s, backlog: model === 'open' ? i % 4 : 0, latency: { count: st.count, p50: st.p50, p90: st.p90, p99: st.p99, max: st.max } });
  }
  const durationMs = intervals * intervalMs;
  const total = accepted + rejected + failed;
  const encode = (h: hdr.Histogram) => {
    const e = hdr.encodeIntoCompressedBase64(h);
    h.destroy();
    return e;
  };
  const run: LoadResult = {
    schemaVersion: 1,
    tool: { name: 'smtptest', version: '0.1.0', node: 'v20.20.2' },
    target: { name: 'sink', host: '127.0.0.1', port: 2526, description: 'sink (fixture)' },
    startedAt: T0,
    model,
    connections: 16,
    workers: 2,
    options: {
      ...(model === 'open' ? { rate: (perInterval * 1000) / intervalMs } : {}),
      durationS: durationMs / 1000,
      perConnection: 'unlimited',
      size: '1000',
      rcpts: 1,
      pipelining: true,
      starttls: false,
      warmupS: 1,
    },
    durationMs,
    messages: { total, accepted, rejected, failed, perSecond: Math.round((accepted / (durationMs / 1000)) * 100) / 100 },
    sessions: { opened: 16, pipelined: 16 },
    latency: stats(all),
    ...(model === 'open' ? { serviceTime: stats(svc) } : {}),
    phases: Object.fromEntries(PHASE_SHARE.map(([p]) => [p, stats(phaseValues.get(p)!)])),
    ...(model === 'open'
      ? { schedule: { rate: (perInterval * 1000) / intervalMs, intended: total, started: total, late: Math.round(total / 50), lateThresholdMs: 1, maxBacklog: 7, maxLagMs: 12.5 } }
      : {}),
    replies: {
      '2xx': samples.reduce((a, s) => a + s.replies['2xx'], 0),
      '3xx': samples.reduce((a, s) => a + s.replies['3xx'], 0),
      '4xx': 0,
      '5xx': rejected,
      codes: { '250': accepted * 5, '354': accepted, '220': 16, ...(rejected ? { '550 5.1.1': rejected } : {}) },
      rejections: rejected ? { 'rcpt 550 5.1.1': rejected } : {},
    },
    errors: failed ? { 'reset@eod': Math.ceil(failed / 2), 'timeout@data': Math.floor(failed / 2) } : {},
    timeline: { intervalMs, samples },
    histograms: {
      unit: 'us',
      encoding: 'hdr-compressed-base64',
      significantDigits: 3,
      latency: encode(hLat),
      ...(model === 'open' ? { serviceTime: encode(hSvc) } : {}),
      phases: Object.fromEntries([...hPhase].map(([p, h]) => [p, encode(h)])),
    },
    resources: { peakRssBytes: 80 * 1048576, cpuUserMs: 1200, cpuSystemMs: 300 },
    assertions: [
      { expr: 'p99 < 500ms', passed: true, actual: 90, message: 'p99 90 ms < 500 ms' },
      { expr: 'errors < 0.1%', passed: failed === 0, actual: total ? (100 * failed) / total : 0, message: 'error rate' },
    ],
  };
  if (model !== 'open') hSvc.destroy();
  return LoadResultSchema.parse(run);
}
