/** Phases of a session, each with its own histogram (RFC 5321 §4.3.2 command/reply pairs, RFC 3207 for STARTTLS, RFC 4954 for AUTH). Kept apart from types.ts so that worker threads need not load zod. */
export const PHASES = ['connect', 'greeting', 'ehlo', 'starttls', 'auth', 'mail', 'rcpt', 'data', 'eod', 'quit'] as const;
export type Phase = (typeof PHASES)[number];
