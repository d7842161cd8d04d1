/** The comparison part of the HTML report: changed scenarios, or load metric deltas with their tests. */
import type { CompareResult, ConformanceComparison, LoadComparison, MetricDelta, RunRef } from '../compare/types.ts';
import { esc, ms, num, pct } from './html.ts';

const KIND_LABEL = { 'new-failure': 'new failure', 'new-warning': 'new warning', fixed: 'fixed', changed: 'changed', added: 'added', removed: 'removed' } as const;

function refLine(label: string, r: RunRef): string {
  return `<b>${label}</b> ${esc(r.target)} (${esc(r.description)}) · ${esc(r.startedAt)}${r.file ? ` · <code>${esc(r.file)}</code>` : ''}`;
}

function verdict(v: 'pass' | 'regressed', regressions: number): string {
  return `<span class="verdict v-${v === 'pass' ? 'pass' : 'fail'}" data-compare-verdict="${v}">${v === 'pass' ? 'NO REGRESSION' : `REGRESSED (${regressions})`}</span>`;
}

function conformance(c: ConformanceComparison): string {
  const rows = c.changes
    .map(
      (ch) =>
        `<tr class="${ch.regression ? 'regression' : ch.kind === 'fixed' ? 'improved' : ''}" data-kind="${ch.kind}"><td><span class="kind k-${ch.kind}">${KIND_LABEL[ch.kind]}</span></td><td><code>${esc(ch.id)}</code></td><td>${esc(ch.title)}</td><td class="lvl lvl-${ch.level}">${ch.level}</td><td>${esc(ch.rfc)} §${esc(ch.section)}</td><td>${esc(ch.base ?? '–')} → <b>${esc(ch.current ?? '–')}</b></td><td class="detail-text">${esc(ch.detail ?? '')}</td></tr>`,
    )
    .join('');
  const s = (x: ConformanceComparison['base']['summary']) => `${x.passed} passed, ${x.failed} failed, ${x.errored} errored, ${x.skipped} skipped`;
  return `<p>${verdict(c.verdict, c.regressions)} ${c.regressions} regression${c.regressions === 1 ? '' : 's'} (allowed ${c.thresholds.allowNewFailures}${c.thresholds.strict ? ', warnings count' : ''}); ${c.changes.length} changed, ${c.unchanged} unchanged.</p>
<p class="meta">${refLine('base', c.base)}: ${s(c.base.summary)}<br>${refLine('current', c.current)}: ${s(c.current.summary)}</p>
${c.changes.length ? `<table class="changes"><thead><tr><th>change</th><th>scenario</th><th>title</th><th>level</th><th>RFC §</th><th>base → current</th><th>detail</th></tr></thead><tbody>${rows}</tbody></table>` : '<p>No scenario changed outcome.</p>'}`;
}

function value(m: MetricDelta, v: number): string {
  return m.unit === 'ms' ? ms(v) : m.unit === '%' ? `${v.toFixed(2)}%` : `${num(v, 1)} msg/s`;
}

function points(v: number): string {
  return `${v > 0 ? '+' : ''}${v.toFixed(2)} pts`;
}

function deltaText(m: MetricDelta): string {
  if (m.unit === '%') return points(m.delta);
  return m.relative === null ? (m.delta === 0 ? '0' : 'new') : pct(m.relative);
}

function load(c: LoadComparison): string {
  const rows = c.metrics
    .map((m) => {
      const worse = m.better === 'lower' ? m.delta > 0 : m.delta < 0;
      const cls = m.regression ? 'regression' : m.significant && !worse && m.delta !== 0 ? 'improved' : '';
      const p = m.test ? (m.test.p < 0.0001 ? '&lt;0.0001' : m.test.p.toFixed(4)) : '–';
      const ci = !m.interval ? '–' : m.interval.statistic === 'difference' ? `${points(m.interval.low)} … ${points(m.interval.high)}` : `${pct(m.interval.low)} … ${pct(m.interval.high)}`;
      const status = m.regression ? 'REGRESSION' : m.note ? esc(m.note) : m.significant ? (worse ? 'worse' + (m.gated ? ', within threshold' : '') : 'better') : m.test ? 'no significant change' : 'not tested';
      return `<tr class="${cls}" data-metric="${esc(m.metric)}"><th scope="row">${esc(m.metric)}${m.gated ? '' : ' <span class="meta">(info)</span>'}</th><td>${value(m, m.base)}</td><td>${value(m, m.current)}</td><td class="${m.delta === 0 ? '' : worse ? 'worse' : 'better'}">${deltaText(m)}</td><td>${p}</td><td>${ci}</td><td>${status}</td></tr>`;
    })
    .join('');
  const t = c.thresholds;
  return `<p>${verdict(c.verdict, c.regressions)} thresholds: latency +${t.latencyPct}% (${t.percentiles.join(', ')}), throughput −${t.throughputPct}%, error rate +${t.errorRatePoints} pts; significant at α = ${t.alpha} (Mann-Whitney U over per-interval samples; bootstrap 95% interval of the change in medians).</p>
<p class="meta">${refLine('base', c.base)} · ${esc(c.base.model)}, ${c.base.connections} conn, ${c.base.intervals} intervals<br>${refLine('current', c.current)} · ${esc(c.current.model)}, ${c.current.connections} conn, ${c.current.intervals} intervals</p>
${c.caveats.length ? `<ul class="caveats">${c.caveats.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : ''}
<table class="changes metrics"><thead><tr><th>metric</th><th>base</th><th>current</th><th>change</th><th>p</th><th>95% interval</th><th>verdict</th></tr></thead><tbody>${rows}</tbody></table>`;
}

export function renderComparison(c: CompareResult): string {
  return `<section id="comparison"><h2>Comparison with the base run (${c.kind})</h2>${c.kind === 'conformance' ? conformance(c) : load(c)}</section>`;
}
