/**
 * A recorder with the exact bucket layout of an HdrHistogram of 1 µs to
 * 1 hour at 3 significant digits, doing only what the hot path needs: one
 * index computation and one increment. toHdr() moves the counts into a real
 * hdr-histogram-js histogram, bucket for bucket, so percentiles, encoding
 * and merging are the library's.
 *
 * Layout (HdrHistogram's): 2048 sub-buckets (3 digits), half-count 1024,
 * unit magnitude 0; bucket = 21 - clz32(v | 2047) for v < 2^32,
 * index = (bucket + 1) * 1024 + (v >>> bucket) - 1024.
 */
import type { Histogram } from 'hdr-histogram-js';
import { encode, HIGHEST_US, newHistogram } from './histograms.ts';

const indexOf = (v: number): number => {
  const bucket = 21 - Math.clz32(v | 2047);
  return ((bucket + 1) << 10) + (v >>> bucket) - 1024;
};

const valueOf = (i: number): number => {
  let bucket = (i >> 10) - 1;
  let sub = (i & 1023) + 1024;
  if (bucket < 0) {
    sub -= 1024;
    bucket = 0;
  }
  return sub * 2 ** bucket;
};

const LENGTH = indexOf(HIGHEST_US) + 1;

export class FastHistogram {
  private readonly counts = new Uint32Array(LENGTH);
  count = 0;

  /** Records a duration in ms (performance.now() differences), as µs clamped to [0, 1 h]. */
  recordMs(ms: number): void {
    let us = Math.round(ms * 1000);
    if (us < 0) us = 0;
    else if (us > HIGHEST_US) us = HIGHEST_US;
    this.counts[indexOf(us)]!++;
    this.count++;
  }

  /** Approximate percentile in ms (bucket's lowest value), for progress display. */
  percentileMs(p: number): number {
    const want = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= want && seen > 0) return valueOf(i) / 1000;
    }
    return 0;
  }

  reset(): void {
    this.counts.fill(0);
    this.count = 0;
  }

  /** Encoded (compressed base64) through hdr-histogram-js. */
  encode(): string {
    const h = this.toHdr();
    const b64 = encode(h);
    h.destroy();
    return b64;
  }

  /** The same counts in an hdr-histogram-js histogram (caller destroys it). */
  toHdr(): Histogram {
    const h = newHistogram();
    const c = this.counts;
    for (let i = 0; i < c.length; i++) if (c[i]) h.recordValueWithCount(valueOf(i), c[i]!);
    return h;
  }
}
