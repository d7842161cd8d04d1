/**
 * The mutant server on the wire: exact bytes in, exact bytes out, over real
 * sockets on 127.0.0.1. The correct mode and a faulty mode side by side where
 * the fault is about the bytes (smuggling, stuffing, long lines, STARTTLS
 * injection, SIZE, timeouts).
 */
import net from 'node:net';
import tls from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { FAULTS, FAULT_NAMES, MutantServer, parseFaults } from '../targets/mutant/index.ts';
import { resolveTarget } from '../targets/resolve.ts';
import { isSmtpTestError } from '../harness/errors.ts';

const servers: MutantServer[] = [];
const clients: net.Socket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

async function start(faults = '', opts: { timeoutScale?: number; sizeLimit?: number } = {}): Promise<MutantServer> {
  const s = new MutantServer({ faults: parseFaults(faults), ...opts });
  await s.listen();
  servers.push(s);
  return s;
}

/** A raw client: writes exact bytes, collects exact bytes. */
class Raw {
  received = '';
  closed = false;
  private waiters: (() => void)[] = [];
  constructor(public socket: net.Socket) {
    clients.push(socket);
    socket.on('data', (d: Buffer) => this.feed(d.toString('latin1')));
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => undefined);
  }
  static async connect(server: MutantServer): Promise<Raw> {
    const socket = net.connect(server.address.port, '127.0.0.1');
    await new Promise<void>((r) => socket.once('connect', () => r()));
    const raw = new Raw(socket);
    await raw.replies(1); // the greeting
    raw.take();
    return raw;
  }
  feed(text: string): void {
    this.received += text;
    this.wake();
  }
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
  write(bytes: string): void {
    this.socket.write(Buffer.from(bytes, 'latin1'));
  }
  /** Number of complete replies (final lines "ddd " or "ddd\r\n") received so far. */
  count(): number {
    return (this.received.match(/^\d{3}(?: [^\n]*)?\r?\n/gm) ?? []).length;
  }
  /** Waits until `n` complete replies have arrived (or the connection closed, or 3 s). */
  async replies(n: number, ms = 3000): Promise<string> {
    const deadline = Date.now() + ms;
    while (this.count() < n && !this.closed && Date.now() < deadline) {
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.max(1, deadline - Date.now()));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.received;
  }
  /** What arrived so far; clears it. */
  take(): string {
    const r = this.received;
    this.received = '';
    return r;
  }
  /** Sends, waits for `n` replies, then a little more to catch any extra, and returns exactly what came. */
  async send(bytes: string, n: number, settleMs = 150): Promise<string> {
    this.write(bytes);
    await this.replies(n);
    await sleep(settleMs);
    return this.take();
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const EHLO = 'EHLO client.example\r\n';
const ENVELOPE = 'MAIL FROM:<a@client.example>\r\nRCPT TO:<user@smtptest.example>\r\nDATA\r\n';
const queued = (s: string) => s.replace(/queued as [0-9A-F]+/g, 'queued as ID');
const body = (m: { content: Buffer }) => m.content.toString('latin1').replace(/^Received: [^]*?\r\n(?!\t)/, '');

describe('mutant server: reference mode, exact bytes', () => {
  it('greets, answers EHLO with its keywords, and answers a pipelined transaction in order in one write', async () => {
    const server = await start();
    const socket = net.connect(server.address.port, '127.0.0.1');
    const c = new Raw(socket);
    await c.replies(1);
    expect(c.take()).toBe('220 mutant.smtptest.example ESMTP smtptest mutant\r\n');
    expect(await c.send(EHLO, 1)).toBe(
      '250-mutant.smtptest.example Hello client.example [127.0.0.1]\r\n250-PIPELINING\r\n250-SIZE 1048576\r\n250-8BITMIME\r\n' +
        '250-CHUNKING\r\n250-DSN\r\n250-SMTPUTF8\r\n250-AUTH PLAIN LOGIN\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n250 HELP\r\n',
    );
    const chunks: string[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d.toString('latin1')));
    const out = await c.send(ENVELOPE + 'Subject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n', 5);
    expect(queued(out)).toBe('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as ID\r\n221 2.0.0 Bye\r\n');
    // RFC 2920 §3.2: one write of replies for one chunk of commands.
    expect(chunks).toHaveLength(1);
    expect(c.closed).toBe(true);
    expect(server.mailbox.messages).toHaveLength(1);
    const m = server.mailbox.messages[0]!;
    expect(m.from).toBe('a@client.example');
    expect(m.to).toEqual(['user@smtptest.example']);
    expect(m.content.toString('latin1')).toMatch(/^Received: from client\.example \(\[127\.0\.0\.1\]\)\r\n\tby mutant\.smtptest\.example /);
    // RFC 5321 §4.5.2: the transparency dot is removed; §4.1.1.4: no CRLF added.
    expect(body(m)).toBe('Subject: x\r\n\r\n.dot\r\n');
  });

  it('takes BDAT chunks split across reads as exactly their octets, and discards a refused chunk (RFC 3030 §2)', async () => {
    const server = await start();
    const c = await Raw.connect(server);
    await c.send(EHLO, 1);
    // A refused BDAT (no transaction): its 12 octets are read and discarded, then the 503.
    expect(await c.send('BDAT 12\r\nNOOP\r\nNOOP\r\n', 1)).toBe('503 5.5.1 Error: need MAIL command\r\n');
    expect(await c.send('MAIL FROM:<a@client.example>\r\nRCPT TO:<user@smtptest.example>\r\n', 2)).toBe('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n');
    // A chunk holding "<CRLF>.<CRLF>" and a command line, written a few octets at a time.
    const chunk = 'Subject: c\r\n\r\na\r\n.\r\nQUIT\r\n';
    const bytes = `BDAT ${chunk.length}\r\n${chunk}BDAT 0 LAST\r\n`;
    for (let i = 0; i < bytes.length; i += 5) {
      c.write(bytes.slice(i, i + 5));
      await sleep(2);
    }
    await c.replies(2);
    await sleep(100);
    expect(queued(c.take())).toBe(`250 2.0.0 ${chunk.length} octets received\r\n250 2.0.0 Ok: ${chunk.length} octets, queued as ID\r\n`);
    expect(server.mailbox.messages).toHaveLength(1);
    expect(body(server.mailbox.messages[0]!)).toBe(chunk);
    // DATA after a chunk in the same transaction: 503.
    await c.send('MAIL FROM:<a@client.example>\r\nRCPT TO:<user@smtptest.example>\r\n', 2);
    expect(await c.send('BDAT 3\r\nx\r\nDATA\r\n', 2)).toBe('250 2.0.0 3 octets received\r\n503 5.5.1 Error: DATA after BDAT in one transaction\r\n');
  });

  it('takes UTF-8 addresses only in an SMTPUTF8 transaction, and only as UTF-8 (RFC 6531 §3.3, §3.4)', async () => {
    const c = await Raw.connect(await start());
    await c.send(EHLO, 1);
    const utf8 = Buffer.from('jérôme', 'utf8').toString('latin1');
    // Without the parameter: 8-bit octets in a command are refused (RFC 5321 §2.4).
    expect(await c.send(`MAIL FROM:<${utf8}@client.example>\r\n`, 1)).toBe('500 5.5.2 Syntax error - invalid character\r\n');
    // With it: the UTF-8 sender, then a UTF-8 recipient (local-part and domain label) in the same transaction.
    expect(await c.send(`MAIL FROM:<${utf8}@client.example> SMTPUTF8\r\n`, 1)).toBe('250 2.1.0 Ok\r\n');
    expect(await c.send(`RCPT TO:<${utf8}@smtptest.example>\r\n`, 1)).toBe('250 2.1.5 Ok\r\n');
    expect(await c.send(`RCPT TO:<x@${Buffer.from('bücher', 'utf8').toString('latin1')}.example>\r\n`, 1)).toMatch(/^550 5\.7\.1 /);
    // Malformed UTF-8 (0xFF never appears in UTF-8), and a value on the parameter.
    expect(await c.send('RSET\r\nMAIL FROM:<j\xffrome@client.example> SMTPUTF8\r\n', 2)).toBe('250 2.0.0 Ok\r\n500 5.5.2 Syntax error - malformed UTF-8\r\n');
    expect(await c.send('MAIL FROM:<a@client.example> SMTPUTF8=YES\r\n', 1)).toBe('501 5.5.4 SMTPUTF8 takes no value\r\n');
  });

  it('runs AUTH LOGIN to success, then refuses a second AUTH with 503 (RFC 4954 §4)', async () => {
    const c = await Raw.connect(await start());
    await c.send(EHLO, 1);
    const b64 = (t: string) => Buffer.from(t).toString('base64');
    expect(await c.send('AUTH LOGIN\r\n', 1)).toBe(`334 ${b64('Username:')}\r\n`);
    expect(await c.send(`${b64('smtptest')}\r\n`, 1)).toBe(`334 ${b64('Password:')}\r\n`);
    expect(await c.send(`${b64('smtptest')}\r\n`, 1)).toBe('235 2.7.0 Authentication successful\r\n');
    expect(await c.send(`AUTH PLAIN ${b64('\0smtptest\0smtptest')}\r\n`, 1)).toBe('503 5.5.1 Error: already authenticated\r\n');
    // PLAIN has an empty challenge: "334 " (RFC 4954 §4 continue-req).
    const d = await Raw.connect(await start());
    await d.send(EHLO, 1);
    expect(await d.send('AUTH PLAIN\r\n', 1)).toBe('334 \r\n');
    expect(await d.send(`${b64('\0smtptest\0smtptest')}\r\n`, 1)).toBe('235 2.7.0 Authentication successful\r\n');
  });

  it('reads a command split into one-octet chunks as one command', async () => {
    const c = await Raw.connect(await start());
    for (const ch of 'NOOP\r\n') {
      c.write(ch);
      await sleep(5);
    }
    await c.replies(1);
    await sleep(100);
    expect(c.take()).toBe('250 2.0.0 Ok\r\n');
  });

  it('answers unknown, private-use and lower-case commands as RFC 5321 says', async () => {
    const c = await Raw.connect(await start());
    expect(await c.send('FOOBAR\r\nXFOO\r\nnoop\r\nNoOp x\r\n', 4)).toBe(
      '500 5.5.1 Syntax error, command unrecognized\r\n500 5.5.1 Syntax error, command unrecognized\r\n250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n',
    );
    expect(await c.send('VRFY user\r\nEXPN list\r\nRSET x\r\nMAIL FROM:<a@b.example>\r\n', 4)).toBe(
      '252 2.5.0 Cannot VRFY user, but will accept message and attempt delivery\r\n502 5.5.1 EXPN not implemented\r\n501 5.5.4 Syntax: RSET\r\n503 5.5.1 Error: send HELO/EHLO first\r\n',
    );
  });

  it('does not take a bare LF as a line end in a command (RFC 5321 §2.3.8); the fault does', async () => {
    const c = await Raw.connect(await start());
    expect(await c.send('NOOP\nNOOP\r\n', 1)).toBe('500 5.5.2 Syntax error - bare CR or LF in command line\r\n');
    const f = await Raw.connect(await start('bare-lf-command'));
    expect(await f.send('NOOP\nNOOP\r\n', 2)).toBe('250 2.0.0 Ok\r\n250 2.0.0 Ok\r\n');
  });

  it('accepts a 512-octet command line and answers a longer one once with 500 5.5.6, staying in step', async () => {
    const c = await Raw.connect(await start());
    const line512 = 'NOOP ' + 'x'.repeat(512 - 5 - 2) + '\r\n';
    expect(line512.length).toBe(512);
    expect(await c.send(line512, 1)).toBe('250 2.0.0 Ok\r\n');
    expect(await c.send('NOOP ' + 'x'.repeat(506) + '\r\n', 1)).toBe('500 5.5.6 Line too long\r\n');
    expect(await c.send('NOOP ' + 'x'.repeat(5000) + '\r\nNOOP\r\n', 2)).toBe('500 5.5.6 Line too long\r\n250 2.0.0 Ok\r\n');
    const f = await Raw.connect(await start('long-line-desync'));
    expect(await f.send('NOOP ' + 'x'.repeat(995) + '\r\n', 2)).toBe('500 5.5.6 Line too long\r\n500 5.5.1 Syntax error, command unrecognized\r\n');
  });
});

