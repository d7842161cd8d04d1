/** `smtptest compare`: a known shift is flagged, the same distribution is not; conformance changes, new failures first. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.ts';
import { compareConformance, compareLoad, type LoadComparison, type MetricDelta } from '../reports/compare/index.ts';
import { conformanceRun, synthLoad } from './report-fixtures.ts';

const metric = (c: LoadComparison, name: string): MetricDelta => {
  const m = c.metrics.find((x) => x.metric === name);
  if (!m) throw new Error(`no metric ${name}`);
  return m;
};

describe('load comparison', () => {
  it('flags a 30% latency shift as a significant regression', () => {
    const base = synthLoad({ seed: 1 });
    const current = synthLoad({ seed: 2, latencyScale: 1.3 });
    const c = compareLoad(base, current);
    expect(c.verdict).toBe('regressed');
    for (const p of ['p50', 'p90', 'p99']) {
      const m = metric(c, `latency.${p}`);
      expect(m.gated).toBe(true);
      expect(m.significant).toBe(true);
      expect(m.regression).toBe(true);
      expect(m.relative).toBeGreaterThan(0.1);
    }
    expect(metric(c, 'latency.p50').interval!.low).toBeGreaterThan(0.1);
    expect(metric(c, 'throughput').regression).toBe(false);
  });

  it('does not flag two runs of the same distribution (ten seed pairs)', () => {
    for (let seed = 10; seed < 20; seed++) {
      const c = compareLoad(synthLoad({ seed }), synthLoad({ seed: seed + 100 }));
      expect(c.regressions, `seed ${seed}`).toBe(0);
      expect(c.verdict).toBe('pass');
    }
  });

  it('a shift smaller than the threshold is significant but not a regression', () => {
    const c = compareLoad(synthLoad({ seed: 3 }), synthLoad({ seed: 4, latencyScale: 1.06 }), { latencyPct: 10 });
    const m = metric(c, 'latency.p50');
    expect(m.significant).toBe(true);
    expect(m.beyondThreshold).toBe(false);
    expect(m.regression).toBe(false);
    expect(c.verdict).toBe('pass');
    // The same pair fails a tighter threshold.
    expect(compareLoad(synthLoad({ seed: 3 }), synthLoad({ seed: 4, latencyScale: 1.06 }), { latencyPct: 3 }).verdict).toBe('regressed');
  });

  it('flags a throughput drop and a rise in errors; improvements are not regressions', () => {
    const base = synthLoad({ seed: 5, perInterval: 200 });
    const slower = synthLoad({ seed: 6, perInterval: 150 });
    expect(metric(compareLoad(base, slower), 'throughput').regression).toBe(true);
    expect(metric(compareLoad(slower, base), 'throughput').regression).toBe(false);
    expect(metric(compareLoad(slower, base), 'throughput').significant).toBe(true);
    const errors = compareLoad(base, synthLoad({ seed: 7, rejectEvery: 20 }));
    expect(metric(errors, 'errorRate').regression).toBe(true);
    expect(metric(errors, 'errorRate').interval!.statistic).toBe('difference');
  });

  it('does not test a metric with too few intervals, and names setup differences', () => {
    const c = compareLoad(synthLoad({ seed: 1, intervals: 3 }), synthLoad({ seed: 2, intervals: 3, latencyScale: 2, model: 'open' }));
    const m = metric(c, 'latency.p50');
    expect(m.test).toBeUndefined();
    expect(m.note).toBeDefined();
    expect(m.regression).toBe(false);
    expect(c.caveats.length).toBeGreaterThan(0);
  });

  it('does not count a short last interval as a throughput dip', () => {
    const run = synthLoad({ seed: 1, intervals: 10 });
    const cut = { ...run, durationMs: run.durationMs - 900 };
    expect(compareLoad(run, cut).current.intervals).toBe(9);
  });
});

describe('conformance comparison', () => {
  it('lists new failures first, then warnings, changes, additions, removals and fixes', () => {
    const base = conformanceRun('b', 'mta');
    const current = conformanceRun('a', 'mta');
    const c = compareConformance(base, current);
    expect(c.changes.map((ch) => [ch.id, ch.kind])).toEqual([
      ['DATA-DOT', 'new-failure'],
      ['DATA-TIMEOUT', 'changed'],
      ['EHLO-SIZE', 'removed'],
    ]);
    expect(c.changes[0]!.regression).toBe(true);
    expect(c.changes[0]!.detail).toContain('554');
    expect(c.regressions).toBe(1);
    expect(c.verdict).toBe('regressed');
    expect(compareConformance(base, current, { allowNewFailures: 1 }).verdict).toBe('pass');

    const back = compareConformance(current, base);
    expect(back.changes.map((ch) => ch.kind)).toEqual(['new-failure', 'added', 'fixed']);
    expect(back.changes[0]!.id).toBe('DATA-TIMEOUT');
    expect(back.changes[2]!.id).toBe('DATA-DOT');
  });

  it('a new SHOULD failure is a warning unless --strict', () => {
    const base = conformanceRun('a', 'mta');
    const current = structuredClone(base);
    const i = current.scenarios.findIndex((s) => s.id === 'DATA-LONG-LINE');
    base.scenarios[i] = { ...base.scenarios[i]!, status: 'passed' } as (typeof base.scenarios)[number];
    expect(compareConformance(base, current).changes.map((ch) => ch.kind)).toEqual(['new-warning']);
    expect(compareConformance(base, current).verdict).toBe('pass');
    expect(compareConformance(base, current, { strict: true }).verdict).toBe('regressed');
  });

  it('identical runs have no changes', () => {
    const c = compareConformance(conformanceRun('a'), conformanceRun('a'));
    expect(c.changes).toEqual([]);
    expect(c.unchanged).toBe(6);
    expect(c.verdict).toBe('pass');
  });
});

describe('smtptest compare (CLI)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smtptest-compare-'));
  const write = (name: string, data: unknown) => {
    const f = path.join(dir, name);
    fs.writeFileSync(f, JSON.stringify(data));
    return f;
  };
  const quiet = runCli;

  it('exits 1 on a load regression, 0 without, and writes JSON and HTML', async () => {
    const base = write('base-load.json', synthLoad({ seed: 1 }));
    const same = write('same-load.json', synthLoad({ seed: 2 }));
    const slow = write('slow-load.json', synthLoad({ seed: 3, latencyScale: 1.5 }));
    expect((await quiet(['compare', base, same])).code).toBe(0);
    const json = path.join(dir, 'cmp.json');
    const html = path.join(dir, 'cmp.html');
    const r = await quiet(['compare', base, slow, '--json', json, '--html', html]);
    expect(r.code).toBe(1);
    const written = JSON.parse(fs.readFileSync(json, 'utf8')) as LoadComparison;
    expect(written.kind).toBe('load');
    expect(written.verdict).toBe('regressed');
    expect(fs.readFileSync(html, 'utf8')).toContain('data-compare-verdict="regressed"');
    // A looser threshold lets the same pair through.
    expect((await quiet(['compare', base, slow, '--latency-threshold', '80'])).code).toBe(0);
  });

  it('exits 1 on a new conformance failure; --baseline supplies BASE; mixing kinds is a usage error', async () => {
    const b = write('b.json', conformanceRun('b', 'mta'));
    const a = write('a.json', conformanceRun('a', 'mta'));
    expect((await quiet(['compare', b, a])).code).toBe(1);
    expect((await quiet(['compare', a, b])).code).toBe(1);
    expect((await quiet(['compare', b, b])).code).toBe(0);
    expect((await quiet(['compare', a, '--baseline', b])).code).toBe(1);
    expect((await quiet(['compare', b, a, '--allow-new-failures', '1'])).code).toBe(0);
    expect((await quiet(['compare', b, write('l.json', synthLoad({ seed: 1, intervals: 6 }))])).code).toBe(2);
    expect((await quiet(['compare', b, path.join(dir, 'missing.json')])).code).toBe(2);
    expect((await quiet(['compare', b, a, '--percentiles', 'p99_9'])).code).toBe(2);
  });

  it('reads thresholds and the baseline from smtptest.config.yaml', async () => {
    const b = write('cb.json', conformanceRun('b', 'mta'));
    const a = write('ca.json', conformanceRun('a', 'mta'));
    const cfg = path.join(dir, 'smtptest.config.yaml');
    fs.writeFileSync(cfg, `compare:\n  baseline: ./cb.json\n  allowNewFailures: 1\n`);
    expect((await quiet(['compare', a, '--config', cfg])).code).toBe(0);
    expect((await quiet(['compare', a, '--config', cfg, '--allow-new-failures', '0'])).code).toBe(1);
  });
});
