/**
 * Seeded randomness for sizes, distributions and fault injection, so that a
 * run can be repeated exactly. mulberry32: small, fast, good enough for load
 * shaping (not for anything cryptographic).
 */
import { SmtpTestError } from '../errors.ts';
import type { Distribution } from './types.ts';

export type Rng = () => number;

export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Parses `1000`, `fixed:1000`, `uniform:500-5000`, `lognormal:MEDIAN:SIGMA`. */
export function parseDistribution(spec: string, what: string): Distribution {
  const s = spec.trim();
  const num = (t: string | undefined): number => {
    const v = Number(t);
    if (t === undefined || t === '' || !Number.isFinite(v) || v < 0) throw new SmtpTestError('E_CONFIG', `${what}: '${spec}' is not a number, fixed:N, uniform:A-B or lognormal:MEDIAN:SIGMA`);
    return v;
  };
  if (/^\d+(\.\d+)?$/.test(s)) return { kind: 'fixed', value: num(s) };
  const [kind, a, b] = s.split(':');
  switch (kind) {
    case 'fixed':
      return { kind: 'fixed', value: num(a) };
    case 'uniform': {
      const m = /^(\d+)-(\d+)$/.exec(a ?? '');
      if (!m || b !== undefined) return { kind: 'fixed', value: num(undefined) };
      const min = num(m[1]);
      const max = num(m[2]);
      if (max < min) throw new SmtpTestError('E_CONFIG', `${what}: uniform:A-B needs A <= B`);
      return { kind: 'uniform', min, max };
    }
    case 'lognormal':
      return { kind: 'lognormal', median: num(a), sigma: num(b) };
    default:
      return { kind: 'fixed', value: num(undefined) };
  }
}

/** One integer draw, at least `floor`. */
export function draw(d: Distribution, rng: Rng, floor = 0): number {
  switch (d.kind) {
    case 'fixed':
      return Math.max(floor, Math.round(d.value));
    case 'uniform':
      return Math.max(floor, d.min + Math.floor(rng() * (d.max - d.min + 1)));
    case 'lognormal': {
      // Box-Muller; median = e^mu.
      const u = 1 - rng();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
      return Math.max(floor, Math.round(d.median * Math.exp(d.sigma * z)));
    }
  }
}

export function formatDistribution(d: Distribution): string {
  switch (d.kind) {
    case 'fixed':
      return String(d.value);
    case 'uniform':
      return `uniform:${d.min}-${d.max}`;
    case 'lognormal':
      return `lognormal:${d.median}:${d.sigma}`;
  }
}
