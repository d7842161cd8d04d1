/** The HTML report's data model (snapshots, times blanked) and the page it renders to, without a browser. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { buildReportModel, renderHtml, type ReportModel } from '../reports/html/index.ts';
import { spectrumPercentiles } from '../reports/html/load-model.ts';
import { compareConformance } from '../reports/compare/index.ts';
import { conformanceRun, synthLoad } from './report-fixtures.ts';

const TIME_KEYS = new Set(['generatedAt', 'startedAt', 'durationMs', 'atMs']);

/** Deep copy with timestamps and durations replaced, for snapshots. */
function blankTimes<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), (k, v) => (TIME_KEYS.has(k) ? (typeof v === 'number' ? 0 : '<time>') : v)) as T;
}

describe('report model', () => {
  it('conformance: two targets as a matrix, counts by level, sections, transcripts (snapshot)', () => {
    const a = conformanceRun('a');
    const b = conformanceRun('b');
    const model = buildReportModel([a, b], [], { cwd: '/repo' });
    const c = model.conformance!;
    expect(c.targets.map((t) => t.label)).toEqual(['alpha', 'beta']);
    // Level counts add up to the run's own summary.
    for (const [i, run] of [a, b].entries()) {
      const t = c.targets[i]!;
      for (const k of ['total', 'passed', 'failed', 'errored', 'skipped', 'warnings'] as const) {
        expect(t.byLevel.MUST[k] + t.byLevel.SHOULD[k] + t.byLevel.MAY[k]).toBe(run.summary[k]);
      }
    }
    const rows = c.suites.flatMap((s) => s.scenarios);
    expect(rows.filter((r) => r.differs).map((r) => r.id)).toEqual(['EHLO-SIZE', 'DATA-DOT', 'DATA-TIMEOUT']);
    expect(c.differing).toBe(3);
    expect(rows.find((r) => r.id === 'EHLO-SIZE')!.outcomes[0]).toBeNull();
    expect(c.sections['5321 §4.1.1.1']).toMatchObject({ title: 'Extended HELLO (EHLO) or HELLO (HELO)', url: 'https://www.rfc-editor.org/rfc/rfc5321.html#section-4.1.1.1' });
    // A multi-line reply is one line per wire line; control octets are visible.
    const dot = rows.find((r) => r.id === 'DATA-DOT')!.outcomes[0]!;
    expect(dot.transcript.filter((l) => l.dir === 'C').map((l) => l.text)).toEqual(['DATA\\r\\n', 'a\\n', 'b\\x00<script>\\r\\n', '.\\r\\n']);
    expect(rows.find((r) => r.id === 'GREET-220')!.outcomes[0]!.transcript.filter((l) => l.dir === 'S').length).toBe(4);
    expect(rows[0]!.file).toBe('suites/greeting.yaml');
    expect(blankTimes(model)).toMatchSnapshot();
  });

  it('two runs of one target get distinct labels; explicit labels win', () => {
    const run = conformanceRun('a', 'embedded');
    expect(buildReportModel([run, run]).conformance!.targets.map((t) => t.label)).toEqual(['embedded #1', 'embedded #2']);
    expect(buildReportModel([run, run], [], { labels: ['base', 'current'] }).conformance!.targets.map((t) => t.label)).toEqual(['base', 'current']);
  });

  it('shows the EHLO keywords before and inside TLS', () => {
    const run = conformanceRun('a', 'embedded');
    const inTls = { ...run, target: { ...run.target, capabilities: { ...run.target.capabilities, tlsKeywords: { AUTH: ['PLAIN', 'LOGIN'] } } } };
    const model = buildReportModel([inTls]);
    expect(model.conformance!.targets[0]).toMatchObject({ keywords: ['PIPELINING', 'SIZE 1000000'], tlsKeywords: ['AUTH PLAIN LOGIN'] });
    expect(renderHtml(model)).toContain('EHLO inside TLS: <code>AUTH PLAIN LOGIN</code>');
    expect(buildReportModel([run]).conformance!.targets[0]!.tlsKeywords).toBeUndefined();
  });

  it('caps long transcripts and says how much it left out', () => {
    const run = conformanceRun('a');
    const s = run.scenarios[0]!;
    s.transcript = Array.from({ length: 50 }, (_, i) => ({ dir: 'C' as const, atMs: i, text: `NOOP ${i}\r\n` }));
    const o = buildReportModel([run], [], { maxTranscript: 10 }).conformance!.suites[0]!.scenarios[0]!.outcomes[0]!;
    expect(o.transcript).toHaveLength(10);
    expect(o.transcriptOmitted).toBe(40);
    expect(o.transcript[9]!.text).toBe('NOOP 49\\r\\n');
  });

  it('load: figures, phases, timeline per second, errors by kind and phase, spectrum (snapshot)', () => {
    const open = synthLoad({ seed: 1, intervals: 6, perInterval: 40, model: 'open', rejectEvery: 10 });
    const closed = synthLoad({ seed: 2, intervals: 6, perInterval: 40 });
    const model = buildReportModel([], [open, closed]);
    expect(model.conformance).toBeUndefined();
    const [o, c] = model.load;
    expect(o!.serviceTime).toBeDefined();
    expect(c!.serviceTime).toBeUndefined();
    expect(o!.spectrum.series.map((s) => s.name)).toEqual(['transaction (corrected)', 'service time (uncorrected)']);
    expect(c!.spectrum.series.map((s) => s.name)).toEqual(['transaction']);
    expect(o!.phaseSpectrum.series.map((s) => s.name)).toEqual(['connect', 'greeting', 'ehlo', 'mail', 'rcpt', 'data', 'eod', 'quit']);
    // Decoded from the HDR histogram: close to the recorded percentiles, monotonic.
    const tx = o!.spectrum.series[0]!;
    expect(tx.count).toBe(open.latency.count);
    const at50 = tx.values[o!.spectrum.percentiles.indexOf(50)]!;
    expect(Math.abs(at50 - open.latency.p50) / open.latency.p50).toBeLessThan(0.02);
    const vals = tx.values.filter((v): v is number => v !== null);
    expect([...vals].sort((x, y) => x - y)).toEqual(vals);
    expect(o!.timeline.acceptedPerS).toEqual(open.timeline.samples.map((s) => s.accepted));
    expect(o!.errors.reduce((n, e) => n + e.count, 0)).toBe(open.messages.failed);
    expect(o!.errors.map((e) => e.kind).sort()).toEqual(['reset', 'timeout']);
    expect(blankTimes(model)).toMatchSnapshot();
  });

  it('spectrum percentiles halve the distance to 100 until the samples run out', () => {
    expect(spectrumPercentiles(10)).toEqual([0, 10, 20, 30, 40, 50, 75, 87.5, 100]);
    // At least one sample beyond each: 0.195% of 1000 is 1.95 samples, 0.098% would be 0.98.
    expect(spectrumPercentiles(1000).at(-2)).toBe(99.8046875);
    expect(spectrumPercentiles(1e9).at(-2)).toBeGreaterThan(99.9998);
  });
});

