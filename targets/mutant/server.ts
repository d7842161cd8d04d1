/**
 * The mutant server: our own SMTP server on node:net, byte for byte under
 * our control. With no faults it is the reference server the catalogue must
 * pass; with faults it is the server each scenario must be shown to catch.
 */
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { SmtpTestError } from '../../harness/errors.ts';
import { testCertificate } from '../test-credentials.ts';
import type { DeliveredMessage, Mailbox } from '../types.ts';
import { FaultSet } from './faults.ts';
import { Session, type SessionConfig } from './session.ts';

export const MUTANT_HOSTNAME = 'mutant.smtptest.example';
export const MUTANT_DOMAINS = ['smtptest.example', 'test.example'] as const;
/** RFC 1870 SIZE; RFC 5321 §4.5.3.1.7 asks for at least 64K. 1 MiB keeps over-limit scenarios cheap. */
export const MUTANT_SIZE_LIMIT = 1024 * 1024;
/**
 * RFC 5321 §4.5.3.2.7: at least 5 minutes. 5.5 minutes, so that a scenario
 * idling "just under 5 minutes" (scaled, under load) is not racing our timer.
 */
export const MUTANT_IDLE_MS = 330_000;
/** RFC 5321 §4.5.3.1.8: at least 100. */
export const MUTANT_MAX_RECIPIENTS = 100;

export interface MutantServerOptions {
  faults?: FaultSet;
  /** Multiplies the idle timeout (5.5 minutes). */
  timeoutScale?: number;
  /** Default 0: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  sizeLimit?: number;
  /** Called for each message stored (after the mailbox has it). */
  onDeliver?(message: DeliveredMessage): void;
}

/** Delivered messages, in memory, oldest first. */
export class MemoryMailbox implements Mailbox {
  readonly messages: DeliveredMessage[] = [];
  constructor(readonly addedHeaders: readonly string[]) {}
  async find(token: string): Promise<DeliveredMessage[]> {
    return this.messages.filter((m) => m.content.includes(token, 0, 'latin1'));
  }
}

export class MutantServer {
  readonly faults: FaultSet;
  readonly mailbox: MemoryMailbox;
  readonly idleTimeoutMs: number;
  readonly sizeLimit: number;
  private readonly server: net.Server;
  private readonly sessions = new Set<Session>();
  private readonly options: MutantServerOptions;

  constructor(options: MutantServerOptions = {}) {
    this.options = options;
    this.faults = options.faults ?? new FaultSet();
    this.mailbox = new MemoryMailbox(this.faults.has('no-received-header') ? [] : ['received']);
    this.idleTimeoutMs = Math.max(20, Math.round(MUTANT_IDLE_MS * (options.timeoutScale ?? 1)));
    this.sizeLimit = options.sizeLimit ?? MUTANT_SIZE_LIMIT;
    const config: SessionConfig = {
      hostname: MUTANT_HOSTNAME,
      domains: MUTANT_DOMAINS,
      sizeLimit: this.sizeLimit,
      maxRecipients: MUTANT_MAX_RECIPIENTS,
      idleTimeoutMs: this.idleTimeoutMs,
      faults: this.faults,
      secureContext: tls.createSecureContext(testCertificate()),
      deliver: (m) => {
        this.mailbox.messages.push(m);
        options.onDeliver?.(m);
      },
    };
    this.server = net.createServer((socket) => {
      this.sessions.add(new Session(socket, config, (s) => this.sessions.delete(s)));
    });
    this.server.on('error', () => undefined);
  }

  /** Listens; resolves with the address. Rejects with E_TARGET when the port is taken. */
  listen(): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error) =>
        reject(new SmtpTestError('E_TARGET', `mutant server cannot listen on ${this.options.host ?? '127.0.0.1'}:${this.options.port ?? 0}: ${e.message}`, { cause: e }));
      this.server.once('error', onError);
      this.server.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () => {
        this.server.off('error', onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  get address(): AddressInfo {
    return this.server.address() as AddressInfo;
  }

  get openSessions(): number {
    return this.sessions.size;
  }

  /** Stops listening and ends every session with 421 (RFC 5321 §3.8). */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const s of [...this.sessions]) s.shutdown();
    await closed;
  }
}
