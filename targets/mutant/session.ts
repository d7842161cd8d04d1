/**
 * One SMTP session of the mutant server: the wire state machine (RFC 5321,
 * with SIZE RFC 1870, PIPELINING RFC 2920, ENHANCEDSTATUSCODES RFC 2034,
 * 8BITMIME RFC 6152, CHUNKING RFC 3030, DSN RFC 3461, SMTPUTF8 RFC 6531,
 * AUTH RFC 4954 and STARTTLS RFC 3207). With no faults it is the reference
 * server: every choice is the strictest the RFCs allow. Each
 * `faults.has(...)` is one deliberate deviation (see faults.ts).
 *
 * Input is processed as it arrives, in whatever chunks: every complete
 * command in the buffer is answered in order, and the replies go out in one
 * write once the buffer holds no complete command (RFC 2920 §3.2).
 */
import type net from 'node:net';
import tls from 'node:tls';
import { randomBytes } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import type { FaultSet } from './faults.ts';
import { formatReply, receivedHeader, type OutReply } from './format.ts';
import { parsePathArgument, splitParam, RFC_PATH_LIMITS, isAtom, isDomain, isAddressLiteral, isXtext, type ArgProblem, type PathLimits, type PathOptions } from './syntax.ts';
import { TEST_ACCOUNT } from '../test-credentials.ts';
import type { DeliveredMessage } from '../types.ts';

export interface SessionConfig {
  hostname: string;
  /** Domains we deliver for (case-insensitive); everything else is relaying, refused. */
  domains: readonly string[];
  /** SIZE limit in octets (RFC 1870). */
  sizeLimit: number;
  /** Recipients per transaction before 452 (at least 100, §4.5.3.1.8). */
  maxRecipients: number;
  /** Idle timeout in ms (§4.5.3.2.7: at least 5 minutes, here scaled). */
  idleTimeoutMs: number;
  faults: FaultSet;
  secureContext: tls.SecureContext;
  deliver(message: DeliveredMessage): void;
}

/** §4.5.3.1.4: a command line is at most 512 octets, CRLF included. */
const COMMAND_LINE_MAX = 512;
/**
 * RFC 4954 §4: a response line of an AUTH exchange may be longer: "12288
 * octets is considered to be a sufficient line length limit".
 */
const AUTH_LINE_MAX = 12288;
/** Partial data lines longer than this are moved out of the input buffer. */
const DATA_PARTIAL_MAX = 64 * 1024;
const CRLF = Buffer.from('\r\n');

interface Transaction {
  /** '' for the null reverse-path. */
  from: string;
  rcpts: string[];
  /** BDAT chunks so far (RFC 3030): set by the first BDAT; DATA is then refused. */
  chunks?: Buffer[];
  chunkOctets?: number;
  /** A chunk was refused: the message failed, and later chunks are refused too. */
  chunkFailed?: boolean;
  /** MAIL had SMTPUTF8 (RFC 6531 §3.4): the transaction's addresses may be UTF-8. */
  utf8?: boolean;
}

/** The chunk of a BDAT being read (RFC 3030 §2). */
interface ChunkState {
  size: number;
  remaining: number;
  last: boolean;
  /** Where the octets go; undefined when they are discarded (a refused BDAT). */
  keep?: Buffer[];
  /** Sent once the chunk is read: RFC 3030 §2 has the data consumed before the refusal. */
  refusal?: [code: number, enhanced: string, text: string];
}

interface DataState {
  chunks: Buffer[];
  size: number;
  /** The next octet starts a line (the dot rule of §4.5.2 applies). */
  lineStart: boolean;
  /** Octets of the current line so far, CRLF included once complete, stuffing dot excluded (§4.5.3.1.6). */
  lineLength: number;
  bareLf: boolean;
  bareCr: boolean;
  oversize: boolean;
  /** No line taken yet (the CRLF before the first line is the DATA command's). */
  atStart: boolean;
}

type Mode = 'command' | 'data' | 'chunk' | 'tls-handshake' | 'closed';

export class Session {
  private socket: net.Socket;
  private input: Buffer = Buffer.alloc(0);
  /** How many octets at the end of `input` came in the latest read (for the chunk-bound-scan fault). */
  private fresh = 0;
  private out: OutReply[] = [];
  /** pipeline-no-flush: replies held back until more input arrives. */
  private held: OutReply[] = [];
  private mode: Mode = 'command';
  private helo?: { name: string; extended: boolean };
  private tx?: Transaction;
  private data?: DataState;
  private chunk?: ChunkState;
  /** bdat-rset-keeps: chunks that RSET should have discarded, carried into the next transaction. */
  private staleChunks?: Buffer[];
  private tls = false;
  /** Discarding an over-long command line until its CRLF (§4.5.3.1.4). */
  private overlong = false;
  private idleTimer?: NodeJS.Timeout;
  private readonly faults: FaultSet;
  private readonly remoteAddress: string;
  /** The verb and the whole line of the command being answered (for reply faults). */
  private verb = '';
  private line = '';
  /** The command being answered may carry UTF-8 (RFC 6531): a MAIL with SMTPUTF8, or a RCPT of its transaction. */
  private utf8Line = false;
  /** An AUTH exchange waiting for the client's next response line (RFC 4954 §4), and what it has so far. */
  private auth?: { mechanism: 'PLAIN' | 'LOGIN'; user?: string };
  /** AUTH succeeded in this session (RFC 4954 §4: no second AUTH). */
  private authenticated = false;

  constructor(
    socket: net.Socket,
    private readonly config: SessionConfig,
    private readonly onClose: (s: Session) => void,
  ) {
    this.socket = socket;
    this.faults = config.faults;
    this.remoteAddress = socket.remoteAddress ?? '127.0.0.1';
    socket.setNoDelay(true);
    this.attach(socket);
    // §3.1: the greeting; 554 would refuse the session.
    // §4.2: Greeting = "220 " (Domain / address-literal) [ SP textstring ] CRLF.
    const code = this.faults.has('greeting-554') ? 554 : 220;
    const text = this.faults.has('greeting-no-domain') ? `(smtptest mutant) ${config.hostname} ESMTP` : `${config.hostname} ESMTP smtptest mutant`;
    let greeting = formatReply({ code, lines: [text] }, this.faults);
    if (this.faults.has('greeting-bare-lf')) greeting = greeting.replace(/\r\n$/, '\n');
    if (this.faults.has('greeting-twice')) greeting += greeting;
    socket.write(greeting, 'latin1');
    this.armIdleTimer();
  }

  /** Server shutdown: §3.8, a 421 before closing. */
  shutdown(): void {
    if (this.mode === 'closed') return;
    this.write([{ code: 421, enhanced: '4.3.2', lines: [`${this.config.hostname} Service shutting down, closing transmission channel`] }]);
    this.close();
  }

