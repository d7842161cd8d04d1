/**
 * The load client: one socket, one SMTP session at a time, driven as a
 * state machine from socket events. Built for the hot path: replies are
 * parsed for their code only (the text is read only for EHLO keywords and
 * for the enhanced status of a negative reply), commands and message
 * content are prebuilt buffers, and one timestamp serves every reply in a
 * read. The conformance client (harness/wire) is the one that judges syntax;
 * this one counts.
 *
 * Session: connect, 220 greeting, EHLO, [STARTTLS, TLS, EHLO], [AUTH PLAIN
 * (RFC 4954 §4), 235], then messages
 * (MAIL, RCPT…, DATA, content, end of data; RFC 5321 §3.3), then QUIT.
 * With pipelining (RFC 2920 §3.1) MAIL, RCPT… and DATA go in one write and
 * each reply is timed from that write.
 */
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import type { Commands } from './message.ts';
import { scanReplies, SCAN_GARBAGE, type LineSink } from './scan.ts';
import { ACCEPTED, FAILED, REJECTED, type Recorder } from './recorder.ts';

// Phase indices, in PHASES order (phases.ts).
const P_CONNECT = 0;
const P_GREETING = 1;
const P_EHLO = 2;
const P_STARTTLS = 3;
const P_AUTH = 4;
const P_MAIL = 5;
const P_RCPT = 6;
const P_DATA = 7;
const P_EOD = 8;
const P_QUIT = 9;

// States.
const NONE = 0;
const CONNECTING = 1;
const GREETING = 2;
const EHLO = 3;
const STARTTLS = 4;
const HANDSHAKE = 5;
const IDLE = 6;
const MAIL = 7;
const RCPT = 8;
const DATA = 9;
const EOD = 10;
const PIPE = 11;
const DISCARD = 12; // content refused after an accepted DATA: ".", then RSET
const RSET = 13;
const QUIT = 14;
const CLOSING = 15; // 221 read on a TLS session; waiting for the server to close first
const DOWN = 16; // socket being destroyed; the slot is free on its 'close'
const AUTH = 17;

const STATE_PHASE = ['none', 'connect', 'greeting', 'ehlo', 'starttls', 'starttls', 'idle', 'mail', 'rcpt', 'data', 'eod', 'mail', 'eod', 'rset', 'quit', 'quit', 'close', 'auth'];

const MAX_LINE = 64 * 1024;
const CLOSE_WAIT_MS = 1000;
const EMPTY_CONTENT = Buffer.from('.\r\n', 'latin1');
const ENHANCED = /^([245]\.\d{1,3}\.\d{1,3})(?:\s|$)/;
/**
 * Plain sockets read into this one buffer (net's `onread`): no allocation
 * and no stream machinery per read. Safe to share, since each read is
 * handled to the end before the next one lands.
 */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/** What the engine gives every client. */
export interface ClientHost {
  readonly host: string;
  readonly port: number;
  readonly commands: Commands;
  readonly rcpts: number;
  readonly pipelining: boolean;
  readonly starttls: boolean;
  readonly timeoutMs: number;
  readonly rec: Recorder;
  /** Messages for a new session (Infinity: as many as there are). */
  perConnection(): number;
  /** Message content for the next message. */
  content(): Buffer;
  /** The client is free: idle in an open session, or without one (`now`: performance.now(), when the caller has it). */
  available(c: LoadClient, now?: number): void;
}

export class LoadClient implements LineSink {
  state = NONE;
  /** performance.now() by which the awaited reply must come. */
  deadline = Infinity;
  private socket: net.Socket | undefined;
  private partial: Buffer | undefined;
  private sent = 0;
  private tlsStart = 0;
  private left = 0;
  private isTls = false;
  private canPipeline = false;
  private canStarttls = false;
  private canAuth = false;
  private inMsg = false;
  private intended = 0;
  private started = 0;
  private idx = 0;
  private mailOk = false;
  private rcptOk = 0;

  constructor(private readonly h: ClientHost) {}

  get open(): boolean {
    return this.state !== NONE;
  }

  /** A message to send, intended to start at `intended` (performance.now() ms). */
  assign(intended: number, now = performance.now()): void {
    this.inMsg = true;
    this.intended = intended;
    this.started = now;
    this.h.rec.start(intended, now);
    if (this.state === NONE) this.connect(now);
    else this.beginMessage(now);
  }

  /** No more work: an idle session says QUIT. */
  finish(): void {
    if (this.state === IDLE) this.quit(performance.now());
  }

  /** Drops the connection at once (end of run); the message in flight, if any, is failed. */
  abort(kind: string): void {
    if (this.state !== NONE && this.state !== DOWN) this.fail(kind, performance.now());
  }

