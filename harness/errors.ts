/**
 * Harness errors: every class carries a stable `code` so callers and tests
 * assert on the code, never on message text. A server that does not conform
 * is *not* an error: that is a reply or an outcome. These are for the harness,
 * the network and the user's configuration.
 */
export type ErrorCode =
  | 'E_CONNECT' // TCP connect refused, reset or timed out
  | 'E_TLS' // TLS handshake failed
  | 'E_NOT_CONNECTED' // write on a closed connection
  | 'E_CONFIG' // bad option, unknown target, unreadable file
  | 'E_SCENARIO' // invalid scenario file
  | 'E_TARGET' // a target could not start
  | 'E_RUNTIME_MISSING' // no container runtime
  | 'E_IMAGE_MISSING'; // container image not built

export class SmtpTestError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SmtpTestError';
    this.code = code;
  }
}

export function isSmtpTestError(e: unknown, code?: ErrorCode): e is SmtpTestError {
  return e instanceof SmtpTestError && (code === undefined || e.code === code);
}
