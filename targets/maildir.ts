/**
 * Read-back of an MTA's maildir (one file per delivered copy), shared by the
 * container and native targets.
 *
 * Line ends: an MTA strips each line's CRLF on receipt and a maildir file ends
 * every line with LF alone. `content` puts CRLF back before every LF, the
 * exact inverse, so it is the message as the MTA holds it in wire form (what
 * the runner compares with what was sent); `stored` keeps the file's bytes.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { SmtpTestError } from '../harness/errors.ts';
import type { DeliveredMessage } from './types.ts';

export interface MaildirMessage extends DeliveredMessage {
  /** The file's bytes as the MTA wrote them (LF line ends). */
  stored: Buffer;
  /** Path inside the maildir: new/NAME or cur/NAME. */
  file: string;
}

/** Where an MTA records the envelope in the headers it adds on delivery. */
export interface EnvelopeHeaders {
  /** Header holding the reverse-path, `<addr>` or `<>` (both MTAs: return-path). */
  sender: string;
  /** Header naming the recipient(s) of this copy (postfix: delivered-to, exim: envelope-to). */
  recipients: string;
}

/** A raw maildir file, with its modification time for ordering. */
export interface MaildirFile {
  file: string;
  mtimeMs: number;
  stored: Buffer;
}

/** Tokens become grep patterns and argv; one line of printable text only. */
export function checkToken(token: string): void {
  if (token.length === 0 || /[\r\n\0]/.test(token)) {
    throw new SmtpTestError('E_CONFIG', `mailbox token must be one non-empty line, got ${JSON.stringify(token)}`);
  }
}

/** Orders oldest first and turns files into messages. */
export function toMessages(files: MaildirFile[], env: EnvelopeHeaders): MaildirMessage[] {
  return [...files]
    .sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file))
    .map(({ file, stored }) => {
      const headers = headerBlock(stored);
      const sender = firstHeader(headers, env.sender);
      const rcpt = firstHeader(headers, env.recipients);
      return {
        file,
        stored,
        from: sender === undefined ? '' : sender.trim().replace(/^<(.*)>$/s, '$1'),
        to: rcpt === undefined ? [] : rcpt.split(',').map((a) => a.trim().replace(/^<(.*)>$/s, '$1')).filter(Boolean),
        content: toWireForm(stored),
      };
    });
}

/** Every LF becomes CRLF. */
export function toWireForm(stored: Buffer): Buffer {
  let lf = 0;
  for (const b of stored) if (b === 0x0a) lf++;
  const out = Buffer.allocUnsafe(stored.length + lf);
  let j = 0;
  for (const b of stored) {
    if (b === 0x0a) out[j++] = 0x0d;
    out[j++] = b;
  }
  return out;
}

/** Files in DIR/new and DIR/cur containing `token`, read from this host's file system. */
export async function readLocalMaildir(dir: string, token: string): Promise<MaildirFile[]> {
  checkToken(token);
  const out: MaildirFile[] = [];
  for (const sub of ['new', 'cur']) {
    let names: string[];
    try {
      names = await fs.readdir(path.join(dir, sub));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    for (const name of names) {
      const full = path.join(dir, sub, name);
      let stored: Buffer;
      let mtimeMs: number;
      try {
        [stored, { mtimeMs }] = await Promise.all([fs.readFile(full), fs.stat(full)]);
      } catch (e) {
        // A reader may have moved it from new/ to cur/ meanwhile.
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw e;
      }
      if (stored.includes(token, 0, 'latin1')) out.push({ file: `${sub}/${name}`, mtimeMs, stored });
    }
  }
  return out;
}

/** The header section (up to the first empty line), unfolded, latin1. */
function headerBlock(stored: Buffer): string {
  const text = stored.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
}

function firstHeader(headers: string, name: string): string | undefined {
  const re = new RegExp(`^${name.replace(/[-]/g, '\\-')}:(.*)$`, 'im');
  return re.exec(headers)?.[1];
}
