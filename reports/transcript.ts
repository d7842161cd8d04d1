/** Transcripts as text: one line per entry, control octets made visible. */
import type { TranscriptEntry } from '../harness/wire/connection.ts';

export function visible(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\xff\\]/g, (c) => {
    if (c === '\r') return '\\r';
    if (c === '\n') return '\\n';
    if (c === '\t') return '\\t';
    if (c === '\\') return '\\\\';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** `   12.3 ms C: EHLO x\r\n`, one entry per line; entries longer than `width` are cut. */
export function formatTranscript(entries: readonly TranscriptEntry[], width = 400): string {
  return entries
    .map((e) => {
      const t = e.atMs.toFixed(1).padStart(9);
      const body = e.dir === '*' ? `-- ${e.text}` : `${e.dir}: ${visible(e.text)}`;
      return `${t} ms ${body.length > width ? body.slice(0, width) + `… (${body.length} chars)` : body}`;
    })
    .join('\n');
}
