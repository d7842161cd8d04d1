/**
 * A minimal SMTP client over node:net for the MTA tests: writes exactly the
 * bytes it is given and reads replies (RFC 5321 §4.2: "xyz-" continues,
 * "xyz " ends). Independent of harness/wire on purpose: these tests check
 * the targets, not the harness's client.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface Reply {
  code: number;
  lines: string[];
}

export class MiniSmtp {
  private buf = Buffer.alloc(0);
  private ended = false;
  private wake?: () => void;

  private constructor(private readonly socket: net.Socket | tls.TLSSocket) {
    socket.on('data', (c: Buffer) => {
      this.buf = Buffer.concat([this.buf, c]);
      this.wake?.();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake?.();
    });
    socket.on('error', () => undefined);
  }

  static connect(host: string, port: number): Promise<MiniSmtp> {
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port }, () => resolve(new MiniSmtp(socket)));
      socket.once('error', reject);
    });
  }

  /**
   * After a 220 to STARTTLS: TLS over this connection (RFC 3207 §4.2), the
   * certificate not verified (the targets' are self-signed). Use the returned client.
   */
  startTls(): Promise<{ client: MiniSmtp; protocol: string | null }> {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    return new Promise((resolve, reject) => {
      const secure = tls.connect({ socket: this.socket as net.Socket, servername: 'mx.test.example', rejectUnauthorized: false }, () =>
        resolve({ client: new MiniSmtp(secure), protocol: secure.getProtocol() }),
      );
      secure.once('error', reject);
    });
  }

  /** Reads one complete reply, or fails after `timeoutMs`. */
  async reply(timeoutMs = 15_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.buf.toString('latin1');
      const lines: string[] = [];
      let pos = 0;
      for (let eol = text.indexOf('\r\n'); eol >= 0; eol = text.indexOf('\r\n', pos)) {
        const line = text.slice(pos, eol);
        pos = eol + 2;
        lines.push(line);
        if (line[3] !== '-') {
          this.buf = this.buf.subarray(pos);
          return { code: Number(line.slice(0, 3)), lines };
        }
      }
      if (this.ended) throw new Error(`connection closed before a reply (have ${JSON.stringify(text)})`);
      if (Date.now() >= deadline) throw new Error(`no reply within ${timeoutMs} ms (have ${JSON.stringify(text)})`);
      await this.waitForData(deadline - Date.now());
    }
  }

  /** Sends `line` + CRLF and reads the reply. */
  async cmd(line: string): Promise<Reply> {
    this.socket.write(line + '\r\n');
    return this.reply();
  }

  /** Sends raw bytes as they are. */
  write(bytes: Buffer | string): void {
    this.socket.write(bytes);
  }

  /** Resolves when the server closes the connection; fails after `timeoutMs`. */
  async closedByServer(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.ended) {
      if (Date.now() >= deadline) throw new Error(`still open after ${timeoutMs} ms`);
      await this.waitForData(deadline - Date.now());
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private waitForData(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, ms));
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }
}

/** RFC 5321 §4.5.2: a line starting with "." gets one more; then CRLF.CRLF. */
export function dotStuff(content: Buffer): Buffer {
  const text = content.toString('latin1');
  if (!text.endsWith('\r\n')) throw new Error('content must end with CRLF');
  const stuffed = text.split('\r\n').map((l) => (l.startsWith('.') ? '.' + l : l));
  return Buffer.from(stuffed.join('\r\n') + '.\r\n', 'latin1');
}