describe('mutant server: message content', () => {
  // Table-driven (after go-smtp): each look-alike, the reference server and the fault that falls for it.
  const SMUGGLED = 'MAIL FROM:<smuggled@client.example>\r\nRCPT TO:<user@smtptest.example>\r\nDATA\r\nSubject: SMUGGLED\r\n\r\nx\r\n';
  const variants: { bytes: string; fault: string; reference: 'refused' | 'kept' }[] = [
    { bytes: '\n.\n', fault: 'lf-dot-lf-ends-data', reference: 'refused' },
    { bytes: '\r\n.\n', fault: 'lf-dot-lf-ends-data', reference: 'refused' },
    { bytes: '\r.\r', fault: 'cr-or-lf-ends-data-line', reference: 'refused' },
    { bytes: '\n.\r', fault: 'cr-or-lf-ends-data-line', reference: 'refused' },
    { bytes: '\r\n\x00.\r\n', fault: 'nul-stripped', reference: 'kept' },
    { bytes: '\r\n.\x00\r\n', fault: 'nul-stripped', reference: 'kept' },
  ];
  for (const v of variants) {
    it(`smuggling ${JSON.stringify(v.bytes)}: one reply from the reference server, a second transaction with ${v.fault}`, async () => {
      const ref = await start();
      const c = await Raw.connect(ref);
      await c.send(EHLO + ENVELOPE, 4);
      const out = queued(await c.send(`Subject: t\r\n\r\nbody${v.bytes}${SMUGGLED}\r\n.\r\n`, 1, 300));
      if (v.reference === 'refused') {
        expect(out).toBe('554 5.6.0 Message content contains a bare CR or LF (RFC 5321 2.3.8); rejected\r\n');
        expect(ref.mailbox.messages).toHaveLength(0);
      } else {
        // The look-alike and the smuggled commands are content of the one message.
        expect(out).toBe('250 2.0.0 Ok: queued as ID\r\n');
        expect(ref.mailbox.messages).toHaveLength(1);
        expect(body(ref.mailbox.messages[0]!)).toContain('MAIL FROM:<smuggled@client.example>\r\n');
      }
      const bad = await start(v.fault);
      const f = await Raw.connect(bad);
      await f.send(EHLO + ENVELOPE, 4);
      const smuggled = queued(await f.send(`Subject: t\r\n\r\nbody${v.bytes}${SMUGGLED}\r\n.\r\n`, 5, 300));
      expect(smuggled).toBe('250 2.0.0 Ok: queued as ID\r\n250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n250 2.0.0 Ok: queued as ID\r\n');
      expect(bad.mailbox.messages.map((m) => m.from)).toEqual(['a@client.example', 'smuggled@client.example']);
    });
  }

  it('dot-unstuffing: the fault no-dot-unstuff keeps the extra dot', async () => {
    for (const [fault, want] of [['', '.x\r\n..y\r\n'], ['no-dot-unstuff', '..x\r\n...y\r\n']] as const) {
      const server = await start(fault);
      const c = await Raw.connect(server);
      await c.send(EHLO + ENVELOPE, 4);
      await c.send('..x\r\n...y\r\n.\r\n', 1);
      expect(body(server.mailbox.messages[0]!)).toBe(want);
    }
  });

  it('accepts a 1000-octet text line; the fault close-on-1000-octet-line drops the connection', async () => {
    const line = 'y'.repeat(998) + '\r\n';
    const server = await start();
    const c = await Raw.connect(server);
    await c.send(EHLO + ENVELOPE, 4);
    expect(queued(await c.send(line + '.\r\n', 1))).toBe('250 2.0.0 Ok: queued as ID\r\n');
    expect(body(server.mailbox.messages[0]!)).toBe(line);
    const f = await Raw.connect(await start('close-on-1000-octet-line'));
    await f.send(EHLO + ENVELOPE, 4);
    expect(await f.send(line + '.\r\n', 1)).toBe('');
    expect(f.closed).toBe(true);
  });

  it('SIZE: declared over → 552 5.3.4 at MAIL; actual over → 552 after end of data, in step; size-desync answers early', async () => {
    const server = await start('', { sizeLimit: 1000 });
    const c = await Raw.connect(server);
    await c.send(EHLO, 1);
    expect(await c.send('MAIL FROM:<a@client.example> SIZE=1001\r\n', 1)).toBe('552 5.3.4 Message size exceeds fixed maximum message size\r\n');
    await c.send(ENVELOPE, 3);
    const big = ('z'.repeat(98) + '\r\n').repeat(20); // 2000 octets
    expect(await c.send(big + '.\r\nNOOP\r\n', 2)).toBe('552 5.3.4 Message size exceeds fixed maximum message size\r\n250 2.0.0 Ok\r\n');
    expect(server.mailbox.messages).toHaveLength(0);
    const f = await Raw.connect(await start('size-desync', { sizeLimit: 1000 }));
    await f.send(EHLO + ENVELOPE, 4);
    const out = await f.send(big + '.\r\nNOOP\r\n', 12);
    expect(out.startsWith('552 5.3.4 ')).toBe(true);
    expect(out.match(/^500 /gm)!.length).toBeGreaterThan(1);
  });
});

