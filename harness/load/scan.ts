/**
 * The load path's reply scanner: reply codes only, no strings, no objects
 * (RFC 5321 §4.2: "ddd-text" continues a reply, "ddd text" or "ddd" ends
 * it). harness/wire/reply.ts is the parser that judges reply syntax; this
 * one only finds where replies end and what their codes are
 * (scripts/bench-reply-parser compares the two).
 */

export interface LineSink {
  /**
   * One reply line, `buf[start..end)` without the LF. `last` when it ends the
   * reply. Returns false to stop: the rest of the read is not for this sink
   * (the session ended, or switched to TLS: RFC 3207 §4.2).
   */
  line(buf: Buffer, start: number, end: number, code: number, last: boolean): boolean;
}

/** The sink stopped the scan. */
export const SCAN_STOPPED = -1;
/** A line that is not an SMTP reply line. */
export const SCAN_GARBAGE = -2;

/**
 * Hands every complete line in `buf[start..len)` to `sink`; returns the
 * offset of an incomplete last line (`len` when there is none), or
 * SCAN_STOPPED / SCAN_GARBAGE. `buf` may be longer than `len` (a reused
 * read buffer): nothing at or past `len` is read.
 */
export function scanReplies(buf: Buffer, start: number, len: number, sink: LineSink): number {
  while (start < len) {
    // A loop, not Buffer#indexOf: replies are short, and indexOf costs a call into C++ on every
    // line (and, in a perf micro-benchmark, a generic property load besides).
    let nl = start;
    while (nl < len && buf[nl] !== 0x0a) nl++;
    if (nl === len) break;
    const d0 = buf[start]! - 48;
    const d1 = buf[start + 1]! - 48;
    const d2 = buf[start + 2]! - 48;
    if (nl - start < 3 || d0 < 2 || d0 > 5 || d1 < 0 || d1 > 9 || d2 < 0 || d2 > 9) return SCAN_GARBAGE;
    const last = nl - start === 3 || buf[start + 3] !== 0x2d;
    if (!sink.line(buf, start, nl, d0 * 100 + d1 * 10 + d2, last)) return SCAN_STOPPED;
    start = nl + 1;
  }
  return start;
}
