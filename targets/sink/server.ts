/**
 * A fast SMTP sink with fault injection, in the spirit of Postfix's
 * smtp-sink: it accepts mail and throws it away, so that a load run measures
 * the client. Every command is processed in order and answered in order
 * (RFC 2920 §3.2: replies in command order); the replies to one read are
 * written together, as a pipelining server does. A delayed reply holds up
 * the commands after it, as in a real server.
 */
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { mulberry32, type Rng } from '../../harness/load/random.ts';
import { testCertificate } from '../test-credentials.ts';
import type { Faultable, SinkCommand, SinkOptions } from './options.ts';


export interface SinkStats {
  connections: number;
  open: number;
  peakOpen: number;
  messages: number;
  commands: number;
}

// "\r\n.\r\n" (RFC 5321 §4.1.1.4): the end-of-data indication.
const TERM = Buffer.from('\r\n.\r\n', 'latin1');
const CR = 0x0d;
const LF = 0x0a;

/**
 * Finds the end-of-data indication "\r\n.\r\n" (RFC 5321 §4.1.1.4) in `buf`:
 * returns the offset just past it, or -1. `st.matched` carries how many of
 * its octets ended the previous read (2 at the start of content: the CRLF of
 * the DATA line) and is updated when there is no match. Bulk search with
 * indexOf; byte by byte only across a read boundary.
 */
export function findEndOfData(buf: Buffer, st: { matched: number }): number {
  const len = buf.length;
  let i = 0;
  let state = st.matched;
  // KMP over "\r\n.\r\n": on a mismatch the only fallback is to "\r" (CR) or nothing.
  // Byte by byte while a match from the last read is in progress, then in bulk.
  while (state > 0 && i < len) {
    const b = buf[i++]!;
    state = b === TERM[state] ? state + 1 : b === CR ? 1 : 0;
    if (state === 5) return i;
  }
  const at = i < len ? buf.indexOf(TERM, i) : -1;
  if (at >= 0) return at + 5;
  // No match: the partial match at the end, carried into the next read. A partial
  // match is at most 4 octets; one that began further back would have completed.
  const from = Math.max(i, len - 4);
  if (from > i) state = 0;
  for (let j = from; j < len; j++) {
    const b = buf[j]!;
    state = b === TERM[state] ? state + 1 : b === CR ? 1 : 0;
  }
  st.matched = state;
  return -1;
}

/** Four lower-cased octets as one number, for a switch over verbs. */
const key4 = (s: string) => ((s.charCodeAt(0) << 24) | (s.charCodeAt(1) << 16) | (s.charCodeAt(2) << 8) | s.charCodeAt(3)) >>> 0;
const K = { ehlo: key4('ehlo'), helo: key4('helo'), lhlo: key4('lhlo'), mail: key4('mail'), rcpt: key4('rcpt'), data: key4('data'), quit: key4('quit'), rset: key4('rset'), noop: key4('noop'), star: key4('star') };

export class SinkServer {
  readonly stats: SinkStats = { connections: 0, open: 0, peakOpen: 0, messages: 0, commands: 0 };
  readonly server: net.Server;
  private readonly t0 = performance.now();
  private frozenFrom = Infinity;
  private frozenUntil = -Infinity;
  private readonly rng: Rng;
  private readonly ehloReply: string;
  private readonly tlsContext?: tls.SecureContext;
  private readonly sockets = new Set<net.Socket>();

  constructor(readonly options: SinkOptions) {
    this.rng = mulberry32(options.seed);
    if (options.freeze) {
      this.frozenFrom = this.t0 + options.freeze.atMs;
      this.frozenUntil = this.frozenFrom + options.freeze.forMs;
    }
    if (options.starttls) {
      this.tlsContext = tls.createSecureContext(testCertificate());
    }
    const kw = [options.hostname, ...(options.pipelining ? ['PIPELINING'] : []), 'SIZE 0', '8BITMIME', 'ENHANCEDSTATUSCODES', ...(options.starttls ? ['STARTTLS'] : [])];
    this.ehloReply = kw.map((k, i) => `250${i === kw.length - 1 ? ' ' : '-'}${k}\r\n`).join('');
    this.server = net.createServer({ noDelay: true }, (s) => this.accept(s));
  }

