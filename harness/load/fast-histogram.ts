/**
 * A recorder with the exact bucket layout of an HdrHistogram of 1 µs to
 * 1 hour at 3 significant digits, doing on the hot path only one index
 * computation and one increment. Between threads it travels as its non-zero
 * buckets (`sparse()`), which add exactly; `stats()` gives the figures
 * hdr-histogram-js would give for the same counts (its percentile rounding,
 * its median-equivalent mean), in one pass; toHdr() moves the counts into a
 * real hdr-histogram-js histogram, bucket for bucket, for the encoding.
 *
 * Layout (HdrHistogram's): 2048 sub-buckets (3 digits), half-count 1024,
 * unit magnitude 0; bucket = 21 - clz32(v | 2047) for v < 2^32,
 * index = (bucket + 1) * 1024 + (v >>> bucket) - 1024.
 */
import type { Histogram } from 'hdr-histogram-js';
import { decode, encode, HIGHEST_US, newHistogram } from './histograms.ts';
import type { LatencyStats } from './types.ts';

/** Non-zero buckets, ascending: what crosses a worker boundary and merges exactly. */
export interface SparseCounts {
  idx: number[];
  n: number[];
}

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
  return sub * (1 << bucket); // bucket <= 21
};

/** Width of bucket i's range of equivalent values (hdr's sizeOfEquivalentValueRange). */
const sizeOf = (i: number): number => (i < 2048 ? 1 : 1 << ((i >> 10) - 1));

/** hdr-histogram-js's ulp(), for its percentile rounding. */
const ulp = (x: number): number => 2 ** (Math.floor(Math.log2(x)) - 52);

const ms = (us: number) => Math.round(us) / 1000;

const LENGTH = indexOf(HIGHEST_US) + 1;

/** Reused by encode(): an hdr histogram is 94 KiB of counts, and a timeline encodes one per interval. */
let scratch: Histogram | undefined;

export class FastHistogram {
  private readonly counts = new Uint32Array(LENGTH);
  count = 0;
  /** One past the highest bucket that may be non-zero: loops over the counts stop there. */
  private end = 0;

  /** Records a duration in ms (performance.now() differences), as µs clamped to [0, 1 h]. */
  recordMs(ms: number): void {
    let us = Math.round(ms * 1000);
    if (us < 0) us = 0;
    else if (us > HIGHEST_US) us = HIGHEST_US;
    const i = indexOf(us);
    this.counts[i]!++;
    this.count++;
    if (i >= this.end) this.end = i + 1;
  }

  /** Approximate percentile in ms (bucket's lowest value), for progress display. */
  percentileMs(p: number): number {
    const want = Math.ceil((p / 100) * this.count);
    let seen = 0;
    for (let i = 0; i < this.end; i++) {
      seen += this.counts[i]!;
      if (seen >= want && seen > 0) return valueOf(i) / 1000;
    }
    return 0;
  }

  reset(): void {
    this.counts.fill(0, 0, this.end);
    this.count = 0;
    this.end = 0;
  }

  /** The non-zero buckets. */
  sparse(): SparseCounts {
    const idx: number[] = [];
    const n: number[] = [];
    const c = this.counts;
    for (let i = 0; i < this.end; i++) {
      if (c[i]) {
        idx.push(i);
        n.push(c[i]!);
      }
    }
    return { idx, n };
  }

  /** Adds another histogram's buckets (exact: counts add). */
  add(s: SparseCounts): void {
    for (let k = 0; k < s.idx.length; k++) {
      this.counts[s.idx[k]!]! += s.n[k]!;
      this.count += s.n[k]!;
      if (s.idx[k]! >= this.end) this.end = s.idx[k]! + 1;
    }
  }

  /**
   * Percentiles, min, max, mean and standard deviation in ms, exactly as
   * hdr-histogram-js computes them (getValueAtPercentile, minNonZeroValue,
   * mean, stdDeviation) for these counts: a percentile is the highest value
   * equivalent to the bucket that reaches its count; the mean and deviation
   * use each bucket's median value. max is the 100th percentile.
   */
  stats(): LatencyStats {
    const total = this.count;
    if (total === 0) return { count: 0, min: 0, p50: 0, p90: 0, p97_5: 0, p99: 0, p99_9: 0, max: 0, mean: 0, stddev: 0 };
    const c = this.counts;
    const wanted = [50, 90, 97.5, 99, 99.9, 100].map((p) => {
      const fp = (p / 100) * total;
      return Math.max(Math.ceil(fp - ulp(fp)), 1);
    });
    const at: number[] = [];
    let min = 0;
    let seen = 0;
    let sum = 0;
    for (let i = 0; i < this.end; i++) {
      const n = c[i]!;
      if (!n) continue;
      if (!min && i > 0) min = valueOf(i);
      sum += (valueOf(i) + Math.floor(sizeOf(i) / 2)) * n;
      seen += n;
      while (at.length < wanted.length && seen >= wanted[at.length]!) at.push(valueOf(i) + sizeOf(i) - 1);
    }
    const mean = sum / total;
    let dev = 0;
    for (let i = 0; i < this.end; i++) {
      const n = c[i]!;
      if (!n) continue;
      const d = valueOf(i) + Math.floor(sizeOf(i) / 2) - mean;
      dev += d * d * n;
    }
    const [p50, p90, p97_5, p99, p99_9, max] = at.map(ms) as [number, number, number, number, number, number];
    return { count: total, min: ms(min), p50, p90, p97_5, p99, p99_9, max, mean: ms(mean), stddev: ms(Math.sqrt(dev / total)) };
  }

  /** Encoded (compressed base64) through hdr-histogram-js. */
  encode(): string {
    scratch ??= newHistogram();
    scratch.reset();
    return encode(this.toHdr(scratch));
  }

  /** Adds an encoded histogram (one of the load JSON's), bucket for bucket. */
  addEncoded(b64: string): void {
    // decode() gives a histogram of this layout (histograms.ts newHistogram()); its counts are by the same index.
    const h = decode(b64);
    const at = h as unknown as { getCountAtIndex(i: number): number };
    for (let i = 0; i < this.counts.length; i++) {
      const n = at.getCountAtIndex(i);
      if (n) {
        this.counts[i]! += n;
        this.count += n;
        if (i >= this.end) this.end = i + 1;
      }
    }
    h.destroy();
  }

  /** The same counts in an hdr-histogram-js histogram (a new one unless given: the caller destroys it). */
  toHdr(into: Histogram = newHistogram()): Histogram {
    const c = this.counts;
    for (let i = 0; i < this.end; i++) if (c[i]) into.recordValueWithCount(valueOf(i), c[i]!);
    return into;
  }
}
