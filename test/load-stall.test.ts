/**
 * Coordinated omission: a sink that freezes for 1 s during an open-loop run.
 * Latency measured from each message's intended start (corrected) shows the
 * stall at p99; latency from the actual start (service time, what a closed
 * loop or an uncorrected tool reports) does not, because the messages that
 * were due during the stall waited in the backlog, not on the wire.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../harness/load/index.ts';
import { startSink, type StartedSink } from '../targets/sink/index.ts';

let sink: StartedSink;
beforeAll(async () => {
  sink = await startSink();
});
afterAll(() => sink.stop());

describe('a 1 s stall in an open-loop run', () => {
  it('shows in the corrected p99 and not in the uncorrected one', async () => {
    // 200 msgs/s for 3 s on 2 connections: at most 2 of 600 messages are on the wire when the stall starts.
    const timer = setTimeout(() => sink.freeze(1000), 1200);
    const r = await runLoad({ target: sink, connections: 2, rate: 200, durationS: 3 });
    clearTimeout(timer);
    expect(r.model).toBe('open');
    expect(r.messages.accepted).toBe(600);
    expect(r.latency.p99).toBeGreaterThanOrEqual(700);
    expect(r.latency.max).toBeGreaterThanOrEqual(900);
    expect(r.serviceTime!.p99).toBeLessThan(200);
    // The starts due during the stall were late and queued.
    expect(r.schedule!.late).toBeGreaterThanOrEqual(150);
    expect(r.schedule!.maxBacklog).toBeGreaterThanOrEqual(150);
    expect(r.schedule!.maxLagMs).toBeGreaterThanOrEqual(900);
  });

  it('spreads starts evenly: no burst at whole-second boundaries', async () => {
    const r = await runLoad({ target: sink, connections: 4, rate: 100, durationS: 2 });
    // Each 1 s interval starts about 100 messages (not 200 in one and 0 in the next).
    const started = r.timeline.samples.slice(0, 2).map((s) => s.started);
    for (const n of started) expect(n, `started per interval: ${started}`).toBeGreaterThanOrEqual(85);
    for (const n of started) expect(n, `started per interval: ${started}`).toBeLessThanOrEqual(115);
    // Starting a whole second's messages at once would queue ~96 of them behind 4 connections.
    expect(r.schedule!.maxBacklog, JSON.stringify(r.schedule)).toBeLessThanOrEqual(4);
  });
});
