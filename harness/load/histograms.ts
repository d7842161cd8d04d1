/**
 * Histograms: HdrHistogram (hdr-histogram-js), values in microseconds,
 * 3 significant digits, 1 µs to 1 hour. Encoded as compressed base64 so
 * that histograms from worker threads, or from runs on other machines,
 * merge exactly (bucket counts add; nothing is averaged).
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';
import type { LatencyStats } from './types.ts';

export const SIGNIFICANT_DIGITS = 3;
/** One hour in µs: anything slower is clamped there (and shows as max). */
export const HIGHEST_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, autoResize: false, bitBucketSize: 32 });
}

/** Records a duration given in ms (performance.now() differences). */
export function recordMs(h: Histogram, ms: number): void {
  const us = Math.round(ms * 1000);
  h.recordValue(us < 0 ? 0 : us > HIGHEST_US ? HIGHEST_US : us);
}

export function encode(h: Histogram): string {
  return hdr.encodeIntoCompressedBase64(h);
}

export function decode(b64: string): Histogram {
  // Decode into a histogram of our own shape so that adds never resize.
  const d = hdr.decodeFromCompressedBase64(b64, 32, false);
  const h = newHistogram();
  h.add(d);
  d.destroy();
  return h;
}

/** Adds encoded histograms together; an empty list gives an empty histogram. */
export function mergeEncoded(list: readonly string[]): Histogram {
  const h = newHistogram();
  for (const b64 of list) {
    const d = hdr.decodeFromCompressedBase64(b64, 32, false);
    h.add(d);
    d.destroy();
  }
  return h;
}

const ms = (us: number) => Math.round(us) / 1000;

/** Percentiles and moments in ms. */
export function stats(h: Histogram): LatencyStats {
  if (h.totalCount === 0) return { count: 0, min: 0, p50: 0, p90: 0, p97_5: 0, p99: 0, p99_9: 0, max: 0, mean: 0, stddev: 0 };
  return {
    count: h.totalCount,
    min: ms(h.minNonZeroValue === Number.MAX_SAFE_INTEGER ? 0 : h.minNonZeroValue),
    p50: ms(h.getValueAtPercentile(50)),
    p90: ms(h.getValueAtPercentile(90)),
    p97_5: ms(h.getValueAtPercentile(97.5)),
    p99: ms(h.getValueAtPercentile(99)),
    p99_9: ms(h.getValueAtPercentile(99.9)),
    // At bucket resolution, as it is after a merge (the exact max is lost when histograms add).
    max: ms(h.getValueAtPercentile(100)),
    mean: ms(h.mean),
    stddev: ms(h.stdDeviation),
  };
}
