/**
 * The serializer alone owns CRLF and dot-stuffing. Everything that goes on
 * the wire as a command line or as message content passes through here;
 * `raw` steps bypass it on purpose (malformed-input probes).
 */

const CRLF = '\r\n';

/** A command line: the text plus CRLF (RFC 5321 §2.3.8). The text must not contain CR or LF. */
export function commandLine(text: string): Buffer {
  if (/[\r\n]/.test(text)) {
    throw new TypeError('a command line cannot contain CR or LF; use a raw step for that');
  }
  return Buffer.from(text + CRLF, 'latin1');
}

/** Several command lines in one buffer, for one write (RFC 2920 §3.1). */
export function pipelineBatch(texts: readonly string[]): Buffer {
  return Buffer.concat(texts.map(commandLine));
}

/**
 * Message content for DATA (RFC 5321 §4.5.2 transparency, §4.1.1.4 end of data).
 *
 * The input is text with lines separated by LF or CRLF: each line ending
 * becomes CRLF, a line that starts with "." gets one more ".", and the
 * terminator CRLF "." CRLF ends it. Content that does not end with a line
 * ending gets one, since the terminator's CRLF cannot double as the last
 * line's ending (§4.1.1.4). Bytes other than CR/LF are sent as they are
 * (latin1 for strings, so "\x80" is octet 0x80; pass a Buffer for UTF-8).
 */
export function dataContent(content: string | Buffer): Buffer {
  const text = typeof content === 'string' ? content : content.toString('latin1');
  if (text === '') return Buffer.from(TERMINATOR, 'latin1');
  return Buffer.from(stuffedLines(text) + TERMINATOR, 'latin1');
}

const TERMINATOR = '.' + CRLF;

/** Text → its lines, each CRLF-ended and dot-stuffed; no terminator. */
function stuffedLines(text: string): string {
  const lines = text.split(/\r?\n/);
  // A trailing line ending leaves one empty element after split: it is not an extra line.
  if (lines[lines.length - 1] === '') lines.pop();
  let out = '';
  for (const line of lines) {
    if (line.includes('\r')) {
      // A bare CR inside a line is not a line break (§2.3.8); the serializer
      // refuses to send it silently. Use a raw step for bare CR probes.
      throw new TypeError('message content contains a bare CR; use a raw step for that');
    }
    out += (line.startsWith('.') ? '.' : '') + line + CRLF;
  }
  return out;
}

/** Generated bulk content: numbered lines, so a lost or duplicated line shows in a read-back. */
export interface Filler {
  /** Filler octets counted with one-octet (LF) line endings: the content is at least this long. */
  octets: number;
  /** Octets per line before its ending. */
  lineLength: number;
}

/**
 * Message content with generated filler, as wire chunks of about
 * `chunkOctets`: `head` (stuffed like dataContent), the filler lines "0 xxx",
 * "1 xxx", ... each `lineLength` octets, then the terminator. Made a chunk at
 * a time so that tens of megabytes for a SIZE probe (RFC 1870 §4) neither sit
 * in memory at once nor block the event loop that other sessions share.
 * Filler lines start with a digit, so they never need stuffing.
 */
export function* dataContentChunks(head: string, filler: Filler, chunkOctets = 1 << 20): Generator<Buffer> {
  let out = head === '' ? '' : stuffedLines(head);
  let made = 0;
  let n = 0;
  const len = Math.max(1, filler.lineLength);
  while (made < filler.octets) {
    const label = `${n++} `;
    out += (label + 'x'.repeat(Math.max(0, len - label.length))).slice(0, len) + CRLF;
    made += len + 1;
    if (out.length >= chunkOctets) {
      yield Buffer.from(out, 'latin1');
      out = '';
    }
  }
  yield Buffer.from(out + TERMINATOR, 'latin1');
}

/** Content for BDAT (RFC 3030 §2): no stuffing, no terminator; CRLF line endings. */
export function chunkContent(content: string | Buffer): Buffer {
  if (Buffer.isBuffer(content)) return content;
  return Buffer.from(content.replace(/\r?\n/g, CRLF), 'latin1');
}

/**
 * A BDAT command and its chunk, for one write (RFC 3030 §2: "BDAT" SP
 * chunk-size [SP "LAST"] CRLF, then exactly chunk-size octets). The size is
 * the chunk's octets as sent, after the CRLF line endings.
 */
export function bdatChunk(content: string | Buffer, last: boolean): Buffer {
  const chunk = chunkContent(content);
  return Buffer.concat([commandLine(`BDAT ${chunk.length}${last ? ' LAST' : ''}`), chunk]);
}
