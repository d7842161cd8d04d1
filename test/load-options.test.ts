/**
 * Load options that shape the run: warm-up is excluded from the figures,
 * --per-connection bounds sessions, --size sets the octets sent, and the
 * distributions parse as documented.
 */
import { describe, expect, it } from 'vitest';
import { runLoad } from '../harness/load/index.ts';
import { messageContent } from '../harness/load/message.ts';
import { draw, mulberry32, parseDistribution } from '../harness/load/random.ts';
import { isSmtpTestError } from '../harness/errors.ts';

describe('load options', () => {
  it('leaves the warm-up out of every figure', async () => {
    const r = await runLoad({ target: 'sink', connections: 2, rate: 100, durationS: 1, warmupS: 0.5 });
    // 50 messages were due during the warm-up, 100 after it: only those count.
    expect(r.messages.total).toBe(100);
    expect(r.schedule!.intended).toBe(100);
    expect(r.phases.eod!.count).toBe(100);
    expect(r.timeline.samples[0]!.t).toBe(0);
  });

  it('reports the CPU of the measured window apart from the warm-up', async () => {
    const r = await runLoad({ target: 'sink', connections: 4, durationS: 1, warmupS: 1 });
    const run = r.resources.cpuUserMs + r.resources.cpuSystemMs;
    const measured = r.resources.measuredCpuUserMs! + r.resources.measuredCpuSystemMs!;
    // A closed loop against the in-process sink keeps a core busy in both halves.
    expect(measured).toBeGreaterThan(run * 0.2);
    expect(measured).toBeLessThan(run * 0.8);
    const none = await runLoad({ target: 'sink', connections: 1, messages: 50 });
    expect(none.resources.measuredCpuUserMs).toBe(none.resources.cpuUserMs);
    expect(none.resources.measuredCpuSystemMs).toBe(none.resources.cpuSystemMs);
  });

  it('opens a new session after --per-connection messages', async () => {
    const r = await runLoad({ target: 'sink', connections: 1, messages: 100, perConnection: '10' });
    expect(r.sessions.opened).toBe(10);
    expect(r.phases.quit!.count).toBe(10);
    const one = await runLoad({ target: 'sink', connections: 3, messages: 30, perConnection: '1' });
    expect(one.phases.connect!.count).toBe(30);
  });

  it('sends message content of exactly --size octets before the terminator', () => {
    for (const size of [100, 999, 1000, 4096, 100_000]) {
      const b = messageContent('example.org', size);
      expect(b.length - 3).toBe(size);
      expect(b.subarray(-5).toString('latin1')).toBe('\r\n.\r\n');
    }
  });

  it('parses and draws distributions', () => {
    const rng = mulberry32(7);
    expect(parseDistribution('1000', 'x')).toEqual({ kind: 'fixed', value: 1000 });
    const u = parseDistribution('uniform:500-600', 'x');
    const us = Array.from({ length: 1000 }, () => draw(u, rng));
    expect(Math.min(...us)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...us)).toBeLessThanOrEqual(600);
    const l = parseDistribution('lognormal:2000:0.5', 'x');
    const ls = Array.from({ length: 4001 }, () => draw(l, rng)).sort((a, b) => a - b);
    expect(ls[2000]).toBeGreaterThan(1800);
    expect(ls[2000]).toBeLessThan(2200);
    for (const bad of ['uniform:9-1', 'gauss:1', 'fixed:', 'lognormal:x:1', '-5']) {
      let err: unknown;
      try {
        parseDistribution(bad, 'x');
      } catch (e) {
        err = e;
      }
      expect(isSmtpTestError(err, 'E_CONFIG'), bad).toBe(true);
    }
  });

  it('refuses contradictory options with E_CONFIG', async () => {
    for (const o of [{ messages: 10, durationS: 1 }, { connections: 2, workers: 3 }, { rate: 0 }, { rcpts: 0 }]) {
      await expect(runLoad({ target: 'sink', ...o })).rejects.toMatchObject({ code: 'E_CONFIG' });
    }
  });
});
