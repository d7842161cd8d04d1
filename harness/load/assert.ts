/**
 * --assert expressions for CI: METRIC OP VALUE, e.g.
 *
 *   p99.eod<200ms   p99<1s   max.connect<=50ms   mean.rcpt<5ms     (latency, ms/s/us)
 *   errors<0.1%     failed<=0   rejected<1%                       (share of messages, or a count)
 *   rate>=500/s     accepted>=10000   late<1%   backlog<100
 *
 * Latency metrics: min, p50, p90, p97.5, p99, p99.9, max, mean, stddev, each
 * of the whole transaction or, with ".PHASE", of one phase (or ".service"
 * for the open loop's uncorrected service time). `errors` is every message
 * not accepted (rejected + failed).
 */
import { SmtpTestError } from '../errors.ts';
import type { AssertionResult, LatencyStats, LoadResult } from './types.ts';
import { PHASES } from './phases.ts';

type Op = '<' | '<=' | '>' | '>=';
type Unit = 'ms' | '%' | 'count' | '/s';

export interface Assertion {
  expr: string;
  op: Op;
  /** Threshold in the metric's unit (ms, percent, count or msgs/s). */
  value: number;
  unit: Unit;
  read(r: LoadResult): number | undefined;
}

const STAT: Record<string, keyof LatencyStats> = { min: 'min', p50: 'p50', p90: 'p90', 'p97.5': 'p97_5', p97_5: 'p97_5', p99: 'p99', 'p99.9': 'p99_9', p99_9: 'p99_9', max: 'max', mean: 'mean', stddev: 'stddev' };

const bad = (expr: string, why: string) => new SmtpTestError('E_CONFIG', `--assert '${expr}': ${why}`);

export function parseAssertion(expr: string): Assertion {
  const m = /^\s*([a-z0-9._]+)\s*(<=|>=|<|>)\s*([0-9]+(?:\.[0-9]+)?)\s*(ms|s|us|%|\/s)?\s*$/i.exec(expr);
  if (!m) throw bad(expr, 'not METRIC OP VALUE (e.g. p99.eod<200ms, errors<0.1%, rate>=500/s)');
  const [, metric, op, num, unitText] = m as unknown as [string, string, Op, string, string | undefined];
  const n = Number(num);
  const sm = /^(min|p50|p90|p97[._]5|p99[._]9|p99|max|mean|stddev)(?:\.([a-z]+))?$/i.exec(metric);
  if (sm) {
    const stat = STAT[sm[1]!.toLowerCase()]!;
    const of = sm[2]?.toLowerCase();
    if (of && of !== 'service' && !(PHASES as readonly string[]).includes(of)) throw bad(expr, `unknown phase '${of}' (${PHASES.join(', ')}, service)`);
    if (unitText && !['ms', 's', 'us'].includes(unitText)) throw bad(expr, 'a latency takes ms, s or us');
    const value = unitText === 's' ? n * 1000 : unitText === 'us' ? n / 1000 : n;
    const read = (r: LoadResult) => (of === undefined ? r.latency : of === 'service' ? r.serviceTime : r.phases[of])?.[stat];
    return { expr, op, value, unit: 'ms', read };
  }
  const key = metric.toLowerCase();
  const share = unitText === '%';
  if (unitText && !share && !(key === 'rate' && unitText === '/s')) throw bad(expr, `unit '${unitText}' does not fit ${key}`);
  const of = (count: (r: LoadResult) => number, base: (r: LoadResult) => number) => (r: LoadResult) => {
    if (!share) return count(r);
    const b = base(r);
    return b > 0 ? (count(r) / b) * 100 : 0;
  };
  const total = (r: LoadResult) => r.messages.total;
  switch (key) {
    case 'rate':
      if (share) throw bad(expr, 'rate is in messages per second');
      return { expr, op, value: n, unit: '/s', read: (r) => r.messages.perSecond };
    case 'errors':
      return { expr, op, value: n, unit: share ? '%' : 'count', read: of((r) => r.messages.rejected + r.messages.failed, total) };
    case 'failed':
    case 'rejected':
    case 'accepted':
      return { expr, op, value: n, unit: share ? '%' : 'count', read: of((r) => r.messages[key], total) };
    case 'messages':
      return { expr, op, value: n, unit: 'count', read: total };
    case 'late':
      return { expr, op, value: n, unit: share ? '%' : 'count', read: of((r) => r.schedule?.late ?? 0, (r) => r.schedule?.started ?? 0) };
    case 'backlog':
      return { expr, op, value: n, unit: 'count', read: (r) => r.schedule?.maxBacklog ?? 0 };
    default:
      throw bad(expr, `unknown metric '${metric}' (p99[.PHASE], errors, failed, rejected, accepted, messages, rate, late, backlog)`);
  }
}

const UNIT_TEXT: Record<Unit, string> = { ms: ' ms', '%': '%', count: '', '/s': ' msgs/s' };

export function evaluate(a: Assertion, r: LoadResult): AssertionResult {
  const actual = a.read(r);
  if (actual === undefined) return { expr: a.expr, passed: false, actual: 0, message: `${a.expr}: not measured in this run` };
  const passed = a.op === '<' ? actual < a.value : a.op === '<=' ? actual <= a.value : a.op === '>' ? actual > a.value : actual >= a.value;
  const shown = Math.round(actual * 1000) / 1000;
  return { expr: a.expr, passed, actual: shown, message: `${a.expr}: ${passed ? 'ok' : 'FAILED'}, measured ${shown}${UNIT_TEXT[a.unit]}` };
}