  /** Called by the engine's sweep when the deadline has passed. */
  timeout(now: number): void {
    if (this.state === CLOSING) this.close();
    else if (this.state !== DOWN) this.fail('timeout', now);
  }

  private connect(now: number): void {
    this.state = CONNECTING;
    this.sent = now;
    this.deadline = now + this.h.timeoutMs;
    this.left = this.h.perConnection();
    this.isTls = false;
    this.canPipeline = false;
    this.canStarttls = false;
    this.canAuth = false;
    this.partial = undefined;
    if (this.h.starttls) {
      // A session that will upgrade reads through the stream (tls wraps the socket) and gets a new socket each time.
      const t = net.connect({ host: this.h.host, port: this.h.port });
      t.setNoDelay(true);
      this.attach(t, 'connect');
      t.on('data', this.listeners.data);
      return;
    }
    // Plain sessions reuse one socket per client (net allows connect() again after 'close'),
    // reading into the shared buffer, and half-open so that the server's FIN is ours to act on.
    let p = this.plain;
    if (!p) {
      // `onread` works in the constructor (net.js reads it there); @types/node lists it for connect() only.
      const opts: net.SocketConstructorOpts & { onread: net.OnReadOpts } = { onread: { buffer: READ_BUFFER, callback: this.listeners.read }, allowHalfOpen: true };
      p = new net.Socket(opts);
      this.plain = p;
      this.attach(p, 'connect');
    }
    this.socket = p;
    p.connect({ host: this.h.host, port: this.h.port });
    p.setNoDelay(true);
  }

  // Listeners made once per client: `this` is the emitting socket; a socket this client has
  // moved on from (the plain one after STARTTLS) has had them removed.
  private readonly listeners = ((c: LoadClient) => ({
    ready(this: net.Socket) {
      if (this === c.socket) c.connected(performance.now());
    },
    read(this: net.Socket, n: number, buf: Uint8Array) {
      if (this === c.socket) c.receive(buf as Buffer, n);
      return true;
    },
    data(this: net.Socket, chunk: Buffer) {
      if (this === c.socket) c.receive(chunk, chunk.length);
    },
    error(this: net.Socket, err: NodeJS.ErrnoException) {
      if (this === c.socket && c.state !== DOWN) c.fail(errorKind(err, c.state), performance.now());
    },
    end(this: net.Socket) {
      if (this !== c.socket) return;
      if (c.state === CLOSING) c.close();
      else if (c.state !== DOWN) c.fail(c.state === HANDSHAKE ? 'tls' : 'closed', performance.now());
    },
    close(this: net.Socket) {
      if (this !== c.socket) return;
      if (c.state === DOWN || c.state === CLOSING) {
        c.state = NONE;
        c.h.available(c);
      } else c.fail(c.state === HANDSHAKE ? 'tls' : 'closed', performance.now(), true);
    },
  }))(this);

  private plain: net.Socket | undefined;

  private attach(s: net.Socket, ready: 'connect' | 'secureConnect'): void {
    this.socket = s;
    const l = this.listeners;
    s.on(ready, l.ready);
    s.on('error', l.error);
    s.on('end', l.end);
    s.on('close', l.close);
  }

  private connected(now: number): void {
    if (this.state === CONNECTING) {
      this.h.rec.phase(P_CONNECT, now - this.sent, now);
      this.state = GREETING;
      this.sent = now;
    } else if (this.state === HANDSHAKE) {
      this.h.rec.phase(P_STARTTLS, now - this.tlsStart, now);
      this.isTls = true;
      this.send(EHLO, this.h.commands.ehlo, now);
    }
  }

  private send(state: number, buf: Buffer, now: number): void {
    this.state = state;
    this.sent = now;
    this.deadline = now + this.h.timeoutMs;
    this.socket!.write(buf);
  }

  private readNow = 0;
  /** Bumped whenever the session ends or changes socket: the rest of a read then is not ours. */
  private gen = 0;
  private readGen = 0;

  /** One read: complete reply lines go to line(); an incomplete last line is kept for the next read. */
  private receive(chunk: Buffer, n: number): void {
    const now = performance.now();
    let buf = chunk;
    let len = n;
    if (this.partial) {
      buf = Buffer.concat([this.partial, chunk.subarray(0, n)]);
      len = buf.length;
      this.partial = undefined;
    }
    this.readNow = now;
    this.readGen = this.gen;
    const rest = scanReplies(buf, 0, len, this);
    if (rest === SCAN_GARBAGE) return this.fail('protocol', now);
    if (rest < 0 || rest >= len) return;
    if (len - rest > MAX_LINE) return this.fail('protocol', now);
    // Copied: the read buffer is reused.
    this.partial = Buffer.from(buf.subarray(rest, len));
  }

