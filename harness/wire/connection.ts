/**
 * One socket, one wire state, one transcript. An SmtpConnection sends what it
 * is told and reads replies; it never judges pass or fail (that is the
 * runner's job). Timeouts, closure by the peer and unparseable replies are
 * outcomes returned as data; exceptions are for connect, TLS and misuse.
 */
import net from 'node:net';
import tls from 'node:tls';
import { performance } from 'node:perf_hooks';
import { SmtpTestError } from '../errors.ts';
import { ReplyParser, type Reply, type ReplyError, type ReplyParserLimits } from './reply.ts';
import { commandLine, dataContent, dataContentChunks, pipelineBatch, type Filler } from './serialize.ts';

export interface ConnectOptions {
  host: string;
  port: number;
  /** 'implicit' = TLS from the first byte (smtps, RFC 8314). */
  tls?: 'none' | 'implicit';
  connectTimeoutMs?: number;
  /** SNI and certificate name; certificates are not verified (test servers are self-signed). */
  servername?: string;
  limits?: Partial<ReplyParserLimits>;
  /** Transcript cap in octets; past it entries are dropped and `transcriptTruncated` is set. */
  transcriptCap?: number;
}

export type ReadOutcome =
  | { kind: 'reply'; reply: Reply; atMs: number }
  | { kind: 'timeout'; waitedMs: number; partial: string }
  | { kind: 'closed'; reason: string; partial: string }
  | { kind: 'protocol-error'; error: ReplyError };

export interface TranscriptEntry {
  /** C: client to server, S: server to client, '*': an event (TLS, close, timeout). */
  dir: 'C' | 'S' | '*';
  /** Milliseconds since the connection started. */
  atMs: number;
  /** Octets, latin1-decoded (exact bytes; escape for display). */
  text: string;
}

type Event = Exclude<ReadOutcome, { kind: 'timeout' }>;

const UNREAD_CAP = 1024 * 1024;

export class SmtpConnection {
  readonly transcript: TranscriptEntry[] = [];
  transcriptTruncated = false;
  /** Set while TLS is active (after STARTTLS or implicit TLS). */
  tlsInfo?: { protocol: string | null; cipher: string };

  private socket: net.Socket;
  private parser: ReplyParser;
  private readonly events: Event[] = [];
  private unreadBytes = 0;
  private waiter?: () => void;
  private ended = false;
  private readonly t0 = performance.now();
  private transcriptBytes = 0;
  private readonly opts: ConnectOptions;

  private constructor(socket: net.Socket, opts: ConnectOptions) {
    this.socket = socket;
    this.opts = opts;
    this.parser = new ReplyParser(opts.limits);
    this.attach(socket);
  }

