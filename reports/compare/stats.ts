/**
 * Distribution-free statistics for comparing two load runs over their
 * per-interval samples: the Mann-Whitney U test (rank-sum; exact for small
 * samples without ties, normal approximation with tie and continuity
 * correction otherwise), the Hodges-Lehmann shift estimate, and a seeded
 * percentile bootstrap of the change in medians. Nothing here
 * assumes normality (autocannon-compare's t-test on means does).
 */

import { mulberry32 } from '../../harness/load/random.ts';

export interface MannWhitney {
  method: 'mann-whitney-u';
  /** U of the first sample (`a`): how often an `a` value exceeds a `b` value (ties count half). */
  u: number;
  /** Two-sided p-value. */
  p: number;
  /** 'exact' for small samples without ties, otherwise 'normal' (tie- and continuity-corrected). */
  variant: 'exact' | 'normal';
  z?: number;
  nA: number;
  nB: number;
}

/** Average ranks (1-based), ties sharing the mean of their positions; also Σ(t³ − t) over tie groups. */
export function ranks(values: readonly number[]): { ranks: number[]; tieTerm: number } {
  const order = values.map((v, i) => [v, i] as const).sort((x, y) => x[0] - y[0]);
  const out = new Array<number>(values.length);
  let tieTerm = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const avg = (i + j + 2) / 2;
    for (let k = i; k <= j; k++) out[order[k]![1]] = avg;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    i = j + 1;
  }
  return { ranks: out, tieTerm };
}

/**
 * Two-sided Mann-Whitney U test of `a` against `b`. Needs at least one value
 * in each. `variant` 'auto' (default) is exact for small samples without ties.
 */
export function mannWhitney(a: readonly number[], b: readonly number[], variant: 'auto' | 'exact' | 'normal' = 'auto'): MannWhitney {
  const nA = a.length;
  const nB = b.length;
  if (nA === 0 || nB === 0) throw new RangeError('mannWhitney needs two non-empty samples');
  const { ranks: r, tieTerm } = ranks([...a, ...b]);
  let rankSumA = 0;
  for (let i = 0; i < nA; i++) rankSumA += r[i]!;
  const u = rankSumA - (nA * (nA + 1)) / 2;
  const mean = (nA * nB) / 2;
  if (variant === 'exact' || (variant === 'auto' && tieTerm === 0 && nA * nB <= 2500)) {
    // With ties the exact distribution below is for untied ranks: an approximation, used only on request.
    return { method: 'mann-whitney-u', u, p: exactTwoSided(u, nA, nB), variant: 'exact', nA, nB };
  }
  const n = nA + nB;
  const variance = ((nA * nB) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return { method: 'mann-whitney-u', u, p: 1, variant: 'normal', z: 0, nA, nB };
  const diff = u - mean;
  const z = (Math.sign(diff) * Math.max(0, Math.abs(diff) - 0.5)) / Math.sqrt(variance);
  return { method: 'mann-whitney-u', u, p: Math.min(1, 2 * normalSf(Math.abs(z))), variant: 'normal', z, nA, nB };
}

/** Exact null distribution of U by the usual recurrence; the two-sided p doubles the smaller tail. */
function exactTwoSided(u: number, nA: number, nB: number): number {
  // counts[j][k]: number of arrangements of j a's and (current) b's with U = k, built up over b.
  const maxU = nA * nB;
  let prev: Float64Array[] = [];
  for (let j = 0; j <= nA; j++) {
    const row = new Float64Array(maxU + 1);
    row[0] = 1; // with zero b's, U is 0
    prev.push(row);
  }
  for (let m = 1; m <= nB; m++) {
    const cur: Float64Array[] = [];
    for (let j = 0; j <= nA; j++) {
      const row = new Float64Array(maxU + 1);
      for (let k = 0; k <= maxU; k++) {
        // The largest value is either a b (U unchanged) or an a (it beats all m b's).
        row[k] = prev[j]![k]! + (j > 0 && k >= m ? cur[j - 1]![k - m]! : 0);
      }
      cur.push(row);
    }
    prev = cur;
  }
  const dist = prev[nA]!;
  let total = 0;
  for (const c of dist) total += c;
  let lower = 0;
  let upper = 0;
  for (let k = 0; k <= maxU; k++) {
    if (k <= u + 1e-9) lower += dist[k]!;
    if (k >= u - 1e-9) upper += dist[k]!;
  }
  return Math.min(1, (2 * Math.min(lower, upper)) / total);
}

/** Upper tail of the standard normal, 1 − Φ(z), via erfc (W. J. Cody's rational approximation, |error| < 1.2e-7 relative). */
export function normalSf(z: number): number {
  return 0.5 * erfc(z / Math.SQRT2);
}

function erfc(x: number): number {
  // Numerical Recipes' erfcc: Chebyshev fit, fractional error < 1.2e-7 everywhere.
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? r : 2 - r;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((x, y) => x - y);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** Hodges-Lehmann estimate of the shift from `base` to `current`: the median of all pairwise differences. */
export function hodgesLehmann(base: readonly number[], current: readonly number[]): number {
  const diffs: number[] = [];
  for (const c of current) for (const b of base) diffs.push(c - b);
  return median(diffs);
}

/** A seeded PRNG (mulberry32), so bootstrap intervals are reproducible. */
export const seededRandom = mulberry32;

export interface BootstrapInterval {
  method: 'bootstrap-percentile';
  /** 'relative': (median(current) − median(base)) / median(base); 'difference': median(current) − median(base). */
  statistic: 'relative' | 'difference';
  /** Confidence level, e.g. 0.95. */
  level: number;
  resamples: number;
  low: number;
  high: number;
}

/**
 * Percentile bootstrap of the change in medians: resample each run's
 * intervals with replacement, `resamples` times. Relative changes skip
 * resamples whose base median is 0; null when most do.
 */
export function bootstrapMedianChange(
  base: readonly number[],
  current: readonly number[],
  opts: { resamples?: number; level?: number; seed?: number; statistic?: 'relative' | 'difference' } = {},
): BootstrapInterval | null {
  const statistic = opts.statistic ?? 'relative';
  const resamples = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const rand = seededRandom(opts.seed ?? 0x5eed);
  if (base.length === 0 || current.length === 0) return null;
  const draw = (xs: readonly number[]) => {
    const out = new Array<number>(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = xs[Math.floor(rand() * xs.length)]!;
    return median(out);
  };
  const stats: number[] = [];
  for (let i = 0; i < resamples; i++) {
    const mb = draw(base);
    const mc = draw(current);
    if (statistic === 'difference') stats.push(mc - mb);
    else if (mb !== 0) stats.push((mc - mb) / Math.abs(mb));
  }
  if (stats.length < resamples / 2) return null;
  stats.sort((x, y) => x - y);
  const at = (q: number) => stats[Math.min(stats.length - 1, Math.max(0, Math.floor(q * stats.length)))]!;
  return { method: 'bootstrap-percentile', statistic, level, resamples, low: at((1 - level) / 2), high: at(1 - (1 - level) / 2) };
}

/** The smallest two-sided p-value the exact test can give for these sample sizes (2 / C(nA + nB, nA)). */
export function smallestP(nA: number, nB: number): number {
  let c = 1;
  for (let i = 1; i <= Math.min(nA, nB); i++) c = (c * (nA + nB - Math.min(nA, nB) + i)) / i;
  return Math.min(1, 2 / c);
}
