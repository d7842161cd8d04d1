/**
 * Readiness of an SMTP server: a TCP connection reads a line starting "220"
 * (RFC 5321 §4.2, §3.1: the greeting). Refused connections, resets and other
 * greetings are retried until the deadline.
 */
import net from 'node:net';
import { SmtpTestError } from '../harness/errors.ts';

export interface ReadyOptions {
  timeoutMs: number;
  signal?: AbortSignal;
  /** Checked between attempts: a reason the server will never come up (its process died). */
  gone?: () => string | undefined | Promise<string | undefined>;
}

/** Resolves with the greeting line once the server at host:port greets with 220. */
export async function waitForGreeting(host: string, port: number, opts: ReadyOptions): Promise<string> {
  const deadline = Date.now() + opts.timeoutMs;
  let last = 'no attempt';
  for (let attempt = 0; ; attempt++) {
    opts.signal?.throwIfAborted();
    const gone = await opts.gone?.();
    if (gone) throw new SmtpTestError('E_TARGET', `${host}:${port} will not greet: ${gone}`);
    const left = deadline - Date.now();
    if (left <= 0) break;
    const r = await readGreeting(host, port, Math.min(left, 5000));
    if (r.ok) return r.line;
    last = r.reason;
    await sleep(Math.min(25 * 2 ** Math.min(attempt, 3), Math.max(0, deadline - Date.now())));
  }
  throw new SmtpTestError('E_TARGET', `${host}:${port} did not greet with 220 within ${opts.timeoutMs} ms (last: ${last})`);
}

type Attempt = { ok: true; line: string } | { ok: false; reason: string };

function readGreeting(host: string, port: number, timeoutMs: number): Promise<Attempt> {
  return new Promise((resolve) => {
    let buf = Buffer.alloc(0);
    let settled = false;
    const socket = net.connect({ host, port });
    const done = (r: Attempt) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.removeAllListeners('data');
      socket.on('error', () => undefined);
      // Polite when greeted (RFC 5321 §4.1.1.10), abrupt otherwise.
      if (r.ok) socket.end('QUIT\r\n');
      else socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => done({ ok: false, reason: `no greeting line in ${timeoutMs} ms` }), timeoutMs);
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const eol = buf.indexOf('\n');
      if (eol < 0 && buf.length < 4096) return;
      const line = buf.subarray(0, eol < 0 ? buf.length : eol).toString('latin1').replace(/\r$/, '');
      // "220 " or "220-" (a multi-line greeting); its last line ends it, the first tells us enough.
      done(/^220[ -]/.test(line) || line === '220' ? { ok: true, line } : { ok: false, reason: `greeting ${JSON.stringify(line)}` });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, reason: e.code ?? e.message }));
    socket.on('end', () => done({ ok: false, reason: 'closed before a greeting' }));
  });
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A free TCP port on 127.0.0.1 (free now; the caller binds it soon after). */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