  listen(): Promise<{ host: string; port: number }> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.host, port: this.options.port, backlog: 4096 }, () => {
        const a = this.server.address() as net.AddressInfo;
        resolve({ host: a.address, port: a.port });
      });
    });
  }

  /** Stops answering anything for `ms` from now (a stalled server); connections stay open. */
  freeze(ms: number): void {
    this.frozenFrom = performance.now();
    this.frozenUntil = this.frozenFrom + ms;
  }

  close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  /** How long a reply to `cmd` must wait from `now`, fault delay and freeze together. */
  holdFor(cmd: SinkCommand, now: number): number {
    const d = this.options.delayMs[cmd] ?? this.options.delayMs.all ?? 0;
    const due = now + d;
    if (due >= this.frozenFrom && now < this.frozenUntil) return Math.max(d, this.frozenUntil - now);
    return d;
  }

  /** The dice: 'reset', 'close', a fault reply, or undefined for the normal reply. */
  fault(cmd: SinkCommand): 'reset' | 'close' | '4xx' | '5xx' | undefined {
    const o = this.options;
    if (o.reset > 0 && this.rng() < o.reset) return 'reset';
    if (o.disconnect > 0 && this.rng() < o.disconnect) return 'close';
    const t = o.tempfail[cmd as Faultable] ?? 0;
    const p = o.permfail[cmd as Faultable] ?? 0;
    if (t + p > 0) {
      const r = this.rng();
      if (r < t) return '4xx';
      if (r < t + p) return '5xx';
    }
    return undefined;
  }

  get ehlo(): string {
    return this.ehloReply;
  }

  upgrade(socket: net.Socket): tls.TLSSocket {
    return new tls.TLSSocket(socket, { isServer: true, secureContext: this.tlsContext! });
  }

  private accept(socket: net.Socket): void {
    this.stats.connections++;
    this.stats.open++;
    if (this.stats.open > this.stats.peakOpen) this.stats.peakOpen = this.stats.open;
    this.sockets.add(socket);
    socket.on('close', () => {
      this.stats.open--;
      this.sockets.delete(socket);
    });
    new SinkSession(this, socket);
  }
}

/** One connection: a command/data state machine over the bytes received. */
class SinkSession {
  private pending: Buffer | undefined;
  private inData = false;
  /** Octets of "\r\n.\r\n" matched at the end of the last chunk. */
  private matched = 0;
  private rcpts = 0;
  private mail = false;
  private held = false;
  private out = '';
  private closed = false;
  private quitting = false;
  private socket: net.Socket;

  constructor(private readonly sink: SinkServer, socket: net.Socket) {
    this.socket = socket;
    this.listen(socket);
    this.reply('greeting', `220 ${sink.options.hostname} ESMTP smtptest sink\r\n`);
    this.flush();
  }

  private listen(s: net.Socket): void {
    s.on('data', (chunk: Buffer) => this.receive(chunk));
    s.on('error', () => this.close());
    s.on('end', () => this.close());
  }

  private close(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    this.pending = this.pending && this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    if (!this.held) this.process();
  }

  private process(): void {
    while (this.pending && this.pending.length > 0 && !this.held && !this.closed && !this.quitting) {
      if (this.inData) this.consumeData();
      else if (!this.commandLine()) break;
    }
    this.flush();
    if (this.quitting && !this.held && !this.closed) {
      this.closed = true;
      this.socket.end();
    }
  }

  private consumeData(): void {
    const buf = this.pending!;
    const st = { matched: this.matched };
    const end = findEndOfData(buf, st);
    if (end >= 0) return this.endOfData(buf, end);
    this.matched = st.matched;
    this.pending = undefined;
  }

  private endOfData(buf: Buffer, end: number): void {
    this.inData = false;
    this.matched = 0;
    this.pending = buf.subarray(end);
    this.sink.stats.messages++;
    const ok = '250 2.0.0 Ok: queued as SINK\r\n';
    this.answer('eod', ok, '451 4.3.0 Injected temporary failure\r\n', '554 5.6.0 Injected permanent failure\r\n');
    this.mail = false;
    this.rcpts = 0;
  }

