/**
 * SMTP reply parsing (RFC 5321 §4.2), done once at the boundary: after this
 * module nobody re-reads reply text to find a code.
 *
 *   Reply-line     = *( Reply-code "-" [ textstring ] CRLF )
 *                    Reply-code [ SP textstring ] CRLF        (§4.2)
 */

/** RFC 3463 enhanced status code, e.g. 5.1.1. */
export interface EnhancedCode {
  readonly class: number;
  readonly subject: number;
  readonly detail: number;
}

/** Tolerated deviations, recorded so that scenarios about reply syntax can judge them. */
export type ReplyDefect =
  | 'inconsistent-code' // §4.2.1: all lines of a multiline reply carry the same code
  | 'line-over-512' // §4.5.3.1.5: reply line at most 512 octets including CRLF
  | 'bare-lf' // §2.3.8: lines end in CRLF
  | 'missing-space'; // "250" with nothing after it is allowed; "250x" is not (flagged, kept)

export interface Reply {
  /** The three-digit code of the last line (the one that ends the reply). */
  readonly code: number;
  /** Text of each line, without code, separator or line ending. */
  readonly lines: readonly string[];
  /** Enhanced status code from the first line, where present (RFC 2034 §3). */
  readonly enhanced?: EnhancedCode;
  /** Enhanced code present on every line (RFC 2034 §3: "each line"). */
  readonly enhancedOnEveryLine: boolean;
  readonly defects: readonly ReplyDefect[];
  /** Exact octets as received, latin1-decoded. */
  readonly raw: string;
}

export type ReplyErrorCode =
  | 'REPLY_SYNTAX' // not "ddd[ -]": garbage, two-digit code, first digit outside 2-5
  | 'REPLY_LINE_TOO_LONG' // one line over the hard cap
  | 'REPLY_TOO_LARGE'; // a multiline reply over the total cap

export interface ReplyError {
  readonly code: ReplyErrorCode;
  readonly message: string;
  /** What was received of the offending reply (truncated to 512 octets). */
  readonly raw: string;
}

export interface ReplyParserLimits {
  /** Hard cap for one line, octets. Past it the reply is an error. */
  maxLineLength: number;
  /** Hard cap for one multiline reply, octets. */
  maxReplySize: number;
}

export const DEFAULT_REPLY_LIMITS: ReplyParserLimits = {
  maxLineLength: 16 * 1024,
  maxReplySize: 256 * 1024,
};

const ENHANCED = /^([245])\.(\d{1,3})\.(\d{1,3})(?:\s|$)/;

export function parseEnhanced(text: string): EnhancedCode | undefined {
  const m = ENHANCED.exec(text);
  if (!m) return undefined;
  return { class: Number(m[1]), subject: Number(m[2]), detail: Number(m[3]) };
}

export function formatEnhanced(e: EnhancedCode): string {
  return `${e.class}.${e.subject}.${e.detail}`;
}

export type ParseEvent = { kind: 'reply'; reply: Reply } | { kind: 'error'; error: ReplyError };

/**
 * Incremental reply parser: feed it bytes as they arrive (split anywhere),
 * take complete replies out. After an error the parser is poisoned: the
 * stream is no longer SMTP, and the connection should be dropped.
 */
export class ReplyParser {
  private buf: Buffer = Buffer.alloc(0);
  private lines: { code: number; sep: string; text: string; raw: string; bareLf: boolean }[] = [];
  private pendingSize = 0;
  private failed = false;
  private readonly limits: ReplyParserLimits;

  constructor(limits: Partial<ReplyParserLimits> = {}) {
    this.limits = { ...DEFAULT_REPLY_LIMITS, ...limits };
  }

  get poisoned(): boolean {
    return this.failed;
  }

  /** Bytes received but not yet part of a complete reply. */
  get buffered(): number {
    return this.buf.length + this.pendingSize;
  }

  /** The octets of a reply still incomplete (latin1), at most 512. */
  pendingText(): string {
    return (this.lines.map((l) => l.raw).join('') + this.buf.toString('latin1')).slice(0, 512);
  }

  push(chunk: Buffer): ParseEvent[] {
    if (this.failed) return [];
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const events: ParseEvent[] = [];
    for (;;) {
      const nl = this.buf.indexOf(0x0a);
      if (nl < 0) {
        if (this.buf.length > this.limits.maxLineLength) {
          events.push(this.fail('REPLY_LINE_TOO_LONG', `reply line longer than ${this.limits.maxLineLength} octets`, this.buf));
        }
        return events;
      }
      const lineBuf = this.buf.subarray(0, nl + 1);
      this.buf = this.buf.subarray(nl + 1);
      if (lineBuf.length > this.limits.maxLineLength) {
        events.push(this.fail('REPLY_LINE_TOO_LONG', `reply line longer than ${this.limits.maxLineLength} octets`, lineBuf));
        return events;
      }
      const ev = this.line(lineBuf);
      if (ev) {
        events.push(ev);
        if (ev.kind === 'error') return events;
      }
    }
  }

  private line(lineBuf: Buffer): ParseEvent | undefined {
    const raw = lineBuf.toString('latin1');
    const bareLf = !raw.endsWith('\r\n');
    const body = raw.slice(0, raw.length - (bareLf ? 1 : 2));
    // §4.2: three digits, first 2-5, then SP, "-" or end of line.
    const m = /^([2-5][0-5]\d)([ -]?)/.exec(body);
    if (!m || (m[2] === '' && body.length > 3 && !/^\d{3}[^\d]/.test(body))) {
      return this.fail('REPLY_SYNTAX', `not an SMTP reply line: ${JSON.stringify(body.slice(0, 80))}`, lineBuf);
    }
    const code = Number(m[1]);
    const sep = m[2] ?? '';
    this.pendingSize += lineBuf.length;
    if (this.pendingSize > this.limits.maxReplySize) {
      return this.fail('REPLY_TOO_LARGE', `multiline reply larger than ${this.limits.maxReplySize} octets`, lineBuf);
    }
    const text = body.slice(3 + sep.length);
    this.lines.push({ code, sep, text, raw, bareLf });
    if (sep === '-') return undefined;
    return { kind: 'reply', reply: this.finish() };
  }

  private finish(): Reply {
    const lines = this.lines;
    this.lines = [];
    this.pendingSize = 0;
    const last = lines[lines.length - 1]!;
    const defects = new Set<ReplyDefect>();
    for (const l of lines) {
      if (l.code !== last.code) defects.add('inconsistent-code');
      if (l.raw.length + (l.bareLf ? 1 : 0) > 512) defects.add('line-over-512');
      if (l.bareLf) defects.add('bare-lf');
      if (l.sep === '' && l.raw.length > 5 + (l.bareLf ? -1 : 0)) defects.add('missing-space');
    }
    const texts = lines.map((l) => l.text);
    const enhanced = parseEnhanced(texts[0]!);
    return {
      code: last.code,
      lines: texts,
      enhanced,
      enhancedOnEveryLine: texts.every((t) => parseEnhanced(t) !== undefined),
      defects: [...defects],
      raw: lines.map((l) => l.raw).join(''),
    };
  }

  private fail(code: ReplyErrorCode, message: string, raw: Buffer): ParseEvent {
    this.failed = true;
    const prior = this.lines.map((l) => l.raw).join('');
    this.lines = [];
    this.buf = Buffer.alloc(0);
    return { kind: 'error', error: { code, message, raw: (prior + raw.subarray(0, 512).toString('latin1')).slice(0, 1024) } };
  }
}
