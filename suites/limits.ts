/**
 * Sizes and limits (RFC 5321 §4.5.3.1): "Every implementation MUST be able
 * to receive objects of at least these sizes." A TypeScript suite because
 * the inputs are computed (a 512-octet command line, a 255-octet domain,
 * 100 recipients, 64 KiB of content); each scenario is still linear.
 * Each scenario names, under "Fails if", the deviation that makes it fail
 * (and the mutant fault, where one exists).
 */
import type { ScenarioInput, SuiteInput } from '../harness/scenario/schema.ts';
import { OPEN_TRANSACTION as open } from '../harness/scenario/steps.ts';

/** `n` octets of `x` with a numbered head, so a truncation shows. */
const pad = (n: number, head = ''): string => (head + 'x'.repeat(Math.max(0, n - head.length))).slice(0, n);

/** A domain of exactly `n` octets: 63-octet labels, then a shorter one, ending ".example". */
function domainOf(n: number): string {
  const tail = '.example';
  const labels: string[] = [];
  let left = n - tail.length;
  while (left > 0) {
    const len = Math.min(63, left === 64 ? 62 : left);
    labels.push(pad(len, `l${labels.length}`));
    left -= len + 1;
  }
  return labels.join('.') + tail;
}

// §4.5.3.1.4 "The maximum total length of a command line including the
// command word and the <CRLF> is 512 octets"; §4.3.2 "producing a "command
// too long" message for a command line shorter than 512 characters would
// violate the provisions of Section 4.5.3.1.4". The line is NOOP with a
// long Atom argument, which "servers SHOULD ignore" (§4.1.1.9); a server
// that answers NOOP arguments with 501 would fail here too.
// Fails if: a 512-octet line is refused (mutant: line-limit-too-low).
const cmd512 = `NOOP ${pad(512 - 2 - 5, 'padding-to-512-')}`;

// §4.5.3.1.2 "The maximum total length of a domain name or number is 255
// octets." §4.5.3.1 "Every implementation MUST be able to receive objects of
// at least these sizes." Taken as written: 255 octets of text. (The DNS
// limit of 255 octets is in wire form, 253 characters of text, so a server
// that checks names against DNS rules may refuse this one; the RFC's text
// does not make that exception.)
// Fails if: EHLO with a 255-octet domain is refused (mutant: short-domains).
const domain255 = domainOf(255);

// §4.5.3.1.1 "The maximum total length of a user name or other local-part is
// 64 octets." Fails if: a 64-octet local-part is refused for its length
// (mutant: short-paths).
const local64 = pad(64, 'local-part-of-64-');

// §4.5.3.1.3 "The maximum total length of a reverse-path or forward-path is
// 256 octets (including the punctuation and element separators)."
// "<" local64 "@" domain ">" = 256.
// Fails if: a 256-octet reverse-path is refused for its length (mutant:
// short-paths).
const path256 = `<${local64}@${domainOf(256 - 3 - 64)}>`;

// §4.5.3.1.6 "The maximum total length of a text line including the <CRLF>
// is 1000 octets (not counting the leading dot duplicated for transparency)."
const line998 = pad(998, 'line-of-998-octets-');
const dotLine998 = '.' + pad(997, 'dot-line-of-998-octets-');

// §4.5.3.1.7 "The maximum total length of a message content (including any
// message header section as well as the message body) MUST BE at least 64K
// octets."
const body64k = Array.from({ length: 64 * 1024 / 64 }, (_, i) => pad(62, `${i} `)).join('\n') + '\n';

const rcpts = (n: number, expect: ScenarioInput['steps'][number]): ScenarioInput['steps'] =>
  Array.from({ length: n }, (_, i) => [{ send: i % 2 ? 'RCPT TO:<postmaster@{{domain}}>' : 'RCPT TO:<{{rcpt}}>' }, expect]).flat();

