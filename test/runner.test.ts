import { afterEach, describe, expect, it } from 'vitest';
import { runSuites } from '../harness/runner/index.ts';
import { fakeServer, onLines, type FakeServer } from './helpers/fake-server.ts';
import { suiteFile } from './helpers/suite-file.ts';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A tiny correct-enough server: greets, answers EHLO with the given keywords, NOOP 250, QUIT 221. */
function scripted(keywords: string[]) {
  return fakeServer((s) => {
    s.write('220 fake.example ESMTP\r\n');
    onLines(s, (line) => {
      const verb = line.split(' ')[0]!.toUpperCase();
      if (verb === 'EHLO') s.write(['250' + (keywords.length ? '-' : ' ') + 'fake.example', ...keywords.map((k, i) => `250${i === keywords.length - 1 ? ' ' : '-'}${k}`)].join('\r\n') + '\r\n');
      else if (verb === 'NOOP') s.write('250 2.0.0 ok\r\n');
      else if (verb === 'QUIT') s.end('221 2.0.0 bye\r\n');
      else s.write('500 5.5.1 what?\r\n');
    });
  });
}

describe('runSuites', () => {
  it('skips a scenario whose required keyword is not advertised, and runs one whose keyword is', async () => {
    server = await scripted(['PIPELINING']);
    const suite = suiteFile(
      'req.yaml',
      `title: t
scenarios:
  - { id: NEEDS-CHUNKING, title: c, section: "2", rfc: 3030, level: MUST, requires: [CHUNKING], steps: [ { send: NOOP }, { expect: 250 } ] }
  - { id: NEEDS-PIPELINING, title: p, section: "3", rfc: 2920, level: MUST, requires: [pipelining], steps: [ { pipeline: [NOOP, NOOP] }, { expect: 250 }, { expect: 250 } ] }
`,
    );
    const run = await runSuites({ target: server.target, suites: [suite] });
    const [c, p] = run.scenarios;
    expect(c).toMatchObject({ id: 'NEEDS-CHUNKING', status: 'skipped', skipReason: 'server does not advertise CHUNKING' });
    expect(p).toMatchObject({ id: 'NEEDS-PIPELINING', status: 'passed' });
    expect(run.target.capabilities.keywords).toEqual({ PIPELINING: [] });
  });

  it('judges closed, silence and text expectations, and fails when they are not met', async () => {
    server = await scripted([]);
    const suite = suiteFile(
      'kinds.yaml',
      `title: t
scenarios:
  - { id: QUIT-CLOSES, title: q, section: "4.1.1.10", level: MUST, steps: [ { send: QUIT }, { expect: { code: 221, enhanced: "2.0.0", text: bye } }, { expect: closed } ] }
  - { id: NOOP-NOT-CLOSED, title: n, section: "4.1.1.9", level: MUST, steps: [ { send: NOOP }, { expect: closed } ] }
  - { id: UNKNOWN-NOT-SILENT, title: u, section: "4.2.4", level: MUST, steps: [ { send: FOO }, { expect: { noReplyWithin: 200ms } } ] }
  - { id: WRONG-ENHANCED, title: e, section: "4.1.1.9", level: MUST, steps: [ { send: NOOP }, { expect: { code: 2xx, enhanced: "2.1.x" } } ] }
`,
    );
    const run = await runSuites({ target: server.target, suites: [suite] });
    const status = Object.fromEntries(run.scenarios.map((r) => [r.id, r.status]));
    expect(status).toEqual({ 'QUIT-CLOSES': 'passed', 'NOOP-NOT-CLOSED': 'failed', 'UNKNOWN-NOT-SILENT': 'failed', 'WRONG-ENHANCED': 'failed' });
    const wrong = run.scenarios.find((r) => r.id === 'WRONG-ENHANCED');
    expect(wrong?.status === 'failed' && wrong.failure).toMatchObject({ step: 1, line: 6, message: 'enhanced code 2.0.0 is not 2.1.x' });
    expect(run.verdict).toBe('fail');
  });

  it('applies profile overrides and scenario profile filters', async () => {
    server = await scripted([]);
    const suite = suiteFile(
      'prof.yaml',
      `title: t
scenarios:
  - { id: P, title: p, section: "1", level: MUST, steps: [ { send: FOO }, { expect: { code: 501, profiles: { lenient: { code: [500, 501] } } } } ] }
  - { id: ONLY-STRICT, title: o, section: "1", level: MUST, profiles: [strict], steps: [ { send: NOOP }, { expect: 250 } ] }
`,
    );
    const strict = await runSuites({ target: server.target, suites: [suite], profile: 'strict' });
    expect(strict.scenarios.map((r) => r.status)).toEqual(['failed', 'passed']);
    const lenient = await runSuites({ target: server.target, suites: [suite], profile: 'lenient' });
    expect(lenient.scenarios.map((r) => r.status)).toEqual(['passed', 'skipped']);
  });

  it('reports a refused connection as errored with E_CONNECT, not as failed', async () => {
    server = await scripted([]);
    const target = { ...server.target };
    await server.close();
    server = undefined;
    const suite = suiteFile('e.yaml', `title: t\nscenarios:\n  - { id: E, title: e, section: "1", level: MAY, steps: [ { send: NOOP }, { expect: 250 } ] }\n`);
    const run = await runSuites({ target, suites: [suite], replyTimeoutMs: 1000 });
    expect(run.scenarios[0]).toMatchObject({ status: 'errored', error: { code: 'E_CONNECT' } });
    expect(run.verdict).toBe('fail');
  });
});

describe('stripDeliveryHeaders', () => {
  it('removes only the listed fields at the top, folded lines included, and stops at the first other field', async () => {
    const { stripDeliveryHeaders } = await import('../harness/runner/scenario.ts');
    const msg = 'Return-Path: <a@b>\r\nDelivered-To: u@x\r\n\tfolded\r\nReceived: from c\r\nDelivered-To: kept@x\r\n\r\nbody\r\n';
    expect(stripDeliveryHeaders(msg, ['return-path', 'delivered-to'])).toBe('Received: from c\r\nDelivered-To: kept@x\r\n\r\nbody\r\n');
    expect(stripDeliveryHeaders(msg, [])).toBe(msg);
  });
});
