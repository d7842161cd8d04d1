/**
 * Measured phase latencies agree with a sink that delays each reply by a
 * known time. Tolerance: each phase's p50 is at least its delay and at most
 * 15 ms above it (timer and scheduling slack on a shared 2-core machine).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLoad } from '../harness/load/index.ts';
import { startSink, type StartedSink } from '../targets/sink/index.ts';
import { parseSinkSpec } from '../targets/sink/options.ts';

const TOLERANCE_MS = 15;
const DELAYS = { greeting: 30, ehlo: 20, mail: 20, rcpt: 30, data: 10, eod: 40, quit: 25 };

let sink: StartedSink;
beforeAll(async () => {
  sink = await startSink(parseSinkSpec(Object.entries(DELAYS).map(([k, v]) => `${k}-delay=${v}ms`).join(',')));
});
afterAll(() => sink.stop());

describe('phase latencies against a delaying sink', () => {
  it('match each per-command delay, one command per write', async () => {
    const r = await runLoad({ target: sink, connections: 4, messages: 40, perConnection: '5' });
    expect(r.messages.accepted).toBe(40);
    for (const [phase, d] of Object.entries(DELAYS)) {
      const s = r.phases[phase]!;
      expect(s.count, phase).toBeGreaterThan(0);
      expect(s.p50, phase).toBeGreaterThanOrEqual(d);
      expect(s.p50, phase).toBeLessThanOrEqual(d + TOLERANCE_MS);
    }
    // A message's transaction is the sum of its replies' delays (keep-alive: MAIL..end of data = 100 ms).
    expect(r.latency.p50).toBeGreaterThanOrEqual(100);
  });

  it('time each pipelined reply from the one write, so the delays add up', async () => {
    const r = await runLoad({ target: sink, connections: 2, messages: 20, pipelining: true });
    expect(r.sessions.pipelined).toBe(r.sessions.opened);
    const want = { mail: 20, rcpt: 50, data: 60, eod: 40 };
    for (const [phase, d] of Object.entries(want)) {
      expect(r.phases[phase]!.p50, phase).toBeGreaterThanOrEqual(d);
      expect(r.phases[phase]!.p50, phase).toBeLessThanOrEqual(d + TOLERANCE_MS);
    }
  });
});
