/**
 * Histograms merge exactly: encoded ones and the hot path's (bucket counts add), and
 * across worker threads (--workers 2 on an open-loop schedule gives the
 * same counts as one worker on the same schedule).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Histogram } from 'hdr-histogram-js';
import { decode, encode, HIGHEST_US, newHistogram } from '../harness/load/histograms.ts';
import { FastHistogram } from '../harness/load/fast-histogram.ts';
import { runLoad } from '../harness/load/index.ts';
import { PHASES } from '../harness/load/phases.ts';
import { mulberry32 } from '../harness/load/random.ts';
import type { LatencyStats } from '../harness/load/types.ts';
import { startSink, type StartedSink } from '../targets/sink/index.ts';

// The reference: hdr-histogram-js itself, fed and read the obvious way.
function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(us < 0 ? 0 : us > HIGHEST_US ? HIGHEST_US : us);
}
function stats(h: Histogram): LatencyStats {
  const ms = (us: number) => Math.round(us) / 1000;
  if (h.totalCount === 0) return { count: 0, min: 0, p50: 0, p90: 0, p97_5: 0, p99: 0, p99_9: 0, max: 0, mean: 0, stddev: 0 };
  const p = (q: number) => ms(h.getValueAtPercentile(q));
  const min = h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue;
  return { count: h.totalCount, min: ms(min), p50: p(50), p90: p(90), p97_5: p(97.5), p99: p(99), p99_9: p(99.9), max: p(100), mean: ms(h.mean), stddev: ms(h.stdDeviation) };
}

describe('encoded histograms', () => {
  it('of two parts add up to the histogram of everything', () => {
    const rng = mulberry32(42);
    const all = newHistogram();
    const a = newHistogram();
    const b = newHistogram();
    for (let i = 0; i < 20_000; i++) {
      const ms = Math.exp(rng() * 8) / 10; // 0.1 ms .. 300 ms, skewed
      recordMs(all, ms);
      recordMs(i % 3 === 0 ? a : b, ms);
    }
    const merged = new FastHistogram();
    merged.addEncoded(encode(a));
    merged.addEncoded(encode(b));
    expect(merged.count).toBe(all.totalCount);
    expect(merged.encode()).toBe(encode(all));
    expect(merged.stats()).toEqual(stats(decode(encode(all))));
  });
});

describe('the hot-path recorder', () => {
  it('puts every value in the bucket hdr-histogram-js would', () => {
    const rng = mulberry32(9);
    const fast = new FastHistogram();
    const ref = newHistogram();
    const values = [0, 0.0004, 0.001, 1.0235, 2.047, 2.048, 2.049, 1000, 3_600_000, 4_000_000, -1];
    for (let i = 0; i < 50_000; i++) values.push(Math.exp(rng() * 22) / 1000); // 1 µs .. ~1 h
    for (const ms of values) {
      fast.recordMs(ms);
      recordMs(ref, ms);
    }
    const h = fast.toHdr();
    expect(h.totalCount).toBe(values.length);
    expect(encode(h)).toBe(encode(ref));
  });

  it('gives the statistics hdr-histogram-js gives, and its buckets add exactly', () => {
    const rng = mulberry32(5);
    const cases: number[][] = [[], [0], [0, 0.001], [2.047, 2.048, 2.049], [3_600_000]];
    // Skewed (1 µs .. ~1 h), narrow (5.000–5.100 ms: one or two buckets deep) and bimodal samples.
    cases.push(Array.from({ length: 30_000 }, () => Math.exp(rng() * 22) / 1000));
    cases.push(Array.from({ length: 10_000 }, () => 5 + rng() / 10));
    cases.push(Array.from({ length: 10_001 }, (_, i) => (i % 100 === 0 ? 900 + rng() * 200 : 0.2 + rng())));
    for (const values of cases) {
      const fast = new FastHistogram();
      const ref = newHistogram();
      const parts = [new FastHistogram(), new FastHistogram(), new FastHistogram()];
      values.forEach((ms, i) => {
        fast.recordMs(ms);
        recordMs(ref, ms);
        parts[i % 3]!.recordMs(ms);
      });
      // Against the histogram as it comes out of an encoding (which keeps buckets, not the exact minimum).
      expect(fast.stats(), `${values.length} values`).toEqual(stats(decode(encode(ref))));
      const merged = new FastHistogram();
      for (const p of parts) merged.add(p.sparse());
      expect(merged.sparse()).toEqual(fast.sparse());
      expect(merged.encode()).toBe(encode(ref));
    }
  });
});

describe('--workers', () => {
  let sink: StartedSink;
  beforeAll(async () => {
    sink = await startSink();
  });
  afterAll(() => sink.stop());

  it('gives the same counts as one worker on the same schedule', async () => {
    // One message per session, so that session phases (connect, greeting, EHLO, QUIT) count the same whatever the timing.
    const opts = { target: sink, connections: 4, rate: 400, messages: 400, perConnection: '1' } as const;
    const one = await runLoad({ ...opts, workers: 1 });
    const two = await runLoad({ ...opts, workers: 2 });
    expect(two.workers).toBe(2);
    for (const r of [one, two]) {
      expect(r.messages).toMatchObject({ total: 400, accepted: 400 });
      expect(r.schedule).toMatchObject({ intended: 400, started: 400 });
      expect(r.latency.count).toBe(400);
      expect(r.serviceTime!.count).toBe(400);
    }
    for (const p of PHASES) expect(two.phases[p]?.count ?? 0, p).toBe(one.phases[p]?.count ?? 0);
    expect(two.phases.eod!.count).toBe(400);
    expect(two.phases.connect!.count).toBe(400);
    expect(two.replies).toEqual(one.replies);
    // The merged histogram in the JSON decodes to the same count.
    expect(decode(two.histograms.latency).totalCount).toBe(400);
    expect(two.timeline.samples.reduce((n, s) => n + s.started, 0)).toBe(400);
  });
});
