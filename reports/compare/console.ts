/** A comparison as console text: changed scenarios, or a table of metric deltas. */
import type { CompareResult, ConformanceComparison, LoadComparison, MetricDelta } from './types.ts';

export interface TextOptions {
  color?: boolean;
}

const LABEL = { 'new-failure': 'NEW FAILURE', 'new-warning': 'new warning', fixed: 'fixed', changed: 'changed', added: 'added', removed: 'removed' } as const;

export function formatComparison(c: CompareResult, opts: TextOptions = {}): string {
  const paint = (code: number, s: string) => (opts.color ? `\x1b[${code}m${s}\x1b[0m` : s);
  const verdict = c.verdict === 'pass' ? paint(32, 'NO REGRESSION') : paint(31, `REGRESSED (${c.regressions})`);
  return (c.kind === 'conformance' ? conformanceText(c, paint) : loadText(c, paint)) + `\n${verdict}\n`;
}

type Paint = (code: number, s: string) => string;

function conformanceText(c: ConformanceComparison, paint: Paint): string {
  const out = [`compare: ${c.base.target} ${c.base.startedAt} (base) → ${c.current.target} ${c.current.startedAt} (current)`];
  const s = (x: ConformanceComparison['base']['summary']) => `${x.passed} passed, ${x.failed} failed, ${x.errored} errored, ${x.skipped} skipped`;
  out.push(`  base:    ${s(c.base.summary)}`, `  current: ${s(c.current.summary)}`, '');
  if (c.changes.length === 0) out.push('No scenario changed outcome.');
  const idw = Math.max(8, ...c.changes.map((ch) => ch.id.length));
  for (const ch of c.changes) {
    const label = LABEL[ch.kind].padEnd(11);
    const coloured = ch.regression ? paint(31, label) : ch.kind === 'fixed' ? paint(32, label) : ch.kind === 'new-warning' ? paint(33, label) : label;
    out.push(`${coloured}  ${ch.level.padEnd(6)} ${ch.id.padEnd(idw)}  ${(ch.base ?? '–').padEnd(7)} → ${(ch.current ?? '–').padEnd(7)}  ${ch.title}`);
    if (ch.detail && ch.kind !== 'fixed') out.push(`${' '.repeat(21)}${ch.detail}`);
  }
  out.push('', `${c.regressions} regression${c.regressions === 1 ? '' : 's'} (allowed ${c.thresholds.allowNewFailures}${c.thresholds.strict ? ', warnings count' : ''}), ${c.changes.length} changed, ${c.unchanged} unchanged`);
  return out.join('\n');
}

function fmt(m: MetricDelta, v: number): string {
  if (m.unit === 'ms') return v >= 1000 ? `${(v / 1000).toFixed(2)} s` : `${v.toFixed(v >= 100 ? 0 : 2)} ms`;
  if (m.unit === '%') return `${v.toFixed(2)}%`;
  return `${v.toFixed(1)}/s`;
}

function change(m: MetricDelta): string {
  if (m.unit === '%') return `${m.delta >= 0 ? '+' : ''}${m.delta.toFixed(2)} pts`;
  if (m.relative === null) return m.delta === 0 ? '0' : 'new';
  return `${m.relative >= 0 ? '+' : ''}${(m.relative * 100).toFixed(1)}%`;
}

function loadText(c: LoadComparison, paint: Paint): string {
  const t = c.thresholds;
  const out = [
    `compare: ${c.base.target} ${c.base.startedAt} (base, ${c.base.model}, ${c.base.connections} conn, ${c.base.intervals} intervals)`,
    `      → ${c.current.target} ${c.current.startedAt} (current, ${c.current.model}, ${c.current.connections} conn, ${c.current.intervals} intervals)`,
    `thresholds: latency +${t.latencyPct}% (${t.percentiles.join(', ')}), throughput −${t.throughputPct}%, error rate +${t.errorRatePoints} pts; Mann-Whitney U over per-interval samples, α = ${t.alpha}`,
  ];
  for (const cav of c.caveats) out.push(paint(33, `caveat: ${cav}`));
  out.push('');
  const rows = c.metrics.map((m) => {
    const p = m.test ? (m.test.p < 0.0001 ? '<0.0001' : m.test.p.toFixed(4)) : '–';
    const ci = !m.interval ? '–' : m.interval.statistic === 'difference' ? `${m.interval.low.toFixed(2)}…${m.interval.high.toFixed(2)} pts` : `${(m.interval.low * 100).toFixed(1)}%…${(m.interval.high * 100).toFixed(1)}%`;
    const worse = m.better === 'lower' ? m.delta > 0 : m.delta < 0;
    const verdict = m.regression ? paint(31, 'REGRESSION') : m.note ? m.note : m.significant ? (worse ? 'worse (within threshold)' : paint(32, 'better')) : m.test ? 'no significant change' : 'info';
    return [m.metric + (m.gated ? '' : ' *'), fmt(m, m.base), fmt(m, m.current), change(m), p, ci, verdict];
  });
  const head = ['metric', 'base', 'current', 'change', 'p', '95% interval', 'verdict'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => stripAnsi(r[i]!).length)));
  const line = (r: string[]) => r.map((cell, i) => (i === r.length - 1 ? cell : cell + ' '.repeat(widths[i]! - stripAnsi(cell).length))).join('  ');
  out.push(line(head), ...rows.map(line), '', '* not gated: no per-interval samples (reported for information)');
  return out.join('\n');
}

function stripAnsi(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/\x1b\[\d+m/g, '');
}
