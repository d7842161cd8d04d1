/**
 * What the container and native targets know about each real MTA: the image,
 * the headers it adds on delivery, where it records the envelope, its limits.
 * The configuration itself is in targets/postfix/ and targets/exim/.
 */
import { toMessages, type EnvelopeHeaders, type MaildirFile } from './maildir.ts';
import { TEST_ACCOUNT } from './test-credentials.ts';
import type { Mailbox, TargetFacts } from './types.ts';

export type MtaKind = 'postfix' | 'exim';

export interface MtaSpec {
  kind: MtaKind;
  product: string;
  /** Image built by scripts/build-images; its tag is the version Debian bookworm ships. */
  image: string;
  /** Headers the MTA adds on delivery with our configuration (lower case). */
  addedHeaders: readonly string[];
  /** Those of them the delivery agent writes above the Received trace. */
  deliveryHeaders: readonly string[];
  envelope: EnvelopeHeaders;
  /** message_size_limit, as advertised in EHLO SIZE. */
  sizeLimit: number;
  /** The account its configuration accepts for AUTH (inside TLS), if it offers AUTH. */
  auth?: { user: string; password: string };
}

/** The test domain both configurations serve (every local part to one maildir). */
export const TEST_DOMAIN = 'test.example';
/** Where the images deliver. */
export const CONTAINER_MAILDIR = '/var/mail/smtptest/maildir';
/** Both MTAs' default idle timeout: Postfix smtpd_timeout, Exim smtp_receive_timeout. */
export const DEFAULT_TIMEOUT_S = 300;

export const POSTFIX: MtaSpec = {
  kind: 'postfix',
  product: 'Postfix',
  image: 'smtptest/postfix:3.7',
  // virtual(8) prepends Return-Path, X-Original-To, Delivered-To; smtpd a
  // Received. Message-ID/Date are not added: the harness is no local client
  // (local_header_rewrite_clients is empty).
  addedHeaders: ['return-path', 'x-original-to', 'delivered-to', 'received'],
  deliveryHeaders: ['return-path', 'x-original-to', 'delivered-to'],
  envelope: { sender: 'return-path', recipients: 'delivered-to' },
  sizeLimit: 10_240_000,
  // Cyrus SASL with a sasldb: made by setup.sh in the image, by postfix-native in its queue directory.
  auth: TEST_ACCOUNT,
};

export const EXIM: MtaSpec = {
  kind: 'exim',
  product: 'Exim',
  image: 'smtptest/exim:4.96',
  // The maildir transport adds Return-path, Envelope-to, Delivery-date
  // (upstream's local_delivery options); reception a Received. No
  // Message-ID/Date: the harness is no submission client.
  addedHeaders: ['return-path', 'envelope-to', 'delivery-date', 'received'],
  deliveryHeaders: ['return-path', 'envelope-to', 'delivery-date'],
  envelope: { sender: 'return-path', recipients: 'envelope-to' },
  sizeLimit: 52_428_800,
  // exim.conf's PLAIN and LOGIN authenticators (AUTH_USER, AUTH_PASSWORD).
  auth: TEST_ACCOUNT,
};

/**
 * The Mailbox of an MTA target: `read` lists the maildir files that contain
 * a token (from the container or the host); the spec says which headers the
 * MTA adds and which carry the envelope.
 */
export function mtaMailbox(spec: MtaSpec, read: (token: string) => Promise<MaildirFile[]>): Mailbox {
  return {
    addedHeaders: spec.addedHeaders,
    deliveryHeaders: spec.deliveryHeaders,
    find: async (token) => toMessages(await read(token), spec.envelope),
  };
}

/** The server's idle timeout in seconds for a timeoutScale; undefined keeps the MTA's default. */
export function timeoutSeconds(scale: number | undefined): number | undefined {
  if (scale === undefined || scale === 1) return undefined;
  if (!(scale > 0)) throw new RangeError(`timeoutScale must be > 0, got ${scale}`);
  return Math.max(1, Math.round(DEFAULT_TIMEOUT_S * scale));
}

export function mtaFacts(spec: MtaSpec, timeoutS: number | undefined): TargetFacts {
  return {
    recipient: `user@${TEST_DOMAIN}`,
    domain: TEST_DOMAIN,
    idleTimeoutMs: (timeoutS ?? DEFAULT_TIMEOUT_S) * 1000,
    sizeLimit: spec.sizeLimit,
    ...(spec.auth && { auth: { ...spec.auth } }),
  };
}
