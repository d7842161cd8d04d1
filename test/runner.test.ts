import type net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { testCertificate } from '../targets/test-credentials.ts';
import { urlTarget } from '../targets/url.ts';
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

/**
 * A server that offers AUTH only inside TLS (as Postfix with
 * smtpd_tls_auth_only does): STARTTLS before, AUTH PLAIN after, one account
 * (u / "p@ss"), and 503 to a second AUTH.
 */
function authOnlyInTls() {
  const ehlo = (kw: string) => `250-fake.example\r\n250 ${kw}\r\n`;
  return fakeServer((plain) => {
    plain.write('220 fake.example ESMTP\r\n');
    let s: net.Socket = plain;
    let inTls = false;
    let authed = false;
    const answer = (line: string) => {
      const verb = line.split(' ')[0]!.toUpperCase();
      if (verb === 'EHLO') s.write(ehlo(inTls ? 'AUTH PLAIN' : 'STARTTLS'));
      else if (verb === 'STARTTLS' && !inTls) {
        plain.removeAllListeners('data');
        plain.write('220 2.0.0 go ahead\r\n');
        const secure = new tls.TLSSocket(plain, { isServer: true, ...testCertificate() });
        secure.on('error', () => undefined);
        s = secure;
        inTls = true;
        onLines(secure, answer);
      } else if (verb === 'AUTH' && inTls) {
        if (authed) s.write('503 5.5.1 already authenticated\r\n');
        else if (line === `AUTH PLAIN ${Buffer.from('\0u\0p@ss').toString('base64')}`) s.write('235 2.7.0 ok\r\n'), (authed = true);
        else s.write('535 5.7.8 no\r\n');
      } else if (verb === 'QUIT') s.end('221 2.0.0 bye\r\n');
      else s.write('500 5.5.1 what?\r\n');
    };
    onLines(plain, answer);
  });
}

describe('AUTH inside TLS and an AUTH account', () => {
  const suite = () =>
    suiteFile(
      'auth.yaml',
      `title: t
rfc: 4954
scenarios:
  - { id: IN-TLS, title: t, section: "4", level: MUST, requires: [AUTH PLAIN, STARTTLS], steps: [ { starttls: true }, { send: EHLO c.example }, { expect: 250 }, { send: "AUTH PLAIN {{authPlain}}" }, { expect: 235 }, { send: "AUTH PLAIN {{authPlain}}" }, { expect: 503 } ] }
  - { id: IN-CLEAR, title: c, section: "4", level: MUST, requires: [AUTH], steps: [ { send: AUTH PLAIN }, { expect: 334 } ] }
  - { id: NEEDS-LOGIN, title: l, section: "4", level: MUST, requires: [AUTH LOGIN, STARTTLS], steps: [ { starttls: true }, { send: AUTH LOGIN }, { expect: 334 } ] }
`,
    );

  it('judges requires on the EHLO reply inside TLS for scenarios that start with STARTTLS, and fills and hides the account', async () => {
    server = await authOnlyInTls();
    const run = await runSuites({ target: { ...server.target, facts: { auth: { user: 'u', password: 'p@ss' } } }, suites: [suite()] });
    expect(run.target.capabilities).toMatchObject({ keywords: { STARTTLS: [] }, tlsKeywords: { AUTH: ['PLAIN'] } });
    const [inTls, inClear, login] = run.scenarios;
    expect(inTls).toMatchObject({ id: 'IN-TLS', status: 'passed' });
    expect(inClear).toMatchObject({ id: 'IN-CLEAR', status: 'skipped', skipReason: 'server does not advertise AUTH' });
    expect(login).toMatchObject({ id: 'NEEDS-LOGIN', status: 'skipped', skipReason: 'server does not advertise AUTH LOGIN after STARTTLS' });
    // The transcript shows the placeholder, never the credentials (the TLS part is recorded after the handshake).
    const sent = inTls!.transcript.filter((e) => e.dir === 'C').map((e) => e.text);
    expect(sent).toContain('AUTH PLAIN {{authPlain}}\r\n');
    expect(JSON.stringify(run)).not.toContain(Buffer.from('\0u\0p@ss').toString('base64'));
  });

  it('skips scenarios that use the account when the target has none, and fails on wrong credentials', async () => {
    server = await authOnlyInTls();
    const none = await runSuites({ target: server.target, suites: [suite()] });
    expect(none.scenarios[0]).toMatchObject({ status: 'skipped', skipReason: 'target fake has no AUTH account (give one as smtp://USER:PASSWORD@host:port)' });
    const wrong = await runSuites({ target: { ...server.target, facts: { auth: { user: 'u', password: 'nope' } } }, suites: [suite()] });
    expect(wrong.scenarios[0]).toMatchObject({ status: 'failed', failure: { actual: '535 5.7.8 no' } });
  });

  it('takes the account from the target URL, percent-decoded, and leaves the password out of the name', async () => {
    const started = await urlTarget('smtp://us%40er:p%40ss%3Aword@127.0.0.1:2525')!.start();
    expect(started.facts.auth).toEqual({ user: 'us@er', password: 'p@ss:word' });
    expect(urlTarget('smtp://u:secret@127.0.0.1:2525')!.name).toBe('smtp://u:***@127.0.0.1:2525');
    expect((await urlTarget('smtp://127.0.0.1:2525')!.start()).facts.auth).toBeUndefined();
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