  /** Handles one complete command line; false when no complete line is buffered. */
  private commandLine(): boolean {
    const buf = this.pending!;
    const nl = buf.indexOf(LF);
    if (nl < 0) {
      if (buf.length > 4096) {
        this.out += '500 5.5.6 Line too long\r\n';
        this.pending = undefined;
      }
      return false;
    }
    this.pending = buf.subarray(nl + 1);
    this.sink.stats.commands++;
    const k = nl >= 4 ? (((buf[0]! | 0x20) << 24) | ((buf[1]! | 0x20) << 16) | ((buf[2]! | 0x20) << 8) | (buf[3]! | 0x20)) >>> 0 : 0;
    switch (k) {
      case K.ehlo:
      case K.lhlo:
        this.mail = false;
        this.rcpts = 0;
        this.reply('ehlo', this.sink.ehlo);
        break;
      case K.helo:
        this.reply('ehlo', `250 ${this.sink.options.hostname}\r\n`);
        break;
      case K.mail:
        if (this.answer('mail', '250 2.1.0 Ok\r\n', '451 4.3.0 Injected temporary failure\r\n', '550 5.7.1 Injected rejection\r\n')) this.mail = true;
        break;
      case K.rcpt:
        if (!this.mail) this.reply('rcpt', '503 5.5.1 Error: need MAIL command\r\n');
        else if (this.answer('rcpt', '250 2.1.5 Ok\r\n', '450 4.2.0 Injected temporary failure\r\n', '550 5.1.1 Injected rejection\r\n')) this.rcpts++;
        break;
      case K.data:
        // RFC 2920 §3.1: with no valid recipient, DATA fails (and no content follows).
        if (this.rcpts === 0) this.reply('data', '554 5.5.1 Error: no valid recipients\r\n');
        else if (this.answer('data', '354 End data with <CR><LF>.<CR><LF>\r\n', '451 4.3.0 Injected temporary failure\r\n', '554 5.3.0 Injected permanent failure\r\n')) {
          this.inData = true;
          this.matched = 2; // the CRLF that ended the DATA line
        }
        break;
      case K.rset:
        this.mail = false;
        this.rcpts = 0;
        this.reply('rset', '250 2.0.0 Ok\r\n');
        break;
      case K.noop:
        this.reply('noop', '250 2.0.0 Ok\r\n');
        break;
      case K.quit:
        this.reply('quit', '221 2.0.0 Bye\r\n');
        this.quitting = true;
        break;
      case K.star:
        if (!this.sink.options.starttls || this.socket instanceof tls.TLSSocket) this.reply('other', '502 5.5.1 Error: command not implemented\r\n');
        else this.startTls();
        break;
      default:
        this.reply('other', '502 5.5.2 Error: command not recognized\r\n');
    }
    return true;
  }

  /** A faultable reply; true when the normal (positive) reply was given. */
  private answer(cmd: Faultable, ok: string, temp: string, perm: string): boolean {
    switch (this.sink.fault(cmd)) {
      case 'reset':
        this.socket.resetAndDestroy();
        this.closed = true;
        return false;
      case 'close':
        this.flush();
        this.close();
        return false;
      case '4xx':
        this.reply(cmd, temp);
        return false;
      case '5xx':
        this.reply(cmd, perm);
        return false;
      default:
        this.reply(cmd, ok);
        return true;
    }
  }

  /** Queues a reply; if it must wait, flushes what came before and holds the session. */
  private reply(cmd: SinkCommand, text: string): void {
    const wait = this.sink.holdFor(cmd, performance.now());
    if (wait <= 0) {
      this.out += text;
      return;
    }
    this.flush();
    this.held = true;
    setTimeout(() => {
      this.held = false;
      if (this.closed) return;
      this.out += text;
      this.process();
    }, wait);
  }

  private flush(): void {
    if (this.out && !this.socket.destroyed) this.socket.write(this.out, 'latin1');
    this.out = '';
  }

  private startTls(): void {
    // RFC 3207 §4: the 220, then the handshake; anything pipelined after STARTTLS is discarded (§4.2).
    this.flush();
    this.socket.write('220 2.0.0 Ready to start TLS\r\n', 'latin1');
    this.pending = undefined;
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('end');
    const secure = this.sink.upgrade(plain);
    this.socket = secure;
    this.listen(secure);
    this.mail = false;
    this.rcpts = 0;
  }
}
