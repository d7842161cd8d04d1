/**
 * The load client's reply handling on the wire: replies split anywhere
 * across reads, multiline replies, EHLO keywords split mid-line, and a
 * peer that does not speak SMTP. Fake servers are real servers on
 * 127.0.0.1 port 0 writing the exact bytes.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runLoad } from '../harness/load/index.ts';
import { scanReplies, SCAN_GARBAGE, SCAN_STOPPED, type LineSink } from '../harness/load/scan.ts';

const servers: net.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
});

/** A scripted SMTP server: `reply(line)` gives the reply octets to each command line; every reply goes out one octet per write. */
async function trickle(greeting: string, reply: (line: string) => string): Promise<string> {
  const server = net.createServer((c) => {
    c.setNoDelay(true);
    const out: string[] = [];
    let busy = false;
    const pump = () => {
      if (busy) return;
      const next = out.shift();
      if (next === undefined) return;
      busy = true;
      const bytes = [...next];
      const step = () => {
        const b = bytes.shift();
        if (b === undefined) {
          busy = false;
          return pump();
        }
        c.write(b, 'latin1', () => setImmediate(step));
      };
      step();
    };
    const send = (t: string) => {
      out.push(t);
      pump();
    };
    send(greeting);
    let buf = '';
    let inData = false;
    c.on('data', (d: Buffer) => {
      buf += d.toString('latin1');
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) return;
          buf = buf.slice(end + 5);
          inData = false;
          send('250 2.0.0 queued\r\n');
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) return;
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 2);
        if (/^DATA/i.test(line)) inData = true;
        if (/^QUIT/i.test(line)) {
          send('221 2.0.0 bye\r\n');
          setTimeout(() => c.end(), 50);
          return;
        }
        send(reply(line));
      }
    });
    c.on('error', () => {});
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return `smtp://127.0.0.1:${(server.address() as net.AddressInfo).port}`;
}

const smtp = (line: string) =>
  /^EHLO/i.test(line) ? '250-trickle.example\r\n250-SIZE 1000000\r\n250-PIPELINING\r\n250 8BITMIME\r\n' : /^DATA/i.test(line) ? '354 go ahead\r\n' : '250 2.1.0 ok\r\n';

describe('scanReplies', () => {
  const collect = (text: string, len = text.length) => {
    const lines: [number, boolean, string][] = [];
    const sink: LineSink = {
      line(buf, start, end, code, last) {
        lines.push([code, last, buf.toString('latin1', start, end)]);
        return true;
      },
    };
    return { rest: scanReplies(Buffer.from(text, 'latin1'), 0, len, sink), lines };
  };

  it('hands over each line with its code, marks the last of a reply, keeps an incomplete line', () => {
    const r = collect('250-a\r\n250 b\r\n354\r\n25');
    expect(r.lines).toEqual([
      [250, false, '250-a\r'],
      [250, true, '250 b\r'],
      [354, true, '354\r'],
    ]);
    expect(r.rest).toBe(19);
  });

  it('reads nothing at or past len (a reused read buffer)', () => {
    const r = collect('250 ok\r\n250 stale\r\n', 8);
    expect(r.lines).toHaveLength(1);
    expect(r.rest).toBe(8);
  });

  it('rejects a line that is not a reply, and stops when the sink says so', () => {
    expect(collect('hello\r\n').rest).toBe(SCAN_GARBAGE);
    expect(collect('25\r\n').rest).toBe(SCAN_GARBAGE);
    expect(collect('650 x\r\n').rest).toBe(SCAN_GARBAGE);
    const stop: LineSink = { line: () => false };
    expect(scanReplies(Buffer.from('250 a\r\n250 b\r\n'), 0, 14, stop)).toBe(SCAN_STOPPED);
  });
});

describe('load client on the wire', () => {
  it('completes transactions whose replies arrive one octet at a time', async () => {
    const target = await trickle('220 trickle.example ESMTP\r\n', smtp);
    const r = await runLoad({ target, connections: 1, messages: 3 });
    expect(r.messages).toMatchObject({ total: 3, accepted: 3 });
    expect(r.errors).toEqual({});
  });

  it('finds PIPELINING in an EHLO reply split across reads, and pipelines', async () => {
    const target = await trickle('220 trickle.example ESMTP\r\n', smtp);
    const r = await runLoad({ target, connections: 1, messages: 3, pipelining: true });
    expect(r.sessions).toEqual({ opened: 1, pipelined: 1 });
    expect(r.messages.accepted).toBe(3);
  });

  it('counts a peer that does not speak SMTP as a protocol error at the greeting', async () => {
    const target = await trickle('HTTP/1.1 400 Bad Request\r\n', smtp);
    const r = await runLoad({ target, connections: 1, messages: 2 });
    expect(r.messages).toMatchObject({ failed: 2 });
    expect(r.errors).toEqual({ 'protocol@greeting': 2 });
  });
});
