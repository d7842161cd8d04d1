/**
 * SMTP smuggling (receiving side): end-of-data look-alikes inside message
 * content. One scenario per variant, from the table in REQUIREMENTS.md
 * ("SMTP smuggling"). A TypeScript suite because the variants are a table;
 * each scenario is still linear.
 *
 * RFC 5321 §4.1.1.4: "the sequence "<LF>.<LF>" (bare line feeds, without
 * carriage returns) MUST NOT be treated as equivalent to <CRLF>.<CRLF> as
 * the end of mail data indication." §2.3.8: "Conforming implementations MUST
 * NOT recognize or generate any other character or character sequence as a
 * line terminator."
 *
 * The probe: after 354, one write of a first message, the variant, a whole
 * second transaction (MAIL, RCPT, DATA, content) and then the real
 * <CRLF>.<CRLF>. Conformant: exactly one reply for the transaction (250
 * with the look-alike kept as data, or a 4xx/5xx refusal), then silence.
 * Vulnerable: 250 at the variant, then 250, 250, 354 for the smuggled
 * commands and 250 for the smuggled message. Silence after the first reply
 * is what tells them apart: a second transaction was not accepted.
 *
 * Fails if: the server takes the variant as the end of data (mutant:
 * lf-dot-lf-ends-data for the LF forms, cr-or-lf-ends-data-line for the CR
 * forms, nul-stripped for the NUL forms).
 *
 * A server that answers the variant with a refusal and then closes the
 * connection (Postfix's smtpd_forbid_bare_newline = reject: "521 5.5.2")
 * took nothing as an end of data, but fails the silence step: a `closed`
 * outcome is not silence to the runner. Not expressible in a linear step
 * today; see the audit notes.
 *
 * Not here: "\0\r\n.\r\n" from the REQUIREMENTS table. It contains a real
 * <CRLF>.<CRLF> (the NUL ends the last line), so a conformant server ends
 * the message there and the second transaction is a legitimate one.
 */
import type { ScenarioInput, SuiteInput } from '../harness/scenario/schema.ts';
import { OPEN_TRANSACTION as open } from '../harness/scenario/steps.ts';

interface Variant {
  id: string;
  /** The look-alike, as sent. */
  bytes: string;
  /** Shown in the title. */
  label: string;
  section: string;
}

const VARIANTS: Variant[] = [
  { id: 'LF-DOT-LF', bytes: '\n.\n', label: '<LF>.<LF>', section: '4.1.1.4' },
  { id: 'LF-DOT-CRLF', bytes: '\n.\r\n', label: '<LF>.<CRLF>', section: '4.1.1.4' },
  { id: 'CRLF-DOT-LF', bytes: '\r\n.\n', label: '<CRLF>.<LF>', section: '4.1.1.4' },
  { id: 'LF-DOT-CR', bytes: '\n.\r', label: '<LF>.<CR>', section: '4.1.1.4' },
  { id: 'CR-DOT-CR', bytes: '\r.\r', label: '<CR>.<CR>', section: '2.3.8' },
  { id: 'CR-DOT-LF', bytes: '\r.\n', label: '<CR>.<LF>', section: '2.3.8' },
  { id: 'CR-DOT-CRLF', bytes: '\r.\r\n', label: '<CR>.<CRLF>', section: '2.3.8' },
  { id: 'CRLF-DOT-CR', bytes: '\r\n.\r', label: '<CRLF>.<CR>', section: '2.3.8' },
  // No bare CR or LF here: the line is "<NUL>." or ".<NUL>", not "a line
  // containing only a period" (§4.1.1.4); a server that strips the NUL to
  // get there makes a transformation §4.5.2 requires to be reversible.
  { id: 'CRLF-NUL-DOT-CRLF', bytes: '\r\n\x00.\r\n', label: '<CRLF><NUL>.<CRLF>', section: '4.1.1.4' },
  { id: 'CRLF-DOT-NUL-CRLF', bytes: '\r\n.\x00\r\n', label: '<CRLF>.<NUL><CRLF>', section: '4.1.1.4' },
  { id: 'CR-NUL-LF-DOT-CRLF', bytes: '\r\x00\n.\r\n', label: '<CR><NUL><LF>.<CRLF>', section: '2.3.8' },
  { id: 'CRLF-DOT-CR-NUL-LF', bytes: '\r\n.\r\x00\n', label: '<CRLF>.<CR><NUL><LF>', section: '2.3.8' },
];

const SMUGGLED = 'MAIL FROM:<{{sender}}>\r\nRCPT TO:<{{rcpt}}>\r\nDATA\r\nSubject: SMUGGLED {{token}}\r\n\r\nx\r\n';

function variantScenario(v: Variant): ScenarioInput {
  return {
    id: `SMUG-${v.id}`,
    title: `${v.label} inside content is not an end of data: one reply, no second transaction`,
    section: v.section,
    level: 'MUST',
    steps: [
      ...open,
      { raw: `Subject: smuggling {{token}}\r\n\r\nbody${v.bytes}${SMUGGLED}\r\n.\r\n` },
      { expect: [250, '4xx', '5xx'] },
      { expect: { noReplyWithin: '500ms' } },
    ],
  };
}

const suite: SuiteInput = {
  title: 'SMTP smuggling (end-of-data look-alikes)',
  rfc: 5321,
  scenarios: [
    ...VARIANTS.map(variantScenario),
    // "<CRLF>.<CRLF><NUL>": the end of data is real; the NUL then starts the
    // next command line. §4.1.2 "SMTP servers that receive a command in which
    // invalid character codes have been employed ... MUST reject that command
    // with a 501 response" (500 or 502 for an unrecognised verb is as good:
    // Postfix answers unknown verbs 502; which of them is CMD-UNKNOWN-500's
    // question). The RCPT that follows is the proof: 503 means no MAIL ran. A
    // server that strips NUL would run the smuggled MAIL and RCPT.
    // Fails if: "<NUL>MAIL FROM:" is executed as MAIL (mutant: nul-stripped).
    {
      id: 'SMUG-NUL-AFTER-EOD',
      title: 'A NUL before MAIL after a real end of data does not make it a command',
      section: '4.1.2',
      level: 'MUST',
      steps: [
        ...open,
        { raw: `Subject: smuggling {{token}}\r\n\r\nbody\r\n.\r\n\x00${SMUGGLED}\r\n.\r\n` },
        { expect: [250, '4xx', '5xx'] },
        { expect: [500, 501, 502] },
        { expect: 503 },
        { expect: [503, 554] },
      ],
    },
  ],
};

export default suite;
