/**
 * Errors by kind and phase, rejections by phase and exact code: a rejected
 * message is counted, never retried silently; a lost one is counted as
 * failed with what happened and where.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runLoad } from '../harness/load/index.ts';
import { MutantServer, parseFaults } from '../targets/mutant/index.ts';
import { resolveTarget } from '../targets/resolve.ts';

describe('load errors and rejections', () => {
  it('counts refused connections as failed, by kind', async () => {
    const port = await new Promise<number>((r) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => r(p));
      });
    });
    const res = await runLoad({ target: `smtp://127.0.0.1:${port}`, connections: 2, messages: 20 });
    expect(res.messages).toMatchObject({ total: 20, accepted: 0, failed: 20 });
    expect(res.errors).toEqual({ refused: 20 });
  });

  it('counts rejections by phase and exact code with enhanced status, and goes on', async () => {
    for (const pipelining of [false, true]) {
      const res = await runLoad({ target: 'sink:rcpt-5xx=100%', connections: 2, messages: 30, pipelining });
      expect(res.messages, `pipelining ${pipelining}`).toMatchObject({ total: 30, accepted: 0, rejected: 30, failed: 0 });
      expect(res.replies.rejections['rcpt 550 5.1.1']).toBe(30);
      expect(res.replies.codes['550 5.1.1']).toBe(30);
      // Pipelined, DATA went along and was refused too (RFC 2920 §3.1).
      if (pipelining) expect(res.replies.rejections['data 554 5.5.1']).toBe(30);
      expect(res.errors).toEqual({});
      expect(res.sessions.opened).toBe(2);
    }
  });

  it('counts a temporary failure at end of data as rejected with its code', async () => {
    const res = await runLoad({ target: 'sink:eod-4xx=100%', connections: 1, messages: 10 });
    expect(res.messages).toMatchObject({ rejected: 10, accepted: 0 });
    expect(res.replies['4xx']).toBe(10);
    expect(res.replies.rejections).toEqual({ 'eod 451 4.3.0': 10 });
  });

  it('names resets and closes by the phase they hit', async () => {
    const reset = await runLoad({ target: 'sink:reset=100%', connections: 1, messages: 5 });
    expect(reset.messages).toMatchObject({ failed: 5 });
    expect(reset.errors).toEqual({ 'reset@mail': 5 });
    const closed = await runLoad({ target: 'sink:disconnect=100%', connections: 1, messages: 5 });
    expect(closed.errors).toEqual({ 'closed@mail': 5 });
  });

  it('times out a reply that does not come, at the phase it was awaited', async () => {
    const res = await runLoad({ target: 'sink:eod-delay=3s', connections: 2, messages: 2, timeoutMs: 300 });
    expect(res.messages).toMatchObject({ failed: 2 });
    expect(res.errors).toEqual({ 'timeout@eod': 2 });
  });

  it('runs STARTTLS on every session and times the handshake', async () => {
    const res = await runLoad({ target: 'sink', connections: 2, messages: 10, perConnection: '5', starttls: true });
    expect(res.messages.accepted).toBe(10);
    expect(res.phases.starttls!.count).toBe(2);
    expect(res.phases.ehlo!.count).toBe(4); // before and after TLS (RFC 3207 §4.2)
  });

  it('authenticates every session with AUTH PLAIN, inside TLS too, and counts a refused AUTH as a rejection', async () => {
    const ok = await runLoad({ target: 'mutant', connections: 2, messages: 20, perConnection: '5', auth: true });
    expect(ok.messages.accepted).toBe(20);
    expect(ok.options.auth).toBe(true);
    expect(ok.phases.auth!.count).toBe(4);
    expect(ok.replies.codes['235']).toBe(4);
    // The account from the URL, used by default; with STARTTLS, AUTH follows the EHLO inside TLS.
    const server = new MutantServer({ faults: parseFaults('') });
    const { port } = await server.listen();
    try {
      const tls = await runLoad({ target: `smtp://smtptest:smtptest@127.0.0.1:${port}`, connections: 2, messages: 10, starttls: true });
      expect(tls.messages.accepted).toBe(10);
      expect(tls.target.name).toBe(`smtp://127.0.0.1:${port}`);
      expect([tls.phases.starttls!.count, tls.phases.auth!.count, tls.phases.ehlo!.count]).toEqual([2, 2, 4]);
      const wrong = await runLoad({ target: `smtp://smtptest:wrong@127.0.0.1:${port}`, connections: 1, messages: 3 });
      expect(wrong.messages).toMatchObject({ accepted: 0, rejected: 3, failed: 0 });
      expect(wrong.replies.rejections).toEqual({ 'auth 535 5.7.8': 3 });
      const off = await runLoad({ target: `smtp://smtptest:wrong@127.0.0.1:${port}`, connections: 1, messages: 3, auth: false });
      expect(off.messages.accepted).toBe(3);
      expect(off.phases.auth).toBeUndefined();
    } finally {
      await server.close();
    }
    // Success is 235 and nothing else (RFC 4954 §4).
    const as250 = await runLoad({ target: 'mutant:auth-ok-250', connections: 1, messages: 2, auth: true });
    expect(as250.messages).toMatchObject({ accepted: 0, rejected: 2 });
    // A server that does not offer AUTH fails the session, by kind and phase; a target with no account is a usage error.
    const sink = await (await resolveTarget('sink')).start();
    try {
      const none = await runLoad({ target: `smtp://u:p@127.0.0.1:${sink.port}`, connections: 1, messages: 2 });
      expect(none.messages).toMatchObject({ accepted: 0, failed: 2 });
      expect(none.errors).toEqual({ 'no-auth@ehlo': 2 });
    } finally {
      await sink.stop();
    }
    await expect(runLoad({ target: 'sink', messages: 1, auth: true })).rejects.toThrow(/--auth: target sink has no AUTH account/);
  });

  it('replays a scenario file as the per-session workload', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workload-'));
    const file = path.join(dir, 'w.yaml');
    fs.writeFileSync(
      file,
      `title: load workload
scenarios:
  - id: W-1
    title: one message, pipelined
    section: "3.3"
    level: MUST
    steps:
      - pipeline: ["MAIL FROM:<{{sender}}>", "RCPT TO:<{{rcpt}}>", "DATA"]
      - expect: 250
      - expect: 250
      - expect: 354
      - data: "Subject: {{token}}\\n\\nhello\\n"
      - expect: 250
      - send: QUIT
      - expect: 221
  - id: W-2
    title: expects what the sink will not say
    section: "3.3"
    level: MUST
    steps:
      - send: "MAIL FROM:<{{sender}}>"
      - expect: 550
  - id: W-3
    title: one message in two BDAT chunks (RFC 3030)
    section: "2"
    level: MUST
    steps:
      - send: "MAIL FROM:<{{sender}}>"
      - expect: 250
      - send: "RCPT TO:<{{rcpt}}>"
      - expect: 250
      - bdat: { chunk: "Subject: {{token}}\\n\\nfirst\\n" }
      - expect: 250
      - bdat: { chunk: "second\\n", last: true }
      - expect: 250
  - id: W-4
    title: AUTH with the target's account, then a message (RFC 4954)
    section: "4"
    rfc: 4954
    level: MUST
    steps:
      - send: "AUTH PLAIN {{authPlain}}"
      - expect: 235
      - send: "MAIL FROM:<{{sender}}>"
      - expect: 250
      - send: "RCPT TO:<{{rcpt}}>"
      - expect: 250
      - send: DATA
      - expect: 354
      - data: "Subject: {{token}}\\n\\nhello\\n"
      - expect: 250
`,
    );
    try {
      const ok = await runLoad({ target: 'sink', connections: 2, messages: 10, workload: file });
      expect(ok.messages).toMatchObject({ total: 10, accepted: 10 });
      expect(ok.phases.eod!.count).toBe(10);
      expect(ok.phases.rcpt!.count).toBe(10);
      expect(ok.phases.quit!.count).toBe(10);
      // Each play is a session of its own.
      expect(ok.sessions.opened).toBe(10);
      // BDAT chunks: the last chunk's reply is timed as end of data, the others as DATA's.
      const chunked = await runLoad({ target: 'mutant', connections: 2, messages: 6, workload: `${file}#W-3` });
      expect(chunked.messages).toMatchObject({ total: 6, accepted: 6 });
      expect(chunked.phases.data!.count).toBe(6);
      expect(chunked.phases.eod!.count).toBe(6);
      const bad = await runLoad({ target: 'sink', connections: 1, messages: 3, workload: `${file}#W-2` });
      expect(bad.messages).toMatchObject({ total: 3, rejected: 3 });
      // {{authPlain}} is the target's account; AUTH is timed as its own phase.
      const authed = await runLoad({ target: 'mutant', connections: 1, messages: 3, workload: `${file}#W-4` });
      expect(authed.messages).toMatchObject({ total: 3, accepted: 3 });
      expect(authed.phases.auth!.count).toBe(3);
      await expect(runLoad({ target: 'sink', messages: 1, workload: `${file}#W-4` })).rejects.toThrow(/needs an AUTH account/);
      await expect(runLoad({ target: 'mutant', messages: 1, workload: `${file}#W-4`, auth: true })).rejects.toThrow(/a workload scenario sends its own AUTH/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
