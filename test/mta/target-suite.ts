/**
 * The checks every real-MTA target gets, container or native: greeting and
 * extensions, what it accepts and refuses, byte-exact read-back of awkward
 * content, the configured idle timeout, and a stop() that leaves nothing.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MaildirMessage } from '../../targets/maildir.ts';
import { resolveMtaTarget } from '../../targets/registry.ts';
import type { StartedTarget } from '../../targets/types.ts';
import { MiniSmtp, dotStuff } from './smtp-client.ts';

/** Idle timeout the targets are started with (timeoutScale = 3/300). */
export const TIMEOUT_S = 3;

export interface TargetChecks {
  /** Resolves once whatever stop() removes is gone; fails otherwise. */
  assertGone(t: StartedTarget): Promise<void>;
}

export function describeTarget(name: string, skip: boolean, checks: TargetChecks): void {
  describe.skipIf(skip)(`target ${name}`, () => {
    let t: StartedTarget;

    beforeAll(async () => {
      const target = resolveMtaTarget(name);
      if (!target) throw new Error(`resolveMtaTarget does not know ${name}`);
      t = await target.start({ timeoutScale: TIMEOUT_S / 300 });
    }, 120_000);

    afterAll(async () => {
      await t?.stop();
    });

    it('greets with 220 and advertises PIPELINING, SIZE, 8BITMIME and STARTTLS', async () => {
      expect(t.host).toBe('127.0.0.1');
      expect(t.facts).toMatchObject({ domain: 'test.example', recipient: 'user@test.example', idleTimeoutMs: TIMEOUT_S * 1000 });
      const c = await MiniSmtp.connect(t.host, t.port);
      try {
        expect((await c.reply()).code).toBe(220);
        const ehlo = await c.cmd('EHLO client.example');
        expect(ehlo.code).toBe(250);
        const keywords = ehlo.lines.slice(1).map((l) => l.slice(4));
        expect(keywords).toEqual(expect.arrayContaining(['PIPELINING', `SIZE ${t.facts.sizeLimit}`, '8BITMIME', 'STARTTLS']));
        await c.cmd('QUIT');
      } finally {
        c.close();
      }
    });

    it('does STARTTLS with its self-signed certificate', async () => {
      const c = await MiniSmtp.connect(t.host, t.port);
      try {
        await c.reply();
        await c.cmd('EHLO client.example');
        expect((await c.cmd('STARTTLS')).code).toBe(220);
        const { client, protocol } = await c.startTls();
        expect(protocol).toMatch(/^TLSv1\.[23]$/);
        const ehlo = await client.cmd('EHLO client.example');
        expect(ehlo.code).toBe(250);
        // RFC 3207 §4.2: not offered again once TLS is on.
        expect(ehlo.lines.map((l) => l.slice(4))).not.toContain('STARTTLS');
        await client.cmd('QUIT');
        client.close();
      } finally {
        c.close();
      }
    });

    it('takes any local part of test.example and <postmaster>, and relays nowhere else', async () => {
      const token = `st-rcpt-${randomUUID()}`;
      const c = await MiniSmtp.connect(t.host, t.port);
      try {
        await c.reply();
        await c.cmd('EHLO client.example');
        expect((await c.cmd('MAIL FROM:<sender@client.example>')).code).toBe(250);
        expect((await c.cmd('RCPT TO:<someone.else@test.example>')).code).toBe(250);
        // RFC 5321 §4.5.1: "postmaster" without a domain MUST be accepted.
        expect((await c.cmd('RCPT TO:<postmaster>')).code).toBe(250);
        // Not an open relay (RFC 5321 §3.6.2); Postfix defers (454), Exim refuses (550).
        expect(String((await c.cmd('RCPT TO:<victim@elsewhere.example>')).code)).toMatch(/^[45]/);
        expect((await c.cmd('DATA')).code).toBe(354);
        c.write(dotStuff(Buffer.from(`Subject: ${token}\r\n\r\nto two\r\n`, 'latin1')));
        expect((await c.reply()).code).toBe(250);
        await c.cmd('QUIT');
      } finally {
        c.close();
      }
      // One transaction, two copies in the maildir: one message with both recipients.
      const found = await delivered(t, token, (m) => m.to.length === 2);
      expect(found[0]!.to.sort()).toEqual(['postmaster@test.example', 'someone.else@test.example']);
      expect(found[0]!.files).toHaveLength(2);
      expect(found[0]!.from).toBe('sender@client.example');
      // Nothing added beyond the named headers, not even Message-ID or Date: the harness is no local or submission client.
      for (const m of found) {
        const text = m.content.toString('latin1');
        const kept = headerFields(text.slice(0, text.indexOf('\r\n\r\n') + 2)).filter((f) => !t.mailbox!.addedHeaders.includes(f.name));
        expect(kept.map((f) => f.text).join('')).toBe(`Subject: ${token}\r\n`);
      }
    });

    it('delivers dot lines, a lone dot, 8-bit octets and a 998-octet line byte-exact, apart from the headers it names', async () => {
      const token = `st-transparency-${randomUUID()}`;
      const headers =
        [
          'From: Sender <sender@client.example>',
          'To: <user@test.example>',
          `Subject: transparency ${token}`,
          `Message-ID: <${token}@client.example>`,
          'Date: Mon, 23 Nov 2026 09:00:00 +0000',
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=iso-8859-1',
          'Content-Transfer-Encoding: 8bit',
        ].join('\r\n') + '\r\n';
      let eightBit = 'caf\xe9 ';
      for (let b = 0x80; b <= 0xff; b++) eightBit += String.fromCharCode(b);
      const line998 = 'L' + 'x'.repeat(996) + 'E';
      const bodyLines = ['first line', '.leading dot', '..two leading dots', '.', ' .after a space', eightBit, line998, 'last line'];
      const body = bodyLines.join('\r\n') + '\r\n';
      const content = Buffer.from(headers + '\r\n' + body, 'latin1');
      const wire = dotStuff(content);
      // The lone "." went out as "..", lines starting with "." got one more, then CRLF.CRLF.
      expect(wire.toString('latin1')).toContain('\r\n..leading dot\r\n...two leading dots\r\n..\r\n .after a space\r\n');
      expect(wire.subarray(-5).toString('latin1')).toBe('\r\n.\r\n');
      expect(line998.length).toBe(998);

      const c = await MiniSmtp.connect(t.host, t.port);
      try {
        await c.reply();
        await c.cmd('EHLO client.example');
        expect((await c.cmd('MAIL FROM:<sender@client.example> BODY=8BITMIME')).code).toBe(250);
        expect((await c.cmd('RCPT TO:<user@test.example>')).code).toBe(250);
        expect((await c.cmd('DATA')).code).toBe(354);
        c.write(wire);
        expect((await c.reply()).code).toBe(250);
        await c.cmd('QUIT');
      } finally {
        c.close();
      }

      const [m] = await delivered(t, token);
      expect(m!.from).toBe('sender@client.example');
      expect(m!.to).toEqual(['user@test.example']);
      const stored = m!.content.toString('latin1');
      const sep = stored.indexOf('\r\n\r\n');
      expect(stored.slice(sep + 4)).toBe(body);
      const fields = headerFields(stored.slice(0, sep + 2));
      const added = fields.filter((f) => t.mailbox!.addedHeaders.includes(f.name));
      const kept = fields.filter((f) => !t.mailbox!.addedHeaders.includes(f.name));
      expect(kept.map((f) => f.text).join('')).toBe(headers);
      // RFC 5321 §4.4: a trace header is a MUST.
      expect(added.map((f) => f.name)).toContain('received');
      // The file itself has LF line ends; content is its exact CRLF form.
      expect(Buffer.from(stored.replace(/\r\n/g, '\n'), 'latin1').equals((m as MaildirMessage).stored)).toBe(true);
    });

    it(`closes an idle connection with 421 after its ${TIMEOUT_S} s timeout`, async () => {
      const c = await MiniSmtp.connect(t.host, t.port);
      try {
        expect((await c.reply()).code).toBe(220);
        const t0 = Date.now();
        const r = await c.reply(TIMEOUT_S * 1000 + 10_000);
        expect(r.code).toBe(421);
        await c.closedByServer(5_000);
        expect(Date.now() - t0).toBeGreaterThanOrEqual(TIMEOUT_S * 1000 - 500);
      } finally {
        c.close();
      }
    }, 30_000);

    it('stop() leaves nothing behind and is idempotent', async () => {
      await t.stop();
      await t.stop();
      await checks.assertGone(t);
      await expect(connectOnce(t.port)).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }, 60_000);
  });
}

/** Polls the mailbox (an MTA delivers after its 250) until one message carries the token and satisfies `done`. */
async function delivered(t: StartedTarget, token: string, done: (m: MaildirMessage) => boolean = () => true): Promise<MaildirMessage[]> {
  const deadline = Date.now() + 15_000;
  let found = (await t.mailbox!.find(token)) as MaildirMessage[];
  while (!(found.length === 1 && done(found[0]!)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    found = (await t.mailbox!.find(token)) as MaildirMessage[];
  }
  expect(found).toHaveLength(1);
  expect(done(found[0]!)).toBe(true);
  return found;
}

/** Header fields with their continuation lines, names lower-cased. */
function headerFields(block: string): { name: string; text: string }[] {
  const fields: { name: string; text: string }[] = [];
  for (const line of block.split(/(?<=\r\n)/)) {
    if (/^[ \t]/.test(line) && fields.length) fields[fields.length - 1]!.text += line;
    else fields.push({ name: line.slice(0, line.indexOf(':')).toLowerCase(), text: line });
  }
  return fields;
}

function connectOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
}