const scenarios: ScenarioInput[] = [
  {
    id: 'LIM-CMD-512',
    title: 'A command line of exactly 512 octets (CRLF included) is accepted',
    section: '4.5.3.1.4',
    level: 'MUST',
    steps: [{ send: cmd512 }, { expect: 250 }],
  },
  {
    // §4.5.3.1.9 "Errors due to exceeding these limits may be reported by
    // using the reply codes" (500 Line too long); §4.2 "Every command MUST
    // generate exactly one reply": an over-long line is one line, so the
    // MUST cited is §4.2's. §3.8: no close without QUIT, 421 or a timeout.
    // Fails if: a 1024-octet line is answered once per 512-octet piece
    // (mutant: long-line-desync), or the server closes.
    id: 'LIM-CMD-OVER',
    title: 'A 1024-octet command line gets exactly one reply and the session continues',
    section: '4.2',
    level: 'MUST',
    steps: [
      { send: `NOOP ${pad(1024 - 2 - 5, 'over-long-')}` },
      { expect: [250, 500, 501] },
      { expect: { noReplyWithin: '300ms' } },
      { send: 'NOOP' },
      { expect: 250 },
    ],
  },
  {
    id: 'LIM-DOMAIN-255',
    title: 'EHLO with a 255-octet domain is accepted',
    section: '4.5.3.1.2',
    level: 'MUST',
    prelude: 'greeting',
    steps: [{ send: `EHLO ${domain255}` }, { expect: 250 }],
  },
  {
    // Codes: accepted, or refused as no such user (550), never for length.
    id: 'LIM-LOCAL-64',
    title: 'A 64-octet local-part is not refused for its length',
    section: '4.5.3.1.1',
    level: 'MUST',
    steps: [
      { send: 'MAIL FROM:<{{sender}}>' },
      { expect: 250 },
      { send: `RCPT TO:<${local64}@{{domain}}>` },
      { expect: [250, 251, 550, 551] },
    ],
  },
  {
    // Codes: accepted, or refused by policy for the (unresolvable) sender
    // domain (450/451/550); not 501 "path too long" or 553.
    id: 'LIM-PATH-256',
    title: 'A 256-octet reverse-path is not refused for its length',
    section: '4.5.3.1.3',
    level: 'MUST',
    steps: [{ send: `MAIL FROM:${path256}` }, { expect: [250, 450, 451, 550] }],
  },
  {
    // §4.5.3.1.8 "The minimum total number of recipients that MUST be buffered
    // is 100 recipients. Rejection of messages (for excessive recipients) with
    // fewer than 100 RCPT commands is a violation of this specification."
    // Fails if: any of 100 recipients is refused (mutant: rcpt-limit-50).
    id: 'LIM-RCPT-100',
    title: '100 recipients are all accepted and the message delivered',
    section: '4.5.3.1.8',
    level: 'MUST',
    steps: [
      { send: 'MAIL FROM:<{{sender}}>' },
      { expect: 250 },
      ...rcpts(100, { expect: [250, 251] }),
      { send: 'DATA' },
      { expect: 354 },
      { data: 'Subject: hundred {{token}}\n\nA hundred recipients.\n' },
      { expect: 250 },
      { delivered: { count: 1 } },
    ],
  },
  {
    // §4.5.3.1.10 "If an SMTP server has an implementation limit on the
    // number of RCPT commands and this limit is exhausted, it MUST use a
    // response code of 452"; "If the server has a configured site-policy
    // limitation on the number of RCPT commands, it MAY instead use a 5yz
    // response code": strict holds the implementation-limit MUST, lenient
    // accepts any 5yz. DATA afterwards: 354, or 503, which §4.5.3.1.10 calls
    // "reasonable ... to any DATA command received subsequent to the 452 (or
    // 552) code" for a site limit on recipients per message. A 554 "no valid
    // recipients" would mean the accepted ones were dropped (§4.5.3.1.8
    // "rejecting additional addresses over its limit rather than silently
    // discarding addresses previously accepted"). The scenario stops at the
    // DATA reply: after 354 and after 503 the next step would differ.
    // Fails if: recipients past the limit get 552 (strict; mutant:
    // rcpt-limit-552), or DATA then gets anything but 354 or 503.
    id: 'LIM-RCPT-OVER-LIMIT',
    title: 'Recipients past the limit get 452, and DATA then gets 354 or 503',
    section: '4.5.3.1.10',
    level: 'MUST',
    steps: [
      { send: 'MAIL FROM:<{{sender}}>' },
      { expect: 250 },
      ...rcpts(120, { expect: { code: [250, 251, 452], profiles: { lenient: { code: [250, 251, 452, '5xx'] } } } }),
      { send: 'DATA' },
      { expect: [354, 503] },
    ],
  },
  {
    // Fails if: a 1000-octet line (CRLF included) is refused or cut (mutant:
    // close-on-1000-octet-line).
    id: 'LIM-TEXT-998',
    title: 'A text line of 998 octets plus CRLF is accepted and delivered intact',
    section: '4.5.3.1.6',
    level: 'MUST',
    steps: [...open, { data: `Subject: long line {{token}}\n\n${line998}\n` }, { expect: 250 }, { delivered: { count: 1, body: `${line998}\n` } }],
  },
  {
    // "not counting the leading dot duplicated for transparency": 1001 octets
    // on the wire, 1000 after unstuffing.
    // Fails if: the stuffed 1001-octet line is refused or stored wrongly.
    id: 'LIM-TEXT-998-STUFFED',
    title: 'A 998-octet line starting with "." (1001 octets on the wire) is accepted',
    section: '4.5.3.1.6',
    level: 'MUST',
    steps: [...open, { data: `Subject: long dot line {{token}}\n\n${dotLine998}\n` }, { expect: 250 }, { delivered: { count: 1, body: `${dotLine998}\n` } }],
  },
  {
    // Fails if: 64 KiB of content is refused or altered (mutant:
    // small-message-limit).
    id: 'LIM-CONTENT-64K',
    title: 'A message of 64 KiB is accepted and delivered byte-exact',
    section: '4.5.3.1.7',
    level: 'MUST',
    steps: [...open, { data: `Subject: 64k {{token}}\n\n${body64k}` }, { expect: 250 }, { delivered: { count: 1, body: body64k } }],
  },
  {
    // §4.5.3.1.5 "The maximum total length of a reply line including the
    // reply code and the <CRLF> is 512 octets." Servers that echo the
    // argument in an error reply must still keep to it (REQUIREMENTS row 6,
    // S: §4.5.3.1 "Objects larger than these sizes SHOULD be avoided").
    // Fails if: the 500 to a 510-octet unknown command has a reply line over
    // 512 octets.
    id: 'LIM-REPLY-512',
    title: 'An error reply to a 512-octet command has no line over 512 octets',
    section: '4.5.3.1.5',
    level: 'SHOULD',
    steps: [{ send: `XECHOTEST ${pad(512 - 2 - 10, 'echo-me-back-')}` }, { expect: { code: [500, 502], wellFormed: true } }],
  },
];

const suite: SuiteInput = { title: 'Sizes and limits', rfc: 5321, scenarios };

export default suite;