  /** LineSink: each reply line of a read. */
  line(buf: Buffer, start: number, end: number, code: number, last: boolean): boolean {
    if (this.state === EHLO) this.keyword(buf, start + 4, end);
    if (!last) return true;
    this.reply(code, code >= 400 ? enhancedOf(buf, start + 4, end) : '', this.readNow);
    // The reply may have ended the session or switched to TLS (RFC 3207 §4.2).
    return this.gen === this.readGen;
  }

  /** EHLO keywords that change what we send (RFC 2920 PIPELINING, RFC 3207 STARTTLS, RFC 4954 AUTH). */
  private keyword(buf: Buffer, from: number, to: number): void {
    const n = to - from;
    if (n >= 10 && (buf[from]! | 0x20) === 0x70 && buf.toString('latin1', from, from + 10).toUpperCase() === 'PIPELINING') this.canPipeline = true;
    else if (n >= 8 && (buf[from]! | 0x20) === 0x73 && buf.toString('latin1', from, from + 8).toUpperCase() === 'STARTTLS') this.canStarttls = true;
    else if (n >= 4 && (buf[from]! | 0x20) === 0x61 && /^AUTH(?:[ =]|\r?$)/i.test(buf.toString('latin1', from, Math.min(to, from + 6)))) this.canAuth = true;
  }

  /**
   * The reply to the command in flight. A transaction's replies (MAIL to end of data) are handled
   * here; the session's (greeting, EHLO, STARTTLS, RSET, QUIT) in sessionReply(), which keeps this
   * function, the hottest of a run, small to optimize.
   */
  private reply(code: number, enhanced: string, now: number): void {
    const dt = now - this.sent;
    const rec = this.h.rec;
    const ok = code < 400;
    switch (this.state) {
      case MAIL:
        rec.reply(P_MAIL, code, enhanced, now, dt);
        if (!ok) return this.reject(now);
        this.idx = 0;
        this.rcptOk = 0;
        return this.send(RCPT, this.h.commands.rcpts[0]!, now);
      case RCPT:
        rec.reply(P_RCPT, code, enhanced, now, dt);
        if (ok) this.rcptOk++;
        if (++this.idx < this.h.rcpts) return this.send(RCPT, this.h.commands.rcpts[this.idx]!, now);
        if (this.rcptOk === 0) return this.reject(now);
        return this.send(DATA, this.h.commands.data, now);
      case DATA:
        rec.reply(P_DATA, code, enhanced, now, dt);
        if (code !== 354) return this.reject(now);
        return this.send(EOD, this.h.content(), now);
      case PIPE: {
        // Each reply of the group is timed from the one write (RFC 2920 §3.2: replies come in order).
        const i = this.idx++;
        const p = i === 0 ? P_MAIL : i <= this.h.rcpts ? P_RCPT : P_DATA;
        rec.reply(p, code, enhanced, now, dt);
        if (p === P_MAIL) this.mailOk = ok;
        else if (p === P_RCPT) {
          if (ok) this.rcptOk++;
        } else if (code === 354 && this.mailOk && this.rcptOk > 0) this.send(EOD, this.h.content(), now);
        else if (code === 354) {
          // RFC 2920 §3.1: DATA accepted although no recipient was: send no content, just the terminator.
          this.send(DISCARD, EMPTY_CONTENT, now);
        } else this.reject(now);
        return;
      }
      case EOD:
        rec.reply(P_EOD, code, enhanced, now, dt);
        this.done(ok ? ACCEPTED : REJECTED, now);
        return this.next(now);
      default:
        return this.sessionReply(code, enhanced, now, dt);
    }
  }

