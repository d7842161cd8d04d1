/** Message content for `data` steps, shared by the conformance runner and load workloads. */
import type { SmtpConnection } from '../wire/connection.ts';
import type { Filler } from '../wire/serialize.ts';
import type { Step } from '../scenario/schema.ts';

export interface MessageContent {
  text: string;
  filler?: Filler;
}

/**
 * A data step's content: its text with placeholders filled, and generated
 * filler when it asks for a size (`size`, or `overLimit` octets past the
 * server's limit). The filler is made while sending, not here.
 */
export function messageContent(d: Extract<Step, { data: unknown }>['data'], fill: (t: string) => string, limit?: number): MessageContent {
  if (typeof d === 'string') return { text: fill(d) };
  const text = fill(d.text ?? '');
  const size = d.overLimit !== undefined && limit !== undefined ? limit + d.overLimit : d.size;
  if (!size) return { text };
  // The filler starts on a line of its own.
  const head = text === '' || text.endsWith('\n') ? text : text + '\n';
  return { text: head, filler: { octets: size, lineLength: d.lineLength ?? 76 } };
}

export function sendContent(conn: SmtpConnection, c: MessageContent): Promise<void> {
  return c.filler ? conn.sendDataWithFiller(c.text, c.filler) : conn.sendData(c.text);
}
