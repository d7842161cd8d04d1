/**
 * The mutant server's faults: one switch per deviation from the RFCs, each
 * named, described and tied to the section it violates. The server tests a
 * fault with `faults.has('name')`, a typed literal, never a computed string.
 *
 * A fault should be narrow: it breaks one rule and leaves the rest of the
 * server correct, so the scenarios it makes fail are the ones about that rule.
 */
import { SmtpTestError } from '../../harness/errors.ts';

export interface FaultInfo {
  /** One line: what the server does wrong. */
  readonly description: string;
  /** The rule it breaks: "RFC 5321 §4.1.4". */
  readonly violates: string;
  /**
   * Breaks the session for most scenarios (the greeting, the EHLO reply).
   * Most of its failures are for a reason not theirs, so it proves only
   * scenarios that drive the greeting and EHLO themselves (prelude none or
   * greeting).
   */
  readonly broad?: boolean;
}

export const FAULTS = {
  // Greeting and replies
  'greeting-554': { description: 'greets with 554 and then serves mail anyway instead of answering 503 until QUIT', violates: 'RFC 5321 §3.1', broad: true },
  'greeting-no-domain': { description: 'the greeting text starts with "(" instead of the server\'s domain', violates: 'RFC 5321 §4.2, §4.3.1' },
  'greeting-twice': { description: 'sends the 220 greeting twice', violates: 'RFC 5321 §4.2, §3.1', broad: true },
  'greeting-bare-lf': { description: 'the greeting line ends in a bare LF instead of CRLF', violates: 'RFC 5321 §2.3.8, §4.2' },
  'multiline-no-hyphen': { description: 'multiline replies use "250 " on every line instead of "250-" on all but the last', violates: 'RFC 5321 §4.2.1', broad: true },
  'help-no-hyphen': { description: 'the multiline HELP reply uses "214 " on every line', violates: 'RFC 5321 §4.2.1' },
  'help-mixed-codes': { description: 'the lines of the HELP reply carry different codes (214- then 211 )', violates: 'RFC 5321 §4.2.1' },
  'echo-long-reply': { description: 'the 500 to an unknown command echoes the command, making a reply line over 512 octets', violates: 'RFC 5321 §4.5.3.1.5' },
  'duplicate-replies': { description: 'replies to MAIL, RCPT and DATA are sent twice', violates: 'RFC 5321 §4.2' },
  'two-digit-codes': { description: 'replies to RSET, NOOP, VRFY and HELP carry a two-digit code ("25 2.0.0 Ok")', violates: 'RFC 5321 §4.2, §4.3.2' },
  'reply-line-too-long': { description: 'the first line of the EHLO reply is longer than 512 octets', violates: 'RFC 5321 §4.5.3.1.5' },
  'enhanced-codes-missing': { description: 'advertises ENHANCEDSTATUSCODES but sends no enhanced codes', violates: 'RFC 2034 §3' },
  'enhanced-class-mismatch': { description: 'enhanced codes on 5xx replies have class 4 ("550 4.7.1")', violates: 'RFC 3463 §2' },
  // EHLO / HELO
  'helo-502': { description: 'HELO is answered 502 (not supported)', violates: 'RFC 5321 §4.1.1.1' },
  'helo-extended': { description: 'answers HELO with the multiline EHLO keyword list', violates: 'RFC 5321 §3.2' },
  'ehlo-no-reset': { description: 'a later EHLO keeps the open mail transaction', violates: 'RFC 5321 §4.1.4' },
  'ehlo-noarg-ok': { description: 'accepts EHLO and HELO without a domain', violates: 'RFC 5321 §4.1.1.1' },
  'dead-keywords': { description: 'lists EXPN, VRFY and ETRN in EHLO and answers them 502', violates: 'RFC 5321 §4.2.4' },
  'bad-ehlo-resets': { description: 'a rejected EHLO aborts the open transaction', violates: 'RFC 5321 §4.1.4' },
  // Command parsing
  'unknown-250': { description: 'answers unrecognised commands with 250', violates: 'RFC 5321 §4.2.4' },
  'unknown-502': { description: 'answers unrecognised commands with 502 instead of 500', violates: 'RFC 5321 §4.2.4' },
  'unknown-closes': { description: 'closes the connection after an unrecognised command', violates: 'RFC 5321 §3.8' },
  'lowercase-unknown': { description: 'command verbs are recognised in upper case only', violates: 'RFC 5321 §2.4' },
  'bare-lf-command': { description: 'takes a bare LF as the end of a command line', violates: 'RFC 5321 §2.3.8' },
  'line-limit-too-low': { description: 'answers "500 line too long" to command lines of 500 octets or more', violates: 'RFC 5321 §4.5.3.1.4' },
  'long-line-desync': { description: 'an over-long command line is answered once per 512-octet piece', violates: 'RFC 5321 §4.5.3.1.4, §4.2' },
  'split-crlf-twice': { description: 'a CR at the end of a read ends the command line, and the LF that follows is an empty command', violates: 'RFC 5321 §2.3.8' },
  'non-ascii-ok': { description: 'accepts commands with octets above 127, and such octets in addresses', violates: 'RFC 5321 §2.4, §4.1.2' },
  // Minor commands
  'noop-no-reply': { description: 'NOOP gets no reply', violates: 'RFC 5321 §4.1.1.9' },
  'noop-extra-reply': { description: 'NOOP gets two replies', violates: 'RFC 5321 §4.2' },
  'rset-keeps-transaction': { description: 'RSET answers 250 but keeps the sender and recipients', violates: 'RFC 5321 §4.1.1.5' },
  'rset-arg-ok': { description: 'accepts RSET, DATA and QUIT with an argument', violates: 'RFC 5321 §4.3.2 (501)' },
  'vrfy-lies': { description: 'VRFY and EXPN of any string answer 250 without a mailbox', violates: 'RFC 5321 §3.5.3' },
  'vrfy-resets-transaction': { description: 'VRFY aborts the open mail transaction', violates: 'RFC 5321 §4.1.1.6' },
  'expn-501': { description: 'EXPN with an argument is answered 501', violates: 'RFC 5321 §4.3.2' },
  'pre-ehlo-503': { description: 'NOOP, RSET, VRFY, EXPN and HELP before EHLO are answered 503', violates: 'RFC 5321 §4.1.4' },
  'help-502': { description: 'HELP is answered 502', violates: 'RFC 5321 §4.1.1.8, §4.5.1' },
  'help-arg-501': { description: 'HELP with an argument is answered 501', violates: 'RFC 5321 §4.1.1.8' },
  'rset-503-idle': { description: 'RSET with no transaction open is answered 503', violates: 'RFC 5321 §4.1.1.5' },
  'vrfy-noarg-252': { description: 'VRFY without an argument is answered 252 instead of 501', violates: 'RFC 5321 §4.1.1.6, §4.3.2' },
  'quit-no-close': { description: 'answers QUIT with 221 but leaves the connection open', violates: 'RFC 5321 §4.1.1.10, §3.8' },
  'error-closes': { description: 'closes the connection after any 5xx reply', violates: 'RFC 5321 §3.8' },
  // MAIL / RCPT
  'mail-before-ehlo': { description: 'accepts MAIL before EHLO/HELO', violates: 'RFC 5321 §4.1.4' },
  'nested-mail-ok': { description: 'accepts MAIL inside an open transaction', violates: 'RFC 5321 §4.1.4' },
  'lax-path-syntax': { description: 'accepts a space after "FROM:"/"TO:" and paths without angle brackets', violates: 'RFC 5321 §3.3, §4.1.2' },
  'mail-syntax-250': { description: 'answers a MAIL command without "FROM:" with 250', violates: 'RFC 5321 §4.1.4 (501)' },
  'unknown-param-ok': { description: 'accepts unknown, unadvertised and repeated MAIL/RCPT parameters', violates: 'RFC 5321 §4.1.1.11' },
  'reject-null-sender': { description: 'refuses the null reverse-path MAIL FROM:<>', violates: 'RFC 5321 §4.5.5, §6.1' },
  'rcpt-before-mail': { description: 'accepts RCPT before MAIL', violates: 'RFC 5321 §3.3, §4.1.4' },
  'reject-postmaster': { description: 'refuses RCPT TO:<Postmaster> and postmaster@ a local domain', violates: 'RFC 5321 §4.5.1' },
  'postmaster-case': { description: 'accepts postmaster only in lower case', violates: 'RFC 5321 §4.5.1' },
  'quoted-local-501': { description: 'refuses quoted-string local-parts ("john smith"@…) with 501', violates: 'RFC 5321 §4.1.2' },
  'literal-refused': { description: 'refuses address literals, in EHLO and in paths, with 501', violates: 'RFC 5321 §4.1.3, §4.1.4' },
  'rcpt-syntax-550': { description: 'answers malformed RCPT arguments with 550 instead of 501', violates: 'RFC 5321 §4.3.2' },
  'relay-unqualified': { description: 'accepts recipients with no domain part (bang paths, quoted addresses) for relaying', violates: 'RFC 5321 §3.6, §7.9' },
  'source-route-501': { description: 'answers a source-routed forward-path with 501', violates: 'RFC 5321 §3.3, §4.1.2' },
  'open-relay': { description: 'accepts recipients in any domain', violates: 'RFC 5321 §3.6, §7.9' },
  'rcpt-limit-552': { description: 'answers the 101st recipient with 552 instead of 452', violates: 'RFC 5321 §4.5.3.1.10' },
  'rcpt-limit-50': { description: 'refuses recipients past 50', violates: 'RFC 5321 §4.5.3.1.8' },
  'short-paths': { description: 'refuses local-parts over 32 octets and paths over 128 octets', violates: 'RFC 5321 §4.5.3.1.1, §4.5.3.1.3' },
  'short-domains': { description: 'refuses domain names over 128 octets', violates: 'RFC 5321 §4.5.3.1.2' },
  // DATA
  'data-before-rcpt': { description: 'answers DATA with 354 when no recipient was accepted', violates: 'RFC 5321 §3.3, §4.1.4' },
  'no-dot-unstuff': { description: 'keeps the transparency dot on lines that start with "."', violates: 'RFC 5321 §4.5.2' },
  'lf-dot-lf-ends-data': { description: 'takes <LF>.<LF> (and <CRLF>.<LF>, <LF>.<CRLF>) as end of data: SMTP smuggling', violates: 'RFC 5321 §4.1.1.4, §2.3.8' },
  'cr-or-lf-ends-data-line': { description: 'in DATA a bare CR or a bare LF ends a line, so <CR>.<CR> and the mixed forms end the data: SMTP smuggling', violates: 'RFC 5321 §2.3.8, §4.1.1.4' },
  'nul-stripped': { description: 'strips NUL octets from the input, so <CRLF><NUL>.<CRLF> ends the data and <NUL>MAIL is a command', violates: 'RFC 5321 §4.5.2, §4.1.2' },
  'bare-lf-accepted': { description: 'accepts message content with bare LF line endings', violates: 'RFC 5321 §2.3.8' },
  'bare-cr-accepted': { description: 'accepts message content with bare CR', violates: 'RFC 5321 §2.3.8' },
  'chunk-bound-scan': { description: 'looks for CRLF "." CRLF and CRLF ".." only within one read, so a split end of data or stuffed dot is missed', violates: 'RFC 5321 §4.1.1.4, §4.5.2' },
  'trailing-space-stripped': { description: 'strips spaces and tabs at the end of content lines', violates: 'RFC 5321 §4.5.2' },
  'header-police': { description: 'refuses messages with a Resent-To but no Resent-From, or an unparseable Date', violates: 'RFC 5321 §3.3' },
  'received-after-existing': { description: 'inserts its Received header below the Received headers already in the message', violates: 'RFC 5321 §4.4' },
  'crlf-added-to-body': { description: 'stores an extra CRLF at the end of the message', violates: 'RFC 5321 §4.1.1.4' },
  'two-replies-after-eod': { description: 'sends two 250 replies after end of data', violates: 'RFC 5321 §4.1.1.4, §4.2' },
  'close-on-1000-octet-line': { description: 'closes the connection on a text line of 1000 octets (CRLF included)', violates: 'RFC 5321 §4.5.3.1.6' },
  'no-received-header': { description: 'stores messages without a Received: trace header', violates: 'RFC 5321 §4.4' },
  'deliver-after-reject': { description: 'stores the message even when end of data is answered 5xx', violates: 'RFC 5321 §4.2.5' },
  'deliver-on-drop': { description: 'stores a message whose connection dropped before end of data', violates: 'RFC 5321 §4.1.1.4, §3.8' },
  'small-message-limit': { description: 'refuses messages over 32 KiB at end of data', violates: 'RFC 5321 §4.5.3.1.7' },
  // SIZE (RFC 1870)
  'ignore-size': { description: 'advertises SIZE but enforces neither the declared nor the actual size', violates: 'RFC 1870 §6' },
  'oversize-wrong-code': { description: 'answers oversize messages with 554 instead of 552', violates: 'RFC 1870 §6' },
  'size-desync': { description: 'answers 552 as soon as the content passes the limit and reads the rest as commands', violates: 'RFC 1870 §6.3, RFC 5321 §4.1.1.4' },
  'size-param-syntax-ok': { description: 'accepts malformed SIZE values (SIZE=abc, SIZE=, 21 digits)', violates: 'RFC 1870 §3, §6' },
  'size-kw-bad-value': { description: 'advertises "SIZE 1M": a limit that is not a number of octets', violates: 'RFC 1870 §4' },
  'size-param-refused': { description: 'advertises SIZE but refuses MAIL with a SIZE parameter (555)', violates: 'RFC 1870 §6, RFC 5321 §4.1.1.11' },
  // 8BITMIME (RFC 6152)
  '8bitmime-unadvertised': { description: 'does not list 8BITMIME in the EHLO reply', violates: 'RFC 5321 §2.4' },
  'body-param-refused': { description: 'lists 8BITMIME but refuses MAIL with a BODY parameter (555)', violates: 'RFC 6152 §3' },
  'body-value-ok': { description: 'accepts any BODY value (BODY=9BIT)', violates: 'RFC 6152 §2, RFC 5321 §4.1.1.11' },
  'strip-8bit': { description: 'clears the high bit of every content octet before storing the message', violates: 'RFC 6152 §3' },
  // CHUNKING (RFC 3030)
  'bdat-chunks-dropped': { description: 'stores only the last BDAT chunk of a message', violates: 'RFC 3030 §2' },
  'bdat-zero-refused': { description: 'refuses "BDAT 0 LAST" (an empty last chunk) with 501', violates: 'RFC 3030 §2' },
  'bdat-then-data-ok': { description: 'accepts DATA (354) after a BDAT chunk in the same transaction', violates: 'RFC 3030 §2' },
  'bdat-refused-unconsumed': { description: 'refuses a BDAT at once and reads its chunk as commands', violates: 'RFC 3030 §2' },
  'bdat-dot-ends': { description: 'ends a message at <CRLF>.<CRLF> inside a BDAT chunk and reads the rest of the chunk as commands', violates: 'RFC 3030 §2' },
  'bdat-rset-keeps': { description: 'keeps the BDAT chunks of a transaction that RSET ended, and delivers them with the next message', violates: 'RFC 3030 §2, RFC 5321 §4.1.1.5' },
  // DSN (RFC 3461)
  'dsn-param-refused': { description: 'lists DSN but refuses MAIL and RCPT with DSN parameters (555)', violates: 'RFC 3461 §4, RFC 5321 §4.1.1.11' },
  'dsn-value-ok': { description: 'accepts DSN parameters whatever their value (RET=BODY, NOTIFY=NEVER,SUCCESS, ORCPT without a type, ENVID that is not xtext)', violates: 'RFC 3461 §4' },
  // SMTPUTF8 (RFC 6531)
  'smtputf8-refused': { description: 'lists SMTPUTF8 but refuses MAIL with the SMTPUTF8 parameter (555)', violates: 'RFC 6531 §3.4' },
  'smtputf8-value-ok': { description: 'accepts a value on the SMTPUTF8 parameter (SMTPUTF8=YES)', violates: 'RFC 6531 §3.4' },
  'utf8-unchecked': { description: 'accepts malformed UTF-8 in the addresses of an SMTPUTF8 transaction', violates: 'RFC 6531 §3.3' },
  // AUTH (RFC 4954)
  'auth-unknown-535': { description: 'answers AUTH with a mechanism it does not offer with 535 instead of 504', violates: 'RFC 4954 §4' },
  'auth-cancel-ignored': { description: 'takes "*" during an AUTH exchange as credentials (535) instead of cancelling with 501', violates: 'RFC 4954 §4' },
  'auth-base64-lax': { description: 'decodes whatever it can of a response that is not base64, instead of refusing it with 501', violates: 'RFC 4954 §4' },
  'auth-in-transaction': { description: 'accepts AUTH inside a mail transaction', violates: 'RFC 4954 §4' },
  'auth-any-password': { description: 'accepts any password', violates: 'RFC 4954 §6' },
  'auth-ok-250': { description: 'answers a successful AUTH with 250 instead of 235', violates: 'RFC 4954 §4, §6' },
  'auth-twice': { description: 'runs a second AUTH after a successful one instead of refusing it with 503', violates: 'RFC 4954 §4' },
  'auth-no-continuation': { description: 'refuses AUTH PLAIN without an initial response (501) instead of sending an empty 334 challenge', violates: 'RFC 4954 §4' },
  'auth-challenge-text': { description: 'sends its 334 challenges as text ("Username:", "Go ahead") instead of base64 only', violates: 'RFC 4954 §4' },
  'auth-base64-forgiving': { description: 'decodes a response as Node\'s Buffer does (characters outside the base64 alphabet skipped, decoding stopped at the first "="), refusing it with 501 only when no PLAIN message comes out', violates: 'RFC 4954 §4' },
  'auth-line-limit': { description: 'holds AUTH responses to the 512-octet command line limit, so the longest PLAIN response (1,024 base64 characters) gets "500 5.5.6"', violates: 'RFC 4954 §4, RFC 4616 §2' },
  'auth-drop-after-failure': { description: 'closes the connection after the first failed authentication', violates: 'RFC 4954 §9' },
  'auth-param-refused': { description: 'refuses MAIL FROM with an AUTH= parameter (555) although it advertises AUTH', violates: 'RFC 4954 §5' },
  // PIPELINING (RFC 2920)
  'drop-pipelined': { description: 'drops the rest of an input chunk after its first command', violates: 'RFC 2920 §3.2' },
  'pipeline-no-flush': { description: 'holds the last reply of a multi-command chunk until more input arrives', violates: 'RFC 2920 §3.2' },
  // STARTTLS (RFC 3207)
  'starttls-injection': { description: 'answers plaintext pipelined after STARTTLS inside the TLS session', violates: 'RFC 3207 §4.2' },
  'starttls-keeps-ehlo': { description: 'after the TLS handshake, MAIL works without a new EHLO', violates: 'RFC 3207 §4.2' },
  'starttls-keeps-transaction': { description: 'keeps the open transaction (sender, recipients) across the TLS handshake', violates: 'RFC 3207 §4.2' },
  'starttls-readvertised': { description: 'lists STARTTLS again in EHLO after TLS is on', violates: 'RFC 3207 §4.2' },
  'starttls-arg-ok': { description: 'accepts STARTTLS with an argument', violates: 'RFC 3207 §4' },
  // Timeouts
  'never-timeout': { description: 'never closes an idle session', violates: 'RFC 5321 §4.5.3.2.7, §3.8' },
  'timeout-without-421': { description: 'closes an idle session without a 421 reply', violates: 'RFC 5321 §3.8' },
  'timeout-too-short': { description: 'closes idle sessions after half the reference time (2 min 45 s, scaled), under the 5 minutes asked for', violates: 'RFC 5321 §4.5.3.2.7' },
} as const satisfies Record<string, FaultInfo>;

export type FaultName = keyof typeof FAULTS;

export const FAULT_NAMES = Object.keys(FAULTS) as FaultName[];

export function isFaultName(name: string): name is FaultName {
  return Object.hasOwn(FAULTS, name);
}

/** The set of faults a server runs with. Empty: the correct reference server. */
export class FaultSet {
  private readonly set: ReadonlySet<FaultName>;
  constructor(faults: Iterable<FaultName> = []) {
    this.set = new Set(faults);
  }
  has(fault: FaultName): boolean {
    return this.set.has(fault);
  }
  get size(): number {
    return this.set.size;
  }
  list(): FaultName[] {
    return [...this.set];
  }
}

/** "a,b" → faults; throws E_CONFIG naming an unknown fault. */
export function parseFaults(spec: string | readonly string[] | undefined): FaultSet {
  const names = (typeof spec === 'string' ? [spec] : (spec ?? [])).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  for (const n of names) {
    if (!isFaultName(n)) throw new SmtpTestError('E_CONFIG', `unknown fault '${n}' (smtptest serve --list-faults lists them)`);
  }
  return new FaultSet(names as FaultName[]);
}