  private attach(socket: net.Socket): void {
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => this.close('error'));
    socket.on('end', () => this.close('peer'));
    socket.on('close', () => this.close('error'));
  }

  private onData(chunk: Buffer): void {
    if (this.mode === 'closed' || this.mode === 'tls-handshake') return;
    this.armIdleTimer();
    if (this.faults.has('nul-stripped')) chunk = Buffer.from(chunk.filter((b) => b !== 0));
    this.input = this.input.length ? Buffer.concat([this.input, chunk]) : chunk;
    this.fresh = chunk.length;
    if (this.held.length) {
      this.out.push(...this.held);
      this.held = [];
    }
    this.process();
  }

  private process(): void {
    let commands = 0;
    while (this.mode === 'command' || this.mode === 'data' || this.mode === 'chunk') {
      if (this.mode === 'data') {
        if (!this.consumeData()) break;
        continue;
      }
      if (this.mode === 'chunk') {
        if (!this.consumeChunk()) break;
        continue;
      }
      const line = this.takeLine();
      if (line === undefined) break;
      commands++;
      this.command(line);
      // The drop-pipelined flaw: whatever followed the first command in this read is lost.
      if (this.faults.has('drop-pipelined') && (this.mode as Mode) !== 'tls-handshake' && (this.mode as Mode) !== 'chunk') this.input = Buffer.alloc(0);
    }
    if (this.faults.has('pipeline-no-flush') && commands > 1 && this.out.length > 1) this.held.push(this.out.pop()!);
    this.flush();
  }

  // ---- command lines -------------------------------------------------------

  /** The next complete command line, 'too-long', or undefined when more input is needed. */
  private takeLine(): Buffer | 'too-long' | undefined {
    if (this.faults.has('split-crlf-twice')) {
      if (this.input[0] === 0x0a) {
        this.input = this.input.subarray(1);
        return Buffer.alloc(0);
      }
      if (this.input.indexOf(CRLF) < 0 && this.input[this.input.length - 1] === 0x0d) {
        const line = this.input.subarray(0, this.input.length - 1);
        this.input = Buffer.alloc(0);
        return line;
      }
    }
    // §2.3.8: only CRLF ends a line.
    const lfOnly = this.faults.has('bare-lf-command');
    const limit = this.auth && !this.faults.has('auth-line-limit') ? AUTH_LINE_MAX : this.faults.has('line-limit-too-low') ? 500 : COMMAND_LINE_MAX;
    const end = lfOnly ? this.input.indexOf(0x0a) : this.input.indexOf(CRLF);
    if (end < 0 || end + 2 > limit) {
      if (this.faults.has('long-line-desync') && this.input.length >= limit) {
        this.input = this.input.subarray(limit);
        return 'too-long';
      }
      if (end < 0) {
        if (this.input.length > limit) {
          // Keep the last octet: it may be the CR of the CRLF that ends this line.
          this.overlong = true;
          this.input = this.input.subarray(this.input.length - 1);
        }
        return undefined;
      }
    }
    const lineEnd = lfOnly && end > 0 && this.input[end - 1] === 0x0d ? end - 1 : end;
    const line = this.input.subarray(0, lineEnd);
    this.input = this.input.subarray(end + (lfOnly ? 1 : 2));
    if (this.overlong || end + 2 > limit) {
      this.overlong = false;
      return 'too-long';
    }
    return line;
  }

  private command(raw: Buffer | 'too-long'): void {
    // §4.5.3.1.4, §4.5.3.1.9: "500 Line too long", and the session stays in step.
    if (raw === 'too-long') {
      // RFC 4954 §4: a response longer than the authentication buffer fails the AUTH command with 500 (§6: 5.5.6).
      if (!this.auth) return this.reply(500, '5.5.6', 'Line too long');
      this.auth = undefined;
      return this.reply(500, '5.5.6', 'Authentication Exchange line is too long');
    }
    // RFC 4954 §4: during an AUTH exchange a line is the client's response, not a command.
    if (this.auth) return this.authResponse(raw.toString('latin1'));
    // RFC 6531 §3.4: MAIL with the SMTPUTF8 parameter, and the RCPTs of its transaction, may carry UTF-8 addresses.
    this.utf8Line = this.mayCarryUtf8(raw);
    // §2.4: commands are ASCII otherwise; "500 syntax error - invalid character".
    if (!this.faults.has('non-ascii-ok') && !this.utf8Line && raw.some((b) => b > 0x7f)) return this.reply(500, '5.5.2', 'Syntax error - invalid character');
    // RFC 6531 §3.3: the addresses are UTF-8 (RFC 3629), so a malformed sequence is a syntax error.
    if (this.utf8Line && !this.faults.has('utf8-unchecked') && !isUtf8(raw)) return this.reply(500, '5.5.2', 'Syntax error - malformed UTF-8');
    // §2.3.8: a bare CR or LF is not a line terminator, and it has no place inside a command.
    if (raw.includes(0x0d) || raw.includes(0x0a)) return this.reply(500, '5.5.2', 'Syntax error - bare CR or LF in command line');
    const text = raw.toString('latin1');
    this.line = text;
    const sp = text.indexOf(' ');
    const verbText = sp < 0 ? text : text.slice(0, sp);
    const argText = sp < 0 ? undefined : text.slice(sp + 1);
    // §2.4: verbs are case-insensitive.
    const verb = this.faults.has('lowercase-unknown') && verbText !== verbText.toUpperCase() ? '' : verbText.toUpperCase();
    this.verb = verb;
    const arg = argText === undefined || argText.trim() === '' ? undefined : argText;
    switch (verb) {
      case 'EHLO':
        return this.ehlo(argText, true);
      case 'HELO':
        return this.ehlo(argText, false);
      case 'MAIL':
        return this.mail(argText);
      case 'RCPT':
        return this.rcpt(argText);
      case 'DATA':
        return this.dataCommand(arg);
      case 'RSET':
        return this.rset(arg);
      case 'NOOP':
        return this.noop();
      case 'VRFY':
        return this.vrfy(arg);
      case 'EXPN':
        // §3.5.2: EXPN is optional; unsupported, so not listed in EHLO and answered 502.
        return this.expn(arg);
      case 'ETRN':
        return this.reply(502, '5.5.1', 'ETRN not implemented');
      case 'HELP':
        return this.help(arg);
      case 'QUIT':
        return this.quit(arg);
      case 'STARTTLS':
        return this.starttls(arg);
      case 'BDAT':
        return this.bdat(arg);
      case 'AUTH':
        return this.authCommand(arg);
      case 'TURN':
      case 'ATRN':
      case 'SEND':
      case 'SOML':
      case 'SAML':
        // §4.2.4: recognised, not implemented, and not advertised.
        return this.reply(502, '5.5.1', `${verb} not implemented`);
      default:
        return this.unknown();
    }
  }

  /** §4.2.4, §4.1.5 (X-commands too): 500, and the session goes on (§3.8). */
  private unknown(): void {
    if (this.faults.has('unknown-250')) return this.reply(250, '2.0.0', 'Ok');
    if (this.faults.has('unknown-502')) return this.reply(502, '5.5.1', 'Command not implemented');
    // §4.5.3.1.5: reply lines stay within 512 octets; echo-long-reply quotes the whole command.
    this.reply(500, '5.5.1', this.faults.has('echo-long-reply') ? `Syntax error, command unrecognized: ${this.line}` : 'Syntax error, command unrecognized');
    if (this.faults.has('unknown-closes')) this.closeAfterFlush();
  }

  /** §4.1.1.1, §4.1.4. HELO = "HELO" SP Domain; EHLO = "EHLO" SP ( Domain / address-literal ). */
  private ehlo(arg: string | undefined, extended: boolean): void {
    // §4.1.1.1: "servers MUST support the HELO command".
    if (!extended && this.faults.has('helo-502')) return this.reply(502, '5.5.1', 'HELO not implemented');
    const name = (arg ?? '').split(' ')[0]!;
    const maxDomain = this.faults.has('short-domains') ? 128 : RFC_PATH_LIMITS.domain;
    const valid = (isDomain(name) || (isAddressLiteral(name) && !this.faults.has('literal-refused'))) && name.length <= maxDomain;
    if (!valid && !(this.faults.has('ehlo-noarg-ok') && name === '')) {
      // §4.1.4: a refused EHLO leaves the state as it was.
      if (this.faults.has('bad-ehlo-resets')) this.tx = undefined;
      return this.reply(501, '5.5.4', `Syntax: ${extended ? 'EHLO' : 'HELO'} hostname`);
    }
    // §4.1.4: an accepted EHLO resets the state as RSET does.
    if (!this.faults.has('ehlo-no-reset')) this.tx = undefined;
    this.helo = { name, extended };
    const first = `${this.config.hostname} Hello ${name || 'unknown'} [${this.remoteAddress}]`;
    if (!extended && !this.faults.has('helo-extended')) return this.reply(250, undefined, this.config.hostname);
    // §3.2: HELO gets this only with the helo-extended fault.
    // RFC 1870 §4: "SIZE" [SP 1*20DIGIT].
    const size = this.faults.has('size-kw-bad-value') ? `SIZE ${Math.round(this.config.sizeLimit / 1048576)}M` : `SIZE ${this.config.sizeLimit}`;
    const lines = [this.faults.has('reply-line-too-long') ? first + ' ' + 'x'.repeat(600) : first, 'PIPELINING', size, '8BITMIME', 'CHUNKING', 'DSN', 'SMTPUTF8', 'AUTH PLAIN LOGIN', 'ENHANCEDSTATUSCODES'];
    // RFC 5321 §2.4: "8BITMIME SHOULD be supported"; this fault hides it (BODY is still understood).
    if (this.faults.has('8bitmime-unadvertised')) lines.splice(lines.indexOf('8BITMIME'), 1);
    // RFC 3207 §4.2: not offered again once TLS is on.
    if (!this.tls || this.faults.has('starttls-readvertised')) lines.push('STARTTLS');
    // §4.1.1.1: every command beyond the §4.5.1 minimum that we answer is listed.
    lines.push('HELP');
    // §4.2.4: never list a command answered 502; this fault does.
    if (this.faults.has('dead-keywords')) lines.push('EXPN', 'VRFY', 'ETRN');
    this.reply(250, undefined, lines);
  }

  /** §3.3, §4.1.1.2: MAIL FROM:<reverse-path> [SP Mail-parameters]. */
  private mail(arg: string | undefined): void {
    if (!this.helo && !this.faults.has('mail-before-ehlo')) return this.reply(503, '5.5.1', 'Error: send HELO/EHLO first');
    if (this.tx && !this.faults.has('nested-mail-ok')) return this.reply(503, '5.5.1', 'Error: nested MAIL command');
    const parsed = parsePathArgument(arg ?? '', { prefix: 'FROM:', reverse: true, limits: this.pathLimits(), ...this.pathOptions() });
    if (typeof parsed === 'string') {
      if (this.faults.has('mail-syntax-250') && (parsed === 'prefix' || parsed === 'syntax')) {
        this.tx = { from: arg ?? '', rcpts: [] };
        return this.reply(250, '2.1.0', 'Ok');
      }
      return this.argProblem(parsed, 'MAIL FROM:<address>', '5.1.7');
    }
    if (parsed.path.kind === 'null' && this.faults.has('reject-null-sender')) return this.reply(553, '5.1.7', 'Null sender not accepted');
    // §4.1.1.11: parameters only for extensions the EHLO reply advertised.
    let declared: number | undefined;
    let utf8 = false;
    const seen = new Set<string>();
    const lenient = this.faults.has('unknown-param-ok');
    for (const p of parsed.params) {
      const { keyword, value } = splitParam(p);
      if (!this.helo?.extended && !lenient) return this.reply(555, '5.5.4', `${keyword} parameter not supported after HELO`);
      if (seen.has(keyword) && !lenient) return this.reply(501, '5.5.4', `Duplicate ${keyword} parameter`);
      seen.add(keyword);
      switch (keyword) {
        case 'SIZE':
          if (this.faults.has('size-param-refused')) return this.reply(555, '5.5.4', 'Unsupported parameter SIZE');
          // RFC 1870 §3: size-value = 1*20DIGIT.
          if (value === undefined || !/^\d{1,20}$/.test(value)) {
            if (this.faults.has('size-param-syntax-ok')) break;
            return this.reply(501, '5.5.4', 'Bad SIZE parameter syntax');
          }
          declared = Number(value);
          break;
        case 'BODY':
          if (this.faults.has('body-param-refused')) return this.reply(555, '5.5.4', 'Unsupported parameter BODY');
          // RFC 6152 §2: BODY=7BIT / BODY=8BITMIME.
          if (!/^(7BIT|8BITMIME)$/i.test(value ?? '') && !this.faults.has('body-value-ok')) return this.reply(501, '5.5.4', 'Bad BODY parameter');
          break;
        case 'SMTPUTF8':
          if (this.faults.has('smtputf8-refused')) return this.reply(555, '5.5.4', 'Unsupported parameter SMTPUTF8');
          // RFC 6531 §3.4: the parameter takes no value.
          if (value !== undefined && !this.faults.has('smtputf8-value-ok')) return this.reply(501, '5.5.4', 'SMTPUTF8 takes no value');
          utf8 = true;
          break;
        case 'AUTH':
          // RFC 4954 §5: AUTH=<> or an xtext-encoded mailbox, supported "even when the client has not authenticated".
          if (this.faults.has('auth-param-refused')) return this.reply(555, '5.5.4', 'Unsupported parameter AUTH');
          if (value === undefined || (value !== '<>' && !isXtext(value))) return this.reply(501, '5.5.4', 'Bad AUTH parameter');
          break;
        case 'RET':
        case 'ENVID': {
          const problem = this.dsnProblem(keyword, value);
          if (problem) return this.reply(...problem);
          break;
        }
        default:
          if (!lenient) return this.reply(555, '5.5.4', `Unsupported parameter ${keyword}`);
      }
    }
    // RFC 1870 §6.1: a declared size over the fixed maximum is refused with 552.
    if (declared !== undefined && declared > this.config.sizeLimit && !this.faults.has('ignore-size')) {
      return this.sizeRefusal('Message size exceeds fixed maximum message size');
    }
    this.tx = { from: parsed.path.kind === 'mailbox' ? `${parsed.path.mailbox.local}@${parsed.path.mailbox.domain}` : '', rcpts: [], utf8 };
    if (this.staleChunks) {
      this.tx.chunks = this.staleChunks;
      this.tx.chunkOctets = this.staleChunks.reduce((n, c) => n + c.length, 0);
      this.staleChunks = undefined;
    }
    this.reply(250, '2.1.0', 'Ok');
  }

  /** §3.3, §4.1.1.3: RCPT TO:<forward-path> [SP Rcpt-parameters]. */
  private rcpt(arg: string | undefined): void {
    if (!this.tx && !this.faults.has('rcpt-before-mail')) return this.reply(503, '5.5.1', 'Error: need MAIL command');
    const parsed = parsePathArgument(arg ?? '', { prefix: 'TO:', reverse: false, limits: this.pathLimits(), ...this.pathOptions() });
    if (typeof parsed === 'string') {
      // An address with no "@" outside quotes: a bang path or a quoted foreign address.
      if (this.faults.has('relay-unqualified') && /^TO:<(?:"[^"]*"|[^<>@"])+>$/i.test(arg ?? '')) {
        (this.tx ??= { from: '', rcpts: [] }).rcpts.push((arg ?? '').slice(4, -1));
        return this.reply(250, '2.1.5', 'Ok, will relay');
      }
      if (this.faults.has('rcpt-syntax-550')) return this.reply(550, '5.1.3', 'Bad recipient address');
      return this.argProblem(parsed, 'RCPT TO:<address>', '5.1.3');
    }
    // §4.1.1.11: the RCPT parameters we support are DSN's (RFC 3461 §4.1, §4.2).
    const seen = new Set<string>();
    for (const p of parsed.params) {
      const { keyword, value } = splitParam(p);
      if (this.faults.has('unknown-param-ok')) break;
      if (keyword !== 'NOTIFY' && keyword !== 'ORCPT') return this.reply(555, '5.5.4', `Unsupported parameter ${keyword}`);
      if (seen.has(keyword)) return this.reply(501, '5.5.4', `Duplicate ${keyword} parameter`);
      seen.add(keyword);
      const problem = this.dsnProblem(keyword, value);
      if (problem) return this.reply(...problem);
    }
    let recipient: string;
    if (parsed.path.kind === 'postmaster') {
      // §4.5.1: "RCPT TO:<Postmaster>" with no domain, any case.
      if (this.refusesPostmaster(parsed.path.text)) return this.reply(550, '5.1.1', 'Mailbox unavailable');
      recipient = parsed.path.text;
    } else if (parsed.path.kind === 'mailbox') {
      const { local, domain } = parsed.path.mailbox;
      // §3.3: source routes must be accepted and should be ignored.
      if (parsed.path.routed && this.faults.has('source-route-501')) return this.reply(501, '5.1.3', 'Source routes not supported');
      // §3.6, §7.9: no relaying for other domains.
      if (!this.isLocal(domain) && !this.faults.has('open-relay')) return this.reply(550, '5.7.1', 'Relaying denied');
      if (/^postmaster$/i.test(local) && this.refusesPostmaster(local)) return this.reply(550, '5.1.1', 'Mailbox unavailable');
      // §2.4: local-parts are case-sensitive; keep them as sent.
      recipient = `${local}@${domain}`;
    } else {
      return this.argProblem('syntax', 'RCPT TO:<address>', '5.1.3');
    }
    const tx = (this.tx ??= { from: '', rcpts: [] });
    const max = this.faults.has('rcpt-limit-50') ? 50 : this.config.maxRecipients;
    if (tx.rcpts.length >= max) {
      // §4.5.3.1.10: an implementation limit is 452, not 552.
      return this.faults.has('rcpt-limit-552') ? this.reply(552, '5.5.3', 'Too many recipients') : this.reply(452, '4.5.3', 'Too many recipients');
    }
    tx.rcpts.push(recipient);
    this.reply(250, '2.1.5', 'Ok');
  }

  private refusesPostmaster(local: string): boolean {
    return this.faults.has('reject-postmaster') || (this.faults.has('postmaster-case') && local !== 'postmaster');
  }

  private isLocal(domain: string): boolean {
    return this.config.domains.includes(domain.toLowerCase());
  }

  /** A MAIL line with an SMTPUTF8 parameter, or a RCPT line in a transaction opened by one (RFC 6531 §3.4). */
  private mayCarryUtf8(raw: Buffer): boolean {
    if (raw.length < 5 || !this.helo?.extended) return false;
    const verb = raw.toString('latin1', 0, 5).toUpperCase();
    if (verb === 'RCPT ') return this.tx?.utf8 === true;
    return verb === 'MAIL ' && /\sSMTPUTF8(?:=\S*)?(?:\s|$)/i.test(raw.toString('latin1'));
  }

  private pathOptions(): Pick<PathOptions, 'lax' | 'eightBit' | 'emptyValues' | 'noQuoted' | 'noLiterals'> {
    return {
      lax: this.faults.has('lax-path-syntax'),
      // RFC 6531 §3.3: UTF-8 in local-parts and domains (as octets here: checked for UTF-8 above).
      eightBit: this.faults.has('non-ascii-ok') || this.utf8Line,
      emptyValues: this.faults.has('size-param-syntax-ok'),
      noQuoted: this.faults.has('quoted-local-501'),
      noLiterals: this.faults.has('literal-refused'),
    };
  }

  private pathLimits(): PathLimits {
    return this.faults.has('short-paths') ? { ...RFC_PATH_LIMITS, local: 32, path: 128 } : RFC_PATH_LIMITS;
  }

  /** §4.1.4: a refused argument is 501 and the state stays as it was. */
  private argProblem(p: ArgProblem, usage: string, addressEnhanced: string): void {
    switch (p) {
      case 'prefix':
      case 'space-after-colon':
      case 'no-brackets':
        return this.reply(501, '5.5.2', `Syntax: ${usage}`);
      case 'params':
        return this.reply(501, '5.5.4', 'Bad parameter syntax');
      case 'syntax':
        return this.reply(501, addressEnhanced, 'Bad address syntax');
      case 'local-too-long':
      case 'domain-too-long':
      case 'path-too-long':
        // §4.5.3.1.9: "501 Path too long".
        return this.reply(501, addressEnhanced, 'Path too long');
    }
  }

  /** §4.1.1.4, §3.3: DATA only with at least one accepted recipient. */
  private dataCommand(arg: string | undefined): void {
    // §4.3.2: DATA takes no argument: 501.
    if (arg !== undefined && !this.faults.has('rset-arg-ok')) return this.reply(501, '5.5.4', 'Syntax: DATA');
    if (!this.faults.has('data-before-rcpt')) {
      if (!this.tx) return this.reply(503, '5.5.1', 'Error: need MAIL command');
      if (this.tx.rcpts.length === 0) return this.reply(503, '5.5.1', 'Error: need RCPT command');
    }
    // RFC 3030 §2: "DATA and BDAT commands cannot be used in the same transaction ... a 503".
    if (this.tx?.chunks && !this.faults.has('bdat-then-data-ok')) return this.reply(503, '5.5.1', 'Error: DATA after BDAT in one transaction');
    this.tx ??= { from: '', rcpts: [] };
    this.mode = 'data';
    this.data = { chunks: [], size: 0, lineStart: true, lineLength: 0, bareLf: false, bareCr: false, oversize: false, atStart: true };
    this.reply(354, undefined, 'End data with <CR><LF>.<CR><LF>');
  }

  /**
   * RFC 3461 §4: the DSN parameters' grammar. RET = "FULL" / "HDRS"; ENVID =
   * xtext of at most 100 octets; NOTIFY = "NEVER" / 1#("SUCCESS" / "FAILURE"
   * / "DELAY"), any case; ORCPT = addr-type ";" xtext. The refusal, or
   * undefined when the value is good.
   */
  private dsnProblem(keyword: string, value: string | undefined): [number, string, string] | undefined {
    if (this.faults.has('dsn-param-refused')) return [555, '5.5.4', `Unsupported parameter ${keyword}`];
    if (this.faults.has('dsn-value-ok')) return undefined;
    const v = value ?? '';
    let ok: boolean;
    switch (keyword) {
      case 'RET':
        ok = /^(FULL|HDRS)$/i.test(v);
        break;
      case 'ENVID':
        ok = v.length > 0 && v.length <= 100 && isXtext(v);
        break;
      case 'NOTIFY':
        ok = /^never$/i.test(v) || (v !== '' && v.split(',').every((e) => /^(success|failure|delay)$/i.test(e)));
        break;
      default: {
        // ORCPT: addr-type is an atom (RFC 5321 §4.1.2), then ";" and the address as xtext.
        const semi = v.indexOf(';');
        ok = semi > 0 && isAtom(v.slice(0, semi)) && v.length > semi + 1 && isXtext(v.slice(semi + 1));
      }
    }
    return ok ? undefined : [501, '5.5.4', `Bad ${keyword} parameter syntax`];
  }

  /** §4.1.1.5. */
  private rset(arg: string | undefined): void {
    if (this.preEhloRefused()) return;
    if (arg !== undefined && !this.faults.has('rset-arg-ok')) return this.reply(501, '5.5.4', 'Syntax: RSET', true);
    if (!this.tx && this.faults.has('rset-503-idle')) return this.reply(503, '5.5.1', 'Error: no transaction to reset', true);
    // RFC 3030 §2: RSET after a BDAT clears the chunks sent in the transaction; bdat-rset-keeps carries them over.
    if (this.faults.has('bdat-rset-keeps') && this.tx?.chunks?.length) this.staleChunks = this.tx.chunks;
    if (!this.faults.has('rset-keeps-transaction')) this.tx = undefined;
    this.reply(250, '2.0.0', 'Ok', true);
  }

  /**
   * RFC 3030 §2: bdat-cmd = "BDAT" SP chunk-size [ SP end-marker ] CRLF, then
   * exactly chunk-size octets of message data, taken as they are (no end of
   * data to look for, no dot-stuffing). A refused BDAT still has its chunk
   * read and discarded before the refusal goes out.
   */
  private bdat(arg: string | undefined): void {
    const m = /^(\d{1,20})( LAST)?$/i.exec(arg ?? '');
    // Without a size the chunk cannot be skipped: the session reads on as commands.
    if (!m) return this.reply(501, '5.5.4', 'Syntax: BDAT chunk-size [LAST]');
    const size = Number(m[1]);
    const last = m[2] !== undefined;
    if (size === 0 && last && this.faults.has('bdat-zero-refused')) return this.reply(501, '5.5.4', 'Syntax: BDAT chunk-size [LAST]');
    let refusal: ChunkState['refusal'];
    if (!this.helo) refusal = [503, '5.5.1', 'Error: send HELO/EHLO first'];
    else if (!this.tx) refusal = [503, '5.5.1', 'Error: need MAIL command'];
    else if (this.tx.rcpts.length === 0) refusal = [503, '5.5.1', 'Error: need RCPT command'];
    else if (this.tx.chunkFailed) refusal = [503, '5.5.1', 'Error: the message already failed; send RSET'];
    else if ((this.tx.chunkOctets ?? 0) + size > this.config.sizeLimit && !this.faults.has('ignore-size')) {
      // RFC 1870 §6 with RFC 3030: too much data is 552, and the message has failed.
      refusal = [552, '5.3.4', 'Message size exceeds fixed maximum message size'];
      this.tx.chunkFailed = true;
      this.tx.chunks = [];
    }
    // The flaw: the refusal at once, and the chunk read as commands.
    if (refusal && this.faults.has('bdat-refused-unconsumed')) return this.reply(...refusal);
    let keep: Buffer[] | undefined;
    if (!refusal) {
      this.tx!.chunks ??= [];
      keep = this.tx!.chunks;
    }
    this.chunk = { size, remaining: size, last, keep, refusal };
    this.mode = 'chunk';
  }

  /** Reads chunk octets from the input; true once the chunk is complete (and answered). */
  private consumeChunk(): boolean {
    const c = this.chunk!;
    const n = Math.min(c.remaining, this.input.length);
    const part = this.input.subarray(0, n);
    this.input = this.input.subarray(n);
    c.remaining -= n;
    if (c.keep) {
      if (this.faults.has('bdat-dot-ends')) {
        // The flaw: the chunk scanned for DATA's end of data; what follows it is read as commands.
        const before = c.keep.reduce((k, b) => k + b.length, 0);
        const all = Buffer.concat([...c.keep, part]);
        const at = all.indexOf('\r\n.\r\n', Math.max(0, before - 4));
        if (at >= 0) {
          c.keep.length = 0;
          c.keep.push(all.subarray(0, at + 2));
          this.input = Buffer.concat([all.subarray(at + 5), this.input]);
          c.remaining = 0;
          c.last = true;
        } else if (n > 0) c.keep.push(Buffer.from(part));
      } else if (n > 0) c.keep.push(Buffer.from(part));
    }
    if (c.remaining > 0) return false;
    this.chunk = undefined;
    this.mode = 'command';
    this.verb = 'BDAT';
    if (c.refusal) {
      this.reply(...c.refusal);
      return true;
    }
    const tx = this.tx!;
    tx.chunkOctets = (tx.chunkOctets ?? 0) + c.size;
    if (!c.last) {
      this.reply(250, '2.0.0', `${c.size} octets received`);
      return true;
    }
    this.tx = undefined;
    const chunks = this.faults.has('bdat-chunks-dropped') ? tx.chunks!.slice(-1) : tx.chunks!;
    this.store(tx, Buffer.concat(chunks));
    this.reply(250, '2.0.0', `Ok: ${tx.chunkOctets} octets, queued as ${this.lastId}`);
    return true;
  }

  /** §4.1.1.9: 250, whatever the argument. */
  private noop(): void {
    if (this.preEhloRefused()) return;
    if (this.faults.has('noop-no-reply')) return;
    this.reply(250, '2.0.0', 'Ok', true);
    if (this.faults.has('noop-extra-reply')) this.reply(250, '2.0.0', 'Ok', true);
  }

  /** §3.5.3: we do not verify addresses, so 252 (never 250 without a mailbox). */
  private vrfy(arg: string | undefined): void {
    if (this.preEhloRefused()) return;
    if (arg === undefined && !this.faults.has('vrfy-noarg-252')) return this.reply(501, '5.5.4', 'Syntax: VRFY address', true);
    if (this.faults.has('dead-keywords')) return this.reply(502, '5.5.1', 'VRFY not implemented', true);
    if (this.faults.has('vrfy-resets-transaction')) this.tx = undefined;
    if (this.faults.has('vrfy-lies')) return this.reply(250, '2.1.5', 'User exists', true);
    this.reply(252, '2.5.0', 'Cannot VRFY user, but will accept message and attempt delivery', true);
  }

  /** §3.5.2: EXPN is optional; unsupported, so not listed in EHLO and answered 502. */
  private expn(arg: string | undefined): void {
    if (this.preEhloRefused()) return;
    if (arg !== undefined && this.faults.has('expn-501')) return this.reply(501, '5.5.4', 'Syntax: EXPN list');
    if (this.faults.has('vrfy-lies')) return this.reply(250, '2.1.5', 'List exists');
    this.reply(502, '5.5.1', 'EXPN not implemented');
  }

  /** §4.1.1.8. */
  private help(arg: string | undefined): void {
    if (this.preEhloRefused()) return;
    if (this.faults.has('help-502')) return this.reply(502, '5.5.1', 'HELP not implemented');
    // §4.1.1.8: HELP "MAY take an argument"; we answer the general text either way.
    if (arg !== undefined && this.faults.has('help-arg-501')) return this.reply(501, '5.5.4', 'Syntax: HELP', true);
    this.reply(214, '2.0.0', ['Commands: EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS', 'See RFC 5321', 'End of HELP info'], true);
  }

  /** §4.1.4 (SHOULD): commands outside transactions work before EHLO; refused only with pre-ehlo-503. */
  private preEhloRefused(): boolean {
    if (this.helo || !this.faults.has('pre-ehlo-503')) return false;
    this.reply(503, '5.5.1', 'Error: send HELO/EHLO first');
    return true;
  }

  /** §4.1.1.10: 221, then close. */
  private quit(arg: string | undefined): void {
    if (arg !== undefined && !this.faults.has('rset-arg-ok')) return this.reply(501, '5.5.4', 'Syntax: QUIT');
    this.tx = undefined;
    this.reply(221, '2.0.0', 'Bye');
    if (!this.faults.has('quit-no-close')) this.closeAfterFlush();
  }

  /**
   * RFC 4954 §4: AUTH mechanism [SP initial-response]. PLAIN (RFC 4616) and
   * LOGIN; one account, TEST_ACCOUNT (a test server: on plaintext too). Refusals: 503 before EHLO, after a successful
   * AUTH, or inside a mail transaction; 504 for a mechanism we lack; 501 for
   * a response that is "*" (cancel) or not base64; 535 5.7.8 for bad
   * credentials (§6).
   */
  private authCommand(arg: string | undefined): void {
    if (!this.helo?.extended) return this.reply(503, '5.5.1', 'Error: send EHLO first');
    if (this.authenticated && !this.faults.has('auth-twice')) return this.reply(503, '5.5.1', 'Error: already authenticated');
    if (this.tx && !this.faults.has('auth-in-transaction')) return this.reply(503, '5.5.1', 'Error: AUTH not permitted during a mail transaction');
    const [mech, initial, extra] = (arg ?? '').split(' ');
    const m = (mech ?? '').toUpperCase();
    if (m === '' || extra !== undefined) return this.reply(501, '5.5.4', 'Syntax: AUTH mechanism [initial-response]');
    if (m !== 'PLAIN' && m !== 'LOGIN') {
      if (this.faults.has('auth-unknown-535')) return this.reply(535, '5.7.8', 'Authentication credentials invalid');
      return this.reply(504, '5.5.4', 'Unrecognized authentication mechanism');
    }
    this.auth = { mechanism: m };
    // §4: "=" is an empty initial response.
    if (initial !== undefined) return this.authResponse(initial === '=' ? '' : initial);
    if (m === 'PLAIN' && this.faults.has('auth-no-continuation')) {
      this.auth = undefined;
      return this.reply(501, '5.5.4', 'AUTH PLAIN needs an initial response');
    }
    // §4: continue-req = "334" SP [base64] CRLF; PLAIN has an empty challenge, LOGIN asks "Username:".
    this.challenge(m === 'PLAIN' ? '' : 'Username:');
  }

  /** §4: a 334 with the challenge in base64 and nothing else ("334 " when it is empty). */
  private challenge(text: string): void {
    if (this.faults.has('auth-challenge-text')) return this.reply(334, undefined, text || 'Go ahead');
    this.reply(334, undefined, Buffer.from(text).toString('base64'));
  }

  private authResponse(line: string): void {
    const a = this.auth!;
    // §4: "*" cancels the exchange: 501 (auth-cancel-ignored takes it for a failed login).
    if (line === '*') {
      this.auth = undefined;
      if (this.faults.has('auth-cancel-ignored')) return this.reply(535, '5.7.8', 'Authentication credentials invalid');
      return this.reply(501, '5.7.0', 'Authentication cancelled');
    }
    // §4: a response that does not decode as base64 is refused with 501: "servers and clients MUST reject (and
    // not ignore) any character not explicitly allowed by the BASE64 alphabet", and a pad anywhere but at the end.
    const forgiving = this.faults.has('auth-base64-forgiving');
    if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(line) && !this.faults.has('auth-base64-lax') && !forgiving) {
      this.auth = undefined;
      return this.reply(501, '5.5.2', 'Cannot decode response');
    }
    const decoded = Buffer.from(line, 'base64').toString('utf8');
    if (forgiving && a.mechanism === 'PLAIN' && decoded.split('\0').length !== 3) {
      this.auth = undefined;
      return this.reply(501, '5.5.2', 'Invalid PLAIN message');
    }
    let user: string;
    let password: string;
    if (a.mechanism === 'LOGIN') {
      if (a.user === undefined) {
        a.user = decoded;
        return this.challenge('Password:');
      }
      user = a.user;
      password = decoded;
    } else {
      // RFC 4616 §2: [authzid] NUL authcid NUL passwd.
      const parts = decoded.split('\0');
      user = parts[1] ?? '';
      password = parts[2] ?? '';
    }
    this.auth = undefined;
    if ((user === TEST_ACCOUNT.user && password === TEST_ACCOUNT.password) || this.faults.has('auth-any-password')) {
      this.authenticated = true;
      if (this.faults.has('auth-ok-250')) return this.reply(250, '2.7.0', 'Authentication successful');
      return this.reply(235, '2.7.0', 'Authentication successful');
    }
    this.reply(535, '5.7.8', 'Authentication credentials invalid');
    // §9 lets a server drop the connection after failed attempts, "at least 3"; this fault drops it after one.
    if (this.faults.has('auth-drop-after-failure')) this.closeAfterFlush();
  }

  /** RFC 3207 §4, §4.2. */
  private starttls(arg: string | undefined): void {
    if (arg !== undefined && !this.faults.has('starttls-arg-ok')) return this.reply(501, '5.5.4', 'Syntax: STARTTLS');
    if (this.tls) return this.reply(503, '5.5.1', 'TLS already active');
    this.reply(220, '2.0.0', 'Ready to start TLS');
    this.flush();
    // RFC 3207 §4.2 (and CVE-2011-0411): plaintext pipelined after STARTTLS is discarded.
    const leftover = this.faults.has('starttls-injection') ? this.input : Buffer.alloc(0);
    this.input = Buffer.alloc(0);
    this.mode = 'tls-handshake';
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('end');
    plain.removeAllListeners('close');
    plain.removeAllListeners('error');
    const secure = new tls.TLSSocket(plain, { isServer: true, secureContext: this.config.secureContext });
    this.socket = secure;
    this.attach(secure);
    secure.once('secure', () => {
      if (this.mode !== 'tls-handshake') return;
      this.tls = true;
      this.mode = 'command';
      // §4.2: forget everything learnt before TLS: EHLO and any transaction.
      if (!this.faults.has('starttls-keeps-ehlo')) this.helo = undefined;
      if (!this.faults.has('starttls-keeps-transaction')) this.tx = undefined;
      // RFC 4954 §4 with RFC 3207 §4.2: an AUTH from before TLS is forgotten too.
      this.authenticated = false;
      this.armIdleTimer();
      if (leftover.length) {
        this.input = leftover;
        this.fresh = leftover.length;
        this.process();
      }
    });
  }

  // ---- message content -----------------------------------------------------

  /** Consumes what it can of the content; false when more input is needed. */
  private consumeData(): boolean {
    const d = this.data!;
    // §2.3.8, §4.1.1.4: only CRLF ends a line, and only CRLF.CRLF ends the data.
    const lf = this.faults.has('lf-dot-lf-ends-data');
    const anyEol = this.faults.has('cr-or-lf-ends-data-line');
    const [end, eolLength] = anyEol ? this.anyEol() : [lf ? this.input.indexOf(0x0a) : this.input.indexOf(CRLF), lf ? 1 : 2];
    if (end < 0) {
      if (this.input.length <= DATA_PARTIAL_MAX) return false;
      // A long line without its CRLF yet: keep the last octet (maybe a CR), take the rest.
      const part = this.input.subarray(0, this.input.length - 1);
      this.input = this.input.subarray(this.input.length - 1);
      this.contentLine(part, false);
      return this.mode === 'data';
    }
    // The chunk-bound-scan flaw: a line whose preceding CRLF came in an earlier read is not "at line start".
    const blind = this.faults.has('chunk-bound-scan') && !d.atStart && this.fresh < this.input.length + 2;
    let line = this.input.subarray(0, end);
    this.input = this.input.subarray(end + eolLength);
    if (lf && line.length && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    if (d.lineStart && line.length === 1 && line[0] === 0x2e && !blind) {
      this.endOfData();
      return true;
    }
    this.contentLine(line, true, blind);
    return true;
  }

  /** The cr-or-lf-ends-data-line flaw: CRLF, CR or LF ends a line. [index, length], or [-1, 0] when more input is needed. */
  private anyEol(): [number, number] {
    for (let i = 0; i < this.input.length; i++) {
      const b = this.input[i];
      if (b === 0x0a) return [i, 1];
      if (b === 0x0d) {
        if (i + 1 === this.input.length) return [-1, 0];
        return [i, this.input[i + 1] === 0x0a ? 2 : 1];
      }
    }
    return [-1, 0];
  }

  private contentLine(part: Buffer, complete: boolean, blind = false): void {
    const d = this.data!;
    d.atStart = false;
    let text = part;
    // §4.5.2: a leading dot on a line is removed.
    if (d.lineStart && text.length && text[0] === 0x2e && !blind && !this.faults.has('no-dot-unstuff')) text = text.subarray(1);
    if (complete && this.faults.has('trailing-space-stripped')) {
      let n = text.length;
      while (n > 0 && (text[n - 1] === 0x20 || text[n - 1] === 0x09)) n--;
      text = text.subarray(0, n);
    }
    if (text.includes(0x0a)) d.bareLf = true;
    if (text.includes(0x0d)) d.bareCr = true;
    d.lineLength += text.length + (complete ? 2 : 0);
    d.lineStart = complete;
    if (this.faults.has('close-on-1000-octet-line') && d.lineLength >= 1000) return this.close();
    if (complete) d.lineLength = 0;
    const add = complete ? text.length + 2 : text.length;
    d.size += add;
    const limit = this.faults.has('small-message-limit') ? Math.min(32 * 1024, this.config.sizeLimit) : this.config.sizeLimit;
    if (d.size > limit && !this.faults.has('ignore-size')) {
      if (!d.oversize && this.faults.has('size-desync')) {
        // The flaw: answer at once and read the rest of the content as commands.
        this.data = undefined;
        this.tx = undefined;
        this.mode = 'command';
        return this.sizeRefusal('Message size exceeds fixed maximum message size');
      }
      d.oversize = true;
      d.chunks = [];
      return;
    }
    if (d.oversize) return;
    d.chunks.push(Buffer.from(text));
    if (complete) d.chunks.push(CRLF);
  }

  /** §4.1.1.4: one reply to the end of data; the transaction is over either way. */
  private endOfData(): void {
    this.verb = '';
    const d = this.data!;
    const tx = this.tx!;
    this.mode = 'command';
    this.data = undefined;
    this.tx = undefined;
    const content = Buffer.concat(this.faults.has('crlf-added-to-body') ? [...d.chunks, CRLF] : d.chunks);
    let refused = false;
    if (d.oversize) {
      // RFC 1870 §6.3: actual size over the limit, 552 after the end of data.
      this.sizeRefusal('Message size exceeds fixed maximum message size');
      refused = true;
    } else if ((d.bareLf && !this.faults.has('bare-lf-accepted')) || (d.bareCr && !this.faults.has('bare-cr-accepted'))) {
      // §2.3.8, §4.1.1.4: bare CR or LF are not line endings; we refuse such content rather than guess.
      this.reply(554, '5.6.0', 'Message content contains a bare CR or LF (RFC 5321 2.3.8); rejected');
      refused = true;
    } else if (this.faults.has('header-police') && headerDefects(content)) {
      // §3.3: "MUST NOT reject messages in which ... Resent-to appears without Resent-from".
      this.reply(554, '5.6.0', 'Message header defects');
      refused = true;
    }
    if (refused && !this.faults.has('deliver-after-reject')) return;
    this.store(tx, content);
    if (refused) return;
    this.reply(250, '2.0.0', `Ok: queued as ${this.lastId}`);
    if (this.faults.has('two-replies-after-eod')) this.reply(250, '2.0.0', `Ok: queued as ${this.lastId}`);
  }

  private lastId = '';

  private store(tx: Transaction, content: Buffer): void {
    if (this.faults.has('strip-8bit')) content = content.map((o) => o & 0x7f) as Buffer;
    this.lastId = randomBytes(6).toString('hex').toUpperCase();
    const trace = this.faults.has('no-received-header')
      ? ''
      : receivedHeader({
          heloName: this.helo?.name ?? '',
          remoteAddress: this.remoteAddress,
          hostname: this.config.hostname,
          protocol: this.tls ? 'ESMTPS' : this.helo?.extended ? 'ESMTP' : 'SMTP',
          id: this.lastId,
          recipients: tx.rcpts,
          date: new Date(),
        });
    // §4.4: the trace header goes on top; received-after-existing puts it below the Received lines already there.
    const at = this.faults.has('received-after-existing') ? leadingReceivedLength(content) : 0;
    this.config.deliver({ from: tx.from, to: [...tx.rcpts], content: Buffer.concat([content.subarray(0, at), Buffer.from(trace, 'latin1'), content.subarray(at)]) });
  }

  /** RFC 1870 §6: 552 5.3.4 (the oversize-wrong-code fault says 554). */
  private sizeRefusal(text: string): void {
    if (this.faults.has('oversize-wrong-code')) return this.reply(554, '5.3.4', text);
    this.reply(552, '5.3.4', text);
  }

  // ---- output and lifetime -------------------------------------------------

  /** Queues one reply (several lines for an array); sent by flush(). */
  private reply(code: number, enhanced: string | undefined, text: string | string[], minor = false): void {
    const r: OutReply = { code, enhanced, lines: typeof text === 'string' ? [text] : text, minor, help: this.verb === 'HELP' };
    this.out.push(r);
    if (this.faults.has('duplicate-replies') && (this.verb === 'MAIL' || this.verb === 'RCPT' || this.verb === 'DATA')) this.out.push(r);
    if (code >= 500 && this.faults.has('error-closes')) this.closeAfterFlush();
  }

  private pendingClose = false;

  private closeAfterFlush(): void {
    this.pendingClose = true;
    this.input = Buffer.alloc(0);
    if (this.mode === 'command' || this.mode === 'data' || this.mode === 'chunk') this.mode = 'closed';
  }

  private flush(): void {
    if (this.out.length) {
      const replies = this.out;
      this.out = [];
      this.write(replies);
    }
    if (this.pendingClose) this.close();
  }

  private write(replies: OutReply[]): void {
    if (this.socket.destroyed || !this.socket.writable) return;
    this.socket.write(replies.map((r) => formatReply(r, this.faults)).join(''), 'latin1');
  }

  private armIdleTimer(): void {
    clearTimeout(this.idleTimer);
    if (this.faults.has('never-timeout')) return;
    const ms = this.faults.has('timeout-too-short') ? this.config.idleTimeoutMs / 2 : this.config.idleTimeoutMs;
    this.idleTimer = setTimeout(() => this.idle(), ms);
    this.idleTimer.unref();
  }

  /** §3.8, §4.5.3.2.7: on timeout, 421 and close. */
  private idle(): void {
    if (this.mode === 'closed') return;
    if (!this.faults.has('timeout-without-421')) {
      this.write([{ code: 421, enhanced: '4.4.2', lines: [`${this.config.hostname} Error: timeout exceeded`] }]);
    }
    this.close();
  }

  private closed = false;

  /**
   * Ends the session: 'local' after QUIT, a timeout or shutdown (replies
   * already written go out first); 'peer' when the client half-closed;
   * 'error' when the socket failed. A partial message is dropped (§4.1.1.10).
   */
  private close(why: 'local' | 'peer' | 'error' = 'local'): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.idleTimer);
    if (why !== 'local' && this.mode === 'data' && this.faults.has('deliver-on-drop') && this.tx && this.data) {
      this.store(this.tx, Buffer.concat(this.data.chunks));
    }
    this.mode = 'closed';
    this.input = Buffer.alloc(0);
    if (why === 'error') this.socket.destroy();
    else {
      this.socket.end();
      // A client that never closes its side must not keep the server from stopping.
      const socket = this.socket;
      setTimeout(() => socket.destroy(), 2000).unref();
    }
    this.onClose(this);
  }
}

/** For header-police: Resent-To without Resent-From, or a Date that does not parse. */
function headerDefects(content: Buffer): boolean {
  const text = content.toString('latin1');
  const sep = text.indexOf('\r\n\r\n');
  const head = sep < 0 ? text : text.slice(0, sep);
  const has = (name: string) => new RegExp(`^${name}:`, 'im').test(head);
  const date = /^Date:(.*)$/im.exec(head);
  return (has('Resent-To') && !has('Resent-From')) || (date !== null && Number.isNaN(Date.parse(date[1]!)));
}

/** Octets taken by the Received header fields (folded lines included) at the top of the content. */
function leadingReceivedLength(content: Buffer): number {
  const m = /^(?:Received:[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*)*/i.exec(content.toString('latin1'));
  return m ? m[0].length : 0;
}
