/**
 * One greeting + EHLO before the run, so `requires` can be judged once;
 * then, where STARTTLS is advertised, STARTTLS + EHLO again: many servers
 * offer AUTH (and more) only inside TLS (RFC 4954 §4, RFC 3207 §4.2: the
 * client learns the extensions afresh after the handshake).
 */
import { SmtpConnection } from '../wire/connection.ts';
import type { StartedTarget } from '../../targets/types.ts';
import type { Reply } from '../wire/reply.ts';
import { CLIENT_NAME } from './scenario.ts';
import type { Capabilities } from './types.ts';

/** EHLO keywords (RFC 5321 §4.1.1.1): the lines after the first, first word upper-cased. */
export function ehloKeywords(reply: Reply): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const line of reply.lines.slice(1)) {
    const [kw, ...params] = line.trim().split(/\s+/);
    if (kw) out[kw.toUpperCase()] = params;
  }
  return out;
}

/** STARTTLS, the handshake and EHLO on `conn`: the keywords inside TLS, or why there are none. */
async function keywordsInTls(conn: SmtpConnection, timeoutMs: number): Promise<Record<string, string[]> | string> {
  try {
    await conn.send('STARTTLS');
    const ready = await conn.read(timeoutMs);
    if (ready.kind !== 'reply' || ready.reply.code !== 220) return 'STARTTLS not answered 220';
    await conn.upgradeTls(timeoutMs);
    await conn.send(`EHLO ${CLIENT_NAME}`);
    const ehlo = await conn.read(timeoutMs);
    if (ehlo.kind !== 'reply' || ehlo.reply.code !== 250) return 'EHLO inside TLS not answered 250';
    return ehloKeywords(ehlo.reply);
  } catch (e) {
    return `STARTTLS failed: ${(e as Error).message}`;
  }
}

export async function discoverCapabilities(target: StartedTarget, timeoutMs: number): Promise<Capabilities> {
  let conn: SmtpConnection | undefined;
  try {
    conn = await SmtpConnection.connect({ host: target.host, port: target.port, tls: target.tls, connectTimeoutMs: timeoutMs });
    const greeting = await conn.read(timeoutMs);
    if (greeting.kind !== 'reply' || greeting.reply.code !== 220) {
      return { keywords: {}, error: 'no 220 greeting' };
    }
    await conn.send(`EHLO ${CLIENT_NAME}`);
    const ehlo = await conn.read(timeoutMs);
    if (ehlo.kind !== 'reply' || ehlo.reply.code !== 250) {
      return { greeting: greeting.reply.lines.join(' '), keywords: {}, error: 'EHLO not answered 250' };
    }
    const found: Capabilities = { greeting: greeting.reply.lines.join(' '), keywords: ehloKeywords(ehlo.reply) };
    if (target.tls === 'none' && 'STARTTLS' in found.keywords) {
      const tlsKeywords = await keywordsInTls(conn, timeoutMs);
      if (typeof tlsKeywords === 'string') found.tlsError = tlsKeywords;
      else found.tlsKeywords = tlsKeywords;
    }
    await conn.send('QUIT').catch(() => undefined);
    await conn.read(Math.min(timeoutMs, 1000));
    return found;
  } finally {
    conn?.destroy();
  }
}
