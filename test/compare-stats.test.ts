/** The distribution-free statistics behind `smtptest compare`, against values worked out by hand. */
import { describe, expect, it } from 'vitest';
import { bootstrapMedianChange, hodgesLehmann, mannWhitney, median, normalSf, ranks, seededRandom, smallestP } from '../reports/compare/stats.ts';

describe('Mann-Whitney U', () => {
  it('gives the exact p-value for small samples without ties', () => {
    // Complete separation of 3 and 3: one arrangement in C(6,3) = 20 at each extreme.
    const r = mannWhitney([4, 5, 6], [1, 2, 3]);
    expect(r.variant).toBe('exact');
    expect(r.u).toBe(9);
    expect(r.p).toBeCloseTo(2 / 20, 12);
    // 5 and 5 separated: 2 / C(10,5) = 2 / 252.
    expect(mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]).p).toBeCloseTo(2 / 252, 12);
  });

  it('is symmetric and gives p = 1 for identical samples', () => {
    const a = [3, 1, 4, 1.5, 9, 2.6];
    const b = [2.7, 1.8, 2.8, 1.9, 4.5];
    expect(mannWhitney(a, b).p).toBeCloseTo(mannWhitney(b, a).p, 12);
    expect(mannWhitney(a, b).u + mannWhitney(b, a).u).toBe(a.length * b.length);
    expect(mannWhitney(a, a).p).toBe(1);
  });

  it('averages tied ranks and switches to the tie-corrected normal approximation', () => {
    expect(ranks([10, 20, 20, 30]).ranks).toEqual([1, 2.5, 2.5, 4]);
    expect(ranks([10, 20, 20, 30]).tieTerm).toBe(6);
    const r = mannWhitney([1, 2, 2, 3, 3, 3], [3, 4, 4, 5, 5, 6]);
    expect(r.variant).toBe('normal');
    expect(r.p).toBeGreaterThan(0);
    expect(r.p).toBeLessThan(0.05);
  });

  it('agrees with the exact test where both apply (large-ish samples, no ties)', () => {
    const rand = seededRandom(7);
    const a = Array.from({ length: 30 }, () => rand());
    const b = Array.from({ length: 30 }, () => rand() + 0.15);
    const exact = mannWhitney(a, b);
    expect(exact.variant).toBe('exact');
    const normal = mannWhitney(a, b, 'normal');
    expect(normal.variant).toBe('normal');
    expect(exact.p).toBeLessThan(0.05);
    expect(Math.abs(exact.p - normal.p)).toBeLessThan(0.1 * exact.p);
  });

  it('rejects empty samples', () => {
    expect(() => mannWhitney([], [1])).toThrow(RangeError);
  });
});

describe('helpers', () => {
  it('normal tail, median, Hodges-Lehmann, smallest p', () => {
    expect(normalSf(0)).toBeCloseTo(0.5, 7);
    expect(normalSf(1.959964)).toBeCloseTo(0.025, 6);
    expect(normalSf(-1.959964)).toBeCloseTo(0.975, 6);
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(hodgesLehmann([1, 2, 3], [11, 12, 13])).toBe(10);
    expect(smallestP(5, 5)).toBeCloseTo(2 / 252, 12);
    expect(smallestP(3, 2)).toBeCloseTo(2 / 10, 12);
  });

  it('bootstrap intervals are reproducible and cover the true change', () => {
    const rand = seededRandom(3);
    const base = Array.from({ length: 40 }, () => 100 + 10 * rand());
    const current = base.map((v) => v * 1.2);
    const a = bootstrapMedianChange(base, current);
    const b = bootstrapMedianChange(base, current);
    expect(a).toEqual(b);
    expect(a!.low).toBeLessThan(0.2);
    expect(a!.high).toBeGreaterThan(0.2);
    expect(a!.low).toBeGreaterThan(0.05);
    const d = bootstrapMedianChange([1, 1, 2, 2], [3, 3, 4, 4], { statistic: 'difference' });
    expect(d!.statistic).toBe('difference');
    expect(d!.low).toBeGreaterThan(0);
    expect(bootstrapMedianChange([0, 0, 0], [1, 2, 3])).toBeNull();
  });
});