  private sessionReply(code: number, enhanced: string, now: number, dt: number): void {
    const rec = this.h.rec;
    switch (this.state) {
      case GREETING:
        rec.reply(P_GREETING, code, enhanced, now, dt);
        if (code !== 220) return this.refuseSession(now);
        return this.send(EHLO, this.h.commands.ehlo, now);
      case EHLO:
        rec.reply(P_EHLO, code, enhanced, now, dt);
        if (code !== 250) return this.refuseSession(now);
        if (this.h.starttls && !this.isTls) {
          if (!this.canStarttls) return this.fail('no-starttls', now);
          this.tlsStart = now;
          return this.send(STARTTLS, this.h.commands.starttls, now);
        }
        if (this.h.commands.auth) {
          if (!this.canAuth) return this.fail('no-auth', now);
          return this.send(AUTH, this.h.commands.auth, now);
        }
        return this.established(now);
      case AUTH:
        rec.reply(P_AUTH, code, enhanced, now, dt);
        if (code !== 235) return this.refuseSession(now);
        return this.established(now);
      case STARTTLS:
        rec.reply(P_STARTTLS, code, enhanced, now);
        if (code !== 220) return this.refuseSession(now);
        return this.upgrade(now);
      case DISCARD:
        rec.reply(P_EOD, code, enhanced, now);
        return this.reject(now);
      case RSET:
        return this.next(now);
      case QUIT:
        rec.reply(P_QUIT, code, enhanced, now, dt);
        // The client may close once it has the reply to QUIT (RFC 5321 §4.1.1.10). A plain session ends
        // with a reset, as smtp-source's does: no FIN exchange to wait for before the connection is free
        // again, and no TIME-WAIT on either side, so neither runs out of ports at high connection rates
        // (docs/performance.md has the measurement). A TLS session lets the server close first.
        if (!this.isTls) {
          this.down();
          this.socket!.resetAndDestroy();
          return;
        }
        this.state = CLOSING;
        this.deadline = now + CLOSE_WAIT_MS;
        return;
      default:
        // A reply nobody asked for (e.g. while idle): the server is out of step.
        return this.fail('unexpected', now);
    }
  }

  /** EHLO (and AUTH) done: the session counts, and takes its first message or waits for one. */
  private established(now: number): void {
    this.h.rec.session(this.h.pipelining && this.canPipeline, now);
    this.ready(now);
  }

  private ready(now: number): void {
    if (this.inMsg) this.beginMessage(now);
    else {
      this.state = IDLE;
      this.deadline = Infinity;
      this.h.available(this);
    }
  }

  private beginMessage(now: number): void {
    if (this.h.pipelining && this.canPipeline) {
      this.idx = 0;
      this.mailOk = false;
      this.rcptOk = 0;
      this.send(PIPE, this.h.commands.pipelined, now);
    } else this.send(MAIL, this.h.commands.mail, now);
  }

  private done(outcome: number, now: number): void {
    if (!this.inMsg) return;
    this.inMsg = false;
    this.h.rec.message(outcome, this.intended, this.started, now);
  }

  /** The transaction was refused: count it, reset, go on (RFC 5321 §4.1.1.5). */
  private reject(now: number): void {
    this.done(REJECTED, now);
    this.send(RSET, this.h.commands.rset, now);
  }

  /** Greeting, EHLO, STARTTLS or AUTH refused: the message is rejected and the session ends. */
  private refuseSession(now: number): void {
    this.done(REJECTED, now);
    this.quit(now);
  }

  private next(now: number): void {
    if (--this.left <= 0) return this.quit(now);
    this.state = IDLE;
    this.deadline = Infinity;
    this.h.available(this, now);
  }

  private quit(now: number): void {
    this.send(QUIT, this.h.commands.quit, now);
  }

  private upgrade(now: number): void {
    const plain = this.socket!;
    plain.removeAllListeners();
    plain.on('error', noop);
    this.gen++;
    this.state = HANDSHAKE;
    this.partial = undefined;
    // RFC 3207 §4.2: what the server offers is learnt afresh from the EHLO inside TLS.
    this.canPipeline = false;
    this.canAuth = false;
    this.deadline = now + this.h.timeoutMs;
    const s = tls.connect({ socket: plain, rejectUnauthorized: false });
    this.attach(s, 'secureConnect');
    s.on('data', this.listeners.data);
  }

  /** The session is over: close; the slot is free when the socket has closed. */
  private close(): void {
    this.down();
    this.socket!.destroy();
  }

  private down(): void {
    this.gen++;
    this.state = DOWN;
    this.partial = undefined;
    this.deadline = Infinity;
  }

  /** Counts the failure (and the message in flight) and drops the connection. */
  private fail(kind: string, now: number, closed = false): void {
    const phase = STATE_PHASE[this.state];
    this.h.rec.error(kind, kind === 'refused' ? undefined : phase, now);
    this.done(FAILED, now);
    this.down();
    if (!closed) return void this.socket!.destroy();
    this.state = NONE;
    this.h.available(this);
  }
}

function noop(): void {}

function errorKind(err: NodeJS.ErrnoException, state: number): string {
  if (state === HANDSHAKE) return 'tls';
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'refused';
    case 'ECONNRESET':
    case 'EPIPE':
      return 'reset';
    case 'ETIMEDOUT':
      return 'timeout';
    default:
      return (err.code ?? 'error').toLowerCase();
  }
}

function enhancedOf(buf: Buffer, from: number, to: number): string {
  const m = ENHANCED.exec(buf.toString('latin1', from, Math.min(to, from + 16)).replace(/\r$/, ''));
  return m ? m[1]! : '';
}
