/**
 * The embedded target: nodemailer's smtp-server in this process, on a free
 * loopback port, configured as conformant as that library allows, keeping
 * what it received in memory for read-back. It is the default target, so
 * `smtptest run` needs no setup.
 *
 * Deliberate configuration (each a conformance choice, RFC 5321 unless named):
 * - SIZE 10 MiB advertised and enforced (RFC 1870 §6), oversize answered 552.
 * - ENHANCEDSTATUSCODES on (RFC 2034), DSN on (RFC 3461), PIPELINING, 8BITMIME,
 *   SMTPUTF8 as the library offers them; STARTTLS with a test certificate.
 * - Accepts mail for the local domains only (not an open relay, §3.6, §7.9),
 *   and for <postmaster> in any case (§4.5.1).
 * - Prepends a Received: trace header to what it stores (§4.4: a MUST the
 *   library leaves to the application).
 * - Idle timeout 5 minutes (§4.5.3.2.7), scaled by timeoutScale.
 */
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { fromPackage } from '../../harness/paths.ts';
import { TEST_ACCOUNT, testCertificate } from '../test-credentials.ts';
import type { DeliveredMessage, Mailbox, StartedTarget, Target, TargetStartOptions } from '../types.ts';

export const EMBEDDED_DOMAINS = ['smtptest.example', 'test.example'];
const SIZE_LIMIT = 10 * 1024 * 1024;
const HOSTNAME = 'embedded.smtptest.example';

class MemoryMailbox implements Mailbox {
  readonly messages: DeliveredMessage[] = [];
  readonly addedHeaders = ['received'] as const;
  async find(token: string): Promise<DeliveredMessage[]> {
    return this.messages.filter((m) => m.content.includes(token, 0, 'latin1'));
  }
}

function isLocal(address: string): boolean {
  if (/^postmaster$/i.test(address)) return true;
  const at = address.lastIndexOf('@');
  return at > 0 && EMBEDDED_DOMAINS.includes(address.slice(at + 1).toLowerCase());
}

export function embeddedTarget(): Target {
  return {
    name: 'embedded',
    defaultTimeoutScale: 0.01,
    async start(opts: TargetStartOptions = {}): Promise<StartedTarget> {
      const mailbox = new MemoryMailbox();
      const idle = Math.max(50, Math.round(300_000 * (opts.timeoutScale ?? 1)));
      const server = new SMTPServer({
        name: HOSTNAME,
        banner: 'smtptest embedded server (smtp-server) ready',
        size: SIZE_LIMIT,
        hideENHANCEDSTATUSCODES: false,
        hideDSN: false,
        authOptional: true,
        disableReverseLookup: true,
        socketTimeout: idle,
        closeTimeout: 1000,
        logger: false,
        ...testCertificate(),
        // One AUTH account (RFC 4954), given to the scenarios that need credentials; AUTH stays optional.
        onAuth(auth, _session, cb) {
          if (auth.username === TEST_ACCOUNT.user && auth.password === TEST_ACCOUNT.password) return cb(null, { user: auth.username });
          cb(new Error('Invalid username or password'));
        },
        onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, cb: (err?: Error | null) => void) {
          if (isLocal(address.address)) return cb();
          const err = Object.assign(new Error('5.7.1 Relay access denied'), { responseCode: 550 });
          cb(err);
        },
        onData(stream, session, cb) {
          const chunks: Buffer[] = [];
          stream.on('data', (c: Buffer) => chunks.push(c));
          stream.on('end', () => {
            if (stream.sizeExceeded) {
              return cb(Object.assign(new Error('5.3.4 Message size exceeds fixed maximum message size'), { responseCode: 552 }));
            }
            const trace =
              `Received: from ${session.hostNameAppearsAs || 'unknown'} (${session.remoteAddress})\r\n` +
              `\tby ${HOSTNAME} (smtptest embedded) with ${session.transmissionType || 'ESMTP'} id ${session.id};\r\n` +
              `\t${new Date().toUTCString()}\r\n`;
            mailbox.messages.push({
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              to: session.envelope.rcptTo.map((r) => r.address),
              content: Buffer.concat([Buffer.from(trace, 'latin1'), ...chunks]),
            });
            cb(null);
          });
        },
      });
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      server.on('error', () => {
        /* client-side errors (resets) are part of testing; nothing to do */
      });
      const { port } = server.server.address() as AddressInfo;
      let stopped = false;
      return {
        name: 'embedded',
        host: '127.0.0.1',
        port,
        tls: 'none',
        description: `smtp-server ${smtpServerVersion()} (embedded, in process)`,
        inProcess: true,
        facts: { domain: EMBEDDED_DOMAINS[0], recipient: `user@${EMBEDDED_DOMAINS[0]}`, idleTimeoutMs: idle, sizeLimit: SIZE_LIMIT, auth: { ...TEST_ACCOUNT } },
        mailbox,
        async stop() {
          if (stopped) return;
          stopped = true;
          await new Promise<void>((resolve) => server.close(() => resolve()));
        },
      };
    },
  };
}

function smtpServerVersion(): string {
  try {
    const pkg = fromPackage('node_modules', 'smtp-server', 'package.json');
    return (JSON.parse(fs.readFileSync(pkg, 'utf8')) as { version: string }).version;
  } catch {
    return '';
  }
}
