/**
 * Histograms: HdrHistogram (hdr-histogram-js), values in microseconds,
 * 3 significant digits, 1 µs to 1 hour, encoded as compressed base64 (V2,
 * readable by the Java, Go and JS HdrHistogram libraries). The hot path
 * records into fast-histogram.ts, which has the same buckets.
 */
import * as hdr from 'hdr-histogram-js';
import type { Histogram } from 'hdr-histogram-js';

export const SIGNIFICANT_DIGITS = 3;
/** One hour in µs: anything slower is clamped there (and shows as max). */
export const HIGHEST_US = 3_600_000_000;

export function newHistogram(): Histogram {
  return hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: HIGHEST_US, numberOfSignificantValueDigits: SIGNIFICANT_DIGITS, autoResize: false, bitBucketSize: 32 });
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
