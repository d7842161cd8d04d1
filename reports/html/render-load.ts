/** The load part of the HTML report: figures, latency tables, chart slots (drawn by client.js), errors and replies. */
import type { LatencyStats } from '../../harness/load/types.ts';
import { esc, ms, num, duration } from './html.ts';
import type { LoadModel } from './load-model.ts';

const STATS: [keyof LatencyStats, string][] = [
  ['count', 'count'],
  ['p50', 'p50'],
  ['p90', 'p90'],
  ['p97_5', 'p97.5'],
  ['p99', 'p99'],
  ['p99_9', 'p99.9'],
  ['max', 'max'],
  ['mean', 'mean'],
  ['stddev', 'stddev'],
];

function latencyRow(name: string, s: LatencyStats, cls = ''): string {
  return `<tr${cls ? ` class="${cls}"` : ''}><th scope="row">${esc(name)}</th>${STATS.map(([k]) => `<td>${k === 'count' ? num(s[k]) : ms(s[k])}</td>`).join('')}</tr>`;
}

function chart(kind: string, index: number, title: string, note = ''): string {
  return `<figure class="chart"><figcaption>${esc(title)}${note ? ` <span class="meta">${esc(note)}</span>` : ''}</figcaption><div class="plot" data-chart="${kind}" data-load="${index}"></div></figure>`;
}