describe('rendered page', () => {
  const model: ReportModel = buildReportModel([conformanceRun('a'), conformanceRun('b')], [synthLoad({ seed: 1, intervals: 6, perInterval: 40, model: 'open' })], {
    comparison: compareConformance(conformanceRun('b'), conformanceRun('a')),
  });
  const html = renderHtml(model);

  it('is self-contained: no external scripts, styles, images or fonts', () => {
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link[^>]+href=/i);
    expect(html).not.toMatch(/<img[^>]+src=["']?https?:/i);
    expect(html).not.toMatch(/@import|url\(\s*["']?https?:/i);
    // Links out are only to the RFC text.
    const hrefs = [...html.matchAll(/href="(https?:[^"]+)"/g)].map((m) => m[1]!);
    expect(hrefs.length).toBeGreaterThan(0);
    expect(hrefs.every((h) => h.startsWith('https://www.rfc-editor.org/rfc/'))).toBe(true);
    // uPlot is inlined (its banner), and only when there are charts.
    expect(html).toContain('https://github.com/leeoniya/uPlot');
    expect(renderHtml(buildReportModel([conformanceRun('a')]))).not.toContain('leeoniya/uPlot');
  });

  it('escapes what the server and the scenarios say', () => {
    expect(html).toContain('<code>b\\x00&lt;script&gt;\\r\\n</code>');
    expect(html).not.toContain('<script>\\r\\n');
    // Exactly the three scripts it means to have.
    expect(html.match(/<script\b/g)).toHaveLength(3);
  });

  it('has the sections, the filter controls and the comparison', () => {
    for (const id of ['comparison', 'conformance', 'load', 'filter', 'failures-only', 'differences-only']) expect(html).toContain(`id="${id}"`);
    expect(html).toContain('data-compare-verdict="regressed"');
    expect(html.match(/<tr class="scenario/g)).toHaveLength(7);
  });

  it('smtptest report writes it from files', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smtptest-report-'));
    const a = path.join(dir, 'a.json');
    const l = path.join(dir, 'l.json');
    fs.writeFileSync(a, JSON.stringify(conformanceRun('a')));
    fs.writeFileSync(l, JSON.stringify(synthLoad({ seed: 1, intervals: 6 })));
    const out = path.join(dir, 'r.html');
    expect((await runCli(['report', a, l, '-o', out, '--title', 'T'])).code).toBe(0);
    fs.writeFileSync(path.join(dir, 'junk.json'), '{"hello": 1}');
    expect((await runCli(['report', path.join(dir, 'junk.json'), '-o', out])).code).toBe(2);
    const page = fs.readFileSync(out, 'utf8');
    expect(page).toContain('<title>T</title>');
    expect(page).toContain('id="load"');
  });
});