  /** Connects; resolves once the TCP (and, for implicit TLS, the TLS) handshake is done. */
  static connect(opts: ConnectOptions): Promise<SmtpConnection> {
    const timeout = opts.connectTimeoutMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const implicit = opts.tls === 'implicit';
      const socket: net.Socket = implicit
        ? tls.connect({ host: opts.host, port: opts.port, servername: sni(opts), rejectUnauthorized: false })
        : net.connect({ host: opts.host, port: opts.port });
      socket.setNoDelay(true);
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SmtpTestError('E_CONNECT', `connect to ${opts.host}:${opts.port} timed out after ${timeout} ms`));
      }, timeout);
      const onError = (err: Error) => {
        clearTimeout(timer);
        reject(new SmtpTestError(implicit ? 'E_TLS' : 'E_CONNECT', `connect to ${opts.host}:${opts.port}: ${err.message}`, { cause: err }));
      };
      socket.once('error', onError);
      socket.once(implicit ? 'secureConnect' : 'connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        const conn = new SmtpConnection(socket, opts);
        if (implicit) conn.noteTls(socket as tls.TLSSocket);
        resolve(conn);
      });
    });
  }

  /** Milliseconds since the connection was made. */
  now(): number {
    return performance.now() - this.t0;
  }

  get closed(): boolean {
    return this.ended;
  }

  /** Replies (or other events) received and not yet read. */
  get pending(): number {
    return this.events.length;
  }

  /** Sends one command line; the serializer adds CRLF. */
  send(text: string): Promise<void> {
    return this.write(commandLine(text));
  }

  /** Sends several command lines in one write (RFC 2920 §3.1). */
  sendPipeline(texts: readonly string[]): Promise<void> {
    return this.write(pipelineBatch(texts));
  }

  /** Sends message content, dot-stuffed and terminated (RFC 5321 §4.5.2). */
  sendData(content: string | Buffer): Promise<void> {
    return this.write(dataContent(content));
  }

  /**
   * Sends message content followed by generated filler (see
   * dataContentChunks), one chunk per write, each after the last has gone to
   * the kernel: large content flows under TCP back-pressure.
   */
  async sendDataWithFiller(head: string, filler: Filler): Promise<void> {
    for (const chunk of dataContentChunks(head, filler)) await this.write(chunk);
  }

  /** Sends exactly these octets: no CRLF added, no stuffing. Strings are latin1. */
  sendRaw(bytes: string | Buffer): Promise<void> {
    return this.write(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes);
  }

  write(buf: Buffer): Promise<void> {
    if (this.ended || this.socket.destroyed) {
      return Promise.reject(new SmtpTestError('E_NOT_CONNECTED', 'write on a closed connection'));
    }
    this.record('C', buf);
    return new Promise((resolve, reject) => {
      this.socket.write(buf, (err) => {
        if (err) reject(new SmtpTestError('E_NOT_CONNECTED', `write failed: ${err.message}`, { cause: err }));
        else resolve();
      });
    });
  }

  /**
   * The next reply, or what happened instead: a timeout (with the bytes of
   * any partial reply), closure by the peer, or a reply that is not SMTP.
   */
  async read(timeoutMs: number): Promise<ReadOutcome> {
    const start = performance.now();
    if (this.events.length === 0 && !this.ended) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.waiter = undefined;
          resolve();
        }, timeoutMs);
        this.waiter = () => {
          clearTimeout(timer);
          this.waiter = undefined;
          resolve();
        };
      });
    }
    const ev = this.events.shift();
    if (ev) {
      if (ev.kind === 'reply') this.consumed(ev.reply.raw.length);
      return ev;
    }
    if (this.ended) return { kind: 'closed', reason: 'closed by peer', partial: this.partial() };
    const waitedMs = performance.now() - start;
    this.note(`no reply within ${Math.round(waitedMs)} ms`);
    return { kind: 'timeout', waitedMs, partial: this.partial() };
  }

  /**
   * STARTTLS upgrade (RFC 3207 §4): call after the 220 has been read. Any
   * plaintext the server sent after its 220, or that is still queued unread,
   * is returned: the client must discard it (§4.2, CVE-2011-0411 class).
   */
  async upgradeTls(timeoutMs = 10_000): Promise<{ leftoverPlaintext: string }> {
    const leftover =
      this.events.map((e) => (e.kind === 'reply' ? e.reply.raw : '')).join('') + this.partial();
    this.events.length = 0;
    this.unreadBytes = 0;
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('end');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    this.parser = new ReplyParser(this.opts.limits);
    const secure = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({ socket: plain, servername: sni(this.opts), rejectUnauthorized: false });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new SmtpTestError('E_TLS', `TLS handshake timed out after ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('secureConnect', () => {
        clearTimeout(timer);
        s.off('error', onErr);
        resolve(s);
      });
      const onErr = (err: Error) => {
        clearTimeout(timer);
        reject(new SmtpTestError('E_TLS', `TLS handshake failed: ${err.message}`, { cause: err }));
      };
      s.once('error', onErr);
    });
    this.socket = secure;
    this.attach(secure);
    this.noteTls(secure);
    return { leftoverPlaintext: leftover };
  }

  /** Half-close our side (FIN) and wait for the peer to close, at most `timeoutMs`. */
  async end(timeoutMs = 1000): Promise<void> {
    if (this.ended) return;
    this.socket.end();
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve();
      });
    });
    this.destroy();
  }

  /** Drops the connection at once. */
  destroy(): void {
    if (!this.socket.destroyed) this.socket.destroy();
    this.markEnded('closed by client');
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => {
      this.record('S', chunk);
      for (const ev of this.parser.push(chunk)) {
        this.push(ev.kind === 'reply' ? { kind: 'reply', reply: ev.reply, atMs: this.now() } : { kind: 'protocol-error', error: ev.error });
        if (ev.kind === 'reply') {
          this.unreadBytes += ev.reply.raw.length;
          // Back-pressure: a server that floods replies is paused, not buffered without bound.
          if (this.unreadBytes > UNREAD_CAP) socket.pause();
        }
      }
      if (this.parser.poisoned) socket.destroy();
    });
    socket.on('error', (err) => this.markEnded(`connection error: ${err.message}`));
    socket.on('end', () => this.markEnded('closed by peer'));
    socket.on('close', () => this.markEnded('closed by peer'));
  }

  private push(ev: Event): void {
    this.events.push(ev);
    this.waiter?.();
  }

  private consumed(n: number): void {
    this.unreadBytes -= n;
    if (this.unreadBytes <= UNREAD_CAP && this.socket.isPaused()) this.socket.resume();
  }

  private markEnded(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.note(reason);
    this.push({ kind: 'closed', reason, partial: this.partial() });
  }

  private partial(): string {
    return this.parser.pendingText();
  }

  private noteTls(s: tls.TLSSocket): void {
    this.tlsInfo = { protocol: s.getProtocol(), cipher: s.getCipher()?.name ?? '' };
    this.note(`TLS established (${this.tlsInfo.protocol} ${this.tlsInfo.cipher})`);
  }

  private note(text: string): void {
    this.transcript.push({ dir: '*', atMs: this.now(), text });
  }

  private record(dir: 'C' | 'S', buf: Buffer): void {
    const cap = this.opts.transcriptCap ?? 64 * 1024;
    if (this.transcriptBytes >= cap) {
      this.transcriptTruncated = true;
      return;
    }
    const room = cap - this.transcriptBytes;
    const part = buf.length > room ? buf.subarray(0, room) : buf;
    this.transcriptBytes += part.length;
    if (part.length < buf.length) this.transcriptTruncated = true;
    this.transcript.push({ dir, atMs: this.now(), text: part.toString('latin1') });
  }
}

function sni(opts: ConnectOptions): string | undefined {
  const name = opts.servername ?? opts.host;
  return net.isIP(name) ? undefined : name;
}
