/**
 * Any server by URL: smtp://host:port (plain, STARTTLS possible) or
 * smtps://host:port (implicit TLS). smtp://USER:PASSWORD@host:port gives an
 * AUTH account (percent-encoded as in any URL) for the scenarios that need
 * one; the password is never part of the target's name.
 */
import { SmtpTestError } from '../harness/errors.ts';
import type { StartedTarget, Target } from './types.ts';

export function urlTarget(spec: string): Target | undefined {
  if (!/^smtps?:\/\//i.test(spec)) return undefined;
  let url: URL;
  try {
    url = new URL(spec);
  } catch {
    throw new SmtpTestError('E_CONFIG', `not a valid target URL: ${spec}`);
  }
  const implicit = url.protocol === 'smtps:';
  const port = url.port ? Number(url.port) : implicit ? 465 : 25;
  const host = url.hostname.replace(/^\[|\]$/g, '');
  // ?domain=…&rcpt=… tell scenarios what the server accepts (RFC 5321 "(C)" facts).
  const domain = url.searchParams.get('domain') ?? undefined;
  const recipient = url.searchParams.get('rcpt') ?? undefined;
  const auth = url.username ? { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } : undefined;
  const shown = new URL(url.href);
  if (shown.password) shown.password = '***';
  return {
    name: shown.href,
    async start(): Promise<StartedTarget> {
      return {
        name: `${url.protocol}//${url.host}`,
        host,
        port,
        tls: implicit ? 'implicit' : 'none',
        description: `external server at ${url.host}`,
        facts: { domain, recipient, ...(auth ? { auth } : {}) },
        async stop() {},
      };
    },
  };
}
