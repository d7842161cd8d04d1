/**
 * A hostile server: each scenario below meets one kind of hostility on its
 * own connection; each gives failed (the server is at fault) within its
 * timeout, the harness neither crashes nor grows without bound, and the
 * other scenarios of the same run go on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSuites } from '../harness/runner/index.ts';
import type { ScenarioResult } from '../harness/runner/types.ts';
import { fakeServer, onLines, type FakeServer } from './helpers/fake-server.ts';
import { suiteFile } from './helpers/suite-file.ts';

const SUITE = `
title: hostile
scenarios:
  - { id: H-ENDLESS, title: endless multiline reply, section: "4.2", level: MUST, prelude: greeting, steps: [ { send: ENDLESS }, { expect: 250 } ] }
  - { id: H-MEGALINE, title: 1 MB reply line, section: "4.2", level: MUST, prelude: greeting, steps: [ { send: MEGALINE }, { expect: 250 } ] }
  - { id: H-GARBAGE, title: binary garbage instead of a code, section: "4.2", level: MUST, prelude: greeting, steps: [ { send: GARBAGE }, { expect: 250 } ] }
  - { id: H-MIDLINE, title: reply that stops mid-line, section: "4.2", level: MUST, prelude: greeting, steps: [ { send: MIDLINE }, { expect: { code: 250, timeout: 1s } } ] }
  - { id: H-FLOOD, title: endless single-line replies, section: "4.2", level: MUST, prelude: greeting, steps: [ { send: FLOOD }, { expect: 250 }, { expect: { noReplyWithin: 200ms } } ] }
  - { id: H-NORMAL, title: a normal NOOP on the same server, section: "4.1.1.9", level: MUST, prelude: greeting, steps: [ { send: NOOP }, { expect: 250 } ] }
`;

let server: FakeServer;
const stopAt = Date.now() + 20_000; // every loop below stops by itself

beforeAll(async () => {
  server = await fakeServer((s) => {
    s.write('220 hostile.example\r\n');
    const pump = (line: string) => {
      // Writes as fast as the socket drains, until the client goes away or the test's deadline. This
      // server runs in the test's own process: it yields after each 64 KiB, or a kernel socket buffer
      // of several MiB, filled eight octets a write, would hold up the client under test (its 2 s
      // reply timeout then fired before it read the flood's first reply, on a busy machine).
      const chunk = line.repeat(Math.ceil(1024 / line.length));
      const go = () => {
        for (let n = 0; n < 64; n++) {
          if (s.destroyed || Date.now() >= stopAt) return;
          if (!s.write(chunk)) return void s.once('drain', go);
        }
        setImmediate(go);
      };
      go();
    };
    onLines(s, (line) => {
      switch (line) {
        case 'ENDLESS':
          return pump('250-and more\r\n');
        case 'MEGALINE':
          return void s.write('250 ' + 'x'.repeat(1024 * 1024) + '\r\n');
        case 'GARBAGE':
          return void s.write(Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0d, 0x0a]));
        case 'MIDLINE':
          return void s.write('250 this line never en');
        case 'FLOOD':
          return pump('250 ok\r\n');
        case 'NOOP':
          return void s.write('250 2.0.0 ok\r\n');
      }
    });
  });
});
afterAll(() => server.close());

describe('hostile server', () => {
  it('fails each hostile scenario within its timeout, bounded in memory, and runs the rest', async () => {
    const heapBefore = process.memoryUsage().heapUsed;
    const t0 = Date.now();
    const run = await runSuites({ target: server.target, suites: [suiteFile('hostile.yaml', SUITE)], replyTimeoutMs: 2000, concurrency: 6 });
    const elapsed = Date.now() - t0;
    const byId = Object.fromEntries(run.scenarios.map((r) => [r.id, r])) as Record<string, ScenarioResult>;
    const failure = (id: string) => {
      const r = byId[id]!;
      expect(r.status, id).toBe('failed');
      return r.status === 'failed' ? r.failure : undefined;
    };
    expect(failure('H-ENDLESS')?.actual).toMatch(/REPLY_TOO_LARGE/);
    expect(failure('H-MEGALINE')?.actual).toMatch(/REPLY_LINE_TOO_LONG/);
    expect(failure('H-GARBAGE')?.actual).toMatch(/REPLY_SYNTAX/);
    expect(failure('H-MIDLINE')?.actual).toMatch(/no reply within \d+ ms \(incomplete: "250 this line never en"\)/);
    // The flood's first reply is fine; the next 250 breaks "exactly one reply".
    expect(failure('H-FLOOD')?.message).toBe('expected no reply');
    expect(byId['H-NORMAL']!.status).toBe('passed');
    expect(elapsed).toBeLessThan(15_000);
    // The flood is paused by back-pressure, not buffered: memory stays bounded.
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(100 * 1024 * 1024);
    // Transcripts are capped too.
    for (const r of run.scenarios) expect(r.transcript.reduce((n, e) => n + e.text.length, 0)).toBeLessThan(80 * 1024);
  });
});
