/**
 * What the load client writes, built once through the serializer (which
 * alone adds CRLF and dot-stuffs) and reused: per-message work on the hot
 * path is a cache lookup, not an allocation.
 */
import { commandLine, dataContent, pipelineBatch } from '../wire/serialize.ts';

export const LOAD_CLIENT = 'load.smtptest.example';

export interface Commands {
  ehlo: Buffer;
  starttls: Buffer;
  mail: Buffer;
  /** One line per recipient. */
  rcpts: Buffer[];
  data: Buffer;
  rset: Buffer;
  quit: Buffer;
  /** MAIL, every RCPT and DATA in one buffer, for one write (RFC 2920 §3.1). */
  pipelined: Buffer;
  /** AUTH PLAIN with the initial response (RFC 4954 §4, RFC 4616 §2), when the sessions authenticate. */
  auth?: Buffer;
}

export function buildCommands(domain: string, rcpts: number, account?: { user: string; password: string }): Commands {
  const mail = `MAIL FROM:<load@${LOAD_CLIENT}>`;
  const rcptLines = Array.from({ length: rcpts }, (_, i) => `RCPT TO:<load${i + 1}@${domain}>`);
  return {
    ehlo: commandLine(`EHLO ${LOAD_CLIENT}`),
    starttls: commandLine('STARTTLS'),
    mail: commandLine(mail),
    rcpts: rcptLines.map(commandLine),
    data: commandLine('DATA'),
    rset: commandLine('RSET'),
    quit: commandLine('QUIT'),
    pipelined: pipelineBatch([mail, ...rcptLines, 'DATA']),
    ...(account ? { auth: commandLine(`AUTH PLAIN ${Buffer.from(`\0${account.user}\0${account.password}`, 'utf8').toString('base64')}`) } : {}),
  };
}

const HEADER = (domain: string) => `From: <load@${LOAD_CLIENT}>\nTo: <load1@${domain}>\nSubject: smtptest load\n\n`;
const LINE = 76;

/**
 * Message content of `size` octets as sent (headers and body, CRLF line
 * endings, before the terminator), stuffed and terminated. Filler lines
 * never start with ".", so the size on the wire is `size` + 3 for ".CRLF".
 */
export function messageContent(domain: string, size: number): Buffer {
  const header = HEADER(domain);
  // Octets on the wire: each LF becomes CRLF.
  const headerWire = header.length + (header.match(/\n/g)?.length ?? 0);
  let left = Math.max(0, size - headerWire);
  let body = '';
  let n = 0;
  while (left > 0) {
    // A line of k characters costs k + 2 octets; the last one takes what is left (at least 1 + CRLF).
    const k = left >= LINE + 2 + 3 ? LINE : Math.max(1, left - 2);
    const head = `${n++} `;
    body += (head + 'x'.repeat(Math.max(0, k - head.length))).slice(0, k) + '\n';
    left -= k + 2;
  }
  return dataContent(header + body);
}

/** Message buffers by size, built on first use; the cache is bounded. */
export class MessageCache {
  private readonly bySize = new Map<number, Buffer>();
  constructor(private readonly domain: string, private readonly cap = 2048) {}

  get(size: number): Buffer {
    let b = this.bySize.get(size);
    if (!b) {
      if (this.bySize.size >= this.cap) this.bySize.clear();
      b = messageContent(this.domain, size);
      this.bySize.set(size, b);
    }
    return b;
  }
}