describe('mutant server: STARTTLS and timers', () => {
  async function starttlsInjection(fault: string): Promise<{ plain: string; insideTls: string }> {
    const server = await start(fault);
    const c = await Raw.connect(server);
    await c.send(EHLO, 1);
    const plain = await c.send('STARTTLS\r\nRSET\r\n', 1);
    c.socket.removeAllListeners('data');
    const secure = tls.connect({ socket: c.socket, rejectUnauthorized: false });
    clients.push(secure);
    let insideTls = '';
    secure.on('data', (d: Buffer) => (insideTls += d.toString('latin1')));
    await new Promise<void>((r) => secure.once('secureConnect', () => r()));
    await sleep(300);
    return { plain, insideTls };
  }

  it('discards plaintext pipelined after STARTTLS (RFC 3207 §4.2); starttls-injection answers it inside TLS', async () => {
    expect(await starttlsInjection('')).toEqual({ plain: '220 2.0.0 Ready to start TLS\r\n', insideTls: '' });
    expect(await starttlsInjection('starttls-injection')).toEqual({ plain: '220 2.0.0 Ready to start TLS\r\n', insideTls: '250 2.0.0 Ok\r\n' });
  });

  it('closes an idle session with 421 4.4.2; timeout-without-421 closes silently', async () => {
    // 330 s × 0.0005 = 165 ms.
    const c = await Raw.connect(await start('', { timeoutScale: 0.0005 }));
    await c.replies(1, 2000);
    await sleep(50);
    expect(c.take()).toBe('421 4.4.2 mutant.smtptest.example Error: timeout exceeded\r\n');
    expect(c.closed).toBe(true);
    const f = await Raw.connect(await start('timeout-without-421', { timeoutScale: 0.0005 }));
    await f.replies(1, 1000);
    expect(f.take()).toBe('');
    expect(f.closed).toBe(true);
  });

  it('refuses the 101st recipient with 452 4.5.3 and keeps the first hundred (RFC 5321 §4.5.3.1.10)', async () => {
    const server = await start();
    const c = await Raw.connect(server);
    await c.send(EHLO + 'MAIL FROM:<>\r\n', 2);
    const rcpts = Array.from({ length: 101 }, (_, i) => `RCPT TO:<u${i}@smtptest.example>\r\n`).join('');
    const out = await c.send(rcpts, 101);
    expect(out).toBe('250 2.1.5 Ok\r\n'.repeat(100) + '452 4.5.3 Too many recipients\r\n');
    await c.send('DATA\r\n', 1);
    await c.send('x\r\n.\r\n', 1);
    expect(server.mailbox.messages[0]!.to).toHaveLength(100);
    expect(server.mailbox.messages[0]!.from).toBe('');
  });

  it('accepts postmaster in any case, with or without a domain, and refuses relaying', async () => {
    const c = await Raw.connect(await start());
    const out = await c.send(EHLO + 'MAIL FROM:<>\r\nRCPT TO:<PostMaster>\r\nRCPT TO:<POSTMASTER@Test.Example>\r\nRCPT TO:<user@elsewhere.example>\r\n', 5);
    expect(out.split('\r\n').slice(-4)).toEqual(['250 2.1.5 Ok', '250 2.1.5 Ok', '550 5.7.1 Relaying denied', '']);
  });
});

describe('mutant faults and target names', () => {
  it('every fault has a description and names the RFC section it violates', () => {
    for (const name of FAULT_NAMES) {
      expect(FAULTS[name].description.length).toBeGreaterThan(10);
      expect(FAULTS[name].violates).toMatch(/^RFC \d+ §\d/);
    }
  });

  it('rejects an unknown fault with E_CONFIG, by name and as a target', async () => {
    expect(() => parseFaults('no-such-fault')).toThrow(expect.objectContaining({ code: 'E_CONFIG' }));
    const err = await resolveTarget('mutant:no-such-fault').catch((e: unknown) => e);
    expect(isSmtpTestError(err, 'E_CONFIG')).toBe(true);
  });

  it('resolves mutant and mutant:NAME, starts, and stops', async () => {
    const t = await resolveTarget('mutant:rcpt-before-mail');
    expect(t.name).toBe('mutant:rcpt-before-mail');
    const started = await t.start({ timeoutScale: 0.01 });
    try {
      expect(started.facts.idleTimeoutMs).toBe(3300);
      expect(started.mailbox).toBeDefined();
    } finally {
      await started.stop();
    }
    expect((await resolveTarget('mutant')).name).toBe('mutant');
  });
});
