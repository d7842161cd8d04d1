/**
 * What the mutant server writes: replies (RFC 5321 §4.2, RFC 2034 §3) and
 * the Received: trace header (RFC 5321 §4.4). Reply faults are applied here,
 * so the state machine states what it means and this module decides how it
 * looks on the wire.
 */
import type { FaultSet } from './faults.ts';

export interface OutReply {
  code: number;
  /** RFC 3463 code, e.g. "2.1.0"; none for the greeting, EHLO/HELO and 354 (RFC 2034 §3; class 3 does not exist). */
  enhanced?: string;
  lines: string[];
  /** Reply to RSET, NOOP, VRFY or HELP: where the two-digit-codes fault strikes. */
  minor?: boolean;
  /** The HELP reply: where help-no-hyphen and help-mixed-codes strike. */
  help?: boolean;
}

/**
 * Reply-line = *( Reply-code "-" [ textstring ] CRLF ) Reply-code [ SP textstring ] CRLF (§4.2).
 * RFC 2034 §3: with ENHANCEDSTATUSCODES every line carries the enhanced code.
 */
export function formatReply(r: OutReply, faults: FaultSet): string {
  let code = String(r.code);
  if (r.minor && faults.has('two-digit-codes')) code = code.slice(0, 2);
  let enhanced = faults.has('enhanced-codes-missing') ? undefined : r.enhanced;
  if (enhanced && r.code >= 500 && faults.has('enhanced-class-mismatch')) enhanced = '4' + enhanced.slice(1);
  const noHyphen = faults.has('multiline-no-hyphen') || (r.help === true && faults.has('help-no-hyphen'));
  const last = r.lines.length - 1;
  return r.lines
    .map((text, i) => {
      const sep = i < last && !noHyphen ? '-' : ' ';
      const lineCode = i === last && last > 0 && r.help && faults.has('help-mixed-codes') ? '211' : code;
      return `${lineCode}${sep}${enhanced ? `${enhanced} ` : ''}${text}\r\n`;
    })
    .join('');
}

/** RFC 5322 §3.3 date-time with a numeric zone, as §4.4 asks ("explicit offsets"). */
export function rfc5322Date(d: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${d.getUTCDate()} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export interface TraceInfo {
  /** The EHLO/HELO argument. */
  heloName: string;
  remoteAddress: string;
  hostname: string;
  protocol: 'SMTP' | 'ESMTP' | 'ESMTPS';
  id: string;
  recipients: readonly string[];
  date: Date;
}

/**
 * The time stamp line (§4.4): FROM with the EHLO name and an address
 * literal of the peer, BY, WITH (RFC 3848 protocol names), ID, FOR with
 * exactly one path (only when there is exactly one recipient), and a date.
 */
export function receivedHeader(t: TraceInfo): string {
  const literal = t.remoteAddress.includes(':') ? `[IPv6:${t.remoteAddress}]` : `[${t.remoteAddress}]`;
  const forClause = t.recipients.length === 1 ? `\r\n\tfor <${t.recipients[0]}>` : '';
  return (
    `Received: from ${t.heloName || 'unknown'} (${literal})\r\n` +
    `\tby ${t.hostname} (smtptest mutant) with ${t.protocol} id ${t.id}${forClause};\r\n` +
    `\t${rfc5322Date(t.date)}\r\n`
  );
}
