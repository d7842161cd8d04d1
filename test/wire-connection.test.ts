import { afterEach, describe, expect, it } from 'vitest';
import { SmtpConnection } from '../harness/wire/connection.ts';
import { bdatChunk, dataContent, dataContentChunks } from '../harness/wire/serialize.ts';
import { isSmtpTestError } from '../harness/errors.ts';
import { testCertificate } from '../targets/test-credentials.ts';
import { fakeServer, onLines, writeByteByByte, type FakeServer } from './helpers/fake-server.ts';

let server: FakeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const connect = (port: number) => SmtpConnection.connect({ host: '127.0.0.1', port, connectTimeoutMs: 2000 });

describe('SmtpConnection over real sockets', () => {
  it('reads a multiline reply that arrives one byte per TCP segment', async () => {
    server = await fakeServer((s) => void writeByteByByte(s, '220-hello\r\n220-there\r\n220 ready\r\n', 1));
    const c = await connect(server.port);
    const o = await c.read(3000);
    expect(o.kind).toBe('reply');
    if (o.kind === 'reply') expect(o.reply.lines).toEqual(['hello', 'there', 'ready']);
    c.destroy();
  });

  it('sends a pipelined batch in one write and reads replies that arrive in one read, in order', async () => {
    server = await fakeServer((s, _i, received) => {
      s.write('220 ok\r\n');
      s.on('data', () => {
        if (received().toString().endsWith('DATA\r\n')) s.write('250 2.1.0 a\r\n250 2.1.5 b\r\n354 c\r\n');
      });
    });
    const c = await connect(server.port);
    await c.read(1000);
    await c.sendPipeline(['MAIL FROM:<a@b.example>', 'RCPT TO:<c@d.example>', 'DATA']);
    const codes = [];
    for (let i = 0; i < 3; i++) {
      const o = await c.read(2000);
      codes.push(o.kind === 'reply' ? o.reply.code : o.kind);
    }
    expect(codes).toEqual([250, 250, 354]);
    expect(server.received[0]!.toString('latin1')).toBe('MAIL FROM:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nDATA\r\n');
    // One write: the client wrote a single segment (a C entry in the transcript).
    expect(c.transcript.filter((e) => e.dir === 'C')).toHaveLength(1);
    c.destroy();
  });

  it('reports a server that closes mid-reply as closed, with the partial reply noted', async () => {
    server = await fakeServer((s) => {
      s.write('220-first line\r\n220 sec');
      setTimeout(() => s.destroy(), 20);
    });
    const c = await connect(server.port);
    const o = await c.read(2000);
    expect(o.kind).toBe('closed');
    if (o.kind === 'closed') expect(o.partial).toBe('220-first line\r\n220 sec');
    expect(c.closed).toBe(true);
  });

  it('gives a timeout outcome, not an exception, when the server never replies', async () => {
    server = await fakeServer(() => undefined);
    const c = await connect(server.port);
    const t0 = Date.now();
    const o = await c.read(150);
    expect(o.kind).toBe('timeout');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    expect(Date.now() - t0).toBeLessThan(1000);
    c.destroy();
  });

  it('turns a reply line over the cap into REPLY_LINE_TOO_LONG and drops the connection', async () => {
    server = await fakeServer((s) => s.write('220 ' + 'x'.repeat(100_000) + '\r\n'));
    const c = await SmtpConnection.connect({ host: '127.0.0.1', port: server.port, limits: { maxLineLength: 4096 } });
    const o = await c.read(2000);
    expect(o.kind).toBe('protocol-error');
    if (o.kind === 'protocol-error') expect(o.error.code).toBe('REPLY_LINE_TOO_LONG');
    expect((await c.read(1000)).kind).toBe('closed');
  });

  it('puts exact dot-stuffed bytes on the wire for lines starting with "." and a lone "." line', async () => {
    server = await fakeServer((s, _i, received) => {
      s.write('220 ok\r\n');
      s.on('data', () => {
        if (received().toString('latin1').endsWith('\r\n.\r\n')) s.write('250 queued\r\n');
      });
    });
    const c = await connect(server.port);
    await c.read(1000);
    await c.sendData('.starts with a dot\n.\nmiddle\n..two dots\nlast');
    const o = await c.read(2000);
    expect(o.kind === 'reply' && o.reply.code).toBe(250);
    expect(server.received[0]!.toString('latin1')).toBe('..starts with a dot\r\n..\r\nmiddle\r\n...two dots\r\nlast\r\n.\r\n');
    c.destroy();
  });

  it('sends raw bytes exactly as given, with no CRLF added', async () => {
    server = await fakeServer((s) => s.write('220 ok\r\n'));
    const c = await connect(server.port);
    await c.read(1000);
    await c.sendRaw('NOOP\rNOOP\n\x00\xff');
    await new Promise((r) => setTimeout(r, 50));
    expect([...server.received[0]!]).toEqual([...Buffer.from('NOOP\rNOOP\n\x00\xff', 'latin1')]);
    c.destroy();
  });

  it('refuses a connection with E_CONNECT and a write after closure with E_NOT_CONNECTED', async () => {
    server = await fakeServer((s) => s.end('221 bye\r\n'));
    const port = server.port;
    const c = await connect(port);
    expect((await c.read(1000)).kind).toBe('reply');
    expect((await c.read(1000)).kind).toBe('closed');
    await expect(c.send('NOOP')).rejects.toSatisfy((e) => isSmtpTestError(e, 'E_NOT_CONNECTED'));
    await server.close();
    server = undefined;
    await expect(connect(port)).rejects.toSatisfy((e) => isSmtpTestError(e, 'E_CONNECT'));
  });

  it('upgrades with STARTTLS and reports plaintext the server sent after its 220', async () => {
    const tls = await import('node:tls');
    const ctx = tls.createSecureContext(testCertificate());
    server = await fakeServer((s) => {
      s.write('220 ok\r\n');
      onLines(s, (line) => {
        if (line === 'STARTTLS') {
          // A defective server: a stray plaintext reply after the 220 (RFC 3207 §4.2).
          s.write('220 go ahead\r\n250 stray\r\n');
          s.removeAllListeners('data');
          const secure = new tls.TLSSocket(s, { isServer: true, secureContext: ctx });
          secure.on('error', () => undefined);
          secure.on('data', (c: Buffer) => {
            if (c.toString().startsWith('NOOP')) secure.write('250 2.0.0 inside TLS\r\n');
          });
        }
      });
    });
    const c = await connect(server.port);
    await c.read(1000);
    await c.send('STARTTLS');
    const r = await c.read(1000);
    expect(r.kind === 'reply' && r.reply.code).toBe(220);
    await new Promise((res) => setTimeout(res, 50));
    const { leftoverPlaintext } = await c.upgradeTls(2000);
    expect(leftoverPlaintext).toBe('250 stray\r\n');
    expect(c.tlsInfo?.protocol).toMatch(/TLS/);
    await c.send('NOOP');
    const o = await c.read(2000);
    expect(o.kind === 'reply' && o.reply.lines[0]).toBe('2.0.0 inside TLS');
    c.destroy();
  });
});

