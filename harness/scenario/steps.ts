/** Step sequences that TypeScript suites share (suites/*.ts), with the same types as theirs. */
import type { ScenarioInput } from './schema.ts';

/** MAIL, RCPT and DATA, each accepted: the transaction is open for content (RFC 5321 §3.3). */
export const OPEN_TRANSACTION: ScenarioInput['steps'] = [
  { send: 'MAIL FROM:<{{sender}}>' },
  { expect: 250 },
  { send: 'RCPT TO:<{{rcpt}}>' },
  { expect: [250, 251] },
  { send: 'DATA' },
  { expect: 354 },
];
