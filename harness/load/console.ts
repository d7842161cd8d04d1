/** Console output for a load run: percentiles by default, never bare averages. */
import type { LatencyStats, LoadResult, Progress } from './types.ts';
import { PHASES } from './phases.ts';

const f = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const COLS = ['p50', 'p90', 'p99', 'p99_9', 'max'] as const;

function row(name: string, s: LatencyStats): string {
  return `  ${name.padEnd(14)}${COLS.map((c) => f(s[c]).padStart(9)).join('')}${String(s.count).padStart(10)}`;
}

export function formatResult(r: LoadResult): string {
  const out: string[] = [];
  const m = r.messages;
  out.push(`smtptest load: ${r.target.name} (${r.target.description})`);
  out.push(
    `  ${r.model} loop, ${r.connections} connection(s), ${r.workers} worker(s), size ${r.options.size}, ${r.options.rcpts} rcpt(s), per connection ${r.options.perConnection}` +
      `${r.options.pipelining ? ', pipelining' : ''}${r.options.starttls ? ', STARTTLS' : ''}${r.options.workload ? `, workload ${r.options.workload}` : ''}`,
  );
  out.push('');
  out.push(`  messages      ${m.total} in ${(r.durationMs / 1000).toFixed(2)} s: ${m.accepted} accepted, ${m.rejected} rejected, ${m.failed} failed; ${m.perSecond.toFixed(1)} msgs/s`);
  out.push(`  sessions      ${r.sessions.opened} (${r.sessions.pipelined} pipelined)`);
  if (r.schedule) {
    const s = r.schedule;
    out.push(`  schedule      ${s.rate} msgs/s: ${s.started}/${s.intended} started, ${s.late} late (> ${s.lateThresholdMs} ms), max lag ${f(s.maxLagMs)} ms, max backlog ${s.maxBacklog}`);
  }
  out.push('');
  out.push(`  latency (ms)  ${COLS.map((c) => c.replace('_', '.').padStart(9)).join('')}     count`);
  out.push(row(r.serviceTime ? 'transaction*' : 'transaction', r.latency));
  if (r.serviceTime) out.push(row('service time', r.serviceTime));
  for (const p of PHASES) if (r.phases[p]) out.push(row(p, r.phases[p]!));
  if (r.serviceTime) out.push('  * measured from the intended start (corrected for coordinated omission)');
  out.push('');
  const codes = Object.entries(r.replies.codes).sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k}: ${v}`);
  out.push(`  replies       2xx ${r.replies['2xx']}, 3xx ${r.replies['3xx']}, 4xx ${r.replies['4xx']}, 5xx ${r.replies['5xx']}  (${codes.join(', ')})`);
  const rej = Object.entries(r.replies.rejections);
  if (rej.length) out.push(`  rejections    ${rej.map(([k, v]) => `${k}: ${v}`).join(', ')}`);
  const errs = Object.entries(r.errors);
  out.push(`  errors        ${errs.length ? errs.map(([k, v]) => `${k}: ${v}`).join(', ') : 'none'}`);
  const res = r.resources;
  const s2 = (ms: number) => (ms / 1000).toFixed(2);
  let cpu = `CPU ${s2(res.cpuUserMs)} s user + ${s2(res.cpuSystemMs)} s sys`;
  if (res.measuredCpuUserMs !== undefined && res.measuredCpuSystemMs !== undefined) {
    const measured = res.measuredCpuUserMs + res.measuredCpuSystemMs;
    if (r.options.warmupS > 0) cpu += `, ${s2(measured)} s after the warm-up`;
    if (r.messages.total > 0) cpu += ` (${((measured / r.messages.total) * 1000).toFixed(1)} ms per 1000 messages)`;
  }
  out.push(`  harness       peak RSS ${(res.peakRssBytes / 2 ** 20).toFixed(0)} MiB, ${cpu}${r.target.inProcess ? '; the in-process target included' : ''}`);
  if (r.assertions.length) {
    out.push('');
    for (const a of r.assertions) out.push(`  assert        ${a.message}`);
  }
  return out.join('\n') + '\n';
}

export function formatProgress(p: Progress): string {
  const t = (p.elapsedMs / 1000).toFixed(1);
  return `${p.warmup ? 'warm-up ' : ''}${t}s  ${p.messages} msgs  ${p.ratePerS.toFixed(0)} msgs/s  p99 ${f(p.p99Ms)} ms  errors ${p.errors}`;
}
