/**
 * Read-back of an MTA's maildir, shared by the container and native targets.
 *
 * An MTA writes one file per recipient; the copies of one SMTP transaction
 * (same queue id in the MTA's own Received: line) are one message here, its
 * `to` every recipient delivered so far, its content the first copy's. The
 * copies differ only in the per-recipient headers the MTA adds
 * (Delivered-To:, X-Original-To:, Envelope-to:), which `addedHeaders` names.
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
  /** The first copy's bytes as the MTA wrote them (LF line ends). */
  stored: Buffer;
  /** Paths of the copies inside the maildir (new/NAME or cur/NAME), oldest first. */
  files: string[];
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

/** Orders oldest first and groups the copies of each transaction into one message. */
export function toMessages(files: MaildirFile[], env: EnvelopeHeaders): MaildirMessage[] {
  const byId = new Map<string, MaildirMessage>();
  const out: MaildirMessage[] = [];
  for (const { file, stored } of [...files].sort((a, b) => a.mtimeMs - b.mtimeMs || a.file.localeCompare(b.file))) {
    const headers = headerBlock(stored);
    const rcpt = firstHeader(headers, env.recipients);
    const to = rcpt === undefined ? [] : rcpt.split(',').map((a) => unbracket(a)).filter(Boolean);
    // "... with ESMTP id 4Xyz..." (Postfix), "... id 1xVQVN-0000bS-1C" (Exim).
    const id = /\sid\s+([^\s;]+)/.exec(firstHeader(headers, 'received') ?? '')?.[1];
    const same = id === undefined ? undefined : byId.get(id);
    if (same) {
      same.to.push(...to);
      same.files.push(file);
      continue;
    }
    const sender = firstHeader(headers, env.sender);
    const m: MaildirMessage = { files: [file], stored, from: sender === undefined ? '' : unbracket(sender), to, content: toWireForm(stored) };
    if (id !== undefined) byId.set(id, m);
    out.push(m);
  }
  return out;
}

function unbracket(address: string): string {
  return address.trim().replace(/^<(.*)>$/s, '$1');
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
