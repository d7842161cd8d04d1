/**
 * The built-in sink on the wire: exact bytes in, exact replies out, over a
 * real socket. Pipelined commands are answered in order in one write
 * (RFC 2920 §3.2), the end-of-data terminator is found however the reads
 * split it (RFC 5321 §4.1.1.4), and each fault does what its name says.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSink, type StartedSink } from '../targets/sink/index.ts';
import { parseSinkSpec } from '../targets/sink/options.ts';
import { findEndOfData } from '../targets/sink/server.ts';
import { resolveTarget } from '../targets/resolve.ts';
import { isSmtpTestError } from '../harness/errors.ts';

let sink: StartedSink | undefined;
afterEach(async () => {
  await sink?.stop();
  sink = undefined;
});

/** A raw client: write bytes, collect everything the server sends. */
async function raw(port: number) {
  const s = net.connect(port, '127.0.0.1');
  let got = '';
  const reads: string[] = [];
  s.on('data', (c: Buffer) => {
    got += c.toString('latin1');
    reads.push(c.toString('latin1'));
  });
  await new Promise<void>((r) => s.once('connect', () => r()));
  const until = async (re: RegExp, ms = 2000) => {
    const end = Date.now() + ms;
    while (!re.test(got) && Date.now() < end) await new Promise((r) => setTimeout(r, 5));
    return got;
  };
  return { s, until, reads, send: (t: string) => s.write(t, 'latin1'), text: () => got };
}

describe('sink', () => {
  it('answers a plain transaction with the exact replies', async () => {
    sink = await startSink();
    const c = await raw(sink.port);
    await c.until(/^220 .*\r\n/);
    c.send('EHLO x\r\n');
    await c.until(/250 [^\r]*\r\n$/);
    expect(c.text()).toMatch(/\r\n250-PIPELINING\r\n/);
    expect(c.text()).toMatch(/\r\n250[- ]STARTTLS\r\n/);
    const before = c.text().length;
    c.send('MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n');
    await c.until(/354 [^\r]*\r\n$/);
    expect(c.text().slice(before)).toBe('250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n');
    // Terminator split over three writes; a dot-stuffed line is not the end.
    c.send('Subject: x\r\n\r\n..not the end\r\n');
    c.send('\r');
    await new Promise((r) => setTimeout(r, 20));
    c.send('\n.');
    await new Promise((r) => setTimeout(r, 20));
    expect(c.text()).not.toMatch(/queued/);
    c.send('\r\nQUIT\r\n');
    await c.until(/221 [^\r]*\r\n$/);
    expect(c.text()).toMatch(/250 2\.0\.0 Ok: queued as SINK\r\n221 2\.0\.0 Bye\r\n$/);
    expect(sink.stats.messages).toBe(1);
    c.s.destroy();
  });

  it('answers a pipelined group in one write', async () => {
    sink = await startSink();
    const c = await raw(sink.port);
    await c.until(/^220 .*\r\n/);
    c.send('EHLO x\r\n');
    await c.until(/250 [^\r]*\r\n$/);
    const n = c.reads.length;
    c.send('MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nRCPT TO:<e@f>\r\nDATA\r\n');
    await c.until(/354 [^\r]*\r\n$/);
    expect(c.reads.slice(n)).toEqual(['250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n']);
    c.s.destroy();
  });

  it('refuses DATA when no recipient was accepted (RFC 2920 §3.1)', async () => {
    sink = await startSink(parseSinkSpec('rcpt-5xx=100%'));
    const c = await raw(sink.port);
    await c.until(/^220 .*\r\n/);
    c.send('EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n');
    await c.until(/554 [^\r]*\r\n$/);
    expect(c.text()).toMatch(/250 2\.1\.0 Ok\r\n550 5\.1\.1 Injected rejection\r\n554 5\.5\.1 Error: no valid recipients\r\n$/);
    c.s.destroy();
  });

  it('delays a reply by the configured time and holds what follows', async () => {
    sink = await startSink(parseSinkSpec('mail-delay=150ms'));
    const c = await raw(sink.port);
    await c.until(/^220 .*\r\n/);
    c.send('EHLO x\r\n');
    await c.until(/250 [^\r]*\r\n$/);
    const t0 = performance.now();
    c.send('MAIL FROM:<a@b>\r\nNOOP\r\n');
    await c.until(/250 2\.1\.0 Ok\r\n250 2\.0\.0 Ok\r\n$/);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(145);
    c.s.destroy();
  });

  it('closes without a reply for disconnect=100%', async () => {
    sink = await startSink(parseSinkSpec('disconnect=100%'));
    const c = await raw(sink.port);
    await c.until(/^220 .*\r\n/);
    const closed = new Promise<void>((r) => c.s.once('close', () => r()));
    c.send('EHLO x\r\nMAIL FROM:<a@b>\r\n');
    await closed;
    expect(c.text()).not.toMatch(/2\.1\.0/);
  });

  it('resolves as a target name and rejects unknown options with E_CONFIG', async () => {
    const t = await resolveTarget('sink:eod-4xx=5%,no-pipelining');
    expect(t.name).toBe('sink:eod-4xx=5%,no-pipelining');
    const o = parseSinkSpec('eod-4xx=5%,no-pipelining,freeze=1s@2s,rcpt-delay=20ms');
    expect(o).toMatchObject({ pipelining: false, tempfail: { eod: 0.05 }, freeze: { forMs: 1000, atMs: 2000 }, delayMs: { rcpt: 20 } });
    for (const bad of ['bogus=1', 'eod-4xx=150%', 'mail-delay=soon']) {
      let err: unknown;
      try {
        parseSinkSpec(bad);
      } catch (e) {
        err = e;
      }
      expect(isSmtpTestError(err, 'E_CONFIG'), bad).toBe(true);
    }
  });
});

describe('end of data across reads', () => {
  /** Feeds the pieces in order; returns the offset (in the whole) where the terminator ends, or -1. */
  const feed = (pieces: string[], matched = 2): number => {
    const st = { matched };
    let base = 0;
    for (const p of pieces) {
      const end = findEndOfData(Buffer.from(p, 'latin1'), st);
      if (end >= 0) return base + end;
      base += p.length;
    }
    return -1;
  };

  it('finds "\\r\\n.\\r\\n" however the reads split it, and only there', () => {
    const whole = 'Subject: x\r\n\r\n..stuffed\r\n.x\r\n\r\nlast\r\n.\r\nMAIL FROM:<a@b>\r\n';
    const want = whole.indexOf('\r\n.\r\n') + 5;
    expect(feed([whole])).toBe(want);
    for (let a = 1; a < whole.length; a++) {
      expect(feed([whole.slice(0, a), whole.slice(a)]), `split at ${a}`).toBe(want);
      for (let b = a + 1; b < Math.min(whole.length, a + 8); b++) {
        expect(feed([whole.slice(0, a), whole.slice(a, b), whole.slice(b)]), `split at ${a}, ${b}`).toBe(want);
      }
    }
    // Byte by byte.
    expect(feed([...whole])).toBe(want);
  });

  it('takes ".\\r\\n" right after DATA as the end of an empty message', () => {
    expect(feed(['.\r\nQUIT\r\n'])).toBe(3);
    expect(feed(['.', '\r', '\n'])).toBe(3);
    expect(feed(['..\r\n.\r\n'])).toBe(7);
  });
});
