/**
 * Targets: how to reach, or start, an SMTP server.
 *
 * Lifecycle as types, after testcontainers: a `Target` is a description;
 * `start()` gives a `StartedTarget` that knows its address and must be stopped.
 */

/** A message as the server stored it, for transparency checks. */
export interface DeliveredMessage {
  /** Envelope sender as the server recorded it ('' for the null reverse-path). */
  from: string;
  /** Envelope recipients as the server recorded them. */
  to: string[];
  /** The stored message, byte-exact as the server keeps it (headers the server adds included). */
  content: Buffer;
}

/** Read-back of delivered mail. A target that cannot read back has no mailbox. */
export interface Mailbox {
  /** Messages whose content contains `token` (a per-scenario marker), oldest first. */
  find(token: string): Promise<DeliveredMessage[]>;
  /**
   * Headers this server adds or rewrites on delivery (lower-case names), so a
   * transparency check can name what it ignores. Empty for a byte-exact store.
   */
  readonly addedHeaders: readonly string[];
  /**
   * The subset of `addedHeaders` that final delivery (the local delivery
   * agent, not the SMTP server) puts above the trace headers: Return-Path,
   * Delivered-To, Envelope-to and the like (RFC 5321 §4.4). Scenarios that
   * check the top of the stored message look past these.
   */
  readonly deliveryHeaders?: readonly string[];
}

/** Facts about the server that scenarios may need (RFC 5321 "(C)" rows). */
export interface TargetFacts {
  /** A recipient the server accepts for local delivery. */
  recipient?: string;
  /** A domain the server serves (postmaster@domain must work, RFC 5321 §4.5.1). */
  domain?: string;
  /** The server's idle timeout in ms, where known (used by timeout scenarios). */
  idleTimeoutMs?: number;
  /** The server's message size limit in octets, where known. */
  sizeLimit?: number;
  /** An account the server accepts for AUTH (RFC 4954), for scenarios that need `credentials`. */
  auth?: { user: string; password: string };
}

export interface StartedTarget {
  /** Short name: 'embedded', 'postfix', 'smtp://host:port', 'mutant:NAME'. */
  readonly name: string;
  readonly host: string;
  readonly port: number;
  /** 'implicit' for smtps:// (TLS from the first byte). */
  readonly tls: 'none' | 'implicit';
  /** One line for reports: software and version where known. */
  readonly description: string;
  /** The server runs inside this process: its CPU and memory count in the harness's own figures. */
  readonly inProcess?: boolean;
  readonly facts: TargetFacts;
  readonly mailbox?: Mailbox;
  /** Stops what start() started; idempotent. Nothing for an external server. */
  stop(): Promise<void>;
}

export interface Target {
  readonly name: string;
  /**
   * For servers whose timers we set ourselves (embedded, mutant, sink): the
   * --timeout-scale a run uses when the user gives none, so a default run
   * takes seconds rather than the RFC's minutes. Undefined means 1.
   */
  readonly defaultTimeoutScale?: number;
  start(options?: TargetStartOptions): Promise<StartedTarget>;
}

export interface TargetStartOptions {
  /** Multiplies the server's own timers where the target controls them (CI runs use short ones). */
  timeoutScale?: number;
  signal?: AbortSignal;
}