describe('serializer', () => {
  it('terminates an empty message with a lone "." and adds a missing final CRLF exactly once', () => {
    expect(dataContent('').toString()).toBe('.\r\n');
    expect(dataContent('a').toString()).toBe('a\r\n.\r\n');
    expect(dataContent('a\r\n').toString()).toBe('a\r\n.\r\n');
    expect(dataContent('a\n\n').toString()).toBe('a\r\n\r\n.\r\n');
  });

  it('refuses a bare CR in content (a raw step is the way to send one)', () => {
    expect(() => dataContent('a\rb')).toThrow(TypeError);
  });

  it('makes filler in chunks that join to what dataContent makes of the same text', () => {
    const head = 'Subject: big\n.dot line\n';
    let whole = head;
    for (let n = 0; whole.length - head.length < 5000; n++) whole += (`${n} ` + 'x'.repeat(40)).slice(0, 40) + '\n';
    const chunks = [...dataContentChunks(head, { octets: 5000, lineLength: 40 }, 512)];
    expect(chunks.length).toBeGreaterThan(5);
    expect(Buffer.concat(chunks).equals(dataContent(whole))).toBe(true);
    // Filler alone, and a filler shorter than one line.
    expect(Buffer.concat([...dataContentChunks('', { octets: 1, lineLength: 3 })]).toString()).toBe('0 x\r\n.\r\n');
  });

  it('counts a BDAT chunk as sent: CRLF line endings, no stuffing, no terminator (RFC 3030 §2)', () => {
    expect(bdatChunk('a\n.\nb', false).toString('latin1')).toBe('BDAT 7\r\na\r\n.\r\nb');
    expect(bdatChunk('', true).toString('latin1')).toBe('BDAT 0 LAST\r\n');
    // Octets, not characters: latin1 strings are one octet a character.
    expect(bdatChunk('\xe9\n', true).toString('latin1')).toBe('BDAT 3 LAST\r\n\xe9\r\n');
  });
});
