import { describe, expect, it } from 'vitest';
import { ReplyParser, type ParseEvent } from '../harness/wire/reply.ts';

const feed = (p: ReplyParser, s: string): ParseEvent[] => p.push(Buffer.from(s, 'latin1'));

describe('ReplyParser (RFC 5321 §4.2)', () => {
  it('parses a multiline reply fed one byte at a time', () => {
    const p = new ReplyParser();
    const text = '250-mx.example greets you\r\n250-PIPELINING\r\n250 SIZE 1000\r\n';
    const events = [...text].flatMap((ch) => feed(p, ch));
    expect(events).toHaveLength(1);
    const ev = events[0]!;
    expect(ev.kind).toBe('reply');
    if (ev.kind !== 'reply') return;
    expect(ev.reply.code).toBe(250);
    expect(ev.reply.lines).toEqual(['mx.example greets you', 'PIPELINING', 'SIZE 1000']);
    expect(ev.reply.defects).toEqual([]);
    expect(ev.reply.raw).toBe(text);
  });

  it('yields several replies from one chunk, in order', () => {
    const events = feed(new ReplyParser(), '250 2.1.0 ok\r\n550 5.1.1 no such user\r\n354 go ahead\r\n');
    expect(events.map((e) => (e.kind === 'reply' ? e.reply.code : e.error.code))).toEqual([250, 550, 354]);
  });

  it('parses enhanced status codes (RFC 3463) and notes whether every line has one', () => {
    const [ev] = feed(new ReplyParser(), '550-5.7.1 first\r\n550 5.7.1 second\r\n');
    if (ev?.kind !== 'reply') throw new Error('expected a reply');
    expect(ev.reply.enhanced).toEqual({ class: 5, subject: 7, detail: 1 });
    expect(ev.reply.enhancedOnEveryLine).toBe(true);
    const [plain] = feed(new ReplyParser(), '250 ok\r\n');
    if (plain?.kind !== 'reply') throw new Error('expected a reply');
    expect(plain.reply.enhanced).toBeUndefined();
  });

  it('flags inconsistent codes across lines, over-long lines and bare LF, and keeps the reply', () => {
    const long = 'x'.repeat(600);
    const [ev] = feed(new ReplyParser(), `250-a\r\n251-${long}\r\n250 c\n`);
    if (ev?.kind !== 'reply') throw new Error('expected a reply');
    expect(new Set(ev.reply.defects)).toEqual(new Set(['inconsistent-code', 'line-over-512', 'bare-lf']));
  });

  it.each([
    ['garbage', '\x00\xff\x13garbage\r\n'],
    ['a two-digit code', '25 ok\r\n'],
    ['a first digit outside 2-5', '650 nope\r\n'],
    ['four digits', '2500 ok\r\n'],
  ])('rejects %s with REPLY_SYNTAX and stops parsing', (_, text) => {
    const p = new ReplyParser();
    const events = feed(p, text);
    expect(events.map((e) => e.kind === 'error' && e.error.code)).toEqual(['REPLY_SYNTAX']);
    expect(p.poisoned).toBe(true);
    expect(feed(p, '250 ok\r\n')).toEqual([]);
  });

  it('caps line length even before the line ends', () => {
    const p = new ReplyParser({ maxLineLength: 1000 });
    const events = feed(p, '250 ' + 'x'.repeat(2000));
    expect(events.map((e) => e.kind === 'error' && e.error.code)).toEqual(['REPLY_LINE_TOO_LONG']);
    expect(p.buffered).toBe(0);
  });

  it('caps the total size of a multiline reply', () => {
    const p = new ReplyParser({ maxReplySize: 10_000 });
    const events = feed(p, '250-more\r\n'.repeat(2000));
    expect(events.map((e) => e.kind === 'error' && e.error.code)).toEqual(['REPLY_TOO_LARGE']);
  });
});
