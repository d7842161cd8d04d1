/** The conformance part of the HTML report: summaries by level, then scenarios by suite (scenario × target). */
import type { Status } from '../../harness/runner/types.ts';
import { esc, duration } from './html.ts';
import { LEVELS, sectionKey, type ConformanceModel, type Counts, type Outcome, type ScenarioRow, type SectionRef, type TargetColumn } from './model.ts';

const COLS: (keyof Counts)[] = ['total', 'passed', 'failed', 'errored', 'skipped', 'warnings'];

/** Short label and CSS class of an outcome. */
export function badge(o: Outcome | null): { text: string; cls: string; title: string } {
  if (!o) return { text: '–', cls: 'st-absent', title: 'not run against this target' };
  if (o.knownDeviation && o.asExpected) return { text: 'known', cls: 'st-known', title: `documented deviation (${o.status}): ${o.knownDeviation.reason}` };
  if (o.asExpected === false && o.status === 'passed') return { text: 'pass!', cls: 'st-unexpected', title: 'passes, but the expectations file documents a deviation: update it' };
  const map: Record<Status, { text: string; cls: string }> = {
    passed: { text: 'pass', cls: 'st-passed' },
    failed: o.fatal ? { text: 'FAIL', cls: 'st-failed' } : { text: 'warn', cls: 'st-warn' },
    errored: { text: 'ERROR', cls: 'st-errored' },
    skipped: { text: 'skip', cls: 'st-skipped' },
  };
  const m = map[o.status];
  return { ...m, title: o.skipReason ?? o.error?.code ?? o.failure?.message ?? o.status };
}