function errorsTable(l: LoadModel): string {
  if (l.errors.length === 0) return '<p class="meta">No errors.</p>';
  const kinds = [...new Set(l.errors.map((e) => e.kind))];
  const phases = [...new Set(l.errors.map((e) => e.phase))];
  const at = (k: string, p: string) => l.errors.find((e) => e.kind === k && e.phase === p)?.count ?? 0;
  const head = phases.map((p) => `<th>${esc(p || '(no phase)')}</th>`).join('');
  const rows = kinds.map((k) => `<tr><th scope="row">${esc(k)}</th>${phases.map((p) => `<td${at(k, p) ? ' class="nz-failed"' : ''}>${num(at(k, p))}</td>`).join('')}<td>${num(phases.reduce((n, p) => n + at(k, p), 0))}</td></tr>`);
  return `<table class="counts errors"><thead><tr><th>kind \\ phase</th>${head}<th>total</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function countsList(title: string, entries: [string, number][]): string {
  if (entries.length === 0) return '';
  return `<table class="counts"><thead><tr><th>${esc(title)}</th><th>count</th></tr></thead><tbody>${entries
    .slice(0, 30)
    .map(([k, v]) => `<tr><td><code>${esc(k)}</code></td><td>${num(v)}</td></tr>`)
    .join('')}</tbody></table>`;
}

function loadRun(l: LoadModel, i: number): string {
  const o = l.options;
  const setup = [
    l.model === 'open' ? `open loop at ${num(o.rate ?? 0, 1)} msg/s` : 'closed loop',
    `${l.connections} connections`,
    `${l.workers} worker${l.workers > 1 ? 's' : ''}`,
    `size ${esc(o.size)}`,
    `${o.rcpts} rcpt`,
    `per connection ${esc(o.perConnection)}`,
    o.pipelining ? 'PIPELINING' : '',
    o.starttls ? 'STARTTLS' : '',
    o.workload ? `workload ${esc(o.workload)}` : '',
    `warm-up ${o.warmupS} s`,
  ].filter(Boolean);
  const failedAssertions = l.assertions.filter((a) => !a.passed).length;
  const schedule = l.schedule
    ? `<p class="meta">schedule: ${num(l.schedule.intended)} intended, ${num(l.schedule.started)} started, <b>${num(l.schedule.late)} late</b> (&gt; ${l.schedule.lateThresholdMs} ms), deepest backlog ${num(l.schedule.maxBacklog)}, latest start ${ms(l.schedule.maxLagMs)} behind.</p>`
    : '';
  const corrected = l.serviceTime
    ? `<p class="meta">Open loop: <b>transaction</b> latency is measured from each message's intended start (corrected for coordinated omission); <b>service time</b> from its actual start, which is what an uncorrected tool reports.</p>`
    : '';
  return `<article class="load-run" data-load="${i}">
<h3>${esc(l.label)}</h3>
<p class="meta">${esc(l.target.description)} · ${esc(l.target.host)}:${l.target.port} · ${esc(l.startedAt)} · measured ${duration(l.durationMs)} · ${setup.join(' · ')}</p>
<div class="figures">
<div class="figure"><span class="big" data-figure="perSecond">${num(l.messages.perSecond, 1)}</span><span>msg/s accepted</span></div>
<div class="figure"><span class="big">${num(l.messages.total)}</span><span>messages</span></div>
<div class="figure"><span class="big">${num(l.messages.accepted)}</span><span>accepted</span></div>
<div class="figure${l.messages.rejected ? ' warn' : ''}"><span class="big">${num(l.messages.rejected)}</span><span>rejected</span></div>
<div class="figure${l.messages.failed ? ' bad' : ''}"><span class="big">${num(l.messages.failed)}</span><span>failed</span></div>
<div class="figure"><span class="big">${ms(l.latency.p99)}</span><span>p99 transaction</span></div>
<div class="figure"><span class="big">${num(l.sessions.opened)}</span><span>sessions</span></div>
${l.assertions.length ? `<div class="figure${failedAssertions ? ' bad' : ''}"><span class="big">${l.assertions.length - failedAssertions}/${l.assertions.length}</span><span>assertions</span></div>` : ''}
</div>
${schedule}
${l.assertions.length ? `<ul class="assertions">${l.assertions.map((a) => `<li class="${a.passed ? 'ok' : 'bad'}"><span class="st ${a.passed ? 'st-passed' : 'st-failed'}">${a.passed ? 'pass' : 'FAIL'}</span> <code>${esc(a.expr)}</code> — ${esc(a.message)}</li>`).join('')}</ul>` : ''}
<h4>Latency</h4>
${corrected}
<table class="counts latency"><thead><tr><th></th>${STATS.map(([, h]) => `<th>${h}</th>`).join('')}</tr></thead><tbody>
${latencyRow(l.serviceTime ? 'transaction (corrected)' : 'transaction', l.latency, 'all')}
${l.serviceTime ? latencyRow('service time (uncorrected)', l.serviceTime, 'all') : ''}
${l.phases.map((p) => latencyRow(p.name, p.stats)).join('\n')}
</tbody></table>
<div class="charts">
${chart('throughput', i, 'Throughput over time', 'messages per second, per interval')}
${chart('latency-time', i, 'Latency over time', 'transaction p50 and p99 per interval')}
${chart('spectrum', i, 'Latency by percentile', l.serviceTime ? 'corrected vs uncorrected; log scale of 1/(1−p)' : 'log scale of 1/(1−p)')}
${chart('phase-spectrum', i, 'Latency by percentile, per phase', 'both axes log scale')}
${chart('replies', i, 'Reply classes over time', 'replies per second')}
</div>
<h4>Errors by kind and phase</h4>
${errorsTable(l)}
<div class="side-by-side">
${countsList('reply code', l.replies.codes)}
${countsList('rejection (phase code)', l.replies.rejections)}
</div>
<p class="meta">harness: peak RSS ${num(l.resources.peakRssBytes / 1048576, 1)} MiB, CPU ${num(l.resources.cpuUserMs)} ms user + ${num(l.resources.cpuSystemMs)} ms system${l.target.inProcess ? ' (the in-process target included)' : ''}.</p>
</article>`;
}

export function renderLoad(loads: LoadModel[]): string {
  return `<section id="load"><h2>Load</h2>${loads.map(loadRun).join('\n')}</section>`;
}

/** What the client script needs to draw the charts (the tables are already in the page). */
export function chartData(loads: LoadModel[]) {
  return loads.map((l) => ({ label: l.label, model: l.model, spectrum: l.spectrum, phaseSpectrum: l.phaseSpectrum, timeline: l.timeline }));
}
