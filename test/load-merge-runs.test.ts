/**
 * `smtptest merge`: load runs made at the same time (as from several
 * machines) merge into one result whose histograms are exactly the sum of
 * theirs, whose counts add, and whose timeline lines up on each run's start.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastHistogram } from '../harness/load/fast-histogram.ts';
import { runLoad } from '../harness/load/index.ts';
import { mergeRuns } from '../harness/load/merge-runs.ts';
import { LoadResultSchema, type LoadResult } from '../harness/load/types.ts';
import { startSink, type StartedSink } from '../targets/sink/index.ts';
import { runCli } from './helpers/cli.ts';

const sumOf = (b64s: string[]) => {
  const h = new FastHistogram();
  for (const b of b64s) h.addEncoded(b);
  return h;
};

describe('merging simultaneous runs', () => {
  let sink: StartedSink;
  let a: LoadResult;
  let b: LoadResult;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'smtptest-merge-'));
  beforeAll(async () => {
    sink = await startSink({ delayMs: { eod: 2 } });
    // Two "machines": the second starts 1.2 s after the first, and they overlap for 0.8 s.
    const first = runLoad({ target: sink, connections: 3, durationS: 2 });
    await new Promise((r) => setTimeout(r, 1200));
    b = await runLoad({ target: sink, connections: 5, durationS: 2, perConnection: '20' });
    a = await first;
  });
  afterAll(async () => {
    await sink.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('adds counts, and its histograms are the bucket sums of the runs', () => {
    const { result: m, warnings } = mergeRuns([
      { label: 'a', run: a },
      { label: 'b', run: b },
    ]);
    expect(LoadResultSchema.safeParse(m).success).toBe(true);
    expect(warnings).toEqual([expect.stringContaining('perConnection')]);
    expect(m.connections).toBe(8);
    expect(m.messages.accepted).toBe(a.messages.accepted + b.messages.accepted);
    expect(m.sessions.opened).toBe(a.sessions.opened + b.sessions.opened);
    expect(m.replies.codes['250']).toBe(a.replies.codes['250']! + b.replies.codes['250']!);
    const both = sumOf([a.histograms.latency, b.histograms.latency]);
    expect(m.latency).toEqual(both.stats());
    expect(m.latency.count).toBe(a.latency.count + b.latency.count);
    expect(m.histograms.latency).toBe(both.encode());
    expect(m.phases.connect!.count).toBe(a.phases.connect!.count + b.phases.connect!.count);
    expect(m.phases.eod).toEqual(sumOf([a.histograms.phases.eod!, b.histograms.phases.eod!]).stats());
    // Measured time: from a's start to b's end, about 3.2 s.
    const span = Date.parse(b.measuredFrom!) + b.durationMs - Date.parse(a.measuredFrom!);
    expect(m.durationMs).toBeCloseTo(span, 0);
    expect(m.durationMs).toBeGreaterThan(3000);
    expect(m.messages.perSecond).toBeCloseTo((m.messages.accepted / m.durationMs) * 1000, 0);
  });

  it('lines the timelines up on each run’s start', () => {
    const { result: m } = mergeRuns([
      { label: 'a', run: a },
      { label: 'b', run: b },
    ]);
    const shift = Math.round((Date.parse(b.measuredFrom!) - Date.parse(a.measuredFrom!)) / 1000);
    expect(shift).toBeGreaterThanOrEqual(1); // 1.2 s apart, give or take the machine's hurry
    const at = (r: LoadResult, t: number) => r.timeline.samples.find((s) => s.t === t);
    // That interval of the merge holds a's interval at the same time and b's first.
    const one = at(m, shift * 1000)!;
    const fromA = at(a, shift * 1000)!;
    expect(one.accepted).toBe(fromA.accepted + at(b, 0)!.accepted);
    expect(one.latency).toEqual((({ count, p50, p90, p99, max }) => ({ count, p50, p90, p99, max }))(sumOf([fromA.histogram!, at(b, 0)!.histogram!]).stats()));
    expect(m.timeline.samples.reduce((n, s) => n + s.accepted, 0)).toBe(m.messages.accepted);
  });

  it('refuses runs that do not measure the same thing', () => {
    const open = { ...b, model: 'open' as const };
    expect(() => mergeRuns([{ label: 'a', run: a }, { label: 'open', run: open }])).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    const old = { ...b, measuredFrom: undefined };
    expect(() => mergeRuns([{ label: 'a', run: a }, { label: 'old', run: old }])).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
  });

  it('is a command: JSON out, --assert on the merged figures, exit 1 when one fails', async () => {
    const fa = path.join(dir, 'a.json');
    const fb = path.join(dir, 'b.json');
    const out = path.join(dir, 'merged.json');
    fs.writeFileSync(fa, JSON.stringify(a));
    fs.writeFileSync(fb, JSON.stringify(b));
    const total = a.messages.accepted + b.messages.accepted;
    const ok = await runCli(['merge', fa, fb, '--json', out, '--assert', `accepted>=${total}`, '--assert', 'failed<=0']);
    expect(ok.code, ok.text).toBe(0);
    expect(ok.text).toContain('merged 2 runs');
    const merged = LoadResultSchema.parse(JSON.parse(fs.readFileSync(out, 'utf8')));
    expect(merged.messages.accepted).toBe(total);
    expect(merged.assertions.map((x) => x.passed)).toEqual([true, true]);
    const fail = await runCli(['merge', fa, fb, '--assert', `accepted>${total}`]);
    expect(fail.code).toBe(1);
    expect((await runCli(['merge', fa])).code).toBe(2);
  });
});