function summaryCard(t: TargetColumn, i: number): string {
  const rows = [...LEVELS.map((l) => [l, t.byLevel[l]] as const), ['all', { ...t.summary, total: t.summary.total }] as const];
  const body = rows
    .filter(([, c]) => c.total > 0)
    .map(
      ([level, c]) =>
        `<tr${level === 'all' ? ' class="all"' : ''}><th scope="row">${esc(level)}</th>${COLS.map((k) => `<td data-target="${i}" data-level="${esc(level)}" data-count="${k}"${c[k] && k !== 'total' && k !== 'passed' ? ` class="nz-${k}"` : ''}>${c[k] ?? 0}</td>`).join('')}</tr>`,
    )
    .join('');
  const extra = [
    t.expectations ? `judged by <code>${esc(t.expectations)}</code> (${t.summary.knownDeviations ?? 0} known deviations, ${t.summary.unexpected ?? 0} unexpected)` : '',
    t.discoveryError ? `<span class="warn">EHLO discovery failed: ${esc(t.discoveryError)}</span>` : '',
  ].filter(Boolean);
  return `<div class="card target-card" data-target="${i}">
<h3><span class="verdict v-${t.verdict}">${t.verdict === 'pass' ? 'PASS' : 'FAIL'}</span> ${esc(t.label)}</h3>
<p class="meta">${esc(t.description)} · ${esc(t.host)}:${t.port} · profile ${esc(t.profile)}${t.strict ? ', strict' : ''} · ${esc(t.startedAt)} · ${duration(t.durationMs)} · smtptest ${esc(t.toolVersion)}</p>
${extra.map((e) => `<p class="meta">${e}</p>`).join('\n')}
<table class="counts"><thead><tr><th>level</th>${COLS.map((k) => `<th>${k}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>
${t.keywords.length ? `<p class="meta keywords">EHLO: ${t.keywords.map((k) => `<code>${esc(k)}</code>`).join(' ')}</p>` : ''}
${t.tlsKeywords?.length ? `<p class="meta keywords">EHLO inside TLS: ${t.tlsKeywords.map((k) => `<code>${esc(k)}</code>`).join(' ')}</p>` : ''}
</div>`;
}

function sectionLink(ref: SectionRef | undefined, rfc: string, section: string): string {
  if (!ref) return `${esc(rfc)} §${esc(section)}`;
  const tip = ref.title ? `§${section} ${ref.title}${ref.excerpt ? ` — ${ref.excerpt}` : ''}` : `RFC ${rfc} §${section}`;
  return `<a class="sec" href="${esc(ref.url)}" title="${esc(tip)}">${esc(rfc)} §${esc(section)}</a>${ref.title ? `<br><span class="sec-title">${esc(ref.title)}</span>` : ''}`;
}

function transcript(o: Outcome): string {
  const lines = o.transcript
    .map((l) => {
      const cls = l.dir === 'C' ? 'c' : l.dir === 'S' ? 's' : 'e';
      const who = l.dir === '*' ? '--' : `${l.dir}:`;
      return `<div class="tl ${cls}"><span class="at">${l.atMs.toFixed(1)}</span><span class="who">${who}</span><code>${esc(l.text)}</code></div>`;
    })
    .join('');
  const omitted = o.transcriptOmitted ? `<div class="tl e"><span class="at"></span><span class="who">--</span><code>${o.transcriptOmitted} earlier lines left out</code></div>` : '';
  return `<div class="transcript">${omitted}${lines || '<div class="tl e"><code>(nothing on the wire)</code></div>'}</div>`;
}

function outcomeDetail(o: Outcome, target: string, row: ScenarioRow, ref: SectionRef | undefined): string {
  const b = badge(o);
  const bad = o.status === 'failed' || o.status === 'errored';
  const head = `<span class="st ${b.cls}">${b.text}</span> ${esc(target)} · ${o.durationMs} ms`;
  const wire = (open: string) => `<details class="outcome${bad ? ' bad' : ''}"><summary>${open}</summary>${transcript(o)}</details>`;
  if (!bad && !o.knownDeviation) {
    // Passed or skipped: one compact toggle per target.
    return wire(`${head}${o.skipReason ? ` · skipped: ${esc(o.skipReason)}` : ''} · transcript (${o.transcript.length})`);
  }
  const parts: string[] = [`<div class="ohead">${head}</div>`];
  if (o.failure) {
    const f = o.failure;
    parts.push(
      `<dl class="failure"><dt>step</dt><dd><code>${esc(f.stepText)}</code>${f.line ? ` <span class="where">${esc(row.file)}:${f.line}</span>` : ''}</dd>` +
        `<dt>expected</dt><dd class="expected"><code>${esc(f.expected)}</code></dd><dt>actual</dt><dd class="actual"><code>${esc(f.actual)}</code></dd>` +
        `<dt>why</dt><dd>${esc(f.message)}</dd></dl>`,
    );
  }
  if (o.error) parts.push(`<dl class="failure"><dt>error</dt><dd><code>${esc(o.error.code)}</code> ${esc(o.error.message)}${o.error.step >= 0 ? ` (step ${o.error.step})` : ' (before the first step)'}</dd></dl>`);
  if (o.skipReason) parts.push(`<p class="meta">skipped: ${esc(o.skipReason)}</p>`);
  if (o.knownDeviation) parts.push(`<p class="meta">documented deviation (${esc(o.knownDeviation.status)}): ${esc(o.knownDeviation.reason)}${o.knownDeviation.knob ? ` — knob: <code>${esc(o.knownDeviation.knob)}</code>` : ''}</p>`);
  if (bad && ref?.excerpt) parts.push(`<blockquote class="rfc" cite="${esc(ref.url)}"><b>RFC ${esc(ref.rfc)} §${esc(ref.section)} ${esc(ref.title ?? '')}</b>: ${esc(ref.excerpt)}</blockquote>`);
  parts.push(wire(`transcript (${o.transcript.length} lines)`));
  return `<div class="outcome-block${bad ? ' bad' : ''}">${parts.join('')}</div>`;
}

function scenarioRows(row: ScenarioRow, m: ConformanceModel): string {
  const ref = m.sections[sectionKey(row.rfc, row.section)];
  const statuses = row.outcomes.map((o) => o?.status ?? 'absent');
  const bad = row.outcomes.some((o) => o && (o.status === 'failed' || o.status === 'errored'));
  const majority = mode(statuses);
  const cells = row.outcomes
    .map((o, i) => {
      const b = badge(o);
      const odd = row.differs && statuses[i] !== majority ? ' odd' : '';
      return `<td class="cell${odd}" data-target="${i}" data-status="${o?.status ?? 'absent'}"><span class="st ${b.cls}" title="${esc(b.title)}">${b.text}</span></td>`;
    })
    .join('');
  const search = [row.id, row.title, row.level, `${row.rfc} §${row.section}`, ref?.title ?? '', ...statuses, ...row.outcomes.map((o) => badge(o).text)].join(' ').toLowerCase();
  const attrs = `data-id="${esc(row.id)}" data-search="${esc(search)}" data-bad="${bad ? 1 : 0}" data-differs="${row.differs ? 1 : 0}"`;
  const main = `<tr class="scenario${row.differs ? ' differs' : ''}${bad ? ' bad' : ''}" ${attrs}><td class="id"><code>${esc(row.id)}</code></td><td>${esc(row.title)}</td><td class="lvl lvl-${row.level}">${row.level}</td><td class="rfc">${sectionLink(ref, row.rfc, row.section)}</td>${cells}</tr>`;
  const details = row.outcomes
    .map((o, i) => (o ? outcomeDetail(o, m.targets[i]!.label, row, ref) : ''))
    .filter(Boolean)
    .join('');
  return `${main}<tr class="detail" data-for="${esc(row.id)}"><td colspan="${4 + m.targets.length}">${details}</td></tr>`;
}

function mode(xs: string[]): string {
  const counts = new Map<string, number>();
  for (const x of xs) counts.set(x, (counts.get(x) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
}

export function renderConformance(m: ConformanceModel): string {
  const multi = m.targets.length > 1;
  const heads = m.targets.map((t, i) => `<th class="target" data-target="${i}" title="${esc(t.description)}">${esc(t.label)}</th>`).join('');
  const suites = m.suites
    .map((s) => {
      const counts = s.counts.map((c, i) => `${esc(m.targets[i]!.label)}: ${c.passed}/${c.total} passed`).join(' · ');
      return `<tbody class="suite" data-suite="${esc(s.name)}"><tr class="suite-head"><th colspan="${4 + m.targets.length}"><span class="suite-name">${esc(s.name)}</span> <span class="meta">${counts}</span></th></tr>${s.scenarios.map((r) => scenarioRows(r, m)).join('')}</tbody>`;
    })
    .join('\n');
  return `<section id="conformance">
<h2>Conformance${multi ? ` — ${m.targets.length} targets` : ''}</h2>
<div class="cards">${m.targets.map(summaryCard).join('\n')}</div>
${multi ? `<p class="matrix-note" id="matrix-note">${m.differing} of ${m.suites.reduce((n, s) => n + s.scenarios.length, 0)} scenarios differ between targets (rows highlighted; the odd one out is outlined).</p>` : ''}
<div class="controls" role="search">
<input type="search" id="filter" placeholder="Filter: id, title, level, section, status…" aria-label="Filter scenarios">
<label><input type="checkbox" id="failures-only"> Failures only</label>
${multi ? '<label><input type="checkbox" id="differences-only"> Differences only</label>' : ''}
<button type="button" id="expand-all">Expand failures</button>
<span id="shown" class="meta" aria-live="polite"></span>
</div>
<table class="scenarios${multi ? ' matrix' : ''}" id="scenarios">
<thead><tr><th>scenario</th><th>title</th><th>level</th><th>RFC §</th>${heads}</tr></thead>
${suites}
</table>
<p class="meta legend">pass · <span class="st st-failed">FAIL</span> run-failing · <span class="st st-warn">warn</span> SHOULD/MAY failure · <span class="st st-errored">ERROR</span> could not run · <span class="st st-skipped">skip</span> · <span class="st st-known">known</span> documented deviation · C: client line, S: server line, -- event; times in ms since connect.</p>
</section>`;
}
